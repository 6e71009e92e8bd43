#!/usr/bin/env bash
# Redis killed (SIGKILL) and restarted under load, session-lab left running (outage.py says what
# passes). Redis runs with appendonly and appendfsync always, so every write it acknowledged is
# on disk when it dies.
#
#   bash tests/faults/redis_restart.sh BUILD_DIR
set -uo pipefail
# shellcheck source=tests/faults/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" redis_restart "${1:-}"

export CORTADO_REDIS_APPENDONLY=always
# shellcheck source=/dev/null
source "$here/../stores/services/redis.sh" "$work" >/dev/null || give_up "could not start redis-server"
# The first redis-server is this shell's job: without this, bash reports its SIGKILL as noise.
disown -a

run_test outage.py --name redis_restart --store "$CORTADO_TEST_REDIS_URL" \
  --kill "$CORTADO_TEST_REDIS_KILL" --start "$CORTADO_TEST_REDIS_START"
