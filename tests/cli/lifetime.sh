#!/bin/sh
# `norbench lifetime` (docs/lifetime.md): on the seed's example (a 32-byte config every minute,
# nrf52840, 8 pages) the figures agree with each other and with the NOR model's own erase
# counters, the naive baseline wears its one page out in about 7 days (10k cycles / one erase a
# minute), the plugin build of the baseline measures what the built-in one does, a scenario too
# short to be steady is extended until it is (or to --max-hours: then not steady, exit 1), the
# layers' writes (fs_write, tdb_set, kv_write, map_set) are a workload whose bytes count, a
# kvmap scenario has no baseline row but a line saying why, a queue has no baseline row, bad
# engines are one message and exit 2, and so are a missing file and a report file that cannot
# be written (named); --help names every option and every built-in engine.
# Usage: lifetime.sh PATH/TO/norbench PLUGIN_DIR SOURCE_DIR
set -u
nb=$1 plugins=$2 src=$3
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
eight="$src/scenarios/suite/lifetime-config-minute-8-pages.json"

"$nb" lifetime "$eight" --json >"$tmp/eight.json" 2>"$tmp/err" || fail "lifetime 8 pages exited $?: $(cat "$tmp/err")"
python3 - "$tmp/eight.json" <<'PY' || fails=$((fails + 1))
import json, sys
d = json.load(open(sys.argv[1]))
m, n = d["engines"]
problems = []
def near(a, b, tolerance, what):
    if abs(a - b) > tolerance * max(abs(b), 1e-12): problems.append(f"{what}: {a} is not {b}")
if [m["engine"], n["engine"]] != ["map", "naive-map"]: problems.append(f"engines {m['engine']}, {n['engine']}")
if not m["steady"] or not n["steady"]: problems.append("a rate is not steady")
for e in (m, n):
    # The projection is the busiest sector's rate taken to the rated cycles...
    near(e["years"], e["endurance"] / e["busiest_sector_erases_per_hour"] / 8766, 1e-9, e["engine"] + " years")
    # ...the bound the range's bytes times the cycles over the bytes stored a year...
    near(e["bound_years"], 32768 * e["endurance"] / (e["user_bytes_asked"] / e["hours"] * 8766), 1e-9, e["engine"] + " bound")
    near(e["program_bytes_per_user_byte"], e["program_bytes"] / e["user_bytes"], 1e-9, e["engine"] + " bytes programmed per byte")
    # ...and the busiest sector's rate, from the erases the command watched, is the rate at which
    # the NOR model's own counter of the most-erased sector grew over the run.
    near(e["busiest_sector_erases_per_hour"] * e["hours"], e["wear_max"], 0.02, e["engine"] + " busiest sector against wear_max")
near(m["share_of_bound"], m["years"] / m["bound_years"], 1e-9, "share of the bound")
# The workload: 129600 updates (a minute each for 90 days) of the 6-byte key and a 32-byte value.
if m["user_bytes_asked"] != 129600 * 38 or m["user_bytes"] != 129600 * 38:
    problems.append(f"map stored {m['user_bytes']} of {m['user_bytes_asked']} bytes, not {129600 * 38}")
# The naive baseline erases the config's page at every update: all its erases on one of the 8
# sectors, 60 an hour, so 10k cycles last 10000 minutes: about 7 days.
near(n["wear_spread"], 8, 1e-9, "naive wear spread")
days = n["years"] * 365.25
if not 6.5 <= days <= 7.5: problems.append(f"naive-map lasts {days:.2f} days, not about 7")
if m["years"] < 100 * n["years"]: problems.append(f"map {m['years']} years is not far ahead of naive {n['years']}")
for p in problems: print("FAIL:", p)
sys.exit(1 if problems else 0)
PY

# The plugin build of the baseline measures exactly what the built-in one does.
"$nb" lifetime "$eight" --engine naive-map --json >"$tmp/builtin.json" 2>&1
"$nb" lifetime "$eight" --engine "plugin:$plugins/naive-map.so" --json >"$tmp/plugin.json" 2>&1
python3 -c 'import json,sys; a,b=(json.load(open(f))["engines"][0] for f in sys.argv[1:]); sys.exit(0 if a["years"]==b["years"] and a["erases"]==b["erases"] else 1)' \
    "$tmp/builtin.json" "$tmp/plugin.json" || fail "naive-map.so and naive-map differ"
