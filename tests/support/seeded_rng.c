/* The seeded generator behind every randomized engine test (see seeded_rng.h). */
#include "seeded_rng.h"

#include <stdlib.h>

void seeded_rng_seed(seeded_rng *rng, uint64_t seed) {
    nor_prng_seed(&rng->prng, seed);
}

uint64_t seeded_rng_next(seeded_rng *rng) {
    return nor_prng_next(&rng->prng);
}

uint32_t seeded_rng_below(seeded_rng *rng, uint32_t bound) {
    return bound ? (uint32_t)nor_prng_below(&rng->prng, bound) : 0;
}

uint32_t seeded_rng_range(seeded_rng *rng, uint32_t lo, uint32_t hi) {
    return lo + seeded_rng_below(rng, hi - lo + 1);
}

int seeded_rng_percent(seeded_rng *rng, unsigned percent) {
    return seeded_rng_below(rng, 100) < percent;
}

void seeded_rng_fill(seeded_rng *rng, void *buf, size_t len) {
    uint8_t *out = buf;
    for (size_t i = 0; i < len; i++) out[i] = (uint8_t)(seeded_rng_next(rng) >> 56);
}

unsigned long test_env_ulong(const char *name, unsigned long fallback) {
    const char *text = getenv(name);
    if (!text || !*text) return fallback;
    char *end = NULL;
    unsigned long value = strtoul(text, &end, 0);
    return (end && *end == '\0') ? value : fallback;
}

unsigned long test_scaled(unsigned long count) {
    const char *text = getenv("NORBENCH_TEST_SCALE");
    double scale = text && *text ? strtod(text, NULL) : 1.0;
    double scaled = (double)count * (scale > 0 ? scale : 1.0);
    return scaled < 1.0 ? 1 : (unsigned long)scaled;
}
