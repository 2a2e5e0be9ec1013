#!/bin/sh
# Engine plugins from the outside (docs/plugins.md): the docs' cc line builds hello-engine; the
# example plugins run scenarios through --engine-lib and through a scenario's engine type
# "plugin" (its library relative to the file); the naive baseline, plugin or built-in, loses the
# config under power cuts where the built-in engine keeps it; a campaign's reproducers replay on
# the plugin it drove; the queue example runs queue scenarios and fails its campaign; broken
# plugins (wrong version, wrong symbol, a NULL mandatory operation, no such file) are one
# message and exit 2; a plugin that crashes is reported as a crash, by a campaign's tries, and
# with one message and exit 1 by run, lifetime, compare, gui and a campaign's plain run.
# Usage: plugins.sh PATH/TO/norbench PLUGIN_DIR BROKEN_PLUGIN_DIR SOURCE_DIR
set -u
nb=$1 plugins=$2 broken=$3 src=$4
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1 # campaigns write their reproducers here
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
config="$src/tests/plugins/config-updates.json"

# docs/plugins.md's one cc line builds hello-engine from the header alone, and the result runs
# the docs' first scenario.
build=$(grep '^cc -shared' "$src/docs/plugins.md")
[ -n "$build" ] || fail "docs/plugins.md has no cc line"
(cd "$src" && eval "$(echo "$build" | sed "s| -o hello-engine.so| -o $tmp/hello-engine.so|")") ||
    fail "the docs' cc line failed: $build"
"$nb" run "$src/scenarios/examples/map-basics.json" --engine-lib "$tmp/hello-engine.so" >out 2>&1 ||
    fail "the hello-engine.so the docs build does not pass map-basics: $(cat out)"

# The examples run a scenario with every kind of step a map has.
for plugin in hello-engine naive-map; do
    "$nb" run "$src/tests/plugins/map-steps.json" --engine-lib "$plugins/$plugin.so" >out 2>&1 ||
        fail "$plugin: map-steps did not pass: $(cat out)"
    grep -q "map-steps .* pass" out || fail "$plugin: no pass row: $(cat out)"
done
# A scenario naming its plugin, relative to its own folder.
mkdir -p scen/lib
cp "$plugins/hello-engine.so" scen/lib/
sed 's|"type": "naive-map"|"type": "plugin", "library": "lib/hello-engine.so"|' "$config" >scen/hello.json
"$nb" run scen/hello.json >out 2>&1 || fail "type plugin, library lib/hello-engine.so: $(cat out)"
# ... and a plugin that is not a queue, driven as one, is an error row naming both.
cat >scen/hello-queue.json <<'JSON'
{ "name": "hello-queue", "flash": { "preset": "tiny" },
  "engine": { "type": "plugin", "library": "lib/hello-engine.so", "api": "queue" },
  "steps": [ { "push": { "value": "a" } } ] }
JSON
"$nb" run scen/hello-queue.json >out 2>&1
[ $? -eq 1 ] && grep -q "the hello-engine engine is not a queue engine" out ||
    fail "a map plugin driven as a queue: $(cat out)"

# The queue example: it passes the queue example scenario, through --engine-lib and as a
# scenario's engine type "plugin" with "api": "queue"; its campaign fails (an entry has no CRC:
# a torn program reads as an entry with other bytes), where the built-in queue keeps everything.
"$nb" run "$src/scenarios/examples/queue-basics.json" --engine-lib "$plugins/naive-queue.so" >out 2>&1 ||
    fail "naive-queue: queue-basics did not pass: $(cat out)"
cp "$plugins/naive-queue.so" scen/lib/
sed 's|"type": "queue"|"type": "plugin", "library": "lib/naive-queue.so", "api": "queue"|' \
    "$src/tests/plugins/queue-pushes.json" >scen/naive-queue.json
"$nb" run scen/naive-queue.json >out 2>&1 && grep -q "queue-pushes .* pass" out ||
    fail "type plugin, api queue, naive-queue: $(cat out)"
