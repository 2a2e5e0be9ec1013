/* Host adapter for the TDBStore-shaped store (engine type "tdb"): the built-in map adapter
 * underneath (its mount, caches, RAM state and inspection), nbs_tdb on its map, one iterator for
 * the scenario's tdb_iter, and the whole store in the runner's view (tdb_view.h) for the runner's
 * whole-store checks, read with an iterator of its own. */
#include "adapter.h"
#include "nbs_tdb.h"
#include "tdb_view.h"

#include <stdlib.h>
#include <string.h>

typedef struct tdb_adapter {
    adapter map; /* the built-in map adapter: mount, RAM state, inspection */
    nbs_tdb tdb;
    uint8_t *tdb_buffer;
    size_t tdb_buffer_size;
    bool key_rules;
    nbs_tdb_iter iter; /* the scenario's (iter_open, iter_next) */
    /* the whole-store view: a flags byte then a value (max_value_size bytes) */
    uint8_t *view_buffer;
    size_t view_buffer_size;
} tdb_adapter;

static void tdb_adapter_free(void *ctx) {
    tdb_adapter *a = ctx;
    if (!a) return;
    adapter_destroy(&a->map);
    free(a->tdb_buffer);
    free(a->view_buffer);
    free(a);
}

/* ---- mounting ---- */

static int bind_after(tdb_adapter *a, int mount_rc) {
    memset(&a->iter, 0, sizeof a->iter);
    if (mount_rc) return mount_rc;
    return nbs_tdb_init(&a->tdb, adapter_nbs_map_of(&a->map), a->tdb_buffer, a->tdb_buffer_size,
                        a->key_rules);
}

static int tdb_mount(void *ctx) {
    tdb_adapter *a = ctx;
    return bind_after(a, a->map.mount(a->map.ctx));
}

static int tdb_mount_read_only(void *ctx) {
    tdb_adapter *a = ctx;
    return bind_after(a, a->map.mount_read_only(a->map.ctx));
}

/* The engine's erase_all of the map under the store: every key and the reserved area. */
static int tdb_format(void *ctx) {
    tdb_adapter *a = ctx;
    return bind_after(a, a->map.format(a->map.ctx));
}

/* ---- the store's calls ---- */

static int tdb_set(void *ctx, const void *key, size_t key_len, const void *value, size_t len,
                   uint32_t flags) {
    return nbs_tdb_set(&((tdb_adapter *)ctx)->tdb, key, key_len, value, len, flags);
}

static int tdb_get(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity,
                   size_t *len, size_t offset) {
    return nbs_tdb_get(&((tdb_adapter *)ctx)->tdb, key, key_len, buf, capacity, len, offset);
}

static int tdb_info(void *ctx, const void *key, size_t key_len, uint32_t *size, uint32_t *flags) {
    nbs_tdb_info info = {0};
    int rc = nbs_tdb_get_info(&((tdb_adapter *)ctx)->tdb, key, key_len, &info);
    *size = info.size;
    *flags = info.flags;
    return rc;
}

static int tdb_remove(void *ctx, const void *key, size_t key_len) {
    return nbs_tdb_remove(&((tdb_adapter *)ctx)->tdb, key, key_len);
}

static int tdb_reset(void *ctx) {
    return nbs_tdb_reset(&((tdb_adapter *)ctx)->tdb);
}

static int tdb_set_start(void *ctx, const void *key, size_t key_len, uint32_t final_size,
                         uint32_t flags) {
    return nbs_tdb_set_start(&((tdb_adapter *)ctx)->tdb, key, key_len, final_size, flags);
}

static int tdb_set_add(void *ctx, const void *data, size_t len) {
    return nbs_tdb_set_add_data(&((tdb_adapter *)ctx)->tdb, data, len);
}

static int tdb_set_finalize(void *ctx) {
    return nbs_tdb_set_finalize(&((tdb_adapter *)ctx)->tdb);
}

