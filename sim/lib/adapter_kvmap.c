/* Host adapter for the Map façade (engine type "kvmap"): the built-in map adapter underneath (its
 * mount, caches, RAM state and inspection) and nbs_kvmap on its map, write-through or write-back
 * (the records' RAM and a staging buffer of the largest transaction, both filled with garbage at
 * every mount as a reset leaves them). The map operations are the façade's. */
#include "adapter.h"
#include "nbs_kvmap.h"

#include <stdlib.h>
#include <string.h>

#define RESET_GARBAGE 0xA5

typedef struct kvmap_adapter {
    adapter map; /* the built-in map adapter */
    nbs_kvmap kvmap;
    bool write_back;
    nbs_kvmap_wb_config wb; /* ram and stage: owned */
    uint8_t *key_buffer, *value_buffer;
    uint32_t value_buffer_size;
} kvmap_adapter;

static void kvmap_adapter_free(void *ctx) {
    kvmap_adapter *a = ctx;
    if (!a) return;
    adapter_destroy(&a->map);
    free(a->wb.ram);
    free(a->wb.stage);
    free(a->key_buffer);
    free(a->value_buffer);
    free(a);
}

static int open_after(kvmap_adapter *a, int mount_rc) {
    memset(&a->kvmap, RESET_GARBAGE, sizeof a->kvmap);
    if (mount_rc) {
        a->kvmap.open = false;
        return mount_rc;
    }
    nbs_map *map = adapter_nbs_map_of(&a->map);
    if (!a->write_back) return nbs_kvmap_open(&a->kvmap, map);
    memset(a->wb.ram, RESET_GARBAGE, a->wb.ram_size);
    memset(a->wb.stage, RESET_GARBAGE, a->wb.stage_size);
    return nbs_kvmap_wb_open(&a->kvmap, map, &a->wb);
}

static int kvmap_mount(void *ctx) {
    kvmap_adapter *a = ctx;
    return open_after(a, a->map.mount(a->map.ctx));
}

/* Erases the store; write-back's RAM then holds nothing (loaded again from the empty store). */
static int kvmap_format(void *ctx) {
    kvmap_adapter *a = ctx;
    int rc = a->map.format(a->map.ctx);
    int open_rc = open_after(a, NBS_OK);
    return rc ? rc : open_rc;
}

static int kvmap_store(void *ctx, const void *key, size_t key_len, const void *value, size_t len) {
    return nbs_kvmap_set(&((kvmap_adapter *)ctx)->kvmap, key, key_len, value, len);
}

static int kvmap_fetch(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity,
                       size_t *len) {
    return nbs_kvmap_get(&((kvmap_adapter *)ctx)->kvmap, key, key_len, buf, capacity, len);
}

static int kvmap_delete(void *ctx, const void *key, size_t key_len, bool *existed) {
    return nbs_kvmap_delete(&((kvmap_adapter *)ctx)->kvmap, key, key_len, existed);
}

static int kvmap_remove(void *ctx, const void *key, size_t key_len) {
    return kvmap_delete(ctx, key, key_len, NULL);
}

static int kvmap_clear(void *ctx) {
    return nbs_kvmap_clear(&((kvmap_adapter *)ctx)->kvmap);
}

static int kvmap_has(void *ctx, const void *key, size_t key_len, bool *present) {
    return nbs_kvmap_has(&((kvmap_adapter *)ctx)->kvmap, key, key_len, present);
}

static int kvmap_size(void *ctx, uint32_t *count) {
    return nbs_kvmap_size(&((kvmap_adapter *)ctx)->kvmap, count);
}

static int kvmap_flush(void *ctx) {
    return nbs_kvmap_flush(&((kvmap_adapter *)ctx)->kvmap);
}

static uint32_t kvmap_dirty(void *ctx) {
    return nbs_kvmap_dirty_bytes(&((kvmap_adapter *)ctx)->kvmap);
}

