/* The optional RAM caches: sizing. The uncached path is the truth; caches sit in front of
 * nbs_identity(), nbs_page_last() and nbs_map_find(). Built with NBS_WITH_CACHES=0 this file
 * reports that no cache memory is needed. (The cache implementations come in a later step;
 * until then every cache costs 0 bytes and every answer comes from flash.) */
#include "nbs_internal.h"

size_t nbs_cache_bytes(unsigned flags, uint32_t pages, uint32_t max_keys) {
    (void)flags;
    (void)pages;
    (void)max_keys;
    return 0;
}
