#!/usr/bin/env bash
# Soak of mixed W1/W2/W3 session traffic (issue 7; how it works and what it checks: soak.py).
#
#   bash tests/load/soak.sh BUILD              the test command's short mode: 90 s per store,
#                                              memory then SQLite, 10 s max-age, 5 s pruning
#   bash tests/load/soak.sh BUILD --store memory --seconds 600     the long run for the report
#   bash tests/load/soak.sh BUILD --store sqlite --seconds 600 [--interval 30 --csv PATH ...]
set -euo pipefail

build=${1:?usage: soak.sh BUILD [--store memory|sqlite --seconds N ...]}
shift
here=$(cd "$(dirname "$0")" && pwd)

if (($# > 0)); then
  exec python3 -B "$here/soak.py" "$build" "$@"
fi

# Short mode: a max-age and a pruning interval short enough that the store is steady after 30 s,
# leaving 60 s in which memory must stay flat.
status=0
for store in memory sqlite; do
  echo "== soak, $store store, short mode"
  python3 -B "$here/soak.py" "$build" --store "$store" --seconds 90 --interval 10 \
    --max-age 10000 --prune-interval 5000 || status=1
  echo
done
exit $status
