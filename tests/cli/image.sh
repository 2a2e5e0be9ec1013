#!/bin/sh
# Flash images from the outside: `norbench run --dump-image DIR` saves each run's flash (a
# failed run's at its failure); `norbench image info` and `image dump` show what one holds; a
# scenario with "flash": {"image": ...} starts from it, its items the truth (an image of random
# bytes, which holds no store, with a note that the engine formatted it); and a truncated,
# corrupted or mismatched image is one message naming the file and the problem, exit 2.
# Usage: image.sh PATH/TO/norbench
set -u
nb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "image: $*" >&2; exit 1; }

cat >"$tmp/make.json" <<'JSON'
{ "name": "make", "flash": { "preset": "tiny" }, "engine": { "type": "map" },
  "matrix": { "preset": ["tiny"] },
  "steps": [ { "store": { "key": "a", "value": "1" } }, { "store": { "key": "b", "value": "2" } },
             { "store": { "key": "a", "value": "3" } } ] }
JSON
cat >"$tmp/stop.json" <<'JSON'
{ "name": "stop", "flash": { "preset": "tiny" }, "engine": { "type": "map" },
  "steps": [ { "store": { "key": "x", "value": "1" } },
             { "fetch": { "key": "x" }, "expect": { "value": "2" } },
             { "store": { "key": "never", "value": "written" } } ] }
JSON
"$nb" run "$tmp/make.json" "$tmp/stop.json" --dump-image "$tmp/img" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "run --dump-image exited $rc, not 1: $(cat "$tmp/out")"
# A --dump-image folder that cannot be written is found before anything runs: no table.
: >"$tmp/a-file"
"$nb" run "$tmp/make.json" --dump-image "$tmp/a-file" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "run --dump-image A-FILE exited $rc, not 2"
[ "$(cat "$tmp/err")" = "norbench run: $tmp/a-file: cannot write the images there: Not a directory" ] ||
    fail "run --dump-image A-FILE said: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "run --dump-image A-FILE ran: $(cat "$tmp/out")"
[ -f "$tmp/img/make.tiny.bin" ] && [ -f "$tmp/img/make.tiny.bin.json" ] ||
    fail "no make.tiny.bin(.json): $(ls "$tmp/img")"
[ "$(wc -c <"$tmp/img/make.tiny.bin")" -eq 1024 ] || fail "make.tiny.bin is not 1024 bytes"
# The failed run's image is the flash at its failure: x is there, "never" is not.
grep -q "x1" "$tmp/img/stop.bin" || fail "stop.bin does not hold x"
grep -q "never" "$tmp/img/stop.bin" && fail "stop.bin holds a store after the failure"

"$nb" image info "$tmp/img/make.tiny.bin" >"$tmp/out" 2>&1 || fail "image info: $(cat "$tmp/out")"
grep -q "^preset  *tiny$" "$tmp/out" || fail "image info: no preset line: $(cat "$tmp/out")"
grep -q "^size  *1024 bytes in 4 sectors: 4 x 256 bytes$" "$tmp/out" || fail "image info: size: $(cat "$tmp/out")"
grep -q "^write unit  *1 byte, erase value 0xFF$" "$tmp/out" || fail "image info: write unit: $(cat "$tmp/out")"
# Format 3: the three stores go to the first page, erased once before it is opened.
grep -q "^erase counts  *min 0, max 1, mean 0.25, total 1$" "$tmp/out" || fail "image info: erase counts: $(cat "$tmp/out")"
"$nb" image info "$tmp/img/make.tiny.bin" --json >"$tmp/info.json" || fail "image info --json"
python3 - "$tmp/info.json" <<'PY' || fail "image info --json"
import json, sys
i = json.load(open(sys.argv[1]))
assert i["preset"] == "tiny" and i["total_bytes"] == 1024 and i["write_unit"] == 1, i
assert i["sectors"] == [{"count": 4, "size": 256}] and len(i["erase_counts"]) == 4, i
assert i["erase_summary"] == {"min": 0, "max": 1, "total": 1}, i
assert 0 < i["programmed_bytes"] < 1024 and i["sectors_used"] == 1, i
PY
"$nb" image dump "$tmp/img/make.tiny.bin" --sector 0 >"$tmp/out" 2>&1 || fail "image dump"
grep -q "^sector 0 at 0x00000000, 256 bytes$" "$tmp/out" || fail "image dump: no sector header"
# The page header (map, version 3, generation 0: 0x58; seq 1; tail distance 0), its DONE and
# KILL bytes erased, then the first item: its seal, key length 1, length field 4 (a 1-byte
# value), a CRC, then "a1".
grep -q "^00000000  58 01 00 00 ff ff 00 01 04 .. .. .. .. 61 31 " "$tmp/out" ||
    fail "image dump: first line: $(head -3 "$tmp/out")"
