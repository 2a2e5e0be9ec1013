/* Regression tests for the durability holes of tests/engine/FINDINGS.md (D1-D5): each builds the
 * flash state a power cut can leave, with weak cells that read one way at one boot and another
 * way at the next (tests/support/weak_flash.h), and checks the durability contract of
 * engine/SPEC.md (section 6): mount succeeds, what was acknowledged stays, the outcome of the
 * operation in flight does not flip. Each fails with the engine before its fix (the NBS_TEST_BREAK
 * variants of engine/src/nbs_internal.h keep that behaviour). */
#include "engine_fixture.h"
#include "weak_flash.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

uint32_t nbs_crc32c(uint32_t seed, const void *data, size_t len); /* the engine's CRC-32C */

/* A store of `pages` pages of preset `preset`, without caches (check mode would rightly report
 * the weak cells as a cache mismatch, SPEC section 10), behind a weak_flash, mounted. */
static void open_store(engine_fixture *f, weak_flash *wf, ef_kind kind, const char *preset,
                       uint32_t pages) {
    nor_config cfg = ef_preset_config(preset);
    ef_options opts;
    memset(&opts, 0, sizeof opts);
    opts.kind = kind;
    opts.pages = pages;
    ef_open(f, &cfg, &opts);
    f->config.flash = weak_flash_bind(wf, &f->binding.flash);
    cr_assert_eq(ef_mount(f), NBS_OK);
}

static nbs_log *store_log(engine_fixture *f) {
    return f->options.kind == EF_MAP ? &f->map.log : &f->queue.log;
}

/* The address of slot `idx` of page `page` (SPEC section 2). */
static uint32_t slot_addr(engine_fixture *f, uint32_t page, uint32_t idx) {
    const nbs_log *log = store_log(f);
    return f->binding.flash.start + (page + 1) * f->page_size - (idx + 1) * log->slot_size;
}

static int store_n(engine_fixture *f, uint32_t k, uint32_t len) {
    uint8_t key[4], value[64];
    nbs_key_u32(k, key);
    memset(value, (int)(k * 7 + 1), sizeof value);
    return nbs_map_store(&f->map, key, sizeof key, value, len);
}

/* Key k holds the value store_n(k, len) wrote (want) or is absent (!want). */
static void expect_key(engine_fixture *f, uint32_t k, uint32_t len, bool want, const char *when) {
    uint8_t key[4], value[64], expected[64];
    size_t got = 0;
    nbs_key_u32(k, key);
    memset(expected, (int)(k * 7 + 1), sizeof expected);
    int rc = nbs_map_fetch(&f->map, key, sizeof key, value, sizeof value, &got);
    if (!want) {
        cr_assert_eq(rc, NBS_E_NOT_FOUND, "%s: key %u: %s, expected absent", when, k,
                     nbs_strerror(rc));
        return;
    }
    cr_assert_eq(rc, NBS_OK, "%s: key %u: %s", when, k, nbs_strerror(rc));
    cr_assert(got == len && !memcmp(value, expected, len), "%s: key %u: wrong value", when, k);
}

/* D1. The last slot m of the newest page, a torn record, reads invalid at one boot (the mount
 * decides "not applied") and erased at a later one. Before the fix the mount skipped m + 1 and
 * m + 2 and pinned at m + 3; once m settled to erased, m..m+2 were the 3 erased slots that end a
 * page's slot list, and every record written after the pin vanished. */
