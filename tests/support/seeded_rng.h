/* Seeded randomness for reproducible test workloads: the NOR model's PRNG with the helpers
 * tests need (ranges, percentages, byte fills). The same seed gives the same sequence. */
#ifndef TESTS_SEEDED_RNG_H
#define TESTS_SEEDED_RNG_H

#include "nor_prng.h"

#include <stddef.h>
#include <stdint.h>

typedef struct seeded_rng {
    nor_prng prng;
} seeded_rng;

void seeded_rng_seed(seeded_rng *rng, uint64_t seed);
uint64_t seeded_rng_next(seeded_rng *rng);
/* Uniform in [0, bound); 0 when bound is 0. */
uint32_t seeded_rng_below(seeded_rng *rng, uint32_t bound);
/* Uniform in [lo, hi]. */
uint32_t seeded_rng_range(seeded_rng *rng, uint32_t lo, uint32_t hi);
/* True with probability percent/100. */
int seeded_rng_percent(seeded_rng *rng, unsigned percent);
void seeded_rng_fill(seeded_rng *rng, void *buf, size_t len);

/* A positive integer from the environment variable `name`, or `fallback`. */
unsigned long test_env_ulong(const char *name, unsigned long fallback);
/* `count` times the test scale NORBENCH_TEST_SCALE (a positive number, default 1), at least 1. */
unsigned long test_scaled(unsigned long count);

#endif