grep -q '"engine":	"naive-map"' "$tmp/builtin.json" && [ "$(grep -c '"engine":' "$tmp/builtin.json")" -eq 1 ] ||
    fail "--engine naive-map printed a baseline beside itself"

# A scenario too short to be steady in one pass (a day of updates on 8 pages: a handful of erases
# per sector) is extended: its workload runs again, pass after pass on the same flash and clock,
# until the rate is steady. The extension really repeats the workload (the bytes asked are the
# passes' updates), continues the clock (the hours are the passes'), gives the rate the 90-day
# scenario measures in one pass, and gives the same figures every time (seeded).
cat >"$tmp/day.json" <<'JSON'
{ "name": "day", "seed": 5, "flash": { "preset": "nrf52840", "sectors": 8 }, "engine": { "type": "map" },
  "steps": [ { "config_updates": { "key": "config", "every": "1min", "for": "24h", "value_size": 32 } },
             { "check": {} }, { "expect_stats": { "time": { "<=": "25h" } } } ] }
JSON
"$nb" lifetime "$tmp/day.json" --engine map --json >"$tmp/day-1.json" 2>"$tmp/err" || fail "the day's workload exited $?: $(cat "$tmp/err")"
"$nb" lifetime "$tmp/day.json" --engine map --json >"$tmp/day-2.json" 2>&1
cmp -s "$tmp/day-1.json" "$tmp/day-2.json" || fail "two extended runs of the same scenario differ"
python3 - "$tmp/day-1.json" "$tmp/eight.json" <<'PY' || fails=$((fails + 1))
import json, sys
day = json.load(open(sys.argv[1]))["engines"][0]
ninety = json.load(open(sys.argv[2]))["engines"][0]
problems = []
if not (day["steady"] and day["ended"] == "steady" and day["passes"] > 1):
    problems.append(f"not steady after extension: {day['passes']} passes, ended {day['ended']}")
if abs(day["pass_hours"] - 24) > 0.1: problems.append(f"a pass of {day['pass_hours']} h")
if abs(day["hours"] - day["passes"] * day["pass_hours"]) > 0.01 * day["hours"]:
    problems.append(f"{day['hours']} h is not {day['passes']} passes of {day['pass_hours']} h")
if day["user_bytes_asked"] != day["passes"] * 1440 * 38:
    problems.append(f"{day['user_bytes_asked']} bytes asked in {day['passes']} passes of 1440 x 38")
if day["busiest_sector_steady_erases"] < json.load(open(sys.argv[1]))["steady_rule"]["min_busiest_erases"]:
    problems.append(f"steady on {day['busiest_sector_steady_erases']} erases of the busiest sector")
rate, reference = day["busiest_sector_erases_per_hour"], ninety["busiest_sector_erases_per_hour"]
if abs(rate - reference) > 0.05 * reference:
    problems.append(f"busiest sector {rate}/h extended, {reference}/h in the 90-day scenario")
for p in problems: print("FAIL:", p)
sys.exit(1 if problems else 0)
PY
# The cap: one pass of it is not steady, a clear NO and exit 1, said in the table and the JSON.
"$nb" lifetime "$tmp/day.json" --engine map --max-hours 30 >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "^map .* NO " "$tmp/out" && grep -q "^map: NOT steady after 1 pass .*--max-hours 30" "$tmp/out" ||
    fail "the capped day exited $rc: $(cat "$tmp/out")"
"$nb" lifetime "$tmp/day.json" --engine map --max-hours 30 --json >"$tmp/capped.json" 2>&1
python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["engines"][0]; sys.exit(0 if (e["steady"], e["ended"], e["passes"], e["max_hours"]) == (False, "cap", 1, 30) else 1)' \
    "$tmp/capped.json" || fail "the capped day's JSON: $(cat "$tmp/capped.json")"
