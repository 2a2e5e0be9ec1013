#!/bin/sh
# Usage errors of `norbench powercut` and `norbench merge` (docs/powercut.md): each exits 2 with
# exactly one message on stderr that names what was wrong (a "Try 'norbench ... --help'" hint
# may follow, as everywhere in the command line), prints nothing else and runs no campaign; a
# report file that cannot be written is named.
# Usage: usage.sh PATH/TO/norbench SCENARIO
set -u
norbench=$1
scenario=$2
. "$(dirname "$0")/common.sh"

# expect_usage_error PATTERN ARGS...: exit 2, one message matching PATTERN, nothing on stdout.
expect_usage_error() {
    pattern=$1
    shift
    expect_exit 2 "$norbench" "$@"
    grep -v "^Try 'norbench" "$tmp/err" >"$tmp/message"
    [ "$(wc -l <"$tmp/message")" -eq 1 ] ||
        fail "'norbench $*' should print one message on stderr, printed: $(cat "$tmp/err")"
    grep -q -- "$pattern" "$tmp/message" ||
        fail "'norbench $*' said '$(cat "$tmp/message")', nothing matching '$pattern'"
    [ ! -s "$tmp/out" ] || fail "'norbench $*' printed on stdout: $(head -c 500 "$tmp/out")"
    echo "ok: norbench $*: $(cat "$tmp/message")"
}

cd "$tmp" || fail "cannot enter $tmp"
expect_usage_error "mode" powercut "$scenario" --mode sideways
expect_usage_error "mode" powercut "$scenario" --mode random:many
expect_usage_error "mode" powercut "$scenario" --mode every:0
expect_usage_error "mode" powercut "$scenario" --mode every:
expect_usage_error "max-tries" powercut "$scenario" --max-tries 0
expect_usage_error "max-tries: expected 1 <= N <= 2^53" powercut "$scenario" --max-tries 9007199254740993
expect_usage_error "steps: expected N <= 2^53" powercut "$scenario" --steps 9007199254740993
expect_usage_error "mode" powercut "$scenario" --mode random:9007199254740993
expect_usage_error "time-budget" powercut "$scenario" --time-budget 5x
expect_usage_error "time-budget" powercut "$scenario" --time-budget 1h30
expect_usage_error "time-budget" powercut "$scenario" --time-budget 0s
# The scenarios' duration syntax (duration.h): 5min as well as 5m, sums, fractions, bare seconds.
for budget in 5min 5m 1h30m 2.5h 90; do
    expect_exit 0 "$norbench" powercut "$scenario" --dry-run --quiet --time-budget "$budget"
done
expect_usage_error "resume" powercut "$scenario" --resume "$tmp/nothing-here"
expect_usage_error "sideways" powercut "$scenario" --torn prefix,sideways
expect_usage_error "sideways" powercut "$scenario" --torn sideways
expect_usage_error "empty" powercut "$scenario" --torn ""
expect_usage_error "alone" powercut "$scenario" --torn all,late
expect_usage_error "shard" powercut "$scenario" --shard 4/3
expect_usage_error "shard" powercut "$scenario" --shard 0/3
expect_usage_error "at most 64 shares" powercut "$scenario" --shard 1/65
expect_usage_error "shard" powercut "$scenario" --shard three
expect_usage_error "depth" powercut "$scenario" --depth 3
expect_usage_error "missing.json: no such file or folder" powercut "$tmp/missing.json"
mkdir "$tmp/empty"
expect_usage_error "$tmp/empty: no scenario files" powercut "$tmp/empty"
: >"$tmp/a-file"
expect_usage_error "a-file: cannot write the reports there" powercut "$scenario" --report "$tmp/a-file"
# A report file that cannot be written after the campaign (a folder of its name in the way) is
# named, once; the campaign's exit status says so (1).
for file in powercut.json index.html; do
    rm -rf "$tmp/rep"
    mkdir -p "$tmp/rep/$file"
    expect_exit 1 "$norbench" powercut "$scenario" --report "$tmp/rep" --quiet
    [ "$(grep -c "^norbench powercut: " "$tmp/err")" -eq 1 ] &&
        grep -qxF "norbench powercut: $tmp/rep/$file: cannot write it: Is a directory" "$tmp/err" ||
        fail "--report with a folder $file: $(cat "$tmp/err")"
done
expect_usage_error "." powercut
expect_usage_error "." merge
expect_usage_error "missing.json" merge "$tmp/missing.json"
# One share of 64, merged alone: every missing share named, the list whole to its last.
"$norbench" powercut "$scenario" --shard 1/64 --jobs 1 --report "$tmp/share-1" --quiet ||
    fail "the share 1/64 campaign failed"
expect_usage_error "shards 2/64, 3/64, .*, 63/64, 64/64 are missing\$" merge "$tmp/share-1/powercut.json"
# A result claiming more shares than a merge adds up is refused as such.
sed 's/"count":[[:space:]]*64/"count": 65/' "$tmp/share-1/powercut.json" >"$tmp/share-65.json"
expect_usage_error "shard 1 of 65 is not one merges can add" merge "$tmp/share-65.json"
[ ! -e "$tmp/powercut-failures" ] || fail "a usage error wrote ./powercut-failures"
echo "usage: ok"