Test(durability_holes, slot_settling_to_erased_keeps_what_follows_the_pin) {
    engine_fixture f;
    weak_flash wf;
    open_store(&f, &wf, EF_MAP, "nrf52840", 4);
    for (uint32_t k = 0; k < 3; k++) cr_assert_eq(store_n(&f, k, 8), NBS_OK);
    /* An item is INTENT, data, commit: the commit (third program) is cut when complete. */
    ef_arm_cut(&f, 2, NOR_TORN_PROG_FULL, NOR_TORN_ERASE_FULL);
    cr_assert_eq(store_n(&f, 3, 8), NBS_E_IO);
    uint32_t m = f.map.log.next_slot - 1, addr = slot_addr(&f, f.map.log.newest, m);
    uint8_t programmed[16], crc_only[16] = {0};
    cr_assert_eq(nor_peek(f.dev, addr, programmed, 16), NOR_OK);
    for (int i = 0; i < 16; i++) programmed[i] ^= 0xFF;
    memcpy(crc_only + 12, programmed + 12, 4);

    /* Boot 1: its checksum bits are weak and read erased: the commit reads invalid. */
    nor_power_on(f.dev);
    int crc_weak = weak_flash_add(&wf, addr, 16, crc_only, NULL, 0, WEAK_AS_ERASED);
    cr_assert_eq(ef_mount(&f), NBS_OK);
    expect_key(&f, 3, 8, false, "boot 1");
    for (uint32_t k = 4; k < 8; k++) cr_assert_eq(store_n(&f, k, 8), NBS_OK);

    /* Boot 2: every bit the torn commit programmed settled to erased. */
    wf.regions[crc_weak].used = false;
    weak_flash_add(&wf, addr, 16, programmed, NULL, 0, WEAK_AS_ERASED);
    cr_assert_eq(ef_mount(&f), NBS_OK);
    for (uint32_t k = 0; k < 8; k++) expect_key(&f, k, 8, k != 3, "boot 2, slot m settled erased");
    cr_assert_eq(wf.outside, 0);
    ef_close(&f);
}

/* Stores values of `len` bytes under new keys from *next until one would open a new page; the
 * device and the map are then as before that store. Returns the snapshot taken before the last
 * store that still fitted (the caller frees both). */
static nor_snapshot *fill_newest_page(engine_fixture *f, uint32_t *next, uint32_t len,
                                      nor_snapshot **before_last_fit, nbs_map *map_before) {
    nor_snapshot *prev = NULL, *snap = NULL;
    nbs_map prev_map, map;
    for (;; (*next)++) {
        uint32_t page = f->map.log.newest;
        cr_assert_eq(nor_snapshot_take(f->dev, &snap), NOR_OK);
        map = f->map;
        cr_assert_eq(store_n(f, *next, len), NBS_OK);
        if (f->map.log.newest != page) {
            cr_assert_eq(nor_snapshot_restore(f->dev, snap), NOR_OK);
            f->map = map;
            *before_last_fit = prev;
            *map_before = prev_map;
            return snap;
        }
        if (prev) nor_snapshot_free(prev);
        prev = snap;
        prev_map = map;
    }
}

/* D2. A page open cut late: the new page's OPEN reads valid at the mount's first reading of it
 * and erased from then on. Before the fix the mount chose that page as the newest from its
 * first reading, then read slot 0 again to pin and found nothing to pin; the next write opened
 * another page, and once the OPEN settled to erased the live pages had a hole: NBS_E_CORRUPT,
 * which SPEC section 6.2 says no power cut can cause. */
Test(durability_holes, torn_open_read_twice_gives_no_corruption) {
    engine_fixture f;
    weak_flash wf;
    open_store(&f, &wf, EF_MAP, "nrf52840", 4);
    uint32_t next = 0;
    nor_snapshot *before_last_fit = NULL;
    nbs_map map_before;
    nor_snapshot *snap = fill_newest_page(&f, &next, 48, &before_last_fit, &map_before);
    /* The next store erases the next page (op 0) and writes its OPEN (op 1): cut that, complete. */
    uint32_t page = (f.map.log.newest + 1) % 4;
    ef_arm_cut(&f, 1, NOR_TORN_PROG_FULL, NOR_TORN_ERASE_FULL);
    cr_assert_eq(store_n(&f, next, 48), NBS_E_IO);
    nor_power_on(f.dev);
    weak_read first_only[1] = {WEAK_AS_STORED};
    int open_weak =
        weak_flash_add(&wf, slot_addr(&f, page, 0), 16, NULL, first_only, 1, WEAK_AS_ERASED);

    cr_assert_eq(ef_mount(&f), NBS_OK);
    for (uint32_t k = next; k < next + 3; k++) cr_assert_eq(store_n(&f, k, 48), NBS_OK);
    weak_flash_settle(&wf, open_weak, WEAK_AS_ERASED);
    int rc = ef_mount(&f);
    cr_assert_eq(rc, NBS_OK, "mount after the OPEN settled to erased: %s", nbs_strerror(rc));
    for (uint32_t k = 0; k < next + 3; k++) expect_key(&f, k, 48, true, "after the OPEN settled");
    nor_snapshot_free(snap);
    if (before_last_fit) nor_snapshot_free(before_last_fit);
    ef_close(&f);
}