for hours in 0 1000001 x; do
    "$nb" lifetime "$tmp/day.json" --max-hours $hours >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(grep -c '^norbench lifetime: --max-hours' "$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ] ||
        fail "--max-hours $hours: exit $rc: $(cat "$tmp/err" "$tmp/out")"
done

# A workload that stops erasing for two of every five days is not steady in one pass; extended,
# its windows span whole periods and the rate is steady. The naive baseline wears out in a later
# pass: its message names that pass.
cat >"$tmp/pausing.json" <<'JSON'
{ "name": "pausing", "flash": { "preset": "nrf52840", "sectors": 4 }, "engine": { "type": "map" },
  "steps": [ { "config_updates": { "key": "c", "every": "1min", "for": "72h", "value_size": 32 } },
             { "sleep": "48h" } ] }
JSON
"$nb" lifetime "$tmp/pausing.json" --max-hours 120 >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "^map .* NO " "$tmp/out" || fail "one pass of the pausing workload exited $rc: $(cat "$tmp/out")"
"$nb" lifetime "$tmp/pausing.json" --json >"$tmp/pausing-out.json" 2>&1 || fail "the pausing workload, extended, exited $?"
python3 - "$tmp/pausing-out.json" <<'PY' || fails=$((fails + 1))
import json, re, sys
m, n = json.load(open(sys.argv[1]))["engines"]
problems = []
if not m["steady"] or m["passes"] < 2: problems.append(f"map: steady {m['steady']} after {m['passes']} passes")
if n["ended"] != "run_failed" or not re.search(r"\[pass [0-9]+ of the workload", n.get("message", "")):
    problems.append(f"naive-map: ended {n['ended']}: {n.get('message')}")
for p in problems: print("FAIL:", p)
sys.exit(1 if problems else 0)
PY

# A scenario with no workload step to run again (engine operations written one by one) says so.
"$nb" lifetime "$src/tests/plugins/config-updates.json" --engine map --json >"$tmp/setup.json" 2>&1
rc=$?
[ $rc -eq 1 ] && python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["engines"][0]; sys.exit(0 if (e["ended"], e["passes"]) == ("no_workload", 1) else 1)' "$tmp/setup.json" ||
    fail "a scenario without workload steps: exit $rc: $(cat "$tmp/setup.json")"

# --report: a file that cannot be written (a folder of its name in the way) is named, exit 2.
for file in results.json index.html; do
    rm -rf "$tmp/rep"
    mkdir -p "$tmp/rep/$file"
    "$nb" lifetime "$src/tests/plugins/config-updates.json" --report "$tmp/rep" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(cat "$tmp/err")" = "norbench lifetime: $tmp/rep/$file: cannot write it: Is a directory" ] ||
        fail "--report with a folder $file: exit $rc: $(cat "$tmp/err")"
done

# A queue workload has no naive baseline beside it.
cat >"$tmp/queue.json" <<'JSON'
{ "name": "queue-log", "flash": { "preset": "nrf52840", "sectors": 4 }, "engine": { "type": "queue" },
  "steps": [ { "log_appends": { "count": 20000, "size": 24, "every": "10s", "drop_oldest": true } } ] }
JSON
"$nb" lifetime "$tmp/queue.json" >"$tmp/out" 2>&1 || fail "queue lifetime exited $?: $(cat "$tmp/out")"
grep -q "^naive-map" "$tmp/out" && fail "a queue got a naive-map row"
grep -q "^queue " "$tmp/out" || fail "no queue row: $(cat "$tmp/out")"

# The layers' writes are a workload and their bytes are what they ask to store: a config
# rewritten every minute through fs_write (its 32 data bytes), tdb_set, kv_write and the Map
# façade's map_set (a 3-byte key and 32 bytes) runs again pass after pass (two under
# --max-hours 49: not steady yet, exit 1, but never "no_workload"), and the bound is finite.
config_loop() { # ENGINE SETUP_STEPS WRITE_STEP
    printf '{ "name": "%s-config", "flash": { "preset": "nrf52840", "sectors": 8 }, "engine": { "type": "%s" },
  "steps": [ %s { "repeat": { "times": 1440, "steps": [ %s, { "sleep": "1min" } ] } } ] }\n' "$1" "$1" "$2" "$3"
}
config_loop fs '{ "fs_open": { "path": "cfg", "mode": "w", "handle": "h" } },' \
    '{ "fs_write": { "handle": "h", "data": { "random": 32 } } }' >"$tmp/fs.json"
config_loop tdb '' '{ "tdb_set": { "key": "cfg", "value": { "random": 32 } } }' >"$tmp/tdb.json"
config_loop kv '{ "kv_open": { "domain": "d" } },' \
    '{ "kv_write": { "domain": "d", "key": "cfg", "value": { "random": 32 }, "format": "buffer" } }' >"$tmp/kv.json"
config_loop kvmap '' '{ "map_set": { "key": "cfg", "value": { "random": 32 } } }' >"$tmp/kvmap.json"
for layer in fs:32 tdb:35 kv:35 kvmap:35; do
    engine=${layer%:*} bytes=${layer#*:}
    "$nb" lifetime "$tmp/$engine.json" --max-hours 49 --json >"$tmp/$engine-out.json" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 1 ] && python3 - "$tmp/$engine-out.json" "$bytes" <<'PY' || fail "$engine config loop: exit $rc: $(cat "$tmp/err")"
