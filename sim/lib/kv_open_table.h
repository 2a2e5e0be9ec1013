/* The kv adapters' open domains by name (adapter.h: at most ADAPTER_KV_OPEN_MAX at once, an open
 * name opened again takes its own slot back): slot numbers the adapter ties to its handles (the
 * host engine's, or the agent firmware's on a board). */
#ifndef NORBENCH_KV_OPEN_TABLE_H
#define NORBENCH_KV_OPEN_TABLE_H

#include "adapter.h"
#include "nbs_kv.h"

typedef struct kv_open_table {
    bool used[ADAPTER_KV_OPEN_MAX];
    uint8_t name_len[ADAPTER_KV_OPEN_MAX];
    uint8_t name[ADAPTER_KV_OPEN_MAX][NBS_KV_NAME_MAX];
} kv_open_table;

/* The slot holding `name`, or -1. */
int kv_open_find(const kv_open_table *t, const void *name, size_t name_len);
/* The slot an open of `name` takes (its own, else a free one), or -1 when all are taken. */
int kv_open_slot(const kv_open_table *t, const void *name, size_t name_len);
/* Records `name` (1..NBS_KV_NAME_MAX bytes: an open the engine accepted) in `slot`. */
void kv_open_set(kv_open_table *t, int slot, const void *name, size_t name_len);

#endif
