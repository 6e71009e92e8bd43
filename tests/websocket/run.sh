#!/usr/bin/env bash
# session-lab's GET /ws driven by Python's websockets (Debian's python3-websockets), then two
# session-lab processes sharing a throw-away Redis, then a Redis Cluster, then Redis behind
# Sentinel, then a PostgreSQL (logout, log out everywhere, broadcasts and expiry across
# processes). $1: the build folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
/usr/bin/python3 "$here/session_lab_ws.py" "$1"
work=$(mktemp -d)
cleanup() {
  [ -f "$work/redis.stop" ] && bash "$work/redis.stop"
  [ -f "$work/redis_cluster.stop" ] && bash "$work/redis_cluster.stop"
  [ -f "$work/redis_sentinel.stop" ] && bash "$work/redis_sentinel.stop"
  [ -f "$work/postgres.stop" ] && bash "$work/postgres.stop"
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=../stores/services/redis.sh
source "$here/../stores/services/redis.sh" "$work" >/dev/null
/usr/bin/python3 "$here/cross_process_ws.py" "$1" "$CORTADO_TEST_REDIS_URL"
# shellcheck source=../stores/services/redis_cluster.sh
source "$here/../stores/services/redis_cluster.sh" "$work" >/dev/null
/usr/bin/python3 "$here/cross_process_ws.py" "$1" "$CORTADO_TEST_REDIS_CLUSTER_URL"
# shellcheck source=../stores/services/redis_sentinel.sh
source "$here/../stores/services/redis_sentinel.sh" "$work" >/dev/null
/usr/bin/python3 "$here/cross_process_ws.py" "$1" "$CORTADO_TEST_REDIS_SENTINEL_URL"
# shellcheck source=../stores/services/postgres.sh
source "$here/../stores/services/postgres.sh" "$work" >/dev/null
/usr/bin/python3 "$here/cross_process_ws.py" "$1" "$CORTADO_TEST_POSTGRES_URL"
