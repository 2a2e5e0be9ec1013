/* The engine adapter: the one small interface through which the scenario runner drives a
 * storage engine (mount/format, store/fetch/remove, push/peek/pop, count, iterate), so that the
 * built-in engine on the host, the same engine inside emulated firmware, a naive baseline and a
 * user's own engine are interchangeable. Results use the engine's error vocabulary (NBS_E_*),
 * which is also the vocabulary of scenario expectations. */
#ifndef NORBENCH_ADAPTER_H
#define NORBENCH_ADAPTER_H

#include "nbs.h"
#include "nbs_part.h"
#include "nor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an adapter provides (the same bits as the scenario format's SCENARIO_CAN_*). */
enum {
    ADAPTER_CAN_MAP = 1u << 0,
    ADAPTER_CAN_QUEUE = 1u << 1,
    ADAPTER_CAN_KV = 1u << 2,
    ADAPTER_CAN_KVMAP = 1u << 3,
    ADAPTER_CAN_TDB = 1u << 4,
    ADAPTER_CAN_FS = 1u << 5,
};

/* Flags of push(). */
enum { ADAPTER_PUSH_DROP_OLDEST = 1u << 0 };

/* Where on the device an engine lives and which RAM caches it uses (NBS_CACHE_* bits). */
typedef struct adapter_config {
    uint32_t start;     /* first byte of the range the engine owns */
    uint32_t size;      /* bytes: a whole number of pages */
    uint32_t page_size; /* one or more whole, equal sectors */
    unsigned cache_flags;
    uint32_t cache_max_keys;
    bool cache_check;
    /* The Map façade (type "kvmap"): write-back with this much RAM for its records and this
     * threshold of dirty bytes (0: flush when asked); write-through when write_back is false. */
    bool write_back;
    uint32_t write_back_ram, write_back_threshold;
    bool key_rules; /* the TDBStore-shaped store: TDBStore's key rule (nbs_tdb_init) */
    /* Where create() may say, in one sentence, why it refuses to run here (an engine on an
     * emulated board whose flash does not match the scenario's); NULL: nowhere. */
    char *why;
    size_t why_size;
} adapter_config;

/* Called by iterate() for each item, oldest first for a queue. Setting *pop_current pops the
 * entry just visited (queues only). Returning non-zero stops the iteration, and iterate()
 * returns that value. */
typedef int (*adapter_visit_fn)(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                                size_t value_len, bool *pop_current);

typedef struct adapter adapter;

/* One write of a transaction (commit()). */
typedef struct adapter_write {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value; /* a store's value (NULL when empty or a removal) */
    size_t value_len;
    bool remove;
} adapter_write;

/* Key-value domains (ADAPTER_CAN_KV; nbs_kv.h's vocabulary: formats are nbs_kv_format values).
 * The adapter keeps the open domains by name, at most ADAPTER_KV_OPEN_MAX at once (opening
 * another is NBS_E_FULL, opening an open name again reopens it in the new mode); every mount and
 * format closes them all. A name that is not open is NBS_E_KV_CLOSED. */
#define ADAPTER_KV_OPEN_MAX 8
typedef struct adapter_kv_ops {
    int (*open)(void *ctx, const void *name, size_t name_len, bool writable);
    int (*close)(void *ctx, const void *name, size_t name_len);
    /* *stored: the value's format whenever the key exists. */
    int (*read)(void *ctx, const void *name, size_t name_len, const void *key, size_t key_len,
                int format, void *buf, size_t capacity, size_t *len, int *stored);
    int (*write)(void *ctx, const void *name, size_t name_len, const void *key, size_t key_len,
                 int format, const void *value, size_t len);
    int (*remove)(void *ctx, const void *name, size_t name_len, const void *key, size_t key_len,
                  bool *existed);
    /* visit(visit_ctx, key, key_len, NULL, 0, ...) for each of the domain's keys. */
    int (*keys)(void *ctx, const void *name, size_t name_len, adapter_visit_fn visit,
                void *visit_ctx);
} adapter_kv_ops;

/* The Map façade (ADAPTER_CAN_KVMAP; nbs_kvmap.h's vocabulary). The adapter's map operations are
 * the façade's (store: set, fetch: get, remove: delete, remove_all: clear, count: size, iterate:
 * entries); these are the rest. */
