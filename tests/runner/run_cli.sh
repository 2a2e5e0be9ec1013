#!/bin/sh
# `norbench run` from the outside: exit codes (0 pass, 1 fail, 2 usage or file errors), the
# validator's FILE:LINE:COLUMN message for a malformed file (once), missing paths and folders
# without scenarios (one message each), --json, and --report files (a folder that cannot be
# written is found before the run; a report file that cannot be written is named).
set -u
norbench=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "run_cli: $*" >&2; exit 1; }

cat >"$tmp/pass.json" <<'JSON'
{ "name": "pass", "flash": { "preset": "tiny" }, "engine": { "type": "map" },
  "steps": [ { "store": { "key": "a", "value": "1" } }, { "check": {} } ] }
JSON
cat >"$tmp/fail.json" <<'JSON'
{ "name": "fail", "flash": { "preset": "tiny" }, "engine": { "type": "map" },
  "steps": [ { "store": { "key": "a", "value": "1" } },
             { "fetch": { "key": "a" }, "expect": { "value": "2" } } ] }
JSON
printf '{ "name": "broken", "sed": 1 ' >"$tmp/broken.json"

"$norbench" run "$tmp/pass.json" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "a passing scenario exited $rc"
grep -q "^pass .* pass$" "$tmp/out" || fail "no table row for the passing scenario"
grep -q "^1 scenario: 1 passed, 0 failed, 0 errors" "$tmp/out" || fail "summary: $(tail -1 "$tmp/out")"

"$norbench" run "$tmp/pass.json" "$tmp/fail.json" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "a failing scenario exited $rc, not 1"
grep -q "FAIL $tmp/fail.json:3:14: steps\[1\]: fetch: expected \"2\"" "$tmp/out" ||
    fail "no failure message with FILE:LINE:COLUMN and step path: $(cat "$tmp/out")"

# A Map façade step is named as written (map_get, map_keys), not as the map call it runs as.
cat >"$tmp/facade.json" <<'JSON'
{ "name": "facade", "flash": { "preset": "tiny" }, "engine": { "type": "kvmap" },
  "steps": [ { "map_set": { "key": "a", "value": "1" } },
             { "map_get": { "key": "a" }, "expect": { "value": "2" } } ] }
JSON
"$norbench" run "$tmp/facade.json" >"$tmp/out" 2>&1
grep -q "steps\[1\]: map_get: expected \"2\"" "$tmp/out" ||
    fail "a façade step's failure does not name it: $(cat "$tmp/out")"
sed 's/"map_get": { "key": "a" }, "expect": { "value": "2" }/"map_entries": {}, "expect": { "items": [] }/' \
    "$tmp/facade.json" >"$tmp/entries.json"
"$norbench" run "$tmp/entries.json" >"$tmp/out" 2>&1
grep -q "steps\[1\]: map_entries: expected 0 items" "$tmp/out" ||
    fail "a façade iteration's failure does not name it: $(cat "$tmp/out")"

"$norbench" run "$tmp/broken.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "a malformed scenario exited $rc, not 2"
grep -q "^$tmp/broken.json:1:" "$tmp/err" || fail "no FILE:LINE:COLUMN message: $(cat "$tmp/err")"

"$norbench" run --bogus "$tmp/pass.json" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "a bad flag exited $rc, not 2"
"$norbench" run >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "no arguments exited $rc, not 2"
"$norbench" run "$tmp/missing.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "a missing file exited $rc, not 2"
[ "$(cat "$tmp/err")" = "norbench run: $tmp/missing.json: no such file or folder" ] ||
    fail "a missing file: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "a missing file printed a table: $(cat "$tmp/out")"
mkdir "$tmp/empty"
"$norbench" run "$tmp/empty" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "a folder without scenarios exited $rc, not 2"
[ "$(cat "$tmp/err")" = "norbench run: $tmp/empty: no scenario files (*.json) in this folder" ] ||
    fail "a folder without scenarios: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "a folder without scenarios printed: $(cat "$tmp/out")"
