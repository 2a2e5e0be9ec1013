/* The file system (nbs_fs.h) on the RAM flash: every call's success and error paths (each of the
 * file system's error codes, and NOT_FOUND, FULL, TOO_BIG, CORRUPT where they apply), the path
 * rules, handles that follow a move and answer NOT_FOUND after a delete, scans that go stale,
 * the on-flash form of SPEC 12 read back through the map, init's clean-up of what a cut left
 * (and a read-only init that writes nothing), and a power cut at every flash operation of a
 * sequence (create, a write across blocks, an overwrite in the middle, a shrink, a grow, a
 * directory's move, a delete): after init the tree and each file are the old ones or the new,
 * never a mix, and the map holds no key the tree does not need. Needs only the RAM flash and
 * the engine, so that it also links with the broken engines fs-inode-first and
 * fs-move-two-steps (tests' CMakeLists: each fails the cut loop). */
#include "nbs.h"
#include "nbs_fs.h"
#include "ram_flash.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rig {
    ram_flash rf;
    nbs_config cfg;
    nbs_map map;
    nbs_fs fs;
    uint8_t work[1024];
    uint8_t *buf;
    size_t buf_size;
} rig;

/* Mounts the map and binds the file system as after a reboot (RAM state garbage first). */
static int rig_remount(rig *r) {
    memset(&r->map, 0xA5, sizeof r->map);
    memset(&r->fs, 0xA5, sizeof r->fs);
    int rc = nbs_map_mount(&r->map, &r->cfg);
    return rc ? rc : nbs_fs_init(&r->fs, &r->map, r->buf, r->buf_size);
}

/* A RAM flash of this geometry (write unit W, programs a unit takes between erases), the map
 * mounted and the file system bound. */
static void rig_open_as(rig *r, uint32_t pages, uint32_t page_size, uint32_t unit,
                        uint8_t programs) {
    cr_assert_eq(ram_flash_init(&r->rf, pages, page_size, unit, 0xFF, 7), 0);
    r->rf.programs_per_unit = programs;
    memset(&r->cfg, 0, sizeof r->cfg);
    r->cfg.flash = ram_flash_bind(&r->rf);
    r->cfg.work = r->work;
    r->cfg.work_size = sizeof r->work;
    r->buf_size = nbs_fs_buffer_bytes(&r->cfg.flash);
    cr_assert(r->buf_size > 0);
    r->buf = malloc(r->buf_size);
    cr_assert(r->buf);
    int rc = rig_remount(r);
    cr_assert_eq(rc, NBS_OK, "mount and init: %s", nbs_strerror(rc));
}

static void rig_open(rig *r, uint32_t pages, uint32_t page_size) {
    rig_open_as(r, pages, page_size, 1, 1);
}

static void rig_close(rig *r) {
    free(r->buf);
    ram_flash_free(&r->rf);
}

/* Bytes that differ by `seed` and by position. */
static void fill(uint8_t *v, size_t len, unsigned seed) {
    for (size_t i = 0; i < len; i++) v[i] = (uint8_t)(i * 31u + seed * 7u + (i >> 8) + 1);
}

#define OK(call)                                                                                   \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        cr_assert_eq(rc_, NBS_OK, "%s: %s", #call, nbs_strerror(rc_));                             \
    } while (0)
#define FAILS(call, err)                                                                           \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        cr_assert_eq(rc_, (err), "%s: %s, not %s", #call, nbs_strerror(rc_), nbs_strerror(err));   \
    } while (0)

/* Writes `len` bytes at `offset` of `path` (created when missing). */
static void put_file(rig *r, const char *path, uint32_t offset, const uint8_t *data, size_t len) {
    nbs_fs_file f;
    int rc = nbs_fs_open(&r->fs, NULL, path, NBS_FS_R_PLUS, &f);
    if (rc == NBS_E_NOT_FOUND) rc = nbs_fs_open(&r->fs, NULL, path, NBS_FS_W_PLUS, &f);
    cr_assert_eq(rc, NBS_OK, "open %s: %s", path, nbs_strerror(rc));
    rc = nbs_fs_write(&f, offset, data, len);
    cr_assert_eq(rc, NBS_OK, "write %s: %s", path, nbs_strerror(rc));
    nbs_fs_close(&f);
}

/* The whole content of file `path` equals `want` (len bytes). */
static void expect_file(rig *r, const char *path, const uint8_t *want, size_t len) {
    nbs_fs_file f;
    OK(nbs_fs_open(&r->fs, NULL, path, NBS_FS_R, &f));
    uint8_t *got = malloc(len + 16);
    size_t actual = 99;
    int rc = nbs_fs_read(&f, 0, got, len + 16, &actual);
    cr_assert_eq(rc, NBS_OK, "read %s: %s", path, nbs_strerror(rc));
    cr_assert_eq(actual, len, "read %s: %zu bytes, not %zu", path, actual, len);
    cr_assert(!memcmp(got, want, len), "read %s: other bytes", path);
    nbs_fs_status st;
    OK(nbs_fs_status_of(&r->fs, NULL, path, &st));
    cr_assert_eq(st.type, NBS_FS_FILE);
    cr_assert_eq(st.size, len);
    free(got);
    nbs_fs_close(&f);
}

static nbs_fs_type type_of(rig *r, const char *path) {
    nbs_fs_status st = {.type = 99};
    OK(nbs_fs_status_of(&r->fs, NULL, path, &st));
    return st.type;
}

/* The map's keys by namespace (SPEC 12.1): records, entries, blocks, others; and the block ids
 * the file records' tables name (non-zero). */
typedef struct map_count {
    uint32_t records, entries, blocks, others, named_blocks;
} map_count;

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void put_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static map_count count_map(rig *r) {
    static uint8_t value[8192];
    map_count c = {0};
    nbs_map_iter it;
    nbs_map_iter_init(&r->map, &it);
    uint8_t key[NBS_KEY_MAX];
    size_t key_len, value_len;
    int rc;
    while ((rc = nbs_map_iter_next(&it, key, sizeof key, &key_len, value, sizeof value,
                                   &value_len)) == NBS_OK) {
        if (key[0] == 0x11) {
            c.records++;
            if (value[0] == 1) { /* a file: type, flags, size, n, n ids, t, t ids */
                uint32_t n = le32(value + 6);
                for (uint32_t i = 0; i < n; i++) c.named_blocks += le32(value + 10 + 4 * i) != 0;
            }
        } else if (key[0] == 0x12) {
            c.entries++;
        } else if (key[0] == 0x13) {
            c.blocks++;
        } else {
            c.others++;
        }
    }
    cr_assert_eq(rc, NBS_E_END, "map iteration: %s", nbs_strerror(rc));
    return c;
}

/* No orphan: a record per file and directory, an entry per path, and exactly the blocks the
 * tables name (every one present: a table naming a missing one fails the reads). */
static void expect_no_orphan(rig *r, const char *what, uint32_t paths, uint32_t links) {
    map_count c = count_map(r);
    cr_assert_eq(c.others, 0, "%s: keys of no namespace", what);
    cr_assert_eq(c.entries, paths, "%s: %u entries for %u paths", what, c.entries, paths);
    cr_assert_eq(c.records, paths - links, "%s: %u records for %u files and directories", what,
                 c.records, paths - links);
    cr_assert_eq(c.blocks, c.named_blocks, "%s: %u blocks, the tables name %u", what, c.blocks,
                 c.named_blocks);
}

/* ---- geometry, binding ---- */

