#!/bin/sh
# `norbench bench emu` (docs/emu.md, Figures): exit 0, and in --json every figure present and
# positive, the --target ones (the agent's engine operations and powercut --target's cut points
# per second, each with the host's beside it) included; the table names both paths. Timing
# figures are checked for presence and sign only, never for their values.
# Usage: bench_emu.sh PATH/TO/norbench
set -u
nb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "bench_emu: $*" >&2; exit 1; }

"$nb" bench emu --json >"$tmp/emu.json" || fail "bench emu --json exited $?"
python3 - "$tmp/emu.json" <<'PY' || exit 1
import json, sys
doc = json.load(open(sys.argv[1]))
positive = ["instructions_per_second", "boot_us", "boot_simulated_us", "reboot_us",
            "campaign_tries", "campaign_tries_per_second", "target_engine_ops",
            "target_ops_per_second", "host_ops_per_second", "target_campaign_tries",
            "target_cut_points_per_second", "host_cut_points_per_second"]
for name in positive:
    assert name in doc, "bench emu --json has no %s: %s" % (name, sorted(doc))
    value = doc[name]
    assert isinstance(value, (int, float)) and value > 0, "%s is %r, not positive" % (name, value)
PY

"$nb" bench emu >"$tmp/emu.txt" || fail "bench emu exited $?"
grep -q "instructions per CPU second (flash hooks on)" "$tmp/emu.txt" || fail "no instructions line: $(cat "$tmp/emu.txt")"
grep -q "^--target nrf52840: the agent runs" "$tmp/emu.txt" || fail "no --target section: $(cat "$tmp/emu.txt")"
grep -q "engine operations per CPU second .*(host [0-9]" "$tmp/emu.txt" || fail "no engine operations line with the host's"
grep -q "powercut --target: cut points x torn modes/s .*(host [0-9]" "$tmp/emu.txt" || fail "no powercut --target line with the host's"
echo "bench_emu: ok"
