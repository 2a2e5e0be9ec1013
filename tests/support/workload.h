/* Seeded random workloads that drive a mounted map or queue and the reference model side by
 * side, checking every answer as they go. Shared by the geometry, cache, GC and power-cut
 * tests so they all exercise the same operation mix. */
#ifndef TESTS_WORKLOAD_H
#define TESTS_WORKLOAD_H

#include "engine_check.h"
#include "engine_fixture.h"
#include "ref_model.h"
#include "seeded_rng.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum wl_result {
    WL_OK,   /* the operation returned what the model expected */
    WL_CUT,  /* the flash lost power: the model holds the operation in flight */
    WL_FAIL, /* the engine disagreed with the model (see why) */
} wl_result;

typedef struct workload {
    engine_fixture *f;
    seeded_rng *rng;
    ref_map *map_model;     /* for a map fixture */
    ref_queue *queue_model; /* for a queue fixture */
    uint32_t key_count;     /* map: keys drawn from this many */
    uint32_t value_max;     /* largest value or entry drawn (clipped to what fits) */
    bool allow_remove_all;  /* map: include remove_all (rarely) */
    uint64_t digest;        /* every answer the engine gave, hashed */
    uint64_t steps;
    uint64_t full_answers; /* NBS_E_FULL returned */
    char last_op[160];     /* the last operation, for failure messages */
} workload;

void wl_init(workload *w, engine_fixture *f, seeded_rng *rng, ref_map *map_model,
             ref_queue *queue_model);
/* One random operation on the fixture's store; `why` holds EC_WHY_SIZE bytes. */
wl_result wl_step(workload *w, char *why);

/* The bytes of key number `id` (2..8 bytes, distinct for distinct ids below 65536). */
size_t wl_key(uint32_t id, uint8_t key[NBS_KEY_MAX]);
/* Random value bytes; now and then all erase-value-like bytes (0xFF or 0x00). */
void wl_value(seeded_rng *rng, uint8_t *buf, size_t len);
/* Mixes an engine answer into a digest. */
uint64_t wl_mix(uint64_t digest, int rc, const void *bytes, size_t len);

#endif
