/* An engine written against the public plugin interface (include/norbench_engine.h) driven as
 * an adapter: its flash calls go to the NOR model through nbs_nor, its RAM state is one block
 * this file owns (garbage at every mount, copied whole for a campaign's snapshots), and the
 * optional operations it leaves out are answered from the mandatory ones. */
#include "adapter_plugin.h"
#include "nbs_nor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The interface's results are the engine's: scenario expectations name them the same way. */
#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(NORBENCH_E_INVAL, NBS_E_INVAL) && SAME(NORBENCH_E_NOT_FOUND, NBS_E_NOT_FOUND) &&
                   SAME(NORBENCH_E_BUFFER_TOO_SMALL, NBS_E_BUFFER_TOO_SMALL) &&
                   SAME(NORBENCH_E_TOO_BIG, NBS_E_TOO_BIG) && SAME(NORBENCH_E_FULL, NBS_E_FULL) &&
                   SAME(NORBENCH_E_EMPTY, NBS_E_EMPTY) && SAME(NORBENCH_E_IO, NBS_E_IO) &&
                   SAME(NORBENCH_E_ECC, NBS_E_ECC) && SAME(NORBENCH_E_CORRUPT, NBS_E_CORRUPT) &&
                   SAME(NORBENCH_E_GEOMETRY, NBS_E_GEOMETRY) &&
                   SAME(NORBENCH_E_NOT_MOUNTED, NBS_E_NOT_MOUNTED) &&
                   SAME(NORBENCH_E_KEY_LEN, NBS_E_KEY_LEN),
               "plugin results are engine results");
_Static_assert(SAME(NORBENCH_CAN_MAP, ADAPTER_CAN_MAP) &&
                   SAME(NORBENCH_CAN_QUEUE, ADAPTER_CAN_QUEUE) &&
                   SAME(NORBENCH_PUSH_DROP_OLDEST, ADAPTER_PUSH_DROP_OLDEST),
               "plugin capabilities are adapter capabilities");

/* What a reset leaves in RAM that the engine must not trust. */
#define RESET_GARBAGE 0xA5

typedef struct plugin_adapter {
    nbs_nor binding;
    norbench_flash flash;
    const norbench_engine_ops *ops;
    size_t state_size;
    uint8_t *state; /* state_size bytes (at least one allocated) */
} plugin_adapter;

int adapter_plugin_check(const norbench_engine_ops *ops, char *why, size_t why_size) {
    if (!ops) {
        snprintf(why, why_size, "%s() returned NULL", NORBENCH_ENGINE_SYMBOL);
        return NBS_E_INVAL;
    }
    if (ops->version != NORBENCH_ENGINE_VERSION) {
        snprintf(why, why_size,
                 "it was built for interface version %u; this norbench takes version %u "
                 "(rebuild it against this norbench's norbench_engine.h)",
                 (unsigned)ops->version, (unsigned)NORBENCH_ENGINE_VERSION);
        return NBS_E_INVAL;
    }
    unsigned known = NORBENCH_CAN_MAP | NORBENCH_CAN_QUEUE;
    if (!ops->capabilities || (ops->capabilities & ~known)) {
        snprintf(why, why_size,
                 "capabilities is 0x%X; expected NORBENCH_CAN_MAP, NORBENCH_CAN_QUEUE or both",
                 ops->capabilities);
        return NBS_E_INVAL;
    }
    bool map = ops->capabilities & NORBENCH_CAN_MAP, queue = ops->capabilities & NORBENCH_CAN_QUEUE;
    const struct {
        const char *name;
        bool present, needed;
    } mandatory[] = {
        {"name", ops->name != NULL, true},       {"state_size", ops->state_size != NULL, true},
        {"mount", ops->mount != NULL, true},     {"format", ops->format != NULL, true},
        {"iterate", ops->iterate != NULL, true}, {"store", ops->store != NULL, map},
        {"fetch", ops->fetch != NULL, map},      {"remove", ops->remove != NULL, map},
        {"push", ops->push != NULL, queue},      {"peek", ops->peek != NULL, queue},
        {"pop", ops->pop != NULL, queue},
    };
    for (size_t i = 0; i < sizeof mandatory / sizeof mandatory[0]; i++) {
        if (mandatory[i].needed && !mandatory[i].present) {
            snprintf(why, why_size, "its operation '%s' is NULL; a %s engine must provide it",
                     mandatory[i].name, map ? "map" : "queue");
            return NBS_E_INVAL;
        }
    }
    return NBS_OK;
}