Test(fs, geometry_and_binding) {
    rig r;
    rig_open(&r, 16, 512);
    uint32_t b = r.fs.block_bytes;
    cr_assert(b >= 64 && (b & (b - 1)) == 0, "block size %u: a power of two, at least 64", b);
    cr_assert_eq(nbs_fs_max_file(&r.fs), r.fs.max_blocks * b);
    cr_assert(r.fs.max_blocks >= 8);
    /* The record of a full file, table and trash, fits one map value. */
    cr_assert(14 + 8 * r.fs.max_blocks <= nbs_map_max_value(&r.cfg.flash, 5));
    nbs_fs other;
    FAILS(nbs_fs_init(&other, &r.map, r.buf, r.buf_size - 1), NBS_E_WORK_BUFFER);
    FAILS(nbs_fs_init(NULL, &r.map, r.buf, r.buf_size), NBS_E_INVAL);
    FAILS(nbs_fs_init(&other, &r.map, NULL, r.buf_size), NBS_E_INVAL);
    nbs_map unmounted = {0};
    FAILS(nbs_fs_init(&other, &unmounted, r.buf, r.buf_size), NBS_E_NOT_MOUNTED);
    /* An empty map is an empty file system: the root exists and holds nothing. */
    nbs_fs_status st;
    OK(nbs_fs_status_of(&r.fs, NULL, "", &st));
    cr_assert_eq(st.type, NBS_FS_DIR);
    cr_assert_eq(st.size, 0);
    nbs_fs_scan scan;
    OK(nbs_fs_scan_open(&r.fs, NULL, "", &scan));
    char name[8];
    size_t len;
    FAILS(nbs_fs_scan_next(&scan, name, sizeof name, &len, NULL), NBS_E_END);
    rig_close(&r);
}

/* nrf52840's 4 KiB pages: 512-byte blocks, so a 4 KiB-aligned 4 KiB write stores whole blocks;
 * a file as large as its record allows (a 100 KiB one fits), or as the range holds. */
Test(fs, block_size_and_largest_file) {
    rig r;
    rig_open(&r, 64, 4096);
    cr_assert_eq(r.fs.block_bytes, 512);
    cr_assert(nbs_fs_max_file(&r.fs) >= 100 * 1024, "a 100 KiB file fits: %u",
              nbs_fs_max_file(&r.fs));
    cr_assert(nbs_fs_max_file(&r.fs) < 64 * 4096, "the record's limit, not the range's");
    rig_close(&r);
    rig_open(&r, 8, 4096);
    cr_assert_eq(nbs_fs_max_file(&r.fs), 8 * 4096, "no more blocks than the range holds");
    rig_close(&r);
}

/* ---- paths ---- */

Test(fs, path_rules) {
    rig r;
    rig_open(&r, 16, 512);
    static const char *bad[] = {"/a", "a/", "a//b", ".", "..", "a/./b", "a/..", "/", "//"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        FAILS(nbs_fs_mkdir(&r.fs, NULL, bad[i]), NBS_E_FS_PATH);
        nbs_fs_status st;
        FAILS(nbs_fs_status_of(&r.fs, NULL, bad[i], &st), NBS_E_FS_PATH);
        nbs_fs_file f;
        FAILS(nbs_fs_open(&r.fs, NULL, bad[i], NBS_FS_W, &f), NBS_E_FS_PATH);
    }
    char longest[NBS_FS_NAME_MAX + 2];
    memset(longest, 'n', sizeof longest);
    longest[NBS_FS_NAME_MAX + 1] = 0;
    FAILS(nbs_fs_mkdir(&r.fs, NULL, longest), NBS_E_FS_PATH);
    longest[NBS_FS_NAME_MAX] = 0;
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, longest), 1, "a name of NBS_FS_NAME_MAX bytes");
    cr_assert_eq(type_of(&r, longest), NBS_FS_DIR);
    /* Names may hold any byte but 0 and "/": dots within, spaces. */
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "...a b.c"), 1);
    FAILS(nbs_fs_mkdir(&r.fs, NULL, NULL), NBS_E_INVAL);
    rig_close(&r);
}

/* ---- directories ---- */

Test(fs, mkdir_results) {
    rig r;
    rig_open(&r, 16, 512);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "a"), 1);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "a"), 0, "exists: false, nothing changes");
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "a/b"), 1);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, ""), 0, "the root exists");
    FAILS(nbs_fs_mkdir(&r.fs, NULL, "x/y"), NBS_E_NOT_FOUND);
    put_file(&r, "a/f", 0, (const uint8_t *)"hi", 2);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "a/f"), 0, "a file there: false");
    FAILS(nbs_fs_mkdir(&r.fs, NULL, "a/f/g"), NBS_E_FS_NOT_DIR);
    OK(nbs_fs_link(&r.fs, NULL, "l", "a"));
    FAILS(nbs_fs_mkdir(&r.fs, NULL, "l/g"), NBS_E_FS_NOT_DIR); /* links are not followed */
    /* From a directory handle. */
    nbs_fs_dir a;
    OK(nbs_fs_dir_open(&r.fs, NULL, "a", &a));
    cr_assert_eq(nbs_fs_mkdir(&r.fs, &a, "c"), 1);
    cr_assert_eq(type_of(&r, "a/c"), NBS_FS_DIR);
    nbs_fs_dir bad;
    FAILS(nbs_fs_dir_open(&r.fs, NULL, "a/f", &bad), NBS_E_FS_NOT_DIR);
    FAILS(nbs_fs_dir_open(&r.fs, NULL, "l", &bad), NBS_E_FS_NOT_DIR);
    FAILS(nbs_fs_dir_open(&r.fs, NULL, "zz", &bad), NBS_E_NOT_FOUND);
    nbs_fs_dir_close(&a);
    FAILS(nbs_fs_mkdir(&r.fs, &a, "d"), NBS_E_FS_CLOSED);
    cr_assert_eq(rig_remount(&r), NBS_OK);
    cr_assert_eq(type_of(&r, "a/b"), NBS_FS_DIR);
    cr_assert_eq(type_of(&r, "a/c"), NBS_FS_DIR);
    expect_no_orphan(&r, "mkdir", 5, 1);
    rig_close(&r);
}

Test(fs, status_of_each_kind) {
    rig r;
    rig_open(&r, 16, 512);
    uint8_t v[300];
    fill(v, sizeof v, 1);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "d"), 1);
    put_file(&r, "d/f", 0, v, sizeof v);
    OK(nbs_fs_link(&r.fs, NULL, "l", "d/f"));
    nbs_fs_status st;
    OK(nbs_fs_status_of(&r.fs, NULL, "d/f", &st));
    cr_assert(st.type == NBS_FS_FILE && st.size == 300);
    OK(nbs_fs_status_of(&r.fs, NULL, "d", &st));
    cr_assert(st.type == NBS_FS_DIR && st.size == 0);
    OK(nbs_fs_status_of(&r.fs, NULL, "l", &st));
    cr_assert(st.type == NBS_FS_LINK && st.size == 3);
    OK(nbs_fs_status_of(&r.fs, NULL, "d/none", &st));
    cr_assert(st.type == NBS_FS_NONE && st.size == 0);
    OK(nbs_fs_status_of(&r.fs, NULL, "none/none", &st));
    cr_assert_eq(st.type, NBS_FS_NONE, "a missing parent: a missing path");
    FAILS(nbs_fs_status_of(&r.fs, NULL, "d/f/x", &st), NBS_E_FS_NOT_DIR);
    FAILS(nbs_fs_status_of(&r.fs, NULL, "l/x", &st), NBS_E_FS_NOT_DIR);
    FAILS(nbs_fs_status_of(&r.fs, NULL, "d", NULL), NBS_E_INVAL);
    rig_close(&r);
}

