#!/bin/sh
# --target beyond maps and queues: raw partition steps on the nrf52840 (the same flash as on the
# host; a wrong expectation, an engine that skips the write-unit check and one that does not clamp
# reads fail on the board too; a partition on the agent firmware is refused with its reason), a
# transaction larger than the mailbox on the stm32f4, kv on the stm32f4 refused with the RAM it
# would need, and power-cut campaigns on the stm32l4: raw beside a map, map and kv transactions
# (a kv write that removes the old value first is caught).
# Usage: target_raw.sh PATH/TO/norbench FIRMWARE_DIR SCENARIO_DIR
set -u
nb=$1
fw=$2
sc=$3
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "target_raw: $*" >&2; exit 1; }

# same_flash BOARD SCENARIO: passes on the host and on the board, which end with the same flash
# (each dumped under the scenario's name).
same_flash() {
    name=$(sed -n 's/^  "name": "\(.*\)",$/\1/p' "$2")
    [ -n "$name" ] || fail "$2: no name"
    "$nb" run --quiet --dump-image "$tmp/host" "$2" || fail "$name fails on the host"
    "$nb" run --quiet --target "$1" --dump-image "$tmp/board" "$2" || fail "$name fails on the $1"
    cmp -s "$tmp/host/$name.bin" "$tmp/board/$name.bin" || fail "$name: the host's and the $1's flash differ"
}

# fails_with WANT COMMAND...: exit 1 and WANT in what it printed.
fails_with() {
    want=$1
    shift
    (cd "$tmp" && "$nb" "$@") >"$tmp/out" 2>&1; rc=$?
    [ $rc -eq 1 ] || fail "$* exited $rc, not 1: $(cat "$tmp/out")"
    grep -qF -- "$want" "$tmp/out" || fail "$* said: $(cat "$tmp/out") (expected: $want)"
}

raw=$here/raw-nrf52840.json
same_flash nrf52840 "$raw"
sed -e 's/"expect": { "value": "wxyz" }/"expect": { "value": "wxyq" }/' "$raw" >"$tmp/raw-wrong.json"
grep -q '"wxyq"' "$tmp/raw-wrong.json" || fail "raw-nrf52840.json has no read of wxyz to get wrong"
fails_with 'raw_read: expected "wxyq" (4 bytes) (the step'"'"'s expectation), got "wxyz"' run --target nrf52840 "$tmp/raw-wrong.json"
fails_with "raw_write: expected error align (the reference model), got error io" \
    run --target nrf52840 --firmware "$fw/agent-broken-raw-skip-align-nrf52840.elf" "$raw"
fails_with "raw_read: expected 8 bytes (clamped to the end) (the reference model)" \
    run --target nrf52840 --firmware "$fw/agent-broken-raw-no-clamp-nrf52840.elf" "$raw"
fails_with "target stm32f4: the partition 'boot' starts at 0x0 of the scenario's flash, whose first 0x8000 bytes lie on the agent firmware" \
    run --target stm32f4 "$sc/suite/raw-ops-stm32f4.json"

# A transaction of about 90 KB: more than the mailbox's value buffer, staged in two commands.
same_flash stm32f4 "$here/txn-large-stm32f4.json"
# kv on the stm32f4's 128 KiB pages: the layer's buffer holds one map value, more than the arena.
sed -e 's/"type": "map"/"type": "kv"/' -e '/"steps"/,$d' "$here/map-stm32f4-campaign.json" >"$tmp/kv-f4.json"
echo '"steps": [ { "kv_open": { "domain": "d", "mode": "r+" } } ] }' >>"$tmp/kv-f4.json"
fails_with "does not fit the agent's arena of 98304 bytes" run --target stm32f4 "$tmp/kv-f4.json"

# Campaigns on the stm32l4 (sampled: each well under two minutes on an idle machine).
(cd "$tmp" && "$nb" powercut --quiet --jobs 2 --max-tries 300 --target stm32l4 "$here/raw-beside-map-stm32l4.json") \
    >"$tmp/out" 2>&1 || fail "the raw campaign on the stm32l4 failed: $(cat "$tmp/out")"
# Map and kv transactions on four 2 KiB pages (the kv blob 600 bytes): 100 cut points each, torn
# none (the commit point is what they test; torn words are the raw campaign's).
sh "$here/txn_campaigns.sh" "$nb" "$fw" "$sc" stm32l4 '"preset": "stm32l4-1m", "sectors": 4' 600 100 \
    none kv-remove-first:kv || exit 1
echo "target_raw: ok"
