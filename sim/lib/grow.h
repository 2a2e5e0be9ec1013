/* Growing arrays: the one place that doubles an array's capacity when it is full. */
#ifndef GROW_H
#define GROW_H

#include <stdbool.h>
#include <stddef.h>

/* Makes room for element `count` of the array *items (elements of elem_size bytes, *capacity of
 * them allocated): when count has reached *capacity, doubles it (to `first` from empty) with
 * realloc. false when out of memory, the array then unchanged. */
bool grow_array(void *items, size_t *capacity, size_t count, size_t elem_size, size_t first);

#endif
