#!/bin/sh
# `norbench bench tdb`: exit 0, the same JSON twice (no timing in it), the structure
# docs/benchmarks.md gives, and figures that hold for any honest count: every value byte is
# programmed at least once (no set programs fewer bytes than the value), a set that replaces
# the value in a wrapped ring erases at least the sectors the value fills, and the table prints
# the JSON's figures. No wall-clock assertions.
# Usage: bench_tdb.sh PATH/TO/norbench
set -u
nb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
"$nb" bench tdb --json >"$tmp/a.json" || { echo "FAIL: bench tdb --json exited $?"; fails=$((fails + 1)); }
"$nb" bench tdb --json >"$tmp/b.json" || fails=$((fails + 1))
"$nb" bench tdb >"$tmp/table.txt" || { echo "FAIL: bench tdb exited $?"; fails=$((fails + 1)); }
cmp -s "$tmp/a.json" "$tmp/b.json" || { echo "FAIL: two runs printed different JSON"; fails=$((fails + 1)); }
python3 - "$tmp/a.json" "$tmp/table.txt" <<'PY' || fails=$((fails + 1))
import json, sys
doc = json.load(open(sys.argv[1]))
table = open(sys.argv[2]).read()
assert doc["benchmark"] == "tdb" and doc["value_bytes"] == 65536, doc
assert [p["preset"] for p in doc["presets"]] == ["nrf52840", "w25q16jv"], doc["presets"]
for p in doc["presets"]:
    assert "error" not in p, p
    assert p["page_size"] == 4096 and p["raw"] == {"program_bytes": 65536, "erases": 16}, p
    for run in ("first_set", "replacing_set"):
        t = p[run]
        assert t["program_bytes"] >= 65536, (p["preset"], run, t)
        assert t["program_calls"] > 0 and t["read_bytes"] > 0, (p["preset"], run, t)
        assert abs(t["programmed_per_raw_byte"] - t["program_bytes"] / 65536) < 1e-9, t
        assert "%12d" % t["program_bytes"] in table, (run, t["program_bytes"])
    assert p["replacing_set"]["erases"] >= 16, p
PY
[ "$fails" -eq 0 ] || { echo "bench_tdb: $fails failure(s)"; exit 1; }
echo "bench_tdb: ok"
