#!/bin/sh
# `norbench bench fs`: exit 0, the same JSON twice (no timing in it), the structure
# docs/benchmarks.md gives, and figures that hold for any honest count: every file byte is
# programmed at least once (the second time too), each overwrite programs at least its 4 KiB and
# the file's record (4 bytes per block id of a 100 KiB file), writes in a wrapped ring erase (the
# file written again at least the sectors it fills), and the table prints the JSON's figures. No wall-clock assertions.
# Usage: bench_fs.sh PATH/TO/norbench
set -u
nb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
"$nb" bench fs --json >"$tmp/a.json" || { echo "FAIL: bench fs --json exited $?"; fails=$((fails + 1)); }
"$nb" bench fs --json >"$tmp/b.json" || fails=$((fails + 1))
"$nb" bench fs >"$tmp/table.txt" || { echo "FAIL: bench fs exited $?"; fails=$((fails + 1)); }
cmp -s "$tmp/a.json" "$tmp/b.json" || { echo "FAIL: two runs printed different JSON"; fails=$((fails + 1)); }
python3 - "$tmp/a.json" "$tmp/table.txt" <<'PY' || fails=$((fails + 1))
import json, sys
doc = json.load(open(sys.argv[1]))
table = open(sys.argv[2]).read()
assert doc["benchmark"] == "fs" and doc["preset"] == "nrf52840", doc
assert "error" not in doc, doc
assert doc["file_bytes"] == 102400 and doc["write_bytes"] == 4096 and doc["page_size"] == 4096, doc
assert doc["raw"] == {"program_bytes": 102400, "erases": 25}, doc["raw"]
assert doc["block_bytes"] == 512 and doc["max_file"] >= 102400, doc
blocks = 102400 // doc["block_bytes"]
for run in ("write_file", "rewrite_file"):
    w = doc[run]
    assert w["program_bytes"] >= 102400 and w["program_calls"] > 0, (run, w)
    assert abs(w["programmed_per_raw_byte"] - w["program_bytes"] / 102400) < 1e-9, w
    assert "%12d" % w["program_bytes"] in table, (run, w["program_bytes"])
assert doc["rewrite_file"]["erases"] >= 25, doc["rewrite_file"]
for run in ("overwrite_first", "overwrite_wrapped"):
    t = doc[run]
    assert t["program_bytes"] >= 4096 + 4 * blocks, (run, t)
    assert abs(t["programmed_per_raw_byte"] - t["program_bytes"] / 4096) < 1e-9, t
    assert t["read_bytes"] > 0, (run, t)
    assert "%12d" % t["program_bytes"] in table, (run, t["program_bytes"])
assert doc["overwrite_wrapped"]["erases"] >= 1, doc["overwrite_wrapped"]
PY
[ "$fails" -eq 0 ] || { echo "bench_fs: $fails failure(s)"; exit 1; }
echo "bench_fs: ok"
