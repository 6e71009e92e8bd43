#!/usr/bin/env bash
# Request logs side by side: cortado's session-lab --log FORMAT against session_lab.js with morgan,
# the same requests to each, the lines compared byte for byte with dates and times masked.
#
#   tests/compat/logger_run.sh BUILD_DIR [--verbose]
#
# Prints one line per format and "N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lab_setup.sh"
lab_setup "$0 BUILD_DIR [--verbose]" "$@"
shift

cd "$here" || exit 2
node logger_compare.mjs --cortado "$lab" "$@"
