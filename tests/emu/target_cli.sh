#!/bin/sh
# `run --target` and `powercut --target` from the outside: one message and exit 2 for an
# unknown target, --firmware alone, a firmware that is not an agent, a scenario flash the board
# cannot hold (the reason, as the run's ERROR row) and an engine the agent lacks (fs, tdb: the
# engines it has are named), to run and to powercut alike; the same flash image on
# the host and on the board, read-only mounts included; a small campaign on the board that
# passes, and ones over firmware with a broken engine that fail (the read-only mount's flaw
# among them; on the nrf52840 and the stm32l4); map and kv transactions on the nrf52840: the same
# flash as on the host, a campaign that passes, and ones over a commit that writes each member as
# its own item and a kv write that removes the old value first, which fail.
# Usage: target_cli.sh PATH/TO/norbench FIRMWARE_DIR SCENARIO_DIR
set -u
nb=$1
fw=$2
sc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "target_cli: $*" >&2; exit 1; }
map=$sc/powercut/map-random-nrf52840.json
queue=$sc/powercut/queue-pages-nrf52840.json

# expect CODE MESSAGE_PART COMMAND...: that exit code, one line on stderr holding the part.
expect() {
    code=$1 want=$2
    shift 2
    "$nb" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
    [ $rc -eq "$code" ] || fail "$* exited $rc, not $code: $(cat "$tmp/err")"
    grep -qF -- "$want" "$tmp/err" || fail "$* said: $(cat "$tmp/err") (expected: $want)"
    [ "$(grep -cv '^Try ' "$tmp/err")" -eq 1 ] || fail "$* said more than one thing: $(cat "$tmp/err")"
}

"$nb" run --help | grep -q -- "--target BOARD" || fail "run --help does not list --target"
"$nb" powercut --help | grep -q -- "--target BOARD" || fail "powercut --help does not list --target"
expect 2 "--target: unknown target 'nrf99'; targets: nrf52840, stm32f4, stm32l4" run --target nrf99 "$map"
expect 2 "--firmware needs --target" run --firmware "$fw/agent-nrf52840.elf" "$map"
expect 2 "not an agent firmware for the nrf52840" \
    run --target nrf52840 --firmware "$fw/boot_counter-nrf52840.elf" "$map"
expect 2 "crash: write to unmapped address 0x30000000" \
    powercut --target nrf52840 --firmware "$fw/fault-nrf52840.elf" "$map"
expect 2 "map-gc-tiny.json:1:1: engine: target nrf52840: the scenario's flash (preset tiny) does not write like the nrf52840's flash" \
    run --target nrf52840 "$sc/powercut/map-gc-tiny.json"
expect 2 "fs-error-full.json:1:1: engine: the target runs map, queue and kv scenarios only, not fs ones" \
    run --target nrf52840 "$sc/suite/fs-error-full.json"
expect 2 "fs-error-full.json:1:1: engine: the target runs map, queue and kv scenarios only, not fs ones" \
    powercut --quiet --target nrf52840 "$sc/suite/fs-error-full.json"
expect 2 "map-gc-tiny.json:1:1: engine: target nrf52840: the scenario's flash (preset tiny) does not write like the nrf52840's flash" \
    powercut --quiet --target nrf52840 "$sc/powercut/map-gc-tiny.json"

