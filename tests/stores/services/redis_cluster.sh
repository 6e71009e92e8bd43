#!/usr/bin/env bash
# Sourced by tests/stores/run.sh with its work folder as $1: starts a throw-away Redis Cluster of
# 6 nodes (3 masters, 3 replicas; no persistence) on free loopback ports, each in a folder of its
# own, joins them with `redis-cli --cluster create --cluster-replicas 1`, waits for
# cluster_state:ok on every node, and exports
#   CORTADO_TEST_REDIS_CLUSTER_URL    redis-cluster://127.0.0.1:P1,127.0.0.1:P2 (two seeds)
#   CORTADO_TEST_REDIS_CLUSTER_PORTS  the six ports, space-separated
#   CORTADO_TEST_REDIS_CLUSTER_KILL   a command that, given a port, kills that node with SIGKILL
#   CORTADO_TEST_REDIS_CLUSTER_START  a command that, given a port, starts that node again (it
#                                     rejoins from its nodes.conf) and returns once it answers PING
# and leaves $1/redis_cluster.stop for run.sh. A node's failure is detected after 1 s
# (cluster-node-timeout), so a killed master's replica takes over within a few seconds.
# Can also be sourced by hand to debug:
#   work=$(mktemp -d) && source tests/stores/services/redis_cluster.sh "$work" && build/tests/store_tests

cluster_work=$1
for cluster_tool in redis-server redis-cli; do
  if ! command -v "$cluster_tool" >/dev/null 2>&1; then
    echo "redis_cluster.sh: $cluster_tool is missing: install it (apt-get install -y redis-server)" >&2
    return 1
  fi
done
cluster_root=$cluster_work/redis-cluster
mkdir -p "$cluster_root"

# Starts the node of port $1 (bus port $2) from its folder and waits until it answers PING.
cat >"$cluster_root/start-node.sh" <<'CLUSTER_START'
port=$1
dir=$(dirname "${BASH_SOURCE[0]}")/$port
bus=$(cat "$dir/bus-port")
redis-server --port "$port" --cluster-port "$bus" --bind 127.0.0.1 --save "" --appendonly no \
  --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 1000 \
  --dir "$dir" --logfile "$dir/server.log" --pidfile "$dir/redis.pid" --daemonize no </dev/null >>"$dir/stdout.log" 2>&1 &
echo $! >"$dir/pid"
for i in $(seq 1 200); do
  [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ] && exit 0
  kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
  sleep 0.05
done
echo "redis_cluster.sh: the node on port $port did not start" >&2
tail -n 20 "$dir/stdout.log" "$dir/server.log" >&2 2>/dev/null
exit 1
CLUSTER_START
# shellcheck disable=SC2016
printf 'kill -KILL "$(cat %q/"$1"/pid)" 2>/dev/null\n' "$cluster_root" >"$cluster_root/kill-node.sh"

cluster_ports=()
cluster_ok=1
for cluster_i in 1 2 3 4 5 6; do
  cluster_started=
  # A free port can be taken between the check and the start: a few tries with others.
  for cluster_try in 1 2 3; do
    cluster_port=$(bash "$(dirname "${BASH_SOURCE[0]}")/../../support/free_port.sh")
    cluster_bus=$(bash "$(dirname "${BASH_SOURCE[0]}")/../../support/free_port.sh")
    mkdir -p "$cluster_root/$cluster_port"
    echo "$cluster_bus" >"$cluster_root/$cluster_port/bus-port"
    if bash "$cluster_root/start-node.sh" "$cluster_port" 2>/dev/null; then
      cluster_started=1
      break
    fi
    bash "$cluster_root/kill-node.sh" "$cluster_port"
  done
  if [ -z "$cluster_started" ]; then
    cluster_ok=
    break
  fi
  cluster_ports+=("$cluster_port")
done

cluster_stop() {
  for port in "${cluster_ports[@]}"; do
    printf 'redis-cli -h 127.0.0.1 -p %q shutdown nosave >/dev/null 2>&1 || bash %q %q || true\n' \
      "$port" "$cluster_root/kill-node.sh" "$port"
  done
}
cluster_stop >"$cluster_work/redis_cluster.stop"

if [ -n "$cluster_ok" ]; then
  cluster_nodes=()
  for port in "${cluster_ports[@]}"; do cluster_nodes+=("127.0.0.1:$port"); done
  if ! redis-cli --cluster create "${cluster_nodes[@]}" --cluster-replicas 1 --cluster-yes \
      >"$cluster_root/create.log" 2>&1; then
    cluster_ok=
  fi
fi
if [ -n "$cluster_ok" ]; then
  # Every node must agree that all slots are served, and every master's replica must be in sync
  # (so that WAIT 1 succeeds), before the tests begin.
  cluster_ok=
  for cluster_wait in $(seq 1 600); do
    cluster_states=0
    cluster_synced=0
    for port in "${cluster_ports[@]}"; do
      redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok' &&
        cluster_states=$((cluster_states + 1))
      redis-cli -h 127.0.0.1 -p "$port" info replication 2>/dev/null | grep -q '^slave0:.*state=online' &&
        cluster_synced=$((cluster_synced + 1))
    done
    if [ "$cluster_states" = 6 ] && [ "$cluster_synced" = 3 ]; then
      cluster_ok=1
      break
    fi
    sleep 0.05
  done
fi
if [ -z "$cluster_ok" ]; then
  echo "redis_cluster.sh: the cluster did not form:" >&2
  tail -n 20 "$cluster_root/create.log" >&2 2>/dev/null || true
  return 1
fi

export CORTADO_TEST_REDIS_CLUSTER_URL="redis-cluster://127.0.0.1:${cluster_ports[0]},127.0.0.1:${cluster_ports[1]}"
export CORTADO_TEST_REDIS_CLUSTER_PORTS="${cluster_ports[*]}"
export CORTADO_TEST_REDIS_CLUSTER_KILL="bash $cluster_root/kill-node.sh"
export CORTADO_TEST_REDIS_CLUSTER_START="bash $cluster_root/start-node.sh"
echo "redis_cluster.sh: Redis Cluster on 127.0.0.1 ports ${cluster_ports[*]} (logs in $cluster_root/PORT/)"
