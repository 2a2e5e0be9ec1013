/* The TDBStore-shaped store (nbs_tdb.h) on the RAM flash: every error path, write-once keys,
 * reads at offsets, a value of more than 64 KiB written incrementally across pages, the busy
 * rule while a set is open, prefix iterators that go stale on a write, the reserved area across
 * reset and GC, the on-flash form of SPEC 9.2 read back through the map, and a power cut at
 * every flash operation of an incremental set, a replacement, a removal and a reset (the value
 * old or new, never a mix, and no chunk left that no value names). Needs only the RAM flash and
 * the engine, so that it also links with the broken engines of engine/CMakeLists.txt (tests'
 * CMakeLists: each is caught by one test here). */
#include "nbs.h"
#include "nbs_tdb.h"
#include "ram_flash.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rig {
    ram_flash rf;
    nbs_config cfg;
    nbs_map map;
    nbs_tdb tdb;
    uint8_t work[1024];
    uint8_t *buf;
    size_t buf_size;
} rig;

/* Mounts the map and binds the store as after a reboot (RAM state garbage first). */
static int rig_remount(rig *r) {
    memset(&r->map, 0xA5, sizeof r->map);
    memset(&r->tdb, 0xA5, sizeof r->tdb);
    int rc = nbs_map_mount(&r->map, &r->cfg);
    return rc ? rc : nbs_tdb_init(&r->tdb, &r->map, r->buf, r->buf_size, true);
}

static void rig_open(rig *r, uint32_t pages, uint32_t page_size) {
    cr_assert_eq(ram_flash_init(&r->rf, pages, page_size, 1, 0xFF, 7), 0);
    memset(&r->cfg, 0, sizeof r->cfg);
    r->cfg.flash = ram_flash_bind(&r->rf);
    r->cfg.work = r->work;
    r->cfg.work_size = sizeof r->work;
    r->buf_size = nbs_tdb_buffer_bytes(&r->cfg.flash);
    r->buf = malloc(r->buf_size);
    cr_assert(r->buf);
    int rc = rig_remount(r);
    cr_assert_eq(rc, NBS_OK, "mount: %s", nbs_strerror(rc));
}

static void rig_close(rig *r) {
    free(r->buf);
    ram_flash_free(&r->rf);
}

/* Value bytes that differ by `seed` and by position. */
static void fill(uint8_t *v, size_t len, unsigned seed) {
    for (size_t i = 0; i < len; i++) v[i] = (uint8_t)(i * 31u + seed * 7u + (i >> 8));
}

static void set_text(rig *r, const char *key, const void *value, size_t len, uint32_t flags) {
    int rc = nbs_tdb_set(&r->tdb, key, strlen(key), value, len, flags);
    cr_assert_eq(rc, NBS_OK, "set %s: %s", key, nbs_strerror(rc));
}

/* The whole value of `key` equals `want` (len bytes); its info says len and flags. */
static void expect_value(rig *r, const char *key, const uint8_t *want, size_t len, uint32_t flags) {
    uint8_t *got = malloc(len + 1);
    size_t actual = 0;
    int rc = nbs_tdb_get(&r->tdb, key, strlen(key), got, len + 1, &actual, 0);
    cr_assert_eq(rc, NBS_OK, "get %s: %s", key, nbs_strerror(rc));
    cr_assert_eq(actual, len, "get %s: %zu bytes, not %zu", key, actual, len);
    cr_assert(!memcmp(got, want, len), "get %s: other bytes", key);
    nbs_tdb_info info = {99, 99};
    cr_assert_eq(nbs_tdb_get_info(&r->tdb, key, strlen(key), &info), NBS_OK);
    cr_assert_eq(info.size, len);
    cr_assert_eq(info.flags, flags);
    free(got);
}

/* An incremental set of `len` bytes fed in pieces of `piece` bytes. */
static int set_incrementally(rig *r, const char *key, const uint8_t *value, size_t len,
                             size_t piece, uint32_t flags) {
    int rc = nbs_tdb_set_start(&r->tdb, key, strlen(key), (uint32_t)len, flags);
    for (size_t at = 0; !rc && at < len; at += piece)
        rc = nbs_tdb_set_add_data(&r->tdb, value + at, len - at < piece ? len - at : piece);
    return rc ? rc : nbs_tdb_set_finalize(&r->tdb);
}

/* The map keys of namespace `ns` (SPEC 9.2) the map holds. */
static uint32_t count_namespace(rig *r, uint8_t ns) {
    static uint8_t value[8192];
    nbs_map_iter it;
    nbs_map_iter_init(&r->map, &it);
    uint8_t key[NBS_KEY_MAX];
    size_t key_len, value_len;
    uint32_t n = 0;
    int rc;
    while ((rc = nbs_map_iter_next(&it, key, sizeof key, &key_len, value, sizeof value,
                                   &value_len)) == NBS_OK)
        n += key[0] == ns;
    cr_assert_eq(rc, NBS_E_END, "map iteration: %s", nbs_strerror(rc));
    return n;
}

/* The map value of user key `key` (its flags byte first), read through the map. */
static size_t raw_value(rig *r, const char *key, uint8_t *out, size_t capacity) {
    uint8_t map_key[NBS_KEY_MAX];
    map_key[0] = 0x01;
    memcpy(map_key + 1, key, strlen(key));
    size_t len = 0;
    int rc = nbs_map_fetch(&r->map, map_key, strlen(key) + 1, out, capacity, &len);
    cr_assert_eq(rc, NBS_OK, "map fetch of %s: %s", key, nbs_strerror(rc));
    return len;
}

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- plain values, errors ---- */

