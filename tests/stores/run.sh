#!/usr/bin/env bash
# Runs the store tests against real servers, each started on a free loopback port by a script
# in services/ (which exports the server's URL and leaves a stop script), and stopped after.
set -euo pipefail
binary=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
stop_all() {
  for stop in "$work"/*.stop; do [ -f "$stop" ] && bash "$stop" || true; done
  rm -rf "$work"
}
trap stop_all EXIT
for service in "$here"/services/*.sh; do
  [ -f "$service" ] || continue
  # shellcheck source=/dev/null
  source "$service" "$work"
done
"$binary"
