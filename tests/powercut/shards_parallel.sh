#!/bin/sh
# docs/powercut.md "Past one machine", the GNU parallel form run locally: three shares of a
# campaign as parallel jobs, then `norbench merge`, give the totals, per-torn-mode counts and
# failures of one unsharded run.
# Usage: shards_parallel.sh PATH/TO/norbench SCENARIO...
set -u
norbench=$1
shift
. "$(dirname "$0")/common.sh"

command -v parallel >/dev/null 2>&1 ||
    fail "GNU parallel is not installed ('make deps' installs Debian's package 'parallel')"

"$norbench" powercut "$@" --json >"$tmp/whole.json" 2>"$tmp/err" </dev/null ||
    fail "the unsharded campaign exited $?: $(cat "$tmp/err")"
parallel --will-cite --halt now,fail=1 "$norbench" powercut "$@" --shard {}/3 --jobs 1 \
    --report "$tmp/share-{}" --quiet ::: 1 2 3 </dev/null >"$tmp/out" 2>"$tmp/err" ||
    fail "a share exited non-zero under GNU parallel: $(cat "$tmp/err")"
"$norbench" merge "$tmp"/share-*/powercut.json --json >"$tmp/merged.json" 2>"$tmp/err" </dev/null ||
    fail "merge exited $?: $(cat "$tmp/err")"
check_json passed "$tmp/merged.json"
check_json same "$tmp/merged.json" "$tmp/whole.json"
check_json complete "$tmp/merged.json"
check_json sum "$tmp/merged.json" "$tmp/share-1/powercut.json" "$tmp/share-2/powercut.json" \
    "$tmp/share-3/powercut.json"
echo "shards_parallel: ok"
