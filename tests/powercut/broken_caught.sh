#!/bin/sh
# Proof that a campaign can fail: `norbench powercut` over a deliberately broken engine
# (norbench-broken-<variant>, engine/src/nbs_internal.h) exits 1, lists its failures in
# DIR/powercut.json and writes their reproducers to DIR/reproducers; every reproducer is a valid
# scenario that fails when replayed with that engine and passes with the real one.
# Usage: broken_caught.sh PATH/TO/norbench-broken-VARIANT PATH/TO/norbench SCENARIO [FLAG...]
# (FLAGs go to the campaign, e.g. --depth 2.)
set -u
broken=$1
real=$2
scenario=$3
shift 3
. "$(dirname "$0")/common.sh"

expect_exit 1 "$broken" powercut "$scenario" "$@" --report "$tmp/report" --quiet
[ -s "$tmp/report/powercut.json" ] || fail "no powercut.json in the report folder"
python3 "$campaign_json" caught "$tmp/report/powercut.json" >"$tmp/reproducers" ||
    fail "$(cat "$tmp/reproducers")"

replayed=0
while IFS= read -r reproducer; do
    expect_exit 0 "$real" validate --quiet "$reproducer"
    expect_exit 1 "$broken" run "$reproducer" --quiet
    expect_exit 0 "$real" run "$reproducer" --quiet
    replayed=$((replayed + 1))
done <"$tmp/reproducers"
echo "ok: $(basename "$broken") caught on $(basename "$scenario"): $replayed reproducers fail" \
    "with it and pass with the real engine"