typedef struct adapter_kvmap_ops {
    int (*remove)(void *ctx, const void *key, size_t key_len, bool *existed);
    int (*flush)(void *ctx);
    uint32_t (*dirty_bytes)(void *ctx); /* written and not flushed (write-through: 0) */
    /* part: nbs_kvmap_part; visit(key, NULL) for keys, visit(NULL, value) for values. */
    int (*walk)(void *ctx, int part, adapter_visit_fn visit, void *visit_ctx);
} adapter_kvmap_ops;

/* Raw access to the scenario's partitions (nbs_part.h's vocabulary) by an engine that does not
 * run on the host (--target): the runner hands it the checked table once, then each raw step;
 * partitions are named by their index in the table. Open handles survive mounts, as nbs_raw
 * handles on the host do. NULL: the runner calls nbs_part.h on the run's device itself. */
typedef struct adapter_raw_ops {
    int (*table)(void *ctx, const nbs_partition *parts, uint32_t count);
    int (*open)(void *ctx, uint32_t part, bool writable);
    void (*close)(void *ctx, uint32_t part);
    int (*status)(void *ctx, uint32_t part, nbs_raw_status *status);
    int (*read)(void *ctx, uint32_t part, uint32_t offset, void *buf, uint32_t count,
                uint32_t *got);
    int (*write)(void *ctx, uint32_t part, uint32_t offset, const void *data, uint32_t count);
    int (*erase)(void *ctx, uint32_t part, int64_t from, int64_t to);
} adapter_raw_ops;
/* The TDBStore-shaped store (ADAPTER_CAN_TDB; nbs_tdb.h's calls and vocabulary). The adapter
 * holds one iterator for iter_open/iter_next; every mount and format ends an incremental set and
 * the iterator. */
typedef struct adapter_tdb_ops {
    int (*set)(void *ctx, const void *key, size_t key_len, const void *value, size_t len,
               uint32_t flags);
    /* Up to `capacity` bytes from `offset` on; *len: the bytes copied. */
    int (*get)(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity, size_t *len,
               size_t offset);
    int (*info)(void *ctx, const void *key, size_t key_len, uint32_t *size, uint32_t *flags);
    int (*remove)(void *ctx, const void *key, size_t key_len);
    int (*reset)(void *ctx);
    int (*set_start)(void *ctx, const void *key, size_t key_len, uint32_t final_size,
                     uint32_t flags);
    int (*set_add)(void *ctx, const void *data, size_t len);
    int (*set_finalize)(void *ctx);
    int (*set_abort)(void *ctx);
    int (*iter_open)(void *ctx, const void *prefix, size_t prefix_len);
    int (*iter_next)(void *ctx, void *key, size_t capacity, size_t *key_len);
    int (*reserved_set)(void *ctx, const void *data, size_t len);
    int (*reserved_get)(void *ctx, void *buf, size_t capacity, size_t *len);
} adapter_tdb_ops;

/* The file system (ADAPTER_CAN_FS; nbs_fs.h's calls and vocabulary). The adapter holds
 * ADAPTER_FS_HANDLES file handles and as many directory handles, by slot; slot
 * ADAPTER_FS_NEVER_OPEN is one never opened (its calls answer as a closed handle's), `at` -1 is
 * the root. Paths and targets are 0-terminated text. Every mount and format closes them all. */
