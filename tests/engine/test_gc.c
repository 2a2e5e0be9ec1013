/* Garbage collection of the map: live keys survive every page turn and remount, a store that
 * was full keeps working once data is removed, and erases spread evenly over the pages. */
#include "engine_check.h"
#include "engine_fixture.h"
#include "ref_model.h"
#include "seeded_rng.h"
#include "workload.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct gc_case {
    char preset[NOR_NAME_MAX]; /* parameters are copied between processes: no pointers */
    uint32_t pages;
} gc_case;

static gc_case gc_cases[] = {{"tiny", 4},       {"tiny", 2},       {"nrf52840", 4},
                             {"stm32l4-1m", 3}, {"stm32h7-2m", 2}, {"w25q16jv", 8}};

static void open_map(engine_fixture *f, const char *preset, uint32_t pages) {
    nor_config cfg = ef_preset_config(preset);
    ef_options opts;
    memset(&opts, 0, sizeof opts);
    opts.kind = EF_MAP;
    opts.pages = pages;
    opts.seed = 5;
    ef_open(f, &cfg, &opts);
    int rc = ef_mount(f);
    cr_assert_eq(rc, NBS_OK, "%s: mount: %s", preset, nbs_strerror(rc));
}

static void store_random(engine_fixture *f, ref_map *model, seeded_rng *rng, uint32_t key_id,
                         size_t max_len, const char *when) {
    uint8_t key[NBS_KEY_MAX], value[256];
    size_t key_len = wl_key(key_id, key);
    if (max_len > sizeof value) max_len = sizeof value;
    size_t len = seeded_rng_range(rng, 1, (uint32_t)max_len);
    wl_value(rng, value, len);
    int rc = nbs_map_store(&f->map, key, key_len, value, len);
    cr_assert_eq(rc, NBS_OK, "%s: %s: store of key %u (%zu bytes): %s",
                 nor_get_config(f->dev)->name, when, key_id, len, nbs_strerror(rc));
    ref_map_store(model, key, key_len, value, len);
}

ParameterizedTestParameters(gc, live_keys_survive_every_page_turn) {
    return cr_make_param_array(gc_case, gc_cases, sizeof gc_cases / sizeof *gc_cases);
}

ParameterizedTest(const gc_case *gc, gc, live_keys_survive_every_page_turn) {
    engine_fixture f;
    ref_map model;
    ref_map_init(&model);
    seeded_rng rng;
    seeded_rng_seed(&rng, 31);
    open_map(&f, gc->preset, gc->pages);
    size_t max_len = nbs_map_max_value(&f.binding.flash, 8) / 8;
    if (max_len > 200) max_len = 200;
    /* Up to 3 cold and 5 hot keys, as many as fill half of what the empty map offers (one
     * 256-byte page holds only two small items). */
    nbs_space empty;
    cr_assert_eq(nbs_map_space(&f.map, &empty), NBS_OK);
    uint32_t w = f.binding.flash.write_unit, unit = w > 4 ? w : 4;
    uint32_t item =
        (uint32_t)(8 + max_len + unit - 1) / unit * unit + nbs_item_overhead(&f.binding.flash);
    uint32_t keys = empty.free_now / 2 / item, cold = keys / 2 < 3 ? keys / 2 : 3;
    uint32_t hot = keys - cold < 5 ? keys - cold : 5;
    cr_assert_geq(hot, 1, "%s, %u pages: no key fits half the map (%u bytes free, item %u)",
                  gc->preset, gc->pages, empty.free_now, item);
    char why[EC_WHY_SIZE] = "";
    /* Cold keys, written once, must be carried along by every collection. */
    for (uint32_t id = 100; id < 100 + cold; id++)
        store_random(&f, &model, &rng, id, max_len, "cold");
    nor_stats stats;
    ef_stats(&f, &stats);
    uint64_t erases = stats.erase_calls, turns = 0;
    uint32_t target_turns = 6 * gc->pages + 4;
    for (uint32_t i = 0; turns < target_turns && i < 200000; i++) {
        store_random(&f, &model, &rng, seeded_rng_below(&rng, hot), max_len, "hot update");
        ef_stats(&f, &stats);
        if (stats.erase_calls == erases) continue;
        erases = stats.erase_calls;
        turns++;
        cr_assert(ec_map_verify(&f, &model, why), "%s, %u pages, after page turn %llu: %s",
                  gc->preset, gc->pages, (unsigned long long)turns, why);
    }
    cr_assert_geq(turns, target_turns, "%s: only %llu page turns", gc->preset,
                  (unsigned long long)turns);
    cr_assert_eq(ef_mount(&f), NBS_OK);
    cr_assert(ec_map_verify(&f, &model, why), "%s, after remount: %s", gc->preset, why);
    ref_map_free(&model);
    ef_close(&f);
}

