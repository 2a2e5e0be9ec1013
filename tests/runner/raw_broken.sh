#!/bin/sh
# Proof that the raw reference model can fail: each deliberately broken raw access of the engine
# (norbench-broken-raw-*, engine/src/nbs_internal.h) fails a suite scenario with a message that
# names the reference model, and the real engine passes the same scenario.
# Usage: raw_broken.sh PATH/TO/norbench PATH/TO/norbench-broken-raw-no-clamp
#        PATH/TO/norbench-broken-raw-skip-align SOURCE_DIR
set -u
real=$1
no_clamp=$2
skip_align=$3
suite=$4/scenarios/suite
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# caught BROKEN SCENARIO WORDS: BROKEN fails SCENARIO, its message holds WORDS and the model.
caught() {
    "$1" run "$suite/$2" --quiet >"$tmp/out" 2>&1
    code=$?
    if [ "$code" -ne 1 ]; then
        echo "FAIL: $(basename "$1") on $2 exited $code, expected 1: $(cat "$tmp/out")"
        fails=$((fails + 1))
    elif ! grep -q "$3.*(the reference model)" "$tmp/out"; then
        echo "FAIL: $(basename "$1") on $2 said: $(cat "$tmp/out")"
        fails=$((fails + 1))
    else
        echo "ok: $(basename "$1") caught on $2: $(grep -o 'steps\[.*' "$tmp/out" | head -1)"
    fi
    "$real" run "$suite/$2" --quiet >"$tmp/out" 2>&1 ||
        { echo "FAIL: the real engine fails $2: $(cat "$tmp/out")"; fails=$((fails + 1)); }
}

caught "$no_clamp" raw-ops-tiny.json "raw_read: expected 6 bytes (clamped to the end)"
caught "$skip_align" raw-ops-stm32f4.json "raw_write: expected error align"
[ "$fails" -eq 0 ] || exit 1