# The same flash on the host and on the board: the nrf52840, the stm32f4's 128 KiB sectors and
# the stm32l4's write-once ECC double words.
for pair in "nrf52840 $map" "nrf52840 $queue" "stm32f4 $sc/suite/map-stm32f4-128k.json" \
    "stm32l4 $sc/powercut/map-gc-ecc-stm32l4.json" "stm32l4 $sc/powercut/queue-ecc-stm32l4.json"; do
    board=${pair%% *} s=${pair#* }
    name=$(basename "$s" .json)
    "$nb" run --quiet --dump-image "$tmp/host" "$s" || fail "$name fails on the host"
    "$nb" run --quiet --target "$board" --dump-image "$tmp/board" "$s" || fail "$name fails on the $board"
    cmp -s "$tmp/host/$name.bin" "$tmp/board/$name.bin" || fail "$name: the host's and the $board's flash differ"
done

# A campaign inside the emulator; the same over an engine that skips its CRC checks fails.
"$nb" powercut --quiet --jobs 2 --max-tries 40 --target nrf52840 "$queue" >"$tmp/out" 2>&1 ||
    fail "the campaign on the board failed: $(cat "$tmp/out")"
"$nb" powercut --quiet --jobs 2 --max-tries 40 --torn prefix --target nrf52840 \
    --firmware "$fw/agent-broken-skip-crc-nrf52840.elf" "$queue" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "the campaign over the broken engine exited $rc, not 1: $(cat "$tmp/out")"
grep -q "the operation in flight is neither applied nor absent" "$tmp/out" ||
    fail "the broken engine's campaign failed otherwise: $(cat "$tmp/out")"
# On the stm32f4: a campaign over a small map in its 128 KiB sectors passes.
f4=$(dirname "$0")/map-stm32f4-campaign.json
(cd "$tmp" && "$nb" powercut --quiet --jobs 2 --max-tries 16 --torn bits --target stm32f4 "$f4") \
    >"$tmp/out" 2>&1 || fail "the stm32f4 campaign failed: $(cat "$tmp/out")"
# On the stm32l4: the queue's ECC campaign (torn none) passes on the board and catches an engine
# that opens a page without erasing it, as on the host (the reproducers go to $tmp).
eccq=$sc/powercut/queue-ecc-stm32l4.json
(cd "$tmp" && "$nb" powercut --quiet --jobs 2 --torn none --target stm32l4 "$eccq") >"$tmp/out" 2>&1 ||
    fail "the stm32l4 campaign failed: $(cat "$tmp/out")"
(cd "$tmp" && "$nb" powercut --quiet --jobs 2 --torn none --target stm32l4 \
    --firmware "$fw/agent-broken-no-erase-before-open-stm32l4.elf" "$eccq") >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "the stm32l4 campaign over no-erase-before-open exited $rc, not 1: $(cat "$tmp/out")"
grep -q "mount: expected success, got error io" "$tmp/out" ||
    fail "the no-erase-before-open campaign failed otherwise: $(cat "$tmp/out")"
# Read-only mounts on the board: the read-only campaign scenarios end with the host's flash; a
# campaign mounts read-only before each recovery, so an engine whose read-only mount decides a
# pop by its P unit (ro-pop-by-p) is caught on the board as on the host.
for s in "$sc/powercut/read-only-map-nrf52840.json" "$sc/powercut/read-only-queue-nrf52840.json"; do
    name=$(basename "$s" .json)
    "$nb" run --quiet --dump-image "$tmp/host" "$s" || fail "$name fails on the host"
    "$nb" run --quiet --target nrf52840 --dump-image "$tmp/board" "$s" || fail "$name fails on the nrf52840"
    cmp -s "$tmp/host/$name.bin" "$tmp/board/$name.bin" || fail "$name: the host's and the nrf52840's flash differ"
done
pops=$(dirname "$0")/read-only-pops-nrf52840.json
"$nb" powercut --quiet --jobs 2 --target nrf52840 "$pops" >"$tmp/out" 2>&1 ||
    fail "the read-only campaign on the board failed: $(cat "$tmp/out")"
"$nb" powercut --quiet --jobs 2 --torn none --target nrf52840 \
    --firmware "$fw/agent-broken-ro-pop-by-p-nrf52840.elf" "$pops" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "the campaign over ro-pop-by-p exited $rc, not 1: $(cat "$tmp/out")"
grep -q "read-only mount, compared with the read-write mount's recovery" "$tmp/out" ||
    fail "the ro-pop-by-p campaign failed otherwise: $(cat "$tmp/out")"
# Transactions on the board: the campaign scenarios over map and kv transactions on two pages of
# nrf52840 flash (the kv blob 1200 bytes, so that its rewrites still force garbage collection).
sh "$(dirname "$0")/txn_campaigns.sh" "$nb" "$fw" "$sc" nrf52840 '"preset": "nrf52840", "sectors": 2' \
    1200 40 all txn-split:map kv-remove-first:kv || exit 1
echo "target_cli: ok"
