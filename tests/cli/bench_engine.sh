#!/bin/sh
# `norbench bench engine --json`, the verdicts of its reads-per-operation goals: each is judged
# on its figure (95%/10% ratio, count reads per page) and only an engine error voids it; a push
# refused by a full queue (NBS_E_FULL, no drop-oldest) is expected and counted apart. The erase
# spread is judged at steady wear: every page erased often enough that where the ring is in its
# lap ((k + 2) / k at k erases a page) cannot decide the goal. No wall-clock assertions.
# Usage: bench_engine.sh PATH/TO/norbench
set -u
nb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$nb" bench engine --json >"$tmp/engine.json" || { echo "FAIL: bench engine --json exited $?"; exit 1; }

python3 - "$tmp/engine.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
fill = doc["reads_per_operation"]
rows = {(w["preset"], w["store"], w["cache"], w["fill_percent"]): w for w in fill["workloads"]}
for key, w in rows.items():
    assert w["failed_operations"] == 0, ("an operation failed with an engine error", key, w)
    assert "error" not in w, (key, w["error"])
# The 95% rows of the queue do refuse pushes: the case the verdict must not count as a failure.
assert any(w["refused_operations"] > 0 for w in fill["workloads"]), "no refused push to judge"
checked = 0
for g in fill["goals"]:
    if g["goal"] == "queue_reads_independent_of_fill":
        low = rows[(g["preset"], "queue", g["cache"], 10)]["per_operation"][g["operation"]]
        high = rows[(g["preset"], "queue", g["cache"], 95)]["per_operation"][g["operation"]]
        ratio = high["read_calls_per_op"] / low["read_calls_per_op"]
        assert abs(ratio - g["value"]) < 1e-9, g
        assert g["met"] == (ratio <= fill["max_ratio_95_to_10_percent"]), g
    else:
        row = rows[(g["preset"], g["store"], "all", 95)]
        per_page = row["per_operation"]["count"]["read_calls_per_op"] / row["pages"]
        assert abs(per_page - g["value"]) < 1e-9, g
        assert g["met"] == (per_page <= fill["max_count_reads_per_page_all_caches"]), g
    checked += 1
assert checked == 3 * 3 * 2 + 3 * 2, checked

spread = doc["erase_spread"]
goal, steady = spread["max_erase_spread"], spread["min_erases_per_page"]
assert (steady + 2) / steady < goal, ("steady wear too low to beat the lap's quantisation", steady)
assert len(spread["results"]) == 3 * 2 * 3, len(spread["results"])
for r in spread["results"]:
    assert r["erase_min"] >= steady, ("steady wear not reached", r)
    assert r["operation_pairs"] >= doc["measured_operation_pairs"], r
    assert abs(r["value"] - r["erase_max"] / r["erase_min"]) < 1e-9, r
    assert r["met"] == (r["value"] < goal), r
PY
