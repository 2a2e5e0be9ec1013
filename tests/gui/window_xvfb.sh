#!/bin/sh
# The real window (SDL's X11 driver) under Xvfb, driven by synthetic keys and clicks pushed into
# SDL's event queue (--script): cut the power inside a store (torn mode prefix), select the
# open page by clicking its tile, power on (the mount recovers it). --state-out says what the
# window ended with. Each check has a broken variant it must catch: without the power-on the
# store stays off and the page keeps its torn item; without the click nothing is selected. The
# wheel over the timeline scrubs (over the map it does not), a resize lays the map out again,
# v shows every sector. A scenario dropped on the window (SDL_DROPFILE) replaces the demo; a
# missing file dropped keeps it and the status line names the file.
# Usage: window_xvfb.sh PATH/TO/norbench SCENARIOS-DIR
set -u
nb=$1
scenarios=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "gui/window: $*" >&2; exit 1; }
command -v xvfb-run >/dev/null || fail "xvfb-run is missing (make deps installs xvfb)"

# run NAME SCRIPT-LINES...: the window on a demo map of 4 pages after 30 workload steps.
run() {
    name=$1; shift
    printf '%s\n' "$@" >"$tmp/$name.script"
    SDL_VIDEODRIVER=x11 xvfb-run -a -s "-screen 0 1280x800x24" \
        "$nb" gui --preset tiny --pages 4 --steps 30 --seed 5 --width 1100 --height 700 \
        --script "$tmp/$name.script" --state-out "$tmp/$name.state" >"$tmp/$name.out" 2>&1 ||
        fail "$name: norbench gui exited $?: $(cat "$tmp/$name.out")"
}
field() { sed -n "s/^$2 //p" "$tmp/$1.state"; }
open_page() { sed -n 's/^page \([0-9]*\) open .*/\1/p' "$tmp/$1.state"; }

# Where the open page is before anything happens (the seeded workload decides it).
run before "wait 2"
page=$(open_page before)
[ -n "$page" ] || fail "no open page in: $(cat "$tmp/before.state")"
[ "$(field before powered)" = 1 ] || fail "before: the power is not on"

run full "wait 2" "key t" "key t" "key c" "wait 2" "click-page $page" "wait 2" "key p" "wait 2"
[ "$(field full cuts)" = 1 ] || fail "full: cuts $(field full cuts), not 1"
[ "$(field full powered)" = 1 ] || fail "full: the power is not on after p"
[ "$(field full mount)" = 0 ] || fail "full: the mount after p returned $(field full mount)"
[ "$(field full selected)" = "$page" ] || fail "full: selected $(field full selected), not $page"
[ -z "$(field full torn_items)" ] || fail "full: torn items left after the recovery"

# Broken variant: no power-on. The power stays off and the open page shows the torn store.
run nopower "wait 2" "key t" "key t" "key c" "wait 2" "click-page $page" "wait 2"
[ "$(field nopower powered)" = 0 ] || fail "nopower: the power is on without p"
[ -n "$(field nopower torn_items)" ] || fail "nopower: no torn item on page $page after the cut"

# Broken variant: no click. Nothing is selected.
run noclick "wait 2" "key t" "key t" "key c" "wait 2" "key p" "wait 2"
[ "$(field noclick selected)" = -1 ] || fail "noclick: page $(field noclick selected) selected"

# The wheel over the timeline steps back two flash operations; over the map (the broken
# variant: where it does not scrub) it leaves the cursor where it was.
set -- $(field before timeline)
tx=$(($1 + $3 / 2)) ty=$(($2 + $4 - 8)) end=$(field before cursor)
run wheel "wait 2" "wheel $tx $ty -1" "wheel $tx $ty -1" "wait 2"
[ "$(field wheel cursor)" = $((end - 2)) ] || fail "wheel: cursor $(field wheel cursor), not $((end - 2))"
run wheelmap "wait 2" "wheel 20 20 -1" "wait 2"
[ "$(field wheelmap cursor)" = "$end" ] || fail "wheelmap: the wheel over the map moved the cursor"

# A resize lays the map out again (smaller tiles in a smaller window); v shows every sector and
# a click selects one.
run resize "wait 2" "resize 640 480" "wait 4"
[ "$(field resize map)" != "$(field before map)" ] || fail "resize: the map kept $(field before map)"
[ "$(field resize map | sed 's/.*tile //')" -lt "$(field before map | sed 's/.*tile //')" ] ||
    fail "resize: tiles of $(field resize map) are not smaller than $(field before map)"
run sectors "wait 2" "key v" "wait 2" "click-page 2" "wait 2"
[ "$(field sectors view)" = sectors ] || fail "sectors: the view is $(field sectors view)"
[ "$(field sectors selected)" = 2 ] || fail "sectors: selected $(field sectors selected), not 2"

# A dropped scenario opens as the command line opens it: its title and verdict, its pages (the
# same as `gui FILE` with the same options shows). Broken variant: without the drop the demo stays.
cp "$scenarios/examples/power-cut.json" "$tmp/dropped scenario.json"
"$nb" gui --headless --preset tiny --pages 4 --seed 5 "$tmp/dropped scenario.json" --state-out "$tmp/direct.state" \
    >"$tmp/direct.out" 2>&1 || fail "the scenario does not open: $(cat "$tmp/direct.out")"
pages() { grep '^page ' "$tmp/$1.state" | sed 's/ erases .*//'; }
run drop "wait 2" "drop $tmp/dropped scenario.json" "wait 2"
[ "$(field drop title)" = "$(field direct title)" ] ||
    fail "drop: the title is '$(field drop title)', not '$(field direct title)'"
[ -n "$(field drop verdict)" ] && [ "$(field drop verdict)" = "$(field direct verdict)" ] ||
    fail "drop: the verdict is '$(field drop verdict)', not '$(field direct verdict)'"
[ "$(pages drop)" = "$(pages direct)" ] || fail "drop: the pages are not the scenario's"
[ "$(field drop title)" != "$(field before title)" ] || fail "drop: the demo's title is the scenario's"
run nodrop "wait 2" "wait 2"
[ "$(field nodrop title)" != "$(field direct title)" ] || fail "nodrop: the scenario opened undropped"

# A missing file dropped: the demo stays (title, pages) and the status line names the file.
run dropmissing "wait 2" "drop $tmp/missing.json" "wait 2"
[ "$(field dropmissing title)" = "$(field before title)" ] ||
    fail "dropmissing: the title is '$(field dropmissing title)', not the demo's"
[ "$(pages dropmissing)" = "$(pages before)" ] || fail "dropmissing: the demo's pages changed"
field dropmissing status | grep -qF "$tmp/missing.json" ||
    fail "dropmissing: the status '$(field dropmissing status)' does not name the file"
exit 0