grep -q "^sector 1" "$tmp/out" && fail "image dump --sector 0 printed sector 1"

# A scenario that starts from the image: what it held is the truth.
cp "$tmp/img/make.tiny.bin" "$tmp/img/make.tiny.bin.json" "$tmp/"
cat >"$tmp/use.json" <<'JSON'
{ "name": "use", "flash": { "preset": "tiny", "image": "make.tiny.bin" }, "engine": { "type": "map" },
  "steps": [ { "fetch": { "key": "a" }, "expect": { "value": "3" } },
             { "count": {}, "expect": { "value": 2 } },
             { "store": { "key": "c", "value": "4" } }, { "check": {} } ] }
JSON
"$nb" run "$tmp/use.json" >"$tmp/out" 2>&1 || fail "a scenario from an image failed: $(cat "$tmp/out")"
grep -q "^note:" "$tmp/out" && fail "an image holding a store has a note: $(cat "$tmp/out")"
# An image of random bytes holds no store: the engine's mount formats it, and the run says so
# (it passed silently), in the table and in the JSON.
python3 -c "import random, sys; random.seed(5); sys.stdout.buffer.write(bytes(random.randrange(256) for _ in range(1024)))" \
    >"$tmp/noise.bin"
cp "$tmp/make.tiny.bin.json" "$tmp/noise.bin.json"
cat >"$tmp/noise.json" <<'JSON'
{ "name": "noise", "flash": { "preset": "tiny", "image": "noise.bin" }, "engine": { "type": "fs" },
  "steps": [ { "fs_mkdir": { "path": "/a" } } ] }
JSON
"$nb" run "$tmp/noise.json" >"$tmp/out" 2>&1 || fail "a scenario on random bytes failed: $(cat "$tmp/out")"
grep -qx "note: noise: flash.image held no store (4 of the engine's 4 pages programmed, none of them its own): the engine formatted it" \
    "$tmp/out" || fail "random bytes as an image, no note: $(cat "$tmp/out")"
"$nb" run "$tmp/noise.json" --json >"$tmp/out" 2>&1 || fail "noise --json: $(cat "$tmp/out")"
python3 -c "import json, sys; r = json.load(open(sys.argv[1]))['scenarios'][0]; assert r['note'].startswith('flash.image held no store'), r" \
    "$tmp/out" || fail "random bytes as an image, no note in the JSON: $(cat "$tmp/out")"
"$nb" run "$tmp/use.json" --json >"$tmp/out" 2>&1 && ! grep -q '"note"' "$tmp/out" ||
    fail "an image holding a store has a note in the JSON: $(cat "$tmp/out")"

expect_bad() { # expect_bad PATTERN: use.json exits 2 with one message matching PATTERN
    "$nb" run "$tmp/use.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
    [ $rc -eq 2 ] || fail "exited $rc, not 2, for: $1"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "not one message: $(cat "$tmp/err")"
    grep -q "^$tmp/use.json:1:56: flash.image: $1" "$tmp/err" || fail "said: $(cat "$tmp/err") expected: $1"
}
sed 's/"tiny", "image"/"tiny", "sectors": 2, "image"/' "$tmp/use.json" >"$tmp/use2.json"
"$nb" run "$tmp/use2.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "a mismatched image exited $rc"
grep -q "flash.image: $tmp/make.tiny.bin: the image holds 1024 bytes; the flash ('tiny') has 512" "$tmp/err" ||
    fail "mismatch message: $(cat "$tmp/err")"
