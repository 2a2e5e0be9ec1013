#!/bin/sh
# Proof that a scenario catches a broken engine whose flaw needs no power cut
# (norbench-broken-<variant>, engine/src/nbs_internal.h): its run fails (exit 1) where the real
# engine's passes, so a campaign over it would fail before its first cut.
# Usage: broken_run_fails.sh PATH/TO/norbench-broken-VARIANT PATH/TO/norbench SCENARIO
set -u
broken=$1
real=$2
scenario=$3
. "$(dirname "$0")/common.sh"

expect_exit 1 "$broken" run "$scenario" --quiet
cat "$tmp/out" "$tmp/err" | grep -q "^FAIL" || fail "the broken run printed no FAIL line"
expect_exit 0 "$real" run "$scenario" --quiet
echo "$test_name: the broken engine fails $scenario, the real one passes"