ParameterizedTestParameters(gc, full_store_recovers_after_removals) {
    return cr_make_param_array(gc_case, gc_cases, sizeof gc_cases / sizeof *gc_cases);
}

ParameterizedTest(const gc_case *gc, gc, full_store_recovers_after_removals) {
    engine_fixture f;
    ref_map model;
    ref_map_init(&model);
    seeded_rng rng;
    seeded_rng_seed(&rng, 32);
    open_map(&f, gc->preset, gc->pages);
    size_t value_len = nbs_map_max_value(&f.binding.flash, 8) / 6;
    if (value_len > 400) value_len = 400;
    uint8_t key[NBS_KEY_MAX];
    uint8_t *value = malloc(value_len);
    uint32_t stored = 0;
    int rc = NBS_OK;
    for (; stored < 100000; stored++) {
        size_t key_len = wl_key(stored, key);
        seeded_rng_fill(&rng, value, value_len);
        rc = nbs_map_store(&f.map, key, key_len, value, value_len);
        if (rc != NBS_OK) break;
        ref_map_store(&model, key, key_len, value, value_len);
    }
    cr_assert_eq(rc, NBS_E_FULL, "%s: filling ended with %s", gc->preset, nbs_strerror(rc));
    char why[EC_WHY_SIZE] = "";
    cr_assert(ec_map_verify(&f, &model, why), "%s, when full: %s", gc->preset, why);
    /* Remove every other key: half the live data goes. */
    for (uint32_t id = 0; id < stored; id += 2) {
        size_t key_len = wl_key(id, key);
        rc = nbs_map_remove(&f.map, key, key_len);
        cr_assert_eq(rc, NBS_OK, "%s: remove %u of %u: %s", gc->preset, id, stored,
                     nbs_strerror(rc));
        ref_map_remove(&model, key, key_len);
    }
    /* With half the store live, updates of the remaining keys never run out of room. */
    uint32_t updates = 8 * stored + 50;
    for (uint32_t i = 0; i < updates; i++) {
        uint32_t id = 1 + 2 * seeded_rng_below(&rng, stored / 2);
        if (id >= stored) continue;
        size_t key_len = wl_key(id, key);
        seeded_rng_fill(&rng, value, value_len);
        rc = nbs_map_store(&f.map, key, key_len, value, value_len);
        cr_assert_eq(rc, NBS_OK, "%s, %u pages: update %u of key %u with %u of %u keys live: %s",
                     gc->preset, gc->pages, i, id, (unsigned)model.items.count, stored,
                     nbs_strerror(rc));
        ref_map_store(&model, key, key_len, value, value_len);
    }
    cr_assert(ec_map_verify(&f, &model, why), "%s, after updates: %s", gc->preset, why);
    cr_assert_eq(ef_mount(&f), NBS_OK);
    cr_assert(ec_map_verify(&f, &model, why), "%s, after remount: %s", gc->preset, why);
    free(value);
    ref_map_free(&model);
    ef_close(&f);
}

/* 100,000 random updates on 16 pages of nRF52840 flash: erase counts stay within 20%. */
Test(gc, wear_spreads_evenly) {
    engine_fixture f;
    seeded_rng rng;
    seeded_rng_seed(&rng, 33);
    open_map(&f, "nrf52840", 16);
    uint32_t updates = (uint32_t)test_env_ulong("NORBENCH_WEAR_UPDATES", 100000);
    uint8_t key[NBS_KEY_MAX], value[64];
    for (uint32_t i = 0; i < updates; i++) {
        size_t key_len = wl_key(seeded_rng_below(&rng, 32), key);
        size_t len = seeded_rng_range(&rng, 8, sizeof value);
        seeded_rng_fill(&rng, value, len);
        int rc = nbs_map_store(&f.map, key, key_len, value, len);
        cr_assert_eq(rc, NBS_OK, "update %u: %s", i, nbs_strerror(rc));
    }
    uint32_t min = 0, max = 0;
    ef_range_erase_counts(&f, &min, &max);
    cr_assert_gt(min, 0, "a page was never erased (max %u erases)", max);
    double ratio = (double)max / min;
    cr_assert_lt(ratio, 1.2, "erase counts range from %u to %u (ratio %.3f)", min, max, ratio);
    ef_close(&f);
}

