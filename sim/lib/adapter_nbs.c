/* Host adapters for the built-in engine: the nbs map and the nbs queue on a simulated NOR
 * device, bound through nbs_nor. Each owns its work buffer, cache memory and a read buffer
 * for iteration; a mount first fills all of them with garbage so nothing survives a "reset". */
#include "adapter.h"
#include "nbs.h"
#include "nbs_nor.h"

#include <stdlib.h>
#include <string.h>

/* What a reset leaves in RAM that the engine must not trust. */
#define RESET_GARBAGE 0xA5

typedef struct nbs_adapter {
    nbs_nor binding;
    nbs_config config;
    nbs_map map;
    nbs_queue queue;
    bool is_map;
    uint8_t *value_buffer; /* iteration reads values into this (max_value_size bytes) */
    uint32_t value_buffer_size;
    /* inspect(): the flash read through nor_peek, its own work buffer and mount */
    nbs_config inspect_config;
    nbs_log inspect_log;
} nbs_adapter;

static void nbs_adapter_free(void *ctx) {
    nbs_adapter *a = ctx;
    if (!a) return;
    free(a->config.work);
    free(a->config.cache.mem);
    free(a->value_buffer);
    free(a->inspect_config.work);
    free(a);
}

static void scramble_ram(nbs_adapter *a) {
    memset(a->config.work, RESET_GARBAGE, a->config.work_size);
    if (a->config.cache.mem) memset(a->config.cache.mem, RESET_GARBAGE, a->config.cache.mem_size);
}

/* ---- map ---- */

/* A mount as after a reset, read-write or read-only. */
static int map_mount_as(nbs_adapter *a, bool read_only) {
    nbs_config config = a->config;
    config.read_only = read_only;
    scramble_ram(a);
    memset(&a->map, RESET_GARBAGE, sizeof a->map);
    return nbs_map_mount(&a->map, &config);
}

static int map_mount(void *ctx) {
    return map_mount_as(ctx, false);
}

static int map_mount_read_only(void *ctx) {
    return map_mount_as(ctx, true);
}

static int map_format(void *ctx) {
    return nbs_map_erase_all(&((nbs_adapter *)ctx)->map);
}

static int map_store(void *ctx, const void *key, size_t key_len, const void *value, size_t len) {
    return nbs_map_store(&((nbs_adapter *)ctx)->map, key, key_len, value, len);
}

static int map_fetch(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity,
                     size_t *len) {
    return nbs_map_fetch(&((nbs_adapter *)ctx)->map, key, key_len, buf, capacity, len);
}

static int map_remove(void *ctx, const void *key, size_t key_len) {
    return nbs_map_remove(&((nbs_adapter *)ctx)->map, key, key_len);
}

static int map_remove_all(void *ctx) {
    return nbs_map_remove_all(&((nbs_adapter *)ctx)->map);
}

int adapter_txn_run(nbs_map *map, const adapter_write *writes, size_t count,
                    adapter_txn_stage_fn stage, void *ctx) {
    /* A member takes its key and value, a seal unit and a commit header (each at most 32 bytes
     * on any part) and padding: key + value + 128 bytes is room enough for any write. */
    size_t bytes = 0;
    for (size_t i = 0; i < count; i++) bytes += writes[i].key_len + writes[i].value_len + 128;
    uint8_t *buf = malloc(bytes ? bytes : 1);
    if (!buf) return NBS_E_CACHE_MEM;
    nbs_map_txn txn;
    int rc = nbs_map_txn_begin(map, &txn, buf, bytes);
    for (size_t i = 0; !rc && i < count; i++) rc = stage(ctx, &txn, &writes[i]);
    if (rc)
        nbs_map_txn_abort(&txn);
    else
        rc = nbs_map_txn_commit(&txn);
    free(buf);
    return rc;
}

static int map_stage(void *ctx, nbs_map_txn *txn, const adapter_write *w) {
    (void)ctx;
    return w->remove ? nbs_map_txn_remove(txn, w->key, w->key_len)
                     : nbs_map_txn_store(txn, w->key, w->key_len, w->value, w->value_len);
}

static int map_commit(void *ctx, const adapter_write *writes, size_t count) {
    return adapter_txn_run(&((nbs_adapter *)ctx)->map, writes, count, map_stage, NULL);
}

