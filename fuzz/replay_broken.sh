#!/bin/sh
# A fuzz target's replay built against a deliberately broken engine (engine/CMakeLists.txt) must
# report a finding (a FINDING message, holding TEXT when given, and a failing exit) on the corpus
# files whose names start with PREFIX; the real engine's replay passes them (the
# fuzz/replay_<target> tests).
# usage: replay_broken.sh <replay built with the broken engine> <corpus dir> <prefix> [TEXT]
exe=$1 dir=$2 prefix=$3 text=${4:-FINDING}
set -- "$dir/$prefix"*
if [ ! -f "$1" ]; then
    echo "replay_broken: no corpus file $dir/$prefix*" >&2
    exit 1
fi
out=$("$exe" "$@" 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
    echo "replay_broken: $exe replayed $# inputs with no finding: its flaw went unnoticed" >&2
    exit 1
fi
if ! printf '%s\n' "$out" | grep 'FINDING' | grep -qF "$text"; then
    printf '%s\n' "$out" | tail -n 20 >&2
    echo "replay_broken: $exe failed (exit $rc) without a finding saying '$text'" >&2
    exit 1
fi
printf '%s\n' "$out" | grep -E '^replay: |FINDING' | tail -n 2
echo "replay_broken: $exe reports a finding, as it must"