Test(fs, links) {
    rig r;
    rig_open(&r, 16, 512);
    OK(nbs_fs_link(&r.fs, NULL, "l", "../any thing/at all"));
    FAILS(nbs_fs_link(&r.fs, NULL, "l", "x"), NBS_E_FS_EXISTS);
    FAILS(nbs_fs_link(&r.fs, NULL, "", "x"), NBS_E_FS_EXISTS);
    FAILS(nbs_fs_link(&r.fs, NULL, "m", ""), NBS_E_INVAL);
    FAILS(nbs_fs_link(&r.fs, NULL, "m", NULL), NBS_E_INVAL);
    char target[NBS_FS_LINK_MAX + 2];
    memset(target, 't', sizeof target);
    target[NBS_FS_LINK_MAX + 1] = 0;
    FAILS(nbs_fs_link(&r.fs, NULL, "m", target), NBS_E_INVAL);
    FAILS(nbs_fs_link(&r.fs, NULL, "no/m", "x"), NBS_E_NOT_FOUND);
    char out[32];
    size_t len = 0;
    OK(nbs_fs_readlink(&r.fs, NULL, "l", out, sizeof out, &len));
    cr_assert(len == 19 && !memcmp(out, "../any thing/at all", 19));
    FAILS(nbs_fs_readlink(&r.fs, NULL, "l", out, 5, &len), NBS_E_BUFFER_TOO_SMALL);
    cr_assert_eq(len, 19, "the size needed");
    FAILS(nbs_fs_readlink(&r.fs, NULL, "none", out, sizeof out, &len), NBS_E_NOT_FOUND);
    FAILS(nbs_fs_readlink(&r.fs, NULL, "", out, sizeof out, &len), NBS_E_FS_NOT_LINK);
    put_file(&r, "f", 0, (const uint8_t *)"x", 1);
    FAILS(nbs_fs_readlink(&r.fs, NULL, "f", out, sizeof out, &len), NBS_E_FS_NOT_LINK);
    nbs_fs_file f;
    FAILS(nbs_fs_open(&r.fs, NULL, "l", NBS_FS_R, &f), NBS_E_FS_NOT_FILE);
    FAILS(nbs_fs_open(&r.fs, NULL, "l", NBS_FS_W, &f), NBS_E_FS_NOT_FILE);
    /* A link's delete takes the link, never its target. */
    OK(nbs_fs_link(&r.fs, NULL, "lf", "f"));
    cr_assert_eq(nbs_fs_delete(&r.fs, NULL, "lf"), 1);
    cr_assert_eq(type_of(&r, "lf"), NBS_FS_NONE);
    expect_file(&r, "f", (const uint8_t *)"x", 1);
    expect_no_orphan(&r, "links", 2, 1);
    rig_close(&r);
}

Test(fs, delete_results) {
    rig r;
    rig_open(&r, 16, 512);
    uint8_t v[400];
    fill(v, sizeof v, 2);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "d"), 1);
    put_file(&r, "d/f", 0, v, sizeof v);
    FAILS(nbs_fs_delete(&r.fs, NULL, "d"), NBS_E_FS_NOT_EMPTY);
    cr_assert_eq(type_of(&r, "d/f"), NBS_FS_FILE, "a non-empty directory stays");
    FAILS(nbs_fs_delete(&r.fs, NULL, ""), NBS_E_INVAL);
    FAILS(nbs_fs_delete(&r.fs, NULL, "x/y"), NBS_E_NOT_FOUND);
    FAILS(nbs_fs_delete(&r.fs, NULL, "d/f/y"), NBS_E_FS_NOT_DIR);
    cr_assert_eq(nbs_fs_delete(&r.fs, NULL, "d/none"), 0);
    cr_assert_eq(nbs_fs_delete(&r.fs, NULL, "d/f"), 1);
    cr_assert_eq(type_of(&r, "d/f"), NBS_FS_NONE);
    map_count c = count_map(&r);
    cr_assert_eq(c.blocks, 0, "a file's blocks go with it");
    cr_assert_eq(nbs_fs_delete(&r.fs, NULL, "d"), 1, "empty now");
    cr_assert_eq(type_of(&r, "d"), NBS_FS_NONE);
    c = count_map(&r);
    cr_assert_eq(c.records + c.entries + c.blocks + c.others, 0, "nothing left");
    rig_close(&r);
}

Test(fs, move_results) {
    rig r;
    rig_open(&r, 16, 512);
    uint8_t v[200];
    fill(v, sizeof v, 3);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "a"), 1);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "a/b"), 1);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "c"), 1);
    put_file(&r, "a/b/f", 0, v, sizeof v);
    OK(nbs_fs_link(&r.fs, NULL, "a/l", "t"));
    FAILS(nbs_fs_move(&r.fs, NULL, "none", NULL, "x"), NBS_E_NOT_FOUND);
    FAILS(nbs_fs_move(&r.fs, NULL, "a", NULL, "c"), NBS_E_FS_EXISTS);
    FAILS(nbs_fs_move(&r.fs, NULL, "a", NULL, ""), NBS_E_FS_EXISTS);
    FAILS(nbs_fs_move(&r.fs, NULL, "", NULL, "z"), NBS_E_INVAL);
    FAILS(nbs_fs_move(&r.fs, NULL, "a", NULL, "a/x"), NBS_E_INVAL);   /* into itself */
    FAILS(nbs_fs_move(&r.fs, NULL, "a", NULL, "a/b/x"), NBS_E_INVAL); /* below itself */
    FAILS(nbs_fs_move(&r.fs, NULL, "a", NULL, "a/b/f/x"), NBS_E_FS_NOT_DIR);
    FAILS(nbs_fs_move(&r.fs, NULL, "a/b/f", NULL, "/x"), NBS_E_FS_PATH);
    /* Handles name ids: they follow the move. */
    nbs_fs_file f;
    nbs_fs_dir b;
    OK(nbs_fs_open(&r.fs, NULL, "a/b/f", NBS_FS_R_PLUS, &f));
    OK(nbs_fs_dir_open(&r.fs, NULL, "a/b", &b));
    OK(nbs_fs_move(&r.fs, NULL, "a/b", NULL, "c/b2"));
    cr_assert_eq(type_of(&r, "a/b"), NBS_FS_NONE);
    expect_file(&r, "c/b2/f", v, sizeof v);
    nbs_fs_status st;
    OK(nbs_fs_status_of(&r.fs, &b, "f", &st));
    cr_assert_eq(st.size, 200, "the directory handle followed");
    OK(nbs_fs_write(&f, 0, "Z", 1));
    v[0] = 'Z';
    expect_file(&r, "c/b2/f", v, sizeof v);
    /* A file renamed in place, a link moved, across directory handles. */
    nbs_fs_dir c;
    OK(nbs_fs_dir_open(&r.fs, NULL, "c", &c));
    OK(nbs_fs_move(&r.fs, &b, "f", &c, "g"));
    expect_file(&r, "c/g", v, sizeof v);
    OK(nbs_fs_move(&r.fs, NULL, "a/l", &b, "l"));
    cr_assert_eq(type_of(&r, "c/b2/l"), NBS_FS_LINK);
    /* The directory moved below its old place's sibling keeps its new parent after a reboot:
     * moving `c` into `c/b2` is refused by the walk up through the records. */
    cr_assert_eq(rig_remount(&r), NBS_OK);
    FAILS(nbs_fs_move(&r.fs, NULL, "c", NULL, "c/b2/x"), NBS_E_INVAL);
    OK(nbs_fs_move(&r.fs, NULL, "a", NULL, "c/b2/a"));
    FAILS(nbs_fs_move(&r.fs, NULL, "c", NULL, "c/b2/a/x"), NBS_E_INVAL);
    expect_no_orphan(&r, "moves", 5, 1);
    nbs_fs_close(&f);
    rig_close(&r);
}

