#!/bin/sh
# Campaigns that used to look green and are not: a scenario that fails without any cut (no cut
# point tried) is said so in the table row, the summary and the JSON, and keeps saying so
# through `norbench merge`; the rate column says what it counts; a clean campaign leaves no
# reproducer of an earlier one behind.
# Usage: false_greens.sh PATH/TO/norbench SCENARIO (a campaign scenario that passes)
set -u
norbench=$1
scenario=$2
. "$(dirname "$0")/common.sh"
cd "$tmp" || fail "cannot enter $tmp"

cat >"$tmp/fails.json" <<'JSON'
{ "name": "fails-alone", "flash": { "preset": "tiny" }, "engine": { "type": "map" },
  "steps": [ { "store": { "key": "a", "value": "1" } },
             { "fetch": { "key": "a" }, "expect": { "value": "2" } } ] }
JSON

# A scenario that fails without a cut: exit 1, a marked row, counted in the summary and JSON.
expect_exit 1 "$norbench" powercut "$tmp/fails.json" --jobs 1 --report "$tmp/alone"
grep -q "^fails-alone .* FAILS WITHOUT A CUT$" "$tmp/out" ||
    fail "no marked row for a scenario that fails without a cut: $(cat "$tmp/out")"
grep -q "^1 scenario: .*, 1 fails without a cut in" "$tmp/out" ||
    fail "the summary does not count it: $(cat "$tmp/out")"
grep -q "fails without any power cut: .*fails.json:3:14: steps\[1\]: fetch" "$tmp/err" ||
    fail "no reason on stderr: $(cat "$tmp/err")"
python3 - "$tmp/alone/powercut.json" <<'PY' || fail "powercut.json does not say it (above)"
import json, sys
r = json.load(open(sys.argv[1]))
s = r["scenarios"][0]
assert s["baseline"] == "failed", s
assert "fails without any power cut" in s["error"], s
assert r["totals"]["baseline_failed"] == 1, r["totals"]
PY
# Its dry run says it cannot be campaigned and fails as the campaign would, text or JSON.
expect_exit 1 "$norbench" powercut "$tmp/fails.json" "$scenario" --dry-run
grep -q "^plan: fails-alone: cannot be campaigned: the scenario fails without any power cut" \
    "$tmp/out" || fail "the dry run's plan does not say it: $(cat "$tmp/out")"
expect_exit 1 "$norbench" powercut "$tmp/fails.json" --dry-run --json
expect_exit 1 "$norbench" merge "$tmp/alone/powercut.json" --json
python3 - "$tmp/out" <<'PY' || fail "merge lost it (above)"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["scenarios"][0]["baseline"] == "failed", r["scenarios"][0]
assert r["totals"]["baseline_failed"] == 1, r["totals"]
PY

# The rate column counts verified tries (a cut point is tried in every torn mode), not cuts.
expect_exit 0 "$norbench" powercut "$scenario" --jobs 1 --torn none,full
head -1 "$tmp/out" | grep -q " tries/s$" || fail "the rate column: $(head -1 "$tmp/out")"

# A clean campaign leaves no reproducer of an earlier one behind, and removes only those.
name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$scenario")
mkdir -p "$tmp/powercut-failures"
for f in "$name-op3-program-bits" "$name-op12-erase-weak-r2-program-late" \
    "$name-notes" "$name-op3-program-bogus" "other-op3-program-bits" "$name-op3-program-bits.json"; do
    echo '{}' >"$tmp/powercut-failures/$f.json"
done
expect_exit 0 "$norbench" powercut "$scenario" --jobs 1 --torn none --quiet
for f in "$name-op3-program-bits" "$name-op12-erase-weak-r2-program-late"; do
    [ ! -e "$tmp/powercut-failures/$f.json" ] || fail "a stale reproducer stayed: $f.json"
done
for f in "$name-notes" "$name-op3-program-bogus" "other-op3-program-bits" "$name-op3-program-bits.json"; do
    [ -e "$tmp/powercut-failures/$f.json" ] || fail "a file norbench did not write was removed: $f.json"
done

# A passing one says "passed" and counts nothing.
expect_exit 0 "$norbench" powercut "$scenario" --jobs 1 --torn none --json
python3 - "$tmp/out" <<'PY' || fail "a passing scenario's baseline (above)"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["scenarios"][0]["baseline"] == "passed", r["scenarios"][0]
assert r["totals"]["baseline_failed"] == 0, r["totals"]
PY
echo "false_greens: ok"
