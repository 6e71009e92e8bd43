#!/usr/bin/env bash
# The fleet test (docs/DEPLOYMENT.md's setup, run for real): starts the Redis servers a part needs
# on free loopback ports (tests/stores/services), then fleet.py, which starts session-lab
# processes, nginx and Node, checks them, and stops them. Everything lives in a throw-away folder
# that is removed at the end; every process started is stopped (EXIT trap).
#
#   bash tests/fleet/run.sh BUILD_DIR cluster|sentinel|files [--only basics|reshard|process|master]...
#
# cluster:  6-node Redis Cluster (3 masters, 3 replicas), 3 processes behind nginx with TLS, Node's
#           connect-redis on the same cluster, secret rotation, and faults under load (slot
#           migration, a process killed, a master killed).
# sentinel: a master, its replica and 3 sentinels; SENTINEL FAILOVER under load.
# files:    nginx -t and systemd-analyze verify on the deploy files; the doc shows them unchanged.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
services="$here/../stores/services"
give_up() {
  echo "fleet: FAIL: $1"
  exit 1
}
[ $# -ge 2 ] || give_up "usage: bash tests/fleet/run.sh BUILD_DIR cluster|sentinel|files [--only PHASE]..."
lab="$(cd "$1" 2>/dev/null && pwd)/examples/session-lab"
part=$2
[ -x "$lab" ] || give_up "no $lab: build the session-lab target first"
for tool in python3 nginx openssl redis-server redis-cli; do
  command -v "$tool" >/dev/null || give_up "$tool is missing (bash scripts/setup.sh installs it)"
done
if [ "$part" = cluster ]; then
  command -v node >/dev/null || give_up "node is missing"
  for package in express express-session connect-redis redis; do
    [ -f "$here/../compat/node_modules/$package/package.json" ] ||
      (cd "$here/../compat" && npm ci --no-audit --no-fund) >&2 || give_up "npm ci failed"
  done
fi

work="$(mktemp -d)" || give_up "mktemp failed"
# shellcheck disable=SC2317  # called by the EXIT trap
stop_all() {
  for stop in "$work"/*.stop; do [ -f "$stop" ] && bash "$stop" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap stop_all EXIT

case "$part" in
  cluster)
    # shellcheck source=/dev/null
    source "$services/redis_cluster.sh" "$work" >&2 || give_up "could not start the Redis Cluster" ;;
  sentinel)
    # shellcheck source=/dev/null
    source "$services/redis_sentinel.sh" "$work" >&2 || give_up "could not start Redis with Sentinel" ;;
  files) ;;
  *) give_up "unknown part $part (cluster, sentinel or files)" ;;
esac
# The killed master is this shell's job: without this, bash reports its SIGKILL as noise.
disown -a

# In the background, so that a signal reaches this shell at once: it stops fleet.py (which stops
# its processes), then the EXIT trap stops the Redis servers.
python3 -B "$here/fleet.py" "$part" --lab "$lab" --work "$work" "${@:3}" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 130' INT
trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 143' TERM
wait $pid
status=$?
if [ $status -ne 0 ]; then
  for log in "$work"/session-lab-*.log "$work"/node-lab.log "$work"/nginx/error.log; do
    [ -f "$log" ] && { echo "--- last lines of ${log#"$work"/}"; tail -n 10 "$log"; }
  done
fi
exit $status