/* The entries of the queue, oldest first, as "N entries, hash H" ("" when empty). */
static void queue_digest(engine_fixture *f, char *out, size_t size) {
    nbs_queue_iter it;
    uint8_t buf[256];
    size_t len = 0;
    uint32_t n = 0, hash = 0;
    nbs_queue_iter_init(&f->queue, &it);
    while (nbs_queue_iter_next(&it, buf, sizeof buf, &len) == NBS_OK)
        hash = nbs_crc32c(hash, buf, len) ^ (uint32_t)len, n++;
    if (n)
        snprintf(out, size, "%u entries, hash %08x", n, hash);
    else
        out[0] = 0;
}

/* A queue with every page live: pushes until no push fits. */
static void fill_queue(engine_fixture *f, weak_flash *wf) {
    open_store(f, wf, EF_QUEUE, "nrf52840", 4);
    uint8_t entry[40];
    size_t fit = 0;
    for (int i = 0; i < 1000 && nbs_queue_max_push(&f->queue, &fit) == NBS_OK && fit; i++) {
        memset(entry, i + 1, sizeof entry);
        cr_assert_eq(nbs_queue_push(&f->queue, entry, fit < sizeof entry ? fit : sizeof entry, 0),
                     NBS_OK);
    }
    const nbs_log *log = &f->queue.log;
    cr_assert_eq(log->newest_seq - log->tail_seq + 1, log->pages, "not every page is live");
}

/* Cuts erase_all at each of its flash operations (run from `snap` and `saved`): afterwards the
 * store mounts and holds either what it held (`old`) or nothing. */
static void erase_all_cut_everywhere(engine_fixture *f, nor_snapshot *snap, const nbs_queue *saved,
                                     const char *old, const char *what) {
    for (uint64_t op = 0; op < 12; op++) {
        cr_assert_eq(nor_snapshot_restore(f->dev, snap), NOR_OK);
        f->queue = *saved;
        ef_arm_cut(f, op, NOR_TORN_PROG_BITS, NOR_TORN_ERASE_PARTIAL);
        int rc = nbs_queue_erase_all(&f->queue);
        bool landed = !nor_is_powered(f->dev);
        nor_disarm_cut(f->dev);
        rc = ef_power_on_and_mount(f);
        cr_assert_eq(rc, NBS_OK, "%s, cut at erase_all operation %llu: mount: %s", what,
                     (unsigned long long)op, nbs_strerror(rc));
        char now[512];
        queue_digest(f, now, sizeof now);
        cr_assert(!strcmp(now, old) || !now[0],
                  "%s, cut at erase_all operation %llu: the queue holds \"%s\", neither the old "
                  "\"%s\" nor nothing",
                  what, (unsigned long long)op, now, old);
        if (!landed) break;
    }
}

/* D3. erase_all on a queue whose pages are all live. Before the fix it wrote TAIL(newest) (which
 * leaves the newest page's entries: a cut after it gave neither the old store nor an empty
 * one) or, the newest page full after mounts took its room (SPEC, Known limits: wedged), no
 * TAIL at all, and then erased the live tail page: a cut in that erase left a live page without
 * identity (NBS_E_CORRUPT). After a failed program it erased every page in address order: the
 * same. erase_all is the way out of a wedged queue; it must be atomic. */
