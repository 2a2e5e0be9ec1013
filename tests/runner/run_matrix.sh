#!/bin/sh
# Matrices from the outside: `norbench run --preset A,B` and a scenario's "matrix" give one row
# per combination, named NAME[preset=P], in the table, results.json and junit.xml; an override
# that does not fit one preset is an ERROR of that combination only (exit 2) whose message
# names the preset; --preset and --filter refuse bad values with one message and exit 2;
# --filter picks scenarios by name for run and powercut.
# Usage: run_matrix.sh PATH/TO/norbench
set -u
nb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "run_matrix: $*" >&2; exit 1; }

mkdir "$tmp/s"
cat >"$tmp/s/mat.json" <<'JSON'
{ "name": "mat", "flash": { "preset": "tiny" }, "engine": { "type": "map" },
  "matrix": { "preset": ["tiny", "samd21", "nrf52840"] },
  "steps": [ { "store": { "key": "a", "value": "1" } }, { "check": {} } ] }
JSON
cat >"$tmp/s/plain.json" <<'JSON'
{ "name": "plain", "flash": { "preset": "tiny", "sectors": 4 }, "engine": { "type": "queue", "cache": "all" },
  "steps": [ { "push": { "value": "1" } }, { "check": {} } ] }
JSON

"$nb" run "$tmp/s/mat.json" --report "$tmp/r" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "the matrix exited $rc: $(cat "$tmp/out")"
for p in tiny samd21 nrf52840; do
    grep -q "^mat\[preset=$p\] .* pass$" "$tmp/out" || fail "no row mat[preset=$p]: $(cat "$tmp/out")"
done
grep -q "^3 scenarios: 3 passed" "$tmp/out" || fail "not three results: $(cat "$tmp/out")"
python3 - "$tmp/r/results.json" <<'PY' || fail "results.json"
import json, sys
r = json.load(open(sys.argv[1]))["scenarios"]
assert [s["name"] for s in r] == ["mat[preset=tiny]", "mat[preset=samd21]", "mat[preset=nrf52840]"], r
assert [s["preset"] for s in r] == ["tiny", "samd21", "nrf52840"], r
PY
grep -q 'name="mat\[preset=samd21\]"' "$tmp/r/junit.xml" || fail "junit.xml has no mat[preset=samd21]"

# --preset replaces both the file's preset and its matrix; sectors 4 does not fit nothing.
"$nb" run "$tmp/s" --preset w25q16jv,tiny >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "--preset exited $rc: $(cat "$tmp/out")"
[ "$(grep -c '\[preset=' "$tmp/out")" -eq 4 ] || fail "--preset: not 2 x 2 rows: $(cat "$tmp/out")"
grep -q "^plain\[preset=w25q16jv\] .* pass$" "$tmp/out" || fail "no plain[preset=w25q16jv]"

# An override that does not fit one preset: that combination only is an error, naming it.
cat >"$tmp/big.json" <<'JSON'
{ "name": "big", "flash": { "preset": "w25q16jv", "sectors": 16 }, "engine": { "type": "map" },
  "steps": [ { "check": {} } ] }
JSON
"$nb" run "$tmp/big.json" --preset w25q16jv,tiny >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "a combination that does not fit exited $rc, not 2"
grep -q "^big\[preset=w25q16jv\] .* pass$" "$tmp/out" || fail "the fitting combination did not pass"
grep -q "big.json\[preset=tiny\] .* ERROR$" "$tmp/out" || fail "no ERROR row for tiny: $(cat "$tmp/out")"
grep -q "flash.sectors: 16 is out of range; expected 1..4 (on preset 'tiny')" "$tmp/err" ||
    fail "the message does not name the preset: $(cat "$tmp/err")"

# validate checks a matrix file on each of its presets.
"$nb" validate "$tmp/s/mat.json" >"$tmp/out" 2>&1 || fail "validate rejected mat.json: $(cat "$tmp/out")"
sed 's/"matrix": {.*}/"matrix": { "preset": ["w25q16jv", "tiny"] }/; s/"steps"/"matrix": { "preset": ["w25q16jv", "tiny"] }, "steps"/' \
    "$tmp/big.json" >"$tmp/bigm.json"
"$nb" validate "$tmp/bigm.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "validate of a matrix with a combination that does not fit exited $rc"
grep -q "bigm.json:1:[0-9]*: flash.sectors: 16 is out of range; expected 1..4 (on preset 'tiny')" "$tmp/err" ||
    fail "validate said: $(cat "$tmp/err")"

# --filter: by scenario name, for run and powercut; no match is a usage error.
"$nb" run "$tmp/s" --filter 'pl*' >"$tmp/out" 2>&1 || fail "--filter pl* failed: $(cat "$tmp/out")"
grep -q "^plain " "$tmp/out" || fail "--filter pl* did not run plain"
grep -q "^mat" "$tmp/out" && fail "--filter pl* ran mat"
"$nb" powercut "$tmp/s" --filter 'pl*' --quiet --json >"$tmp/out" 2>&1 || fail "powercut --filter: $(cat "$tmp/out")"
grep -q '"plain"' "$tmp/out" || fail "powercut --filter pl* did not run plain"
grep -q '"mat"' "$tmp/out" && fail "powercut --filter pl* ran mat"

expect_usage() { # expect_usage PATTERN ARGS...: exit 2 and one "norbench" line matching PATTERN
    pattern=$1
    shift
    "$nb" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
    [ $rc -eq 2 ] || fail "norbench $* exited $rc, not 2"
    grep -q -- "$pattern" "$tmp/err" || fail "norbench $* said: $(cat "$tmp/err")"
    [ "$(grep -c '^norbench' "$tmp/err")" -eq 1 ] || fail "norbench $*: not one message"
}
expect_usage "--filter 'zz\*' matches none of the 2 scenarios" run "$tmp/s" --filter 'zz*'
expect_usage "--preset: unknown preset 'nope'; expected names from: " run "$tmp/s" --preset tiny,nope
expect_usage "--preset: 'tiny' is listed twice" run "$tmp/s" --preset tiny,tiny
expect_usage "--preset: unknown preset ''" run "$tmp/s" --preset tiny,
expect_usage "--filter 'zz\*' matches none" powercut "$tmp/s" --filter 'zz*'
expect_usage "--filter 'zz\*' does not match the one scenario" run "$tmp/s/$(ls "$tmp/s" | head -1)" --filter 'zz*'
echo "run_matrix: ok"