Test(tdb, plain_values_round_trip_with_their_flags) {
    rig r;
    rig_open(&r, 8, 256);
    uint8_t v[100];
    fill(v, sizeof v, 1);
    set_text(&r, "a", v, sizeof v, 0);
    set_text(&r, "b", v, 0, NBS_TDB_WRITE_ONCE);
    set_text(&r, "a", v + 1, 50, 0);
    cr_assert_eq(rig_remount(&r), NBS_OK);
    expect_value(&r, "a", v + 1, 50, 0);
    expect_value(&r, "b", v, 0, NBS_TDB_WRITE_ONCE);
    uint8_t stored[128];
    cr_assert_eq(raw_value(&r, "a", stored, sizeof stored), 51, "flags byte, then the value");
    cr_assert_eq(stored[0], 0);
    cr_assert_eq(raw_value(&r, "b", stored, sizeof stored), 1);
    cr_assert_eq(stored[0], NBS_TDB_WRITE_ONCE);
    cr_assert_eq(nbs_tdb_remove(&r.tdb, "a", 1), NBS_OK);
    cr_assert_eq(nbs_tdb_get(&r.tdb, "a", 1, stored, sizeof stored, NULL, 0), NBS_E_NOT_FOUND);
    cr_assert_eq(nbs_tdb_remove(&r.tdb, "a", 1), NBS_E_NOT_FOUND);
    rig_close(&r);
}

Test(tdb, every_error_path_answers_its_code) {
    rig r;
    rig_open(&r, 8, 256);
    nbs_tdb *t = &r.tdb;
    uint8_t v[300] = {0}, out[300];
    char long_key[NBS_TDB_KEY_MAX + 2];
    memset(long_key, 'k', sizeof long_key);
    nbs_tdb_info info;
    size_t len;
    nbs_tdb other;
    cr_assert_eq(nbs_tdb_init(&other, &r.map, r.buf, r.buf_size - 1, false), NBS_E_WORK_BUFFER);
    cr_assert_eq(nbs_tdb_init(NULL, &r.map, r.buf, r.buf_size, false), NBS_E_INVAL);
    nbs_map unmounted;
    memset(&unmounted, 0, sizeof unmounted);
    cr_assert_eq(nbs_tdb_init(&other, &unmounted, r.buf, r.buf_size, false), NBS_E_NOT_MOUNTED);
    cr_assert_eq(nbs_tdb_set(NULL, "k", 1, v, 1, 0), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_set(t, "k", 0, v, 1, 0), NBS_E_KEY_LEN);
    cr_assert_eq(nbs_tdb_set(t, long_key, NBS_TDB_KEY_MAX + 1, v, 1, 0), NBS_E_KEY_LEN);
    cr_assert_eq(nbs_tdb_set(t, long_key, NBS_TDB_KEY_MAX, v, 1, 0), NBS_OK);
    cr_assert_eq(nbs_tdb_set(t, NULL, 1, v, 1, 0), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_set(t, "k", 1, NULL, 1, 0), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_set(t, "k", 1, v, 1, 2), NBS_E_INVAL, "an unknown flag");
    uint32_t max = nbs_tdb_max_value(&r.cfg.flash, 1);
    cr_assert_gt(max, 200);
    cr_assert_eq(nbs_tdb_max_value(&r.cfg.flash, 0), 0);
    cr_assert_eq(nbs_tdb_set(t, "k", 1, v, max + 1, 0), NBS_E_TOO_BIG);
    cr_assert_eq(nbs_tdb_set(t, "k", 1, v, max, 0), NBS_OK);
    cr_assert_eq(nbs_tdb_get(t, "x", 1, out, sizeof out, &len, 0), NBS_E_NOT_FOUND);
    cr_assert_eq(nbs_tdb_get(t, "k", 1, out, sizeof out, &len, max + 1), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_get(t, "k", 1, NULL, 5, &len, 0), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_get(t, "k", 1, out, sizeof out, &len, max), NBS_OK, "the end: 0 bytes");
    cr_assert_eq(len, 0);
    cr_assert_eq(nbs_tdb_get_info(t, "k", 1, NULL), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_get_info(t, "x", 1, &info), NBS_E_NOT_FOUND);
    cr_assert_eq(nbs_tdb_remove(t, "x", 1), NBS_E_NOT_FOUND);
    cr_assert_eq(nbs_tdb_remove(t, "k", 0), NBS_E_KEY_LEN);
    cr_assert_eq(nbs_tdb_set_add_data(t, v, 1), NBS_E_INVAL, "no set open");
    cr_assert_eq(nbs_tdb_set_finalize(t), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_set_abort(t), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_set_start(t, "k", 1, 10, 4), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_set_start(t, "k", 0, 10, 0), NBS_E_KEY_LEN);
    cr_assert_eq(nbs_tdb_reserved_set(t, v, 0), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_reserved_set(t, v, NBS_TDB_RESERVED_MAX + 1), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_reserved_set(t, NULL, 4), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_reserved_get(t, out, sizeof out, &len), NBS_E_NOT_FOUND);
    nbs_tdb_iter it;
    cr_assert_eq(nbs_tdb_iter_open(t, &it, long_key, NBS_TDB_KEY_MAX + 1), NBS_E_KEY_LEN);
    cr_assert_eq(nbs_tdb_iter_open(t, &it, NULL, 2), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_iter_open(t, NULL, NULL, 0), NBS_E_INVAL);
    cr_assert_eq(nbs_tdb_iter_next(NULL, out, sizeof out, &len), NBS_E_INVAL);
    rig_close(&r);
}

/* TDBStore's forbidden characters, with key_rules; any byte without. */
Test(tdb, key_rules_forbid_tdbstore_characters) {
    rig r;
    rig_open(&r, 8, 256);
    static const char forbidden[] = "*/?:;\\\"|<> ";
    for (const char *c = forbidden; *c; c++) {
        char key[3] = {'a', *c, 'b'};
        cr_assert_eq(nbs_tdb_set(&r.tdb, key, 3, "v", 1, 0), NBS_E_KEY_CHARS, "'%c'", *c);
        cr_assert_eq(nbs_tdb_get(&r.tdb, key, 3, NULL, 0, NULL, 0), NBS_E_KEY_CHARS);
        cr_assert_eq(nbs_tdb_set_start(&r.tdb, key, 3, 5, 0), NBS_E_KEY_CHARS);
    }
    set_text(&r, "a.b-c_d#e", "v", 1, 0);
    nbs_tdb loose;
    cr_assert_eq(nbs_tdb_init(&loose, &r.map, r.buf, r.buf_size, false), NBS_OK);
    cr_assert_eq(nbs_tdb_set(&loose, "a b", 3, "v", 1, 0), NBS_OK, "no key rules: any byte");
    rig_close(&r);
}