static void erase_all_from_here(engine_fixture *f, const char *what) {
    char old[512];
    queue_digest(f, old, sizeof old);
    cr_assert(old[0], "the queue is empty");
    nor_snapshot *snap;
    cr_assert_eq(nor_snapshot_take(f->dev, &snap), NOR_OK);
    nbs_queue saved = f->queue;
    erase_all_cut_everywhere(f, snap, &saved, old, what);
    nor_snapshot_free(snap);
}

Test(durability_holes, erase_all_on_a_full_queue_is_atomic) {
    engine_fixture f;
    weak_flash wf;
    fill_queue(&f, &wf);
    erase_all_from_here(&f, "full queue");
    ef_close(&f);
}

Test(durability_holes, erase_all_on_a_wedged_queue_is_atomic) {
    engine_fixture f;
    weak_flash wf;
    fill_queue(&f, &wf);
    /* Mounts take the room kept in the newest page until none is left for one more record. */
    for (int i = 0; i < 40; i++) cr_assert_eq(ef_mount(&f), NBS_OK);
    const nbs_log *log = &f.queue.log;
    uint64_t slots = (uint64_t)log->next_slot + 1 + 3 + (log->front ? 2 : 0) + 1;
    cr_assert(log->front + slots * log->slot_size > log->flash.page_size, "not wedged");
    erase_all_from_here(&f, "wedged queue");
    ef_close(&f);
}

Test(durability_holes, erase_all_after_a_failed_program_is_atomic) {
    engine_fixture f;
    weak_flash wf;
    open_store(&f, &wf, EF_QUEUE, "tiny", 4);
    uint8_t entry[12];
    for (int i = 0; i < 6; i++) {
        memset(entry, i + 1, sizeof entry);
        cr_assert_eq(nbs_queue_push(&f.queue, entry, sizeof entry, 0), NBS_OK);
    }
    char old[512];
    queue_digest(&f, old, sizeof old);
    /* A push whose INTENT program fails (a cut, nothing written): RAM state is behind flash. */
    ef_arm_cut(&f, 0, NOR_TORN_PROG_NONE, NOR_TORN_ERASE_NONE);
    cr_assert_eq(nbs_queue_push(&f.queue, entry, sizeof entry, 0), NBS_E_IO);
    nor_power_on(f.dev);
    nor_snapshot *snap;
    cr_assert_eq(nor_snapshot_take(f.dev, &snap), NOR_OK);
    nbs_queue saved = f.queue;
    erase_all_cut_everywhere(&f, snap, &saved, old, "after a failed program");
    nor_snapshot_free(snap);
    ef_close(&f);
}

/* Programs one record into slot idx of page `page` with its CRC (seed 0 for OPEN, else seq). */
static void poke_record(engine_fixture *f, uint32_t page, uint32_t idx, const uint8_t rec[12],
                        uint32_t seq) {
    uint8_t slot[16];
    memcpy(slot, rec, 12);
    uint32_t crc = nbs_crc32c(rec[0] == 'N' ? 0 : seq, slot, 12);
    for (int i = 0; i < 4; i++) slot[12 + i] = (uint8_t)(crc >> (8 * i));
    cr_assert_eq(nor_poke(f->dev, slot_addr(f, page, idx), slot, sizeof slot), NOR_OK);
}

/* D4. A crafted image whose records have valid CRCs but claim data outside the page: an INTENT of
 * 16 MiB, in a page whose slot list runs to its last slot. Before the fix the mount believed the
 * length: the data front lay past the page, the room left for the pin (page size minus front)
 * wrapped around, and the pin went to a slot outside the page, below the store's range. */
