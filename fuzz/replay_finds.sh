#!/bin/sh
# A replay that must report a finding: a fuzz target built with a deliberately broken engine
# (engine/CMakeLists.txt) replays a kept input and must stop on a FINDING line holding the text
# given (not pass, not crash otherwise).
# usage: replay_finds.sh <replay executable> <input file> <text of the finding>
exe=$1 input=$2 text=$3
out=$("$exe" "$input" 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
    echo "replay_finds: $exe passed $input: its flaw went unnoticed" >&2
    exit 1
fi
if ! printf '%s\n' "$out" | grep "FINDING" | grep -qF "$text"; then
    printf '%s\n' "$out" >&2
    echo "replay_finds: $exe stopped (exit $rc) without a finding saying '$text'" >&2
    exit 1
fi
echo "replay_finds: $exe finds '$text' in $input, as it must"