/* Stores key n with a 200-byte value derived from n; returns the engine's code. */
static int store_numbered(engine_fixture *f, uint32_t n) {
    uint8_t key[4], value[200];
    nbs_key_u32(n, key);
    for (size_t i = 0; i < sizeof value; i++) value[i] = (uint8_t)(n * 7 + i);
    return nbs_map_store(&f->map, key, sizeof key, value, sizeof value);
}

static void expect_numbered(engine_fixture *f, uint32_t n, const char *when) {
    uint8_t key[4], value[200];
    size_t len = 0;
    nbs_key_u32(n, key);
    int rc = nbs_map_fetch(&f->map, key, sizeof key, value, sizeof value, &len);
    cr_assert_eq(rc, NBS_OK, "%s: fetch of key %u: %s", when, n, nbs_strerror(rc));
    cr_assert_eq(len, sizeof value, "%s: key %u has %zu bytes", when, n, len);
    for (size_t i = 0; i < sizeof value; i++)
        cr_assert_eq(value[i], (uint8_t)(n * 7 + i), "%s: key %u byte %zu", when, n, i);
}

/* Key 0 stored twice, then distinct keys: every page fills with live items but for one dead
 * item in the first, so the store that opens the last free page starts a garbage-collection
 * round that copies almost a whole page and frees one item's room. Cut it twice inside its
 * copies (torn copies waste room, a mount after a cut undoes the round): after power-on it must
 * complete (it restarts on a fresh erase of its page), the map must accept stores again and
 * every key must read back. Without the restart this fails with NBS_E_FULL. */
Test(gc, round_cut_twice_inside_its_copies_still_completes) {
    for (uint64_t first = 2; first <= 30; first += 4) {
        engine_fixture f;
        open_map(&f, "nrf52840", 4);
        /* Store distinct keys up to the one whose store opens the fourth page (the first opens page
         * 0). */
        uint32_t n = 0, opens = 0;
        nor_stats st;
        for (;; n++) {
            nor_snapshot *snap;
            cr_assert_eq(nor_snapshot_take(f.dev, &snap), NOR_OK);
            ef_stats(&f, &st);
            uint64_t erases = st.erase_calls;
            cr_assert_eq(store_numbered(&f, n < 2 ? 0 : n), NBS_OK, "store %u", n);
            /* Opens are counted by their erases: after this remount the store was not mounted
             * empty, so every page it opens is erased first (SPEC 5.2). */
            if (n == 0) cr_assert_eq(ef_mount(&f), NBS_OK);
            ef_stats(&f, &st);
            if (st.erase_calls > erases && ++opens == 4) {
                cr_assert_eq(nor_snapshot_restore(f.dev, snap), NOR_OK);
                nor_snapshot_free(snap);
                cr_assert_eq(ef_mount(&f), NBS_OK);
                break;
            }
            nor_snapshot_free(snap);
        }
        ef_arm_cut(&f, first, NOR_TORN_PROG_PREFIX, NOR_TORN_ERASE_FULL);
        cr_assert_neq(store_numbered(&f, n), NBS_OK, "the cut at op %lu landed",
                      (unsigned long)first);
        cr_assert_eq(ef_power_on_and_mount(&f), NBS_OK, "mount after cut at op %lu",
                     (unsigned long)first);
        ef_arm_cut(&f, 3, NOR_TORN_PROG_BITS, NOR_TORN_ERASE_FULL);
        (void)store_numbered(&f, n);
        cr_assert_eq(ef_power_on_and_mount(&f), NBS_OK, "second mount, first cut at op %lu",
                     (unsigned long)first);
        int rc = store_numbered(&f, n);
        cr_assert_eq(rc, NBS_OK, "store after two cuts in a round (first at op %lu): %s",
                     (unsigned long)first, nbs_strerror(rc));
        for (uint32_t k = 2; k <= n; k++) expect_numbered(&f, k, "after the round");
        expect_numbered(&f, 0, "after the round");
        ef_close(&f);
    }
}