"$norbench" run "$tmp/pass.json" "$tmp/empty" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "a scenario and an empty folder exited $rc, not 2"
grep -q "^pass .* pass$" "$tmp/out" || fail "the scenario beside an empty folder did not run"

# A file that does not load: each validator message once (stderr), an ERROR row in the table.
"$norbench" run "$tmp/broken.json" >"$tmp/out" 2>&1
[ "$(grep -c "expected ','" "$tmp/out")" -eq 1 ] ||
    fail "a bad file's message is not printed exactly once: $(cat "$tmp/out")"
grep -q "^broken.json .* ERROR$" "$tmp/out" || fail "no ERROR row for a bad file: $(cat "$tmp/out")"

# A --report folder that cannot be written is found before anything runs.
: >"$tmp/a-file"
"$norbench" run --report "$tmp/a-file" "$tmp/pass.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "an unwritable --report folder exited $rc, not 2"
[ "$(cat "$tmp/err")" = "norbench run: $tmp/a-file: cannot write the reports there: Not a directory" ] ||
    fail "an unwritable --report folder: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "the run went on despite an unwritable --report folder: $(cat "$tmp/out")"
# A report file that cannot be written (a folder of its name in the way) is named.
for file in results.json junit.xml index.html; do
    rm -rf "$tmp/rep"
    mkdir -p "$tmp/rep/$file"
    "$norbench" run --report "$tmp/rep" "$tmp/pass.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
    [ $rc -eq 2 ] && [ "$(cat "$tmp/err")" = "norbench run: $tmp/rep/$file: cannot write it: Is a directory" ] ||
        fail "--report with a folder $file: exit $rc: $(cat "$tmp/err")"
done

"$norbench" run --json "$tmp/pass.json" "$tmp/fail.json" >"$tmp/out.json"; rc=$?
[ $rc -eq 1 ] || fail "--json with a failure exited $rc"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"]["failed"]==1, d' \
    "$tmp/out.json" || fail "--json output is not the expected JSON"

"$norbench" run --quiet --report "$tmp/report" "$tmp/pass.json" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "--report run exited $rc"
[ ! -s "$tmp/out" ] || fail "--quiet printed something for a passing run"
[ -s "$tmp/report/results.json" ] || fail "no results.json"
[ -s "$tmp/report/junit.xml" ] || fail "no junit.xml"
# The folders above a --report folder are made too (mkdir -p), as are --dump-image's.
"$norbench" run --quiet --report "$tmp/nightly/run-1" --dump-image "$tmp/nightly/images/run-1" \
    "$tmp/pass.json" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "--report in a missing folder exited $rc: $(cat "$tmp/out")"
[ -s "$tmp/nightly/run-1/results.json" ] || fail "no results.json in a folder made with its parent"
[ -n "$(ls "$tmp/nightly/images/run-1")" ] || fail "no image in a folder made with its parents"

# wall_seconds is real time and cpu_seconds CPU time: a run paused for 1.5 s shows it in the
# first only.
cat >"$tmp/long.json" <<'JSON'
{ "name": "long", "flash": { "preset": "w25q16jv", "sectors": 8 }, "engine": { "type": "map" },
  "steps": [ { "random_ops": { "ops": 100000, "keys": 16 } } ] }
JSON
"$norbench" run --json "$tmp/long.json" >"$tmp/long-out.json" &
pid=$!
sleep 0.2
kill -STOP $pid
sleep 1.5
kill -CONT $pid
wait $pid || fail "the paused run failed"
python3 - "$tmp/long-out.json" <<'PY' || fail "wall_seconds is not real time (above)"
import json, sys
d = json.load(open(sys.argv[1]))
for what in (d["summary"], d["scenarios"][0]):
    assert what["wall_seconds"] >= what["cpu_seconds"] + 1.0, what
PY

"$norbench" run --seed 5 --quiet "$src/scenarios/examples/map-basics.json"; rc=$?
[ $rc -eq 0 ] || fail "--seed run exited $rc"
echo "run_cli: ok"
