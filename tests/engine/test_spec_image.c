/* engine/SPEC.md as a reader's contract: format-3 images built by hand from the SPEC's tables
 * (tests/support/spec_image.c, its own bitwise CRC-32C) are mounted by the engine, which must
 * read every key, value and entry the image holds, and must mount them without a single program
 * or erase (a clean store, SPEC section 2). Also the limits of SPEC section 7. */
#include "nbs.h"
#include "spec_image.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

typedef struct rig {
    ram_flash rf;
    nbs_config cfg;
    uint8_t work[1024];
} rig;

static void rig_load(rig *r, const spec_image *img) {
    memset(&r->cfg, 0, sizeof r->cfg);
    spec_image_load(img, &r->rf, 0, 0, &r->cfg.flash);
    r->cfg.work = r->work;
    r->cfg.work_size = sizeof r->work;
}

static void expect_value(nbs_map *map, const void *key, size_t klen, const void *value, size_t vlen,
                         const char *what) {
    uint8_t buf[256];
    size_t len = 0;
    int rc = nbs_map_fetch(map, key, klen, buf, sizeof buf, &len);
    if (!value) {
        cr_assert_eq(rc, NBS_E_NOT_FOUND, "%s: %s, expected absent", what, nbs_strerror(rc));
        return;
    }
    cr_assert_eq(rc, NBS_OK, "%s: %s", what, nbs_strerror(rc));
    cr_assert_eq(len, vlen, "%s: length %zu, expected %zu", what, len, vlen);
    cr_assert_arr_eq(buf, value, vlen, "%s: wrong value", what);
}

/* Loads the image and mounts it as a map: a clean store, mounted without a program or erase. */
static void mount_clean(rig *r, const spec_image *img, nbs_map *map, const char *what) {
    rig_load(r, img);
    cr_assert_eq(nbs_map_mount(map, &r->cfg), NBS_OK, "%s: mount", what);
    cr_assert_eq(r->rf.programs + r->rf.erases, 0, "%s: a clean mount wrote", what);
}

/* A map of 4 pages x 256 B: page 0 (seq 1) stores, a superseded value, a store of a 128-byte
 * key; page 1 (seq 2, tail distance 1) a remove, a filler and an after-gap store of a value long
 * enough for a 2-byte length field, then a CLEAR-free end. Pages 2 and 3 erased. */
static void build_map(spec_image *img, uint32_t unit, uint8_t e, uint8_t version,
                      uint8_t long_key[128], uint8_t long_value[40]) {
    spec_page pg;
    spec_image_init(img, SPEC_MAP, 4, 256, unit, e);
    img->version = version;
    spec_page_begin(img, &pg, 0, 1, 0, 0);
    spec_map_store(&pg, "alpha", 5, "one", 3, true);
    spec_map_store(&pg, "beta", 4, "two", 3, true);
    spec_map_store(&pg, "alpha", 5, "uno", 3, true);
    for (int i = 0; i < 128; i++) long_key[i] = (uint8_t)(i * 3 + 1);
    spec_map_store(&pg, long_key, 128, "k", 1, true);
    spec_page_begin(img, &pg, 1, 2, 0, 1);
    spec_map_remove(&pg, "beta", 4, true);
    spec_map_store(&pg, "gamma", 5, "", 0, true);
    spec_filler(&pg);
    for (int i = 0; i < 40; i++) long_value[i] = (uint8_t)(0xA0 + i);
    spec_map_store(&pg, "delta", 5, long_value, 40, true);
}

/* The map image of this unit, erase value and page version, mounted clean and read back, written
 * after and read again. */