/* A store mounted empty opens its pages after page 0 without an erase when they read erased
 * whole (they were never used: the first lap over a fresh part costs one erase, not four); a
 * page that holds anything is erased first, and its data reads back. */
Test(gc, fresh_pages_open_without_erase_only_when_blank) {
    for (int dirty = 0; dirty <= 1; dirty++) {
        engine_fixture f;
        open_map(&f, "tiny", 4);
        const nbs_flash *fl = &f.config.flash;
        if (dirty) { /* one programmed byte in the middle of page 2, put there from outside */
            uint8_t zero = 0;
            cr_assert_eq(nor_poke(f.dev, fl->start + 2 * fl->page_size + 100, &zero, 1), NOR_OK);
            cr_assert_eq(ef_mount(&f), NBS_OK);
        }
        nor_stats before, after;
        ef_stats(&f, &before);
        uint8_t key[4], value[40];
        uint32_t n = 0;
        for (; n < 12; n++) { /* about 4 items a page: pages 0, 1 and 2 */
            nbs_key_u32(n, key);
            memset(value, (int)n, sizeof value);
            cr_assert_eq(nbs_map_store(&f.map, key, 4, value, sizeof value), NBS_OK, "store %u", n);
        }
        ef_stats(&f, &after);
        cr_assert_eq(after.erase_calls - before.erase_calls, dirty ? 2 : 1,
                     "dirty %d: %llu erases for three pages opened", dirty,
                     (unsigned long long)(after.erase_calls - before.erase_calls));
        cr_assert_eq(ef_mount(&f), NBS_OK);
        while (n-- > 0) {
            uint8_t got[40];
            size_t len = 0;
            nbs_key_u32(n, key);
            memset(value, (int)n, sizeof value);
            int rc = nbs_map_fetch(&f.map, key, 4, got, sizeof got, &len);
            cr_assert(rc == NBS_OK && len == sizeof got && !memcmp(got, value, len),
                      "dirty %d: key %u: %s", dirty, n, nbs_strerror(rc));
        }
        ef_close(&f);
    }
}

/* The GC notes (SPEC 7): the check before a round marks the tail's live items, a bit per 8 bytes
 * of a page (no STORE is smaller), and the round copies what is marked. A tail packed with the
 * smallest STOREs (1-byte keys, empty values: 8 bytes at W = 1), every other key then removed:
 * after rounds over every page the removed keys stay absent and the others present. A slot
 * larger than the smallest STORE would give two neighbours one bit and copy a removed key back
 * to life (at W = 1 a 16-byte slot fails here). */
typedef struct notes_case {
    uint32_t write_unit;
    ef_cache_level cache;
} notes_case;

static notes_case notes_cases[] = {{1, EF_CACHE_NONE}, {8, EF_CACHE_NONE}, {32, EF_CACHE_NONE},
                                   {1, EF_CACHE_ALL},  {8, EF_CACHE_ALL},  {32, EF_CACHE_ALL}};

ParameterizedTestParameters(gc, notes_keep_the_smallest_items_apart) {
    return cr_make_param_array(notes_case, notes_cases, sizeof notes_cases / sizeof *notes_cases);
}