static int tdb_set_abort(void *ctx) {
    return nbs_tdb_set_abort(&((tdb_adapter *)ctx)->tdb);
}

static int tdb_iter_open(void *ctx, const void *prefix, size_t prefix_len) {
    tdb_adapter *a = ctx;
    return nbs_tdb_iter_open(&a->tdb, &a->iter, prefix, prefix_len);
}

static int tdb_iter_next(void *ctx, void *key, size_t capacity, size_t *key_len) {
    tdb_adapter *a = ctx;
    if (!a->iter.tdb) return NBS_E_INVAL; /* no iterator open since the mount */
    return nbs_tdb_iter_next(&a->iter, key, capacity, key_len);
}

static int tdb_reserved_set(void *ctx, const void *data, size_t len) {
    return nbs_tdb_reserved_set(&((tdb_adapter *)ctx)->tdb, data, len);
}

static int tdb_reserved_get(void *ctx, void *buf, size_t capacity, size_t *len) {
    return nbs_tdb_reserved_get(&((tdb_adapter *)ctx)->tdb, buf, capacity, len);
}

static const adapter_tdb_ops tdb_ops = {
    tdb_set,       tdb_get,          tdb_info,         tdb_remove,    tdb_reset,
    tdb_set_start, tdb_set_add,      tdb_set_finalize, tdb_set_abort, tdb_iter_open,
    tdb_iter_next, tdb_reserved_set, tdb_reserved_get,
};

/* ---- the whole store in the runner's view (tdb_view.h) ---- */

/* A key's view value into the view buffer: its flags byte, then the value; *len its bytes. */
static int read_view_value(tdb_adapter *a, const void *key, size_t key_len, size_t *len) {
    nbs_tdb_info info = {0};
    int rc = nbs_tdb_get_info(&a->tdb, key, key_len, &info);
    if (rc) return rc;
    if (info.size > a->view_buffer_size - 1) return NBS_E_BUFFER_TOO_SMALL;
    size_t got = 0;
    if (info.size &&
        (rc = nbs_tdb_get(&a->tdb, key, key_len, a->view_buffer + 1, info.size, &got, 0)))
        return rc;
    a->view_buffer[0] = (uint8_t)info.flags;
    *len = 1 + got;
    return NBS_OK;
}

static int view_iterate(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    tdb_adapter *a = ctx;
    nbs_tdb_iter it;
    uint8_t item_key[TDB_VIEW_KEY_MAX];
    bool pop_ignored = false;
    int rc = nbs_tdb_iter_open(&a->tdb, &it, NULL, 0);
    while (!rc) {
        uint8_t key[NBS_TDB_KEY_MAX];
        size_t key_len = 0, len = 0;
        if ((rc = nbs_tdb_iter_next(&it, key, sizeof key, &key_len))) break;
        if ((rc = read_view_value(a, key, key_len, &len))) return rc;
        size_t item_len = tdb_view_key(key, key_len, item_key);
        rc = visit(visit_ctx, item_key, item_len, a->view_buffer, len, &pop_ignored);
    }
    if (rc != NBS_E_END) return rc;
    size_t len = 0;
    rc = nbs_tdb_reserved_get(&a->tdb, a->view_buffer, a->view_buffer_size, &len);
    if (rc) return rc == NBS_E_NOT_FOUND ? NBS_OK : rc;
    return visit(visit_ctx, item_key, tdb_view_reserved_key(item_key), a->view_buffer, len,
                 &pop_ignored);
}

static int view_count(void *ctx, uint32_t *count) {
    return adapter_count_by_iterate(ctx, view_iterate, count);
}

