/* The smallest firmware that uses the engine, for `make size`: it takes the address of every
 * public function of map and queue (and, built with SIZE_FIRMWARE_LAYER, of one layer above
 * them), so that a link with --gc-sections keeps each of them and everything they reach, libgcc
 * helpers included, and drops nothing a real product could call. It is only linked, never run.
 * The inspection (nbs_inspect) is left out: a diagnostic for tools on the host (the GUI, the
 * reports), not something a product links to store and queue. */
#include "nbs.h"
#include "nbs_fs.h"
#include "nbs_kv.h"
#include "nbs_kvmap.h"
#include "nbs_part.h"
#include "nbs_tdb.h"
#include "nbs_update.h"

/* SIZE_FIRMWARE_CORE=1: only mount, store, fetch, remove, push, peek and pop. */
#ifndef SIZE_FIRMWARE_CORE
#define SIZE_FIRMWARE_CORE 0
#endif
/* The layer kept besides map and queue: its cost is this firmware's bytes less map+queue's. */
#define SIZE_LAYER_NONE     0
#define SIZE_LAYER_TXN      1  /* multi-key transactions (nbs_txn.c's writing side) */
#define SIZE_LAYER_PART     2  /* the partition table */
#define SIZE_LAYER_RAW      3  /* raw partition access (with the partition lookup it calls) */
#define SIZE_LAYER_KV       4  /* key-value domains (with the transactions it stages into) */
#define SIZE_LAYER_KVMAP    5  /* the Map façade, write-through */
#define SIZE_LAYER_KVMAP_WB 6  /* the Map façade with its write-back RAM variant */
#define SIZE_LAYER_UPDATE   7  /* firmware update slots: the writer's side (the application) */
#define SIZE_LAYER_BOOT     8  /* firmware update slots: the bootloader's side (boot, confirm) */
#define SIZE_LAYER_TDB      9  /* the TDBStore-shaped store, incremental sets included */
#define SIZE_LAYER_FS       10 /* the file system, every call (with the transactions it commits) */
#ifndef SIZE_FIRMWARE_LAYER
#define SIZE_FIRMWARE_LAYER SIZE_LAYER_NONE
#endif

typedef void (*any_function)(void);

