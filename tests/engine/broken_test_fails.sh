#!/bin/sh
# A broken engine (engine/CMakeLists.txt: NBS_TDB_BROKEN_VARIANTS, NBS_FS_BROKEN_VARIANTS,
# kvmap-wb-held-ignored) must fail the one engine test that names its flaw, as an assertion (not a
# crash), while the real engine passes it.
# usage: broken_test_fails.sh <test executable built with the broken engine> <suite> <test name>
exe=$1 suite=$2 test=$3
out=$("$exe" --filter "$suite/$test" --jobs 1 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
    echo "broken_test_fails: $exe passed $suite/$test: its flaw went unnoticed" >&2
    exit 1
fi
if ! printf '%s\n' "$out" | grep -q "\[FAIL\] $suite::$test"; then
    printf '%s\n' "$out" >&2
    echo "broken_test_fails: $exe did not fail $suite/$test on an assertion (exit $rc)" >&2
    exit 1
fi
echo "broken_test_fails: $exe fails $suite/$test, as it must"
