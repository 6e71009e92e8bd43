#!/usr/bin/env bash
# session-lab's GET /ws side by side: cortado's session-lab against session_lab.js (express-session
# run on the upgrade request, the ws package), the same steps to each, what the session shows
# compared (ws_compare.mjs).
#
#   tests/compat/ws_run.sh BUILD_DIR [--filter NAME] [--verbose]
#
# Prints one line per scenario and "N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [--filter NAME] [--verbose]" >&2
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
# The reference needs express, express-session and ws (pinned in package.json): install them once.
if [ ! -f "$here/node_modules/ws/package.json" ] || [ ! -f "$here/node_modules/express-session/package.json" ]; then
  if [ -f "$here/package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund) >&2 || { echo "npm ci failed" >&2; echo "0 passed, 1 failed"; exit 2; }
  else
    (cd "$here" && npm install --no-audit --no-fund) >&2 || { echo "npm install failed" >&2; echo "0 passed, 1 failed"; exit 2; }
  fi
fi

cd "$here" || exit 2
node ws_compare.mjs --cortado "$lab" "$@"
