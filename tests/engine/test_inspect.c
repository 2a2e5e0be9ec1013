/* The inspection API (nbs_inspect): known scenarios give known page and item states; a torn
 * store reads torn before the recovery and is gone after it; a flipped bit makes a CRC fail; a
 * queue page whose entries were all popped is released once the tail moves past it. */
#include "engine_fixture.h"
#include "nbs.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define MAX_ITEMS 64
#define MAX_PAGES 8

/* What one inspection reported. */
typedef struct seen {
    nbs_page_info pages[MAX_PAGES];
    nbs_item_info items[MAX_ITEMS];
    char keys[MAX_ITEMS][8];
    uint32_t item_count;
    nbs_inspect_summary summary;
} seen;

static int on_page(void *ctx, const nbs_page_info *page) {
    seen *s = ctx;
    cr_assert_lt(page->index, MAX_PAGES);
    s->pages[page->index] = *page;
    return 0;
}

static int on_item(void *ctx, const nbs_item_info *item) {
    seen *s = ctx;
    cr_assert_lt(s->item_count, MAX_ITEMS);
    s->items[s->item_count] = *item;
    size_t n = item->key_len < 7 ? item->key_len : 7;
    if (item->key) memcpy(s->keys[s->item_count], item->key, n);
    s->keys[s->item_count][n] = 0;
    s->item_count++;
    return 0;
}

/* Inspects every page of the fixture's store with a work buffer of its own. */
static void inspect(const engine_fixture *f, seen *s) {
    static uint8_t work[4096];
    memset(s, 0, sizeof *s);
    nbs_config cfg = f->config;
    cfg.work = work;
    cfg.work_size = sizeof work;
    nbs_log log;
    nbs_inspect_visitor v = {s, on_page, on_item};
    int rc = nbs_inspect(&log, &cfg, f->options.kind == EF_QUEUE, 0, f->pages, &v, &s->summary);
    cr_assert_eq(rc, NBS_OK, "inspect: %s", nbs_strerror(rc));
}

/* The index in s->items of page `page`'s n-th item (fillers not counted), or -1. */
static int nth_item(const seen *s, uint32_t page, uint32_t n) {
    for (uint32_t i = 0; i < s->item_count; i++)
        if (s->items[i].page == page && s->items[i].kind != NBS_ITEM_FILLER && n-- == 0)
            return (int)i;
    return -1;
}

/* A store of 4 pages of 256 bytes, write unit 1, no caches. */
static void open_store(engine_fixture *f, ef_kind kind, nor_write_policy policy) {
    ef_open_custom(f, kind, 1, 256, 4, policy, EF_CACHE_NONE);
}

static void store(engine_fixture *f, const char *key, const char *value) {
    int rc = nbs_map_store(&f->map, key, strlen(key), value, strlen(value));
    cr_assert_eq(rc, NBS_OK, "store %s: %s", key, nbs_strerror(rc));
}

static void expect_item(const seen *s, uint32_t page, uint32_t n, nbs_item_kind kind,
                        nbs_item_state state, const char *key, bool crc_ok) {
    int i = nth_item(s, page, n);
    cr_assert_geq(i, 0, "page %u has no item %u", page, n);
    cr_expect_eq(s->items[i].kind, kind, "page %u item %u: kind %s, expected %s", page, n,
                 nbs_item_kind_name(s->items[i].kind), nbs_item_kind_name(kind));
    cr_expect_eq(s->items[i].state, state, "page %u item %u: state %s, expected %s", page, n,
                 nbs_item_state_name(s->items[i].state), nbs_item_state_name(state));
    if (key) cr_expect_str_eq(s->keys[i], key);
    cr_expect_eq(s->items[i].crc_ok, crc_ok, "page %u item %u: crc_ok", page, n);
}

Test(inspect, map_states_of_a_known_scenario) {
    engine_fixture f;
    open_store(&f, EF_MAP, NOR_WRITES_ONCE);
    store(&f, "a", "one");
    store(&f, "b", "two");
    store(&f, "a", "three");
    cr_assert_eq(nbs_map_remove(&f.map, "b", 1), NBS_OK);
    seen s;
    inspect(&f, &s);
    cr_assert_eq(s.summary.mount_result, NBS_OK);
    cr_assert_eq(s.summary.live_pages, 1);
    cr_expect_eq(s.pages[0].state, NBS_PAGE_OPEN);
    cr_expect(s.pages[0].tail && s.pages[0].newest);
    for (uint32_t p = 1; p < 4; p++) cr_expect_eq(s.pages[p].state, NBS_PAGE_ERASED);
    cr_expect_eq(s.pages[0].items, 4);
    expect_item(&s, 0, 0, NBS_ITEM_STORE, NBS_ITEM_SUPERSEDED, "a", true);
    expect_item(&s, 0, 1, NBS_ITEM_STORE, NBS_ITEM_SUPERSEDED, "b", true);
    expect_item(&s, 0, 2, NBS_ITEM_STORE, NBS_ITEM_LIVE, "a", true);
    expect_item(&s, 0, 3, NBS_ITEM_REMOVE, NBS_ITEM_REMOVED, "b", true);
    /* The page is used up to the end of its last item, and items tile it from the first. */
    const nbs_item_info *last = &s.items[nth_item(&s, 0, 3)];
    cr_expect_eq(s.pages[0].used, last->offset + last->length);
    cr_expect_eq(s.items[nth_item(&s, 0, 1)].offset,
                 s.items[nth_item(&s, 0, 0)].offset + s.items[nth_item(&s, 0, 0)].length);
    ef_close(&f);
}