Test(durability_holes, lengths_read_from_flash_are_checked) {
    engine_fixture f;
    weak_flash wf;
    open_store(&f, &wf, EF_MAP, "tiny", 4);
    uint8_t open[12] = {'N', 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2}; /* seq 1, map, version 2 */
    uint8_t intent[12] = {'I', 0, 0, 0, 0xFF, 0xFF, 0xFF};     /* block at 0, 16 MiB - 1 */
    uint8_t store[12] = {'S', 0, 0xFF, 0xFF, 4, 8, 0, 0};      /* key and value past the page */
    poke_record(&f, 0, 0, open, 1);
    poke_record(&f, 0, 1, intent, 1);
    poke_record(&f, 0, 2, store, 1);
    uint8_t garbage[16];
    memset(garbage, 0x00, sizeof garbage);
    for (uint32_t i = 3; i < 16; i++)
        cr_assert_eq(nor_poke(f.dev, slot_addr(&f, 0, i), garbage, sizeof garbage), NOR_OK);
    int rc = ef_mount(&f);
    cr_assert_eq(rc, NBS_OK, "mount of the crafted image: %s", nbs_strerror(rc));
    cr_assert_eq(wf.outside, 0, "the engine reached %u times outside its range", wf.outside);
    uint32_t count = 99;
    cr_assert_eq(nbs_map_count(&f.map, &count), NBS_OK);
    cr_assert_eq(count, 0);
    cr_assert_eq(store_n(&f, 1, 8), NBS_OK);
    cr_assert_eq(ef_mount(&f), NBS_OK);
    expect_key(&f, 1, 8, true, "after the crafted image");
    cr_assert_eq(wf.outside, 0, "the engine reached %u times outside its range", wf.outside);
    ef_close(&f);
}

/* Pushes entries of `len` bytes until one would open a new page; the device and the queue are
 * then as before the last push that still fitted, whose snapshot is returned; *entries counts
 * the entries pushed before it. */
static nor_snapshot *queue_before_last_fit(engine_fixture *f, uint32_t len, uint32_t *entries) {
    nor_snapshot *prev = NULL, *snap = NULL;
    nbs_queue prev_queue = f->queue;
    uint8_t entry[64];
    for (uint32_t i = 0;; i++) {
        uint32_t page = f->queue.log.newest;
        nbs_queue before = f->queue;
        cr_assert_eq(nor_snapshot_take(f->dev, &snap), NOR_OK);
        memset(entry, (int)i + 1, sizeof entry);
        cr_assert_eq(nbs_queue_push(&f->queue, entry, len, 0), NBS_OK);
        if (f->queue.log.newest != page) {
            cr_assert(prev, "the first push already opened a page");
            cr_assert_eq(nor_snapshot_restore(f->dev, prev), NOR_OK);
            f->queue = prev_queue;
            nor_snapshot_free(snap);
            *entries = i - 1;
            return prev;
        }
        if (prev) nor_snapshot_free(prev);
        prev = snap;
        prev_queue = before;
    }
}

/* The queue holds `n` entries of `len` bytes, entry i filled with i + 1. */
static void expect_entries(engine_fixture *f, uint32_t n, uint32_t len, const char *when) {
    uint32_t count = 0;
    cr_assert_eq(nbs_queue_count(&f->queue, &count), NBS_OK);
    cr_assert_eq(count, n, "%s: %u entries, expected %u", when, count, n);
    nbs_queue_iter it;
    uint8_t buf[64];
    size_t got = 0;
    nbs_queue_iter_init(&f->queue, &it);
    for (uint32_t i = 0; i < n; i++) {
        cr_assert_eq(nbs_queue_iter_next(&it, buf, sizeof buf, &got), NBS_OK, "%s: entry %u", when,
                     i);
        cr_assert(got == len && buf[0] == (uint8_t)(i + 1), "%s: entry %u is wrong", when, i);
    }
}

/* D5 (SPEC's former Known limit). The last push U that fits a page is cut late (its commit
 * weak), and so is the recovery mount's pin of it; the next mount then has no room to pin in
 * that page. Before the fix it left U undecided: U read present after that mount and absent
 * once the weak cells settled to erased, a flip of an outcome already seen. The decision is now
 * carried into the next page. */
