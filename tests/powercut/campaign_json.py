#!/usr/bin/env python3
"""Checks on `norbench powercut` / `norbench merge` JSON results (docs/powercut.md), shared by
the shell tests of this folder. Each command prints what it checked, or one line saying what
differs and exits 1.

  campaign_json.py caught RESULT            >= 1 failure; the reproducers listed are the files in
                                            reproducers/ next to RESULT, named after their
                                            failure, with a top-level `cut` at its op; prints
                                            their paths, one a line
  campaign_json.py passed RESULT            every scenario ran, no cut point failed, and no torn
                                            mode counts more flips than tries
  campaign_json.py same RESULT_A RESULT_B   same counts per scenario and in total, same failures
  campaign_json.py complete RESULT          options.shard is {"index": 1, "count": 1}
  campaign_json.py sum RESULT PART...       RESULT's counts (by_torn's flip counts included) and
                                            failures are the parts' added up
  campaign_json.py failures RESULT          prints totals.failures
  campaign_json.py interrupted RESULT        "complete": false, some cut points done: each
                                            incomplete scenario's "done" spans in order, and
                                            fewer cut points than a whole run
  campaign_json.py whole RESULT             "complete": true everywhere, no "done" spans
  campaign_json.py budget RESULT N          at most N tries per scenario, fewer cut points
                                            than the mode has, "coverage" their share
  campaign_json.py failures_in RESULT TEXT...
                                            >= 1 failure, and every failure message holds each
                                            TEXT (a known hole stays where it is)
"""
import json
import os
import sys

SCENARIO_COUNTS = ("flash_ops", "cut_points", "verified", "recovery_verified")
TOTAL_COUNTS = ("cut_points", "verified", "failures", "read_valid", "changed")
TORN_COUNTS = ("verified", "read_valid", "changed")


class Mismatch(Exception):
    pass


def load(path):
    with open(path) as f:
        result = json.load(f)
    if result.get("kind") != "powercut":
        raise Mismatch(f"{path}: 'kind' is {result.get('kind')!r}, not 'powercut'")
    return result


def failure_key(failure):
    """What names a failure: where the cut (and the recovery cut) landed and how it tore."""
    return tuple(failure.get(k) for k in ("op", "kind", "torn", "recovery_op", "recovery_kind",
                                          "recovery_torn"))


def by_file(result):
    return {s["file"]: s for s in result["scenarios"]}


def expect_equal(what, a, b):
    if a != b:
        raise Mismatch(f"{what}: {a!r} != {b!r}")


def reproducer_name(scenario, failure):
    name = f"{scenario['name']}-op{failure['op']}-{failure['kind']}-{failure['torn']}"
    if failure.get("recovery_op") is not None:
        name += f"-r{failure['recovery_op']}-{failure['recovery_kind']}-{failure['recovery_torn']}"
    return name + ".json"


def caught(path):
    result = load(path)
    if result["totals"]["failures"] < 1:
        raise Mismatch(f"{path}: totals.failures is {result['totals']['failures']}, expected >= 1")
    listed, reproducers = 0, []
    for scenario in result["scenarios"]:
        for failure in scenario["failures"]:
            listed += 1
            reproducer = failure["reproducer"]
            if reproducer is None:
                continue  # the campaign writes reproducers for the first failures only
            if not os.path.isfile(reproducer):
                raise Mismatch(f"{path}: failure at op {failure['op']}: no file {reproducer!r}")
            expect_equal(f"{reproducer}: file name", os.path.basename(reproducer),
                         reproducer_name(scenario, failure))
            with open(reproducer) as f:
                cut = json.load(f).get("cut") or {}
            expect_equal(f"{reproducer}: cut.op", cut.get("op"), failure["op"])
            reproducers.append(reproducer)
    expect_equal(f"{path}: failures listed against totals.failures", listed,
                 result["totals"]["failures"])
    if not reproducers:
        raise Mismatch(f"{path}: no failure has a reproducer")
    folder = os.path.join(os.path.dirname(path), "reproducers")
    expect_equal(f"{folder}: files", sorted(os.listdir(folder)),
                 sorted(os.path.basename(r) for r in reproducers))
    print("\n".join(reproducers))


def passed(path):
    result = load(path)
    for scenario in result["scenarios"]:
        if scenario["error"] is not None:
            raise Mismatch(f"{path}: {scenario['file']}: error {scenario['error']!r}")
        if scenario["failures"]:
            raise Mismatch(f"{path}: {scenario['file']}: {len(scenario['failures'])} failures, "
                           f"first {scenario['failures'][0]}")
        if scenario["cut_points"] < 1 or scenario["verified"] < scenario["cut_points"]:
            raise Mismatch(f"{path}: {scenario['file']}: {scenario['cut_points']} cut points, "
                           f"{scenario['verified']} verified")
    expect_equal(f"{path}: totals.failures", result["totals"]["failures"], 0)
    for scenario in result["scenarios"]:
        for mode, counts in scenario["by_torn"].items():
            if not counts["read_valid"] <= counts["verified"] >= counts["changed"]:
                raise Mismatch(f"{path}: {scenario['file']}: by_torn.{mode}: more flips than "
                               f"tries: {counts}")
    print(f"ok: {path}: {result['totals']['verified']} verified, no failures")