#define ADAPTER_FS_HANDLES    16
#define ADAPTER_FS_NEVER_OPEN ADAPTER_FS_HANDLES
typedef struct adapter_fs_ops {
    int (*mkdir)(void *ctx, int at, const char *path);  /* 1 made, 0 it exists */
    int (*remove)(void *ctx, int at, const char *path); /* 1 deleted, 0 missing */
    int (*move)(void *ctx, int from_at, const char *from, int to_at, const char *to);
    int (*status)(void *ctx, int at, const char *path, int *type, uint32_t *size);
    int (*link)(void *ctx, int at, const char *path, const char *target);
    int (*readlink)(void *ctx, int at, const char *path, void *buf, size_t capacity, size_t *len);
    /* visit(visit_ctx, name, name_len, &type_byte, 1, ...) for each entry of the directory. */
    int (*scan)(void *ctx, int at, const char *path, adapter_visit_fn visit, void *visit_ctx);
    int (*open)(void *ctx, int at, const char *path, int mode, int slot);
    int (*read)(void *ctx, int slot, uint32_t offset, void *buf, size_t count, size_t *actual);
    int (*write)(void *ctx, int slot, uint32_t offset, const void *data, size_t len);
    int (*file_status)(void *ctx, int slot, int *type, uint32_t *size);
    int (*set_size)(void *ctx, int slot, uint32_t size);
    int (*flush)(void *ctx, int slot);
    void (*close)(void *ctx, int slot);
    int (*dir_open)(void *ctx, int at, const char *path, int slot);
    void (*dir_close)(void *ctx, int slot);
    /* A file opened again after a reboot, as firmware would: by its path from the root without
     * truncating it (r, or r+ for the modes that write), its handle then in `mode`. */
    int (*reopen)(void *ctx, const char *path, int mode, int slot);
    uint32_t (*max_file)(void *ctx);                  /* nbs_fs_max_file: a file's largest size */
    uint32_t (*max_value)(void *ctx, size_t key_len); /* nbs_map_max_value of its map */
} adapter_fs_ops;

/* Every operation returns 0 or a negative NBS_E_* code. Operations an adapter does not provide
 * (see capabilities) are NULL. On NBS_E_BUFFER_TOO_SMALL, *len is the size needed. */
struct adapter {
    const char *name;
    unsigned capabilities; /* ADAPTER_CAN_* */
    uint32_t
        max_value_size; /* no value or entry is ever larger: a read buffer this big is enough */
    void *ctx;

    /* Mounts the store as after a reset: nothing in RAM is trusted. */
    int (*mount)(void *ctx);
    /* Erases the whole store (the store stays mounted). */
    int (*format)(void *ctx);

    int (*store)(void *ctx, const void *key, size_t key_len, const void *value, size_t len);
    int (*fetch)(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity,
                 size_t *len);
    int (*remove)(void *ctx, const void *key, size_t key_len);
    int (*remove_all)(void *ctx);
    int (*has)(void *ctx, const void *key, size_t key_len, bool *present);

    int (*push)(void *ctx, const void *data, size_t len, unsigned flags);
    int (*peek)(void *ctx, void *buf, size_t capacity, size_t *len);
    int (*pop)(void *ctx, void *buf, size_t capacity, size_t *len);

    int (*count)(void *ctx, uint32_t *count);
    int (*iterate)(void *ctx, adapter_visit_fn visit, void *visit_ctx);

    /* Optional (NULL when the engine cannot): the engine's whole RAM state as `state_size`
     * bytes, copied out and back into the same adapter, so that a power-cut campaign can
     * resume a run from a snapshot instead of re-running it from the start. */
    size_t state_size;
    void (*save_state)(void *ctx, void *out);
    void (*restore_state)(void *ctx, const void *in);

    /* Frees everything create() allocated. */
    void (*destroy)(void *ctx);

    /* Optional (NULL when the engine has none), last so that adapters built before it keep their
     * layout: mounts as mount() does but programs and erases nothing, whatever a power cut left;
     * reads answer as after mount()'s recovery, and every write returns NBS_E_READ_ONLY until
     * the next mount. */
    int (*mount_read_only)(void *ctx);

    /* Optional (NULL when the engine has none), last for the same reason: reports pages
     * first..first+count-1 of the store and their items as the engine reads them (nbs_inspect's
     * vocabulary, nbs.h), from the stored bits without counting, tearing or drawing weak bits,
     * and without writing: the store's own state is left as it was. */
    int (*inspect)(void *ctx, uint32_t first, uint32_t count, const nbs_inspect_visitor *visitor,
                   nbs_inspect_summary *summary);

    /* Optional (NULL when the engine has none; maps only), last for the same reason: applies the
     * writes, in order, as one transaction: a power cut leaves all of them or none. NBS_E_TOO_BIG
     * or NBS_E_FULL when the engine cannot hold them, before anything is written. */
    int (*commit)(void *ctx, const adapter_write *writes, size_t count);

