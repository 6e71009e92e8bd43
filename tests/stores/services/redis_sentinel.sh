#!/usr/bin/env bash
# Sourced by tests/stores/run.sh with its work folder as $1: starts a throw-away Redis master, its
# replica and 3 sentinels watching them as "cortado" (quorum 2; no persistence) on free loopback
# ports, waits until every sentinel knows the replica and the other sentinels, and exports
#   CORTADO_TEST_REDIS_SENTINEL_URL    redis-sentinel://127.0.0.1:S1,127.0.0.1:S2,127.0.0.1:S3/cortado
#   CORTADO_TEST_REDIS_SENTINEL_PORTS  the sentinels' ports, space-separated
# and leaves $1/redis_sentinel.stop for run.sh. `redis-cli -p S1 sentinel failover cortado` swaps
# master and replica (the test does).
# Can also be sourced by hand to debug:
#   work=$(mktemp -d) && source tests/stores/services/redis_sentinel.sh "$work" && build/tests/store_tests

sentinel_work=$1
for sentinel_tool in redis-server redis-cli; do
  if ! command -v "$sentinel_tool" >/dev/null 2>&1; then
    echo "redis_sentinel.sh: $sentinel_tool is missing: install it (apt-get install -y redis-server)" >&2
    return 1
  fi
done
sentinel_root=$sentinel_work/redis-sentinel
mkdir -p "$sentinel_root"
sentinel_free_port() { bash "$(dirname "${BASH_SOURCE[0]}")/../../support/free_port.sh"; }
sentinel_pids=()
# shellcheck disable=SC2317
sentinel_wait_ping() {  # port pid
  for sentinel_try in $(seq 1 200); do
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

sentinel_ok=1
sentinel_master=$(sentinel_free_port)
sentinel_replica=$(sentinel_free_port)
for sentinel_role in master replica; do
  sentinel_port=$sentinel_master
  sentinel_extra=()
  if [ "$sentinel_role" = replica ]; then
    sentinel_port=$sentinel_replica
    sentinel_extra=(--replicaof 127.0.0.1 "$sentinel_master")
  fi
  mkdir -p "$sentinel_root/$sentinel_port"
  redis-server --port "$sentinel_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$sentinel_root/$sentinel_port" \
    --logfile "$sentinel_root/$sentinel_port/server.log" "${sentinel_extra[@]}" --daemonize no </dev/null >/dev/null 2>&1 &
  sentinel_pids+=($!)
  sentinel_wait_ping "$sentinel_port" $! || sentinel_ok=
done
sentinel_ports=()
for sentinel_i in 1 2 3; do
  sentinel_port=$(sentinel_free_port)
  mkdir -p "$sentinel_root/$sentinel_port"
  # Sentinel rewrites its configuration file: each gets one of its own.
  cat >"$sentinel_root/$sentinel_port/sentinel.conf" <<SENTINEL_CONF
port $sentinel_port
bind 127.0.0.1
dir $sentinel_root/$sentinel_port
logfile $sentinel_root/$sentinel_port/sentinel.log
sentinel monitor cortado 127.0.0.1 $sentinel_master 2
sentinel down-after-milliseconds cortado 1000
sentinel failover-timeout cortado 10000
SENTINEL_CONF
  redis-server "$sentinel_root/$sentinel_port/sentinel.conf" --sentinel </dev/null >/dev/null 2>&1 &
  sentinel_pids+=($!)
  sentinel_wait_ping "$sentinel_port" $! || sentinel_ok=
  sentinel_ports+=("$sentinel_port")
done

printf 'kill %s 2>/dev/null || true\n' "${sentinel_pids[*]}" >"$sentinel_work/redis_sentinel.stop"

if [ -n "$sentinel_ok" ]; then
  # A failover needs a replica the sentinels know and a quorum that knows each other.
  sentinel_ok=
  for sentinel_wait in $(seq 1 600); do
    sentinel_ready=0
    for sentinel_port in "${sentinel_ports[@]}"; do
      sentinel_info=$(redis-cli -h 127.0.0.1 -p "$sentinel_port" sentinel master cortado 2>/dev/null | tr '\n' ' ')
      [[ "$sentinel_info" == *"num-slaves 1 "* && "$sentinel_info" == *"num-other-sentinels 2 "* ]] && sentinel_ready=$((sentinel_ready + 1))
    done
    # and a replica in sync, so that WAIT 1 succeeds from the first test on.
    redis-cli -h 127.0.0.1 -p "$sentinel_master" info replication 2>/dev/null | grep -q '^slave0:.*state=online' ||
      sentinel_ready=0
    if [ "$sentinel_ready" = 3 ]; then
      sentinel_ok=1
      break
    fi
    sleep 0.05
  done
fi
if [ -z "$sentinel_ok" ]; then
  echo "redis_sentinel.sh: the master, replica and sentinels did not come up (logs in $sentinel_root)" >&2
  return 1
fi

sentinel_hosts=()
for sentinel_port in "${sentinel_ports[@]}"; do sentinel_hosts+=("127.0.0.1:$sentinel_port"); done
export CORTADO_TEST_REDIS_SENTINEL_URL="redis-sentinel://$(IFS=,; echo "${sentinel_hosts[*]}")/cortado"
export CORTADO_TEST_REDIS_SENTINEL_PORTS="${sentinel_ports[*]}"
echo "redis_sentinel.sh: master 127.0.0.1:$sentinel_master, replica :$sentinel_replica, sentinels ${sentinel_ports[*]}"