static void check_map_image(uint32_t unit, uint8_t e, uint8_t version) {
    uint8_t long_key[128], long_value[40];
    char what[64];
    snprintf(what, sizeof what, "version %u, W %u, E 0x%02X", version, unit, e);
    spec_image img;
    build_map(&img, unit, e, version, long_key, long_value);
    rig r;
    nbs_map map;
    mount_clean(&r, &img, &map, what);
    expect_value(&map, "alpha", 5, "uno", 3, what);
    expect_value(&map, "beta", 4, NULL, 0, what);
    expect_value(&map, "gamma", 5, "", 0, what);
    expect_value(&map, "delta", 5, long_value, 40, what);
    expect_value(&map, long_key, 128, "k", 1, what);
    expect_value(&map, "omega", 5, NULL, 0, what);
    uint32_t count = 0;
    cr_assert_eq(nbs_map_count(&map, &count), NBS_OK);
    cr_assert_eq(count, 4, "%s: count %u", what, count);
    /* The engine writes after the image (a filler first, SPEC section 5.1) and reads it all back
     * after a remount. */
    cr_assert_eq(nbs_map_store(&map, "alpha", 5, "eins", 4), NBS_OK, "%s", what);
    cr_assert_eq(r.rf.refused, 0, "%s: a program the part refuses", what);
    cr_assert_eq(nbs_map_mount(&map, &r.cfg), NBS_OK, "%s: remount", what);
    expect_value(&map, "alpha", 5, "eins", 4, what);
    expect_value(&map, "delta", 5, long_value, 40, what);
    ram_flash_free(&r.rf);
    spec_image_free(&img);
}

Test(spec_image, map_image_reads_as_built_every_unit_and_erase_value) {
    static const uint32_t units[] = {1, 4, 8};
    for (unsigned u = 0; u < 3; u++)
        for (int ev = 0; ev < 2; ev++) check_map_image(units[u], ev ? 0x00 : 0xFF, 3);
}

/* Page version 4 (SPEC 3.2): S is the first byte of the commit header's first unit, on a part
 * that takes two programs per unit. */
Test(spec_image, map_image_of_version_4_reads_as_built) {
    static const uint32_t units[] = {2, 4, 8};
    for (unsigned u = 0; u < 3; u++)
        for (int ev = 0; ev < 2; ev++) check_map_image(units[u], ev ? 0x00 : 0xFF, 4);
}

/* A version-4 map described as once-only flash is refused (SPEC 6.1 step 1), and nothing is
 * written: such a part cannot take its seals. */
Test(spec_image, a_version_4_store_on_once_only_flash_is_refused) {
    uint8_t long_key[128], long_value[40];
    spec_image img;
    build_map(&img, 4, 0xFF, 4, long_key, long_value);
    rig r;
    rig_load(&r, &img);
    r.cfg.flash.programs_per_unit = 1;
    nbs_map map;
    int rc = nbs_map_mount(&map, &r.cfg);
    cr_assert_eq(rc, NBS_E_CORRUPT, "version 4 on once-only flash: %s", nbs_strerror(rc));
    cr_assert_eq(r.rf.programs + r.rf.erases, 0, "the refusal wrote");
    ram_flash_free(&r.rf);
    spec_image_free(&img);
}

/* A version-3 map (a store written before version 4) on a part that takes two programs per unit
 * keeps version 3 (SPEC 6.1 step 1): it mounts clean, reads as built, and the pages its writes
 * and garbage collection open are of version 3 too. */
Test(spec_image, a_version_3_store_on_two_program_flash_stays_version_3) {
    uint8_t long_key[128], long_value[40];
    spec_image img;
    build_map(&img, 4, 0xFF, 3, long_key, long_value);
    rig r;
    rig_load(&r, &img);
    r.cfg.flash.programs_per_unit = 2;
    r.rf.programs_per_unit = 2;
    nbs_map map;
    cr_assert_eq(nbs_map_mount(&map, &r.cfg), NBS_OK);
    cr_assert_eq(r.rf.programs + r.rf.erases, 0, "a clean mount wrote");
    expect_value(&map, "alpha", 5, "uno", 3, "version 3 adopted");
    expect_value(&map, "delta", 5, long_value, 40, "version 3 adopted");
    uint8_t value[24];
    for (unsigned i = 0; i < 40; i++) { /* enough to open every page and run GC rounds */
        memset(value, (int)i, sizeof value);
        cr_assert_eq(nbs_map_store(&map, "alpha", 5, value, sizeof value), NBS_OK, "store %u", i);
    }
    cr_assert_gt(r.rf.erases, 0, "no garbage collection ran");
    cr_assert_eq(r.rf.refused, 0, "a program the part refuses");
    cr_assert_eq(nbs_map_mount(&map, &r.cfg), NBS_OK, "remount");
    expect_value(&map, "alpha", 5, value, sizeof value, "version 3 adopted, after GC");
    expect_value(&map, "delta", 5, long_value, 40, "version 3 adopted, after GC");
    for (uint32_t p = 0; p < img.pages; p++) {
        uint8_t b0 = r.rf.mem[r.cfg.flash.start + p * img.size];
        cr_assert(b0 == 0xFF || (b0 & 0xF8) == 0x58, "page %u: byte 0 0x%02X is no version-3 map",
                  p, b0);
    }
    ram_flash_free(&r.rf);
    spec_image_free(&img);
}