/* Write-once: a later set, incremental set or remove is refused and changes nothing; reset
 * removes it. tdb-once-ignored (remove ignores the flag) fails here. */
Test(tdb, write_once_refuses_set_and_remove) {
    rig r;
    rig_open(&r, 8, 256);
    set_text(&r, "root", "abc", 3, NBS_TDB_WRITE_ONCE);
    uint64_t programs = r.rf.programs;
    cr_assert_eq(nbs_tdb_set(&r.tdb, "root", 4, "xyz", 3, 0), NBS_E_WRITE_PROTECTED);
    cr_assert_eq(nbs_tdb_set_start(&r.tdb, "root", 4, 3, 0), NBS_E_WRITE_PROTECTED);
    cr_assert_eq(nbs_tdb_set_start(&r.tdb, "root", 4, 3000, 0), NBS_E_WRITE_PROTECTED);
    cr_assert_eq(nbs_tdb_remove(&r.tdb, "root", 4), NBS_E_WRITE_PROTECTED);
    cr_assert_eq(r.rf.programs, programs, "refusals write nothing");
    expect_value(&r, "root", (const uint8_t *)"abc", 3, NBS_TDB_WRITE_ONCE);
    cr_assert_eq(nbs_tdb_reset(&r.tdb), NBS_OK);
    cr_assert_eq(nbs_tdb_get_info(&r.tdb, "root", 4, &(nbs_tdb_info){0}), NBS_E_NOT_FOUND);
    set_text(&r, "root", "new", 3, 0);
    rig_close(&r);
}

/* Reads from every offset with capacities around the rest: the bytes at that offset. */
Test(tdb, reads_at_every_offset) {
    rig r;
    rig_open(&r, 8, 256);
    uint8_t v[120], out[130];
    fill(v, sizeof v, 3);
    set_text(&r, "k", v, sizeof v, 0);
    for (size_t off = 0; off <= sizeof v; off++)
        for (size_t cap = 0; cap <= sizeof v - off + 1; cap += 7) {
            size_t actual = 999;
            int rc = nbs_tdb_get(&r.tdb, "k", 1, out, cap, &actual, off);
            cr_assert_eq(rc, NBS_OK, "offset %zu: %s", off, nbs_strerror(rc));
            size_t want = sizeof v - off < cap ? sizeof v - off : cap;
            cr_assert_eq(actual, want, "offset %zu cap %zu", off, cap);
            cr_assert(!memcmp(out, v + off, want));
        }
    rig_close(&r);
}

/* ---- incremental sets ---- */

/* A value of more than 64 KiB on 1 KiB pages: chunks of the largest map value, the descriptor
 * of SPEC 9.2, whole and partial reads across chunk borders that read only their chunks,
 * replaced by another such value (the old chunks removed) and by a plain one. */
Test(tdb, a_value_over_64_kib_spans_pages) {
    rig r;
    rig_open(&r, 200, 1024);
    enum { BIG = 70001 };
    uint8_t *v = malloc(BIG), *w = malloc(BIG), *out = malloc(BIG);
    fill(v, BIG, 5);
    fill(w, BIG, 6);
    int rc = set_incrementally(&r, "big", v, BIG, 1000, 0);
    cr_assert_eq(rc, NBS_OK, "set: %s", nbs_strerror(rc));
    uint8_t d[64];
    cr_assert_eq(raw_value(&r, "big", d, sizeof d), 17, "a descriptor");
    cr_assert_eq(d[0], 0x80);
    uint32_t chunk = le32(d + 9), chunks = (BIG + chunk - 1) / chunk;
    cr_assert_eq(le32(d + 5), BIG);
    cr_assert_eq(chunk, nbs_map_max_value(&r.cfg.flash, 9), "each chunk the largest map value");
    cr_assert_eq(count_namespace(&r, 0x02), chunks);
    cr_assert_eq(rig_remount(&r), NBS_OK);
    expect_value(&r, "big", v, BIG, 0);
    /* Partial reads: a few bytes around each chunk border, reading one or two chunks. */
    for (uint32_t border = chunk; border < BIG; border += chunk) {
        size_t actual;
        uint64_t reads = r.rf.reads;
        cr_assert_eq(nbs_tdb_get(&r.tdb, "big", 3, out, 10, &actual, border - 5), NBS_OK);
        cr_assert_eq(actual, 10);
        cr_assert(!memcmp(out, v + border - 5, 10), "at %u", border);
        uint64_t one_border = r.rf.reads - reads;
        reads = r.rf.reads;
        cr_assert_eq(nbs_tdb_get(&r.tdb, "big", 3, out, BIG, &actual, 0), NBS_OK);
        cr_assert_gt(r.rf.reads - reads, one_border * 4, "a partial read reads less");
        if (border > 4 * chunk) break;
    }
    size_t actual;
    cr_assert_eq(nbs_tdb_get(&r.tdb, "big", 3, out, BIG, &actual, BIG - 1), NBS_OK);
    cr_assert_eq(actual, 1);
    cr_assert_eq(out[0], v[BIG - 1]);
    cr_assert_eq(set_incrementally(&r, "big", w, BIG, 4096, NBS_TDB_WRITE_ONCE), NBS_OK);
    cr_assert_eq(count_namespace(&r, 0x02), chunks, "the old chunks removed");
    cr_assert_eq(raw_value(&r, "big", d, sizeof d), 17);
    cr_assert_eq(d[0], 0x81, "write-once, chunked");
    cr_assert_eq(le32(d + 1), 2, "ids given in turn");
    expect_value(&r, "big", w, BIG, NBS_TDB_WRITE_ONCE);
    cr_assert_eq(nbs_tdb_remove(&r.tdb, "big", 3), NBS_E_WRITE_PROTECTED);
    cr_assert_eq(nbs_tdb_reset(&r.tdb), NBS_OK);
    cr_assert_eq(count_namespace(&r, 0x02), 0);
    cr_assert_eq(set_incrementally(&r, "big", v, BIG, 333, 0), NBS_OK);
    set_text(&r, "big", "tiny", 4, 0);
    cr_assert_eq(count_namespace(&r, 0x02), 0, "replaced by a plain value: chunks removed");
    expect_value(&r, "big", (const uint8_t *)"tiny", 4, 0);
    free(v), free(w), free(out);
    rig_close(&r);
}