    /* Key-value domains (NULL without ADAPTER_CAN_KV), last for the same reason. A kv adapter
     * also answers iterate, count, fetch and has over the whole store in the runner's view of it
     * (kv_view.h: every domain and every (domain, key) as one item), so that the runner's
     * whole-store checks observe it as they observe a map; it has no other map operation. */
    const adapter_kv_ops *kv;

    /* The Map façade (NULL without ADAPTER_CAN_KVMAP), last for the same reason. */
    const adapter_kvmap_ops *kvmap;
    /* Raw partition access on the engine's side (NULL: on the host), last for the same reason. */
    const adapter_raw_ops *raw;
    /* The TDBStore-shaped store (NULL without ADAPTER_CAN_TDB), last for the same reason. Such an
     * adapter also answers iterate, count, fetch and has over the whole store in the runner's
     * view of it (tdb_view.h), as a kv adapter does; it has no other map operation. */
    const adapter_tdb_ops *tdb;
    /* The file system (NULL without ADAPTER_CAN_FS), last for the same reason. Such an adapter
     * also answers iterate, count, fetch and has over the whole tree in the runner's view of it
     * (fs_view.h), as a tdb adapter does; it has no other map operation. */
    const adapter_fs_ops *fs;
};

/* Makes an adapter for an engine on `dev` (which must outlive it). Returns 0, NBS_E_GEOMETRY
 * for a range the engine cannot use, NBS_E_CACHE_MEM when host memory runs out. */
typedef int (*adapter_create_fn)(adapter *out, nor *dev, const adapter_config *cfg);

struct norbench_engine_ops;

typedef struct adapter_kind {
    const char *name; /* the scenario's engine "type" */
    unsigned capabilities;
    adapter_create_fn create; /* NULL for a loaded plugin: `plugin` then */
    /* A plugin's operations (norbench_engine.h), driven through adapter_plugin.c. */
    const struct norbench_engine_ops *plugin;
} adapter_kind;

/* The adapters norbench knows, by name; NULL when unknown. */
const adapter_kind *adapter_find(const char *name);
size_t adapter_kind_count(void);
const adapter_kind *adapter_kind_at(size_t index);

/* Makes an adapter of `kind` (its create function, or its plugin's operations). */
int adapter_kind_create(const adapter_kind *kind, adapter *out, nor *dev,
                        const adapter_config *cfg);

void adapter_destroy(adapter *a);

/* count() of an adapter that has only iterate(): the items it visits. */
int adapter_count_by_iterate(void *ctx, int (*iterate)(void *, adapter_visit_fn, void *),
                             uint32_t *count);

/* The built-in engine on the host (adapter_nbs.c). */
int adapter_nbs_map_create(adapter *out, nor *dev, const adapter_config *cfg);
int adapter_nbs_queue_create(adapter *out, nor *dev, const adapter_config *cfg);
/* The map inside an adapter adapter_nbs_map_create made (for the layers built on it). */
nbs_map *adapter_nbs_map_of(const adapter *a);
/* ... and the flash it binds (its geometry, for the layers' buffer sizes). */
const nbs_flash *adapter_nbs_flash_of(const adapter *a);
/* A commit() on the built-in engine: a map transaction of `map` staged in a buffer sized for the
 * writes, each staged by `stage`, then committed (aborted when a staging fails: nothing written).
 */
typedef int (*adapter_txn_stage_fn)(void *ctx, nbs_map_txn *txn, const adapter_write *w);
int adapter_txn_run(nbs_map *map, const adapter_write *writes, size_t count,
                    adapter_txn_stage_fn stage, void *ctx);
/* Key-value domains of the built-in engine on its map (adapter_kv.c). */
int adapter_nbs_kv_create(adapter *out, nor *dev, const adapter_config *cfg);
/* The Map façade of the built-in engine on its map, write-through or write-back
 * (adapter_kvmap.c). */
int adapter_nbs_kvmap_create(adapter *out, nor *dev, const adapter_config *cfg);
/* The TDBStore-shaped store of the built-in engine on its map (adapter_tdb.c). */
int adapter_nbs_tdb_create(adapter *out, nor *dev, const adapter_config *cfg);
/* The file system of the built-in engine on its map (adapter_fs.c). */
int adapter_nbs_fs_create(adapter *out, nor *dev, const adapter_config *cfg);

#endif
