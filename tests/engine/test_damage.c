/* A map on flash damaged behind its back (bit rot, a sector erased by someone else): the mount
 * succeeds and the store keeps working; what it returns was stored, and no key reads a value
 * older than its newest. Found by scenarios/suite/fault-flip-bits and fault-erase-sector, whose
 * mounts returned NBS_E_CORRUPT on format 3. */
#include "engine_fixture.h"
#include "format3_layout.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

enum { KEYS = 20, VALUE = 20 };

static size_t key_of(uint32_t i, char key[8]) {
    return (size_t)snprintf(key, 8, "k%02u", i);
}

static void value_of(uint32_t i, uint8_t value[VALUE]) {
    for (uint32_t b = 0; b < VALUE; b++) value[b] = (uint8_t)(i * 31 + b);
}

/* A map of 4 tiny pages holding KEYS keys, each stored once, oldest in page 0: with 256-byte
 * pages page 0 and page 1 are full and page 2 is the newest. */
static void fill(engine_fixture *f) {
    nor_config cfg = ef_preset_config("tiny");
    ef_options opts;
    memset(&opts, 0, sizeof opts);
    opts.kind = EF_MAP;
    opts.pages = 4;
    ef_open(f, &cfg, &opts);
    cr_assert_eq(ef_mount(f), NBS_OK);
    char key[8];
    uint8_t value[VALUE];
    for (uint32_t i = 0; i < KEYS; i++) {
        value_of(i, value);
        cr_assert_eq(nbs_map_store(&f->map, key, key_of(i, key), value, VALUE), NBS_OK);
    }
    uint32_t per_page =
        f3_page_room(&f->config.flash) / f3_item_bytes(&f->config.flash, F3_MAP, 3, VALUE);
    cr_assert(per_page * 2 < KEYS && KEYS <= per_page * 3, "%u items a page: not 3 pages",
              per_page);
}

/* 1 when key i reads its value, 0 when it is absent; fails on a wrong value or an error. */
static int holds(engine_fixture *f, uint32_t i) {
    char key[8];
    uint8_t want[VALUE], got[VALUE + 1];
    size_t len = 0;
    value_of(i, want);
    int rc = nbs_map_fetch(&f->map, key, key_of(i, key), got, sizeof got, &len);
    if (rc == NBS_E_NOT_FOUND) return 0;
    cr_assert_eq(rc, NBS_OK, "fetch of key %u: %s", i, nbs_strerror(rc));
    cr_assert(len == VALUE && !memcmp(got, want, VALUE), "key %u reads a value never stored", i);
    return 1;
}

static void keeps_working(engine_fixture *f) {
    cr_assert_eq(nbs_map_store(&f->map, "new", 3, "value", 5), NBS_OK);
    cr_assert_eq(ef_mount(f), NBS_OK);
    char buf[8];
    size_t len = 0;
    cr_assert_eq(nbs_map_fetch(&f->map, "new", 3, buf, sizeof buf, &len), NBS_OK);
    cr_assert(len == 5 && !memcmp(buf, "value", 5));
}

Test(damage, a_flipped_bit_in_the_oldest_pages_first_item_loses_only_that_item) {
    engine_fixture f;
    fill(&f);
    const nbs_flash *fl = &f.config.flash;
    /* A bit of the first item's value (key 0) in page 0: the item no longer checks, and neither
     * does the page header its CRC covers. */
    uint32_t value_at = f3_items_start(fl) + f3_item_bytes(fl, F3_MAP, 3, VALUE) - 2;
    cr_assert_eq(nor_flip_bit(f.dev, fl->start + value_at, 4), 0);
    int rc = ef_mount(&f);
    cr_assert_eq(rc, NBS_OK, "mount after a bit flip inside an item: %s", nbs_strerror(rc));
    cr_assert_eq(holds(&f, 0), 0, "the damaged item reads as stored");
    for (uint32_t i = 1; i < KEYS; i++)
        cr_assert_eq(holds(&f, i), 1, "key %u, an intact item, was lost", i);
    keeps_working(&f);
    ef_close(&f);
}

Test(damage, a_page_erased_inside_the_ring_drops_it_and_what_is_older) {
    engine_fixture f;
    fill(&f);
    const nbs_flash *fl = &f.config.flash;
    cr_assert_eq(nor_erase(f.dev, fl->start + fl->page_size), 0); /* page 1 */
    int rc = ef_mount(&f);
    cr_assert_eq(rc, NBS_OK, "mount after a page inside the ring was erased: %s", nbs_strerror(rc));
    uint32_t per_page = f3_page_room(fl) / f3_item_bytes(fl, F3_MAP, 3, VALUE);
    for (uint32_t i = 0; i < KEYS; i++)
        cr_assert_eq(holds(&f, i), i >= 2 * per_page, "key %u: %s", i,
                     i >= 2 * per_page ? "lost from the newest page"
                                       : "read from a page older than the erased one");
    keeps_working(&f);
    ef_close(&f);
}
