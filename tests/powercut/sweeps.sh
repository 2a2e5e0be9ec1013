#!/bin/sh
# Planning a campaign (docs/powercut.md): --mode log and every:K try the cut points at the
# positions the docs define; --max-tries samples them evenly, the same with the same seed (and
# the same failures of a broken engine), within the budget; --time-budget that fits everything
# leaves the campaign whole, one that cannot thins it; --dry-run prints the plan (text, or JSON
# with --json) and runs nothing; the plan goes to stderr, never into --json's stdout nor past
# --quiet.
# Usage: sweeps.sh PATH/TO/norbench PATH/TO/norbench-broken-VARIANT SCENARIO LONG_SCENARIO
#        (the broken engine fails on SCENARIO; LONG_SCENARIO's campaign takes seconds)
set -u
norbench=$1
broken=$2
scenario=$3
long_scenario=$4
. "$(dirname "$0")/common.sh"

# json_value FILE EXPRESSION: a value of the JSON in FILE (as `r`), printed by python.
json_value() {
    python3 -c "import json, sys; r = json.load(open(sys.argv[1])); print($2)" "$1"
}

expect_exit 0 "$norbench" powercut "$scenario" --json --quiet
cp "$tmp/out" "$tmp/all.json"
cut_points=$(json_value "$tmp/all.json" 'r["scenarios"][0]["cut_points"]')

# --mode log: 1-based positions round(2^(k/2)) = 1, 2, 3, 4, 6, 8, 11, 16, 23, 32, 45, 64, ...
expect_exit 0 "$norbench" powercut "$scenario" --mode log --json
want=$(python3 -c "import sys; n = int(sys.argv[1]); print(len({p for p in
    (round(2 ** (k / 2)) for k in range(64)) if p <= n}))" "$cut_points")
[ "$(json_value "$tmp/out" 'r["scenarios"][0]["cut_points"]')" -eq "$want" ] ||
    fail "--mode log tried $(json_value "$tmp/out" 'r["scenarios"][0]["cut_points"]') of $cut_points cut points, expected $want"
grep -q "^plan: " "$tmp/err" || fail "no plan on stderr: $(cat "$tmp/err")"
! grep -q "^plan: " "$tmp/out" || fail "the plan went into --json's stdout"

# --mode every:K: positions 0, K, 2K, ...
expect_exit 0 "$norbench" powercut "$scenario" --mode every:4 --json --quiet
[ "$(json_value "$tmp/out" 'r["scenarios"][0]["cut_points"]')" -eq $(((cut_points + 3) / 4)) ] ||
    fail "--mode every:4 tried $(json_value "$tmp/out" 'r["scenarios"][0]["cut_points"]') of $cut_points"
[ ! -s "$tmp/err" ] || fail "--quiet printed: $(cat "$tmp/err")"

# --max-tries: within budget, deterministic per seed, failures included.
for run in 1 2; do
    expect_exit 1 "$broken" powercut "$scenario" --max-tries 120 --seed 9 --report "$tmp/budget-$run" \
        --quiet
    check_json budget "$tmp/budget-$run/powercut.json" 120
done
check_json same "$tmp/budget-1/powercut.json" "$tmp/budget-2/powercut.json"
expect_exit 0 "$norbench" powercut "$scenario" --max-tries 120
grep -q "^coverage: .* sampled evenly to fit --max-tries" "$tmp/out" ||
    fail "the table does not say the share covered: $(cat "$tmp/out")"

# --time-budget: an hour fits everything; 10 ms cannot hold a campaign of seconds.
expect_exit 0 "$norbench" powercut "$scenario" --time-budget 1h --json --quiet
check_json same "$tmp/out" "$tmp/all.json"
# A budget below one cut point's tries (every torn mode: 8 or 9 each) would try nothing and
# pass: the scenario is an error instead, a bad flag value for it (exit 2; it was exit 1), in
# the plan, the table and the JSON, with the smallest --max-tries that tries a point: the one
# the sampler keeps a point with (9 here: 8 keeps none), which then runs.
expect_exit 2 "$norbench" powercut "$scenario" --max-tries 5
grep -q "ERROR .*--max-tries 5 keeps none of its $cut_points cut points .*nothing would be tried; --max-tries 9 is the smallest that tries one\$" "$tmp/err" ||
    fail "--max-tries 5: $(cat "$tmp/err")"