static int kvmap_walk(void *ctx, int part, adapter_visit_fn visit, void *visit_ctx) {
    kvmap_adapter *a = ctx;
    nbs_kvmap_iter it;
    nbs_kvmap_iter_init(&a->kvmap, &it, (nbs_kvmap_part)part);
    for (;;) {
        size_t key_len = 0, len = 0;
        int rc = nbs_kvmap_iter_next(&it, a->key_buffer, NBS_KEY_MAX, &key_len, a->value_buffer,
                                     a->value_buffer_size, &len);
        if (rc) return rc == NBS_E_END ? NBS_OK : rc;
        bool pop_ignored = false;
        rc = visit(visit_ctx, part == NBS_KVMAP_VALUES ? NULL : a->key_buffer,
                   part == NBS_KVMAP_VALUES ? 0 : key_len,
                   part == NBS_KVMAP_KEYS ? NULL : a->value_buffer,
                   part == NBS_KVMAP_KEYS ? 0 : len, &pop_ignored);
        if (rc) return rc;
    }
}

static int kvmap_entries(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    return kvmap_walk(ctx, NBS_KVMAP_ENTRIES, visit, visit_ctx);
}

static const adapter_kvmap_ops kvmap_ops = {kvmap_delete, kvmap_flush, kvmap_dirty, kvmap_walk};

/* ---- RAM state: the map adapter's, then the façade and write-back's RAM ---- */

static void save_state(void *ctx, void *out) {
    kvmap_adapter *a = ctx;
    uint8_t *p = out;
    a->map.save_state(a->map.ctx, p);
    p += a->map.state_size;
    memcpy(p, &a->kvmap, sizeof a->kvmap);
    if (a->write_back) memcpy(p + sizeof a->kvmap, a->wb.ram, a->wb.ram_size);
}

static void restore_state(void *ctx, const void *in) {
    kvmap_adapter *a = ctx;
    const uint8_t *p = in;
    a->map.restore_state(a->map.ctx, p);
    p += a->map.state_size;
    memcpy(&a->kvmap, p, sizeof a->kvmap);
    if (a->write_back) memcpy(a->wb.ram, p + sizeof a->kvmap, a->wb.ram_size);
}

static int inspect(void *ctx, uint32_t first, uint32_t count, const nbs_inspect_visitor *visitor,
                   nbs_inspect_summary *summary) {
    kvmap_adapter *a = ctx;
    return a->map.inspect(a->map.ctx, first, count, visitor, summary);
}

int adapter_nbs_kvmap_create(adapter *out, nor *dev, const adapter_config *cfg) {
    memset(out, 0, sizeof *out);
    kvmap_adapter *a = calloc(1, sizeof *a);
    if (!a) return NBS_E_CACHE_MEM;
    int rc = adapter_nbs_map_create(&a->map, dev, cfg);
    if (rc) {
        free(a);
        return rc;
    }
    a->write_back = cfg->write_back;
    /* A staging buffer for the largest transaction a page holds (SPEC 3.4): below a page. */
    a->wb = (nbs_kvmap_wb_config){.ram = cfg->write_back ? malloc(cfg->write_back_ram) : NULL,
                                  .ram_size = cfg->write_back_ram,
                                  .stage = cfg->write_back ? malloc(cfg->page_size) : NULL,
                                  .stage_size = cfg->page_size,
                                  .threshold = cfg->write_back_threshold};
    a->value_buffer_size = a->map.max_value_size;
    a->key_buffer = malloc(NBS_KEY_MAX);
    a->value_buffer = malloc(a->value_buffer_size ? a->value_buffer_size : 1);
    if (!a->key_buffer || !a->value_buffer || (a->write_back && (!a->wb.ram || !a->wb.stage))) {
        kvmap_adapter_free(a);
        return NBS_E_CACHE_MEM;
    }
    *out = (adapter){
        .name = "kvmap",
        .capabilities = ADAPTER_CAN_MAP | ADAPTER_CAN_KVMAP,
        .max_value_size = a->map.max_value_size,
        .ctx = a,
        .mount = kvmap_mount,
        .format = kvmap_format,
        .store = kvmap_store,
        .fetch = kvmap_fetch,
        .remove = kvmap_remove,
        .remove_all = kvmap_clear,
        .has = kvmap_has,
        .count = kvmap_size,
        .iterate = kvmap_entries,
        .state_size = a->map.state_size + sizeof a->kvmap + (a->write_back ? a->wb.ram_size : 0),
        .save_state = save_state,
        .restore_state = restore_state,
        .destroy = kvmap_adapter_free,
        .inspect = inspect,
        .kvmap = &kvmap_ops,
    };
    return NBS_OK;
}
