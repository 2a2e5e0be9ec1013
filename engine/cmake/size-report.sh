#!/bin/sh
# Prints one JSON line: the engine built for Cortex-M4 at -Os, map + queue, without caches, error
# messages and the read-only mount (nbs_nocache) and with all of them (nbs).
#   no_caches, all_caches: .text/.data/.bss of the archive (every function, nothing linked);
#   messages: the .text the error messages add (NBS_WITH_MESSAGES=1, counted in all_caches);
#   read_only: the engine + libgcc bytes the read-only mount adds to firmware_map_queue
#     (NBS_WITH_READ_ONLY=1, counted in all_caches; SPEC 6.5), an option like the messages;
#   firmware_*: the library linked with --gc-sections into the smallest firmware that keeps
#     every public function of map and queue (engine/size/size_firmware.c): the engine's bytes,
#     libgcc's helpers it pulls (compiler runtime: 64-bit division and the like) and libc's
#     (memcpy, memset, ..., which a product has anyway). The goal of issue #12 (6 KiB) is
#     firmware_map_queue.engine_libgcc: map and queue without caches, messages and read-only
#     mount;
#   firmware_all_caches: the same with every cache, the messages and the read-only mount;
#   firmware_core: without caches, only mount, store, fetch, remove, push, peek and pop kept;
#   layers: what each layer above map and queue adds to firmware_map_queue (engine + libgcc
#     bytes), each linked alone beside map and queue: txn (transactions: begin, store, remove,
#     commit; reading TXN items is the map's and counted in it), part (the partition table),
#     raw (raw partition access, the partition lookup it calls included), kv (key-value
#     domains, the transactions it stages into included), kvmap (the Map façade, write-through)
#     and kvmap_wb (the façade with its write-back RAM variant), update (the update slots as the
#     application uses them: open, write, complete, status, confirm) and boot (the bootloader's
#     boot: the swap, its resume and the revert), tdb (the TDBStore-shaped store, incremental
#     sets included), fs (the file system, every call, the transactions it commits included).
#     None is in the map+queue figure;
#     nbs_inspect (a diagnostic for host tools) is in none of them.
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
code_bytes() { # "engine libgcc libc other" code bytes of a firmware's link map
    bytes=$(awk -f "$here/firmware-sizes.awk" "$1")
    case $bytes in 0\ *) echo "size-report: $1: no engine code found in the link map" >&2; exit 1 ;; esac
    echo "$bytes"
}
firmware() {
    code_bytes "$1" |
        awk '{ printf "{\"engine\": %d, \"libgcc\": %d, \"libc\": %d, \"engine_libgcc\": %d}", $1, $2, $3, $1 + $2 }'
}
layer() { # the engine + libgcc bytes the firmware of one layer (or option) adds to map+queue's
    with=$(code_bytes "$dir/size_firmware_$1.map")
    without=$(code_bytes "$dir/size_firmware_map_queue.map")
    added=$(echo "$with $without" | awk '{ print $1 + $2 - $5 - $6 }')
    # Nothing added: that firmware kept none of the layer (size_firmware.c's SIZE_LAYER_*).
    if [ "$added" -le 0 ]; then echo "size-report: $1 adds $added bytes to map+queue" >&2; exit 1; fi
    echo "$added"
}
read_only=$(layer read_only)
txn=$(layer txn)
part=$(layer part)
raw=$(layer raw)
kv=$(layer kv)
kvmap=$(layer kvmap)
kvmap_wb=$(layer kvmap_wb)
update=$(layer update)
boot=$(layer boot)
tdb=$(layer tdb)
fs=$(layer fs)
messages=$(( $(object_text "$dir/libnbs.a" nbs_strerror) - $(object_text "$dir/libnbs_nocache.a" nbs_strerror) ))
printf '{"target": "cortex-m4 -Os", "no_caches": %s, "all_caches": %s, "messages": %d, ' \
    "$(sizes "$dir/libnbs_nocache.a")" "$(sizes "$dir/libnbs.a")" "$messages"
printf '"firmware_map_queue": %s, "firmware_all_caches": %s, "firmware_core": %s, ' \
    "$(firmware "$dir/size_firmware_map_queue.map")" "$(firmware "$dir/size_firmware_all_caches.map")" \
    "$(firmware "$dir/size_firmware_core.map")"
printf '"read_only": %d, "layers": {"txn": %d, "part": %d, "raw": %d, "kv": %d, "kvmap": %d, ' \
    "$read_only" "$txn" "$part" "$raw" "$kv" "$kvmap"
printf '"kvmap_wb": %d, "update": %d, "boot": %d, "tdb": %d, "fs": %d}, "goal": 6144}\n' \
    "$kvmap_wb" "$update" "$boot" "$tdb" "$fs"
