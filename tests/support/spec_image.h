/* Format-3 flash images built by hand from engine/SPEC.md alone (sections 1-3): page headers,
 * DONE units, map and queue items with their flag units (or, page version 4, a map's seal byte
 * in its commit header's first unit), fillers, and CRC-32C computed bit by
 * bit here, not with the engine's code, so that an image and the engine can disagree. Loaded into
 * a RAM flash (tests/support/ram_flash.h) with every unit the image programmed marked written. */
#ifndef TESTS_SPEC_IMAGE_H
#define TESTS_SPEC_IMAGE_H

#include "ram_flash.h"

#include <stdbool.h>
#include <stdint.h>

enum { SPEC_MAP = 1, SPEC_QUEUE = 2 };

typedef struct spec_image {
    uint8_t *mem; /* pages * size bytes, erased at spec_image_init */
    uint32_t pages, size, unit;
    uint8_t erase_value;
    int kind;        /* SPEC_MAP or SPEC_QUEUE */
    uint8_t version; /* 3 from spec_image_init; 4 (a map, W >= 2) set before the first page */
} spec_image;

/* A page being written: its header bytes (the CRC seed of its items) and the next item offset. */
typedef struct spec_page {
    spec_image *img;
    uint32_t page, pos;
    uint8_t hdr[5];
    uint32_t hdr_len;
    bool after_gap; /* the next item follows a filler */
} spec_page;

/* An item as written, for tests that tamper with it: offsets within the page. */
typedef struct spec_item {
    uint32_t off, head, data, end;
} spec_item;

void spec_image_init(spec_image *img, int kind, uint32_t pages, uint32_t size, uint32_t unit,
                     uint8_t erase_value);
void spec_image_free(spec_image *img);
uint8_t spec_programmed(const spec_image *img);
uint32_t spec_round(const spec_image *img, uint32_t n); /* rW(n) */
uint32_t spec_filler_len(const spec_image *img);        /* G */

/* CRC-32C, bit by bit: crc = spec_crc32c(crc, bytes) chains, 0xFFFFFFFF starts, ~ ends. */
uint32_t spec_crc32c_update(uint32_t crc, const void *data, uint32_t len);

/* Programs page `page`'s header (kind and version of the image) and starts writing items. */
void spec_page_begin(spec_image *img, spec_page *pg, uint32_t page, uint16_t seq, uint8_t gen,
                     uint16_t tail_dist);
void spec_page_done(spec_page *pg); /* programs the DONE unit */
void spec_filler(spec_page *pg);    /* G bytes of P; the next item has after_gap set */

/* Map items; `sealed` false leaves S erased (the unsealed last operation of a cut). */
spec_item spec_map_store(spec_page *pg, const void *key, uint32_t klen, const void *value,
                         uint32_t vlen, bool sealed);
/* A STORE-SAME (SPEC 3.6, tk 0x84): no key bytes; its CRC covers `key`, the key it resolves to. */
spec_item spec_map_store_same(spec_page *pg, const void *key, uint32_t klen, const void *value,
                              uint32_t vlen, bool sealed);
spec_item spec_map_remove(spec_page *pg, const void *key, uint32_t klen, bool sealed);
spec_item spec_map_control(spec_page *pg, uint8_t tk, bool sealed); /* CLEAR 0x81, MARK 0x82 */
/* A queue entry; `popped` programs P and A. */
spec_item spec_queue_push(spec_page *pg, const void *data, uint32_t len, bool sealed, bool popped);
spec_item spec_queue_mark(spec_page *pg);

/* An item of any tk / length field with this data (crafted images): the CRC matches it. */
spec_item spec_item_raw(spec_page *pg, int tk, uint32_t field, const void *data, uint32_t dlen,
                        bool sealed);

/* A RAM flash of the image's geometry holding its bytes, `lead` erased pages before and `trail`
 * after the store's range (so a test can see accesses outside it); *flash is the store's view.
 * A version-4 image gets a flash that takes two programs per unit, and says so. */
void spec_image_load(const spec_image *img, ram_flash *rf, uint32_t lead, uint32_t trail,
                     nbs_flash *flash);

#endif