static plugin_adapter *of(void *ctx) {
    return ctx;
}

static int plugin_mount(void *ctx) {
    plugin_adapter *a = of(ctx);
    memset(a->state, RESET_GARBAGE, a->state_size);
    return a->ops->mount(a->state, &a->flash);
}

static int plugin_format(void *ctx) {
    return of(ctx)->ops->format(of(ctx)->state);
}

static int plugin_store(void *ctx, const void *key, size_t key_len, const void *value, size_t len) {
    return of(ctx)->ops->store(of(ctx)->state, key, key_len, value, len);
}

static int plugin_fetch(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity,
                        size_t *len) {
    return of(ctx)->ops->fetch(of(ctx)->state, key, key_len, buf, capacity, len);
}

static int plugin_remove(void *ctx, const void *key, size_t key_len) {
    return of(ctx)->ops->remove(of(ctx)->state, key, key_len);
}

/* has() without one: a fetch into no room finds the key (too small, or an empty value). */
static int plugin_has(void *ctx, const void *key, size_t key_len, bool *present) {
    plugin_adapter *a = of(ctx);
    if (a->ops->has) return a->ops->has(a->state, key, key_len, present);
    uint8_t none[1];
    size_t len = 0;
    int rc = a->ops->fetch(a->state, key, key_len, none, 0, &len);
    *present = rc == NBS_OK || rc == NBS_E_BUFFER_TOO_SMALL;
    return rc == NBS_E_NOT_FOUND || *present ? NBS_OK : rc;
}

static int count_item(void *visit_ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                      size_t value_len, bool *pop_current) {
    (void)key, (void)key_len, (void)value, (void)value_len, (void)pop_current;
    ++*(uint32_t *)visit_ctx;
    return 0;
}

static int plugin_count(void *ctx, uint32_t *count) {
    plugin_adapter *a = of(ctx);
    if (a->ops->count) return a->ops->count(a->state, count);
    *count = 0;
    return a->ops->iterate(a->state, count_item, count);
}

/* remove_all() without one: the keys iterate() visits, collected, then removed one by one. */
typedef struct key_list {
    uint8_t (*keys)[NBS_KEY_MAX];
    size_t *lengths;
    size_t count, capacity;
} key_list;

static int collect_key(void *visit_ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                       size_t value_len, bool *pop_current) {
    (void)value, (void)value_len, (void)pop_current;
    key_list *list = visit_ctx;
    if (key_len > NBS_KEY_MAX) return NBS_E_KEY_LEN;
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? 2 * list->capacity : 16;
        void *keys = realloc(list->keys, capacity * sizeof *list->keys);
        if (keys) list->keys = keys;
        void *lengths = keys ? realloc(list->lengths, capacity * sizeof *list->lengths) : NULL;
        if (!lengths) return NBS_E_CACHE_MEM;
        list->lengths = lengths;
        list->capacity = capacity;
    }
    memcpy(list->keys[list->count], key, key_len);
    list->lengths[list->count++] = key_len;
    return 0;
}

static int plugin_remove_all(void *ctx) {
    plugin_adapter *a = of(ctx);
    if (a->ops->remove_all) return a->ops->remove_all(a->state);
    key_list list = {0};
    int rc = a->ops->iterate(a->state, collect_key, &list);
    for (size_t i = 0; rc == NBS_OK && i < list.count; i++)
        rc = a->ops->remove(a->state, list.keys[i], list.lengths[i]);
    free(list.keys);
    free(list.lengths);
    return rc;
}