Test(fs, scan_lists_entries_and_goes_stale) {
    rig r;
    rig_open(&r, 16, 512);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "d"), 1);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "d/sub"), 1);
    put_file(&r, "d/file", 0, (const uint8_t *)"12345", 5);
    OK(nbs_fs_link(&r.fs, NULL, "d/link", "abc"));
    put_file(&r, "other", 0, (const uint8_t *)"x", 1);
    nbs_fs_scan scan;
    OK(nbs_fs_scan_open(&r.fs, NULL, "d", &scan));
    bool seen[3] = {false};
    char name[16];
    size_t len;
    nbs_fs_status st;
    FAILS(nbs_fs_scan_next(&scan, name, 2, &len, &st), NBS_E_BUFFER_TOO_SMALL);
    cr_assert(len > 2, "the size needed");
    for (int i = 0; i < 3; i++) {
        OK(nbs_fs_scan_next(&scan, name, sizeof name, &len, &st));
        if (len == 3 && !memcmp(name, "sub", 3)) {
            cr_assert(!seen[0] && st.type == NBS_FS_DIR);
            seen[0] = true;
        } else if (len == 4 && !memcmp(name, "file", 4)) {
            cr_assert(!seen[1] && st.type == NBS_FS_FILE && st.size == 5);
            seen[1] = true;
        } else {
            cr_assert(len == 4 && !memcmp(name, "link", 4), "an entry of another directory");
            cr_assert(!seen[2] && st.type == NBS_FS_LINK && st.size == 3);
            seen[2] = true;
        }
    }
    FAILS(nbs_fs_scan_next(&scan, name, sizeof name, &len, &st), NBS_E_END);
    /* Any write of the map makes the next step stale. */
    OK(nbs_fs_scan_open(&r.fs, NULL, "d", &scan));
    OK(nbs_fs_scan_next(&scan, name, sizeof name, &len, NULL));
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "z"), 1);
    FAILS(nbs_fs_scan_next(&scan, name, sizeof name, &len, NULL), NBS_E_ITER_STALE);
    FAILS(nbs_fs_scan_open(&r.fs, NULL, "other", &scan), NBS_E_FS_NOT_DIR);
    FAILS(nbs_fs_scan_open(&r.fs, NULL, "none", &scan), NBS_E_NOT_FOUND);
    rig_close(&r);
}

/* ---- files ---- */

Test(fs, open_modes) {
    rig r;
    rig_open(&r, 16, 512);
    nbs_fs_file f;
    FAILS(nbs_fs_open(&r.fs, NULL, "f", NBS_FS_R, &f), NBS_E_NOT_FOUND);
    FAILS(nbs_fs_open(&r.fs, NULL, "f", NBS_FS_R_PLUS, &f), NBS_E_NOT_FOUND);
    FAILS(nbs_fs_open(&r.fs, NULL, "f", (nbs_fs_mode)4, &f), NBS_E_INVAL);
    FAILS(nbs_fs_open(&r.fs, NULL, "d/f", NBS_FS_W, &f), NBS_E_NOT_FOUND);
    FAILS(nbs_fs_open(&r.fs, NULL, "", NBS_FS_R, &f), NBS_E_FS_IS_DIR);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "d"), 1);
    FAILS(nbs_fs_open(&r.fs, NULL, "d", NBS_FS_W, &f), NBS_E_FS_IS_DIR);
    uint8_t v[300], out[300];
    fill(v, sizeof v, 4);
    /* w: create, write only. */
    OK(nbs_fs_open(&r.fs, NULL, "d/f", NBS_FS_W, &f));
    OK(nbs_fs_write(&f, 0, v, sizeof v));
    size_t got;
    FAILS(nbs_fs_read(&f, 0, out, sizeof out, &got), NBS_E_FS_MODE);
    nbs_fs_close(&f);
    FAILS(nbs_fs_write(&f, 0, v, 1), NBS_E_FS_CLOSED);
    FAILS(nbs_fs_read(&f, 0, out, 1, &got), NBS_E_FS_CLOSED);
    FAILS(nbs_fs_set_size(&f, 0), NBS_E_FS_CLOSED);
    FAILS(nbs_fs_flush(&f), NBS_E_FS_CLOSED);
    nbs_fs_status st;
    FAILS(nbs_fs_file_status(&f, &st), NBS_E_FS_CLOSED);
    /* r: read only. */
    OK(nbs_fs_open(&r.fs, NULL, "d/f", NBS_FS_R, &f));
    FAILS(nbs_fs_write(&f, 0, v, 1), NBS_E_FS_MODE);
    FAILS(nbs_fs_set_size(&f, 1), NBS_E_FS_MODE);
    OK(nbs_fs_read(&f, 0, out, sizeof out, &got));
    cr_assert(got == 300 && !memcmp(out, v, 300));
    OK(nbs_fs_flush(&f));
    /* w+ truncates (a handle open before sees it), then reads and writes. */
    nbs_fs_file g;
    OK(nbs_fs_open(&r.fs, NULL, "d/f", NBS_FS_W_PLUS, &g));
    OK(nbs_fs_file_status(&f, &st));
    cr_assert_eq(st.size, 0);
    OK(nbs_fs_write(&g, 0, v, 10));
    OK(nbs_fs_read(&g, 0, out, sizeof out, &got));
    cr_assert(got == 10 && !memcmp(out, v, 10));
    /* r+ reads and writes an existing file, keeps it. */
    nbs_fs_file h;
    OK(nbs_fs_open(&r.fs, NULL, "d/f", NBS_FS_R_PLUS, &h));
    OK(nbs_fs_write(&h, 10, v + 10, 5));
    OK(nbs_fs_read(&h, 0, out, sizeof out, &got));
    cr_assert(got == 15 && !memcmp(out, v, 15));
    cr_assert_eq(rig_remount(&r), NBS_OK);
    expect_file(&r, "d/f", v, 15);
    expect_no_orphan(&r, "open modes", 2, 0);
    rig_close(&r);
}

