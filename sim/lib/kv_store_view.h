/* The whole key-value store read into the runner's view (kv_view.h), for the kv adapters'
 * iterate, count, fetch and has: every domain, then every key of each with its value and
 * format. Written once over four reads that each kv adapter answers its own way (the built-in
 * engine on the host: adapter_kv.c; the agent firmware on a board: emu/agent), so that both
 * show the store to the runner's whole-store checks the same way. */
#ifndef NORBENCH_KV_STORE_VIEW_H
#define NORBENCH_KV_STORE_VIEW_H

#include "adapter.h"

typedef struct kv_store_reader {
    void *ctx;
    /* visit(visit_ctx, name, name_len, NULL, 0, ...) for each domain of the store. */
    int (*domains)(void *ctx, adapter_visit_fn visit, void *visit_ctx);
    /* Opens `name` (mode r) as the reader's domain, apart from the adapter's open domains:
     * NBS_E_NOT_FOUND when the store has no such domain. */
    int (*open)(void *ctx, const void *name, size_t name_len);
    /* visit(visit_ctx, key, key_len, NULL, 0, ...) for each key of the reader's domain. */
    int (*keys)(void *ctx, adapter_visit_fn visit, void *visit_ctx);
    /* `key` of the reader's domain in any format, *format the stored one. */
    int (*read)(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity, size_t *len,
                int *format);
    uint8_t *buffer; /* the reads: a format byte, then the value (the adapter's max_value_size) */
    size_t buffer_size;
} kv_store_reader;

/* Sets the adapter's iterate, count, fetch and has to the view; its ctx must start with its
 * kv_store_reader (whose ctx the reads get). */
void kv_store_view_install(adapter *out);

#endif