def same(path_a, path_b):
    a, b = load(path_a), load(path_b)
    expect_equal("scenario files", sorted(by_file(a)), sorted(by_file(b)))
    for file, sa in by_file(a).items():
        sb = by_file(b)[file]
        for count in SCENARIO_COUNTS + ("by_torn",):
            expect_equal(f"{file}: {count}", sa[count], sb[count])
        expect_equal(f"{file}: failures", sorted(map(failure_key, sa["failures"])),
                     sorted(map(failure_key, sb["failures"])))
    for count in TOTAL_COUNTS:
        expect_equal(f"totals.{count}", a["totals"][count], b["totals"][count])
    print(f"ok: {path_a} and {path_b}: same counts ({a['totals']['verified']} verified) and the "
          f"same {a['totals']['failures']} failures")


def complete(path):
    expect_equal(f"{path}: options.shard", load(path)["options"]["shard"],
                 {"index": 1, "count": 1})
    print(f"ok: {path}: the shards make one whole campaign")


def sum_of(path, part_paths):
    whole, parts = load(path), [load(p) for p in part_paths]
    for file, scenario in by_file(whole).items():
        shares = [by_file(p)[file] for p in parts]
        expect_equal(f"{file}: flash_ops in every share", {s["flash_ops"] for s in shares},
                     {scenario["flash_ops"]})
        for count in SCENARIO_COUNTS[1:]:
            expect_equal(f"{file}: {count}", scenario[count], sum(s[count] for s in shares))
        torn_sum = {}
        for share in shares:
            for mode, counts in share["by_torn"].items():
                total = torn_sum.setdefault(mode, dict.fromkeys(TORN_COUNTS, 0))
                for count in TORN_COUNTS:
                    total[count] += counts[count]
        expect_equal(f"{file}: by_torn", scenario["by_torn"], torn_sum)
        expect_equal(f"{file}: failures", sorted(map(failure_key, scenario["failures"])),
                     sorted(failure_key(f) for s in shares for f in s["failures"]))
    for count in TOTAL_COUNTS:
        expect_equal(f"totals.{count}", whole["totals"][count],
                     sum(p["totals"][count] for p in parts))
    print(f"ok: {path} adds up {len(parts)} shares: {whole['totals']['cut_points']} cut points, "
          f"{whole['totals']['failures']} failures")


def interrupted(path):
    result = load(path)
    expect_equal(f"{path}: totals.complete", result["totals"]["complete"], False)
    stopped = [s for s in result["scenarios"] if s["complete"] is False]
    if not stopped:
        raise Mismatch(f"{path}: no scenario says \"complete\": false")
    for scenario in stopped:
        last = -1
        for first, end in scenario["done"]:
            if not last < first <= end:
                raise Mismatch(f"{path}: {scenario['file']}: done spans out of order")
            last = end
    if not 0 < result["totals"]["cut_points"]:
        raise Mismatch(f"{path}: no cut point done before the stop")
    print(f"ok: {path}: interrupted after {result['totals']['cut_points']} cut points")


def whole(path):
    result = load(path)
    expect_equal(f"{path}: totals.complete", result["totals"]["complete"], True)
    for scenario in result["scenarios"]:
        expect_equal(f"{path}: {scenario['file']}: complete", scenario["complete"], True)
        expect_equal(f"{path}: {scenario['file']}: done", scenario.get("done"), None)
    print(f"ok: {path}: complete")


def budget(path, max_tries):
    result = load(path)
    for scenario in result["scenarios"]:
        name = f"{path}: {scenario['file']}"
        expect_equal(f"{name}: max_tries", scenario["max_tries"], int(max_tries))
        if not 0 < scenario["verified"] <= int(max_tries):
            raise Mismatch(f"{name}: {scenario['verified']} tries, budget {max_tries}")
        if not scenario["cut_points"] < scenario["mode_cut_points"]:
            raise Mismatch(f"{name}: the budget left all {scenario['cut_points']} cut points")
        expect_equal(f"{name}: coverage", scenario["coverage"],
                     scenario["cut_points"] / scenario["mode_cut_points"])
    print(f"ok: {path}: within {max_tries} tries per scenario")


def failures(path):
    print(load(path)["totals"]["failures"])


def failures_in(path, texts):
    result = load(path)
    listed = [f for s in result["scenarios"] for f in s["failures"]]
    errors = [s["error"] for s in result["scenarios"] if s["error"] is not None]
    if errors:
        raise Mismatch(f"{path}: a scenario could not run: {errors[0]!r}")
    if not listed:
        raise Mismatch(f"{path}: no failure")
    for failure in listed:
        for text in texts:
            if text not in failure["message"]:
                raise Mismatch(f"{path}: failure at op {failure['op']} lacks {text!r}: "
                               f"{failure['message'][:600]!r}")
    print(f"ok: {path}: {len(listed)} failures, each with {' and '.join(map(repr, texts))}")


COMMANDS = {"caught": (caught, 1), "passed": (passed, 1), "same": (same, 2),
            "complete": (complete, 1), "failures": (failures, 1),
            "interrupted": (interrupted, 1), "whole": (whole, 1), "budget": (budget, 2)}


def main(argv):
    if len(argv) >= 3 and argv[0] == "sum":
        return sum_of(argv[1], argv[2:])
    if len(argv) >= 3 and argv[0] == "failures_in":
        return failures_in(argv[1], argv[2:])
    command, arity = COMMANDS.get(argv[0] if argv else "", (None, 0))
    if not command or len(argv) != arity + 1:
        raise SystemExit(__doc__)
    command(*argv[1:])


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (Mismatch, KeyError, TypeError, ValueError, OSError) as e:
        print(f"FAIL: {type(e).__name__ if not isinstance(e, Mismatch) else 'mismatch'}: {e}")
        sys.exit(1)