Test(durability_holes, no_room_to_pin_carries_the_decision) {
    engine_fixture f;
    weak_flash wf;
    open_store(&f, &wf, EF_QUEUE, "nrf52840", 4);
    uint32_t before = 0;
    nor_snapshot *snap = queue_before_last_fit(&f, 16, &before);
    uint32_t page = f.queue.log.newest;
    /* U: INTENT, data, then its commit, cut when complete. */
    uint8_t entry[16];
    memset(entry, (int)before + 1, sizeof entry);
    ef_arm_cut(&f, 2, NOR_TORN_PROG_FULL, NOR_TORN_ERASE_FULL);
    cr_assert_eq(nbs_queue_push(&f.queue, entry, sizeof entry, 0), NBS_E_IO);
    uint32_t w = f.queue.log.next_slot - 1;
    nor_power_on(f.dev);
    int u_weak = weak_flash_add(&wf, slot_addr(&f, page, w), 16, NULL, NULL, 0, WEAK_AS_STORED);

    /* Recovery mount A: two killed slots, then the pin at w + 3, cut when complete. */
    ef_arm_cut(&f, 2, NOR_TORN_PROG_FULL, NOR_TORN_ERASE_FULL);
    cr_assert_eq(ef_mount(&f), NBS_E_IO);
    nor_power_on(f.dev);
    int pin_weak =
        weak_flash_add(&wf, slot_addr(&f, page, w + 3), 16, NULL, NULL, 0, WEAK_AS_STORED);

    /* Mount B reads both valid: U is there. */
    cr_assert_eq(ef_mount(&f), NBS_OK);
    expect_entries(&f, before + 1, 16, "mount B");
    /* Both settle to erased: U must still be there, at every later mount. */
    weak_flash_settle(&wf, u_weak, WEAK_AS_ERASED);
    weak_flash_settle(&wf, pin_weak, WEAK_AS_ERASED);
    for (int boot = 0; boot < 3; boot++) {
        cr_assert_eq(ef_mount(&f), NBS_OK);
        expect_entries(&f, before + 1, 16, "after the weak cells settled");
    }
    cr_assert_eq(wf.outside, 0);
    nor_snapshot_free(snap);
    ef_close(&f);
}

/* D5 on the map, through more interrupted mounts: the last store U that fits a page is cut late,
 * then recovery mounts are cut late in their pins until one finds no room and carries the
 * decision into the next page (its carried record cut late too). Lookups of the page before go
 * through the carried record; once every weak cell settles to erased, U must still be there. */
Test(durability_holes, map_lookups_go_through_a_carried_record) {
    engine_fixture f;
    weak_flash wf;
    open_store(&f, &wf, EF_MAP, "nrf52840", 4);
    uint32_t next = 0;
    nor_snapshot *before_last_fit = NULL;
    nbs_map map_before;
    nor_snapshot *snap = fill_newest_page(&f, &next, 16, &before_last_fit, &map_before);
    cr_assert(before_last_fit, "the first store already opened a page");
    cr_assert_eq(nor_snapshot_restore(f.dev, before_last_fit), NOR_OK);
    f.map = map_before;
    uint32_t u = next - 1, page = f.map.log.newest;
    ef_arm_cut(&f, 2, NOR_TORN_PROG_FULL, NOR_TORN_ERASE_FULL);
    cr_assert_eq(store_n(&f, u, 16), NBS_E_IO);
    int weak[WEAK_REGIONS], n = 0;
    nor_power_on(f.dev);
    weak[n++] = weak_flash_add(&wf, slot_addr(&f, page, f.map.log.next_slot - 1), 16, NULL, NULL, 0,
                               WEAK_AS_STORED);
    /* Recovery mounts cut in their third program (a pin, or a carried record) until one carries. */
    bool carried = false;
    while (!carried && n < WEAK_REGIONS) {
        ef_arm_cut(&f, 2, NOR_TORN_PROG_FULL, NOR_TORN_ERASE_FULL);
        cr_assert_eq(ef_mount(&f), NBS_E_IO);
        nor_power_on(f.dev);
        carried = f.map.log.newest != page;
        uint32_t at = slot_addr(&f, f.map.log.newest, (uint32_t)f.map.log.last);
        weak[n++] = weak_flash_add(&wf, at, 16, NULL, NULL, 0, WEAK_AS_STORED);
    }
    cr_assert(carried, "no recovery mount carried its decision");
    cr_assert_eq(ef_mount(&f), NBS_OK);
    cr_assert(f.map.log.carry > 1, "the newest page carries no record");
    for (uint32_t k = 0; k <= u; k++) expect_key(&f, k, 16, true, "after the carry");
    for (int i = 0; i < n; i++) weak_flash_settle(&wf, weak[i], WEAK_AS_ERASED);
    for (int boot = 0; boot < 2; boot++) {
        cr_assert_eq(ef_mount(&f), NBS_OK);
        for (uint32_t k = 0; k <= u; k++) expect_key(&f, k, 16, true, "after the cells settled");
        uint32_t count = 0;
        cr_assert_eq(nbs_map_count(&f.map, &count), NBS_OK);
        cr_assert_eq(count, u + 1);
    }
    cr_assert_eq(wf.outside, 0);
    nor_snapshot_free(snap);
    nor_snapshot_free(before_last_fit);
    ef_close(&f);
}

