#!/bin/sh
# `norbench gui` from the command line, headless: --help; a screenshot is a valid PNG of the
# window's size (its chunk CRCs and zlib stream checked by Python's zlib; a flipped byte is
# caught); every bundled example scenario and a saved image open; the demo workload and torn
# cuts on fs and tdb scenarios and on an fs image are refused, with the reason; a matrix says
# which preset it shows and --preset picks another; the stats panel's lifetime waits for 10
# erases of the most erased page; bad input (a missing file, a
# folder, a malformed scenario, a truncated image, bad flags, a font that is none, --select and
# --at past what the source holds, --pages below 2, an output file that cannot be written) is
# one message naming it and exit 2; SIGTERM stops a long --steps (exit 130).
# Usage: gui_cli.sh PATH/TO/norbench SCENARIOS-DIR
set -u
nb=$1
scenarios=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "gui/cli: $*" >&2; exit 1; }

"$nb" gui --help >"$tmp/help" 2>&1 || fail "gui --help exited $?"
grep -q -- "--headless" "$tmp/help" || fail "gui --help does not list --headless"

# check_png FILE W H: a PNG of W x H whose chunks' CRCs and zlib stream are right.
check_png() {
    python3 - "$1" "$2" "$3" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
pos, idat, size = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
    assert zlib.crc32(kind + body) == crc, "bad CRC in chunk %r" % kind
    if kind == b"IHDR": size = struct.unpack(">II", body[:8])
    if kind == b"IDAT": idat += body
    pos += 12 + n
w, h = int(sys.argv[2]), int(sys.argv[3])
assert size == (w, h), "size %r, not %r" % (size, (w, h))
assert len(zlib.decompress(idat)) == h * (w * 3 + 1), "wrong amount of pixel data"
PY
}

"$nb" gui --headless --preset tiny --steps 20 --width 800 --height 600 \
    --screenshot "$tmp/shot.png" >"$tmp/out" 2>&1 || fail "headless screenshot: $(cat "$tmp/out")"
check_png "$tmp/shot.png" 800 600 || fail "the screenshot is not a valid 800x600 PNG"
# Broken variant: one byte of the pixel data flipped is caught.
python3 -c "
import sys; d = bytearray(open(sys.argv[1], 'rb').read()); d[200] ^= 0x40
open(sys.argv[2], 'wb').write(d)" "$tmp/shot.png" "$tmp/bad.png"
check_png "$tmp/bad.png" 800 600 2>/dev/null && fail "a corrupted PNG passed the check"

# A long run of short workload steps keeps its snapshots thinned without end: each step's own
# snapshot once doubled the snapshot spacing until it wrapped to 0 (a division by zero at about
# 70,000 steps); the timeline must still scrub back (a snapshot left on the grid) afterwards.
"$nb" gui --headless --steps 100000 --state-out "$tmp/long.state" >"$tmp/out" 2>&1 ||
    fail "100000 workload steps: exit $? $(cat "$tmp/out")"

