/* The kv adapters' open domains by name (kv_open_table.h). */
#include "kv_open_table.h"

#include <string.h>

int kv_open_find(const kv_open_table *t, const void *name, size_t name_len) {
    for (int i = 0; i < ADAPTER_KV_OPEN_MAX; i++)
        if (t->used[i] && t->name_len[i] == name_len &&
            (name_len == 0 || memcmp(t->name[i], name, name_len) == 0))
            return i;
    return -1;
}

int kv_open_slot(const kv_open_table *t, const void *name, size_t name_len) {
    int slot = kv_open_find(t, name, name_len);
    for (int i = 0; slot < 0 && i < ADAPTER_KV_OPEN_MAX; i++)
        if (!t->used[i]) slot = i;
    return slot;
}

void kv_open_set(kv_open_table *t, int slot, const void *name, size_t name_len) {
    t->used[slot] = true;
    t->name_len[slot] = (uint8_t)name_len;
    memcpy(t->name[slot], name, name_len);
}
