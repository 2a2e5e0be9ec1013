#!/bin/sh
# `norbench emu` from the outside: --help, one clear message and exit 2 for each bad flag or
# file, runs that keep the flash across boots and through --save-image / --image, a campaign
# that passes (exit 0) over the boot counter and fails (exit 1) over the in-place one (on the
# nrf52840 and the stm32f4; the stm32l4's ECC crash without an NMI handler, its campaign that
# holds with one), the event log, the crash report, and the JSON answer.
# Usage: emu_cli.sh PATH/TO/norbench FIRMWARE_DIR
set -u
nb=$1
fw=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "emu_cli: $*" >&2; exit 1; }
counter=$fw/boot_counter-nrf52840.elf

# usage ARGS... -- EXPECTED_MESSAGE_PART: exit 2, one line on stderr holding the part.
usage() {
    want=$(eval "echo \${$#}")
    args=""
    while [ $# -gt 1 ]; do args="$args '$1'"; shift; done
    eval "\"$nb\" emu $args" >"$tmp/out" 2>"$tmp/err"; rc=$?
    [ $rc -eq 2 ] || fail "emu$args exited $rc, not 2: $(cat "$tmp/err")"
    grep -qF -- "$want" "$tmp/err" || fail "emu$args said: $(cat "$tmp/err") (expected: $want)"
    [ ! -s "$tmp/out" ] || fail "emu$args printed on stdout: $(cat "$tmp/out")"
}

"$nb" emu --help >"$tmp/out" || fail "--help exited non-zero"
grep -q -- "--cut-every-flash-op" "$tmp/out" || fail "--help does not list --cut-every-flash-op"
grep -q -- "--board BOARD.*nrf52840, stm32f4, stm32l4" "$tmp/out" || fail "--help does not list the boards"
grep -q "stm32f4 (1 MiB flash in 12 sectors" "$tmp/out" || fail "--help: no stm32f4 memory map"
grep -q "stm32l4 (1 MiB flash in" "$tmp/out" || fail "--help: no stm32l4 memory map"
usage "$counter" "--board is required"
usage "$counter" --board nrf1 "unknown board 'nrf1'; boards: nrf52840 stm32f4 stm32l4"
usage --board nrf52840 "expected one FIRMWARE.elf"
usage "$tmp/none.elf" --board nrf52840 "$tmp/none.elf: cannot open"
echo "not an elf" >"$tmp/text.elf"
usage "$tmp/text.elf" --board nrf52840 "$tmp/text.elf: not an ELF file"
usage "$counter" --board nrf52840 --cuts 5,3 "--cuts '5,3': the counts must increase"
usage "$counter" --board nrf52840 --cuts 5,x "--cuts '5,x': expected operation counts"
usage "$counter" --board nrf52840 --cut-after 2 --cut-every-flash-op "exclude each other"
usage "$counter" --board nrf52840 --cut-after 2 --torn bogus "--torn: unknown mode 'bogus'"
usage "$counter" --board nrf52840 --cut-after 2 --torn bits,prefix "at most one program mode"
usage "$counter" --board nrf52840 --torn bits "--torn goes with"
usage "$counter" --board nrf52840 --boots 0 "--boots 0: expected"
usage "$counter" --board nrf52840 --expect-uart "(" "--expect-uart '('"
usage "$counter" --board nrf52840 --image "$tmp/none.bin" "--image"
usage "$counter" --board nrf52840 --cut-after 99999999999999999999 \
    "--cut-after expects a non-negative integer below 2^64, got '99999999999999999999'"
"$nb" emu "$counter" --board nrf52840 --save-image "$tmp/none/flash.bin" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF -- "--save-image $tmp/none/flash.bin: file error: No such file or directory" "$tmp/err" ||
    fail "--save-image into a missing folder said: $(cat "$tmp/err")"

# Two boots saved to an image, then one more from it: the count goes on.
"$nb" emu "$counter" --board nrf52840 --boots 2 --save-image "$tmp/flash.bin" >"$tmp/out" ||
    fail "2 boots failed: $(cat "$tmp/out")"
[ -f "$tmp/flash.bin" ] && [ -f "$tmp/flash.bin.json" ] || fail "--save-image wrote nothing"
"$nb" emu "$counter" --board nrf52840 --image "$tmp/flash.bin" \
    --expect-uart 'boot count: 3$' >"$tmp/out" || fail "boot from the image: $(cat "$tmp/out")"
grep -q "| boot count: 3" "$tmp/out" || fail "the image did not keep the count: $(cat "$tmp/out")"

# A cut inside the 4th operation, then the reboot.
"$nb" emu "$counter" --board nrf52840 --cut-after 3 --torn bits --json >"$tmp/cut.json" ||
    fail "--cut-after 3 failed"
python3 - "$tmp/cut.json" <<'PY' || fail "--cut-after 3 --json: $(cat "$tmp/cut.json")"
import json, sys
r = json.load(open(sys.argv[1]))
b = r["boots"]
assert r["passed"] and len(b) == 2, r
assert b[0]["stop"] == "power-cut" and "expectation_held" not in b[0], b[0]
assert b[0]["flash"]["programs"] + b[0]["flash"]["erases"] == 4, b[0]["flash"]
assert b[1]["stop"] == "idle" and b[1]["uart"] == "boot count: 1\n", b[1]
PY

# Three cuts counted from the first boot: each cut boot ends inside operation N+1, the next
# boot starts after it.
"$nb" emu "$counter" --board nrf52840 --cuts 3,12,20 --torn late --json >"$tmp/cuts.json" ||
    fail "--cuts 3,12,20 failed"
python3 - "$tmp/cuts.json" <<'PY' || fail "--cuts 3,12,20 --json: $(cat "$tmp/cuts.json")"
import json, sys
b = json.load(open(sys.argv[1]))["boots"]
assert [x["stop"] for x in b] == ["power-cut"] * 3 + ["idle"], b
assert [x["flash"]["first_operation"] for x in b] == [0, 4, 13, 21], b
assert "flash operation 9 of the boot" in b[1]["reason"], b[1]
PY

# A cut the boots never reach is no pass.
"$nb" emu "$counter" --board nrf52840 --cut-after 1000 >"$tmp/out"; rc=$?
[ $rc -eq 1 ] || fail "--cut-after 1000 exited $rc, not 1"
grep -q "^1 cut never landed: the boots made [0-9]* flash operations" "$tmp/out" ||
    fail "--cut-after 1000: $(tail -2 "$tmp/out")"

# same_boots A.json B.json: the two runs' boots are the same, host times aside.
same_boots() {
    python3 - "$1" "$2" <<'PY'
import json, sys
def boots(path):
    b = json.load(open(path))["boots"]
    for x in b:
        del x["host_seconds"], x["reboot_seconds"]
    return b
assert boots(sys.argv[1]) == boots(sys.argv[2])
PY
}

# Determinism: the same seed gives the same boots (outputs, counts, registers), host times aside.
for i in 1 2; do
    "$nb" emu "$counter" --board nrf52840 --cuts 2,9 --torn metastable --boots 4 --seed 5 \
        --json >"$tmp/seed$i.json" || fail "--seed 5 run $i failed"
done
same_boots "$tmp/seed1.json" "$tmp/seed2.json" || fail "the same seed gave different runs"

# campaigns BOARD: the engine's counter holds; the in-place counter loses counts (exit 1).
campaigns() {
    "$nb" emu "$fw/boot_counter-$1.elf" --board "$1" --boots 2 --cut-every-flash-op \
        --after-boots 1 --expect-uart 'boot count: ([0-9]+)' >"$tmp/out" ||
        fail "$1 campaign failed: $(cat "$tmp/out")"
    grep -q "^PASS: 0 of [1-9][0-9]* tries failed" "$tmp/out" ||
        fail "$1 campaign: $(tail -3 "$tmp/out")"
    "$nb" emu "$fw/boot_counter_in_place-$1.elf" --board "$1" --boots 3 \
        --cut-every-flash-op --expect-uart 'boot count: ([0-9]+)' >"$tmp/out"; rc=$?
    [ $rc -eq 1 ] || fail "$1 campaign over the in-place counter exited $rc, not 1"
    grep -q "FAIL operation 1 (erase) torn full: reboot 1: printed 1 after an earlier boot printed 2" \
        "$tmp/out" || fail "$1 in-place campaign: $(cat "$tmp/out")"
}
campaigns nrf52840

# The same campaign as JSON: the failure's operation, kind, torn mode and reboot output.
"$nb" emu "$fw/boot_counter_in_place-nrf52840.elf" --board nrf52840 --boots 3 \
    --cut-every-flash-op --torn full --expect-uart 'boot count: ([0-9]+)' --json >"$tmp/c.json"
[ $? -eq 1 ] || fail "in-place campaign --json did not exit 1"
python3 - "$tmp/c.json" <<'PY' || fail "in-place campaign --json: $(cat "$tmp/c.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert not r["passed"] and r["reference_passed"] and r["operations"] == 2, r
assert r["tries"] == 2 and r["failed_tries"] == 1, r  # --torn full: one mode per kind
f = r["failures"][0]
assert (f["operation"], f["kind"], f["torn"], f["reboot"]) == (1, "erase", "full", 1), f
assert f["uart"] == "boot count: 1\n" and "went backwards" in f["why"], f
assert len(r["reference"]) == 3 and r["reference"][2]["uart"] == "boot count: 3\n", r
PY

# A boot without flash operations leaves nothing to cut: no pass.
"$nb" emu "$fw/uarte-nrf52840.elf" --board nrf52840 --cut-every-flash-op >"$tmp/out"; rc=$?
[ $rc -eq 1 ] || fail "a campaign with nothing to cut exited $rc, not 1"
grep -q "nothing was cut: boot 1 made no flash operation" "$tmp/out" ||
    fail "nothing to cut: $(cat "$tmp/out")"

# The stm32f4 board: the same apps, built for it, count across boots; its campaigns pass and
# fail as on the nrf52840; an nrf52840 ELF is refused (its vector table is not in its flash).
f4=$fw/boot_counter-stm32f4.elf
"$nb" emu "$f4" --board stm32f4 --boots 3 --expect-uart 'boot count: ([0-9]+)' >"$tmp/out" ||
    fail "stm32f4 boots: $(cat "$tmp/out")"
grep -q "| boot count: 3" "$tmp/out" || fail "stm32f4 did not count: $(cat "$tmp/out")"
campaigns stm32f4
usage "$counter" --board stm32f4 "lies outside the stm32f4's flash (0x08000000..0x08100000)"

# The stm32l4 board: the counter counts; a cut inside the in-place counter's program can leave
# a double word its ECC cannot correct, and the reboot that reads it stops as the part's NMI.
"$nb" emu "$fw/boot_counter-stm32l4.elf" --board stm32l4 --boots 3 \
    --expect-uart 'boot count: ([0-9]+)' >"$tmp/out" || fail "stm32l4 boots: $(cat "$tmp/out")"
grep -q "| boot count: 3" "$tmp/out" || fail "stm32l4 did not count: $(cat "$tmp/out")"
"$nb" emu "$fw/boot_counter_in_place-stm32l4.elf" --board stm32l4 --boots 3 \
    --cut-every-flash-op --torn middle --expect-uart 'boot count: ([0-9]+)' >"$tmp/out"; rc=$?
[ $rc -eq 1 ] || fail "stm32l4 campaign over the in-place counter exited $rc, not 1"
grep -q "crash: uncorrectable ECC error reading flash at 0x080fc000 .*raises an NMI" "$tmp/out" ||
    fail "stm32l4 in-place campaign: $(cat "$tmp/out")"

# The boot counter's campaign over boot 3 on the stm32l4: cuts leave double words ECC cannot
# correct, the NMI handler makes the engine's reads of them fail, every try holds.
"$nb" emu "$fw/boot_counter-stm32l4.elf" --board stm32l4 --boots 3 --cut-every-flash-op \
    --expect-uart 'boot count: ([0-9]+)' >"$tmp/out" || fail "stm32l4 campaign: $(tail -3 "$tmp/out")"
grep -q "^PASS: 0 of [1-9][0-9]* tries failed" "$tmp/out" || fail "stm32l4 campaign: $(tail -3 "$tmp/out")"

# The event log (SysTick stamps) logs one event per boot; with interrupts too, the same seed and
# cuts give the same boots (outputs, instruction counts, registers).
for i in 1 2; do
    "$nb" emu "$fw/event_log-stm32l4.elf" --board stm32l4 --cuts 2,9 --torn middle --boots 4 \
        --seed 5 --json >"$tmp/log$i.json" || fail "event log --seed 5 run $i failed"
done
same_boots "$tmp/log1.json" "$tmp/log2.json" || fail "the event log's runs differ"
grep -q "logged event" "$tmp/log1.json" || fail "the event log logged nothing: $(cat "$tmp/log1.json")"
"$nb" emu "$fw/event_log-nrf52840.elf" --board nrf52840 --boots 3 \
    --expect-uart 'logged event ([0-9]+) at [0-9]+ ms' >"$tmp/out" || fail "event log: $(cat "$tmp/out")"
grep -q "| events before: 2, logged event 3 at 3 ms" "$tmp/out" || fail "event log: $(cat "$tmp/out")"

# The crash: exit 1, the PC named by its symbol.
"$nb" emu "$fw/fault-nrf52840.elf" --board nrf52840 >"$tmp/out"; rc=$?
[ $rc -eq 1 ] || fail "the faulting firmware exited $rc, not 1"
grep -q "^boot 1: crash: write to unmapped address 0x30000000" "$tmp/out" ||
    fail "crash: $(cat "$tmp/out")"
grep -q "pc 0x[0-9a-f]* (store_to_nowhere+0x[0-9a-f]*), fault address 0x30000000" "$tmp/out" ||
    fail "crash registers: $(cat "$tmp/out")"
exit 0
