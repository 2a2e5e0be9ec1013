#!/bin/sh
# The firmware update example on the emulated nrf52840 (docs/update.md): the bootloader built
# from the engine's sources (bootloader-nrf52840.elf) over flash images that
# update_flash_image writes (v1 installed, v2 sent and completed with the engine's update
# calls). It installs v2 and runs it as a test boot; v2 that does not confirm is reverted at
# the next boot (v1 again), v2 that confirms stays. Power cuts spread over the install's and the
# revert's swaps: every boot that completes after a cut runs v1 or v2 (with the bootloader whose
# swap records a step before its copy, update-record-first, some cut bricks the board). A v2
# damaged after it was sent is rejected (v1 runs), and the bootloader built over the engine that
# skips the CRC check (update-no-crc) installs it: the damaged image's text shows on the UART.
# Usage: update_boot.sh PATH/TO/norbench FIRMWARE_DIR PATH/TO/update_flash_image
set -u
nb=$1
fw=$2
tool=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "update_boot: $*" >&2; exit 1; }
boot=$fw/bootloader-nrf52840.elf
v1=$fw/update_v1-nrf52840.elf@1.0.0
v2=$fw/update_v2-nrf52840.elf@2.0.0
v2c=$fw/update_v2_confirming-nrf52840.elf@2.0.0
running='app v[12]\.0\.0 running'

# The tool: --help; one message and exit 2 for an ELF not linked into the slot, a bad version.
"$tool" --help >"$tmp/out" && grep -q -- "--corrupt-secondary" "$tmp/out" || fail "tool --help"
"$tool" --out "$tmp/x" --primary "$fw/boot_counter-nrf52840.elf@1.0.0" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "lies outside the primary slot" "$tmp/err" ||
    fail "an ELF linked at 0 was taken: $(cat "$tmp/err")"
"$tool" --out "$tmp/x" --primary "$fw/update_v1-nrf52840.elf@1.x" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "MAJOR.MINOR.REVISION" "$tmp/err" || fail "bad version: $(cat "$tmp/err")"

# emu IMAGE BOOTS [EXTRA...]: the bootloader's boots as JSON in $tmp/run.json; exit code kept.
emu() {
    image=$1 boots=$2
    shift 2
    "$nb" emu "$boot" --board nrf52840 --image "$image" --boots "$boots" --json "$@" \
        >"$tmp/run.json" 2>"$tmp/err"
}

# v2 that does not confirm: installed as a test, reverted at the next boot, v1 from then on.
"$tool" --out "$tmp/revert.img" --primary "$v1" --secondary "$v2" >"$tmp/out" ||
    fail "tool: $(cat "$tmp/out")"
grep -q "secondary: v2.0.0, .*pending for the next boot" "$tmp/out" || fail "tool said: $(cat "$tmp/out")"
emu "$tmp/revert.img" 3 --expect-uart "$running" || fail "revert run: $(cat "$tmp/err" "$tmp/run.json")"
python3 - "$tmp/run.json" >"$tmp/ops" <<'PY' || fail "revert run: $(cat "$tmp/run.json")"
import json, sys
b = json.load(open(sys.argv[1]))["boots"]
assert len(b) == 3 and all(x["stop"] == "idle" for x in b), b
assert b[0]["uart"].startswith("boot: installed 2.0.0 (a test boot)\napp v2.0.0 running\n"), b[0]
assert "not confirmed" in b[0]["uart"], b[0]
assert b[1]["uart"] == "boot: reverted to 1.0.0\napp v1.0.0 running\n", b[1]
assert b[2]["uart"] == "boot: runs 1.0.0\napp v1.0.0 running\n", b[2]
ops = [x["flash"]["programs"] + x["flash"]["erases"] for x in b]
assert ops[0] > 0 and ops[1] > 0 and ops[2] == 0, ops
for name, x in (("install", b[0]), ("revert", b[1])):
    f = x["flash"]
    print(f"{name}: {x['instructions']} instructions, {f['programs']} word programs, "
          f"{f['erases']} page erases, {x['simulated_us'] / 1e6:.2f} s simulated", file=sys.stderr)
print(ops[0], ops[1])
PY
read -r install_ops revert_ops <"$tmp/ops"

# The same in text, as a user runs it: the new image's UART.
"$nb" emu "$boot" --board nrf52840 --image "$tmp/revert.img" --expect-uart '^app v2\.0\.0 running$' \
    >"$tmp/out" || fail "text run: $(cat "$tmp/out")"
grep -q "| app v2.0.0 running" "$tmp/out" || fail "text run: no v2 on the UART: $(cat "$tmp/out")"

# v2 that confirms itself stays.
"$tool" --out "$tmp/confirm.img" --primary "$v1" --secondary "$v2c" >/dev/null || fail "tool (confirm)"
emu "$tmp/confirm.img" 3 --expect-uart '^app v2\.0\.0 running$' || fail "confirm run: $(cat "$tmp/run.json")"
python3 - "$tmp/run.json" <<'PY' || fail "confirm run: $(cat "$tmp/run.json")"
import json, sys
b = json.load(open(sys.argv[1]))["boots"]
assert len(b) == 3, b
assert b[0]["uart"] == ("boot: installed 2.0.0 (a test boot)\napp v2.0.0 running\n"
                        "app v2.0.0: confirmed\n"), b[0]