/* A small incremental set is stored plain, as set() stores it. */
Test(tdb, a_small_incremental_set_is_a_plain_value) {
    rig r;
    rig_open(&r, 8, 256);
    uint8_t v[200], stored[256];
    fill(v, sizeof v, 9);
    cr_assert_eq(set_incrementally(&r, "s", v, sizeof v, 7, NBS_TDB_WRITE_ONCE), NBS_OK);
    cr_assert_eq(raw_value(&r, "s", stored, sizeof stored), sizeof v + 1);
    cr_assert_eq(stored[0], NBS_TDB_WRITE_ONCE);
    expect_value(&r, "s", v, sizeof v, NBS_TDB_WRITE_ONCE);
    cr_assert_eq(count_namespace(&r, 0x03), 0, "no journal for a plain value");
    rig_close(&r);
}

/* While a set is open every other call is NBS_E_BUSY; too many bytes are refused and the set
 * goes on; too few at the finalize end it without a change; an abort leaves no chunk. */
Test(tdb, an_open_set_makes_the_rest_wait) {
    rig r;
    rig_open(&r, 16, 256);
    uint8_t v[1000], out[1000];
    size_t len;
    fill(v, sizeof v, 2);
    set_text(&r, "k", "old", 3, 0);
    cr_assert_eq(nbs_tdb_set_start(&r.tdb, "k", 1, sizeof v, 0), NBS_OK);
    cr_assert_eq(nbs_tdb_set_add_data(&r.tdb, v, 600), NBS_OK);
    nbs_tdb_iter it;
    cr_assert_eq(nbs_tdb_set(&r.tdb, "x", 1, v, 1, 0), NBS_E_BUSY);
    cr_assert_eq(nbs_tdb_get(&r.tdb, "k", 1, out, sizeof out, &len, 0), NBS_E_BUSY);
    cr_assert_eq(nbs_tdb_get_info(&r.tdb, "k", 1, &(nbs_tdb_info){0}), NBS_E_BUSY);
    cr_assert_eq(nbs_tdb_remove(&r.tdb, "k", 1), NBS_E_BUSY);
    cr_assert_eq(nbs_tdb_reset(&r.tdb), NBS_E_BUSY);
    cr_assert_eq(nbs_tdb_set_start(&r.tdb, "y", 1, 5, 0), NBS_E_BUSY);
    cr_assert_eq(nbs_tdb_iter_open(&r.tdb, &it, NULL, 0), NBS_E_BUSY);
    cr_assert_eq(nbs_tdb_reserved_set(&r.tdb, v, 4), NBS_E_BUSY);
    cr_assert_eq(nbs_tdb_reserved_get(&r.tdb, out, sizeof out, &len), NBS_E_BUSY);
    cr_assert_eq(nbs_tdb_set_add_data(&r.tdb, v, 401), NBS_E_INVAL, "past the final size");
    cr_assert_eq(nbs_tdb_set_add_data(&r.tdb, v + 600, 300), NBS_OK, "the set went on");
    cr_assert_eq(nbs_tdb_set_finalize(&r.tdb), NBS_E_INVAL, "100 bytes short");
    expect_value(&r, "k", (const uint8_t *)"old", 3, 0);
    cr_assert_eq(count_namespace(&r, 0x02), 0, "its chunks removed");
    cr_assert_eq(nbs_tdb_set_start(&r.tdb, "k", 1, sizeof v, 0), NBS_OK);
    cr_assert_eq(nbs_tdb_set_add_data(&r.tdb, v, 700), NBS_OK);
    cr_assert_eq(nbs_tdb_set_abort(&r.tdb), NBS_OK);
    expect_value(&r, "k", (const uint8_t *)"old", 3, 0);
    cr_assert_eq(count_namespace(&r, 0x02), 0);
    cr_assert_eq(set_incrementally(&r, "k", v, sizeof v, 1, 0), NBS_OK, "a byte at a time");
    expect_value(&r, "k", v, sizeof v, 0);
    rig_close(&r);
}

/* A set larger than the map's room is refused before anything is written. */
Test(tdb, a_set_beyond_the_room_is_refused_at_once) {
    rig r;
    rig_open(&r, 8, 256);
    uint64_t programs = r.rf.programs;
    cr_assert_eq(nbs_tdb_set_start(&r.tdb, "k", 1, 8 * 256, 0), NBS_E_FULL);
    cr_assert_eq(r.rf.programs, programs);
    rig_close(&r);
}

/* Values the format does not allow read as NBS_E_CORRUPT: an unknown flag bit, a descriptor
 * naming a chunk that is not there, a chunk whose bytes do not match the descriptor's CRC. */
