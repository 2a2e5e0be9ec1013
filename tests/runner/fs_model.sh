#!/bin/sh
# Proof that the file system's checks can fail (sim/lib/ref_fs.c, runner_fs.c): each scenario of
# tests/runner/fs_wrong holds one wrong expectation (a read's bytes, a file's size, an entry's
# type, a directory's entries, mkdir's answer, an error, a handle after its file moved) and fails
# naming it and the engine's answer; the real engine passes the suite scenario fs-ops, whose
# steps without an expectation are checked by the reference model; an engine's refusal the model
# did not foresee (full) names the expectation that would allow it.
# Usage: fs_model.sh PATH/TO/norbench SOURCE_DIR
set -u
nb=$1
src=$2
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in "$src"/tests/runner/fs_wrong/*.json; do
    "$nb" run "$f" --quiet >"$tmp/out" 2>&1
    code=$?
    if [ "$code" -ne 1 ]; then
        echo "FAIL: $f exited $code, expected 1: $(cat "$tmp/out")"
        fails=$((fails + 1))
    elif ! grep -q "(the step's expectation), got" "$tmp/out"; then
        echo "FAIL: $f said: $(cat "$tmp/out")"
        fails=$((fails + 1))
    else
        echo "ok: $(basename "$f"): $(grep -o 'steps\[.*' "$tmp/out" | head -1)"
    fi
done
# fs-error-full without the expectation of its third write's full.
sed 's/, "expect": { "error": "full" } }/ }/' "$src/scenarios/suite/fs-error-full.json" >"$tmp/full.json"
"$nb" run "$tmp/full.json" --quiet >"$tmp/out" 2>&1
code=$?
if [ "$code" -ne 1 ] || ! grep -qF 'steps[5]: fs_write: expected success (the reference model), got error full; if the engine may refuse it, expect that: "expect": {"error": "full"}' "$tmp/out"; then
    echo "FAIL: an unforeseen full exited $code and said: $(cat "$tmp/out")"
    fails=$((fails + 1))
fi
"$nb" run "$src/scenarios/suite/fs-ops.json" --quiet >"$tmp/out" 2>&1 ||
    { echo "FAIL: the real engine fails fs-ops: $(cat "$tmp/out")"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ] || exit 1
