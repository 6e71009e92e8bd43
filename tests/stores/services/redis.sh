#!/usr/bin/env bash
# Sourced by tests/stores/run.sh with its work folder as $1: starts a throw-away redis-server on a
# free loopback port (no persistence), waits until it answers PING, exports
#   CORTADO_TEST_REDIS_URL   redis://127.0.0.1:PORT
# and leaves $1/redis.stop for run.sh. Can also be sourced by hand to debug:
#   work=$(mktemp -d) && source tests/stores/services/redis.sh "$work" && build/store_tests

redis_work=$1
for redis_tool in redis-server redis-cli; do
  if ! command -v "$redis_tool" >/dev/null 2>&1; then
    echo "redis.sh: $redis_tool is missing: install it (apt-get install -y redis-server, as scripts/setup does)" >&2
    return 1
  fi
done

redis_dir=$redis_work/redis
mkdir -p "$redis_dir"
redis_ready=
# A free port can be taken between the check and the start: a few tries with another one.
for redis_try in 1 2 3; do
  redis_port=$(bash "$(dirname "${BASH_SOURCE[0]}")/../../support/free_port.sh")
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    --dir "$redis_dir" --logfile "$redis_dir/server.log" </dev/null >"$redis_dir/stdout.log" 2>&1 &
  redis_pid=$!
  for redis_wait in $(seq 1 100); do
    if [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = PONG ]; then
      redis_ready=1
      break
    fi
    kill -0 "$redis_pid" 2>/dev/null || break  # exited: the port was taken, or a bad option
    sleep 0.05
  done
  [ -n "$redis_ready" ] && break
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
done
if [ -z "$redis_ready" ]; then
  echo "redis.sh: redis-server did not start:" >&2
  tail -n 20 "$redis_dir/stdout.log" "$redis_dir/server.log" >&2 2>/dev/null || true
  return 1
fi

# SHUTDOWN NOSAVE stops it at once; the kill is for a server that no longer answers.
printf 'redis-cli -h 127.0.0.1 -p %q shutdown nosave >/dev/null 2>&1 || kill %q 2>/dev/null || true\n' \
  "$redis_port" "$redis_pid" >"$redis_work/redis.stop"

export CORTADO_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
echo "redis.sh: Redis on 127.0.0.1:$redis_port (log in $redis_dir/server.log)"
