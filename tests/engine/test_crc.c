/* The engine's CRC-32C: the byte-table version the host build links and the nibble-table
 * version Cortex-M builds use (compiled here from the same source under other names) both
 * agree with a bit-by-bit reference, with the standard check value, and chain across calls. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#undef NBS_CRC_BYTE_TABLE
#define NBS_CRC_BYTE_TABLE 0
#define nbs_crc32c         nibble_crc32c
#define nbs_get_le         nibble_get_le
#define nbs_put_le         nibble_put_le
#include "../../engine/src/nbs_crc.c"
#undef nbs_crc32c
#undef nbs_get_le
#undef nbs_put_le

uint32_t nbs_crc32c(uint32_t seed, const void *data, size_t len);

/* The definition, one bit at a time; the same seeding as the engine's. */
static uint32_t reference_crc(uint32_t seed, const uint8_t *p, size_t len) {
    uint32_t c = ~seed;
    for (size_t i = 0; i < len; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++) c = (c >> 1) ^ ((c & 1u) ? 0x82F63B78u : 0u);
    }
    return ~c;
}

Test(crc, check_value_of_both_tables) {
    const char *check = "123456789";
    cr_assert_eq(nbs_crc32c(0, check, 9), 0xE3069283u);
    cr_assert_eq(nibble_crc32c(0, check, 9), 0xE3069283u);
}

Test(crc, both_tables_match_the_bitwise_definition) {
    uint8_t bytes[300];
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < sizeof bytes; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        bytes[i] = (uint8_t)x;
    }
    for (size_t len = 0; len <= sizeof bytes; len += 7) {
        uint32_t seed = (uint32_t)(len * 2654435761u);
        uint32_t want = reference_crc(seed, bytes, len);
        cr_assert_eq(nbs_crc32c(seed, bytes, len), want, "byte table, %zu bytes", len);
        cr_assert_eq(nibble_crc32c(seed, bytes, len), want, "nibble table, %zu bytes", len);
    }
}

Test(crc, results_chain_as_seeds) {
    const uint8_t data[] = "power cut at every flash operation";
    size_t n = sizeof data - 1;
    uint32_t whole = nbs_crc32c(5, data, n);
    cr_assert_eq(nbs_crc32c(nbs_crc32c(5, data, 10), data + 10, n - 10), whole);
    cr_assert_eq(nibble_crc32c(nibble_crc32c(5, data, 10), data + 10, n - 10), whole);
}