Test(tdb, broken_values_read_corrupt) {
    rig r;
    rig_open(&r, 16, 256);
    uint8_t v[700], out[700], key[10] = {0x01, 'k'};
    size_t len;
    fill(v, sizeof v, 4);
    uint8_t bad_flags[3] = {0x02, 1, 2};
    key[1] = 'b';
    cr_assert_eq(nbs_map_store(&r.map, key, 2, bad_flags, sizeof bad_flags), NBS_OK);
    cr_assert_eq(nbs_tdb_get(&r.tdb, "b", 1, out, sizeof out, &len, 0), NBS_E_CORRUPT);
    cr_assert_eq(nbs_tdb_set(&r.tdb, "b", 1, "v", 1, 0), NBS_E_CORRUPT, "nothing written over");
    cr_assert_eq(set_incrementally(&r, "k", v, sizeof v, 100, 0), NBS_OK);
    uint8_t d[17];
    cr_assert_eq(raw_value(&r, "k", d, sizeof d), 17);
    uint8_t chunk_key[9] = {0x02};
    memcpy(chunk_key + 1, d + 1, 4); /* the id, chunk 0 */
    uint8_t chunk[300];
    size_t chunk_len;
    cr_assert_eq(nbs_map_fetch(&r.map, chunk_key, 9, chunk, sizeof chunk, &chunk_len), NBS_OK);
    chunk[3] ^= 1;
    cr_assert_eq(nbs_map_store(&r.map, chunk_key, 9, chunk, chunk_len), NBS_OK);
    cr_assert_eq(nbs_tdb_get(&r.tdb, "k", 1, out, sizeof out, &len, 0), NBS_E_CORRUPT);
    cr_assert_eq(nbs_tdb_get(&r.tdb, "k", 1, out, 10, &len, 0), NBS_OK, "a part: no CRC");
    chunk_key[5] = 2; /* chunk 2 */
    cr_assert_eq(nbs_map_remove(&r.map, chunk_key, 9), NBS_OK);
    cr_assert_eq(nbs_tdb_get(&r.tdb, "k", 1, out, 10, &len, 600), NBS_E_CORRUPT);
    rig_close(&r);
}

/* Chunk counts read from flash are bounded before any loop runs over them: a descriptor whose
 * chunk size is not the geometry's, or whose size is larger than the flash, and a journal naming
 * more chunks than the flash holds read NBS_E_CORRUPT (unchecked, a remove or an init would walk
 * up to 2^32 chunk removals). */
Test(tdb, chunk_counts_from_flash_are_bounded) {
    rig r;
    rig_open(&r, 16, 256);
    uint8_t key[2] = {0x01, 'c'}, d[17] = {0x80, 7, 0, 0, 0};
    nbs_tdb_info info;
    uint8_t v[600];
    fill(v, sizeof v, 2);
    cr_assert_eq(set_incrementally(&r, "g", v, sizeof v, 600, 0), NBS_OK);
    uint8_t good[17];
    cr_assert_eq(raw_value(&r, "g", good, sizeof good), 17);
    uint32_t chunk = le32(good + 9);
    put_le32(d + 5, 0xFFFFFFFFu); /* size */
    put_le32(d + 9, 1);           /* a chunk size the geometry never writes */
    cr_assert_eq(nbs_map_store(&r.map, key, 2, d, sizeof d), NBS_OK);
    cr_assert_eq(nbs_tdb_get_info(&r.tdb, "c", 1, &info), NBS_E_CORRUPT, "chunk size 1");
    cr_assert_eq(nbs_tdb_remove(&r.tdb, "c", 1), NBS_E_CORRUPT);
    put_le32(d + 9, chunk); /* the geometry's chunk size, a size beyond the flash */
    cr_assert_eq(nbs_map_store(&r.map, key, 2, d, sizeof d), NBS_OK);
    cr_assert_eq(nbs_tdb_get_info(&r.tdb, "c", 1, &info), NBS_E_CORRUPT, "size past the flash");
    cr_assert_eq(nbs_map_remove(&r.map, key, 2), NBS_OK);
    uint8_t journal[23] = {1, 9, 0, 0, 0, 0, 0, 0, 0, 0,    0,  0,
                           0, 9, 0, 0, 0, 0, 0, 0, 0, 0x01, 'g'};
    put_le32(journal + 17, 100000); /* old chunks: more than 16 pages of 256 bytes hold */
    uint8_t journal_key = 0x03;
    cr_assert_eq(nbs_map_store(&r.map, &journal_key, 1, journal, sizeof journal), NBS_OK);
    cr_assert_eq(rig_remount(&r), NBS_E_CORRUPT, "a journal's count past the flash");
    put_le32(journal + 17, 3);
    cr_assert_eq(nbs_map_store(&r.map, &journal_key, 1, journal, sizeof journal), NBS_OK);
    cr_assert_eq(rig_remount(&r), NBS_OK, "a count the flash can hold settles");
    expect_value(&r, "g", v, sizeof v, 0);
    rig_close(&r);
}

/* A journal left open that cannot be finished, because the value it names reads NBS_E_CORRUPT
 * (a descriptor whose chunk size the geometry never writes) or because it does itself (an
 * unknown state): init and every write answer NBS_E_CORRUPT, except reset, which writes its own
 * journal over it and brings the store back to empty; the next init is clean. */
