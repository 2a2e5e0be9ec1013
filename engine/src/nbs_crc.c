/* Byte order and checksums of the on-flash format: little-endian fields encoded byte by byte,
 * and CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) for records and item data. Seeded so
 * that bytes from one page life never validate in another: crc = ~update(~seed, bytes), which
 * also chains (passing a result back as the seed continues the same CRC). A 16-entry table
 * keeps the code small on Cortex-M and still four times faster than bit by bit. */
#include "nbs_internal.h"

static const uint32_t crc_nibble[16] = {
    0x00000000, 0x105EC76F, 0x20BD8EDE, 0x30E349B1, 0x417B1DBC, 0x5125DAD3, 0x61C69362, 0x7198540D,
    0x82F63B78, 0x92A8FC17, 0xA24BB5A6, 0xB21572C9, 0xC38D26C4, 0xD3D3E1AB, 0xE330A81A, 0xF36E6F75,
};

uint32_t nbs_crc32c(uint32_t seed, const void *data, size_t len) {
    const uint8_t *p = data;
    uint32_t c = ~seed;
    while (len--) {
        c ^= *p++;
        c = (c >> 4) ^ crc_nibble[c & 15];
        c = (c >> 4) ^ crc_nibble[c & 15];
    }
    return ~c;
}

uint32_t nbs_get_le(const uint8_t *p, unsigned n) {
    uint32_t v = 0;
    while (n--) v = v << 8 | p[n];
    return v;
}

void nbs_put_le(uint8_t *p, uint32_t v, unsigned n) {
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> 8 * i);
}