static int map_has(void *ctx, const void *key, size_t key_len, bool *present) {
    return nbs_map_has(&((nbs_adapter *)ctx)->map, key, key_len, present);
}

static int map_count(void *ctx, uint32_t *count) {
    return nbs_map_count(&((nbs_adapter *)ctx)->map, count);
}

static int map_iterate(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    nbs_adapter *a = ctx;
    nbs_map_iter it;
    nbs_map_iter_init(&a->map, &it);
    for (;;) {
        uint8_t key[NBS_KEY_MAX];
        size_t key_len = 0, value_len = 0;
        int rc = nbs_map_iter_next(&it, key, sizeof key, &key_len, a->value_buffer,
                                   a->value_buffer_size, &value_len);
        if (rc == NBS_E_END) return NBS_OK;
        if (rc) return rc;
        bool pop_ignored = false;
        rc = visit(visit_ctx, key, key_len, a->value_buffer, value_len, &pop_ignored);
        if (rc) return rc;
    }
}

/* ---- queue ---- */

static int queue_mount_as(nbs_adapter *a, bool read_only) {
    nbs_config config = a->config;
    config.read_only = read_only;
    scramble_ram(a);
    memset(&a->queue, RESET_GARBAGE, sizeof a->queue);
    return nbs_queue_mount(&a->queue, &config);
}

static int queue_mount(void *ctx) {
    return queue_mount_as(ctx, false);
}

static int queue_mount_read_only(void *ctx) {
    return queue_mount_as(ctx, true);
}

static int queue_format(void *ctx) {
    return nbs_queue_erase_all(&((nbs_adapter *)ctx)->queue);
}

static int queue_push(void *ctx, const void *data, size_t len, unsigned flags) {
    unsigned nbs_flags = (flags & ADAPTER_PUSH_DROP_OLDEST) ? NBS_PUSH_DROP_OLDEST : 0;
    return nbs_queue_push(&((nbs_adapter *)ctx)->queue, data, len, nbs_flags);
}

static int queue_peek(void *ctx, void *buf, size_t capacity, size_t *len) {
    return nbs_queue_peek(&((nbs_adapter *)ctx)->queue, buf, capacity, len);
}

static int queue_pop(void *ctx, void *buf, size_t capacity, size_t *len) {
    return nbs_queue_pop(&((nbs_adapter *)ctx)->queue, buf, capacity, len);
}

static int queue_count(void *ctx, uint32_t *count) {
    return nbs_queue_count(&((nbs_adapter *)ctx)->queue, count);
}

static int queue_iterate(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    nbs_adapter *a = ctx;
    nbs_queue_iter it;
    nbs_queue_iter_init(&a->queue, &it);
    for (;;) {
        size_t len = 0;
        int rc = nbs_queue_iter_next(&it, a->value_buffer, a->value_buffer_size, &len);
        if (rc == NBS_E_END) return NBS_OK;
        if (rc) return rc;
        bool pop_current = false;
        rc = visit(visit_ctx, NULL, 0, a->value_buffer, len, &pop_current);
        if (rc) return rc;
        if (pop_current && (rc = nbs_queue_iter_pop_current(&it)) != NBS_OK) return rc;
    }
}

/* ---- RAM state, for campaigns that resume a run from a snapshot ---- */

/* The bytes: the map or queue handle, then the work buffer, then the cache memory. The handle's
 * pointers point into this same adapter, so the bytes are only restored into it. */
static size_t handle_size(const nbs_adapter *a) {
    return a->is_map ? sizeof a->map : sizeof a->queue;
}

static void save_state(void *ctx, void *out) {
    nbs_adapter *a = ctx;
    uint8_t *p = out;
    size_t handle = handle_size(a);
    memcpy(p, a->is_map ? (void *)&a->map : (void *)&a->queue, handle);
    memcpy(p + handle, a->config.work, a->config.work_size);
    if (a->config.cache.mem_size)
        memcpy(p + handle + a->config.work_size, a->config.cache.mem, a->config.cache.mem_size);
}

static void restore_state(void *ctx, const void *in) {
    nbs_adapter *a = ctx;
    const uint8_t *p = in;
    size_t handle = handle_size(a);
    memcpy(a->is_map ? (void *)&a->map : (void *)&a->queue, p, handle);
    memcpy(a->config.work, p + handle, a->config.work_size);
    if (a->config.cache.mem_size)
        memcpy(a->config.cache.mem, p + handle + a->config.work_size, a->config.cache.mem_size);
}

