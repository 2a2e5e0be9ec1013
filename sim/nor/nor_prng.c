/* xoshiro256** (Blackman and Vigna) with splitmix64 to spread a 64-bit seed over its state:
 * fast, small state (cheap to snapshot) and good enough statistics for fault injection. */
#include "nor_prng.h"

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

void nor_prng_seed(nor_prng *prng, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) prng->s[i] = splitmix64(&x);
}

uint64_t nor_prng_next(nor_prng *prng) {
    uint64_t *s = prng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t nor_prng_below(nor_prng *prng, uint64_t bound) {
    /* Values at or above the largest multiple of bound would favour small results. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do x = nor_prng_next(prng);
    while (x >= limit);
    return x % bound;
}
