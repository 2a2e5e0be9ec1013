#!/bin/sh
# Prints one JSON line: .text/.data/.bss bytes of the engine built for Cortex-M4 at -Os, for
# map+queue without caches (nbs_nocache) and with all caches (nbs). Argument: the build dir.
set -eu
dir=$1
sizes() {
    arm-none-eabi-size -t "$1" | awk 'END { printf "{\"text\": %d, \"data\": %d, \"bss\": %d}", $1, $2, $3 }'
}
printf '{"target": "cortex-m4 -Os", "no_caches": %s, "all_caches": %s}\n' \
    "$(sizes "$dir/libnbs_nocache.a")" "$(sizes "$dir/libnbs.a")"