/* A CLEAR (tk 0x81) in the newest page hides every older item; a MARK (0x82) counts nothing. */
Test(spec_image, map_clear_hides_older_items) {
    spec_image img;
    spec_page pg;
    spec_image_init(&img, SPEC_MAP, 4, 256, 1, 0xFF);
    spec_page_begin(&img, &pg, 2, 7, 0, 0); /* the ring may start anywhere, at any seq */
    spec_map_store(&pg, "a", 1, "1", 1, true);
    spec_map_store(&pg, "b", 1, "2", 1, true);
    spec_page_begin(&img, &pg, 3, 8, 0, 1);
    spec_map_control(&pg, 0x82, true);
    spec_map_store(&pg, "b", 1, "3", 1, true);
    spec_map_control(&pg, 0x81, true);
    spec_map_store(&pg, "c", 1, "4", 1, true);
    rig r;
    rig_load(&r, &img);
    nbs_map map;
    cr_assert_eq(nbs_map_mount(&map, &r.cfg), NBS_OK);
    cr_assert_eq(r.rf.programs + r.rf.erases, 0);
    expect_value(&map, "a", 1, NULL, 0, "a");
    expect_value(&map, "b", 1, NULL, 0, "b");
    expect_value(&map, "c", 1, "4", 1, "c");
    uint32_t count = 0;
    cr_assert_eq(nbs_map_count(&map, &count), NBS_OK);
    cr_assert_eq(count, 1);
    ram_flash_free(&r.rf);
    spec_image_free(&img);
}

/* Key elision (SPEC 3.6), built from the SPEC's chain and CRC rules: on page 0 (seq 1) a chain
 * cfg = v1, v2 (STORE-SAME), v3 (STORE-SAME); a chain whose STORE has a corrupt value (its CRC
 * fails) and a STORE-SAME after it that counts; a STORE-SAME after a REMOVE (no chain: counts
 * nothing); a STORE-SAME whose CRC covers another key than its chain's (counts nothing); page 1
 * (seq 2) another chain of cfg after a CLEAR-free STORE of x. Every unit and erase value, both
 * layouts; then the engine writes more (its own chains), collects garbage (a live STORE-SAME
 * copied as a full STORE), and with the key cache in check mode reads it all again. */
