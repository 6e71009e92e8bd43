#!/usr/bin/env bash
# Side-by-side session tests: cortado's session-lab against the Node reference (session_lab.js,
# express@5 + express-session@1.19), scenario by scenario (session_scenarios.mjs).
#
#   tests/compat/session_run.sh BUILD_DIR [session_compare.mjs options, e.g. --filter NAME --verbose]
#
# Prints one line per scenario and "N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lab_setup.sh"
lab_setup "$0 BUILD_DIR [session_compare.mjs options, e.g. --filter NAME --verbose]" "$@"
shift

cd "$here" || exit 2
node session_compare.mjs --cortado "$lab" "$@"