Test(fs, reads_and_writes_across_blocks) {
    rig r;
    rig_open(&r, 32, 512);
    uint32_t b = r.fs.block_bytes;
    static uint8_t model[4096], v[4096], out[4096];
    size_t size = 0, got;
    nbs_fs_file f;
    OK(nbs_fs_open(&r.fs, NULL, "f", NBS_FS_W_PLUS, &f));
    /* Unaligned writes across blocks, overwrites, a write past the end leaving a gap of zeros. */
    static const uint32_t at[][2] = {{0, 10},  {5, 200}, {3 * 64 + 7, 130}, {1000, 3},
                                     {64, 64}, {999, 2}, {1500, 1},         {0, 1501}};
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        fill(v, at[i][1], (unsigned)i + 10);
        OK(nbs_fs_write(&f, at[i][0], v, at[i][1]));
        memcpy(model + at[i][0], v, at[i][1]);
        if (at[i][0] + at[i][1] > size) size = at[i][0] + at[i][1];
        OK(nbs_fs_read(&f, 0, out, sizeof out, &got));
        cr_assert_eq(got, size, "write %zu: size", i);
        cr_assert(!memcmp(out, model, size), "write %zu: bytes", i);
    }
    /* Reads at offsets: partial at the end, none past it. */
    OK(nbs_fs_read(&f, (uint32_t)size - 3, out, 100, &got));
    cr_assert(got == 3 && !memcmp(out, model + size - 3, 3));
    OK(nbs_fs_read(&f, (uint32_t)size, out, 100, &got));
    cr_assert_eq(got, 0);
    OK(nbs_fs_read(&f, (uint32_t)size + 1000, out, 100, &got));
    cr_assert_eq(got, 0);
    OK(nbs_fs_read(&f, b - 1, out, 2 * b + 2, &got));
    cr_assert(got == 2 * b + 2 && !memcmp(out, model + b - 1, got));
    OK(nbs_fs_write(&f, 2000, v, 0)); /* an empty write: nothing, the size stays */
    nbs_fs_status st;
    OK(nbs_fs_file_status(&f, &st));
    cr_assert_eq(st.size, size);
    FAILS(nbs_fs_write(&f, 0, NULL, 1), NBS_E_INVAL);
    FAILS(nbs_fs_read(&f, 0, NULL, 1, &got), NBS_E_INVAL);
    cr_assert_eq(rig_remount(&r), NBS_OK);
    expect_file(&r, "f", model, size);
    expect_no_orphan(&r, "writes", 1, 0);
    rig_close(&r);
}

Test(fs, set_size_shrinks_and_grows) {
    rig r;
    rig_open(&r, 16, 512);
    uint8_t v[500], want[500] = {0}, out[600];
    fill(v, sizeof v, 5);
    put_file(&r, "f", 0, v, sizeof v);
    nbs_fs_file f;
    OK(nbs_fs_open(&r.fs, NULL, "f", NBS_FS_R_PLUS, &f));
    OK(nbs_fs_set_size(&f, 100)); /* inside a block */
    OK(nbs_fs_set_size(&f, 450)); /* the bytes past 100 read 0, not the old ones */
    memcpy(want, v, 100);
    size_t got;
    OK(nbs_fs_read(&f, 0, out, sizeof out, &got));
    cr_assert(got == 450 && !memcmp(out, want, 450));
    OK(nbs_fs_set_size(&f, 128)); /* on a block boundary */
    OK(nbs_fs_set_size(&f, 128));
    OK(nbs_fs_set_size(&f, 0));
    OK(nbs_fs_set_size(&f, 70));
    OK(nbs_fs_read(&f, 0, out, sizeof out, &got));
    memset(want, 0, sizeof want);
    cr_assert(got == 70 && !memcmp(out, want, 70));
    FAILS(nbs_fs_set_size(&f, nbs_fs_max_file(&r.fs) + 1), NBS_E_TOO_BIG);
    OK(nbs_fs_set_size(&f, nbs_fs_max_file(&r.fs)));
    OK(nbs_fs_read(&f, nbs_fs_max_file(&r.fs) - 10, out, sizeof out, &got));
    cr_assert(got == 10 && !memcmp(out, want, 10));
    cr_assert_eq(rig_remount(&r), NBS_OK);
    nbs_fs_status st;
    OK(nbs_fs_status_of(&r.fs, NULL, "f", &st));
    cr_assert_eq(st.size, nbs_fs_max_file(&r.fs));
    expect_no_orphan(&r, "set_size", 1, 0);
    rig_close(&r);
}

Test(fs, too_big_and_full_change_nothing) {
    rig r;
    rig_open(&r, 8, 512);
    uint32_t max = nbs_fs_max_file(&r.fs);
    static uint8_t v[8192];
    fill(v, sizeof v, 6);
    nbs_fs_file f;
    OK(nbs_fs_open(&r.fs, NULL, "f", NBS_FS_W_PLUS, &f));
    FAILS(nbs_fs_write(&f, max, v, 1), NBS_E_TOO_BIG);
    FAILS(nbs_fs_write(&f, UINT32_MAX, v, 2), NBS_E_TOO_BIG);
    FAILS(nbs_fs_write(&f, 0, v, (size_t)max + 1), NBS_E_TOO_BIG);
    /* Files until the map is full: the write that fails leaves the file and the map as they were
     * (no block of it left). */
    char name[16]; /* "f" and any int */
    int rc = NBS_OK, i;
    for (i = 0; rc == NBS_OK && i < 50; i++) {
        snprintf(name, sizeof name, "f%d", i);
        nbs_fs_file g;
        rc = nbs_fs_open(&r.fs, NULL, name, NBS_FS_W, &g);
        if (rc == NBS_OK) rc = nbs_fs_write(&g, 0, v, 600);
    }
    cr_assert_eq(rc, NBS_E_FULL, "the map fills: %s", nbs_strerror(rc));
    map_count before = count_map(&r);
    cr_assert_eq(before.blocks, before.named_blocks, "the failed write's blocks removed");
    FAILS(nbs_fs_write(&f, 0, v, 600), NBS_E_FULL);
    map_count after = count_map(&r);
    cr_assert_eq(after.blocks, before.blocks);
    nbs_fs_status st;
    OK(nbs_fs_file_status(&f, &st));
    cr_assert_eq(st.size, 0);
    /* A delete makes room again. */
    cr_assert_eq(nbs_fs_delete(&r.fs, NULL, "f0"), 1);
    OK(nbs_fs_write(&f, 0, v, 600));
    cr_assert_eq(rig_remount(&r), NBS_OK);
    expect_file(&r, "f", v, 600);
    map_count c = count_map(&r);
    cr_assert_eq(c.blocks, c.named_blocks);
    rig_close(&r);
}

/* Handles after a delete: NOT_FOUND for every call, a directory's too. */
Test(fs, handles_after_delete) {
    rig r;
    rig_open(&r, 16, 512);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "d"), 1);
    put_file(&r, "d/f", 0, (const uint8_t *)"abc", 3);
    nbs_fs_file f;
    nbs_fs_dir d;
    OK(nbs_fs_open(&r.fs, NULL, "d/f", NBS_FS_R_PLUS, &f));
    OK(nbs_fs_dir_open(&r.fs, NULL, "d", &d));
    cr_assert_eq(nbs_fs_delete(&r.fs, &d, "f"), 1);
    uint8_t out[4];
    size_t got;
    nbs_fs_status st;
    FAILS(nbs_fs_read(&f, 0, out, sizeof out, &got), NBS_E_NOT_FOUND);
    FAILS(nbs_fs_write(&f, 0, "x", 1), NBS_E_NOT_FOUND);
    FAILS(nbs_fs_set_size(&f, 1), NBS_E_NOT_FOUND);
    FAILS(nbs_fs_file_status(&f, &st), NBS_E_NOT_FOUND);
    FAILS(nbs_fs_flush(&f), NBS_E_NOT_FOUND);
    /* A new file at the same path is another file: the old handle stays gone. */
    put_file(&r, "d/f", 0, (const uint8_t *)"new", 3);
    FAILS(nbs_fs_file_status(&f, &st), NBS_E_NOT_FOUND);
    cr_assert_eq(nbs_fs_delete(&r.fs, &d, "f"), 1);
    cr_assert_eq(nbs_fs_delete(&r.fs, NULL, "d"), 1);
    FAILS(nbs_fs_mkdir(&r.fs, &d, "x"), NBS_E_NOT_FOUND);
    FAILS(nbs_fs_status_of(&r.fs, &d, "", &st), NBS_E_NOT_FOUND);
    FAILS(nbs_fs_status_of(&r.fs, &d, "x/y", &st), NBS_E_NOT_FOUND);
    nbs_fs_scan scan;
    FAILS(nbs_fs_scan_open(&r.fs, &d, "", &scan), NBS_E_NOT_FOUND);
    nbs_fs_file g;
    FAILS(nbs_fs_open(&r.fs, &d, "g", NBS_FS_W, &g), NBS_E_NOT_FOUND);
    nbs_fs_dir_close(&d);
    FAILS(nbs_fs_status_of(&r.fs, &d, "", &st), NBS_E_FS_CLOSED);
    expect_no_orphan(&r, "deletes", 0, 0);
    rig_close(&r);
}