assert b[1]["uart"] == b[2]["uart"] == "boot: runs 2.0.0\napp v2.0.0 running\n", b[1:]
PY

# Power cuts inside the swaps: 16 runs from the pending image, each cut once at a point spread
# over the install's and the revert's flash operations (cut k at k/17 of them), in torn modes
# taken in turn (each shared name tears programs and erases), then rebooted: every boot that
# completes after the cut runs v1 or v2 (the bootloader prints what it did first), and the last
# runs v1 (the revert done). cut_runs BOOTLOADER [first]: the failed runs' count in $tmp/failed
# (with `first`, it stops at the first failure), their story in $tmp/why.
total=$((install_ops + revert_ops))
cut_runs() {
    failed=0 k=1
    : >"$tmp/why"
    for torn in spread bits,partial full prefix,weak metastable,partial early late middle \
                 bits,weak prefix,partial metastable,weak spread full late early middle; do
        cut=$((total * k / 17))
        "$nb" emu "$1" --board nrf52840 --image "$tmp/revert.img" --boots 4 --json \
            --cut-after "$cut" --torn "$torn" --seed "$k" --expect-uart "$running" \
            >"$tmp/run.json" 2>>"$tmp/why" &&
            python3 - "$tmp/run.json" 2>>"$tmp/why" <<'PY' ||
import json, sys
b = json.load(open(sys.argv[1]))["boots"]
at = [i for i, x in enumerate(b) if x["stop"] == "power-cut"]
assert len(at) == 1 and at[0] < 2, at
after = b[at[0] + 1:]
assert len(after) >= 2 and all(x["stop"] == "idle" and x["uart"].startswith("boot: ") for x in after), after
assert after[-1]["uart"] == "boot: runs 1.0.0\napp v1.0.0 running\n", after[-1]
PY
            {
                failed=$((failed + 1))
                echo "cut after $cut ($torn):" >>"$tmp/why"
                python3 -c 'import json,sys; [print(" ", x["stop"], repr(x["uart"])) for x in json.load(open(sys.argv[1]))["boots"]]' \
                    "$tmp/run.json" >>"$tmp/why" 2>&1
                [ "${2:-}" = first ] && break
            }
        k=$((k + 1))
    done
    echo "$failed" >"$tmp/failed"
}
cut_runs "$boot"
[ "$(cat "$tmp/failed")" -eq 0 ] || fail "$(cat "$tmp/failed") of 16 cut runs failed: $(cat "$tmp/why")"
# The bootloader whose swap records each step before its copy (update-record-first) leaves,
# after some cut, a primary the next boot takes as done: a board that boots no valid image.
cut_runs "$fw/bootloader-broken-update-record-first-nrf52840.elf" first
[ "$(cat "$tmp/failed")" -gt 0 ] || fail "the swap that records first survived every cut"
grep -q "no valid image in the primary slot" "$tmp/why" ||
    fail "update-record-first failed otherwise: $(cat "$tmp/why")"

# A v2 damaged after it was sent (a bit of its version text flipped: '2' reads '3'): rejected,
# v1 runs. The bootloader over the engine that installs without the CRC check runs it.
offset=$(python3 - "$fw/update_v2-nrf52840.elf" <<'PY'
import struct, sys
elf = open(sys.argv[1], "rb").read()
phoff, = struct.unpack_from("<I", elf, 28)
phentsize, phnum = struct.unpack_from("<HH", elf, 42)
text = b"app v2.0.0 running"
for i in range(phnum):
    kind, off, vaddr, paddr, filesz = struct.unpack_from("<5I", elf, phoff + i * phentsize)
    at = elf.find(text, off, off + filesz)
    if kind == 1 and at >= 0:
        print(paddr + at - off + 5 - 0x10000)  # the '2', from the slot's start
        break
PY
)
[ -n "$offset" ] || fail "no version text in update_v2-nrf52840.elf"
"$tool" --out "$tmp/damaged.img" --primary "$v1" --secondary "$v2" --corrupt-secondary "$offset" \
    >/dev/null || fail "tool (damaged)"
emu "$tmp/damaged.img" 1 --expect-uart '^app v1\.0\.0 running$' ||
    fail "the damaged image was not rejected: $(cat "$tmp/run.json")"
python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))["boots"][0]["uart"]; assert u.startswith("boot: rejected the pending image, kept 1.0.0\n"), u' \
    "$tmp/run.json" || fail "damaged: $(cat "$tmp/run.json")"
"$nb" emu "$fw/bootloader-broken-update-no-crc-nrf52840.elf" --board nrf52840 \
    --image "$tmp/damaged.img" --expect-uart '^app v1\.0\.0 running$' >"$tmp/out"
[ $? -eq 1 ] && grep -q "| app v3.0.0 running" "$tmp/out" ||
    fail "the bootloader without the CRC check did not run the damaged image: $(cat "$tmp/out")"
echo "update_boot: ok (install $install_ops and revert $revert_ops flash operations; 16 cuts)"