static const any_function public_functions[] = {
    (any_function)nbs_map_mount,       (any_function)nbs_map_store,
    (any_function)nbs_map_fetch,       (any_function)nbs_map_remove,
    (any_function)nbs_queue_mount,     (any_function)nbs_queue_push,
    (any_function)nbs_queue_peek,      (any_function)nbs_queue_pop,
#if !SIZE_FIRMWARE_CORE
    (any_function)nbs_cache_bytes,     (any_function)nbs_work_bytes_min,
    (any_function)nbs_item_overhead,   (any_function)nbs_strerror,
    (any_function)nbs_map_erase_all,   (any_function)nbs_map_remove_all,
    (any_function)nbs_map_has,         (any_function)nbs_map_count,
    (any_function)nbs_map_space,       (any_function)nbs_map_max_value,
    (any_function)nbs_map_iter_init,   (any_function)nbs_map_iter_next,
    (any_function)nbs_queue_erase_all, (any_function)nbs_queue_count,
    (any_function)nbs_queue_max_push,  (any_function)nbs_queue_space,
    (any_function)nbs_queue_max_item,  (any_function)nbs_queue_iter_init,
    (any_function)nbs_queue_iter_next, (any_function)nbs_queue_iter_pop_current,
#endif
#if SIZE_FIRMWARE_LAYER == SIZE_LAYER_TXN
    (any_function)nbs_map_txn_begin,   (any_function)nbs_map_txn_store,
    (any_function)nbs_map_txn_remove,  (any_function)nbs_map_txn_commit,
    (any_function)nbs_map_txn_abort,   (any_function)nbs_map_txn_member_bytes,
    (any_function)nbs_map_txn_max,
#elif SIZE_FIRMWARE_LAYER == SIZE_LAYER_PART
    (any_function)nbs_part_check, (any_function)nbs_part_find,   (any_function)nbs_part_next,
#elif SIZE_FIRMWARE_LAYER == SIZE_LAYER_RAW
    (any_function)nbs_raw_open,   (any_function)nbs_raw_close,   (any_function)nbs_raw_status_get,
    (any_function)nbs_raw_read,   (any_function)nbs_raw_write,   (any_function)nbs_raw_erase,
#elif SIZE_FIRMWARE_LAYER == SIZE_LAYER_KV
    (any_function)nbs_kv_format_width, (any_function)nbs_kv_buffer_bytes,
    (any_function)nbs_kv_init,         (any_function)nbs_kv_erase_all,
    (any_function)nbs_kv_max_value,    (any_function)nbs_kv_open,
    (any_function)nbs_kv_close,        (any_function)nbs_kv_read,
    (any_function)nbs_kv_write,        (any_function)nbs_kv_delete,
    (any_function)nbs_kv_txn_write,    (any_function)nbs_kv_txn_delete,
    (any_function)nbs_kv_keys_init,    (any_function)nbs_kv_keys_next,
    (any_function)nbs_kv_domains_init, (any_function)nbs_kv_domains_next,
#elif SIZE_FIRMWARE_LAYER == SIZE_LAYER_KVMAP || SIZE_FIRMWARE_LAYER == SIZE_LAYER_KVMAP_WB
    (any_function)nbs_kvmap_open,        (any_function)nbs_kvmap_get,
    (any_function)nbs_kvmap_set,         (any_function)nbs_kvmap_has,
    (any_function)nbs_kvmap_delete,      (any_function)nbs_kvmap_clear,
    (any_function)nbs_kvmap_size,        (any_function)nbs_kvmap_iter_init,
    (any_function)nbs_kvmap_iter_next,
#if SIZE_FIRMWARE_LAYER == SIZE_LAYER_KVMAP_WB
    (any_function)nbs_kvmap_wb_open,     (any_function)nbs_kvmap_flush,
    (any_function)nbs_kvmap_dirty_bytes, (any_function)nbs_kvmap_wb_record_bytes,
#endif
#elif SIZE_FIRMWARE_LAYER == SIZE_LAYER_UPDATE
    (any_function)nbs_update_slots_check, (any_function)nbs_update_status_get,
    (any_function)nbs_update_open,        (any_function)nbs_update_write,
    (any_function)nbs_update_write_at,    (any_function)nbs_update_progress,
    (any_function)nbs_update_complete,    (any_function)nbs_update_close,
    (any_function)nbs_update_confirm,
#elif SIZE_FIRMWARE_LAYER == SIZE_LAYER_BOOT
    (any_function)nbs_update_boot,
#elif SIZE_FIRMWARE_LAYER == SIZE_LAYER_TDB
    (any_function)nbs_tdb_buffer_bytes, (any_function)nbs_tdb_init,
    (any_function)nbs_tdb_set,          (any_function)nbs_tdb_get,
    (any_function)nbs_tdb_get_info,     (any_function)nbs_tdb_remove,
    (any_function)nbs_tdb_reset,        (any_function)nbs_tdb_max_value,
    (any_function)nbs_tdb_set_start,    (any_function)nbs_tdb_set_add_data,
    (any_function)nbs_tdb_set_finalize, (any_function)nbs_tdb_set_abort,
    (any_function)nbs_tdb_iter_open,    (any_function)nbs_tdb_iter_next,
    (any_function)nbs_tdb_reserved_set, (any_function)nbs_tdb_reserved_get,
#elif SIZE_FIRMWARE_LAYER == SIZE_LAYER_FS
    (any_function)nbs_fs_buffer_bytes, (any_function)nbs_fs_init,
    (any_function)nbs_fs_max_file,     (any_function)nbs_fs_dir_open,
    (any_function)nbs_fs_dir_close,    (any_function)nbs_fs_mkdir,
    (any_function)nbs_fs_delete,       (any_function)nbs_fs_move,
    (any_function)nbs_fs_status_of,    (any_function)nbs_fs_link,
    (any_function)nbs_fs_readlink,     (any_function)nbs_fs_scan_open,
    (any_function)nbs_fs_scan_next,    (any_function)nbs_fs_open,
    (any_function)nbs_fs_read,         (any_function)nbs_fs_write,
    (any_function)nbs_fs_file_status,  (any_function)nbs_fs_set_size,
    (any_function)nbs_fs_flush,        (any_function)nbs_fs_close,
#endif
};

/* The entry point (-e): calls each function through a pointer the compiler cannot follow. */
void size_firmware_entry(void) {
    for (unsigned i = 0; i < sizeof public_functions / sizeof *public_functions; i++) {
        any_function volatile f = public_functions[i];
        f();
    }
}
