#!/usr/bin/env bash
# Sourced by tests/stores/run.sh with its work folder as $1: starts a throw-away PostgreSQL 15
# on a free loopback port (its Unix socket inside $1), creates the database cortado_test and
# exports
#   CORTADO_TEST_POSTGRES_URL    postgresql://postgres@127.0.0.1:PORT/cortado_test
#   CORTADO_TEST_POSTGRES_STOP   a command that stops the server (the outage test uses it)
#   CORTADO_TEST_POSTGRES_START  a command that starts it again, on the same port and data
#   CORTADO_TEST_POSTGRES_CRASH  a command that stops it as a crash would (immediate mode: no
#                                checkpoint, the next start replays the WAL)
# and leaves $1/postgres.stop for run.sh. Can also be sourced by hand to debug:
#   work=$(mktemp -d) && source tests/stores/services/postgres.sh "$work" && build/store_tests
# PostgreSQL refuses to run as root, so as root the server runs as the system user `postgres`.

pg_work=$1
pg_bin=${CORTADO_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
for pg_tool in initdb pg_ctl createdb; do
  if [ ! -x "$pg_bin/$pg_tool" ]; then
    echo "postgres.sh: $pg_bin/$pg_tool is missing: install the server (apt-get install -y postgresql-15)" >&2
    return 1
  fi
done

pg_dir=$pg_work/postgres
mkdir -p "$pg_dir/socket"
pg_as_owner=()
if [ "$(id -u)" = 0 ]; then
  if ! id -u postgres >/dev/null 2>&1; then
    # The Debian package creates this user; a machine without it gets the same.
    useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home --shell /bin/bash postgres
  fi
  # run.sh's folder is private (mktemp -d); the server's user only needs to pass through it.
  chmod o+x "$pg_work"
  chown -R postgres: "$pg_dir"
  pg_as_owner=(runuser -u postgres --)
fi

if ! "${pg_as_owner[@]}" "$pg_bin/initdb" --pgdata="$pg_dir/data" --username=postgres --auth=trust \
  --encoding=UTF8 --locale=C --no-sync >"$pg_dir/initdb.log" 2>&1; then
  echo "postgres.sh: initdb failed:" >&2
  cat "$pg_dir/initdb.log" >&2
  return 1
fi

# A free port can be taken between the check and the start: a few tries with another one.
pg_started=
for pg_try in 1 2 3; do
  pg_port=$(bash "$(dirname "${BASH_SOURCE[0]}")/../../support/free_port.sh")
  # Throw-away data: no fsync. Trust authentication for the loopback address only (initdb --auth).
  pg_options="-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir/socket -c fsync=off -c full_page_writes=off"
  pg_start=("${pg_as_owner[@]}" "$pg_bin/pg_ctl" --pgdata="$pg_dir/data" --log="$pg_dir/server.log" --wait
            --timeout=60 --options="$pg_options" start)
  if "${pg_start[@]}" >/dev/null 2>&1; then
    pg_started=1
    break
  fi
done
if [ -z "$pg_started" ]; then
  echo "postgres.sh: the server did not start:" >&2
  tail -n 20 "$pg_dir/server.log" >&2
  return 1
fi

# The commands as scripts, so that run.sh, the outage test and a person all run the same thing.
printf '%q ' "${pg_as_owner[@]}" "$pg_bin/pg_ctl" --pgdata="$pg_dir/data" --mode=fast --wait stop >"$pg_dir/stop.sh"
printf '%q ' "${pg_start[@]}" >"$pg_dir/start.sh"
printf '%q ' "${pg_as_owner[@]}" "$pg_bin/pg_ctl" --pgdata="$pg_dir/data" --mode=immediate --wait stop >"$pg_dir/crash.sh"
printf 'bash %q\n' "$pg_dir/stop.sh" >"$pg_work/postgres.stop"

if ! "${pg_as_owner[@]}" "$pg_bin/createdb" --host="$pg_dir/socket" --port="$pg_port" --username=postgres cortado_test; then
  echo "postgres.sh: createdb failed" >&2
  return 1
fi

export CORTADO_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$pg_port/cortado_test"
export CORTADO_TEST_POSTGRES_STOP="bash $pg_dir/stop.sh >/dev/null"
export CORTADO_TEST_POSTGRES_START="bash $pg_dir/start.sh >/dev/null"
export CORTADO_TEST_POSTGRES_CRASH="bash $pg_dir/crash.sh >/dev/null"
echo "postgres.sh: PostgreSQL on 127.0.0.1:$pg_port (data in $pg_dir)"