/* ---- inspection ---- */

static int inspect(void *ctx, uint32_t first, uint32_t count, const nbs_inspect_visitor *visitor,
                   nbs_inspect_summary *summary) {
    nbs_adapter *a = ctx;
    return nbs_inspect(&a->inspect_log, &a->inspect_config, !a->is_map, first, count, visitor,
                       summary);
}

static int inspect_setup(nbs_adapter *a) {
    /* Stored bits: an inspection leaves no trace on the run (no counts, no weak draws). */
    a->inspect_config.flash = nbs_nor_peek_flash(&a->binding);
    a->inspect_config.work_size = a->config.work_size;
    a->inspect_config.work = malloc(a->config.work_size);
    return a->inspect_config.work ? NBS_OK : NBS_E_CACHE_MEM;
}

/* ---- creation ---- */

static int nbs_adapter_create(adapter *out, nor *dev, const adapter_config *cfg, bool is_map) {
    memset(out, 0, sizeof *out);
    nbs_adapter *a = calloc(1, sizeof *a);
    if (!a) return NBS_E_CACHE_MEM;
    int rc = nbs_nor_bind(&a->binding, dev, cfg->start, cfg->size, cfg->page_size);
    if (rc) {
        free(a);
        return rc;
    }
    const nbs_flash *flash = &a->binding.flash;
    unsigned cache_flags = cfg->cache_flags & (is_map ? NBS_CACHE_ALL : ~(unsigned)NBS_CACHE_KEYS);
    uint32_t pages = cfg->size / cfg->page_size;
    size_t cache_bytes = cache_flags ? nbs_cache_bytes(cache_flags, pages, cfg->cache_max_keys) : 0;
    a->config.flash = *flash;
    a->config.work_size = nbs_work_bytes_min(flash);
    a->config.work = malloc(a->config.work_size ? a->config.work_size : 1);
    a->config.cache = (nbs_cache_config){.flags = cache_flags,
                                         .mem = cache_bytes ? malloc(cache_bytes) : NULL,
                                         .mem_size = cache_bytes,
                                         .max_keys = cfg->cache_max_keys,
                                         .check = cfg->cache_check};
    a->value_buffer_size = cfg->page_size;
    a->value_buffer = malloc(a->value_buffer_size);
    if (!a->config.work || (cache_bytes && !a->config.cache.mem) || !a->value_buffer ||
        inspect_setup(a)) {
        nbs_adapter_free(a);
        return NBS_E_CACHE_MEM;
    }
    a->is_map = is_map;
    out->capabilities = is_map ? ADAPTER_CAN_MAP : ADAPTER_CAN_QUEUE;
    out->state_size = handle_size(a) + a->config.work_size + a->config.cache.mem_size;
    out->save_state = save_state;
    out->restore_state = restore_state;
    out->max_value_size = a->value_buffer_size;
    out->ctx = a;
    out->destroy = nbs_adapter_free;
    out->count = is_map ? map_count : queue_count;
    out->iterate = is_map ? map_iterate : queue_iterate;
    out->inspect = inspect;
    if (is_map) {
        out->name = "map";
        out->mount = map_mount;
        out->mount_read_only = map_mount_read_only;
        out->format = map_format;
        out->store = map_store;
        out->fetch = map_fetch;
        out->remove = map_remove;
        out->remove_all = map_remove_all;
        out->commit = map_commit;
        out->has = map_has;
    } else {
        out->name = "queue";
        out->mount = queue_mount;
        out->mount_read_only = queue_mount_read_only;
        out->format = queue_format;
        out->push = queue_push;
        out->peek = queue_peek;
        out->pop = queue_pop;
    }
    return NBS_OK;
}

int adapter_nbs_map_create(adapter *out, nor *dev, const adapter_config *cfg) {
    return nbs_adapter_create(out, dev, cfg, true);
}

nbs_map *adapter_nbs_map_of(const adapter *a) {
    return &((nbs_adapter *)a->ctx)->map;
}

const nbs_flash *adapter_nbs_flash_of(const adapter *a) {
    return &((nbs_adapter *)a->ctx)->binding.flash;
}

int adapter_nbs_queue_create(adapter *out, nor *dev, const adapter_config *cfg) {
    return nbs_adapter_create(out, dev, cfg, false);
}
