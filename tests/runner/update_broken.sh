#!/bin/sh
# Proof that the runner's update model can fail: norbench linked with an engine that skips the
# image CRC check (nbs_broken_update-no-crc) fails update-errors-w25q16 at the complete of the
# bad image, naming the reference model, and the real engine passes the same scenario.
# Usage: update_broken.sh PATH/TO/norbench PATH/TO/norbench-broken-update-no-crc SOURCE_DIR
set -u
scenario=$3/scenarios/suite/update-errors-w25q16.json
out=$("$2" run "$scenario" --quiet 2>&1)
code=$?
fails=0
if [ "$code" -ne 1 ]; then
    echo "FAIL: the broken engine exited $code, expected 1: $out"
    fails=1
else
    case "$out" in
    *"update_complete: expected update_image (the reference model), got success"*)
        echo "ok: caught: $out" ;;
    *) echo "FAIL: the broken engine failed for another reason: $out"; fails=1 ;;
    esac
fi
"$1" run "$scenario" --quiet >/dev/null 2>&1 || { echo "FAIL: the real engine fails $scenario"; fails=1; }
exit $fails
