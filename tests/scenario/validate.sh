#!/bin/sh
# `norbench validate` on the scenario files: the examples in scenarios/examples are valid
# and exit 0, named one by one or as their folder (an empty folder is an error); each malformed file in tests/scenario/bad exits 2 with exactly one message, the
# one in its .expect sidecar, prefixed by the file name; --json reports the same; the examples
# also pass the JSON Schema when python3-jsonschema is installed.
# Usage: validate.sh PATH/TO/norbench SOURCE_DIR
set -u
nb=$1
src=$2
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Valid files.
for f in "$src"/scenarios/examples/*.json; do
    if "$nb" validate "$f" >"$tmp/out" 2>"$tmp/err"; then
        grep -q "^$f: ok" "$tmp/out" || fail "validate $f printed no 'ok' line"
        [ -s "$tmp/err" ] && fail "validate $f wrote to stderr: $(cat "$tmp/err")"
        echo "ok: $f is valid"
    else
        fail "validate $f exited $?: $(cat "$tmp/err")"
    fi
done
"$nb" validate --quiet "$src"/scenarios/examples/*.json >"$tmp/out" 2>&1 || fail "validate --quiet examples"
[ -s "$tmp/out" ] && fail "validate --quiet printed: $(cat "$tmp/out")"

# Malformed files: exit 2, one line, the expected message.
for f in "$src"/tests/scenario/bad/*.json; do
    want="$f:$(cat "${f%.json}.expect")"
    "$nb" validate "$f" >"$tmp/out" 2>"$tmp/err"
    code=$?
    [ "$code" -eq 2 ] || { fail "validate $f exited $code, expected 2"; continue; }
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || { fail "validate $f printed $(wc -l <"$tmp/err") lines"; cat "$tmp/err"; continue; }
    [ "$(cat "$tmp/err")" = "$want" ] || { fail "validate $f said: $(cat "$tmp/err")"; echo "    expected: $want"; continue; }
    printf 'ok: %s: %s\n' "$(basename "$f")" "$(cut -d' ' -f2- "$tmp/err")"
done

# A valid and an invalid file together: exit 2; unreadable files: exit 2 with one message.
"$nb" validate "$src/scenarios/examples/map-basics.json" "$src/tests/scenario/bad/empty.json" >/dev/null 2>&1
[ $? -eq 2 ] || fail "a valid plus an invalid file should exit 2"
"$nb" validate "$tmp/missing.json" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ "$(cat "$tmp/err")" = "norbench validate: $tmp/missing.json: no such file or folder" ] ||
    fail "missing file: $(cat "$tmp/err")"

# Folders, as run and powercut take them: every *.json below; an empty one is an error.
"$nb" validate "$src/scenarios/examples" >"$tmp/out" 2>"$tmp/err" || fail "validate DIR exited $?: $(cat "$tmp/err")"
[ "$(grep -c ': ok (' "$tmp/out")" -eq "$(ls "$src"/scenarios/examples/*.json | wc -l)" ] ||
    fail "validate DIR did not check every example: $(cat "$tmp/out")"
mkdir "$tmp/empty"
"$nb" validate "$tmp/empty" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ "$(cat "$tmp/err")" = "norbench validate: $tmp/empty: no scenario files (*.json) in this folder" ] ||
    fail "empty folder: $(cat "$tmp/err")"
# Images' sidecars (IMAGE.json beside IMAGE, as --dump-image writes them into a scenario folder)
# are not scenarios: run, validate and powercut skip them, as they skip *.schema.json.
mkdir "$tmp/with-images"
cp "$src/scenarios/examples/map-basics.json" "$tmp/with-images/"
"$nb" run --quiet --dump-image "$tmp/with-images/dumps" "$tmp/with-images" >/dev/null 2>&1 ||
    fail "run --dump-image exited $?"
[ -f "$tmp/with-images/dumps/map-basics.bin.json" ] || fail "no sidecar: $(ls -R "$tmp/with-images")"
for cmd in "validate" "run --quiet" "powercut --dry-run --quiet"; do
    # shellcheck disable=SC2086
    "$nb" $cmd "$tmp/with-images" >"$tmp/out" 2>"$tmp/err" ||
        fail "$cmd on a folder with an image exited $?: $(head -3 "$tmp/err")"
done
"$nb" validate "$tmp/with-images" >"$tmp/out" 2>&1
[ "$(grep -c ': ok (' "$tmp/out")" -eq 1 ] || fail "validate with an image: $(cat "$tmp/out")"
# The check of the file system's open handles walks a repeat's steps a second time only when the
# first pass changed what is open: 19 nested repeats (JSON nesting allows no more) around 2,000
# balanced opens and closes validate at once (walking every repeat twice took 2^19 passes).
{
    printf '{"name":"nested","flash":{"preset":"tiny"},"engine":{"type":"fs"},"steps":['
    i=0; while [ $i -lt 19 ]; do printf '{"repeat":{"times":2,"steps":['; i=$((i + 1)); done
    i=0; while [ $i -lt 2000 ]; do
        printf '{"fs_open":{"path":"f","mode":"w+","handle":"h"}},{"fs_close":{"handle":"h"}},'
        i=$((i + 1))
    done
    printf '{"fs_dir_open":{"path":"","handle":"d"}}'
    i=0; while [ $i -lt 19 ]; do printf ']}}'; i=$((i + 1)); done
    printf ']}'
} >"$tmp/nested.json"
timeout 60 "$nb" validate "$tmp/nested.json" >"$tmp/out" 2>&1 ||
    fail "nested repeats of opens and closes: $(cat "$tmp/out")"
# A scenario beside an unrelated file of its name without ".json" is no sidecar: still checked.
mkdir "$tmp/beside"
cp "$src/scenarios/examples/map-basics.json" "$tmp/beside/settings.json"
echo "not an image" >"$tmp/beside/settings"
"$nb" validate "$tmp/beside" >"$tmp/out" 2>&1
[ "$(grep -c ': ok (' "$tmp/out")" -eq 1 ] || fail "a scenario beside a text file was skipped: $(cat "$tmp/out")"
# A file with three mistakes: validate, run and powercut (named as a folder) print the same three
# messages, and exit 2.
mkdir "$tmp/three"
printf '{"name":"x","flash":{"preset":"tiny","bogus":1},"engine":{"type":"map","x":2},"steps":[]}' >"$tmp/three/bad.json"
"$nb" validate "$tmp/three" >/dev/null 2>"$tmp/want"
[ "$(wc -l <"$tmp/want")" -eq 3 ] || fail "validate of three mistakes: $(cat "$tmp/want")"
for cmd in "run --quiet" "powercut --quiet"; do
    # shellcheck disable=SC2086
    "$nb" $cmd "$tmp/three" >/dev/null 2>"$tmp/err"
    code=$?
    [ "$code" -eq 2 ] && grep -v '^ERROR ' "$tmp/err" | cmp -s - "$tmp/want" ||
        fail "$cmd of three mistakes exited $code and said: $(cat "$tmp/err")"
done
"$nb" validate >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "expected at least one scenario FILE" "$tmp/err" || fail "no FILE: $(cat "$tmp/err")"

# --json: one result per file, with line, column, path and message.
"$nb" validate --json "$src/scenarios/examples/queue-basics.json" "$src/tests/scenario/bad/unknown-field.json" >"$tmp/results.json"
[ $? -eq 2 ] || fail "validate --json with an invalid file should exit 2"
python3 - "$tmp/results.json" <<'PY' || fails=$((fails + 1))
import json, sys
results = json.load(open(sys.argv[1]))
assert [r["valid"] for r in results] == [True, False], results
assert results[0]["name"] == "queue-basics" and results[0]["steps"] == 17, results[0]
e = results[1]["errors"]
assert len(e) == 1 and (e[0]["line"], e[0]["column"]) == (3, 3), e
assert e[0]["message"] == "unknown field 'sed' in the scenario; did you mean 'seed'?", e
print("ok: validate --json")
PY

# The JSON Schema accepts the examples and rejects a sample of the malformed files.
if python3 -c "import jsonschema" 2>/dev/null; then
    python3 - "$src" <<'PY' || fails=$((fails + 1))
import glob, json, sys, jsonschema
src = sys.argv[1]
schema = json.load(open(src + "/scenarios/scenario.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for f in sorted(glob.glob(src + "/scenarios/examples/*.json")):
    errors = list(v.iter_errors(json.load(open(f))))
    assert not errors, (f, [e.message for e in errors])
rejected = 0
for name in ["unknown-field", "unknown-field-in-step", "unknown-operation", "wrong-type",
             "out-of-range", "missing-field", "missing-argument", "two-operations",
             "unknown-torn-mode", "fraction", "wrong-expect", "empty-steps", "bad-duration"]:
    doc = json.load(open(src + "/tests/scenario/bad/" + name + ".json"))
    assert list(v.iter_errors(doc)), name + " passes the schema"
    rejected += 1
print("ok: the schema accepts the examples and rejects %d malformed files" % rejected)
PY
else
    echo "skip: python3-jsonschema not installed"
fi

echo "$fails failed"
[ "$fails" -eq 0 ]
