/* Hand-built format-3 images from engine/SPEC.md (spec_image.h). Every offset and byte here comes
 * from the SPEC's tables, not from the engine's sources. */
#include "spec_image.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

void spec_image_init(spec_image *img, int kind, uint32_t pages, uint32_t size, uint32_t unit,
                     uint8_t erase_value) {
    memset(img, 0, sizeof *img);
    img->mem = malloc((size_t)pages * size);
    cr_assert(img->mem);
    memset(img->mem, erase_value, (size_t)pages * size);
    img->pages = pages, img->size = size, img->unit = unit;
    img->erase_value = erase_value;
    img->kind = kind;
    img->version = 3;
}

void spec_image_free(spec_image *img) {
    free(img->mem);
    img->mem = NULL;
}

uint8_t spec_programmed(const spec_image *img) {
    return (uint8_t)~img->erase_value;
}

uint32_t spec_round(const spec_image *img, uint32_t n) {
    return (n + img->unit - 1) / img->unit * img->unit;
}

/* SPEC section 1: B bytes before the commit header's fields (F flag units: 1 map, 3 queue; or
 * version 4's S byte) and T tk bytes (1 map, 0 queue). */
static uint32_t before_header(const spec_image *img) {
    if (img->version == 4) return 1;
    return (img->kind == SPEC_MAP ? 1 : 3) * img->unit;
}
static uint32_t tk_bytes(const spec_image *img) {
    return img->kind == SPEC_MAP ? 1 : 0;
}

uint32_t spec_filler_len(const spec_image *img) {
    return spec_round(img, before_header(img) + tk_bytes(img) + 3 + 4);
}

