/* Host adapter for key-value domains (engine type "kv"): the built-in map adapter underneath
 * (its mount, caches, RAM state and inspection), nbs_kv on its map, and the domains open by
 * name. It also shows the whole store to the runner's whole-store checks (kv_store_view.h) through
 * a domain handle of its own. */
#include "adapter.h"
#include "kv_open_table.h"
#include "kv_store_view.h"
#include "kv_view.h"
#include "nbs_kv.h"

#include <stdlib.h>
#include <string.h>

typedef struct kv_adapter {
    kv_store_reader reader; /* first: the whole-store view's ctx (kv_store_view.h) */
    adapter map;            /* the built-in map adapter: mount, RAM state, inspection */
    nbs_kv kv;
    uint8_t *kv_buffer;
    size_t kv_buffer_size;
    kv_open_table open;
    nbs_kv_domain handles[ADAPTER_KV_OPEN_MAX]; /* by the table's slot */
    nbs_kv_domain view_domain;                  /* the whole-store view's reads (kv_store_view.h) */
} kv_adapter;

static void kv_adapter_free(void *ctx) {
    kv_adapter *a = ctx;
    if (!a) return;
    adapter_destroy(&a->map);
    free(a->kv_buffer);
    free(a->reader.buffer);
    free(a);
}

