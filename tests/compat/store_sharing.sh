#!/usr/bin/env bash
# Session sharing between cortado and Node through real Redis and PostgreSQL servers: starts both
# (tests/stores/services/*.sh, on free loopback ports, in a throw-away folder that is removed at
# the end), then runs store_sharing.mjs, which drives cortado's session-lab and the Node
# reference (session_lab.js with connect-redis / connect-pg-simple) on the same store.
#
#   tests/compat/store_sharing.sh BUILD_DIR [store_sharing.mjs options, e.g. --filter redis --verbose]
#
# Prints one line per check and "N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stores="$here/../stores/services"
give_up() {
  echo "$1" >&2
  echo "0 passed, 1 failed"
  exit 2
}
[ $# -ge 1 ] || give_up "usage: $0 BUILD_DIR [--filter TEXT]... [--verbose]"
build="$(cd "$1" 2>/dev/null && pwd)" || give_up "no build directory $1"
shift
lab="$build/examples/session-lab"
[ -x "$lab" ] || give_up "no $lab: build it with ninja -C $build session-lab"
command -v node >/dev/null || give_up "node is not installed"
command -v psql >/dev/null || give_up "psql is not installed (apt-get install -y postgresql-client)"
command -v redis-cli >/dev/null || give_up "redis-cli is not installed (apt-get install -y redis-tools)"

# The reference's packages (pinned in package.json, locked in package-lock.json): install once.
missing=
for package in express express-session connect-redis redis connect-pg-simple pg; do
  [ -f "$here/node_modules/$package/package.json" ] || missing=1
done
if [ -n "$missing" ]; then
  (cd "$here" && npm ci --no-audit --no-fund) >&2 || give_up "npm ci failed"
fi

work="$(mktemp -d)" || give_up "mktemp failed"
stop_all() {
  for stop in "$work"/*.stop; do
    [ -f "$stop" ] && { bash "$stop" >&2 || true; }  # stdout keeps "N passed, M failed" last
  done
  rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The services print where they listen: to stderr, so that stdout holds only the checks.
# shellcheck source=/dev/null
source "$stores/redis.sh" "$work" >&2 || give_up "could not start redis-server"
# shellcheck source=/dev/null
source "$stores/postgres.sh" "$work" >&2 || give_up "could not start PostgreSQL"
# shellcheck source=/dev/null
source "$stores/redis_cluster.sh" "$work" >&2 || give_up "could not start the Redis Cluster"

cd "$here" || give_up "no $here"
# In the background, so that a signal reaches this script at once: it stops the test (which stops
# its labs and prints its count), then the EXIT trap stops the servers.
node store_sharing.mjs --cortado "$lab" --redis "$CORTADO_TEST_REDIS_URL" --postgres "$CORTADO_TEST_POSTGRES_URL" "$@" &
test_pid=$!
trap 'kill -TERM "$test_pid" 2>/dev/null; wait "$test_pid"; exit 130' INT
trap 'kill -TERM "$test_pid" 2>/dev/null; wait "$test_pid"; exit 143' TERM
wait "$test_pid"