static void check_elided_image(uint32_t unit, uint8_t e, uint8_t version) {
    char what[80];
    snprintf(what, sizeof what, "elision: version %u, W %u, E 0x%02X", version, unit, e);
    spec_image img;
    spec_page pg;
    spec_image_init(&img, SPEC_MAP, 4, 512, unit, e);
    img.version = version;
    spec_page_begin(&img, &pg, 0, 1, 0, 0);
    spec_map_store(&pg, "cfg", 3, "v1", 2, true);
    spec_map_store_same(&pg, "cfg", 3, "v2", 2, true);
    spec_map_store_same(&pg, "cfg", 3, "v3-long", 7, true);
    spec_item head = spec_map_store(&pg, "bad", 3, "b1", 2, true);
    img.mem[head.data + 3] ^= 0x01; /* its value corrupt: its own CRC fails, its key holds */
    spec_map_store_same(&pg, "bad", 3, "b2", 2, true);
    spec_map_store(&pg, "gone", 4, "g1", 2, true);
    spec_map_remove(&pg, "gone", 4, true);
    spec_map_store_same(&pg, "gone", 4, "g2", 2, true); /* after a REMOVE: no key */
    spec_map_store(&pg, "x", 1, "x1", 2, true);
    spec_map_store_same(&pg, "y", 1, "y1", 2, true); /* resolves to x: its CRC (over y) fails */
    spec_page_begin(&img, &pg, 1, 2, 0, 1);
    spec_map_store(&pg, "x", 1, "x2", 2, true);
    spec_map_store(&pg, "cfg", 3, "v4", 2, true);
    spec_map_store_same(&pg, "cfg", 3, "v5", 2, true);
    rig r;
    nbs_map map;
    mount_clean(&r, &img, &map, what);
    expect_value(&map, "cfg", 3, "v5", 2, what);
    expect_value(&map, "bad", 3, "b2", 2, what);
    expect_value(&map, "gone", 4, NULL, 0, what);
    expect_value(&map, "x", 1, "x2", 2, what);
    expect_value(&map, "y", 1, NULL, 0, what);
    uint32_t count = 0;
    cr_assert_eq(nbs_map_count(&map, &count), NBS_OK);
    cr_assert_eq(count, 3, "%s: count %u", what, count);
    /* The iterator resumes inside chains: it names each live key once, cfg with v5. */
    nbs_map_iter it;
    nbs_map_iter_init(&map, &it);
    uint8_t key[8], value[16];
    size_t klen, vlen;
    unsigned seen = 0;
    while (nbs_map_iter_next(&it, key, sizeof key, &klen, value, sizeof value, &vlen) == NBS_OK) {
        seen++;
        if (klen == 3 && !memcmp(key, "cfg", 3))
            cr_assert(vlen == 2 && !memcmp(value, "v5", 2), "%s: iterated cfg", what);
    }
    cr_assert_eq(seen, 3, "%s: iterated %u keys", what, seen);
    /* The engine's own chains, then enough stores to collect every page. */
    uint8_t v[20];
    for (unsigned i = 0; i < 40; i++) {
        memset(v, (int)(i + 1), sizeof v);
        cr_assert_eq(nbs_map_store(&map, "cfg", 3, v, 1 + i % sizeof v), NBS_OK, "%s: %u", what, i);
    }
    cr_assert_gt(r.rf.erases, 0, "%s: no garbage collection ran", what);
    static uint8_t cache[2048];
    r.cfg.cache = (nbs_cache_config){NBS_CACHE_ALL, cache, sizeof cache, 8, true};
    cr_assert_eq(nbs_map_mount(&map, &r.cfg), NBS_OK, "%s: remount", what);
    expect_value(&map, "cfg", 3, v, 1 + 39 % sizeof v, what);
    expect_value(&map, "bad", 3, "b2", 2, what);
    expect_value(&map, "x", 1, "x2", 2, what);
    cr_assert_eq(nbs_map_store(&map, "cfg", 3, "w", 1), NBS_OK, "%s", what);
    cr_assert_eq(nbs_map_store(&map, "cfg", 3, "w2", 2), NBS_OK, "%s", what);
    expect_value(&map, "cfg", 3, "w2", 2, what);
    cr_assert_eq(nbs_map_count(&map, &count), NBS_OK);
    cr_assert_eq(count, 3, "%s: count %u after GC", what, count);
    cr_assert_eq(r.rf.refused, 0, "%s: a program the part refuses", what);
    ram_flash_free(&r.rf);
    spec_image_free(&img);
}

Test(spec_image, map_store_same_chains_read_as_the_spec_says) {
    static const uint32_t units[] = {1, 4, 8};
    for (unsigned u = 0; u < 3; u++)
        for (int ev = 0; ev < 2; ev++) check_elided_image(units[u], ev ? 0x00 : 0xFF, 3);
    static const uint32_t units4[] = {2, 4};
    for (unsigned u = 0; u < 2; u++)
        for (int ev = 0; ev < 2; ev++) {
            check_elided_image(units4[u], ev ? 0x00 : 0xFF, 4);
        }
}

/* A queue of 4 x 256 B: page 1 (seq 3) e0 popped, e1, e2; page 2 (seq 4, tail distance 1) e3
 * popped out of order, a filler, e4. Pages 3 (seq 1) and 0 (seq 2) are dead pages of the
 * previous lap, before the tail (SPEC 5.4), left as they were: page 3 even holds an entry not
 * popped, which is not the queue's. Peek, pop and count see e1, e2, e4. */
