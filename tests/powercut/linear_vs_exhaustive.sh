#!/bin/sh
# `--mode linear` (re-run from the start for every cut point) and `--mode exhaustive` (branch
# from snapshots) give the same verdicts (docs/powercut.md): the same counts per torn mode and
# the same failures (op, kind, torn), with the real engine (none) and with a broken one (some).
# Usage: linear_vs_exhaustive.sh PATH/TO/norbench SCENARIO PATH/TO/norbench-broken-VARIANT
#        BROKEN_SCENARIO
set -u
norbench=$1
scenario=$2
broken=$3
broken_scenario=$4
. "$(dirname "$0")/common.sh"

# both_modes NAME ENGINE SCENARIO EXIT: each mode's campaign exits EXIT; results in
# $tmp/NAME-linear and $tmp/NAME-exhaustive.
both_modes() {
    for mode in linear exhaustive; do
        expect_exit "$4" "$2" powercut "$3" --mode "$mode" --report "$tmp/$1-$mode" --quiet
    done
}

both_modes real "$norbench" "$scenario" 0
check_json passed "$tmp/real-linear/powercut.json"
check_json same "$tmp/real-linear/powercut.json" "$tmp/real-exhaustive/powercut.json"

both_modes broken "$broken" "$broken_scenario" 1
python3 "$campaign_json" caught "$tmp/broken-linear/powercut.json" >"$tmp/reproducers" ||
    fail "$(cat "$tmp/reproducers")"
check_json same "$tmp/broken-linear/powercut.json" "$tmp/broken-exhaustive/powercut.json"
echo "linear_vs_exhaustive: ok"