"$nb" powercut scen/naive-queue.json --quiet >out 2>&1
[ $? -eq 1 ] && grep -q "the operation in flight is neither applied nor absent" out ||
    fail "the naive-queue campaign did not fail on a torn entry: $(head -3 out)"
"$nb" powercut "$src/tests/plugins/queue-pushes.json" --quiet >out 2>&1 ||
    fail "the built-in queue failed the naive-queue campaign: $(head -3 out)"

# The naive baseline loses the committed config when a cut lands between the erase of its page
# and the program of the new value: the campaign fails, and says the config is gone.
lost='expected 2 items: "serial" (6 bytes)="N-0001" (6 bytes), "config" (6 bytes)="v2" (2 bytes); the store holds 1 item: "serial"'
"$nb" powercut "$config" --quiet >out 2>&1
[ $? -eq 1 ] || fail "the naive-map campaign did not fail: $(tail -3 out)"
grep -qF "$lost" out || fail "the naive-map campaign found no lost config: $(head -3 out)"
"$nb" powercut "$config" --quiet --engine-lib "$plugins/naive-map.so" >out 2>&1
[ $? -eq 1 ] && grep -qF "$lost" out || fail "the naive-map plugin's campaign lost nothing"
# The same scenario on the built-in engine keeps everything: the failure is naive-map's.
sed 's|"type": "naive-map"|"type": "map"|' "$config" >map.json
"$nb" powercut map.json --quiet >out 2>&1 || fail "the map engine failed the naive-map campaign: $(head -3 out)"

# Reproducers of a campaign under --engine-lib (on a map scenario here) name the plugin by its
# absolute path, so `run` replays each failure on it from anywhere, without --engine-lib; so do
# those of a scenario whose library is relative to its own folder.
"$nb" powercut map.json --quiet --engine-lib "$plugins/naive-map.so" --report rep >/dev/null 2>&1
"$nb" powercut scen/hello.json --quiet --report rep-relative >/dev/null 2>&1
for report in rep rep-relative; do
    python3 - "$nb" "$report/powercut.json" <<'PY' || fail "$report: the reproducers do not replay"
import json, os, subprocess, sys
nb, report = sys.argv[1:]
failures = json.load(open(report))["scenarios"][0]["failures"]
if not failures: sys.exit("no failures")
for f in failures[:4]:
    out = subprocess.run([nb, "run", os.path.abspath(f["reproducer"]), "--json"],
                         capture_output=True, text=True, cwd="/")
    run = json.loads(out.stdout)["scenarios"][0] if out.stdout.startswith("{") else None
    # The message after the file's name and the step: the same finding.
    finding = lambda message: message.split(": ", 2)[2]
    if not run or run["verdict"].upper() != "FAIL" or finding(run["message"]) != finding(f["message"]):
        sys.exit(f"{f['reproducer']}: {out.stdout[:300]} {out.stderr[:300]} (campaign: {f['message']})")
PY
done

# Broken plugins: one line naming the file and the problem, exit 2, nothing run.
expect_refused() { # PLUGIN MESSAGE
    "$nb" run "$config" --engine-lib "$1" >out 2>err
    rc=$?
    [ $rc -eq 2 ] || fail "$1: exit $rc, not 2"
    [ ! -s out ] || fail "$1: something ran: $(cat out)"
    head -1 err | grep -qF "norbench run: --engine-lib: engine plugin $1: $2" ||
        fail "$1 said: $(cat err)"
}
expect_refused "$broken/broken-version.so" "it was built for interface version 2; this norbench takes version 1"
expect_refused "$broken/broken-symbol.so" "exports no function norbench_engine_v1"
expect_refused "$broken/broken-null_fetch.so" "its operation 'fetch' is NULL; a map engine must provide it"
expect_refused "$tmp/no-such.so" "cannot open shared object file: No such file or directory"
"$nb" powercut "$config" --engine-lib "$broken/broken-version.so" >out 2>err
[ $? -eq 2 ] && grep -q "interface version 2" err || fail "powercut took a plugin of version 2"
# The real one loads where the refused ones did not: the refusals are the flaws'.
"$nb" run "$config" --engine-lib "$plugins/naive-map.so" >out 2>&1 || fail "naive-map.so refused"

