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
source "$here/lab_setup.sh"
lab_setup "$0 BUILD_DIR [--filter NAME] [--verbose]" "$@"
shift

cd "$here" || exit 2
node ws_compare.mjs --cortado "$lab" "$@"
