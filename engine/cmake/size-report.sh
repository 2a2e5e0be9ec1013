#!/bin/sh
# Prints one JSON line: the engine built for Cortex-M4 at -Os, map + queue, without caches and
# error messages (nbs_nocache) and with all caches and messages (nbs).
#   no_caches, all_caches: .text/.data/.bss of the archive (every function, nothing linked);
#   messages: the .text the error messages add (NBS_WITH_MESSAGES=1, counted in all_caches);
#   firmware_*: the library linked with --gc-sections into the smallest firmware that keeps
#     every public function (engine/size/size_firmware.c): the engine's bytes, libgcc's helpers
#     it pulls (compiler runtime: 64-bit division and the like) and libc's (memcpy, memset, ...,
#     which a product has anyway). The goal of issue #12 is engine + libgcc without caches;
#   firmware_core: without caches, only mount, store, fetch, remove, push, peek and pop kept.
#   kv: the .text the key-value layer (nbs_kv.c, over the map) adds, in the build without caches
#     and messages; the firmware figures leave it out (size_firmware.c keeps map and queue only).
#   tdb: the same for the TDBStore-shaped store (nbs_tdb.c and nbs_tdb_big.c, over the map).
# Argument: the build dir.
set -eu
dir=$1
here=$(dirname "$0")
sizes() {
    arm-none-eabi-size -t "$1" | awk 'END { printf "{\"text\": %d, \"data\": %d, \"bss\": %d}", $1, $2, $3 }'
}
object_text() { # text of one source's object in an archive
    arm-none-eabi-size "$1" | awk -v o="$2" '$6 ~ o { print $1 }'
}
firmware() {
    bytes=$(awk -f "$here/firmware-sizes.awk" "$1")
    case $bytes in 0\ *) echo "size-report: $1: no engine code found in the link map" >&2; exit 1 ;; esac
    echo "$bytes" |
        awk '{ printf "{\"engine\": %d, \"libgcc\": %d, \"libc\": %d, \"engine_libgcc\": %d}", $1, $2, $3, $1 + $2 }'
}
messages=$(( $(object_text "$dir/libnbs.a" nbs_strerror) - $(object_text "$dir/libnbs_nocache.a" nbs_strerror) ))
kv=$(object_text "$dir/libnbs_nocache.a" nbs_kv)
tdb=$(( $(object_text "$dir/libnbs_nocache.a" 'nbs_tdb[.]') + $(object_text "$dir/libnbs_nocache.a" nbs_tdb_big) ))
fw_no_caches=$(firmware "$dir/size_firmware_nbs_nocache.map")
fw_all_caches=$(firmware "$dir/size_firmware_nbs.map")
fw_core=$(firmware "$dir/size_firmware_core.map")
printf '{"target": "cortex-m4 -Os", "no_caches": %s, "all_caches": %s, "messages": %d, ' \
    "$(sizes "$dir/libnbs_nocache.a")" "$(sizes "$dir/libnbs.a")" "$messages"
printf '"firmware_no_caches": %s, "firmware_all_caches": %s, "firmware_core": %s, "kv": %d, "tdb": %d, "goal": 6144}\n' \
    "$fw_no_caches" "$fw_all_caches" "$fw_core" "$kv" "$tdb"