Test(spec_image, queue_image_reads_as_built) {
    static const uint32_t units[] = {1, 4, 8};
    for (unsigned u = 0; u < 3; u++)
        for (int ev = 0; ev < 2; ev++) {
            uint8_t e = ev ? 0x00 : 0xFF;
            char what[64];
            snprintf(what, sizeof what, "W %u, E 0x%02X", units[u], e);
            uint8_t big[60];
            for (int i = 0; i < 60; i++) big[i] = (uint8_t)(i ^ 0x5A);
            spec_image img;
            spec_page pg;
            spec_image_init(&img, SPEC_QUEUE, 4, 256, units[u], e);
            spec_page_begin(&img, &pg, 3, 1, 0, 0);
            spec_queue_push(&pg, "x0", 2, true, false);
            spec_page_begin(&img, &pg, 0, 2, 0, 1);
            spec_queue_push(&pg, "d0", 2, true, true);
            spec_page_begin(&img, &pg, 1, 3, 0, 0);
            spec_queue_push(&pg, "e0", 2, true, true);
            spec_queue_push(&pg, "e1", 2, true, false);
            spec_queue_push(&pg, big, 60, true, false);
            spec_page_begin(&img, &pg, 2, 4, 0, 1);
            spec_queue_push(&pg, "e3", 2, true, true);
            spec_filler(&pg);
            spec_queue_push(&pg, "", 0, true, false);
            rig r;
            rig_load(&r, &img);
            nbs_queue q;
            cr_assert_eq(nbs_queue_mount(&q, &r.cfg), NBS_OK, "%s: mount", what);
            cr_assert_eq(r.rf.programs + r.rf.erases, 0, "%s: a clean mount wrote", what);
            uint32_t count = 0;
            cr_assert_eq(nbs_queue_count(&q, &count), NBS_OK);
            cr_assert_eq(count, 3, "%s: count %u", what, count);
            uint8_t buf[64];
            size_t len = 0;
            cr_assert_eq(nbs_queue_peek(&q, buf, sizeof buf, &len), NBS_OK, "%s", what);
            cr_assert(len == 2 && !memcmp(buf, "e1", 2), "%s: peek", what);
            cr_assert_eq(nbs_queue_pop(&q, buf, sizeof buf, &len), NBS_OK);
            cr_assert(len == 2 && !memcmp(buf, "e1", 2), "%s: pop 1", what);
            cr_assert_eq(nbs_queue_mount(&q, &r.cfg), NBS_OK, "%s: remount", what);
            cr_assert_eq(nbs_queue_pop(&q, buf, sizeof buf, &len), NBS_OK);
            cr_assert(len == 60 && !memcmp(buf, big, 60), "%s: pop 2", what);
            cr_assert_eq(nbs_queue_pop(&q, buf, sizeof buf, &len), NBS_OK);
            cr_assert_eq(len, 0, "%s: pop 3", what);
            cr_assert_eq(nbs_queue_peek(&q, buf, sizeof buf, &len), NBS_E_EMPTY, "%s", what);
            ram_flash_free(&r.rf);
            spec_image_free(&img);
        }
}

static int no_read(void *ctx, uint32_t addr, void *buf, uint32_t len) {
    (void)ctx, (void)addr, (void)buf, (void)len;
    return NBS_E_IO;
}
static int no_program(void *ctx, uint32_t addr, const void *data, uint32_t len) {
    (void)ctx, (void)addr, (void)data, (void)len;
    return NBS_E_IO;
}
static int no_erase(void *ctx, uint32_t page_addr) {
    (void)ctx, (void)page_addr;
    return NBS_E_IO;
}

/* SPEC section 7's figures (W = 1, N <= 256: the first item at offset 6). */
Test(spec_image, largest_items_are_the_spec_figures) {
    nbs_flash f = {.read = no_read,
                   .program = no_program,
                   .erase = no_erase,
                   .start = 0,
                   .write_unit = 1,
                   .erase_value = 0xFF};
    f.page_size = 256, f.size = 4 * 256;
    cr_assert_eq(nbs_map_max_value(&f, 1), 241);
    cr_assert_eq(nbs_map_max_value(&f, 4), 238);
    cr_assert_eq(nbs_queue_max_item(&f), 241);
    f.page_size = 4096, f.size = 4 * 4096;
    cr_assert_eq(nbs_map_max_value(&f, 1), 4081);
    cr_assert_eq(nbs_queue_max_item(&f), 4081);
    f.size = 32767u * 4096, f.page_size = 4096;
    cr_assert_neq(nbs_queue_max_item(&f), 0);
    f.size = 32768u * 4096;
    cr_assert_eq(nbs_queue_max_item(&f), 0, "N above 32767 is refused");
}

/* A TXN member built from SPEC 3.4 alone: the STORE (or REMOVE) item it stands for, S full,
 * after_gap 0, its CRC over tk, length field, key and value with no page seed; in the page's
 * layout (version 3: S a unit of its own; version 4: S the first byte of the commit header's
 * first unit). Returns its size. */
