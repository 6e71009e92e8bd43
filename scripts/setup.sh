#!/usr/bin/env bash
# Installs everything cortado needs on a fresh Debian 12 machine (as root): the compiler and
# libraries, the servers the store tests start (Redis, PostgreSQL), clang and libFuzzer for the
# fuzz targets, valgrind for the constant-time check, Node for the side-by-side
# tests, and the npm packages of tests/compat. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git python3
  libboost1.81-dev libboost-json1.81-dev libssl-dev zlib1g-dev libsodium-dev libsqlite3-dev sqlite3 libhiredis-dev libpq-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server postgresql-15 postgresql-client-15
  wrk nginx-light curl procps
  chromium inotify-tools
  clang-14 libclang-rt-14-dev llvm-14 valgrind
  openssl
  libbrotli-dev libdeflate-dev
  python3-prometheus-client
  python3-websockets
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The packages' own services are not wanted: tests start their servers on free ports themselves.
if command -v service >/dev/null; then
  service nginx stop >/dev/null 2>&1 || true
  service redis-server stop >/dev/null 2>&1 || true
  service postgresql stop >/dev/null 2>&1 || true
fi

if [ -f tests/compat/package-lock.json ] && [ ! -d tests/compat/node_modules ]; then
  echo "setup: npm ci in tests/compat"
  (cd tests/compat && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ -f tests/browser/package-lock.json ] && [ ! -d tests/browser/node_modules ]; then
  echo "setup: npm ci in tests/browser"
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
echo "setup: done"