# A plugin that crashes after a cut: the campaign reports the crash and fails.
"$nb" powercut "$config" --engine-lib "$broken/broken-crash.so" --jobs 2 >out 2>&1
rc=$?
[ $rc -eq 1 ] || fail "the crashing plugin's campaign exited $rc, not 1"
# Under AddressSanitizer the worker reports the SEGV itself and exits 1: the campaign then says
# the worker stopped before reporting.
grep -q "the run crashed (signal 11: Segmentation fault)" out ||
    { grep -q "AddressSanitizer: SEGV" out && grep -q "the worker stopped (exit status 1" out; } ||
    fail "no crash reported: $(head -5 out)"

# The same plugin under `run`: a cut, then the mount that crashes; one message naming the
# scenario and the library, exit 1; whether --engine-lib or the scenario's engine type names it.
cat >crash.json <<'JSON'
{ "name": "crash", "flash": { "preset": "tiny" }, "engine": { "type": "map" },
  "steps": [ { "power_cut": { "after_ops": 1, "torn_program": "prefix" } },
             { "store": { "key": "a", "value": "1" } }, { "store": { "key": "b", "value": "2" } },
             { "power_on": {} } ] }
JSON
"$nb" run crash.json --engine-lib "$broken/broken-crash.so" >out 2>err
rc=$?
[ $rc -eq 1 ] && [ "$(grep -c "norbench run: the engine plugin crashed" err)" -eq 1 ] &&
    grep -qF "norbench run: the engine plugin crashed (segmentation fault) in scenario crash.json, library $broken/broken-crash.so;" err ||
    fail "run with a crashing plugin: exit $rc: $(cat err)"
cp "$broken/broken-crash.so" scen/lib/
sed 's|"type": "map"|"type": "plugin", "library": "lib/broken-crash.so"|' crash.json >scen/crash.json
"$nb" run scen/hello.json scen/crash.json >out 2>err
rc=$?
[ $rc -eq 1 ] && [ "$(grep -c "norbench run: the engine plugin crashed" err)" -eq 1 ] &&
    grep -qE "norbench run: the engine plugin crashed \(segmentation fault\) in scenario scen/crash.json, library .*scen/lib/broken-crash.so;" err ||
    fail "run of a scenario of engine type plugin that crashes: exit $rc: $(cat err)"
"$nb" run crash.json --engine-lib "$plugins/naive-map.so" >out 2>&1 || fail "crash.json fails on naive-map: $(cat out)"
# ... and the same under lifetime, compare (a row's run, and the plain run its campaign starts
# from) and a campaign's plain run: these run in norbench's own process too. One message naming
# what ran and the library, exit 1.
# shellcheck disable=SC2086 # $how is a command line
for how in "lifetime crash.json --engine plugin:$broken/broken-crash.so" \
    "lifetime scen/crash.json" \
    "compare crash.json --engines map,plugin:$broken/broken-crash.so" \
    "compare $config --engines plugin:$broken/broken-crash.so --campaign crash.json" \
    "powercut crash.json --engine-lib $broken/broken-crash.so" \
    "powercut scen/crash.json"; do
    "$nb" $how >out 2>err
    rc=$?
    command=${how%% *}
    [ $rc -eq 1 ] && [ "$(grep -c "norbench $command: the engine plugin crashed" err)" -eq 1 ] &&
        grep -qE "^norbench $command: the engine plugin crashed \(segmentation fault\) in (the plain run of )?scenario (scen/)?crash.json, library .*broken-crash.so;" err ||
        fail "$how: exit $rc: $(cat err)"
