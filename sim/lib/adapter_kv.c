/* Host adapter for key-value domains (engine type "kv"): the built-in map adapter underneath
 * (its mount, caches, RAM state and inspection), nbs_kv on its map, and the domains open by
 * name. It also reads the whole store into the runner's view (kv_view.h) for whole-store
 * checks: every domain, then every key of each with its value and format. */
#include "adapter.h"
#include "kv_view.h"
#include "nbs_kv.h"

#include <stdlib.h>
#include <string.h>

typedef struct open_domain {
    bool used;
    uint8_t name_len;
    uint8_t name[NBS_KV_NAME_MAX];
    nbs_kv_domain handle;
} open_domain;

typedef struct kv_adapter {
    adapter map; /* the built-in map adapter: mount, RAM state, inspection */
    nbs_kv kv;
    uint8_t *kv_buffer;
    size_t kv_buffer_size;
    open_domain open[ADAPTER_KV_OPEN_MAX];
    uint8_t *value_buffer; /* the view's reads: a format byte, then the value */
    size_t value_buffer_size;
} kv_adapter;

static void kv_adapter_free(void *ctx) {
    kv_adapter *a = ctx;
    if (!a) return;
    adapter_destroy(&a->map);
    free(a->kv_buffer);
    free(a->value_buffer);
    free(a);
}

static void close_all(kv_adapter *a) {
    memset(a->open, 0, sizeof a->open);
}

/* ---- mounting ---- */

static int bind_after(kv_adapter *a, int mount_rc) {
    close_all(a);
    int rc = nbs_kv_init(&a->kv, adapter_nbs_map_of(&a->map), a->kv_buffer, a->kv_buffer_size);
    return mount_rc ? mount_rc : rc;
}

static int kv_mount(void *ctx) {
    kv_adapter *a = ctx;
    return bind_after(a, a->map.mount(a->map.ctx));
}

static int kv_mount_read_only(void *ctx) {
    kv_adapter *a = ctx;
    return bind_after(a, a->map.mount_read_only(a->map.ctx));
}

static int kv_format(void *ctx) {
    kv_adapter *a = ctx;
    close_all(a);
    return nbs_kv_erase_all(&a->kv);
}

/* ---- the open domains ---- */

static open_domain *find_open(kv_adapter *a, const void *name, size_t name_len) {
    for (size_t i = 0; i < ADAPTER_KV_OPEN_MAX; i++)
        if (a->open[i].used && a->open[i].name_len == name_len &&
            (name_len == 0 || memcmp(a->open[i].name, name, name_len) == 0))
            return &a->open[i];
    return NULL;
}

static int kv_open(void *ctx, const void *name, size_t name_len, bool writable) {
    kv_adapter *a = ctx;
    open_domain *slot = find_open(a, name, name_len);
    for (size_t i = 0; !slot && i < ADAPTER_KV_OPEN_MAX; i++)
        if (!a->open[i].used) slot = &a->open[i];
    if (!slot) return NBS_E_FULL;
    nbs_kv_domain handle;
    int rc = nbs_kv_open(&a->kv, &handle, name, name_len, writable);
    if (rc) return rc;
    slot->used = true;
    slot->name_len = (uint8_t)name_len;
    memcpy(slot->name, name, name_len);
    slot->handle = handle;
    return NBS_OK;
}

static int kv_close(void *ctx, const void *name, size_t name_len) {
    open_domain *d = find_open(ctx, name, name_len);
    if (!d) return NBS_E_KV_CLOSED;
    d->used = false;
    return nbs_kv_close(&d->handle);
}

static int kv_read(void *ctx, const void *name, size_t name_len, const void *key, size_t key_len,
                   int format, void *buf, size_t capacity, size_t *len, int *stored) {
    open_domain *d = find_open(ctx, name, name_len);
    if (!d) return NBS_E_KV_CLOSED;
    nbs_kv_format found = NBS_KV_ANY;
    int rc =
        nbs_kv_read(&d->handle, key, key_len, (nbs_kv_format)format, buf, capacity, len, &found);
    if (stored) *stored = (int)found;
    return rc;
}

static int kv_write(void *ctx, const void *name, size_t name_len, const void *key, size_t key_len,
                    int format, const void *value, size_t len) {
    open_domain *d = find_open(ctx, name, name_len);
    if (!d) return NBS_E_KV_CLOSED;
    return nbs_kv_write(&d->handle, key, key_len, (nbs_kv_format)format, value, len);
}