import json, sys
d = json.load(open(sys.argv[1]))
e, want = d["engines"][0], 2 * 1440 * int(sys.argv[2])
problems = []
if (e["ended"], e["passes"]) != ("cap", 2): problems.append(f"ended {e['ended']} after {e['passes']} passes")
if e["user_bytes_asked"] != want or e["user_bytes"] != want:
    problems.append(f"stored {e['user_bytes']} of {e['user_bytes_asked']} bytes, not {want}")
if e["bound_years"] is None or e["program_bytes_per_user_byte"] <= 0: problems.append(f"bound {e['bound_years']}")
if len(d["engines"]) != 1: problems.append("a baseline row")
for p in problems: print(f"FAIL: {e['engine']}: {p}")
sys.exit(1 if problems else 0)
PY
done
# The naive baseline cannot run map_set (it is a map engine, not the Map façade): the kvmap row
# is printed all the same, and a line (the JSON's no_baseline) says why there is no baseline.
"$nb" lifetime "$tmp/kvmap.json" --max-hours 49 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "^kvmap .* NO " "$tmp/out" && ! grep -q "^naive-map " "$tmp/out" &&
    grep -q "^no naive baseline beside it: the naive-map engine is not a kvmap engine, and this scenario's map_set (steps\[0\].repeat.steps\[0\]) needs one$" "$tmp/out" ||
    fail "kvmap without its baseline: exit $rc: $(cat "$tmp/out" "$tmp/err")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if "map_set" in d.get("no_baseline", "") else 1)' \
    "$tmp/kvmap-out.json" || fail "the JSON does not say why kvmap has no baseline: $(cat "$tmp/kvmap-out.json")"
# A repeat lifetime does not measure (a transaction's staged writes are not counted as bytes
# stored) is no workload: the line says what lifetime runs again, naming the engine.
cat >"$tmp/txn.json" <<'JSON'
{ "name": "txn", "flash": { "preset": "nrf52840", "sectors": 4 }, "engine": { "type": "map" },
  "steps": [ { "repeat": { "times": 10, "steps": [ { "txn": "begin" }, { "store": { "key": "k", "value": "v" } },
                                                   { "txn": "commit" }, { "sleep": "1min" } ] } } ] }
JSON
"$nb" lifetime "$tmp/txn.json" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "^map: NOT steady, and the scenario has no workload step to run again: .* the map engine's own operations without \"expect\" (not txn, " "$tmp/out" ||
    fail "a repeat of transactions: exit $rc: $(cat "$tmp/out")"

# Bad engines: one line, exit 2.
for engine in bogus plugin:$tmp/none.so; do
    "$nb" lifetime "$eight" --engine "$engine" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(grep -c '^norbench lifetime: --engine' "$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ] ||
        fail "--engine $engine: exit $rc: $(cat "$tmp/err" "$tmp/out")"
done

# A file that cannot be read: one line in the command's style, exit 2.
"$nb" lifetime "$tmp/nope.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(cat "$tmp/err")" = "norbench lifetime: $tmp/nope.json: cannot open the file: No such file or directory" ] ||
    fail "a missing file: exit $rc: $(cat "$tmp/err")"

# --help: the usage line names every option, and --engine's list every built-in engine, each
# of which --engine takes.
"$nb" lifetime --help >"$tmp/help" 2>&1
for option in $(sed -n 's/^  \(--[a-z-]*\) .*/\1/p' "$tmp/help" | grep -v -- --help); do
    head -1 "$tmp/help" | grep -q -- "\[$option[] ]" || fail "the usage line omits $option: $(head -1 "$tmp/help")"
done
engines=$(sed -n "s/^  --engine NAME .*scenario's: \(.*\), plugin:PATH$/\1/p" "$tmp/help" | tr -d ,)
for engine in map queue kv tdb naive-map kvmap fs; do
    echo " $engines " | grep -q " $engine " || fail "--help does not list the $engine engine: $engines"
done
for engine in $engines; do
    "$nb" lifetime "$tmp/nope.json" --engine "$engine" 2>&1 | grep -q "unknown engine" && fail "--help lists $engine, --engine refuses it"
done

[ $fails -eq 0 ] && echo "lifetime: all checks passed"
exit $((fails > 0))
