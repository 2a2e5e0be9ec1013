#!/bin/sh
# `norbench compare` (docs/lifetime.md): one row per engine whose flash figures are those `norbench
# run` gives for the same scenario and engine and whose lifetime is `norbench lifetime`'s; the
# power-cut column passes for the built-in map, fails for the naive baseline (it loses data),
# and says what hello-engine truly does (it fails: docs/plugins.md); --max-hours caps the
# extension as lifetime's does; a row whose engine cannot run the scenario names the step and
# the engine type it needs and makes the command exit 1; bad engines, a missing --engines, a
# bad --max-hours and a missing FILE or --campaign FILE are one message and exit 2; --help names
# every option and every built-in engine.
# Usage: compare.sh PATH/TO/norbench PLUGIN_DIR BROKEN_PLUGIN_DIR SOURCE_DIR
set -u
nb=$1 plugins=$2 broken=$3 src=$4
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1 # campaigns write no reproducers, but stay out of the source tree anyway
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
config="$src/tests/plugins/config-updates.json"

"$nb" compare "$config" --engines "map,naive-map,plugin:$plugins/hello-engine.so" --json >compare.json 2>err ||
    fail "compare exited $?: $(cat err)"
for engine in map naive-map; do
    sed "s|\"type\": \"naive-map\"|\"type\": \"$engine\"|" "$config" >"$engine.json"
    "$nb" run "$engine.json" --json >"run-$engine.json" 2>&1 || fail "run $engine exited $?"
    "$nb" lifetime "$config" --engine "$engine" --json >"lifetime-$engine.json" 2>&1
done
"$nb" run "$config" --engine-lib "$plugins/hello-engine.so" --json >run-hello-engine.json 2>&1 ||
    fail "run on hello-engine exited $?"
python3 - compare.json <<'PY' || fails=$((fails + 1))
import json, sys
rows = {e["engine"]: e for e in json.load(open(sys.argv[1]))["engines"]}
problems = []
if sorted(rows) != ["hello-engine", "map", "naive-map"]: problems.append(f"rows {sorted(rows)}")
for engine in rows:
    run = json.load(open(f"run-{engine}.json"))["scenarios"][0]
    for figure in ("reads", "read_bytes", "programs", "program_bytes", "erases", "wear_max"):
        if rows[engine][figure] != run[figure]:
            problems.append(f"{engine} {figure}: compare {rows[engine][figure]}, run {run[figure]}")
for engine in ("map", "naive-map"):
    life = json.load(open(f"lifetime-{engine}.json"))["engines"][0]
    if rows[engine]["years"] != life["years"] or rows[engine]["wear_spread"] != life["wear_spread"]:
        problems.append(f"{engine}: compare and lifetime disagree")
cuts = {e: rows[e]["power_cuts"] for e in rows}
if cuts["map"]["verdict"] != "pass" or cuts["map"]["tries"] == 0: problems.append(f"map: {cuts['map']}")
if cuts["naive-map"]["verdict"] != "FAIL" or cuts["naive-map"]["failures"] == 0:
    problems.append(f"naive-map did not lose data: {cuts['naive-map']}")
# hello-engine appends records with no CRC: a torn record reads as a wrong value (docs/plugins.md).
if cuts["hello-engine"]["verdict"] != "FAIL": problems.append(f"hello-engine: {cuts['hello-engine']}")
for p in problems: print("FAIL:", p)
sys.exit(1 if problems else 0)
PY

# The text table: one row per engine, in the order given.
"$nb" compare "$config" --engines naive-map,map >out 2>&1 || fail "compare (text) exited $?"
[ "$(grep -c -E '^(map|naive-map) ' out)" -eq 2 ] && grep -n -E '^(map|naive-map) ' out | head -1 | grep -q naive-map ||
    fail "the text table: $(cat out)"

# --max-hours as lifetime's: a day of updates capped at 30 hours is one pass, not steady, and a
# line under the table says so; the JSON gives the cap.
cat >day.json <<'JSON'
{ "name": "day", "seed": 5, "flash": { "preset": "nrf52840", "sectors": 8 }, "engine": { "type": "map" },
  "steps": [ { "config_updates": { "key": "config", "every": "1min", "for": "24h", "value_size": 32 } } ] }
JSON
"$nb" compare day.json --engines map --campaign "$config" --max-hours 30 --json >capped.json 2>err ||
    fail "compare --max-hours 30 exited $?: $(cat err)"
python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["engines"][0]; sys.exit(0 if (e["max_hours"], e["ended"], e["passes"]) == (30, "cap", 1) else 1)' \
    capped.json || fail "compare --max-hours 30: $(cat capped.json)"
"$nb" compare day.json --engines map --campaign "$config" --max-hours 30 >out 2>&1
grep -q "^map: NOT steady after 1 pass .*--max-hours 30" out || fail "compare did not say the row is not steady: $(cat out)"
for hours in 0 1000001 x; do
    "$nb" compare day.json --engines map --max-hours $hours >out 2>err
    rc=$?
    [ $rc -eq 2 ] && [ "$(grep -c '^norbench compare: --max-hours' err)" -eq 1 ] && [ ! -s out ] ||
        fail "--max-hours $hours: exit $rc: $(cat err out)"
done

# A row whose engine cannot run the scenario (map_* steps need the kvmap engine) says which step
# needs which engine, and the command exits 1; the table keeps the rows that ran. Its first line
# names the workload and the power-cut scenario.
"$nb" compare "$src/scenarios/suite/kvmap-steps.json" --engines map,kvmap >out 2>err
rc=$?
[ $rc -eq 1 ] && head -1 out | grep -q "^workload: .*kvmap-steps.json; power cuts: .*kvmap-steps.json (" &&
    grep -q "^map  *ERROR: .*the map engine is not a kvmap engine, and this scenario's map_[a-z]* (steps\[[0-9]*\]) needs one$" out &&
    grep -q "^kvmap .* pass  pass (0 of [0-9]* tries failed)$" out ||
    fail "compare with an engine that cannot run the scenario: exit $rc: $(cat out err)"

# Usage errors: one line, exit 2, nothing run.
expect_usage() { # PATTERN ARGS...
    pattern=$1
    shift
    "$nb" compare "$@" >out 2>err
    rc=$?
    [ $rc -eq 2 ] && [ ! -s out ] && [ "$(grep -c '^norbench compare: ' err)" -eq 1 ] && grep -qF -- "$pattern" err ||
        fail "compare $*: exit $rc: $(cat err out)"
}
expect_usage "--engines is required" "$config"
expect_usage "unknown engine 'bogus'" "$config" --engines map,bogus
expect_usage "interface version 2" "$config" --engines "map,plugin:$broken/broken-version.so"
expect_usage "expected one scenario FILE" --engines map
expect_usage "norbench compare: $tmp/nope.json: cannot open the file" "$tmp/nope.json" --engines map
expect_usage "norbench compare: --campaign: $tmp/nope.json: cannot open the file" "$config" --engines map --campaign "$tmp/nope.json"

# --help: the usage line names every option; --engines lists the built-in engines.
"$nb" compare --help >help 2>&1
for option in $(sed -n 's/^  \(--[a-z-]*\) .*/\1/p' help | grep -v -- --help); do
    head -1 help | grep -q -- "\[*$option[] ]" || fail "the usage line omits $option: $(head -1 help)"
done
grep -q "^  --engines A,B,... .*: map, queue, kv, tdb, naive-map, kvmap, fs, plugin:PATH$" help ||
    fail "--engines does not list the built-in engines: $(grep -- --engines help)"

[ $fails -eq 0 ] && echo "compare: all checks passed"
exit $((fails > 0))