Test(tdb, reset_empties_a_store_whose_journal_cannot_be_finished) {
    uint8_t journals[2][23] = {
        {1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 2, 0, 0, 0, 0x01, 'c'},
        {9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 'c'}};
    for (int bad = 0; bad < 2; bad++) {
        rig r;
        rig_open(&r, 16, 256);
        set_text(&r, "k", "kept", 4, 0);
        uint8_t v[600];
        fill(v, sizeof v, 3);
        cr_assert_eq(set_incrementally(&r, "g", v, sizeof v, 600, 0), NBS_OK);
        uint8_t key[2] = {0x01, 'c'}, d[17] = {0x80, 7, 0, 0, 0}, journal_key = 0x03;
        put_le32(d + 5, 600);
        put_le32(d + 9, 1); /* a chunk size the geometry never writes */
        cr_assert_eq(nbs_map_store(&r.map, key, 2, d, sizeof d), NBS_OK);
        cr_assert_eq(nbs_map_store(&r.map, &journal_key, 1, journals[bad], 23), NBS_OK);
        cr_assert_eq(rig_remount(&r), NBS_E_CORRUPT, "journal %d: it cannot be finished", bad);
        cr_assert_eq(nbs_tdb_set(&r.tdb, "n", 1, "x", 1, 0), NBS_E_CORRUPT);
        cr_assert_eq(nbs_tdb_reset(&r.tdb), NBS_OK, "journal %d: reset", bad);
        cr_assert_eq(count_namespace(&r, 0x01), 0, "journal %d: every key removed", bad);
        cr_assert_eq(count_namespace(&r, 0x02), 0, "journal %d: every chunk removed", bad);
        uint8_t stored[64];
        size_t len;
        cr_assert_eq(nbs_map_fetch(&r.map, &journal_key, 1, stored, sizeof stored, &len), NBS_OK);
        cr_assert(len == 21 && stored[0] == 0, "journal %d: closed", bad);
        cr_assert_eq(rig_remount(&r), NBS_OK, "journal %d: the next init", bad);
        set_text(&r, "n", "x", 1, 0);
        expect_value(&r, "n", (const uint8_t *)"x", 1, 0);
        rig_close(&r);
    }
}

/* ---- recovery ---- */

/* What a cut leaves, set up by hand: a REPLACE journal naming chunks of a value never committed
 * (id 5) beside the key's committed value. An init on the map mounted read-only writes nothing
 * and reads right; a read-write one removes them, closes the journal, keeps the last id, and the
 * next chunked set takes id 6. */
Test(tdb, init_removes_the_chunks_of_an_unfinished_set) {
    rig r;
    rig_open(&r, 16, 256);
    set_text(&r, "k", "kept", 4, 0);
    uint8_t chunk_key[9] = {0x02, 5, 0, 0, 0}, bytes[50] = {0};
    for (uint8_t i = 0; i < 3; i++) {
        chunk_key[5] = i;
        cr_assert_eq(nbs_map_store(&r.map, chunk_key, 9, bytes, sizeof bytes), NBS_OK);
    }
    uint8_t journal[23] = {1, 5, 0, 0, 0, 5, 0, 0, 0, 3,    0,  0,
                           0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 'k'};
    uint8_t journal_key = 0x03;
    cr_assert_eq(nbs_map_store(&r.map, &journal_key, 1, journal, sizeof journal), NBS_OK);
    r.cfg.read_only = true; /* a read-only map: init writes nothing, reads are right */
    uint64_t programs = r.rf.programs, erases = r.rf.erases;
    cr_assert_eq(rig_remount(&r), NBS_OK);
    cr_assert_eq(r.rf.programs, programs);
    cr_assert_eq(r.rf.erases, erases);
    cr_assert_eq(count_namespace(&r, 0x02), 3, "left for a read-write init");
    expect_value(&r, "k", (const uint8_t *)"kept", 4, 0);
    cr_assert_eq(nbs_tdb_set(&r.tdb, "k", 1, "x", 1, 0), NBS_E_READ_ONLY);
    r.cfg.read_only = false;
    cr_assert_eq(rig_remount(&r), NBS_OK);
    cr_assert_eq(count_namespace(&r, 0x02), 0, "the orphans removed");
    uint8_t stored[64];
    size_t len;
    cr_assert_eq(nbs_map_fetch(&r.map, &journal_key, 1, stored, sizeof stored, &len), NBS_OK);
    cr_assert_eq(len, 21, "closed: the head alone");
    cr_assert_eq(stored[0], 0);
    cr_assert_eq(le32(stored + 1), 5, "the last id kept");
    expect_value(&r, "k", (const uint8_t *)"kept", 4, 0);
    uint8_t v[600];
    fill(v, sizeof v, 8);
    cr_assert_eq(set_incrementally(&r, "k", v, sizeof v, 600, 0), NBS_OK);
    cr_assert_eq(raw_value(&r, "k", stored, sizeof stored), 17);
    cr_assert_eq(le32(stored + 1), 6, "ids never reused");
    rig_close(&r);
}

/* After a cut: the key holds `a` (len_a bytes) or `b`, and every chunk left in the map belongs
 * to that value (none orphaned); `which` says which one. */
static void expect_old_or_new(rig *r, const char *what, const uint8_t *a, size_t len_a,
                              const uint8_t *b, size_t len_b, int *which) {
    static uint8_t out[4096];
    size_t len = 0;
    int rc = nbs_tdb_get(&r->tdb, "k", 1, out, sizeof out, &len, 0);
    if (rc == NBS_E_NOT_FOUND && (!a || !b)) {
        *which = a ? 1 : 0;
    } else {
        cr_assert_eq(rc, NBS_OK, "%s: get: %s", what, nbs_strerror(rc));
        bool is_a = a && len == len_a && !memcmp(out, a, len);
        bool is_b = b && len == len_b && !memcmp(out, b, len);
        cr_assert(is_a || is_b, "%s: %zu bytes, neither the old value nor the new", what, len);
        *which = is_a ? 0 : 1;
    }
    uint32_t chunk = nbs_map_max_value(&r->cfg.flash, 9);
    const uint8_t *now = *which ? b : a;
    size_t now_len = *which ? len_b : len_a;
    uint32_t want = now && now_len > nbs_tdb_max_value(&r->cfg.flash, 1)
                        ? (uint32_t)((now_len + chunk - 1) / chunk)
                        : 0;
    cr_assert_eq(count_namespace(r, 0x02), want, "%s: chunks no value names", what);
}

typedef enum cut_op { CUT_SET_BIG, CUT_SET_PLAIN, CUT_REMOVE, CUT_RESET } cut_op;

/* One trial: a chunked value at "k" (and a plain "p", the reserved area), then `op` with a cut
 * after `at` flash operations in `mode`; then power on, remount, init and check. Returns false
 * once the operation ran to its end before the cut. */