uint32_t spec_crc32c_update(uint32_t crc, const void *data, uint32_t len) {
    const uint8_t *p = data;
    for (uint32_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return crc;
}

static uint8_t *at(spec_page *pg, uint32_t off) {
    cr_assert(off <= pg->img->size, "image: offset %u past the page", off);
    return pg->img->mem + (size_t)pg->page * pg->img->size + off;
}

static void fill_unit(spec_page *pg, uint32_t off) {
    memset(at(pg, off), spec_programmed(pg->img), pg->img->unit);
}

void spec_page_begin(spec_image *img, spec_page *pg, uint32_t page, uint16_t seq, uint8_t gen,
                     uint16_t tail_dist) {
    memset(pg, 0, sizeof *pg);
    pg->img = img;
    pg->page = page;
    pg->hdr_len = img->pages > 256 ? 5 : 4;
    pg->hdr[0] = (uint8_t)((img->kind == SPEC_MAP ? 0x40 : 0x80) | img->version << 3 | (gen & 7));
    pg->hdr[1] = (uint8_t)seq, pg->hdr[2] = (uint8_t)(seq >> 8);
    pg->hdr[3] = (uint8_t)tail_dist;
    if (pg->hdr_len == 5) pg->hdr[4] = (uint8_t)(tail_dist >> 8);
    memcpy(at(pg, 0), pg->hdr, pg->hdr_len);
    pg->pos = spec_round(img, pg->hdr_len) + 2 * img->unit; /* I: after DONE and KILL */
}

void spec_page_done(spec_page *pg) {
    fill_unit(pg, spec_round(pg->img, pg->hdr_len));
}

void spec_filler(spec_page *pg) {
    uint32_t g = spec_filler_len(pg->img);
    memset(at(pg, pg->pos), spec_programmed(pg->img), g);
    pg->pos += g;
    pg->after_gap = true;
}

static uint32_t put_varint(uint8_t *b, uint32_t v) {
    uint32_t n = 0;
    while (v >= 0x80) b[n++] = (uint8_t)(0x80 | (v & 0x7F)), v >>= 7;
    b[n++] = (uint8_t)v;
    return n;
}

/* An item whose CRC covers `unstored` (klen bytes, not programmed: a STORE-SAME's key) before
 * its data. */
static spec_item item_put(spec_page *pg, int tk, uint32_t field, const void *unstored,
                          uint32_t ulen, const void *data, uint32_t dlen, bool sealed) {
    spec_image *img = pg->img;
    uint8_t head[8];
    uint32_t n = 0;
    if (tk >= 0) head[n++] = (uint8_t)tk;
    n += put_varint(head + n, field);
    uint32_t crc = spec_crc32c_update(0xFFFFFFFFu, pg->hdr, pg->hdr_len);
    crc = spec_crc32c_update(crc, head, n);
    crc = spec_crc32c_update(crc, unstored, ulen);
    crc = ~spec_crc32c_update(crc, data, dlen);
    for (int i = 0; i < 4; i++) head[n + i] = (uint8_t)(crc >> (8 * i));
    spec_item it;
    it.off = pg->pos;
    it.head = it.off + before_header(img);
    it.data = it.off + spec_round(img, before_header(img) + n + 4);
    it.end = it.data + spec_round(img, dlen);
    cr_assert(it.end <= img->size, "image: item past the page end");
    memcpy(at(pg, it.head), head, n + 4);
    if (dlen) memcpy(at(pg, it.data), data, dlen);
    if (sealed && img->version == 4)
        *at(pg, it.off) = spec_programmed(img); /* S: the header unit's first byte */
    else if (sealed)
        fill_unit(pg, it.off);
    pg->pos = it.end;
    pg->after_gap = false;
    return it;
}

spec_item spec_item_raw(spec_page *pg, int tk, uint32_t field, const void *data, uint32_t dlen,
                        bool sealed) {
    return item_put(pg, tk, field, NULL, 0, data, dlen, sealed);
}

spec_item spec_map_store_same(spec_page *pg, const void *key, uint32_t klen, const void *value,
                              uint32_t vlen, bool sealed) {
    cr_assert(klen >= 1 && klen <= 128 && vlen >= 1);
    return item_put(pg, 0x84, vlen * 4, key, klen, value, vlen, sealed);
}

spec_item spec_map_store(spec_page *pg, const void *key, uint32_t klen, const void *value,
                         uint32_t vlen, bool sealed) {
    uint8_t data[1024];
    cr_assert(klen >= 1 && klen <= 128 && klen + vlen <= sizeof data);
    memcpy(data, key, klen);
    if (vlen) memcpy(data + klen, value, vlen);
    return spec_item_raw(pg, (int)klen, vlen * 4 + (pg->after_gap ? 1u : 0u), data, klen + vlen,
                         sealed);
}

spec_item spec_map_remove(spec_page *pg, const void *key, uint32_t klen, bool sealed) {
    return spec_item_raw(pg, (int)klen, 2 + (pg->after_gap ? 1u : 0u), key, klen, sealed);
}

spec_item spec_map_control(spec_page *pg, uint8_t tk, bool sealed) {
    return spec_item_raw(pg, tk, pg->after_gap ? 1u : 0u, NULL, 0, sealed);
}

spec_item spec_queue_push(spec_page *pg, const void *data, uint32_t len, bool sealed, bool popped) {
    spec_item it =
        spec_item_raw(pg, -1, len * 4 + (pg->after_gap ? 1u : 0u) + 1, data, len, sealed);
    if (popped) {
        fill_unit(pg, it.off + pg->img->unit);     /* P */
        fill_unit(pg, it.off + 2 * pg->img->unit); /* A */
    }
    return it;
}

spec_item spec_queue_mark(spec_page *pg) {
    return spec_item_raw(pg, -1, 2 + (pg->after_gap ? 1u : 0u) + 1, NULL, 0, true);
}

void spec_image_load(const spec_image *img, ram_flash *rf, uint32_t lead, uint32_t trail,
                     nbs_flash *flash) {
    uint32_t pages = lead + img->pages + trail, w = img->unit;
    cr_assert_eq(ram_flash_init(rf, pages, img->size, w, img->erase_value, 7), 0);
    if (img->version == 4) rf->programs_per_unit = 2;
    uint32_t start = lead * img->size, len = img->pages * img->size;
    memcpy(rf->mem + start, img->mem, len);
    for (uint32_t u = 0; u < len / w; u++)
        for (uint32_t i = 0; i < w; i++)
            if (img->mem[u * w + i] != img->erase_value) {
                rf->unit_written[(start + u * w) / w] = 1;
                break;
            }
    *flash = ram_flash_bind(rf);
    flash->start = start;
    flash->size = len;
}
