#!/usr/bin/env bash
# The layers point only downward: core < http < app < session < the stores (each on its own).
# Fails when a source or header of a layer includes a layer above it or beside it, when a store
# includes another store or another store's client library, or when a layer's CMake target
# links a layer above it or a database client that is not its own.
#   bash tests/layering.sh SOURCE_DIR
set -uo pipefail
src=$(cd "$1" && pwd)
failures=0
checks=0
fail() { echo "layering: $*" >&2; failures=$((failures + 1)); }

rank() {
  case $1 in core) echo 0 ;; http) echo 1 ;; app) echo 2 ;; session) echo 3 ;; stores) echo 4 ;; *) echo -1 ;; esac
}

# Every quoted include of a layer's files: "cortado/<layer>/..." (public) or "<layer>/..." (private).
for layer in core http app session stores; do
  for file in $(ls "$src/src/$layer"/* "$src/include/cortado/$layer"/* 2>/dev/null); do
    while IFS= read -r included; do
      target=${included#cortado/}
      target=${target%%/*}
      [ "$target" = "$included" ] && continue  # a file beside it: same layer
      checks=$((checks + 1))
      r=$(rank "$target")
      [ "$r" -lt 0 ] && continue
      if [ "$r" -gt "$(rank "$layer")" ]; then fail "${file#"$src"/} ($layer) includes $included (a layer above)"; fi
    done < <(sed -nE 's/^#include "([^"]+)".*/\1/p' "$file")
  done
done

# A store sees only its own client library and none of the other stores.
declare -A client=([sqlite]='sqlite3\.h' [redis]='hiredis' [postgres]='libpq-fe\.h')
for store in sqlite redis postgres; do
  for file in "$src"/src/stores/${store}_* "$src/include/cortado/stores/$store.hpp"; do
    for other in sqlite redis postgres; do
      [ "$other" = "$store" ] && continue
      checks=$((checks + 1))
      if grep -qE "#include [<\"](stores/${other}_|cortado/stores/${other}\.hpp|${client[$other]})" "$file"; then
        fail "${file#"$src"/} includes the $other store or its client"
      fi
    done
  done
done
# No layer below the stores names a database client.
for layer in core http app session; do
  checks=$((checks + 1))
  if grep -rqE '#include [<"](sqlite3\.h|hiredis|libpq-fe\.h)' "$src/src/$layer" "$src/include/cortado/$layer"; then
    fail "$layer includes a database client"
  fi
done

# The targets' links, from CMake's own dependency graph of the libraries alone (a configure in a
# temporary folder: nothing is built).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
dot=$scratch/graph.dot
if cmake -S "$src" -B "$scratch/build" -G Ninja -DCORTADO_TESTS=OFF -DCORTADO_EXAMPLES=OFF -DCORTADO_BENCH=OFF \
     -DCORTADO_INSTALL=OFF --graphviz="$dot" > "$scratch/configure.log" 2>&1; then
  # Each edge carries its names in a comment: "node3" -> "node4"  // cortado_app -> ZLIB::ZLIB
  while read -r a b; do
    case $a in cortado_core | cortado_http | cortado_app | cortado_session | cortado_sqlite | cortado_redis | cortado_postgres) ;; *) continue ;; esac
    checks=$((checks + 1))
    la=${a#cortado_}
    lb=${b#cortado_}
    ra=$(rank "$la"); [ "$ra" -lt 0 ] && ra=4
    case $b in
      cortado_sqlite | cortado_redis | cortado_postgres) fail "$a links the store $b" ;;
      cortado_*) [ "$(rank "$lb")" -ge "$ra" ] && fail "$a links $b (not a layer below)" ;;
      SQLite::SQLite3) [ "$a" = cortado_sqlite ] || fail "$a links SQLite" ;;
      PkgConfig::HIREDIS) [ "$a" = cortado_redis ] || fail "$a links hiredis" ;;
      PostgreSQL::PostgreSQL) [ "$a" = cortado_postgres ] || fail "$a links libpq" ;;
    esac
  done < <(sed -nE 's#.*// (\S+) -> (\S+)$#\1 \2#p' "$dot")
else
  fail "cmake could not configure $src: $(tail -n 5 "$scratch/configure.log")"
fi

echo "$checks passed, $failures failed"
[ "$failures" = 0 ]
