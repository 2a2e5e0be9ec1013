#!/bin/sh
# Interruption and `--resume DIR` (docs/powercut.md): a campaign stopped part way (by the test
# hook NORBENCH_POWERCUT_STOP_AFTER, then by a real SIGINT and SIGTERM) exits 130 and writes
# powercut.json marked "complete": false with the cut points done; resumed with other flags it
# is refused (exit 2, the file left alone); resumed with the same ones it ends with the counts,
# failures and reproducers of one uninterrupted campaign.
# Usage: resume.sh PATH/TO/norbench PATH/TO/norbench-broken-VARIANT SCENARIO_A SCENARIO_B
#        LONG_SCENARIO (the broken engine fails on SCENARIO_A; LONG_SCENARIO takes seconds)
set -u
norbench=$1
broken=$2
scenario_a=$3
scenario_b=$4
long_scenario=$5
. "$(dirname "$0")/common.sh"

# stop_and_resume NAME ENGINE EXIT: whole, stopped, refused and resumed campaigns over both
# scenarios; EXIT is the whole campaign's exit status.
stop_and_resume() {
    name=$1
    engine=$2
    expect_exit "$3" "$engine" powercut "$scenario_a" "$scenario_b" --jobs 2 \
        --report "$tmp/$name-whole" --quiet
    expect_exit 130 env NORBENCH_POWERCUT_STOP_AFTER=150 "$engine" powercut "$scenario_a" \
        "$scenario_b" --jobs 2 --report "$tmp/$name" --quiet
    grep -q "interrupted.*--resume $tmp/$name" "$tmp/err" ||
        fail "$name: the stop did not say how to go on: $(cat "$tmp/err")"
    check_json interrupted "$tmp/$name/powercut.json"
    cp "$tmp/$name/powercut.json" "$tmp/$name-stopped.json"
    expect_exit 2 "$engine" powercut "$scenario_a" "$scenario_b" --resume "$tmp/$name" --torn late
    grep -q -- "--torn" "$tmp/err" || fail "$name: the refusal does not name --torn: $(cat "$tmp/err")"
    expect_exit 2 "$engine" powercut "$scenario_b" "$scenario_a" --resume "$tmp/$name"
    cmp -s "$tmp/$name/powercut.json" "$tmp/$name-stopped.json" ||
        fail "$name: a refused resume changed powercut.json"
    expect_exit "$3" "$engine" powercut "$scenario_a" "$scenario_b" --jobs 2 --resume "$tmp/$name" \
        --quiet
    check_json whole "$tmp/$name/powercut.json"
    check_json same "$tmp/$name/powercut.json" "$tmp/$name-whole/powercut.json"
}

stop_and_resume real "$norbench" 0
stop_and_resume broken "$broken" 1
python3 "$campaign_json" caught "$tmp/broken/powercut.json" >"$tmp/reproducers" ||
    fail "resumed broken campaign: $(cat "$tmp/reproducers")"
(cd "$tmp/broken/reproducers" && ls) >"$tmp/resumed-files"
(cd "$tmp/broken-whole/reproducers" && ls) >"$tmp/whole-files"
cmp -s "$tmp/resumed-files" "$tmp/whole-files" ||
    fail "the resumed campaign's reproducers differ from the uninterrupted one's"

# children PID: how many processes PID has (Linux /proc; its two workers once it tries cuts).
children() {
    cat /proc/[0-9]*/stat 2>/dev/null | awk -v ppid="$1" '$4 == ppid' | wc -l
}

# Real signals, to the command alone (its workers get SIGTERM from it), once its workers have
# tried for a while: it stops within the test's time, exits 130, and what it wrote resumes (a
# dry run says what is left).
for signal in INT TERM; do
    "$norbench" powercut "$long_scenario" --jobs 2 --report "$tmp/$signal" \
        >"$tmp/out" 2>"$tmp/err" </dev/null &
    pid=$!
    waited=0
    while [ "$(children "$pid")" -lt 2 ] && [ "$waited" -lt 200 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    sleep 0.5
    kill -s "$signal" "$pid"
    wait "$pid"
    status=$?
    [ "$status" -eq 130 ] || fail "SIG$signal: exit $status, expected 130: $(cat "$tmp/err")"
    grep -q "INTERRUPTED" "$tmp/out" || fail "SIG$signal: the table does not say it was interrupted"
    grep -q "interrupted by SIG$signal" "$tmp/err" || fail "SIG$signal: $(cat "$tmp/err")"
    check_json interrupted "$tmp/$signal/powercut.json"
    expect_exit 0 "$norbench" powercut "$long_scenario" --jobs 2 --resume "$tmp/$signal" --dry-run
    grep -q "done before" "$tmp/out" || fail "SIG$signal: the resumed plan: $(cat "$tmp/out")"
done
# A stop while the first scenario is still being planned (the suite's 90-day scenario: its
# plain run alone takes about half a second): the second was never planned, and its plan line
# says so, not "0 cut points".
slow_scenario=$(dirname "$long_scenario")/../suite/lifetime-config-minute.json
"$norbench" powercut "$slow_scenario" "$scenario_a" --jobs 2 --report "$tmp/planning" \
    >"$tmp/out" 2>"$tmp/err" </dev/null &
pid=$!
sleep 0.2
kill -s INT "$pid"
wait "$pid"
status=$?
[ "$status" -eq 130 ] || fail "SIGINT while planning: exit $status, expected 130: $(cat "$tmp/err")"
name_a=$(basename "$scenario_a" .json)
grep -q "^plan: $name_a.*: not planned: the campaign was stopped first$" "$tmp/err" ||
    fail "SIGINT while planning: the plan of the scenario never planned: $(cat "$tmp/err")"
grep -q "^plan: .*: 0 cut points, 0 tries" "$tmp/err" &&
    fail "SIGINT while planning: a plan line claims nothing to try: $(cat "$tmp/err")"
echo "resume: ok"
