#!/usr/bin/env bash
# PostgreSQL stopped in immediate mode (as a crash: no checkpoint, the restart replays the WAL)
# and started again under load, session-lab left running (outage.py says what passes).
#
#   bash tests/faults/postgres_restart.sh BUILD_DIR
set -uo pipefail
# shellcheck source=tests/faults/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" postgres_restart "${1:-}"

# shellcheck source=/dev/null
source "$here/../stores/services/postgres.sh" "$work" >/dev/null || give_up "could not start PostgreSQL"

run_test outage.py --name postgres_restart --store "$CORTADO_TEST_POSTGRES_URL" \
  --kill "$CORTADO_TEST_POSTGRES_CRASH" --start "$CORTADO_TEST_POSTGRES_START"
