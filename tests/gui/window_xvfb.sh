#!/bin/sh
# The real window (SDL's X11 driver) under Xvfb, driven by synthetic keys and clicks pushed into
# SDL's event queue (--script): cut the power inside a store (torn mode prefix), select the
# open page by clicking its tile, power on (the mount recovers it). --state-out says what the
# window ended with. Each check has a broken variant it must catch: without the power-on the
# store stays off and the page keeps its torn item; without the click nothing is selected.
# Usage: window_xvfb.sh PATH/TO/norbench
set -u
nb=$1
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
exit 0