/* A map mounted read-only: reads right, every write NBS_E_READ_ONLY, nothing written. */
Test(fs, read_only_map) {
    rig r;
    rig_open(&r, 16, 512);
    put_file(&r, "f", 0, (const uint8_t *)"abc", 3);
    r.cfg.read_only = true;
    cr_assert_eq(rig_remount(&r), NBS_OK);
    uint64_t programs = r.rf.programs, erases = r.rf.erases;
    expect_file(&r, "f", (const uint8_t *)"abc", 3);
    FAILS(nbs_fs_mkdir(&r.fs, NULL, "d"), NBS_E_READ_ONLY);
    FAILS(nbs_fs_delete(&r.fs, NULL, "f"), NBS_E_READ_ONLY);
    FAILS(nbs_fs_move(&r.fs, NULL, "f", NULL, "g"), NBS_E_READ_ONLY);
    FAILS(nbs_fs_link(&r.fs, NULL, "l", "f"), NBS_E_READ_ONLY);
    nbs_fs_file f;
    FAILS(nbs_fs_open(&r.fs, NULL, "g", NBS_FS_W, &f), NBS_E_READ_ONLY);
    OK(nbs_fs_open(&r.fs, NULL, "f", NBS_FS_R_PLUS, &f));
    FAILS(nbs_fs_write(&f, 0, "x", 1), NBS_E_READ_ONLY);
    FAILS(nbs_fs_set_size(&f, 0), NBS_E_READ_ONLY);
    cr_assert_eq(r.rf.programs, programs);
    cr_assert_eq(r.rf.erases, erases);
    rig_close(&r);
}

/* ---- the on-flash form (SPEC 12.1) and init's clean-up ---- */

static size_t fetch_raw(rig *r, const uint8_t *key, size_t key_len, uint8_t *out, size_t capacity) {
    size_t len = 0;
    int rc = nbs_map_fetch(&r->map, key, key_len, out, capacity, &len);
    cr_assert_eq(rc, NBS_OK, "map fetch: %s", nbs_strerror(rc));
    return len;
}

Test(fs, on_flash_form) {
    rig r;
    rig_open(&r, 16, 512);
    uint32_t b = r.fs.block_bytes;
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "d"), 1); /* ino 2 */
    uint8_t v[200];
    fill(v, sizeof v, 7);
    put_file(&r, "d/f", 0, v, 2 * b + 5); /* ino 3, blocks 1..3 */
    OK(nbs_fs_link(&r.fs, NULL, "d/l", "tgt"));
    uint8_t out[512];
    uint8_t dir_key[5] = {0x11, 2, 0, 0, 0}, file_key[5] = {0x11, 3, 0, 0, 0};
    cr_assert_eq(fetch_raw(&r, dir_key, 5, out, sizeof out), 6);
    cr_assert(out[0] == 2 && out[1] == 0 && le32(out + 2) == 1, "a directory: type, parent");
    size_t len = fetch_raw(&r, file_key, 5, out, sizeof out);
    cr_assert_eq(len, 14 + 4 * 3);
    cr_assert(out[0] == 1 && out[1] == 0 && le32(out + 2) == 2 * b + 5 && le32(out + 6) == 3);
    cr_assert(le32(out + 10) == 1 && le32(out + 14) == 2 && le32(out + 18) == 3);
    cr_assert_eq(le32(out + 22), 0, "no trash");
    uint8_t entry_key[6] = {0x12, 2, 0, 0, 0, 'f'};
    cr_assert_eq(fetch_raw(&r, entry_key, 6, out, sizeof out), 5);
    cr_assert(out[0] == 1 && le32(out + 1) == 3);
    entry_key[5] = 'l';
    cr_assert_eq(fetch_raw(&r, entry_key, 6, out, sizeof out), 4);
    cr_assert(out[0] == 3 && !memcmp(out + 1, "tgt", 3));
    uint8_t root_entry[6] = {0x12, 1, 0, 0, 0, 'd'};
    cr_assert_eq(fetch_raw(&r, root_entry, 6, out, sizeof out), 5);
    cr_assert(out[0] == 2 && le32(out + 1) == 2);
    uint8_t block_key[5] = {0x13, 3, 0, 0, 0};
    cr_assert_eq(fetch_raw(&r, block_key, 5, out, sizeof out), 5, "the last block: its bytes");
    cr_assert(!memcmp(out, v + 2 * b, 5));
    /* An overwrite of block 1: a new id, the old one in the trash list, removed. */
    put_file(&r, "d/f", b, (const uint8_t *)"Q", 1);
    len = fetch_raw(&r, file_key, 5, out, sizeof out);
    cr_assert_eq(len, 14 + 4 * 3 + 4);
    cr_assert(le32(out + 14) == 4 && le32(out + 22) == 1 && le32(out + 26) == 2);
    block_key[1] = 2;
    bool present = true;
    OK(nbs_map_has(&r.map, block_key, 5, &present));
    cr_assert(!present, "the trash removed after the commit");
    rig_close(&r);
}

/* What a cut leaves, set up by hand: a deleted file's record, a trash block still there, blocks
 * above every id a table names. A read-only init writes nothing and reads right; a read-write
 * init removes them all, and gives ids past the highest on flash. */
Test(fs, init_cleans_what_a_cut_left) {
    rig r;
    rig_open(&r, 16, 512);
    uint8_t v[100];
    fill(v, sizeof v, 8);
    put_file(&r, "f", 0, v, 100); /* ino 2, blocks 1, 2 */
    put_file(&r, "g", 0, v, 10);  /* ino 3, block 3 */
    uint8_t rec[64], key[5] = {0x11, 9, 0, 0, 0}, block[5] = {0x13, 0, 0, 0, 0};
    /* A deleted file 9 with blocks 4 and 5 (its entry already gone). */
    uint8_t del[22] = {1, 1, 100, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0};
    OK(nbs_map_store(&r.map, key, 5, del, sizeof del));
    for (uint8_t id = 4; id <= 5; id++) {
        block[1] = id;
        OK(nbs_map_store(&r.map, block, 5, v, 50));
    }
    /* File 3 lists block 6 in its trash (still there), blocks 20 and 21 are named by nothing. */
    key[1] = 3;
    size_t len = fetch_raw(&r, key, 5, rec, sizeof rec);
    cr_assert_eq(len, 18);
    rec[14] = 1;
    put_le32(rec + 18, 6);
    OK(nbs_map_store(&r.map, key, 5, rec, 22));
    for (uint8_t id = 6; id <= 21; id += id == 6 ? 14 : 1) {
        block[1] = id;
        OK(nbs_map_store(&r.map, block, 5, v, 10));
    }
    r.cfg.read_only = true;
    uint64_t programs = r.rf.programs, erases = r.rf.erases;
    cr_assert_eq(rig_remount(&r), NBS_OK);
    cr_assert_eq(r.rf.programs, programs, "read-only: nothing written");
    cr_assert_eq(r.rf.erases, erases);
    expect_file(&r, "f", v, 100);
    expect_file(&r, "g", v, 10);
    cr_assert_eq(count_map(&r).blocks, 8, "left for a read-write init");
    r.cfg.read_only = false;
    cr_assert_eq(rig_remount(&r), NBS_OK);
    expect_file(&r, "f", v, 100);
    expect_file(&r, "g", v, 10);
    expect_no_orphan(&r, "init", 2, 0);
    cr_assert_eq(r.fs.next_ino, 4, "past the highest record left");
    cr_assert_eq(r.fs.next_block, 7, "past the highest id a record names (trash too)");
    rig_close(&r);
}