done
# A campaign's tries still run in workers, without the guard: a crash there is a failed try.
sed 's|"type": "naive-map"|"type": "plugin", "library": "lib/broken-crash.so"|' "$config" >scen/crash-in-tries.json
for how in "powercut scen/crash-in-tries.json" "compare $config --engines plugin:$broken/broken-crash.so"; do
    "$nb" $how >out 2>&1
    rc=$?
    ! grep -q "the engine plugin crashed" out && {
        grep -q "the run crashed (signal 11: Segmentation fault)" out ||
            { grep -q "AddressSanitizer: SEGV" out && grep -q "the worker stopped (exit status 1" out; }
    } || fail "$how: exit $rc, the tries' crash not reported as a failed try: $(head -5 out)"
done
# compare's column counts them as failures beside the tries that completed (not "2 of 0 tries").
"$nb" compare "$config" --engines "plugin:$broken/broken-crash.so" >out 2>&1
grep -qE "^naive-map .* FAIL \([0-9]+ failures, [0-9]+ tries completed\)$" out ||
    fail "compare's power-cut column for a crashing plugin: $(cat out)"

# The visualizer drives a plugin too (when built with SDL2): its timeline ends after the flash
# operations `run` counts on the same plugin, and its pages' erase counts add up to run's.
if ! "$nb" gui --headless --bench-frames 1 2>&1 | grep -q "built without SDL2"; then
    steps="$src/tests/plugins/map-steps.json"
    for how in "--engine-lib $plugins/hello-engine.so" "--engine-lib $plugins/naive-map.so"; do
        # shellcheck disable=SC2086 # $how is two words
        # ASAN_OPTIONS: as for tests/gui's command-line tests, SDL's video drivers leave
        # allocations in system libraries that LeakSanitizer would report (no effect elsewhere).
        "$nb" run "$steps" $how --json >run.json 2>&1 &&
            ASAN_OPTIONS=detect_leaks=0 "$nb" gui "$steps" $how --headless --state-out gui.state \
                >gui.out 2>&1 ||
            fail "gui $how: $(cat gui.out)"
        python3 - run.json gui.state <<'PY' || fail "gui $how: its timeline is not run's"
import json, sys
run = json.load(open(sys.argv[1]))["scenarios"][0]
state = dict(line.split(" ", 1) for line in open(sys.argv[2]) if " " in line)
erases = sum(int(line.split()[-1]) for line in open(sys.argv[2]) if line.startswith("page "))
if int(state["cursor"]) != run["flash_ops"] or erases != run["erases"]:
    sys.exit(f"gui: cursor {state['cursor'].strip()}, erases {erases}; run: {run['flash_ops']}, {run['erases']}")
PY
    done
    # A plugin that crashes while the window runs its scenario: the guard's one message, exit 1.
    for how in "crash.json --engine-lib $broken/broken-crash.so" scen/crash.json; do
        # shellcheck disable=SC2086 # $how is two words or one
        ASAN_OPTIONS=detect_leaks=0 "$nb" gui $how --headless >out 2>err
        rc=$?
        [ $rc -eq 1 ] && [ "$(grep -c "norbench gui: the engine plugin crashed" err)" -eq 1 ] &&
            grep -qE "^norbench gui: the engine plugin crashed \(segmentation fault\) in scenario (scen/)?crash.json, library .*broken-crash.so;" err ||
            fail "gui $how: exit $rc: $(cat err)"
    done
    ASAN_OPTIONS=detect_leaks=0 "$nb" gui --headless --engine queue \
        --engine-lib "$plugins/naive-map.so" >out 2>err
    [ $? -eq 2 ] && grep -q "the naive-map engine is not a queue engine" err ||
        fail "gui drove a map plugin as a queue: $(cat err)"
fi

[ $fails -eq 0 ] && echo "plugins: all checks passed"
exit $((fails > 0))
