#!/usr/bin/env bash
# Signature comparison must take the same work wherever the forged MAC differs: counts the
# instructions cortado::unsign executes (callgrind counts instructions, which do not vary with
# machine load) for a MAC wrong in its first and in its last character. An early-exit compare
# (memcmp, ==) makes the two counts differ by several instructions per call; this fails then.
#   bash tests/security/constant_time.sh BUILD_DIR
set -euo pipefail
probe=$1/tests/signature_probe
calls=2000
command -v valgrind >/dev/null || { echo "constant_time: valgrind is missing (scripts/setup.sh installs it)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Instructions spent inside unsign (and what it calls) for a MAC wrong at character $1.
count() {
  valgrind --tool=callgrind --callgrind-out-file="$work/out.$1" --toggle-collect='cortado::unsign*' \
    "$probe" "$1" "$calls" >"$work/log.$1" 2>&1 || { cat "$work/log.$1" >&2; exit 1; }
  sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$work/out.$1"
}

first=$(count 00)
last=$(count 42)
echo "constant_time: unsign x $calls: $first instructions (MAC wrong at its first character), $last (at its last)"
[ "$first" -gt $((calls * 100)) ] || { echo "constant_time: callgrind counted too little ($first): unsign not found" >&2; exit 1; }
diff=$((first > last ? first - last : last - first))
if [ "$diff" -ge "$calls" ]; then
  echo "constant_time: FAIL: the counts differ by $diff, about $((diff / calls)) instructions per call: the comparison leaks where the MAC differs" >&2
  exit 1
fi
echo "constant_time: ok (difference $diff)"
