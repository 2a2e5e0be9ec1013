#!/bin/sh
# `--shard I/N` and `norbench merge` (docs/powercut.md): three shares of a campaign over two
# scenarios, merged, give the totals, per-torn-mode counts and failures of one unsharded run
# (and are their sum); shares missing are an error naming them; the same holds for a broken
# engine's failures.
# Usage: shards_merge.sh PATH/TO/norbench PATH/TO/norbench-broken-VARIANT SCENARIO_A SCENARIO_B
#        (the broken engine's campaign runs over SCENARIO_A, where it must fail)
set -u
norbench=$1
broken=$2
scenario_a=$3
scenario_b=$4
. "$(dirname "$0")/common.sh"

# expect_verdict EXIT RESULT WHAT: EXIT is 1 when RESULT lists failures, else 0.
expect_verdict() {
    failures=$(python3 "$campaign_json" failures "$2") ||
        fail "$3 exited $1 and left no readable result: $(cat "$tmp/err")"
    [ "$1" -eq "$([ "$failures" -gt 0 ] && echo 1 || echo 0)" ] ||
        fail "$3 exited $1 with $failures failures: $(cat "$tmp/err")"
}

# sharded_campaign NAME ENGINE SCENARIO...: $tmp/NAME-whole.json, the unsharded result, and
# $tmp/NAME-I/powercut.json for shares I = 1..3.
sharded_campaign() {
    name=$1
    engine=$2
    shift 2
    "$engine" powercut "$@" --json >"$tmp/$name-whole.json" 2>"$tmp/err" </dev/null
    expect_verdict $? "$tmp/$name-whole.json" "$name: the unsharded campaign"
    for share in 1 2 3; do
        "$engine" powercut "$@" --shard "$share/3" --report "$tmp/$name-$share" --quiet \
            >/dev/null 2>"$tmp/err" </dev/null
        expect_verdict $? "$tmp/$name-$share/powercut.json" "$name: share $share/3"
    done
}

# merge OUT PARTS...: norbench merge --json PARTS > OUT.
merge() {
    out=$1
    shift
    "$norbench" merge "$@" --json >"$out" 2>"$tmp/err" </dev/null
    expect_verdict $? "$out" "merge $*"
}

sharded_campaign real "$norbench" "$scenario_a" "$scenario_b"
check_json passed "$tmp/real-whole.json"
merge "$tmp/real-merged.json" "$tmp/real-1/powercut.json" "$tmp/real-2/powercut.json" \
    "$tmp/real-3/powercut.json"
check_json same "$tmp/real-merged.json" "$tmp/real-whole.json"
check_json complete "$tmp/real-merged.json"
check_json sum "$tmp/real-merged.json" "$tmp/real-1/powercut.json" "$tmp/real-2/powercut.json" \
    "$tmp/real-3/powercut.json"
# Shares missing: no result (it would read as a whole campaign), one message naming them.
expect_exit 2 "$norbench" merge "$tmp/real-1/powercut.json" "$tmp/real-3/powercut.json" --json
[ "$(cat "$tmp/err")" = "norbench merge: the files do not cover the campaign: shard 2/3 is missing" ] ||
    fail "a missing share: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "a merge with a share missing printed a result"
expect_exit 2 "$norbench" merge "$tmp/real-2/powercut.json"
[ "$(cat "$tmp/err")" = "norbench merge: the files do not cover the campaign: shards 1/3, 3/3 are missing" ] ||
    fail "two missing shares: $(cat "$tmp/err")"
expect_exit 0 "$norbench" merge "$tmp/real-1/powercut.json" "$tmp/real-2/powercut.json" \
    "$tmp/real-3/powercut.json"
[ -s "$tmp/out" ] || fail "merge without --json printed no table"
# A share whose file lacks a scenario (shares of campaigns over other files): not one campaign,
# though every I/N is there; half of a scenario would read as all of it.
python3 -c "import json, sys
r = json.load(open(sys.argv[1])); del r['scenarios'][1]
json.dump(r, open(sys.argv[2], 'w'))" "$tmp/real-2/powercut.json" "$tmp/lacking-2.json"
expect_exit 2 "$norbench" merge "$tmp/real-1/powercut.json" "$tmp/lacking-2.json" \
    "$tmp/real-3/powercut.json"
grep -q "not shards of one campaign: .*$(basename "$scenario_b") is not in the file of shard 2/3" \
    "$tmp/err" || fail "a share lacking a scenario: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "a merge of a share lacking a scenario printed a result"
# Shares sampled under different budgets (--time-budget sizes one on each machine) do not add
# up to one campaign's sample: refused, naming the scenario and both budgets.
python3 -c "import json, sys
r = json.load(open(sys.argv[1])); r['scenarios'][0]['max_tries'] = 50
json.dump(r, open(sys.argv[2], 'w'))" "$tmp/real-2/powercut.json" "$tmp/budget-2.json"
expect_exit 2 "$norbench" merge "$tmp/real-1/powercut.json" "$tmp/budget-2.json" \
    "$tmp/real-3/powercut.json"
grep -q "budget-2.json: .*: budgeted 50 tries here, no budget in an earlier file" "$tmp/err" ||
    fail "shares of different budgets: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "a merge of different budgets printed a result"

sharded_campaign broken "$broken" "$scenario_a"
[ "$(python3 "$campaign_json" failures "$tmp/broken-whole.json")" -gt 0 ] ||
    fail "the broken engine's campaign found no failure"
merge "$tmp/broken-merged.json" "$tmp/broken-1/powercut.json" "$tmp/broken-2/powercut.json" \
    "$tmp/broken-3/powercut.json"
check_json same "$tmp/broken-merged.json" "$tmp/broken-whole.json"
check_json complete "$tmp/broken-merged.json"
check_json sum "$tmp/broken-merged.json" "$tmp/broken-1/powercut.json" \
    "$tmp/broken-2/powercut.json" "$tmp/broken-3/powercut.json"
echo "shards_merge: ok"
