#!/bin/sh
# Proof that the update layer's cut loop can fail: a broken update engine (update_cuts linked
# with nbs_broken_update-*) exits 1 on tiny at depth 1, and its report names the expected failure.
# Usage: update_broken.sh PATH/TO/update_cuts-VARIANT "WORDS OF THE FAILURE"
out=$("$1" tiny 1 2>&1)
code=$?
if [ "$code" -ne 1 ]; then
    echo "FAIL: $(basename "$1") exited $code, expected 1: $out"
    exit 1
fi
case "$out" in
*"$2"*) echo "ok: $(basename "$1") caught: $out" ;;
*) echo "FAIL: $(basename "$1") failed for another reason: $out"; exit 1 ;;
esac
