#!/bin/sh
# A broken engine (engine/CMakeLists.txt, NBS_TDB_BROKEN_VARIANTS) must fail the one test of
# test_tdb.c that names its flaw, as an assertion (not a crash), while the real engine passes it.
# usage: tdb_broken.sh <test_tdb built with the broken engine> <test name>
exe=$1 test=$2
out=$("$exe" --filter "tdb/$test" --jobs 1 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
    echo "tdb_broken: $exe passed tdb/$test: its flaw went unnoticed" >&2
    exit 1
fi
if ! printf '%s\n' "$out" | grep -q "\[FAIL\] tdb::$test"; then
    printf '%s\n' "$out" >&2
    echo "tdb_broken: $exe did not fail tdb/$test on an assertion (exit $rc)" >&2
    exit 1
fi
echo "tdb_broken: $exe fails tdb/$test, as it must"
