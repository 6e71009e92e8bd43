#!/usr/bin/env bash
# Builds the libFuzzer targets (cmake --preset fuzz: clang, ASan + UBSan, in build-fuzz/) and runs
# each one: first every input that ever crashed it (fuzz/regressions/<name>/), then fuzzing for N
# seconds from a copy of its seed corpus (fuzz/corpus/<name>/) in a temporary folder, so the
# repository's corpus never grows by itself. One summary line per target.
#
#   bash scripts/fuzz.sh [--seconds N] [target ...]     N = 20 by default; every target by default
#   bash scripts/fuzz.sh --seconds 600                  the long run
#
# Exits non-zero on any crash, leak, undefined behaviour, timeout or out-of-memory, and says where
# the input that reproduces it is (build-fuzz/fuzz/<name>_fuzz <that file> replays it).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  for source in fuzz/*_fuzz.cpp; do
    name=$(basename "$source" _fuzz.cpp)
    targets+=("$name")
  done
fi

started=$SECONDS
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"
echo "fuzz: build done in $((SECONDS - started)) s"

# Kept only when something is found, so that the reproducers stay where the message says.
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-run.XXXXXX")
# What the targets make for themselves (the request target's static files) goes there too, so a
# run that ends in a crash leaves nothing elsewhere.
export TMPDIR=$work
# A smaller quarantine than ASan's 256 MB: the runs share the machine with builds and other tests,
# and a freed block is still caught if reused within the last 64 MB of frees.
export ASAN_OPTIONS="detect_leaks=1:quarantine_size_mb=64:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

# libFuzzer's options for one target, into the array `options`. The request target's inputs may
# grow past the 16 KiB header limit.
set_options_for() {
  options=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
  if [ -f "fuzz/$1.dict" ]; then options+=("-dict=fuzz/$1.dict"); fi
  if [ "$1" = request ]; then options+=(-max_len=20480); fi
}

# ASan options for one target. route_pattern's matcher and parser recurse through two call sites
# in every order, so each allocation's 30-frame stack is new and ASan's stack store (never freed)
# grew past 800 MB in 90 s; 8 frames still show where an allocation came from.
asan_options_for() {
  [ "$1" = route_pattern ] && echo "$ASAN_OPTIONS:malloc_context_size=8" || echo "$ASAN_OPTIONS"
}

# The value of libFuzzer's final "stat::<key>:" line in a log.
stat_of() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }

# Replays every input in fuzz/regressions/<name>/; a failure names the file.
replay_regressions() {
  local name=$1 binary=$2 dir=fuzz/regressions/$1
  local inputs=()
  [ -d "$dir" ] && while IFS= read -r -d '' file; do inputs+=("$file"); done < <(find "$dir" -type f -print0 | sort -z)
  [ ${#inputs[@]} -eq 0 ] && return 0
  local log=$work/$name/regressions.log options
  set_options_for "$name"
  if ! ASAN_OPTIONS=$(asan_options_for "$name") "$binary" "${options[@]}" -artifact_prefix="$work/$name/" \
    "${inputs[@]}" >"$log" 2>&1; then
    local failed
    failed=$(sed -n 's/^Running: //p' "$log" | tail -n 1)
    echo "fuzz: $name: FAILED on regression input $failed (log: $log)"
    grep -m 3 -E 'FINDING|ERROR: |runtime error|SUMMARY' "$log" | sed 's/^/fuzz:   /' || true
    return 1
  fi
  echo "fuzz: $name: ${#inputs[@]} regression inputs pass"
}

# Fuzzes one target for $seconds from a copy of its seed corpus; prints its summary line.
fuzz_target() {
  local name=$1 binary=$2
  local corpus=$work/$name/corpus log=$work/$name/fuzz.log
  mkdir -p "$corpus"
  if [ -d "fuzz/corpus/$name" ]; then cp fuzz/corpus/"$name"/* "$corpus"/; fi
  local seeds
  seeds=$(find "$corpus" -type f | wc -l)
  local status=0 options
  set_options_for "$name"
  ASAN_OPTIONS=$(asan_options_for "$name") "$binary" "${options[@]}" -max_total_time="$seconds" -artifact_prefix="$work/$name/" \
    "$corpus" >"$log" 2>&1 || status=$?
  local findings
  findings=$(find "$work/$name" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
  local coverage
  coverage=$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED|NEW|REDUCE|pulse) ' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
  printf 'fuzz: %-16s %4s s  %10s runs  %7s exec/s  %-22s corpus %s -> %s  peak %s MB  seed %s  findings %s\n' \
    "$name" "$seconds" "$(stat_of "$log" number_of_executed_units)" "$(stat_of "$log" average_exec_per_sec)" \
    "${coverage:-cov: ?}" "$seeds" "$(find "$corpus" -type f | wc -l)" "$(stat_of "$log" peak_rss_mb)" \
    "$(sed -n 's/^INFO: Seed: //p' "$log" | head -n 1)" "$findings"
  if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
    local reproducer
    reproducer=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
    echo "fuzz: $name: FAILED (exit $status); reproducer: ${reproducer:-none written}; log: $log"
    grep -m 3 -E 'FINDING|ERROR: |runtime error|SUMMARY' "$log" | sed 's/^/fuzz:   /' || true
    return 1
  fi
}

failed=()
for name in "${targets[@]}"; do
  binary=build-fuzz/fuzz/${name}_fuzz
  if [ ! -x "$binary" ]; then
    echo "fuzz: no target named $name (fuzz/${name}_fuzz.cpp)" >&2
    failed+=("$name")
    continue
  fi
  mkdir -p "$work/$name"
  if replay_regressions "$name" "$binary" && fuzz_target "$name" "$binary"; then
    continue
  fi
  failed+=("$name")
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (everything is kept in $work; add each reproducer to fuzz/regressions/<name>/)"
  exit 1
fi
rm -rf "$work"
echo "fuzz: all ${#targets[@]} targets clean in $((SECONDS - started)) s"