ParameterizedTest(const notes_case *nc, gc, notes_keep_the_smallest_items_apart) {
    enum { PAGES = 4, KEYS = 40 };
    engine_fixture f;
    ef_open_custom(&f, EF_MAP, nc->write_unit, 2048, PAGES, NOR_WRITES_ONCE, nc->cache);
    for (uint8_t k = 0; k < KEYS; k++)
        cr_assert_eq(nbs_map_store(&f.map, &k, 1, NULL, 0), NBS_OK, "W %u: store %u",
                     nc->write_unit, k);
    for (uint8_t k = 1; k < KEYS; k += 2)
        cr_assert_eq(nbs_map_remove(&f.map, &k, 1), NBS_OK, "W %u: remove %u", nc->write_unit, k);
    nor_stats st;
    ef_stats(&f, &st);
    uint64_t erases = st.erase_calls;
    uint8_t filler = 0xF0, value[200];
    memset(value, 0x5A, sizeof value);
    for (uint32_t i = 0; st.erase_calls < erases + 2 * PAGES && i < 10000; i++) {
        int rc = nbs_map_store(&f.map, &filler, 1, value, sizeof value);
        cr_assert_eq(rc, NBS_OK, "W %u: filler store %u: %s", nc->write_unit, i, nbs_strerror(rc));
        ef_stats(&f, &st);
    }
    cr_assert_geq(st.erase_calls, erases + 2 * PAGES, "W %u: the rounds did not run",
                  nc->write_unit);
    for (uint8_t k = 0; k < KEYS; k++) {
        bool present = !(k & 1);
        int rc = nbs_map_has(&f.map, &k, 1, &present);
        cr_assert_eq(rc, NBS_OK, "W %u: has %u: %s", nc->write_unit, k, nbs_strerror(rc));
        cr_assert_eq(present, !(k & 1), "W %u, %s: key %u is %s after the rounds", nc->write_unit,
                     ef_cache_level_name(nc->cache), k, present ? "present" : "absent");
    }
    ef_close(&f);
}

/* Reads of one page, counted from the device's events. */
typedef struct page_reads {
    uint32_t start, size;
    uint64_t calls;
} page_reads;

static void count_page_reads(void *ctx, const nor_event *ev) {
    page_reads *r = ctx;
    if (ev->kind == NOR_EV_READ && ev->addr >= r->start && ev->addr - r->start < r->size)
        r->calls++;
}

/* A GC round asks flash about each tail item once: the check before it notes what it found and
 * the round copies from the notes. Pages: the tail A (a dead item, then live keys), B and C
 * (other keys; C is the newest). Every lookup of an item of A walks the whole of B, so the GC
 * store reads B no more than looking up each of A's items once does (without the notes: twice). */
Test(gc, round_looks_each_tail_item_up_once) {
    engine_fixture f;
    ef_open_custom(&f, EF_MAP, 1, 256, 4, NOR_WRITES_LIMITED, EF_CACHE_NONE);
    uint8_t value[40];
    memset(value, 0x33, sizeof value);
    /* Page A: key 0 (superseded in page B), keys 1..4; each item 48 bytes, five to a page. */
    uint8_t tail_keys[] = {0, 1, 2, 3, 4};
    for (size_t i = 0; i < sizeof tail_keys; i++)
        cr_assert_eq(nbs_map_store(&f.map, &tail_keys[i], 1, value, sizeof value), NBS_OK);
    for (uint8_t k = 10; k < 20; k++) /* pages B and C (key 10 is key 0's new version) */
        cr_assert_eq(nbs_map_store(&f.map, k == 10 ? &tail_keys[0] : &k, 1, value, sizeof value),
                     NBS_OK, "store %u", k);
    page_reads b = {f.config.flash.start + f.config.flash.page_size, f.config.flash.page_size, 0};
    nor_set_event_fn(f.dev, count_page_reads, &b);
    bool present;
    for (size_t i = 0; i < sizeof tail_keys; i++)
        cr_assert_eq(nbs_map_has(&f.map, &tail_keys[i], 1, &present), NBS_OK);
    uint64_t lookups = b.calls;
    nor_stats st;
    ef_stats(&f, &st);
    uint64_t erases = st.erase_calls;
    b.calls = 0;
    uint8_t next = 20;
    cr_assert_eq(nbs_map_store(&f.map, &next, 1, value, sizeof value), NBS_OK);
    nor_set_event_fn(f.dev, NULL, NULL);
    ef_stats(&f, &st);
    cr_assert_eq(st.erase_calls, erases + 1, "the store ran no GC round (%llu erases)",
                 (unsigned long long)(st.erase_calls - erases));
    cr_assert_gt(lookups, 0, "the lookups of page A's keys read nothing of page B");
    cr_assert_leq(b.calls, lookups,
                  "the GC store read page B %llu times, one lookup per tail "
                  "item %llu",
                  (unsigned long long)b.calls, (unsigned long long)lookups);
    ef_close(&f);
}