/* Review finding 1. A wedged queue's erase_all TAIL(newest + 1) is cut late: its checksum bits
 * are weak. The TAIL is mostly zero bytes, programmed for erase value 0xFF, so it has more than
 * half its bits programmed; before the fix such a slot read "killed" and the mount, which decides
 * it invalid (the queue keeps its entries), left it as it was. Once its weak bits settled
 * programmed it read valid: every page dead, the queue empty, an outcome flipped. A slot is now
 * killed only when every bit of its record reads programmed, so the mount kills this one. */
Test(durability_holes, torn_tail_half_programmed_is_killed) {
    engine_fixture f;
    weak_flash wf;
    fill_queue(&f, &wf);
    for (int i = 0; i < 40; i++) cr_assert_eq(ef_mount(&f), NBS_OK);
    char old[512], now[512];
    queue_digest(&f, old, sizeof old);
    cr_assert(old[0], "the queue is empty");
    uint32_t page = f.queue.log.newest, addr = slot_addr(&f, page, f.queue.log.next_slot);
    /* erase_all's first program is the TAIL: cut it when complete. */
    ef_arm_cut(&f, 0, NOR_TORN_PROG_FULL, NOR_TORN_ERASE_FULL);
    cr_assert_eq(nbs_queue_erase_all(&f.queue), NBS_E_IO);
    nor_power_on(f.dev);
    uint8_t programmed[16], crc_only[16] = {0};
    cr_assert_eq(nor_peek(f.dev, addr, programmed, 16), NOR_OK);
    cr_assert_eq(programmed[0], 'T', "the cut program is no TAIL");
    for (int i = 0; i < 16; i++) programmed[i] ^= 0xFF;
    memcpy(crc_only + 12, programmed + 12, 4);
    int weak = weak_flash_add(&wf, addr, 16, crc_only, NULL, 0, WEAK_AS_ERASED);
    for (int boot = 0; boot < 2; boot++) {
        cr_assert_eq(ef_mount(&f), NBS_OK);
        queue_digest(&f, now, sizeof now);
        cr_assert_str_eq(now, old, "boot %d (checksum bits read erased): the TAIL applied", boot);
    }
    weak_flash_settle(&wf, weak, WEAK_AS_STORED);
    for (int boot = 0; boot < 2; boot++) {
        int rc = ef_mount(&f);
        cr_assert_eq(rc, NBS_OK, "mount after the bits settled: %s", nbs_strerror(rc));
        queue_digest(&f, now, sizeof now);
        cr_assert_str_eq(now, old, "the torn TAIL read valid once its bits settled: \"%s\"", now);
    }
    cr_assert_eq(wf.outside, 0);
    ef_close(&f);
}