# Every example scenario opens headless (it runs first), and so does a saved image.
for f in "$scenarios"/examples/*.json; do
    "$nb" gui --headless "$f" --select 0 --screenshot "$tmp/s.png" >"$tmp/out" 2>&1 ||
        fail "$f: $(cat "$tmp/out")"
done
"$nb" run "$scenarios/examples/map-basics.json" --dump-image "$tmp/img" >/dev/null 2>&1
img=$(ls "$tmp"/img/*.bin | head -n 1)
"$nb" gui --headless "$img" --screenshot "$tmp/i.png" >"$tmp/out" 2>&1 || fail "image: $(cat "$tmp/out")"

# The demo workload runs only where the engine's adapter offers a map's or a queue's operations:
# on an fs or a tdb store, w at the end is refused with a status line (no workload starts, a step
# runs nothing), and a torn cut (t, then c) falls between operations, as nothing is there to
# tear. Both once called the adapter's missing push() (a NULL call: SIGSEGV, exit 139).
# expect_state WHAT STATE LINE: the state file holds LINE exactly.
expect_state() {
    grep -qxF -- "$3" "$2" || fail "$1: no line '$3' in the state: $(cat "$2")"
}
printf 'key End\nkey w\nkey Right\nwait 1\n' >"$tmp/w.script"
printf 'key End\nkey t\nkey c\nwait 1\n' >"$tmp/torn.script"
for pair in fs:fs-partition-nrf52840 tdb:tdb-ops; do
    engine=${pair%%:*}
    f=$scenarios/suite/${pair#*:}.json
    none="no demo workload for the $engine engine (it offers no map or queue operations; a scenario's steps drive it)"
    "$nb" gui --headless "$f" --script "$tmp/w.script" --state-out "$tmp/w.state" >"$tmp/out" 2>&1 ||
        fail "$f: w and a step at the end: exit $?: $(cat "$tmp/out")"
    expect_state "$f: w" "$tmp/w.state" "workload_on 0"
    expect_state "$f: w" "$tmp/w.state" "workload_ops 0"
    expect_state "$f: w" "$tmp/w.state" "status the end of the scenario (pass): $none"
    "$nb" gui --headless "$f" --script "$tmp/torn.script" --state-out "$tmp/torn.state" >"$tmp/out" 2>&1 ||
        fail "$f: a torn cut at the end: exit $?: $(cat "$tmp/out")"
    expect_state "$f: t c" "$tmp/torn.state" "powered 0"
    expect_state "$f: t c" "$tmp/torn.state" "status power cut between operations, none to tear: $none"
done
# w alone says so at once (the status line of the refusal itself).
printf 'key End\nkey w\nwait 1\n' >"$tmp/w-only.script"
"$nb" gui --headless "$scenarios/suite/fs-partition-nrf52840.json" --script "$tmp/w-only.script" \
    --state-out "$tmp/w.state" >"$tmp/out" 2>&1 || fail "fs: w: exit $?: $(cat "$tmp/out")"
expect_state "fs: w" "$tmp/w.state" "status no demo workload for the fs engine (it offers no map or queue operations; a scenario's steps drive it)"
# An image of a file system opens as the map beneath it, without the workload (which would
# write k00..k23 among the file system's records): --steps run nothing and w is refused.
"$nb" run "$scenarios/suite/fs-ops.json" --preset tiny --dump-image "$tmp/fsimg" >/dev/null 2>&1
"$nb" gui --headless "$tmp/fsimg/fs-ops.tiny.bin" --steps 5 --script "$tmp/w.script" \
    --state-out "$tmp/fs-image.state" >"$tmp/out" 2>&1 || fail "fs image: exit $?: $(cat "$tmp/out")"
expect_state "fs image" "$tmp/fs-image.state" "workload_on 0"
expect_state "fs image" "$tmp/fs-image.state" "workload_ops 0"
grep -q "^status the end of the timeline: no demo workload on this image: its map holds keys it did not write" \
    "$tmp/fs-image.state" || fail "fs image: $(grep ^status "$tmp/fs-image.state")"
# ... while the map image saved above (its keys all removed) and a demo store still run it.
"$nb" gui --headless "$img" --steps 5 --state-out "$tmp/map-image.state" >"$tmp/out" 2>&1 ||
    fail "map image: exit $?: $(cat "$tmp/out")"
expect_state "map image" "$tmp/map-image.state" "workload_ops 5"

# A scenario with a matrix shows one preset and says so; --preset runs it on another. An update
# scenario's title names the map's partition and the update slots beside it.
"$nb" gui --headless "$scenarios/suite/tdb-ops.json" --state-out "$tmp/matrix.state" >"$tmp/out" 2>&1 ||
    fail "matrix: exit $?: $(cat "$tmp/out")"
expect_state "matrix" "$tmp/matrix.state" "status a matrix of 3 presets (tiny, nrf52840, stm32h7-2m): shown on tiny; --preset NAME runs it on another"
"$nb" gui --headless "$scenarios/suite/tdb-ops.json" --preset nrf52840 --state-out "$tmp/matrix.state" >"$tmp/out" 2>&1 ||
    fail "matrix --preset: exit $?: $(cat "$tmp/out")"
expect_state "matrix --preset" "$tmp/matrix.state" "title tdb-ops (nrf52840, tdb)"
expect_state "matrix --preset" "$tmp/matrix.state" "verdict pass"
# A preset the matrix does not list is the demo store's device only: the scenario's own runs.
"$nb" gui --headless "$scenarios/suite/tdb-ops.json" --preset samd21 --state-out "$tmp/matrix.state" >"$tmp/out" 2>&1 ||
    fail "matrix --preset samd21: exit $?: $(cat "$tmp/out")"
expect_state "matrix --preset samd21" "$tmp/matrix.state" "title tdb-ops (tiny, tdb)"
"$nb" gui --headless "$scenarios/suite/update-upgrade-w25q16.json" --state-out "$tmp/update.state" >"$tmp/out" 2>&1 ||
    fail "update: exit $?: $(cat "$tmp/out")"
expect_state "update" "$tmp/update.state" "title update-upgrade-w25q16 (w25q16jv, map on partition store, update slots beside it)"

# The stats panel's lifetime: no projection from a few erases (200 demo steps on 8 pages erase
# the most erased one about 5 times in 0.3 s of simulated time), one from 10 erases on.
"$nb" gui --headless --pages 8 --steps 200 --state-out "$tmp/life.state" >"$tmp/out" 2>&1 ||
    fail "lifetime, 200 steps: exit $?: $(cat "$tmp/out")"
grep -qx "lifetime not enough wear yet (max [0-9] erases; 10 needed)" "$tmp/life.state" ||
    fail "lifetime after 200 steps: $(grep ^lifetime "$tmp/life.state")"
"$nb" gui --headless --pages 8 --steps 3000 --state-out "$tmp/life.state" >"$tmp/out" 2>&1 ||
    fail "lifetime, 3000 steps: exit $?: $(cat "$tmp/out")"
grep -qx "lifetime [0-9.]* [a-z]* more (max [0-9]* of 25000 erases)" "$tmp/life.state" ||
    fail "lifetime after 3000 steps: $(grep ^lifetime "$tmp/life.state")"

# s and x save under the first free number: two windows in one folder keep both of each.
mkdir "$tmp/saves"
printf 'key s\nkey x\nwait 1\n' >"$tmp/save.script"
for i in 1 2; do
    (cd "$tmp/saves" && "$nb" gui --headless --preset tiny --script "$tmp/save.script") \
        >"$tmp/out" 2>&1 || fail "saving: $(cat "$tmp/out")"
done
for f in gui-image-1.bin gui-image-2.bin gui-image-2.bin.json gui-shot-1.png gui-shot-2.png; do
    [ -f "$tmp/saves/$f" ] || fail "after two windows saved, $f is missing: $(ls "$tmp/saves")"
done

# Bad input: one message (a usage error adds a hint line after it), exit 2.
expect_usage() {
    what=$1; want=$2; shift 2
    "$nb" gui "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
    [ $rc -eq 2 ] || fail "$what: exit $rc, not 2"
    head -n 1 "$tmp/err" | grep -q -- "$want" || fail "$what: '$(cat "$tmp/err")' does not name $want"
    sed -n '2,$p' "$tmp/err" | grep -qv "^Try 'norbench gui --help'" &&
        fail "$what: more than one message: $(cat "$tmp/err")"
}
expect_usage "missing scenario" "$tmp/none.json" --headless "$tmp/none.json"
expect_usage "missing image" "$tmp/none.bin: cannot open it" --headless "$tmp/none.bin"
expect_usage "a folder" "$tmp: a folder" --headless "$tmp"
printf '{ "name": "x", "flash": { "preset": "tiny" }, "engine": { "type": "map" },\n  "steps": [ { "stor": {} } ] }' >"$tmp/bad.json"
expect_usage "malformed scenario" "bad.json:2:.*'stor'" --headless "$tmp/bad.json"
cp "$img" "$tmp/short.bin" && cp "$img.json" "$tmp/short.bin.json" && truncate -s 100 "$tmp/short.bin"
expect_usage "truncated image" "short.bin: the image is 100 bytes" --headless "$tmp/short.bin"
expect_usage "bad engine" "--engine" --headless --engine tree
expect_usage "bad preset" "--preset nope" --headless --preset nope
expect_usage "bad font" "--font" --headless --font "$tmp/shot.png"
expect_usage "screenshot without headless" "--headless" --screenshot "$tmp/x.png"
printf 'jump 3\n' >"$tmp/bad.script"
expect_usage "bad script" "bad.script:1" --headless --script "$tmp/bad.script"
# Start options past what the source holds: the option, its value and the valid range.
expect_usage "select past the pages" "^norbench gui: --select 64: expected 0 to 63 (the 64 pages of the store shown)\$" \
    --headless --select 64
expect_usage "select past the sectors" "^norbench gui: --select 99999: expected 0 to [0-9]* (the [0-9]* sectors of the device shown)\$" \
    --headless --sectors --select 99999
expect_usage "at past the timeline" "^norbench gui: --at 99999: expected 0 to [0-9]* (0: the start; [0-9]*: the timeline's last operation)\$" \
    --headless "$scenarios/examples/map-basics.json" --at 99999
expect_usage "at on an empty timeline" "^norbench gui: --at 1: expected 0, the timeline's start" --headless --at 1
# ... and at the edge, they are taken.
"$nb" gui --headless --select 63 --state-out "$tmp/edge.state" >"$tmp/out" 2>&1 &&
    grep -qx "selected 63" "$tmp/edge.state" || fail "--select 63: $(cat "$tmp/out")"
# --pages: a store needs two (0 and 1 were taken; 1 failed later, 0 meant every sector).
expect_usage "pages 0" "^norbench gui: --pages 0: expected 2 to 32767 (a store needs 2 pages; more than the device's first region has: all of them)\$" \
    --headless --pages 0
expect_usage "pages 1" "^norbench gui: --pages 1: expected 2 to 32767" --headless --pages 1
"$nb" gui --headless --preset tiny --pages 2 --state-out "$tmp/edge.state" >"$tmp/out" 2>&1 &&
    grep -qx "title demo map on tiny, 2 pages" "$tmp/edge.state" || fail "--pages 2: $(cat "$tmp/out")"
# A folder given as an output file is no file to write.
expect_usage "screenshot into a folder" "^norbench gui: --screenshot $tmp: cannot write it: Is a directory\$" \
    --headless --screenshot "$tmp"

# An output file that cannot be written: one message naming the flag, the file and why, exit 2
# (bad input, found before the window opens); headless, and with a script (which would run the
# window's loop first). It once ran first and failed at the end, exit 1.
printf 'wait 1\n' >"$tmp/wait.script"
for how in "" "--script $tmp/wait.script"; do
    for flag in --screenshot --state-out; do
        # shellcheck disable=SC2086 # $how is two words or none
        "$nb" gui --headless $how $flag "$tmp/none/out" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        [ $rc -eq 2 ] && [ "$(cat "$tmp/err")" = "norbench gui: $flag $tmp/none/out: cannot write it: No such file or directory" ] ||
            fail "$flag into a missing folder ${how:+(with $how)}: exit $rc: $(cat "$tmp/err")"
    done
done

# A long --steps stops at SIGTERM once SDL catches it (bit 14 of SigCgt: SIGTERM): one message,
# exit 130. The watchdog only ends a variant that would never stop.
"$nb" gui --headless --steps 100000000000 >"$tmp/out" 2>"$tmp/err" &
pid=$!
tries=0
while [ -r /proc/$pid/status ] && [ $tries -lt 600 ]; do
    mask=$(awk '/^SigCgt:/ { print $2 }' /proc/$pid/status)
    [ -n "$mask" ] && [ $(((0x$mask >> 14) & 1)) -eq 1 ] && break
    sleep 0.1
    tries=$((tries + 1))
done
kill -TERM $pid
(sleep 60 && kill -KILL $pid) >/dev/null 2>&1 &
watchdog=$!
wait $pid
rc=$?
kill $watchdog 2>/dev/null
[ $rc -eq 130 ] && grep -qx "norbench gui: interrupted after [0-9]* of the 100000000000 --steps" "$tmp/err" ||
    fail "SIGTERM during --steps: exit $rc: $(cat "$tmp/err")"
exit 0
