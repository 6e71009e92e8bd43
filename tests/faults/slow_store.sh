#!/usr/bin/env bash
# A delaying proxy between session-lab and Redis: requests that do not touch the store must not
# wait for the ones that do (slow_store.py says what passes).
#
#   bash tests/faults/slow_store.sh BUILD_DIR
set -uo pipefail
# shellcheck source=tests/faults/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" slow_store "${1:-}"

# shellcheck source=/dev/null
source "$here/../stores/services/redis.sh" "$work" >/dev/null || give_up "could not start redis-server"

run_test slow_store.py --redis-port "${CORTADO_TEST_REDIS_URL##*:}"