/* Review finding 2. A crafted INTENT with a valid CRC claims 5 bytes, not a whole number of data
 * units. Before the fix the mount believed it: the data front was left unaligned, the next store
 * wrote its block there but its record named the front rounded down (offsets are stored / U), so
 * the acknowledged value read as not found (or the unaligned program failed). Such an INTENT is
 * now invalid (SPEC section 3). */
Test(durability_holes, unaligned_intent_is_invalid) {
    engine_fixture f;
    weak_flash wf;
    open_store(&f, &wf, EF_MAP, "tiny", 4);
    uint8_t open[12] = {'N', 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2}; /* seq 1, map, version 2 */
    uint8_t intent[12] = {'I', 0, 0, 0, 5, 0, 0};              /* block at 0, 5 bytes */
    poke_record(&f, 0, 0, open, 1);
    poke_record(&f, 0, 1, intent, 1);
    int rc = ef_mount(&f);
    cr_assert_eq(rc, NBS_OK, "mount of the crafted image: %s", nbs_strerror(rc));
    cr_assert_eq(f.map.log.front % f.map.log.unit, 0, "data front %u unaligned", f.map.log.front);
    rc = store_n(&f, 1, 8);
    cr_assert_eq(rc, NBS_OK, "store after the crafted image: %s", nbs_strerror(rc));
    expect_key(&f, 1, 8, true, "after the store");
    cr_assert_eq(ef_mount(&f), NBS_OK);
    expect_key(&f, 1, 8, true, "after a reboot");
    cr_assert_eq(wf.outside, 0);
    ef_close(&f);
}

/* Review finding 3. Sequence numbers are bounded (NBS_SEQ_MAX, SPEC section 3). A crafted OPEN
 * with seq 0xFFFFFFFE is invalid; before the fix it was the newest page, the next page open
 * wrapped to 0xFFFFFFFF and the walks `seq <= newest` never ended (the timeout fails the test).
 * A page at NBS_SEQ_MAX itself is valid, but no page is opened past it: NBS_E_FULL. */
#define SEQ_MAX 0xFFFFFF00u /* NBS_SEQ_MAX of engine/src/nbs_internal.h */

Test(durability_holes, sequence_numbers_are_bounded, .timeout = 30) {
    engine_fixture f;
    weak_flash wf;
    open_store(&f, &wf, EF_QUEUE, "tiny", 4);
    uint8_t open[12] = {'N', 0, 0xFE, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 2, 2}; /* queue, version 2 */
    poke_record(&f, 0, 0, open, 0);
    cr_assert_eq(ef_mount(&f), NBS_OK);
    cr_assert(f.queue.log.empty, "an OPEN above the largest seq was taken");
    uint8_t entry[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint32_t count = 0;
    for (uint32_t i = 0; i < 12; i++) {
        cr_assert_eq(nbs_queue_push(&f.queue, entry, sizeof entry, 0), NBS_OK, "push %u", i);
        cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
        cr_assert_eq(count, i + 1);
    }
    ef_close(&f);

    open_store(&f, &wf, EF_QUEUE, "tiny", 4);
    for (int i = 0; i < 4; i++) open[2 + i] = (uint8_t)(SEQ_MAX >> (8 * i));
    poke_record(&f, 0, 0, open, 0);
    cr_assert_eq(ef_mount(&f), NBS_OK);
    cr_assert_eq(f.queue.log.newest_seq, SEQ_MAX);
    uint32_t pushed = 0;
    int rc;
    while ((rc = nbs_queue_push(&f.queue, entry, sizeof entry, 0)) == NBS_OK) pushed++;
    cr_assert_eq(rc, NBS_E_FULL, "push past the largest seq: %s", nbs_strerror(rc));
    cr_assert_eq(f.queue.log.newest_seq, SEQ_MAX);
    cr_assert_eq(ef_mount(&f), NBS_OK);
    cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
    cr_assert_eq(count, pushed);
    cr_assert_eq(wf.outside, 0);
    ef_close(&f);
}