static int view_fetch(void *ctx, const void *item_key, size_t item_len, void *buf, size_t capacity,
                      size_t *len) {
    tdb_adapter *a = ctx;
    tdb_view_item_key k;
    if (!tdb_view_parse_key(item_key, item_len, &k)) return NBS_E_NOT_FOUND;
    int rc = k.is_reserved ? nbs_tdb_reserved_get(&a->tdb, a->view_buffer, a->view_buffer_size, len)
                           : read_view_value(a, k.key, k.key_len, len);
    if (rc) return rc;
    if (capacity < *len) return NBS_E_BUFFER_TOO_SMALL;
    memmove(buf, a->view_buffer, *len);
    return NBS_OK;
}

static int view_has(void *ctx, const void *item_key, size_t item_len, bool *present) {
    tdb_adapter *a = ctx;
    size_t len = 0;
    int rc = view_fetch(ctx, item_key, item_len, a->view_buffer, a->view_buffer_size, &len);
    *present = rc == NBS_OK;
    return rc == NBS_E_NOT_FOUND ? NBS_OK : rc;
}

/* ---- RAM state: the map adapter's, then the store, its buffer and the scenario's iterator ---- */

static void save_state(void *ctx, void *out) {
    tdb_adapter *a = ctx;
    uint8_t *p = out;
    a->map.save_state(a->map.ctx, p);
    p += a->map.state_size;
    memcpy(p, &a->tdb, sizeof a->tdb);
    memcpy(p + sizeof a->tdb, a->tdb_buffer, a->tdb_buffer_size);
    memcpy(p + sizeof a->tdb + a->tdb_buffer_size, &a->iter, sizeof a->iter);
}

static void restore_state(void *ctx, const void *in) {
    tdb_adapter *a = ctx;
    const uint8_t *p = in;
    a->map.restore_state(a->map.ctx, p);
    p += a->map.state_size;
    memcpy(&a->tdb, p, sizeof a->tdb);
    memcpy(a->tdb_buffer, p + sizeof a->tdb, a->tdb_buffer_size);
    memcpy(&a->iter, p + sizeof a->tdb + a->tdb_buffer_size, sizeof a->iter);
}

static int inspect(void *ctx, uint32_t first, uint32_t count, const nbs_inspect_visitor *visitor,
                   nbs_inspect_summary *summary) {
    tdb_adapter *a = ctx;
    return a->map.inspect(a->map.ctx, first, count, visitor, summary);
}

int adapter_nbs_tdb_create(adapter *out, nor *dev, const adapter_config *cfg) {
    memset(out, 0, sizeof *out);
    tdb_adapter *a = calloc(1, sizeof *a);
    if (!a) return NBS_E_CACHE_MEM;
    int rc = adapter_nbs_map_create(&a->map, dev, cfg);
    if (rc) {
        free(a);
        return rc;
    }
    a->key_rules = cfg->key_rules;
    a->tdb_buffer_size = nbs_tdb_buffer_bytes(adapter_nbs_flash_of(&a->map));
    a->tdb_buffer = malloc(a->tdb_buffer_size);
    /* No value is larger than the store: a flags byte and that many bytes. */
    a->view_buffer_size = (size_t)cfg->size + 1;
    a->view_buffer = malloc(a->view_buffer_size);
    if (!a->tdb_buffer || !a->view_buffer) {
        tdb_adapter_free(a);
        return NBS_E_CACHE_MEM;
    }
    *out = (adapter){
        .name = "tdb",
        .capabilities = ADAPTER_CAN_TDB,
        .max_value_size = (uint32_t)a->view_buffer_size,
        .ctx = a,
        .mount = tdb_mount,
        .format = tdb_format,
        .remove_all = tdb_format, /* only asked of a store mounted read-only, which refuses it */
        .iterate = view_iterate,
        .count = view_count,
        .fetch = view_fetch,
        .has = view_has,
        .state_size = a->map.state_size + sizeof a->tdb + a->tdb_buffer_size + sizeof a->iter,
        .save_state = save_state,
        .restore_state = restore_state,
        .destroy = tdb_adapter_free,
        .mount_read_only = tdb_mount_read_only,
        .inspect = inspect,
        .tdb = &tdb_ops,
    };
    return NBS_OK;
}