static void close_all(kv_adapter *a) {
    memset(&a->open, 0, sizeof a->open);
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

/* The handle of the open domain `name`, or NULL. */
static nbs_kv_domain *find_open(kv_adapter *a, const void *name, size_t name_len) {
    int slot = kv_open_find(&a->open, name, name_len);
    return slot < 0 ? NULL : &a->handles[slot];
}

static int kv_open(void *ctx, const void *name, size_t name_len, bool writable) {
    kv_adapter *a = ctx;
    int slot = kv_open_slot(&a->open, name, name_len);
    if (slot < 0) return NBS_E_FULL;
    nbs_kv_domain handle;
    int rc = nbs_kv_open(&a->kv, &handle, name, name_len, writable);
    if (rc) return rc;
    kv_open_set(&a->open, slot, name, name_len);
    a->handles[slot] = handle;
    return NBS_OK;
}

static int kv_close(void *ctx, const void *name, size_t name_len) {
    kv_adapter *a = ctx;
    int slot = kv_open_find(&a->open, name, name_len);
    if (slot < 0) return NBS_E_KV_CLOSED;
    a->open.used[slot] = false;
    return nbs_kv_close(&a->handles[slot]);
}

static int kv_read(void *ctx, const void *name, size_t name_len, const void *key, size_t key_len,
                   int format, void *buf, size_t capacity, size_t *len, int *stored) {
    nbs_kv_domain *d = find_open(ctx, name, name_len);
    if (!d) return NBS_E_KV_CLOSED;
    nbs_kv_format found = NBS_KV_ANY;
    int rc = nbs_kv_read(d, key, key_len, (nbs_kv_format)format, buf, capacity, len, &found);
    if (stored) *stored = (int)found;
    return rc;
}

static int kv_write(void *ctx, const void *name, size_t name_len, const void *key, size_t key_len,
                    int format, const void *value, size_t len) {
    nbs_kv_domain *d = find_open(ctx, name, name_len);
    if (!d) return NBS_E_KV_CLOSED;
    return nbs_kv_write(d, key, key_len, (nbs_kv_format)format, value, len);
}

static int kv_remove(void *ctx, const void *name, size_t name_len, const void *key, size_t key_len,
                     bool *existed) {
    nbs_kv_domain *d = find_open(ctx, name, name_len);
    if (!d) return NBS_E_KV_CLOSED;
    return nbs_kv_delete(d, key, key_len, existed);
}

/* A write of a transaction in the runner's view form (kv_view.h: the item key names the domain
 * and the key, the value is the format byte then the value), staged in its open domain. */
static int kv_stage(void *ctx, nbs_map_txn *txn, const adapter_write *w) {
    kv_view_key k;
    if (!kv_view_parse_key(w->key, w->key_len, &k) || k.is_domain) return NBS_E_INVAL;
    nbs_kv_domain *d = find_open(ctx, k.name, k.name_len);
    if (!d) return NBS_E_KV_CLOSED;
    if (w->remove) return nbs_kv_txn_delete(d, txn, k.key, k.key_len);
    if (w->value_len < 1) return NBS_E_INVAL;
    return nbs_kv_txn_write(d, txn, k.key, k.key_len, (nbs_kv_format)w->value[0], w->value + 1,
                            w->value_len - 1);
}

static int kv_commit(void *ctx, const adapter_write *writes, size_t count) {
    kv_adapter *a = ctx;
    return adapter_txn_run(adapter_nbs_map_of(&a->map), writes, count, kv_stage, a);
}

/* visit(key) for each key of an open handle. */
static int walk_keys(nbs_kv_domain *d, adapter_visit_fn visit, void *visit_ctx) {
    nbs_kv_iter it;
    int rc = nbs_kv_keys_init(d, &it);
    for (;;) {
        uint8_t key[NBS_KV_KEY_MAX];
        size_t key_len = 0;
        if (rc || (rc = nbs_kv_keys_next(&it, key, sizeof key, &key_len)))
            return rc == NBS_E_END ? NBS_OK : rc;
        bool pop_ignored = false;
        rc = visit(visit_ctx, key, key_len, NULL, 0, &pop_ignored);
    }
}

static int kv_keys(void *ctx, const void *name, size_t name_len, adapter_visit_fn visit,
                   void *visit_ctx) {
    nbs_kv_domain *d = find_open(ctx, name, name_len);
    if (!d) return NBS_E_KV_CLOSED;
    return walk_keys(d, visit, visit_ctx);
}

static const adapter_kv_ops kv_ops = {kv_open, kv_close, kv_read, kv_write, kv_remove, kv_keys};

/* ---- the whole store in the runner's view (kv_store_view.h) ---- */

static int reader_domains(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    kv_adapter *a = ctx;
    nbs_kv_iter domains;
    nbs_kv_domains_init(&a->kv, &domains);
    for (;;) {
        uint8_t name[NBS_KV_NAME_MAX];
        size_t name_len = 0;
        int rc = nbs_kv_domains_next(&domains, name, sizeof name, &name_len);
        if (rc) return rc == NBS_E_END ? NBS_OK : rc;
        bool pop_ignored = false;
        if ((rc = visit(visit_ctx, name, name_len, NULL, 0, &pop_ignored))) return rc;
    }
}

static int reader_open(void *ctx, const void *name, size_t name_len) {
    kv_adapter *a = ctx;
    return nbs_kv_open(&a->kv, &a->view_domain, name, name_len, false);
}

static int reader_keys(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    return walk_keys(&((kv_adapter *)ctx)->view_domain, visit, visit_ctx);
}

static int reader_read(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity,
                       size_t *len, int *format) {
    nbs_kv_format found = NBS_KV_ANY;
    int rc = nbs_kv_read(&((kv_adapter *)ctx)->view_domain, key, key_len, NBS_KV_ANY, buf, capacity,
                         len, &found);
    *format = (int)found;
    return rc;
}

/* ---- RAM state: the map adapter's, then the layer, its buffer and the open domains ---- */

static void save_state(void *ctx, void *out) {
    kv_adapter *a = ctx;
    uint8_t *p = out;
    a->map.save_state(a->map.ctx, p);
    p += a->map.state_size;
    memcpy(p, &a->kv, sizeof a->kv);
    memcpy(p + sizeof a->kv, a->kv_buffer, a->kv_buffer_size);
    p += sizeof a->kv + a->kv_buffer_size;
    memcpy(p, &a->open, sizeof a->open);
    memcpy(p + sizeof a->open, a->handles, sizeof a->handles);
}

static void restore_state(void *ctx, const void *in) {
    kv_adapter *a = ctx;
    const uint8_t *p = in;
    a->map.restore_state(a->map.ctx, p);
    p += a->map.state_size;
    memcpy(&a->kv, p, sizeof a->kv);
    memcpy(a->kv_buffer, p + sizeof a->kv, a->kv_buffer_size);
    p += sizeof a->kv + a->kv_buffer_size;
    memcpy(&a->open, p, sizeof a->open);
    memcpy(a->handles, p + sizeof a->open, sizeof a->handles);
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
    a->reader = (kv_store_reader){a,
                                  reader_domains,
                                  reader_open,
                                  reader_keys,
                                  reader_read,
                                  malloc(a->map.max_value_size + 1),
                                  a->map.max_value_size + 1};
    if (!a->kv_buffer || !a->reader.buffer) {
        kv_adapter_free(a);
        return NBS_E_CACHE_MEM;
    }
    *out = (adapter){
        .name = "kv",
        .capabilities = ADAPTER_CAN_KV,
        .max_value_size = (uint32_t)a->reader.buffer_size,
        .ctx = a,
        .mount = kv_mount,
        .format = kv_format,
        .remove_all = kv_format, /* only asked of a store mounted read-only, which refuses it */
        .state_size = a->map.state_size + sizeof a->kv + a->kv_buffer_size + sizeof a->open +
                      sizeof a->handles,
        .save_state = save_state,
        .restore_state = restore_state,
        .destroy = kv_adapter_free,
        .mount_read_only = kv_mount_read_only,
        .inspect = inspect,
        .kv = &kv_ops,
        .commit = kv_commit,
    };
    kv_store_view_install(out);
    return NBS_OK;
}
