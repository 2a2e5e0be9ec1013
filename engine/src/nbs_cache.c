/* The optional RAM caches (format 3: not built yet). nbs_cache_bytes() keeps its contract so
 * that callers size their memory; the engine does not use the caches yet (work in progress on
 * branch i12-format). */
#include "nbs_internal.h"

size_t nbs_cache_bytes(unsigned flags, uint32_t pages, uint32_t max_keys) {
    if (!(flags & NBS_CACHE_ALL)) return 0;
    size_t bytes = 8;
    if (flags & NBS_CACHE_PAGE_STATES) bytes += 9u * pages;
    if (flags & NBS_CACHE_PAGE_POINTERS) bytes += 2u * pages;
    if (flags & NBS_CACHE_KEYS) bytes += 16u * ((size_t)max_keys + max_keys / 2 + 1);
    return bytes;
}
