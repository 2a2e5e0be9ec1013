/* The table of engine adapters norbench can drive, looked up by the scenario's engine type.
 * A new engine is one more row here and one create function. */
#include "adapter.h"

#include <string.h>

static const adapter_kind adapter_kinds[] = {
    {"map", ADAPTER_CAN_MAP, adapter_nbs_map_create},
    {"queue", ADAPTER_CAN_QUEUE, adapter_nbs_queue_create},
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

void adapter_destroy(adapter *a) {
    if (a && a->destroy) a->destroy(a->ctx);
    if (a) memset(a, 0, sizeof *a);
}