/* Every length and id read from flash is checked: a record, an entry or a block the format does
 * not allow is NBS_E_CORRUPT, never a read out of bounds or an endless walk. */
Test(fs, corrupt_records_entries_and_blocks) {
    rig r;
    rig_open(&r, 16, 512);
    uint8_t v[100];
    fill(v, sizeof v, 9);
    put_file(&r, "f", 0, v, 100);                      /* ino 2, blocks 1, 2 of 64 */
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "a"), 1);   /* ino 3 */
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "a/b"), 1); /* ino 4 */
    uint8_t key[5] = {0x11, 2, 0, 0, 0}, good[64], bad[64], out[128];
    size_t len = fetch_raw(&r, key, 5, good, sizeof good), got;
    nbs_fs_file f;
    OK(nbs_fs_open(&r.fs, NULL, "f", NBS_FS_R_PLUS, &f));
    /* Records: n past max_blocks, n not the size's, a length off by one, a zero trash id, an
     * unknown flag or type. */
    struct {
        unsigned at;
        uint8_t byte;
        int len_delta;
    } cases[] = {{6, 0xFF, 0}, {6, 3, 0}, {0, 1, -1}, {2, 200, 0}, {1, 2, 0}, {0, 7, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        memcpy(bad, good, len);
        bad[cases[i].at] = cases[i].byte;
        OK(nbs_map_store(&r.map, key, 5, bad, len + cases[i].len_delta));
        FAILS(nbs_fs_read(&f, 0, out, sizeof out, &got), NBS_E_CORRUPT);
        cr_assert_eq(rig_remount(&r), NBS_E_CORRUPT, "case %zu: init walks every record", i);
    }
    memcpy(bad, good, len);
    bad[18] = 1; /* a trash of one id 0 */
    memset(bad + 22, 0, 4);
    OK(nbs_map_store(&r.map, key, 5, bad, len + 4));
    FAILS(nbs_fs_read(&f, 0, out, sizeof out, &got), NBS_E_CORRUPT);
    OK(nbs_map_store(&r.map, key, 5, good, len));
    cr_assert_eq(rig_remount(&r), NBS_OK);
    /* Blocks: one missing, one longer than the file leaves it. */
    uint8_t block[5] = {0x13, 2, 0, 0, 0};
    OK(nbs_map_store(&r.map, block, 5, v, 37));
    FAILS(nbs_fs_read(&f, 0, out, sizeof out, &got), NBS_E_CORRUPT);
    OK(nbs_map_remove(&r.map, block, 5));
    FAILS(nbs_fs_read(&f, 0, out, sizeof out, &got), NBS_E_CORRUPT);
    OK(nbs_fs_read(&f, 0, out, 64, &got)); /* the first block is fine */
    cr_assert(got == 64 && !memcmp(out, v, 64));
    /* Entries: a value of a wrong length, a file entry naming the root. */
    uint8_t entry[6] = {0x12, 1, 0, 0, 0, 'f'}, ev[8] = {1, 1, 0, 0, 0, 0};
    OK(nbs_map_store(&r.map, entry, 6, ev, 6));
    nbs_fs_status st;
    FAILS(nbs_fs_status_of(&r.fs, NULL, "f", &st), NBS_E_CORRUPT);
    OK(nbs_map_store(&r.map, entry, 6, ev, 5));
    FAILS(nbs_fs_status_of(&r.fs, NULL, "f", &st), NBS_E_CORRUPT);
    OK(nbs_map_store(&r.map, entry, 6, (uint8_t[]){4, 2, 0, 0, 0}, 5));
    FAILS(nbs_fs_status_of(&r.fs, NULL, "f", &st), NBS_E_CORRUPT);
    /* A loop of parents (a's parent b, b's a): the walk up of a move ends with CORRUPT. */
    uint8_t a_key[5] = {0x11, 3, 0, 0, 0}, loop[6] = {2, 0, 4, 0, 0, 0};
    OK(nbs_map_store(&r.map, a_key, 5, loop, sizeof loop));
    FAILS(nbs_fs_move(&r.fs, NULL, "a/b", NULL, "a/b/c"), NBS_E_INVAL);
    uint8_t root_b[6] = {0x12, 1, 0, 0, 0, 'z'}, zv[5] = {2, 9, 0, 0, 0};
    uint8_t z_key[5] = {0x11, 9, 0, 0, 0}, z_rec[6] = {2, 0, 1, 0, 0, 0};
    OK(nbs_map_store(&r.map, root_b, 6, zv, 5));
    OK(nbs_map_store(&r.map, z_key, 5, z_rec, 6));
    FAILS(nbs_fs_move(&r.fs, NULL, "z", NULL, "a/b/z"), NBS_E_CORRUPT);
    OK(nbs_map_store(&r.map, entry, 6, (uint8_t[]){1, 2, 0, 0, 0}, 5));
    cr_assert_eq(rig_remount(&r), NBS_OK, "a loop of parents is no concern of init");
    /* A key of no namespace of the file system: init refuses the map. */
    uint8_t foreign[2] = {0x42, 1};
    OK(nbs_map_store(&r.map, foreign, 2, "x", 1));
    cr_assert_eq(rig_remount(&r), NBS_E_CORRUPT);
    /* Bound all the same: reads answer, but no write until a clean-up succeeds (the ids are not
     * known: a new directory would take an id in use). */
    cr_assert_eq(type_of(&r, "a/b"), NBS_FS_DIR);
    FAILS(nbs_fs_mkdir(&r.fs, NULL, "new"), NBS_E_CORRUPT);
    OK(nbs_map_remove(&r.map, foreign, 2));
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "new"), 1, "the clean-up ran again, then the write");
    cr_assert_eq(r.fs.next_ino, 11, "past inode 9");
    nbs_fs_close(&f);
    rig_close(&r);
}

/* ---- power cuts ---- */

/* One file or directory the tree holds after a step of the cut sequence. */
typedef struct want_path {
    const char *path;
    nbs_fs_type type;
    const uint8_t *data;
    uint32_t len;
} want_path;
enum { WANT_MAX = 8 };
typedef struct tree {
    want_path p[WANT_MAX];
    int count;
} tree;

static uint8_t seq_a[400], seq_b[120], seq_f[100];

/* The tree after step `k` of the cut sequence (0: the set-up). */
static tree tree_after(int k) {
    static uint8_t g2[400], g3[400], g4[400];
    memcpy(g2, seq_a, 300);
    memcpy(g3, g2, 300);
    memcpy(g3 + 100, seq_b, 120);
    memcpy(g4, g3, 150);
    memset(g4 + 150, 0, 250);
    tree t = {.count = 0};
    bool moved = k >= 6;
    t.p[t.count++] = (want_path){"d", NBS_FS_DIR, NULL, 0};
    t.p[t.count++] = (want_path){moved ? "d2" : "d/e", NBS_FS_DIR, NULL, 0};
    t.p[t.count++] = (want_path){moved ? "d2/f" : "d/e/f", NBS_FS_FILE, seq_f, sizeof seq_f};
    if (k >= 1 && k < 7) {
        const uint8_t *g = k >= 5 ? g4 : k >= 4 ? g4 : k >= 3 ? g3 : g2;
        uint32_t len = k >= 5 ? 260 : k >= 4 ? 150 : k >= 2 ? 300 : 0;
        t.p[t.count++] = (want_path){"d/g", NBS_FS_FILE, g, len};
    }
    return t;
}