head -c 1000 "$tmp/img/make.tiny.bin" >"$tmp/make.tiny.bin"
expect_bad "$tmp/make.tiny.bin: the image is 1000 bytes; its sidecar says 1024 (truncated)"
cp "$tmp/img/make.tiny.bin" "$tmp/"
sed 's/"total_bytes":.*/"total_bytes": 2048,/' "$tmp/img/make.tiny.bin.json" >"$tmp/make.tiny.bin.json"
expect_bad "$tmp/make.tiny.bin.json: the sectors add up to 1024 bytes, but total_bytes is 2048"
printf '{"format": "norbench-image", "vers' >"$tmp/make.tiny.bin.json"
expect_bad "$tmp/make.tiny.bin.json: the sidecar is not valid JSON"
rm "$tmp/make.tiny.bin.json"
expect_bad "$tmp/make.tiny.bin.json: cannot read the sidecar: No such file or directory"
"$nb" validate "$tmp/use.json" >/dev/null 2>&1 && fail "validate accepted a missing image"
# A missing image says why and where (resolved against the scenario's folder); a folder is
# named as one, not by the sidecar a folder has not got.
sed 's/"image": "make.tiny.bin"/"image": "no-such.bin"/' "$tmp/use.json" >"$tmp/use-missing.json"
"$nb" validate "$tmp/use-missing.json" >/dev/null 2>"$tmp/err"
grep -qxF "$tmp/use-missing.json:1:56: flash.image: $tmp/no-such.bin: cannot read the image: No such file or directory" "$tmp/err" ||
    fail "a missing image: $(cat "$tmp/err")"
mkdir "$tmp/a-folder"
sed 's/"image": "make.tiny.bin"/"image": "a-folder"/' "$tmp/use.json" >"$tmp/use-folder.json"
"$nb" validate "$tmp/use-folder.json" >/dev/null 2>"$tmp/err"
grep -qxF "$tmp/use-folder.json:1:56: flash.image: $tmp/a-folder: is a folder, not an image file" "$tmp/err" ||
    fail "an image that is a folder: $(cat "$tmp/err")"
"$nb" image info "$tmp/a-folder" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && [ "$(cat "$tmp/err")" = "norbench image: $tmp/a-folder: is a folder, not an image file" ] ||
    fail "image info on a folder exited $rc: $(cat "$tmp/err")"

# A sidecar naming no preset norbench has: shown, with a warning naming the field.
cp "$tmp/img/make.tiny.bin" "$tmp/odd.bin"
sed 's/"tiny"/"nope"/' "$tmp/img/make.tiny.bin.json" >"$tmp/odd.bin.json"
"$nb" image info "$tmp/odd.bin" >"$tmp/out" 2>"$tmp/err" || fail "image info on an unknown preset exited $?"
[ "$(cat "$tmp/err")" = "norbench image: warning: $tmp/odd.bin.json: preset 'nope' is not one of norbench's presets (norbench presets); the sidecar's geometry is taken as it is" ] ||
    fail "image info on an unknown preset said: $(cat "$tmp/err")"
grep -q "^preset  *nope$" "$tmp/out" || fail "image info on an unknown preset: $(cat "$tmp/out")"
"$nb" image info "$tmp/img/make.tiny.bin" >/dev/null 2>"$tmp/err"
[ ! -s "$tmp/err" ] || fail "image info on a known preset warned: $(cat "$tmp/err")"

# `image` itself: one message and exit 2 for a bad image.
printf 'not json' >"$tmp/make.tiny.bin.json"
"$nb" image info "$tmp/make.tiny.bin" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "image info on a corrupted sidecar exited $rc"
grep -q "^norbench image: $tmp/make.tiny.bin.json: the sidecar is not valid JSON$" "$tmp/err" ||
    fail "image info said: $(cat "$tmp/err")"
echo "image: ok"
