#!/bin/sh
# The command line's promises: --help on every command exits 0; unknown commands and flags get
# one clear message on stderr and exit 2; `presets --json` is a JSON array of the presets.
# Usage: cli_usage.sh PATH/TO/norbench
set -u
nb=$1
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() { # expect CODE PATTERN ARGS... : exit code and a stderr/stdout line matching PATTERN
    code=$1 pattern=$2
    shift 2
    "$nb" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$code" ]; then
        echo "FAIL: norbench $* exited $got, expected $code"; fails=$((fails + 1)); return
    fi
    if ! grep -q -- "$pattern" "$tmp/out" "$tmp/err"; then
        echo "FAIL: norbench $* printed nothing matching '$pattern'"; cat "$tmp/out" "$tmp/err"
        fails=$((fails + 1)); return
    fi
    if [ "$code" -eq 2 ] && [ "$(grep -c "^norbench" "$tmp/err")" -ne 1 ]; then
        echo "FAIL: norbench $* should print exactly one error line starting with norbench"; cat "$tmp/err"
        fails=$((fails + 1)); return
    fi
    echo "ok: norbench $*"
}

expect 2 "missing command"
expect 0 "usage: norbench" --help
expect 2 "unknown command 'frobnicate'" frobnicate
for cmd in presets demo bench validate run powercut merge image; do
    expect 0 "usage: norbench $cmd" "$cmd" --help
    expect 2 "unknown option '--no-such-flag'" "$cmd" --no-such-flag
done
# --dump-image names a matrix's or --preset's images NAME.PRESET.bin, and says so.
expect 0 "DIR/NAME.PRESET.bin" run --help
expect 2 "unknown option '-x'" presets -x
expect 2 "--json takes no value" presets --json=yes
expect 2 "expected one benchmark" bench
expect 2 "unknown benchmark 'nope' (expected sim, engine, seqstore, tdb, fs, powercut or emu)" bench nope
expect 0 "seqstore  sequential-storage's own map and queue" bench --help
expect 2 "unknown option '--no-such-flag'" bench seqstore --no-such-flag
expect 2 "--seed expects a non-negative integer" demo --seed banana
expect 2 "unknown preset 'nope'" demo --preset nope
expect 2 "expected info or dump, then an image FILE" image
expect 2 "unknown action 'show' (expected info or dump)" image show x.bin
expect 2 "image info expects one image FILE" image info
expect 2 "image dump expects one image FILE" image dump a.bin b.bin
expect 2 "--sector goes with 'image dump'" image info x.bin --sector 1
expect 2 "--json goes with 'image info'" image dump x.bin --json
expect 2 "--sector expects a non-negative integer" image dump x.bin --sector two
expect 2 "no-such.bin: cannot read the image: No such file or directory" image info "$tmp/no-such.bin"
expect 0 "image " --help

"$nb" presets --json >"$tmp/presets.json" || { echo "FAIL: presets --json"; fails=$((fails + 1)); }
python3 - "$tmp/presets.json" <<'PY' || fails=$((fails + 1))
import json, sys
presets = json.load(open(sys.argv[1]))
names = sorted(p["name"] for p in presets)
want = sorted(["w25q128jv", "w25q16jv", "stm32f4-1m", "stm32l4-1m", "stm32h7-2m", "nrf52840", "samd21", "tiny"])
assert names == want, names
for p in presets:
    for k in ("total_bytes", "sectors", "write_unit", "erase_value", "max_writes_per_unit", "ecc", "endurance", "timing", "source"):
        assert k in p, (p["name"], k)
    assert sum(s["count"] * s["size"] for s in p["sectors"]) == p["total_bytes"], p["name"]
    assert p["erase_preprogram"] is False, p["name"]
    bus = (p["timing"]["program_ns_per_byte"], p["timing"]["read_ns_per_call"])
    assert bus == ((60, 150) if p["page_size"] else (0, 0)), (p["name"], bus)
print("ok: presets --json lists the eight presets, their geometry adds up, bus times are given")
PY

echo "$fails failed"
[ "$fails" -eq 0 ]
