#!/usr/bin/env bash
# Installs cortado from BUILD_DIR into a temporary prefix and builds, runs and queries an app
# outside the tree four ways: find_package, find_package with the redis component, pkg-config,
# and add_subdirectory of the sources. An app that uses only App and session() must link no
# database client. With root, the .deb that CPack makes is installed and used too, then removed.
#   bash tests/install/run.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
pids=()
deb_installed=0
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ "$deb_installed" = 1 ]; then dpkg -r libcortado-dev >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "install: FAILED: $*" >&2; exit 1; }
checks=0
pass() { checks=$((checks + 1)); echo "install: ok: $*"; }

# Starts an app, asks it twice for the counter with one cookie, stops it.
serve_and_query() {
  local app=$1 name=$2 out="$work/$2.out"
  "$app" > "$out" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local port=""
  for _ in $(seq 100); do
    port=$(head -n 1 "$out" 2>/dev/null | tr -dc 0-9)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "$name did not print its port: $(cat "$out")"
  local jar="$work/$name.jar"
  local first second
  first=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/")
  second=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/")
  kill -TERM "$pid"
  wait "$pid" || true
  [ "$first" = 1 ] && [ "$second" = 2 ] || fail "$name answered '$first' then '$second', not 1 then 2"
  pass "$name serves a session (1, then 2)"
}

links_no_database_client() {
  local app=$1 name=$2
  if ldd "$app" | grep -E 'libpq|hiredis|sqlite'; then fail "$name links a database client"; fi
  pass "$name links no libpq, hiredis or SQLite"
}

prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
[ -f "$prefix/lib/cmake/cortado/cortadoConfig.cmake" ] || fail "no cortadoConfig.cmake under the prefix"
[ -f "$prefix/include/cortado/cortado.hpp" ] || fail "no headers under the prefix"
pass "cmake --install puts the headers, libraries and package under the prefix"

# 1. find_package(cortado)
cmake -S "$here/app" -B "$work/find" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" > /dev/null
cmake --build "$work/find" > /dev/null
serve_and_query "$work/find/install_probe" find_package
links_no_database_client "$work/find/install_probe" find_package

# 2. find_package(cortado COMPONENTS redis): the Redis store and its client come in.
cmake -S "$here/app" -B "$work/redis" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" -DWITH_REDIS=ON > /dev/null
cmake --build "$work/redis" > /dev/null
# ldd's output is taken whole first: `ldd | grep -q` under pipefail fails whenever grep's early
# exit cuts ldd off mid-output (SIGPIPE), as it did in two of four runs on one machine.
redis_libs=$(ldd "$work/redis/install_probe")
[[ $redis_libs == *hiredis* ]] || fail "the redis component does not link hiredis"
pass "COMPONENTS redis links hiredis"
serve_and_query "$work/redis/install_probe" find_package_redis

# 3. pkg-config
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
pkg-config --exists cortado cortado-redis cortado-sqlite cortado-postgres || fail "pkg-config does not know cortado"
# shellcheck disable=SC2046
g++ -O1 "$here/app/main.cpp" -o "$work/pkg_probe" $(pkg-config --cflags --libs cortado)
serve_and_query "$work/pkg_probe" pkg-config
links_no_database_client "$work/pkg_probe" pkg-config

# 4. add_subdirectory of the sources, in a parent that must see none of cortado's build settings.
cmake -S "$here/app" -B "$work/subdir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXPECTED_BUILD_TYPE=RelWithDebInfo \
  -DCORTADO_SOURCE="$source_dir" > /dev/null
cmake --build "$work/subdir" --target install_probe > /dev/null
serve_and_query "$work/subdir/install_probe" add_subdirectory
links_no_database_client "$work/subdir/install_probe" add_subdirectory

# 5. The .deb, installed as Debian installs it (root only: it writes under /usr).
if [ "$(id -u)" = 0 ] && ! dpkg-query -W libcortado-dev > /dev/null 2>&1; then
  (cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" > cpack.log)
  deb=$(ls "$work"/libcortado-dev_*.deb)
  dpkg -i "$deb" > /dev/null
  deb_installed=1
  cmake -S "$here/app" -B "$work/deb" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
  cmake --build "$work/deb" > /dev/null
  grep -q "/usr/lib/cmake/cortado" "$work/deb/CMakeCache.txt" || fail "the app did not find the installed .deb's package"
  serve_and_query "$work/deb/install_probe" deb
  dpkg -r libcortado-dev > /dev/null
  deb_installed=0
  pass "the .deb installs, is found under /usr and removes cleanly"
fi
echo "$checks passed, 0 failed"