/* Step `k` of the cut sequence. */
static int cut_step(rig *r, int k) {
    nbs_fs_file g;
    int rc;
    switch (k) {
    case 1: return nbs_fs_open(&r->fs, NULL, "d/g", NBS_FS_W, &g);
    case 2:
    case 3:
    case 4:
    case 5:
        if ((rc = nbs_fs_open(&r->fs, NULL, "d/g", NBS_FS_R_PLUS, &g))) return rc;
        if (k == 2) return nbs_fs_write(&g, 0, seq_a, 300);
        if (k == 3) return nbs_fs_write(&g, 100, seq_b, 120);
        return nbs_fs_set_size(&g, k == 4 ? 150 : 260);
    case 6: return nbs_fs_move(&r->fs, NULL, "d/e", NULL, "d2");
    default: return nbs_fs_delete(&r->fs, NULL, "d/g") == 1 ? NBS_OK : NBS_E_INVAL;
    }
}
enum { CUT_STEPS = 7 };

/* Whether the file system holds exactly tree `t`: every path as it says (a file's bytes read
 * whole: a table naming a missing block fails), and no other entry anywhere. */
static bool holds_tree(rig *r, const tree *t) {
    static uint8_t out[1024];
    for (int i = 0; i < t->count; i++) {
        nbs_fs_status st;
        if (nbs_fs_status_of(&r->fs, NULL, t->p[i].path, &st) || st.type != t->p[i].type)
            return false;
        if (st.type != NBS_FS_FILE) continue;
        nbs_fs_file f;
        size_t got;
        if (nbs_fs_open(&r->fs, NULL, t->p[i].path, NBS_FS_R, &f) ||
            nbs_fs_read(&f, 0, out, sizeof out, &got) || got != t->p[i].len ||
            memcmp(out, t->p[i].data, got))
            return false;
    }
    /* No other entry: the map's entries are the tree's paths. */
    nbs_fs_scan scan;
    static const char *dirs[] = {"", "d", "d/e", "d2"};
    int entries = 0;
    for (size_t i = 0; i < 4; i++) {
        if (nbs_fs_scan_open(&r->fs, NULL, dirs[i], &scan)) continue;
        char name[16];
        size_t len;
        int rc;
        while ((rc = nbs_fs_scan_next(&scan, name, sizeof name, &len, NULL)) == NBS_OK) entries++;
        if (rc != NBS_E_END) return false;
    }
    return entries == t->count;
}

/* Which of the trees before and after step `k` the file system holds (-1: neither). */
static int which_tree(rig *r, int k) {
    tree before = tree_after(k - 1), after = tree_after(k);
    if (holds_tree(r, &before)) return 0;
    return holds_tree(r, &after) ? 1 : -1;
}

/* One trial: the set-up, then the sequence with a cut after `at` flash operations in `mode`;
 * power on, a read-only init (nothing written, old or new), a read-write init (the same answer,
 * no orphan), again at the next mount, and the file system takes writes. Returns false once
 * the sequence ran to its end before the cut. */
/* The geometries of the cut loop: 256-byte pages at W = 1 (64-byte blocks, the sequence's file of
 * five), and 1 KiB pages at W = 4 taking two programs a unit (page version 4, 128-byte blocks). */
typedef struct cut_geometry {
    uint32_t pages, page_size, unit;
    uint8_t programs;
} cut_geometry;

static bool cut_trial(const cut_geometry *g, long at, ram_torn mode) {
    fill(seq_a, sizeof seq_a, 21);
    fill(seq_b, sizeof seq_b, 22);
    fill(seq_f, sizeof seq_f, 23);
    char what[128];
    snprintf(what, sizeof what, "%u-byte pages, mode %d, cut at %ld", g->page_size, (int)mode, at);
    rig r;
    rig_open_as(&r, g->pages, g->page_size, g->unit, g->programs);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "d"), 1);
    cr_assert_eq(nbs_fs_mkdir(&r.fs, NULL, "d/e"), 1);
    put_file(&r, "d/e/f", 0, seq_f, sizeof seq_f);
    ram_flash_arm_cut(&r.rf, at, mode);
    int k, rc = NBS_OK;
    for (k = 1; k <= CUT_STEPS && r.rf.powered; k++) {
        rc = cut_step(&r, k);
        if (rc && r.rf.powered) cr_assert_fail("%s: step %d: %s", what, k, nbs_strerror(rc));
    }
    k--; /* the step the cut stopped (or the last) */
    bool cut = !r.rf.powered;
    ram_flash_power_on(&r.rf);
    if (!cut) {
        tree last = tree_after(CUT_STEPS);
        cr_assert(holds_tree(&r, &last), "%s: the sequence's end", what);
        rig_close(&r);
        return false;
    }
    snprintf(what + strlen(what), sizeof what - strlen(what), " (step %d)", k);
    r.cfg.read_only = true;
    rc = rig_remount(&r);
    cr_assert_eq(rc, NBS_OK, "%s: read-only mount and init: %s", what, nbs_strerror(rc));
    uint64_t programs = r.rf.programs, erases = r.rf.erases;
    int ro = which_tree(&r, k);
    cr_assert_neq(ro, -1, "%s: read-only: neither the old tree nor the new", what);
    cr_assert(r.rf.programs == programs && r.rf.erases == erases, "%s: read-only wrote", what);
    r.cfg.read_only = false;
    rc = rig_remount(&r);
    cr_assert_eq(rc, NBS_OK, "%s: mount and init: %s", what, nbs_strerror(rc));
    int which = which_tree(&r, k);
    cr_assert_neq(which, -1, "%s: neither the old tree nor the new", what);
    cr_assert_eq(which, ro, "%s: read-only and read-write inits disagree", what);
    tree now = tree_after(which ? k : k - 1);
    expect_no_orphan(&r, what, (uint32_t)now.count, 0);
    cr_assert_eq(rig_remount(&r), NBS_OK, "%s", what);
    cr_assert_eq(which_tree(&r, k), which, "%s: the outcome flipped", what);
    /* It takes writes: a new file, whole. */
    put_file(&r, "new", 0, seq_a, 200);
    expect_file(&r, "new", seq_a, 200);
    rig_close(&r);
    return true;
}

/* A cut at every flash operation of the sequence, in each torn mode. fs-inode-first fails here
 * (a record naming blocks never stored), fs-move-two-steps too (the directory in neither place). */
Test(fs, cut_anywhere_leaves_old_or_new) {
    static const ram_torn modes[] = {RAM_TORN_NONE, RAM_TORN_PREFIX, RAM_TORN_BITS, RAM_TORN_WEAK};
    static const cut_geometry geometries[] = {{12, 256, 1, 1}, {8, 1024, 4, 2}};
    for (size_t g = 0; g < 2; g++)
        for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
            long at = 0;
            while (cut_trial(&geometries[g], at, modes[m])) at++;
            cr_assert(at > 50, "the sequence takes %ld flash operations", at);
        }
}