static int kv_remove(void *ctx, const void *name, size_t name_len, const void *key, size_t key_len,
                     bool *existed) {
    open_domain *d = find_open(ctx, name, name_len);
    if (!d) return NBS_E_KV_CLOSED;
    return nbs_kv_delete(&d->handle, key, key_len, existed);
}

/* A write of a transaction in the runner's view form (kv_view.h: the item key names the domain
 * and the key, the value is the format byte then the value), staged in its open domain. */
static int kv_stage(void *ctx, nbs_map_txn *txn, const adapter_write *w) {
    kv_view_key k;
    if (!kv_view_parse_key(w->key, w->key_len, &k) || k.is_domain) return NBS_E_INVAL;
    open_domain *d = find_open(ctx, k.name, k.name_len);
    if (!d) return NBS_E_KV_CLOSED;
    if (w->remove) return nbs_kv_txn_delete(&d->handle, txn, k.key, k.key_len);
    if (w->value_len < 1) return NBS_E_INVAL;
    return nbs_kv_txn_write(&d->handle, txn, k.key, k.key_len, (nbs_kv_format)w->value[0],
                            w->value + 1, w->value_len - 1);
}

static int kv_commit(void *ctx, const adapter_write *writes, size_t count) {
    kv_adapter *a = ctx;
    return adapter_txn_run(adapter_nbs_map_of(&a->map), writes, count, kv_stage, a);
}

/* Each key of an open handle, with its value and format when `with_values`. */
static int walk_domain(kv_adapter *a, nbs_kv_domain *d, const uint8_t *name, size_t name_len,
                       bool with_values, adapter_visit_fn visit, void *visit_ctx) {
    nbs_kv_iter it;
    int rc = nbs_kv_keys_init(d, &it);
    for (;;) {
        uint8_t key[NBS_KV_KEY_MAX];
        size_t key_len = 0, len = 0;
        if (rc || (rc = nbs_kv_keys_next(&it, key, sizeof key, &key_len)))
            return rc == NBS_E_END ? NBS_OK : rc;
        bool pop_ignored = false;
        if (!with_values) {
            rc = visit(visit_ctx, key, key_len, NULL, 0, &pop_ignored);
            continue;
        }
        nbs_kv_format format = NBS_KV_ANY;
        if ((rc = nbs_kv_read(d, key, key_len, NBS_KV_ANY, a->value_buffer + 1,
                              a->value_buffer_size - 1, &len, &format)))
            return rc;
        a->value_buffer[0] = (uint8_t)format;
        uint8_t item_key[KV_VIEW_KEY_MAX];
        size_t item_len = kv_view_value_key(name, name_len, key, key_len, item_key);
        rc = visit(visit_ctx, item_key, item_len, a->value_buffer, len + 1, &pop_ignored);
    }
}

static int kv_keys(void *ctx, const void *name, size_t name_len, adapter_visit_fn visit,
                   void *visit_ctx) {
    open_domain *d = find_open(ctx, name, name_len);
    if (!d) return NBS_E_KV_CLOSED;
    return walk_domain(ctx, &d->handle, name, name_len, false, visit, visit_ctx);
}

static const adapter_kv_ops kv_ops = {kv_open, kv_close, kv_read, kv_write, kv_remove, kv_keys};

/* ---- the whole store in the runner's view (kv_view.h) ---- */

static int view_iterate(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    kv_adapter *a = ctx;
    nbs_kv_iter domains;
    nbs_kv_domains_init(&a->kv, &domains);
    for (;;) {
        uint8_t name[NBS_KV_NAME_MAX], item_key[KV_VIEW_KEY_MAX];
        size_t name_len = 0;
        int rc = nbs_kv_domains_next(&domains, name, sizeof name, &name_len);
        if (rc) return rc == NBS_E_END ? NBS_OK : rc;
        bool pop_ignored = false;
        size_t item_len = kv_view_domain_key(name, name_len, item_key);
        if ((rc = visit(visit_ctx, item_key, item_len, a->value_buffer, 0, &pop_ignored)))
            return rc;
        nbs_kv_domain d;
        if ((rc = nbs_kv_open(&a->kv, &d, name, name_len, false)) ||
            (rc = walk_domain(a, &d, name, name_len, true, visit, visit_ctx)))
            return rc;
    }
}

static int count_item(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                      size_t value_len, bool *pop_current) {
    (void)key, (void)key_len, (void)value, (void)value_len, (void)pop_current;
    (*(uint32_t *)ctx)++;
    return 0;
}

static int view_count(void *ctx, uint32_t *count) {
    *count = 0;
    return view_iterate(ctx, count_item, count);
}

