/* Seeded randomness for reproducible test workloads: the NOR model's PRNG with the helpers
 * tests need (ranges, percentages, byte fills). The same seed gives the same sequence. */
#ifndef TESTS_TEST_RNG_H
#define TESTS_TEST_RNG_H

#include "nor_prng.h"

#include <stddef.h>
#include <stdint.h>

typedef struct test_rng {
    nor_prng prng;
} test_rng;

void test_rng_seed(test_rng *rng, uint64_t seed);
uint64_t test_rng_next(test_rng *rng);
/* Uniform in [0, bound); 0 when bound is 0. */
uint32_t test_rng_below(test_rng *rng, uint32_t bound);
/* Uniform in [lo, hi]. */
uint32_t test_rng_range(test_rng *rng, uint32_t lo, uint32_t hi);
/* True with probability percent/100. */
int test_rng_percent(test_rng *rng, unsigned percent);
void test_rng_fill(test_rng *rng, void *buf, size_t len);

/* A positive integer from the environment variable `name`, or `fallback`. */
unsigned long test_env_ulong(const char *name, unsigned long fallback);
/* `count` times the test scale NORBENCH_TEST_SCALE (a positive number, default 1), at least 1. */
unsigned long test_scaled(unsigned long count);

#endif