/* Key elision (SPEC 3.6): a store of the key the page's last item stores is a STORE-SAME, 7 +
 * value bytes at W = 1 (no key bytes); inspect reports it as a store of its resolved key, elided.
 * A store behind another key's item is a full STORE again. */
Test(inspect, a_store_same_shows_its_resolved_key) {
    engine_fixture f;
    open_store(&f, EF_MAP, NOR_WRITES_ONCE);
    store(&f, "cfg", "one");
    store(&f, "cfg", "two");
    store(&f, "cfg", "three");
    store(&f, "b", "x");
    store(&f, "cfg", "four");
    seen s;
    inspect(&f, &s);
    cr_assert_eq(s.summary.mount_result, NBS_OK);
    expect_item(&s, 0, 0, NBS_ITEM_STORE, NBS_ITEM_SUPERSEDED, "cfg", true);
    expect_item(&s, 0, 1, NBS_ITEM_STORE, NBS_ITEM_SUPERSEDED, "cfg", true);
    expect_item(&s, 0, 2, NBS_ITEM_STORE, NBS_ITEM_SUPERSEDED, "cfg", true);
    expect_item(&s, 0, 3, NBS_ITEM_STORE, NBS_ITEM_LIVE, "b", true);
    expect_item(&s, 0, 4, NBS_ITEM_STORE, NBS_ITEM_LIVE, "cfg", true);
    static const bool elided[5] = {false, true, true, false, false};
    static const uint32_t length[5] = {7 + 3 + 3, 7 + 3, 7 + 5, 7 + 1 + 1, 7 + 3 + 4};
    for (uint32_t n = 0; n < 5; n++) {
        const nbs_item_info *it = &s.items[nth_item(&s, 0, n)];
        cr_expect_eq(it->elided, elided[n], "item %u: elided %d", n, it->elided);
        cr_expect_eq(it->length, length[n], "item %u: %u bytes, expected %u", n, it->length,
                     length[n]);
    }
    ef_close(&f);
}

Test(inspect, a_torn_store_reads_torn_until_the_recovery) {
    engine_fixture f;
    open_store(&f, EF_MAP, NOR_WRITES_ONCE);
    store(&f, "a", "one");
    /* The store's programs: commit header, data, seal. The data program is cut (nothing of it
     * written): the header parses, the seal is erased, the CRC does not match. */
    ef_arm_cut(&f, 1, NOR_TORN_PROG_NONE, NOR_TORN_ERASE_NONE);
    cr_assert_neq(nbs_map_store(&f.map, "b", 1, "two", 3), NBS_OK);
    nor_power_on(f.dev);
    seen s;
    inspect(&f, &s);
    cr_assert_eq(s.summary.mount_result, NBS_OK);
    expect_item(&s, 0, 0, NBS_ITEM_STORE, NBS_ITEM_LIVE, "a", true);
    int torn = nth_item(&s, 0, 1);
    cr_assert_geq(torn, 0, "the torn store is not reported");
    cr_expect_eq(s.items[torn].state, NBS_ITEM_TORN);
    cr_expect_eq(s.items[torn].kind, NBS_ITEM_STORE);
    cr_expect_not(s.items[torn].crc_ok);
    cr_expect_not(s.items[torn].sealed);
    /* The inspection wrote nothing: a read-write mount now recovers the page (a copy through
     * the spare and back), after which no item is torn. */
    nor_stats before, after;
    nor_get_stats(f.dev, &before);
    cr_assert_eq(ef_mount(&f), NBS_OK);
    nor_get_stats(f.dev, &after);
    cr_expect_gt(after.erase_calls, before.erase_calls, "the recovery erased nothing");
    inspect(&f, &s);
    for (uint32_t i = 0; i < s.item_count; i++)
        cr_expect_neq(s.items[i].state, NBS_ITEM_TORN, "item %u still torn", i);
    int live = -1;
    for (uint32_t i = 0; i < s.item_count; i++)
        if (s.items[i].kind == NBS_ITEM_STORE && s.items[i].state == NBS_ITEM_LIVE) live = (int)i;
    cr_assert_geq(live, 0);
    cr_expect_str_eq(s.keys[live], "a");
    ef_close(&f);
}