static int view_fetch(void *ctx, const void *item_key, size_t item_len, void *buf, size_t capacity,
                      size_t *len) {
    kv_adapter *a = ctx;
    kv_view_key k;
    if (!kv_view_parse_key(item_key, item_len, &k)) return NBS_E_NOT_FOUND;
    nbs_kv_domain d;
    int rc = nbs_kv_open(&a->kv, &d, k.name, k.name_len, false);
    if (rc || k.is_domain) {
        if (!rc) *len = 0;
        return rc;
    }
    nbs_kv_format format = NBS_KV_ANY;
    size_t value_len = 0;
    if ((rc = nbs_kv_read(&d, k.key, k.key_len, NBS_KV_ANY, a->value_buffer + 1,
                          a->value_buffer_size - 1, &value_len, &format)))
        return rc;
    *len = value_len + 1;
    if (capacity < *len) return NBS_E_BUFFER_TOO_SMALL;
    ((uint8_t *)buf)[0] = (uint8_t)format;
    memcpy((uint8_t *)buf + 1, a->value_buffer + 1, value_len);
    return NBS_OK;
}

static int view_has(void *ctx, const void *item_key, size_t item_len, bool *present) {
    kv_adapter *a = ctx;
    size_t len = 0;
    int rc = view_fetch(ctx, item_key, item_len, a->value_buffer, a->value_buffer_size, &len);
    *present = rc == NBS_OK;
    return rc == NBS_E_NOT_FOUND ? NBS_OK : rc;
}

/* ---- RAM state: the map adapter's, then the layer, its buffer and the open domains ---- */

static void save_state(void *ctx, void *out) {
    kv_adapter *a = ctx;
    uint8_t *p = out;
    a->map.save_state(a->map.ctx, p);
    p += a->map.state_size;
    memcpy(p, &a->kv, sizeof a->kv);
    memcpy(p + sizeof a->kv, a->kv_buffer, a->kv_buffer_size);
    memcpy(p + sizeof a->kv + a->kv_buffer_size, a->open, sizeof a->open);
}

static void restore_state(void *ctx, const void *in) {
    kv_adapter *a = ctx;
    const uint8_t *p = in;
    a->map.restore_state(a->map.ctx, p);
    p += a->map.state_size;
    memcpy(&a->kv, p, sizeof a->kv);
    memcpy(a->kv_buffer, p + sizeof a->kv, a->kv_buffer_size);
    memcpy(a->open, p + sizeof a->kv + a->kv_buffer_size, sizeof a->open);
}

static int inspect(void *ctx, uint32_t first, uint32_t count, const nbs_inspect_visitor *visitor,
                   nbs_inspect_summary *summary) {
    kv_adapter *a = ctx;
    return a->map.inspect(a->map.ctx, first, count, visitor, summary);
}

int adapter_nbs_kv_create(adapter *out, nor *dev, const adapter_config *cfg) {
    memset(out, 0, sizeof *out);
    kv_adapter *a = calloc(1, sizeof *a);
    if (!a) return NBS_E_CACHE_MEM;
    int rc = adapter_nbs_map_create(&a->map, dev, cfg);
    if (rc) {
        free(a);
        return rc;
    }
    /* nbs_kv_buffer_bytes() for this flash: a map key and a value below a page. */
    a->kv_buffer_size = NBS_KEY_MAX + cfg->page_size;
    a->kv_buffer = malloc(a->kv_buffer_size);
    a->value_buffer_size = a->map.max_value_size + 1;
    a->value_buffer = malloc(a->value_buffer_size);
    if (!a->kv_buffer || !a->value_buffer) {
        kv_adapter_free(a);
        return NBS_E_CACHE_MEM;
    }
    *out = (adapter){
        .name = "kv",
        .capabilities = ADAPTER_CAN_KV,
        .max_value_size = (uint32_t)a->value_buffer_size,
        .ctx = a,
        .mount = kv_mount,
        .format = kv_format,
        .fetch = view_fetch,
        .remove_all = kv_format, /* only asked of a store mounted read-only, which refuses it */
        .has = view_has,
        .count = view_count,
        .iterate = view_iterate,
        .state_size = a->map.state_size + sizeof a->kv + a->kv_buffer_size + sizeof a->open,
        .save_state = save_state,
        .restore_state = restore_state,
        .destroy = kv_adapter_free,
        .mount_read_only = kv_mount_read_only,
        .inspect = inspect,
        .kv = &kv_ops,
        .commit = kv_commit,
    };
    return NBS_OK;
}
