/* The figures of on-flash format 3 as the tests expect them, derived from the layout the format
 * states (engine/SPEC.md section 3, engine/FORMAT3-DESIGN.md "What the first implementation
 * taught"), not from the engine's code: the page header and its DONE unit, the flag units (S;
 * S, P, A for a queue) in front of each item, or a map's seal byte opening its commit header
 * (page version 4: two programs per unit and W >= 2), the commit header (map: type/key byte; a
 * varint length field; a CRC-32C) and the data, each padded to the write unit, and the gap G the
 * first write after a mount skips. One place for the tests' arithmetic, so that a test states what
 * it checks and these functions say what the format makes of it. */
#ifndef TESTS_FORMAT3_LAYOUT_H
#define TESTS_FORMAT3_LAYOUT_H

#include "nbs.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum f3_kind { F3_MAP, F3_QUEUE } f3_kind;

/* n rounded up to a whole number of write units. */
uint32_t f3_units(const nbs_flash *flash, uint32_t n);
/* Bytes before a page's first item: the header (kind/version/generation, seq, tail distance; 4
 * bytes, 5 with more than 256 pages) padded to the write unit, then its DONE unit. */
uint32_t f3_items_start(const nbs_flash *flash);
/* Bytes a fresh page has for items. */
uint32_t f3_page_room(const nbs_flash *flash);
/* Whether a map's seal S is the first byte of its commit header's first unit (page version 4):
 * the part takes two programs per unit and W >= 2. */
bool f3_seal_in_header(const nbs_flash *flash, f3_kind kind);
/* Bytes of one item on flash: flag units, commit header and data. `data` is key + value (map) or
 * the entry (queue). The length field is the value length times 4 plus two flag bits (map), plus
 * 1 (queue), as a varint; the writer sizes room with both flag bits set. */
uint32_t f3_item_bytes(const nbs_flash *flash, f3_kind kind, uint32_t key_len, uint32_t value_len);
/* G: the flag units and the largest commit header (a 3-byte length field). */
uint32_t f3_gap(const nbs_flash *flash, f3_kind kind);
/* The largest value (map, with a key of key_len bytes) or entry (queue, key_len 0) whose item
 * fits a fresh page: a page then holds one item. */
uint32_t f3_largest(const nbs_flash *flash, f3_kind kind, uint32_t key_len);

#endif
