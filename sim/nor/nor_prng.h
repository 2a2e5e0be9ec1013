/* The model's seeded PRNG: xoshiro256** seeded through splitmix64. Every random choice of a
 * device (tears, weak bits, wear-out, random timing) draws from one of these, so a seed
 * reproduces a run bit for bit. */
#ifndef NORBENCH_NOR_PRNG_H
#define NORBENCH_NOR_PRNG_H

#include <stdint.h>

typedef struct nor_prng {
    uint64_t s[4];
} nor_prng;

void nor_prng_seed(nor_prng *prng, uint64_t seed);
uint64_t nor_prng_next(nor_prng *prng);
/* Uniform in [0, bound); bound must be > 0. Unbiased (rejection of the short tail). */
uint64_t nor_prng_below(nor_prng *prng, uint64_t bound);

#endif
