/* Shared pieces of the engine benchmarks: the measured geometries, a store mounted on a fresh
 * NOR device, the workloads' keys and bytes, per-operation flash traffic and erase counts (see
 * bench_store.h). */
#include "bench_store.h"

#include <stdlib.h>
#include <string.h>

const bench_geometry bench_geometries[] = {{"tiny", 4}, {"nrf52840", 8}, {"stm32l4-1m", 8}};
const size_t bench_geometry_count = sizeof bench_geometries / sizeof *bench_geometries;

int bench_store_open(bench_store *s, const nor_config *cfg, uint32_t pages, unsigned cache_flags,
                     uint32_t max_keys, bool is_map) {
    memset(s, 0, sizeof *s);
    if (!cfg || nor_create(&s->dev, cfg, 1) != NOR_OK) return NBS_E_GEOMETRY;
    uint32_t index, start, sector_size;
    if (nor_sector_at(s->dev, 0, &index, &start, &sector_size)) return NBS_E_GEOMETRY;
    int rc = nbs_nor_bind(&s->binding, s->dev, 0, pages * sector_size, sector_size);
    if (rc) return rc;
    if (!(cache_flags & NBS_CACHE_KEYS)) max_keys = 0;
    size_t work_size = nbs_work_bytes_min(&s->binding.flash);
    s->cache_bytes = cache_flags ? nbs_cache_bytes(cache_flags, pages, max_keys) : 0;
    s->page_size = sector_size;
    s->work = malloc(work_size);
    s->cache_mem = malloc(s->cache_bytes ? s->cache_bytes : 1);
    if (!s->work || !s->cache_mem) return NBS_E_INVAL;
    s->config = (nbs_config){
        .flash = s->binding.flash,
        .work = s->work,
        .work_size = work_size,
        .cache = {.flags = cache_flags,
                  .mem = cache_flags ? s->cache_mem : NULL,
                  .mem_size = s->cache_bytes,
                  .max_keys = max_keys,
                  .check = false},
    };
    return is_map ? nbs_map_mount(&s->map, &s->config) : nbs_queue_mount(&s->queue, &s->config);
}

void bench_store_close(bench_store *s) {
    free(s->work);
    free(s->cache_mem);
    if (s->dev) nor_destroy(s->dev);
    s->work = s->cache_mem = NULL;
    s->dev = NULL;
}

void bench_key(uint32_t id, uint8_t key[BENCH_KEY_BYTES]) {
    memset(key, 'k', BENCH_KEY_BYTES);
    nbs_key_u32(id, key);
}

void bench_random_bytes(nor_prng *prng, uint8_t *out, size_t len) {
    for (size_t i = 0; i < len; i++) out[i] = (uint8_t)nor_prng_next(prng);
}

int bench_add_item(bench_store *s, bool is_map, uint32_t id, nor_prng *prng) {
    if (!is_map) {
        uint8_t entry[BENCH_ENTRY_BYTES];
        bench_random_bytes(prng, entry, sizeof entry);
        return nbs_queue_push(&s->queue, entry, sizeof entry, 0);
    }
    uint8_t key[BENCH_KEY_BYTES], value[BENCH_VALUE_BYTES];
    bench_key(id, key);
    bench_random_bytes(prng, value, sizeof value);
    return nbs_map_store(&s->map, key, sizeof key, value, sizeof value);
}

void bench_cost_add(bench_op_cost *cost, const nor_stats *before, const nor_stats *after) {
    cost->count++;
    cost->read_calls += after->read_calls - before->read_calls;
    cost->read_bytes += after->read_bytes - before->read_bytes;
    cost->program_calls += after->program_calls - before->program_calls;
    cost->program_bytes += after->program_bytes - before->program_bytes;
}

double bench_per_op(uint64_t total, uint64_t count) {
    return count ? (double)total / (double)count : 0.0;
}

void bench_erase_range(const bench_store *s, uint32_t *min, uint32_t *max) {
    *min = UINT32_MAX, *max = 0;
    const nbs_flash *f = &s->binding.flash;
    for (uint32_t a = f->start; a < f->start + f->size;) {
        uint32_t index, start, size;
        if (nor_sector_at(s->dev, a, &index, &start, &size)) break;
        uint32_t n = nor_erase_count(s->dev, index);
        if (n < *min) *min = n;
        if (n > *max) *max = n;
        a = start + size;
    }
    if (*min == UINT32_MAX) *min = 0;
}

double bench_erase_spread(uint32_t min, uint32_t max) {
    return min ? (double)max / min : 0.0;
}
