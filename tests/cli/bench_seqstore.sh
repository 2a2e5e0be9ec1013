#!/bin/sh
# `norbench bench seqstore`: exit 0, the same JSON twice (no timing in it), the structure the
# docs promise (docs/benchmarks.md), sequential-storage's figures as issue #12 gives them, and
# our figures nonzero and self-consistent (caches save reads, never writes); the table shows
# the same figures. No wall-clock assertions.
# Usage: bench_seqstore.sh PATH/TO/norbench
set -u
nb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

"$nb" bench seqstore --json >"$tmp/a.json" || { echo "FAIL: bench seqstore --json exited $?"; fails=$((fails + 1)); }
"$nb" bench seqstore --json >"$tmp/b.json" || fails=$((fails + 1))
"$nb" bench seqstore >"$tmp/table.txt" || { echo "FAIL: bench seqstore exited $?"; fails=$((fails + 1)); }
cmp -s "$tmp/a.json" "$tmp/b.json" || { echo "FAIL: two runs printed different JSON"; fails=$((fails + 1)); }

python3 - "$tmp/a.json" "$tmp/table.txt" <<'PY' || fails=$((fails + 1))
import json, sys
def no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)
doc = json.load(open(sys.argv[1]), object_pairs_hook=no_duplicate_keys)
table = open(sys.argv[2]).read()
assert doc["benchmark"] == "seqstore", doc["benchmark"]
assert doc["device"] == {"pages": 4, "page_size": 256, "write_unit": 1,
                         "max_writes_per_unit": 2, "erase_value": 255}, doc["device"]
assert "6 KiB" in doc["code_size_goal"] and "make size" in doc["code_size_goal"]
runs = {(w["store"], w["cache"]): w for w in doc["workloads"]}
assert sorted(runs) == [("map", "all"), ("map", "none"), ("queue", "all"), ("queue", "none")], sorted(runs)
# Sequential-storage's figures (src/cache/tests.rs, as issue #12 reports them).
theirs = {("map", "none"): (233786, 1837101, 198, 50401), ("map", "all"): (14510, 150592, 198, 50401),
          ("queue", "none"): (165009, 651212, 149, 53299), ("queue", "all"): (9959, 89616, 149, 53299)}
figures = ("read_calls", "read_bytes", "program_calls", "program_bytes", "erases")
for key, w in runs.items():
    ss = w["sequential_storage"]
    assert (ss["read_calls"], ss["read_bytes"], ss["erases"], ss["program_bytes"]) == theirs[key], (key, ss)
    assert w["verdict"] in ("completed", "stopped"), (key, w["verdict"], w["detail"])
    assert w["detail"] == "completed" if w["verdict"] == "completed" else w["detail"].startswith("stopped: "), (key, w["detail"])
    ours = w["norbench"]
    for f in figures:
        assert isinstance(ours[f], int) and ours[f] > 0, (key, f, ours[f])
    assert ours["read_bytes"] >= ours["read_calls"] and ours["program_bytes"] >= ours["program_calls"], (key, ours)
    assert ours["erase_min"] <= ours["erase_max"] and ours["erase_max"] > 0, (key, ours)
    spread = ours["erase_spread"]
    assert spread == 0 if ours["erase_min"] == 0 else abs(spread - ours["erase_max"] / ours["erase_min"]) < 1e-9, (key, ours)
    assert w["operations"] > 0
    if w["verdict"] == "completed":
        assert w["operations"] == {"map": 4800, "queue": 8000}[key[0]], (key, w["operations"])
    goals = {g["figure"]: g for g in w["goals"]}
    assert sorted(goals) == ["erases", "program_bytes", "read_bytes", "read_calls"], sorted(goals)
    for name, g in goals.items():
        mine = ours["erases" if name == "erases" else name]
        assert abs(g["ratio"] - mine / ss[name if name != "erases" else "erases"]) < 1e-9, (key, name)
        assert g["met"] == (w["verdict"] == "completed" and g["ratio"] <= g["max_ratio"]), (key, name, g)
    assert "{:,}".format(ours["read_calls"]) in table and "{:,}".format(ss["read_calls"]) in table, key
    assert w["detail"] in table, (key, w["detail"])
for store in ("map", "queue"):
    none, cached = runs[(store, "none")], runs[(store, "all")]
    assert cached["cache_bytes"] > 0 and none["cache_bytes"] == 0, store
    if none["verdict"] == cached["verdict"] == "completed" or none["detail"] == cached["detail"]:
        # The same operations: the caches save reads and change no write.
        assert none["norbench"]["read_calls"] >= cached["norbench"]["read_calls"], store
        assert none["norbench"]["read_bytes"] >= cached["norbench"]["read_bytes"], store
        for f in ("program_calls", "program_bytes", "erases"):
            assert none["norbench"][f] == cached["norbench"][f], (store, f)
assert doc["all_goals_met"] == all(g["met"] for w in runs.values() for g in w["goals"])
print("ok: bench seqstore --json: 4 workloads, verdicts, figures nonzero and consistent, the table agrees")
PY
echo "$fails failed"
[ "$fails" -eq 0 ]
