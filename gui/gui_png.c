/* A small PNG writer: 8-bit RGB, no filter, the zlib stream made of stored (uncompressed)
 * deflate blocks, with the PNG chunk CRC-32 and zlib's Adler-32 computed here. Screenshots are
 * a few MB at most, written once. */
#include "gui_app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t crc_table[256];

static void crc_table_fill(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc;
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}

static bool chunk(FILE *f, const char type[4], const uint8_t *data, uint32_t len) {
    uint8_t head[8], tail[4];
    put_be32(head, len);
    memcpy(head + 4, type, 4);
    uint32_t crc = crc_update(0xFFFFFFFFu, head + 4, 4);
    crc = crc_update(crc, data, len) ^ 0xFFFFFFFFu;
    put_be32(tail, crc);
    return fwrite(head, 1, 8, f) == 8 && (!len || fwrite(data, 1, len, f) == len) &&
           fwrite(tail, 1, 4, f) == 4;
}

/* The zlib stream of `raw`: header, stored blocks of at most 65535 bytes, Adler-32. */
static uint8_t *zlib_stored(const uint8_t *raw, size_t n, size_t *out_len) {
    size_t blocks = n / 65535 + 1;
    uint8_t *z = malloc(2 + blocks * 5 + n + 4), *p = z;
    if (!z) return NULL;
    *p++ = 0x78, *p++ = 0x01; /* deflate, 32K window; 0x7801 is a multiple of 31 */
    uint32_t a = 1, b = 0;
    size_t done = 0;
    do {
        size_t len = n - done > 65535 ? 65535 : n - done;
        *p++ = done + len == n ? 1 : 0; /* BFINAL on the last, BTYPE 00: stored */
        *p++ = (uint8_t)len, *p++ = (uint8_t)(len >> 8);
        *p++ = (uint8_t)~len, *p++ = (uint8_t)(~len >> 8);
        memcpy(p, raw + done, len);
        for (size_t i = 0; i < len; i++) {
            a = (a + raw[done + i]) % 65521;
            b = (b + a) % 65521;
        }
        p += len, done += len;
    } while (done < n);
    put_be32(p, b << 16 | a);
    *out_len = (size_t)(p + 4 - z);
    return z;
}

int gui_png_write(const char *path, int w, int h, const uint8_t *rgb) {
    if (!crc_table[1]) crc_table_fill();
    size_t row = (size_t)w * 3, n = (row + 1) * (size_t)h, zlen = 0;
    uint8_t *raw = malloc(n ? n : 1);
    if (!raw) return -1;
    for (int y = 0; y < h; y++) {
        raw[y * (row + 1)] = 0; /* filter: none */
        memcpy(raw + y * (row + 1) + 1, rgb + y * row, row);
    }
    uint8_t *z = zlib_stored(raw, n, &zlen);
    free(raw);
    FILE *f = z ? fopen(path, "wb") : NULL;
    uint8_t ihdr[13];
    put_be32(ihdr, (uint32_t)w);
    put_be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8, ihdr[9] = 2, ihdr[10] = 0, ihdr[11] = 0, ihdr[12] = 0; /* 8-bit RGB */
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    bool ok = f && fwrite(signature, 1, 8, f) == 8 && chunk(f, "IHDR", ihdr, 13) &&
              chunk(f, "IDAT", z, (uint32_t)zlen) && chunk(f, "IEND", NULL, 0);
    if (f && fclose(f) != 0) ok = false;
    free(z);
    return ok ? 0 : -1;
}
