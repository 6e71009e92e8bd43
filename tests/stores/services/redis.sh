#!/usr/bin/env bash
# Sourced by tests/stores/run.sh with its work folder as $1: starts a throw-away redis-server on a
# free loopback port (no persistence), waits until it answers PING, exports
#   CORTADO_TEST_REDIS_URL     redis://127.0.0.1:PORT
#   CORTADO_TEST_REDIS_KILL    a command that kills the server with SIGKILL (the fault tests use it)
#   CORTADO_TEST_REDIS_START   a command that starts it again, on the same port and data folder,
#                              and returns once it answers PING
# and leaves $1/redis.stop for run.sh. With CORTADO_REDIS_APPENDONLY=always set, every write is
# appended to disk and fsynced before Redis answers it, so a restart brings back every write.
# Can also be sourced by hand to debug:
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
redis_persistence=(--save "" --appendonly no)
if [ "${CORTADO_REDIS_APPENDONLY:-}" = always ]; then
  redis_persistence=(--save "" --appendonly yes --appendfsync always)
fi
redis_ready=
# A free port can be taken between the check and the start: a few tries with another one.
for redis_try in 1 2 3; do
  redis_port=$(bash "$(dirname "${BASH_SOURCE[0]}")/../../support/free_port.sh")
  # The pid file lets the kill command find the server after a restart too.
  redis_args=(--port "$redis_port" --bind 127.0.0.1 "${redis_persistence[@]}" --dir "$redis_dir"
              --logfile "$redis_dir/server.log" --pidfile "$redis_dir/redis.pid")
  redis-server "${redis_args[@]}" --daemonize no </dev/null >"$redis_dir/stdout.log" 2>&1 &
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

# SHUTDOWN NOSAVE stops it at once; the kill is for a server that no longer answers. (These
# printf formats hold $(...) on purpose: the written script runs it.)
# shellcheck disable=SC2016
printf 'redis-cli -h 127.0.0.1 -p %q shutdown nosave >/dev/null 2>&1 || kill "$(cat %q)" 2>/dev/null || true\n' \
  "$redis_port" "$redis_dir/redis.pid" >"$redis_work/redis.stop"
# Kill and restart as scripts, so that a test and a person run the same thing. The restarted
# server runs in the background, outliving the script (not daemonized: it stays in the caller's
# process group), and may take a moment to load its append-only file.
# shellcheck disable=SC2016
printf 'kill -KILL "$(cat %q)"\n' "$redis_dir/redis.pid" >"$redis_dir/kill.sh"
cat >"$redis_dir/start.sh" <<REDIS_START
redis-server $(printf '%q ' "${redis_args[@]}") --daemonize no </dev/null >>$(printf %q "$redis_dir/stdout.log") 2>&1 &
for i in \$(seq 1 200); do
  [ "\$(redis-cli -h 127.0.0.1 -p $redis_port ping 2>/dev/null)" = PONG ] && exit 0
  sleep 0.05
done
echo "redis-server did not answer PING after a restart" >&2
exit 1
REDIS_START

export CORTADO_TEST_REDIS_KILL="bash $redis_dir/kill.sh"
export CORTADO_TEST_REDIS_START="bash $redis_dir/start.sh"

export CORTADO_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
echo "redis.sh: Redis on 127.0.0.1:$redis_port (log in $redis_dir/server.log)"
