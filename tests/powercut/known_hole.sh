#!/bin/sh
# A durability hole of the engine that a CI campaign has found and that is not fixed yet: the
# campaign must still fail (exit 1), and every failure must lie in STEP (the JSON path of the
# step the hole is in), with MESSAGE in it; so the rest of the scenario stays covered. Once the
# engine is fixed the campaign passes and this test fails, saying to drop the scenario from
# POWERCUT_KNOWN_HOLES in tests/CMakeLists.txt, where it then runs as a plain CI campaign.
# Usage: known_hole.sh PATH/TO/norbench SCENARIO STEP MESSAGE
set -u
norbench=$1
scenario=$2
step=$3
message=$4
. "$(dirname "$0")/common.sh"

"$norbench" powercut "$scenario" --report "$tmp/report" --quiet >/dev/null 2>"$tmp/err" </dev/null
rc=$?
[ "$rc" -ne 0 ] || fail "$(basename "$scenario") passes now: the hole is fixed; drop it from" \
    "POWERCUT_KNOWN_HOLES in tests/CMakeLists.txt"
[ "$rc" -eq 1 ] || fail "the campaign exited $rc: $(head -c 2000 "$tmp/err")"
check_json failures_in "$tmp/report/powercut.json" ": $step: " "$message"
