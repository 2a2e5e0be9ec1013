/* The table of engine adapters norbench can drive, looked up by the scenario's engine type.
 * A new engine is one more row here and one create function; a plugin loaded at run time
 * (engine_plugin.c) brings its own kind. */
#include "adapter.h"
#include "adapter_plugin.h"

#include <string.h>

static const adapter_kind adapter_kinds[] = {
    {"map", ADAPTER_CAN_MAP, adapter_nbs_map_create, NULL},
    {"queue", ADAPTER_CAN_QUEUE, adapter_nbs_queue_create, NULL},
    {"kv", ADAPTER_CAN_KV, adapter_nbs_kv_create, NULL},
    {"tdb", ADAPTER_CAN_TDB, adapter_nbs_tdb_create, NULL},
    {"naive-map", ADAPTER_CAN_MAP, adapter_naive_map_create, NULL},
    {"kvmap", ADAPTER_CAN_MAP | ADAPTER_CAN_KVMAP, adapter_nbs_kvmap_create, NULL},
    {"fs", ADAPTER_CAN_FS, adapter_nbs_fs_create, NULL},
};

#define ADAPTER_KIND_COUNT (sizeof adapter_kinds / sizeof adapter_kinds[0])

size_t adapter_kind_count(void) {
    return ADAPTER_KIND_COUNT;
}

const adapter_kind *adapter_kind_at(size_t index) {
    return index < ADAPTER_KIND_COUNT ? &adapter_kinds[index] : NULL;
}

const adapter_kind *adapter_find(const char *name) {
    for (size_t i = 0; name && i < ADAPTER_KIND_COUNT; i++)
        if (strcmp(adapter_kinds[i].name, name) == 0) return &adapter_kinds[i];
    return NULL;
}

int adapter_kind_create(const adapter_kind *kind, adapter *out, nor *dev,
                        const adapter_config *cfg) {
    if (kind->create) return kind->create(out, dev, cfg);
    return adapter_plugin_create(out, dev, cfg, kind->plugin);
}

void adapter_destroy(adapter *a) {
    if (a && a->destroy) a->destroy(a->ctx);
    if (a) memset(a, 0, sizeof *a);
}

static int count_item(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                      size_t value_len, bool *pop_current) {
    (void)key, (void)key_len, (void)value, (void)value_len, (void)pop_current;
    (*(uint32_t *)ctx)++;
    return 0;
}

int adapter_count_by_iterate(void *ctx, int (*iterate)(void *, adapter_visit_fn, void *),
                             uint32_t *count) {
    *count = 0;
    return iterate(ctx, count_item, count);
}
