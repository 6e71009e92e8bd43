#!/usr/bin/env bash
# Request logs side by side: cortado's session-lab --log FORMAT against session_lab.js with morgan,
# the same requests to each, the lines compared byte for byte with dates and times masked.
#
#   tests/compat/logger_run.sh BUILD_DIR [--verbose]
#
# Prints one line per format and "N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [--verbose]" >&2
  echo "0 passed, 1 failed"
  exit 2
fi
build="$(cd "$1" 2>/dev/null && pwd)" || { echo "no build directory $1" >&2; echo "0 passed, 1 failed"; exit 2; }
shift
lab="$build/examples/session-lab"
if [ ! -x "$lab" ]; then
  echo "no $lab: build it with ninja -C $build session-lab" >&2
  echo "0 passed, 1 failed"
  exit 2
fi
if ! command -v node >/dev/null; then
  echo "node is not installed" >&2
  echo "0 passed, 1 failed"
  exit 2
fi
# The reference needs express, express-session and morgan (pinned in package.json): install them once.
if [ ! -f "$here/node_modules/morgan/package.json" ] || [ ! -f "$here/node_modules/express/package.json" ]; then
  if [ -f "$here/package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund) >&2 || { echo "npm ci failed" >&2; echo "0 passed, 1 failed"; exit 2; }
  else
    (cd "$here" && npm install --no-audit --no-fund) >&2 || { echo "npm install failed" >&2; echo "0 passed, 1 failed"; exit 2; }
  fi
fi

cd "$here" || exit 2
node logger_compare.mjs --cortado "$lab" "$@"