static int plugin_push(void *ctx, const void *data, size_t len, unsigned flags) {
    return of(ctx)->ops->push(of(ctx)->state, data, len, flags);
}

static int plugin_peek(void *ctx, void *buf, size_t capacity, size_t *len) {
    return of(ctx)->ops->peek(of(ctx)->state, buf, capacity, len);
}

static int plugin_pop(void *ctx, void *buf, size_t capacity, size_t *len) {
    return of(ctx)->ops->pop(of(ctx)->state, buf, capacity, len);
}

static int plugin_iterate(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    return of(ctx)->ops->iterate(of(ctx)->state, visit, visit_ctx);
}

static void plugin_save_state(void *ctx, void *out) {
    memcpy(out, of(ctx)->state, of(ctx)->state_size);
}

static void plugin_restore_state(void *ctx, const void *in) {
    memcpy(of(ctx)->state, in, of(ctx)->state_size);
}

static void plugin_destroy(void *ctx) {
    plugin_adapter *a = ctx;
    if (a) free(a->state);
    free(a);
}

int adapter_plugin_create(adapter *out, nor *dev, const adapter_config *cfg,
                          const norbench_engine_ops *ops) {
    memset(out, 0, sizeof *out);
    char why[200];
    if (adapter_plugin_check(ops, why, sizeof why)) return NBS_E_INVAL;
    plugin_adapter *a = calloc(1, sizeof *a);
    if (!a) return NBS_E_CACHE_MEM;
    int rc = nbs_nor_bind(&a->binding, dev, cfg->start, cfg->size, cfg->page_size);
    if (rc) {
        free(a);
        return rc;
    }
    const nbs_flash *bound = &a->binding.flash;
    const nor_config *model = nor_get_config(dev);
    a->flash = (norbench_flash){
        .ctx = bound->ctx,
        .read = bound->read,
        .program = bound->program,
        .erase = bound->erase,
        .start = bound->start,
        .size = bound->size,
        .page_size = bound->page_size,
        .write_unit = bound->write_unit,
        .max_programs_per_unit = model->write_policy == NOR_WRITES_UNLIMITED ? 0
                                 : model->write_policy == NOR_WRITES_LIMITED
                                     ? model->max_writes_per_unit
                                     : 1,
        .erase_value = bound->erase_value,
    };
    a->ops = ops;
    a->state_size = ops->state_size(&a->flash);
    a->state = malloc(a->state_size ? a->state_size : 1);
    if (!a->state) {
        free(a);
        return NBS_E_CACHE_MEM;
    }
    uint32_t max_value = ops->max_value_size ? ops->max_value_size(&a->flash) : 0;
    bool map = ops->capabilities & NORBENCH_CAN_MAP, queue = ops->capabilities & NORBENCH_CAN_QUEUE;
    *out = (adapter){
        .name = ops->name,
        .capabilities = ops->capabilities,
        .max_value_size = max_value ? max_value : cfg->page_size,
        .ctx = a,
        .mount = plugin_mount,
        .format = plugin_format,
        .store = map ? plugin_store : NULL,
        .fetch = map ? plugin_fetch : NULL,
        .remove = map ? plugin_remove : NULL,
        .remove_all = map ? plugin_remove_all : NULL,
        .has = map ? plugin_has : NULL,
        .push = queue ? plugin_push : NULL,
        .peek = queue ? plugin_peek : NULL,
        .pop = queue ? plugin_pop : NULL,
        .count = plugin_count,
        .iterate = plugin_iterate,
        .state_size = a->state_size,
        .save_state = plugin_save_state,
        .restore_state = plugin_restore_state,
        .destroy = plugin_destroy,
    };
    return NBS_OK;
}
