/* Shared pieces of the engine benchmarks (bench_engine.c, bench_engine_fill.c,
 * bench_seqstore.c): a map or queue mounted on a fresh NOR device, the workloads' keys and
 * seeded bytes, the flash traffic of one operation taken from the model's statistics, and the
 * erase counts over the store's pages. */
#ifndef NORBENCH_BENCH_STORE_H
#define NORBENCH_BENCH_STORE_H

#include "nbs.h"
#include "nbs_nor.h"
#include "nor.h"
#include "nor_prng.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The geometries `bench engine` measures: a preset and how many of its first sectors (one
 * sector per engine page) the store owns. */
typedef struct bench_geometry {
    const char *preset;
    uint32_t pages;
} bench_geometry;
extern const bench_geometry bench_geometries[];
extern const size_t bench_geometry_count;

/* One store on its own NOR device, with its buffers. */
typedef struct bench_store {
    nor *dev;
    nbs_nor binding;
    nbs_config config;
    void *work, *cache_mem;
    size_t cache_bytes; /* what the caches asked for (nbs_cache_bytes) */
    uint32_t page_size;
    nbs_map map;
    nbs_queue queue;
} bench_store;

/* Creates a device from cfg (erased), gives the store its first `pages` sectors (one page
 * each) and mounts a map or a queue with the caches in cache_flags (max_keys key entries when
 * NBS_CACHE_KEYS is set), check mode off. Returns 0 or an engine error; close it either way. */
int bench_store_open(bench_store *s, const nor_config *cfg, uint32_t pages, unsigned cache_flags,
                     uint32_t max_keys, bool is_map);
void bench_store_close(bench_store *s);

/* The items of bench engine's workloads (bench_engine.c, bench_engine_fill.c): map keys (key
 * number `id`: its 4 bytes, nbs_key_u32, then 'k') with random values, queue entries of random
 * bytes, each byte one draw of the workload's PRNG. */
#define BENCH_KEY_BYTES   8
#define BENCH_VALUE_BYTES 24
#define BENCH_ENTRY_BYTES 32
void bench_key(uint32_t id, uint8_t key[BENCH_KEY_BYTES]);
void bench_random_bytes(nor_prng *prng, uint8_t *out, size_t len);
/* One item more into the store: key `id` with a random value (map) or a random entry (queue).
 * Returns the engine's code. */
int bench_add_item(bench_store *s, bool is_map, uint32_t id, nor_prng *prng);

/* Flash traffic of one kind of operation. */
typedef struct bench_op_cost {
    uint64_t count, read_calls, read_bytes, program_calls, program_bytes;
} bench_op_cost;
/* Adds the traffic between two readings of the statistics to cost, as one operation. */
void bench_cost_add(bench_op_cost *cost, const nor_stats *before, const nor_stats *after);
double bench_per_op(uint64_t total, uint64_t count);
/* Runs `call` (an engine call), stores its result in rc and adds its flash traffic on dev to
 * cost as one operation. */
#define BENCH_MEASURE(dev, cost, rc, call)                                                         \
    do {                                                                                           \
        nor_stats before_, after_;                                                                 \
        nor_get_stats((dev), &before_);                                                            \
        (rc) = (call);                                                                             \
        nor_get_stats((dev), &after_);                                                             \
        bench_cost_add((cost), &before_, &after_);                                                 \
    } while (0)

/* Smallest and largest erase count over the sectors of the store's range. */
void bench_erase_range(const bench_store *s, uint32_t *min, uint32_t *max);
/* max/min; 0 when some page was never erased (min 0). */
double bench_erase_spread(uint32_t min, uint32_t max);

#endif
