/* The whole key-value store in the runner's view, over a kv adapter's reads (kv_store_view.h). */
#include "kv_store_view.h"
#include "kv_view.h"
#include "nbs_kv.h"

#include <string.h>

typedef struct store_walk {
    const kv_store_reader *r;
    adapter_visit_fn visit;
    void *visit_ctx;
    const uint8_t *name; /* the domain being walked */
    size_t name_len;
} store_walk;

static int read_any(const kv_store_reader *r, const void *key, size_t key_len, size_t *len) {
    int format = NBS_KV_ANY;
    int rc = r->read(r->ctx, key, key_len, r->buffer + 1, r->buffer_size - 1, len, &format);
    r->buffer[0] = (uint8_t)format;
    return rc;
}

static int visit_value(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                       size_t value_len, bool *pop_current) {
    (void)value, (void)value_len, (void)pop_current;
    store_walk *w = ctx;
    size_t len = 0;
    int rc = read_any(w->r, key, key_len, &len);
    if (rc) return rc;
    uint8_t item_key[KV_VIEW_KEY_MAX];
    size_t item_len = kv_view_value_key(w->name, w->name_len, key, key_len, item_key);
    bool pop_ignored = false;
    return w->visit(w->visit_ctx, item_key, item_len, w->r->buffer, len + 1, &pop_ignored);
}

static int visit_domain(void *ctx, const uint8_t *name, size_t name_len, const uint8_t *value,
                        size_t value_len, bool *pop_current) {
    (void)value, (void)value_len, (void)pop_current;
    store_walk *w = ctx;
    uint8_t item_key[KV_VIEW_KEY_MAX];
    size_t item_len = kv_view_domain_key(name, name_len, item_key);
    bool pop_ignored = false;
    int rc = w->visit(w->visit_ctx, item_key, item_len, w->r->buffer, 0, &pop_ignored);
    if (rc || (rc = w->r->open(w->r->ctx, name, name_len))) return rc;
    w->name = name, w->name_len = name_len;
    return w->r->keys(w->r->ctx, visit_value, w);
}

/* Each op's ctx: an adapter whose ctx starts with its reader. */
static int view_iterate(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    store_walk w = {.r = ctx, .visit = visit, .visit_ctx = visit_ctx};
    return w.r->domains(w.r->ctx, visit_domain, &w);
}

static int view_count(void *ctx, uint32_t *count) {
    return adapter_count_by_iterate(ctx, view_iterate, count);
}

static int view_fetch(void *ctx, const void *item_key, size_t item_len, void *buf, size_t capacity,
                      size_t *len) {
    const kv_store_reader *r = ctx;
    kv_view_key k;
    if (!kv_view_parse_key(item_key, item_len, &k)) return NBS_E_NOT_FOUND;
    int rc = r->open(r->ctx, k.name, k.name_len);
    if (rc || k.is_domain) {
        if (!rc) *len = 0;
        return rc;
    }
    size_t value_len = 0;
    if ((rc = read_any(r, k.key, k.key_len, &value_len))) return rc;
    *len = value_len + 1;
    if (capacity < *len) return NBS_E_BUFFER_TOO_SMALL;
    memmove(buf, r->buffer, *len);
    return NBS_OK;
}

static int view_has(void *ctx, const void *item_key, size_t item_len, bool *present) {
    const kv_store_reader *r = ctx;
    size_t len = 0;
    int rc = view_fetch(ctx, item_key, item_len, r->buffer, r->buffer_size, &len);
    *present = rc == NBS_OK;
    return rc == NBS_E_NOT_FOUND ? NBS_OK : rc;
}

void kv_store_view_install(adapter *out) {
    out->iterate = view_iterate;
    out->count = view_count;
    out->fetch = view_fetch;
    out->has = view_has;
}
