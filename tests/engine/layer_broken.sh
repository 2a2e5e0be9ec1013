#!/bin/sh
# A broken engine (engine/CMakeLists.txt: NBS_TDB_BROKEN_VARIANTS, NBS_FS_BROKEN_VARIANTS) must
# fail the one test of its layer's Criterion file (test_tdb.c, test_fs.c) that names its flaw, as
# an assertion (not a crash), while the real engine passes it.
# usage: layer_broken.sh <the test file built with the broken engine> <suite/test>
exe=$1 test=$2
out=$("$exe" --filter "$test" --jobs 1 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
    echo "layer_broken: $exe passed $test: its flaw went unnoticed" >&2
    exit 1
fi
if ! printf '%s\n' "$out" | grep -q "\[FAIL\] ${test%%/*}::${test#*/}"; then
    printf '%s\n' "$out" >&2
    echo "layer_broken: $exe did not fail $test on an assertion (exit $rc)" >&2
    exit 1
fi
echo "layer_broken: $exe fails $test, as it must"