Test(inspect, a_flipped_bit_fails_the_crc) {
    engine_fixture f;
    open_store(&f, EF_MAP, NOR_WRITES_UNLIMITED);
    store(&f, "a", "one");
    store(&f, "b", "two");
    store(&f, "c", "six");
    seen s;
    inspect(&f, &s);
    expect_item(&s, 0, 1, NBS_ITEM_STORE, NBS_ITEM_LIVE, "b", true);
    /* The last byte of b's value (not the first item: that one checks the page header, and
     * the page would be no page of the store; not the last: that one would be torn): a
     * programmed bit of it (E = 0xFF, so a 0 bit) turned 1. */
    const nbs_item_info *b = &s.items[nth_item(&s, 0, 1)];
    uint32_t at = f.binding.flash.start + b->offset + b->length - 1;
    uint8_t byte;
    cr_assert_eq(nor_peek(f.dev, at, &byte, 1), NOR_OK);
    unsigned bit = 0;
    while (byte & (1u << bit)) bit++;
    cr_assert_eq(nor_flip_bit(f.dev, at, bit), NOR_OK);
    inspect(&f, &s);
    expect_item(&s, 0, 0, NBS_ITEM_STORE, NBS_ITEM_LIVE, "a", true);
    expect_item(&s, 0, 1, NBS_ITEM_STORE, NBS_ITEM_INVALID, "b", false);
    expect_item(&s, 0, 2, NBS_ITEM_STORE, NBS_ITEM_LIVE, "c", true);
    ef_close(&f);
}

Test(inspect, a_popped_queue_page_is_released_when_the_tail_moves) {
    engine_fixture f;
    open_store(&f, EF_QUEUE, NOR_WRITES_ONCE);
    uint8_t entry[60];
    memset(entry, 0x3C, sizeof entry);
    seen s;
    /* Push until page 1 opens, pop page 0's entries, push until page 2 opens. */
    do {
        cr_assert_eq(nbs_queue_push(&f.queue, entry, sizeof entry, 0), NBS_OK);
        inspect(&f, &s);
    } while (s.summary.live_pages < 2);
    uint32_t on_first = s.pages[0].items;
    for (uint32_t i = 0; i < on_first; i++) {
        size_t len;
        cr_assert_eq(nbs_queue_pop(&f.queue, entry, sizeof entry, &len), NBS_OK);
    }
    inspect(&f, &s);
    cr_expect_eq(s.pages[0].state, NBS_PAGE_FULL);
    expect_item(&s, 0, 0, NBS_ITEM_ENTRY, NBS_ITEM_REMOVED, NULL, true);
    expect_item(&s, 1, 0, NBS_ITEM_ENTRY, NBS_ITEM_LIVE, NULL, true);
    do {
        cr_assert_eq(nbs_queue_push(&f.queue, entry, sizeof entry, 0), NBS_OK);
        inspect(&f, &s);
    } while (s.pages[2].state == NBS_PAGE_ERASED);
    cr_expect_eq(s.pages[0].state, NBS_PAGE_RELEASED, "page 0: %s",
                 nbs_page_state_name(s.pages[0].state));
    expect_item(&s, 0, 0, NBS_ITEM_ENTRY, NBS_ITEM_DEAD, NULL, true);
    cr_expect(s.pages[1].tail);
    cr_expect_eq(s.pages[1].state, NBS_PAGE_FULL);
    cr_expect(s.pages[2].newest);
    cr_expect_eq(s.pages[2].state, NBS_PAGE_OPEN);
    ef_close(&f);
}

/* Pages alone (no item visitor: no CRCs, keys or liveness worked out) give the same page
 * figures as the walk that reports items, on a store with every page state a map reaches. */
Test(inspect, pages_alone_match_the_full_walk) {
    engine_fixture f;
    open_store(&f, EF_MAP, NOR_WRITES_ONCE);
    char key[4], value[40];
    memset(value, 'v', sizeof value);
    for (int i = 0; i < 40; i++) {
        snprintf(key, sizeof key, "k%d", i % 7);
        cr_assert_eq(nbs_map_store(&f.map, key, strlen(key), value, 20 + i % 17), NBS_OK);
    }
    seen full, alone;
    inspect(&f, &full);
    static uint8_t work[4096];
    nbs_config cfg = f.config;
    cfg.work = work, cfg.work_size = sizeof work;
    nbs_log log;
    memset(&alone, 0, sizeof alone);
    nbs_inspect_visitor pages = {&alone, on_page, NULL};
    cr_assert_eq(nbs_inspect(&log, &cfg, false, 0, f.pages, &pages, &alone.summary), NBS_OK);
    cr_assert_gt(full.summary.live_pages, 1, "the store never left its first page");
    for (uint32_t p = 0; p < f.pages; p++) {
        cr_expect_eq(alone.pages[p].state, full.pages[p].state, "page %u", p);
        cr_expect_eq(alone.pages[p].used, full.pages[p].used, "page %u", p);
        cr_expect_eq(alone.pages[p].items, full.pages[p].items, "page %u", p);
    }
    ef_close(&f);
}
