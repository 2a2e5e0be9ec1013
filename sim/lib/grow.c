/* Growing arrays (grow.h). */
#include "grow.h"

#include <stdlib.h>
#include <string.h>

bool grow_array(void *items, size_t *capacity, size_t count, size_t elem_size, size_t first) {
    if (count < *capacity) return true;
    size_t grown_capacity = *capacity ? *capacity * 2 : first;
    void *old;
    memcpy(&old, items, sizeof old);
    void *grown = realloc(old, grown_capacity * elem_size);
    if (!grown) return false;
    memcpy(items, &grown, sizeof grown);
    *capacity = grown_capacity;
    return true;
}