static bool cut_trial(cut_op op, long at, ram_torn mode) {
    static uint8_t old_v[700], new_v[900];
    fill(old_v, sizeof old_v, 11);
    fill(new_v, sizeof new_v, 12);
    char what[64];
    snprintf(what, sizeof what, "op %d, mode %d, cut at %ld", (int)op, (int)mode, at);
    rig r;
    rig_open(&r, 24, 256);
    cr_assert_eq(nbs_tdb_reserved_set(&r.tdb, "rot", 3), NBS_OK);
    set_text(&r, "p", "plain", 5, 0);
    cr_assert_eq(set_incrementally(&r, "k", old_v, sizeof old_v, 100, 0), NBS_OK);
    ram_flash_arm_cut(&r.rf, at, mode);
    int rc = NBS_OK;
    const uint8_t *after = NULL;
    size_t after_len = 0;
    switch (op) {
    case CUT_SET_BIG:
        rc = set_incrementally(&r, "k", new_v, sizeof new_v, 250, 0);
        after = new_v, after_len = sizeof new_v;
        break;
    case CUT_SET_PLAIN:
        rc = nbs_tdb_set(&r.tdb, "k", 1, new_v, 30, 0);
        after = new_v, after_len = 30;
        break;
    case CUT_REMOVE: rc = nbs_tdb_remove(&r.tdb, "k", 1); break;
    case CUT_RESET: rc = nbs_tdb_reset(&r.tdb); break;
    }
    bool cut = !r.rf.powered;
    ram_flash_power_on(&r.rf);
    if (!cut) {
        cr_assert_eq(rc, NBS_OK, "%s: %s", what, nbs_strerror(rc));
        rig_close(&r);
        return false;
    }
    rc = rig_remount(&r);
    cr_assert_eq(rc, NBS_OK, "%s: mount and init: %s", what, nbs_strerror(rc));
    int which;
    expect_old_or_new(&r, what, old_v, sizeof old_v, after, after_len, &which);
    uint8_t rot[8];
    size_t len;
    cr_assert_eq(nbs_tdb_reserved_get(&r.tdb, rot, sizeof rot, &len), NBS_OK, "%s", what);
    cr_assert(len == 3 && !memcmp(rot, "rot", 3), "%s: the reserved area", what);
    uint8_t p[8];
    rc = nbs_tdb_get(&r.tdb, "p", 1, p, sizeof p, &len, 0);
    if (op == CUT_RESET)
        cr_assert_eq(rc, which ? NBS_E_NOT_FOUND : NBS_OK, "%s: a reset is all or nothing", what);
    else
        cr_assert_eq(rc, NBS_OK, "%s: p: %s", what, nbs_strerror(rc));
    /* The answer holds at the next mount, and the store takes writes. */
    cr_assert_eq(rig_remount(&r), NBS_OK);
    int again;
    expect_old_or_new(&r, what, old_v, sizeof old_v, after, after_len, &again);
    cr_assert_eq(again, which, "%s: the outcome flipped", what);
    cr_assert_eq(set_incrementally(&r, "k", new_v, sizeof new_v, 900, 0), NBS_OK, "%s", what);
    expect_value(&r, "k", new_v, sizeof new_v, 0);
    rig_close(&r);
    return true;
}

/* A cut at every flash operation of an incremental set replacing a chunked value, in each torn
 * mode: after init the old value or the new, no orphan chunk. tdb-descriptor-first fails here
 * (a cut after its descriptor names a last chunk never written). */
Test(tdb, cut_anywhere_in_an_incremental_set_leaves_old_or_new) {
    static const ram_torn modes[] = {RAM_TORN_NONE, RAM_TORN_PREFIX, RAM_TORN_BITS, RAM_TORN_WEAK};
    for (size_t m = 0; m < sizeof modes / sizeof *modes; m++)
        for (long at = 0; cut_trial(CUT_SET_BIG, at, modes[m]); at++) continue;
}

/* The same for a plain set over a chunked value, its removal and a reset. */
Test(tdb, cut_anywhere_in_a_replace_remove_or_reset) {
    static const ram_torn modes[] = {RAM_TORN_NONE, RAM_TORN_BITS};
    static const cut_op ops[] = {CUT_SET_PLAIN, CUT_REMOVE, CUT_RESET};
    for (size_t o = 0; o < 3; o++)
        for (size_t m = 0; m < 2; m++)
            for (long at = 0; cut_trial(ops[o], at, modes[m]); at++) continue;
}

/* ---- iterators ---- */

/* Every key with the prefix once, nothing of the other namespaces; a buffer too small keeps
 * the place; reads keep an iterator valid, any write makes its next step NBS_E_ITER_STALE. */
