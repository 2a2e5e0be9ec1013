#!/bin/sh
# The campaign scenarios over map and kv transactions (scenarios/powercut/map-txn-tiny and
# kv-txn-tiny) moved onto a board's flash: each ends with the host's flash on the board, a sampled
# campaign on the board passes, and one over an agent with a broken engine fails with "the
# operation in flight is neither applied nor absent". Called by target_cli.sh and target_raw.sh.
# Usage: txn_campaigns.sh NORBENCH FIRMWARE_DIR SCENARIO_DIR BOARD FLASH BLOB TRIES TORN BROKEN...
#   FLASH: the scenario's flash in place of the tiny preset ("preset": ..., "sectors": N);
#   BLOB: the kv scenario's 50-byte blob enlarged to this many bytes, so that its rewrites still
#   force garbage collection; TRIES, TORN: the passing campaigns' --max-tries and --torn (the
#   broken ones: TRIES, torn none); BROKEN: VARIANT:SCENARIO pairs (map or kv), the agent
#   agent-broken-VARIANT.
set -u
nb=$1 fw=$2 sc=$3 board=$4 flash=$5 blob=$6 tries=$7 torn=$8
shift 8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "txn_campaigns ($board): $*" >&2; exit 1; }

on_board="s/\"preset\": \"tiny\"/$flash/"
sed -e "$on_board" "$sc/powercut/map-txn-tiny.json" >"$tmp/map.json"
sed -e "$on_board" -e "s/\"random\": 50 }/\"random\": $blob }/" "$sc/powercut/kv-txn-tiny.json" >"$tmp/kv.json"
grep -q "\"random\": $blob }" "$tmp/kv.json" || fail "kv-txn-tiny.json has no 50-byte blob to enlarge"
for s in "$tmp/map.json" "$tmp/kv.json"; do
    grep -qF "$flash" "$s" || fail "$s: not on the $board's flash"
    name=$(sed -n 's/^  "name": "\(.*\)",$/\1/p' "$s")
    "$nb" run --quiet --dump-image "$tmp/host" "$s" || fail "$name ($board flash) fails on the host"
    "$nb" run --quiet --target "$board" --dump-image "$tmp/board" "$s" || fail "$name fails on the $board"
    cmp -s "$tmp/host/$name.bin" "$tmp/board/$name.bin" || fail "$name: the host's and the $board's flash differ"
    (cd "$tmp" && "$nb" powercut --quiet --jobs 2 --max-tries "$tries" --torn "$torn" \
        --target "$board" "$s") >"$tmp/out" 2>&1 ||
        fail "the $name campaign on the board failed: $(cat "$tmp/out")"
done
for pair in "$@"; do
    variant=${pair%%:*} s=$tmp/${pair#*:}.json
    (cd "$tmp" && "$nb" powercut --quiet --jobs 2 --max-tries "$tries" --torn none --target "$board" \
        --firmware "$fw/agent-broken-$variant-$board.elf" "$s") >"$tmp/out" 2>&1; rc=$?
    [ $rc -eq 1 ] || fail "the campaign over $variant exited $rc, not 1: $(cat "$tmp/out")"
    grep -q "the operation in flight is neither applied nor absent" "$tmp/out" ||
        fail "the $variant campaign failed otherwise: $(cat "$tmp/out")"
done
