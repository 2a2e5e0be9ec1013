#!/bin/sh
# Proof that the TDBStore-shaped store's checks can fail (sim/lib/ref_tdb.c, runner_tdb.c): each
# scenario of tests/runner/tdb_wrong holds one wrong expectation (a partial read, info's flags,
# an iterator's keys, the reserved area after reset, a finalized value, a write-once key after
# its refused removal) and fails naming it; the engine that ignores write-once on remove
# (norbench-broken-tdb-once-ignored) fails the suite scenario tdb-ops at the removal that has no
# expectation, by the reference model, and the real engine passes it.
# Usage: tdb_model.sh PATH/TO/norbench PATH/TO/norbench-broken-tdb-once-ignored SOURCE_DIR
set -u
real=$1
once_ignored=$2
src=$3
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fails_with NORBENCH SCENARIO WORDS: exit 1 and a message holding WORDS.
fails_with() {
    "$1" run "$2" --quiet >"$tmp/out" 2>&1
    code=$?
    if [ "$code" -ne 1 ]; then
        echo "FAIL: $(basename "$1") on $2 exited $code, expected 1: $(cat "$tmp/out")"
        fails=$((fails + 1))
    elif ! grep -q "$3" "$tmp/out"; then
        echo "FAIL: $(basename "$1") on $2 said: $(cat "$tmp/out")"
        fails=$((fails + 1))
    else
        echo "ok: $(basename "$2"): $(grep -o 'steps\[.*' "$tmp/out" | head -1)"
    fi
}

for f in "$src"/tests/runner/tdb_wrong/*.json; do
    fails_with "$real" "$f" "(the step's expectation)"
done
fails_with "$once_ignored" "$src/scenarios/suite/tdb-ops.json" \
    "tdb_remove: expected error write_protected (the reference model), got success"
"$real" run "$src/scenarios/suite/tdb-ops.json" --quiet >"$tmp/out" 2>&1 ||
    { echo "FAIL: the real engine fails tdb-ops: $(cat "$tmp/out")"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ] || exit 1