expect_exit 2 "$norbench" powercut "$scenario" --max-tries 8 --quiet
grep -q "ERROR .*--max-tries 8 keeps none" "$tmp/err" || fail "--max-tries 8: $(cat "$tmp/err")"
expect_exit 0 "$norbench" powercut "$scenario" --max-tries 9 --json --quiet
[ "$(json_value "$tmp/out" 'r["scenarios"][0]["cut_points"]')" = 1 ] ||
    fail "--max-tries 9 tried $(json_value "$tmp/out" 'r["scenarios"][0]["cut_points"]') cut points, not 1"
expect_exit 2 "$norbench" powercut "$scenario" --max-tries 5 --dry-run
grep -q "^plan: .*: cannot be campaigned: --max-tries 5 keeps none" "$tmp/out" ||
    fail "--max-tries 5 --dry-run: $(cat "$tmp/out")"
expect_exit 2 "$norbench" powercut "$scenario" --max-tries 5 --json --quiet
[ "$(json_value "$tmp/out" '"keeps none" in r["scenarios"][0]["error"]')" = True ] ||
    fail "--max-tries 5 --json: $(cat "$tmp/out")"
# A budget that fits everything covers all: no coverage line claims a sample.
expect_exit 0 "$norbench" powercut "$scenario" --max-tries 100000
grep -q "^coverage:" "$tmp/out" && fail "a budget that fits says: $(grep "^coverage:" "$tmp/out")"
# How much fits depends on the machine: a share of the cut points (exit 0), or none, which is
# no green (exit 2, the scenario's error says so, with the smallest budget in tries).
"$norbench" powercut "$long_scenario" --time-budget 0.01s --jobs 2 --json --quiet >"$tmp/out" \
    2>"$tmp/err" </dev/null
status=$?
[ "$(json_value "$tmp/out" 'r["options"]["time_budget"] == 0.01 and (0 < r["totals"]["coverage"] < 1 if '"$status"' == 0 else '"$status"' == 2 and "keeps none" in r["scenarios"][0]["error"] and "the smallest budget that tries one is" in r["scenarios"][0]["error"])')" = True ] ||
    fail "--time-budget 0.01s: exit $status, covered $(json_value "$tmp/out" 'r["totals"]["coverage"]'): $(cat "$tmp/err")"

# --dry-run: the plan alone, nothing run or written.
expect_exit 0 "$norbench" powercut "$scenario" "$long_scenario" --dry-run --report "$tmp/dry"
[ "$(grep -c "^plan: " "$tmp/out")" -eq 3 ] || fail "--dry-run printed: $(cat "$tmp/out")"
grep -q "^plan: 2 scenarios, .* tries, about .* on .* worker" "$tmp/out" ||
    fail "--dry-run's total line: $(cat "$tmp/out")"
[ ! -e "$tmp/dry" ] || fail "--dry-run made the report folder"
# The plan's seeds are exact decimal strings, as in powercut.json (a double loses 2^64-1).
expect_exit 0 "$norbench" powercut "$scenario" --dry-run --json --seed 18446744073709551615
[ "$(json_value "$tmp/out" 'r["scenarios"][0]["seed"] == "18446744073709551615"')" = True ] ||
    fail "--dry-run --json's seed: $(grep '"seed"' "$tmp/out")"
# One cut point in one torn mode is "1 cut point, 1 try" (not "1 cut points, 1 tries").
expect_exit 0 "$norbench" powercut "$scenario" --dry-run --torn partial --mode random:1
grep -q "^plan: 1 scenario, 1 cut point, 1 try, about" "$tmp/out" ||
    fail "--dry-run of one try: $(cat "$tmp/out")"
expect_exit 0 "$norbench" powercut "$scenario" --dry-run --json --max-tries 50
[ "$(json_value "$tmp/out" 'r["kind"] == "powercut-plan" and 0 < r["totals"]["tries"] <= 50 and r["totals"]["estimate_seconds"] > 0')" = True ] ||
    fail "--dry-run --json: $(cat "$tmp/out")"
# On a terminal (script(1) gives one), the progress line shows the tries and the time left.
if command -v script >/dev/null 2>&1; then
    script -qc "'$norbench' powercut '$long_scenario' --jobs 2 --torn late" /dev/null \
        >"$tmp/terminal" 2>&1 </dev/null
    tr '\r' '\n' <"$tmp/terminal" | grep -q "tries, .* left" ||
        fail "no progress line with the time left on a terminal: $(tr '\r' '\n' <"$tmp/terminal" | head -20)"
fi
echo "sweeps: ok"