Test(tdb, iterators_list_a_prefix_and_go_stale_on_writes) {
    rig r;
    rig_open(&r, 16, 256);
    static const char *keys[] = {"app/a", "app/b", "app/c", "sys", "ap"};
    nbs_tdb loose;
    cr_assert_eq(nbs_tdb_init(&loose, &r.map, r.buf, r.buf_size, false), NBS_OK);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(nbs_tdb_set(&loose, keys[i], strlen(keys[i]), "v", 1, 0), NBS_OK);
    uint8_t big[600] = {0};
    cr_assert_eq(set_incrementally(&r, "app-big", big, sizeof big, 600, 0), NBS_OK);
    cr_assert_eq(nbs_tdb_reserved_set(&r.tdb, "r", 1), NBS_OK);
    nbs_tdb_iter it;
    cr_assert_eq(nbs_tdb_iter_open(&loose, &it, "app", 3), NBS_OK);
    char key[NBS_TDB_KEY_MAX];
    size_t len;
    unsigned seen = 0;
    int rc;
    cr_assert_eq(nbs_tdb_iter_next(&it, key, 2, &len), NBS_E_BUFFER_TOO_SMALL);
    cr_assert(len == 5 || len == 7, "the size needed, not %zu", len);
    while ((rc = nbs_tdb_iter_next(&it, key, sizeof key, &len)) == NBS_OK) {
        size_t info_len;
        cr_assert_eq(nbs_tdb_get(&loose, key, len, big, sizeof big, &info_len, 0), NBS_OK);
        unsigned bit = 0;
        if (len == 7 && !memcmp(key, "app-big", 7)) bit = 8;
        for (int i = 0; i < 3; i++)
            if (len == 5 && !memcmp(key, keys[i], 5)) bit = 1u << i;
        cr_assert(bit && !(seen & bit), "%.*s unexpected or twice", (int)len, key);
        seen |= bit;
    }
    cr_assert_eq(rc, NBS_E_END);
    cr_assert_eq(seen, 15);
    cr_assert_eq(nbs_tdb_iter_next(&it, key, sizeof key, &len), NBS_E_END);
    /* Each write makes an open iterator stale: the tdb's calls and the map's own. */
    for (int w = 0; w < 6; w++) {
        cr_assert_eq(nbs_tdb_set(&loose, "sys", 3, "v", 1, 0), NBS_OK);
        cr_assert_eq(nbs_tdb_iter_open(&loose, &it, NULL, 0), NBS_OK);
        cr_assert_eq(nbs_tdb_iter_next(&it, key, sizeof key, &len), NBS_OK);
        nbs_map_txn txn;
        uint8_t stage[256];
        switch (w) {
        case 0: cr_assert_eq(nbs_tdb_set(&loose, "sys", 3, "w", 1, 0), NBS_OK); break;
        case 1: cr_assert_eq(nbs_tdb_remove(&loose, "ap", 2), NBS_OK); break;
        case 2: cr_assert_eq(set_incrementally(&r, "big2", big, 500, 500, 0), NBS_OK); break;
        case 3:
            cr_assert_eq(nbs_map_txn_begin(&r.map, &txn, stage, sizeof stage), NBS_OK);
            cr_assert_eq(nbs_map_txn_store(&txn, "zz", 2, "1", 1), NBS_OK);
            cr_assert_eq(nbs_map_txn_commit(&txn), NBS_OK);
            break;
        case 4: cr_assert_eq(nbs_tdb_reset(&loose), NBS_OK); break;
        case 5: cr_assert_eq(nbs_map_erase_all(&r.map), NBS_OK); break;
        }
        cr_assert_eq(nbs_tdb_iter_next(&it, key, sizeof key, &len), NBS_E_ITER_STALE, "w %d", w);
        cr_assert_eq(nbs_tdb_iter_next(&it, key, sizeof key, &len), NBS_E_ITER_STALE);
    }
    /* Refused calls and reads write nothing: the iterator goes on. */
    cr_assert_eq(nbs_tdb_set(&loose, "a", 1, "v", 1, 0), NBS_OK);
    cr_assert_eq(nbs_tdb_set(&loose, "b", 1, "v", 1, NBS_TDB_WRITE_ONCE), NBS_OK);
    cr_assert_eq(nbs_tdb_iter_open(&loose, &it, NULL, 0), NBS_OK);
    cr_assert_eq(nbs_tdb_iter_next(&it, key, sizeof key, &len), NBS_OK);
    cr_assert_eq(nbs_tdb_remove(&loose, "b", 1), NBS_E_WRITE_PROTECTED);
    cr_assert_eq(nbs_tdb_remove(&loose, "x", 1), NBS_E_NOT_FOUND);
    cr_assert_eq(nbs_tdb_get_info(&loose, "a", 1, &(nbs_tdb_info){0}), NBS_OK);
    cr_assert_eq(nbs_tdb_iter_next(&it, key, sizeof key, &len), NBS_OK);
    cr_assert_eq(nbs_tdb_iter_next(&it, key, sizeof key, &len), NBS_E_END);
    rig_close(&r);
}

/* ---- the reserved area ---- */

/* Set once (a second set is refused), kept by reset and by the GC rounds that many writes
 * cause, across remounts. */
Test(tdb, the_reserved_area_is_write_once_and_survives_reset_and_gc) {
    rig r;
    rig_open(&r, 6, 256);
    uint8_t rot[NBS_TDB_RESERVED_MAX], out[NBS_TDB_RESERVED_MAX];
    size_t len;
    fill(rot, sizeof rot, 13);
    cr_assert_eq(nbs_tdb_reserved_set(&r.tdb, rot, sizeof rot), NBS_OK);
    cr_assert_eq(nbs_tdb_reserved_set(&r.tdb, rot, 4), NBS_E_WRITE_PROTECTED);
    cr_assert_eq(nbs_tdb_reserved_get(&r.tdb, out, 10, &len), NBS_E_BUFFER_TOO_SMALL);
    cr_assert_eq(len, sizeof rot);
    uint8_t v[100];
    uint32_t erases = 0;
    for (unsigned i = 0; i < 200; i++) {
        char key[8];
        snprintf(key, sizeof key, "k%u", i % 5);
        fill(v, sizeof v, i);
        set_text(&r, key, v, sizeof v, 0);
    }
    for (uint32_t p = 0; p < r.rf.pages; p++) erases += r.rf.erase_counts[p];
    cr_assert_gt(erases, 12, "the writes went round the ring: GC ran");
    cr_assert_eq(nbs_tdb_reset(&r.tdb), NBS_OK);
    cr_assert_eq(rig_remount(&r), NBS_OK);
    cr_assert_eq(nbs_tdb_get_info(&r.tdb, "k1", 2, &(nbs_tdb_info){0}), NBS_E_NOT_FOUND);
    cr_assert_eq(nbs_tdb_reserved_get(&r.tdb, out, sizeof out, &len), NBS_OK);
    cr_assert_eq(len, sizeof rot);
    cr_assert(!memcmp(out, rot, len));
    cr_assert_eq(nbs_tdb_reserved_set(&r.tdb, rot, 4), NBS_E_WRITE_PROTECTED);
    rig_close(&r);
}