static uint32_t spec_member(const spec_image *img, uint8_t *out, const char *key, const char *value,
                            bool removed) {
    uint32_t klen = (uint32_t)strlen(key), vlen = value ? (uint32_t)strlen(value) : 0;
    uint8_t head[2] = {(uint8_t)klen, (uint8_t)(vlen * 4 + (removed ? 2 : 0))}; /* vlen < 32 */
    uint32_t crc = spec_crc32c_update(0xFFFFFFFFu, head, 2);
    crc = ~spec_crc32c_update(spec_crc32c_update(crc, key, klen), value ? value : "", vlen);
    const uint32_t s_len = img->version == 4 ? 1 : img->unit; /* S's bytes before the header */
    const uint32_t data_at =
        img->version == 4 ? spec_round(img, 1 + 2 + 4) : img->unit + spec_round(img, 2 + 4);
    const uint32_t data_len = spec_round(img, klen + vlen);
    memset(out, img->erase_value, data_at + data_len);
    memset(out, spec_programmed(img), s_len); /* S */
    memcpy(out + s_len, head, 2);
    for (int i = 0; i < 4; i++) out[s_len + 2 + i] = (uint8_t)(crc >> (8 * i));
    memcpy(out + data_at, key, klen);
    if (vlen) memcpy(out + data_at + klen, value, vlen);
    return data_at + data_len;
}

/* A TXN item (tk 0x83) and an item of a reserved kind (tk 0x85; 0x84 is a STORE-SAME, SPEC 3.6),
 * each sealed and built from the SPEC alone: the TXN's members read in place (its store replaces an
 * older value, its removal hides one), the reserved item is skipped by its lengths and the items
 * after it count; a TXN whose CRC does not match counts nothing. */
static void check_txn_image(uint32_t unit, uint8_t e, uint8_t version) {
    uint8_t members[128], bad[128];
    char what[64];
    snprintf(what, sizeof what, "version %u, W %u, E 0x%02X", version, unit, e);
    spec_image img;
    spec_page pg;
    spec_image_init(&img, SPEC_MAP, 4, 512, unit, e);
    img.version = version;
    spec_page_begin(&img, &pg, 0, 1, 0, 0);
    spec_map_store(&pg, "a", 1, "old", 3, true);
    spec_map_store(&pg, "b", 1, "bee", 3, true);
    uint32_t d = spec_member(&img, members, "a", "new", false);
    d += spec_member(&img, members + d, "b", NULL, true);
    d += spec_member(&img, members + d, "c", "sea", false);
    spec_item_raw(&pg, 0x83, d * 4, members, d, true);
    spec_item_raw(&pg, 0x85, 5 * 4 + 2, "xyzzy", 5, true); /* reserved: skipped */
    spec_map_store(&pg, "d", 1, "dee", 3, true);
    uint32_t bd = spec_member(&img, bad, "e", "eee", false);
    spec_item raw = spec_item_raw(&pg, 0x83, bd * 4, bad, bd, true);
    img.mem[raw.head + 2 + (bd * 4 >= 128)] ^= 0x10; /* the TXN's CRC no longer matches */
    spec_map_store(&pg, "f", 1, "eff", 3, true);     /* a sealed item follows it */
    rig r;
    nbs_map map;
    mount_clean(&r, &img, &map, what);
    expect_value(&map, "a", 1, "new", 3, what);
    expect_value(&map, "b", 1, NULL, 0, what);
    expect_value(&map, "c", 1, "sea", 3, what);
    expect_value(&map, "d", 1, "dee", 3, what);
    expect_value(&map, "e", 1, NULL, 0, what);
    expect_value(&map, "f", 1, "eff", 3, what);
    uint32_t count = 0;
    cr_assert_eq(nbs_map_count(&map, &count), NBS_OK);
    cr_assert_eq(count, 4, "%s: count %u", what, count);
    ram_flash_free(&r.rf);
    spec_image_free(&img);
}

Test(spec_image, txn_members_read_and_reserved_items_skipped) {
    static const uint32_t units[] = {1, 4, 8};
    for (unsigned u = 0; u < 3; u++)
        for (int ev = 0; ev < 2; ev++) check_txn_image(units[u], ev ? 0x00 : 0xFF, 3);
}

Test(spec_image, txn_members_of_version_4_read_and_reserved_items_skipped) {
    static const uint32_t units[] = {2, 4, 8};
    for (unsigned u = 0; u < 3; u++)
        for (int ev = 0; ev < 2; ev++) check_txn_image(units[u], ev ? 0x00 : 0xFF, 4);
}
