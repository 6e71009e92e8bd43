#!/usr/bin/env bash
# session-lab on SQLite killed with SIGKILL under write load and started again on the same file,
# a few times (sqlite_kill.py says what passes).
#
#   bash tests/faults/sqlite_kill.sh BUILD_DIR
set -uo pipefail
# shellcheck source=tests/faults/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" sqlite_kill "${1:-}"
command -v sqlite3 >/dev/null || give_up "sqlite3 is missing (apt-get install -y sqlite3, as scripts/setup.sh does)"

# One port for every server, so that the clients find the new one where the old one was.
port=$(bash "$here/../support/free_port.sh")
run_test sqlite_kill.py --db "$work/sessions.db" --port "$port"
