/* Byte order and checksums of the on-flash format: little-endian fields encoded byte by byte,
 * and CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) for records and item data. Seeded so
 * that bytes from one page life never validate in another: crc = ~update(~seed, bytes), which
 * also chains (passing a result back as the seed continues the same CRC). By default a 16-entry
 * table keeps the code small on Cortex-M and still four times faster than bit by bit; building
 * with NBS_CRC_BYTE_TABLE=1 (the host simulator does) uses a 256-entry table, computed by the
 * compiler, for another factor of about four. Both give the same CRC. */
#include "nbs_internal.h"

#ifndef NBS_CRC_BYTE_TABLE
#define NBS_CRC_BYTE_TABLE 0
#endif

#define CRC_POLY 0x82F63B78u

#if NBS_CRC_BYTE_TABLE
/* One bit, then eight bits, of the reflected CRC: the table entry of byte n is CRC_BYTE(n). */
#define CRC_BIT(c)   (((c) >> 1) ^ (((c)&1u) ? CRC_POLY : 0u))
#define CRC_BIT4(c)  CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(c))))
#define CRC_BYTE(n)  CRC_BIT4(CRC_BIT4((uint32_t)(n)))
#define CRC_ROW4(n)  CRC_BYTE(n), CRC_BYTE((n) + 1), CRC_BYTE((n) + 2), CRC_BYTE((n) + 3)
#define CRC_ROW16(n) CRC_ROW4(n), CRC_ROW4((n) + 4), CRC_ROW4((n) + 8), CRC_ROW4((n) + 12)
#define CRC_ROW64(n) CRC_ROW16(n), CRC_ROW16((n) + 16), CRC_ROW16((n) + 32), CRC_ROW16((n) + 48)
static const uint32_t crc_byte[256] = {CRC_ROW64(0), CRC_ROW64(64), CRC_ROW64(128), CRC_ROW64(192)};

uint32_t nbs_crc32c(uint32_t seed, const void *data, size_t len) {
    const uint8_t *p = data;
    uint32_t c = ~seed;
    while (len--) c = (c >> 8) ^ crc_byte[(c ^ *p++) & 0xFFu];
    return ~c;
}
#else
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
#endif

uint32_t nbs_get_le(const uint8_t *p, unsigned n) {
    uint32_t v = 0;
    while (n--) v = v << 8 | p[n];
    return v;
}

void nbs_put_le(uint8_t *p, uint32_t v, unsigned n) {
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> 8 * i);
}
