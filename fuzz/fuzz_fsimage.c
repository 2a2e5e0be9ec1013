/* libFuzzer target "fsimage": a map whose keys and values the input crafts in the file system's
 * namespaces (engine/SPEC.md section 12: 0x11 inode records, 0x12 directory entries, 0x13
 * blocks), stored through the real map so the image is one a mount accepts: inode records with
 * wrong types, flags, sizes, counts and block ids (repeated, missing, holes), directories whose
 * parent is themselves or a loop, entries with bad types, names no path may hold, long or empty
 * link targets, blocks longer or shorter than a block. Then a cold mount and nbs_fs_init (read
 * only first, sometimes), and every read call on the tree found (scans, status, reads at
 * offsets, readlink with small buffers, directory handles), a few writes (mkdir, create, write,
 * setSize, moves that would make a cycle, links, deletes), a remount and the reads again. Read
 * only, the same calls must write nothing to flash.
 * The engine must never crash, hang, read out of bounds or touch flash outside its range, and
 * every answer must be data or one of nbs.h's codes; what it reads must be within the limits
 * nbs_fs.h gives (a name 1..NBS_FS_NAME_MAX bytes without "/" or 0, a file no larger than the
 * largest, a read no longer than asked, a scan that ends). Errors are fine.
 *
 * Input: the map store's header (fuzz_store_start), a mode byte (bit 0: init read-only first),
 * then records, each a kind byte and its fields (see craft_record), until the input ends. */
#include "fuzz_finding.h"
#include "fuzz_input.h"
#include "fuzz_store.h"
#include "nbs_fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET "fsimage"

enum {
    MAX_RECORDS = 48,
    MAX_VISITS = 300, /* entries a walk of the tree visits at most (a loop must not hang it) */
    MAX_DEPTH = 12,
    VALUE_MAX = 4096, /* larger than any map value of the fuzz geometries */
    NS_INODE = 0x11,
    NS_ENTRY = 0x12,
    NS_BLOCK = 0x13,
};

typedef struct image_run {
    fuzz_store store;
    fuzz_input *in;
    nbs_fs fs;
    uint8_t *buf;
    size_t buf_size;
    uint8_t *value;  /* VALUE_MAX bytes: a value being crafted, or data read */
    uint32_t visits; /* entries visited by the walk under way */
    uint32_t items;  /* keys in the map: a scan listing more loops */
    char where[160];
} image_run;

static void put_u32(uint8_t *at, uint32_t v) {
    for (int i = 0; i < 4; i++) at[i] = (uint8_t)(v >> (8 * i));
}

/* The answers a call may give on any image: data, 1/0 for mkdir and delete, or an nbs.h code. */
static void check_answer(image_run *run, const char *what, int rc) {
    FUZZ_REQUIRE(TARGET, rc <= 1 && rc >= NBS_E_FS_NOT_LINK, "%s: %s returned %d", run->where, what,
                 rc);
}

/* ---- crafting the image ---- */

/* An inode or block id: small ones (so records and entries meet), 0, or any. */
static uint32_t craft_id(image_run *run) {
    uint8_t choice = fuzz_input_u8(run->in);
    if (choice % 16 == 0) return fuzz_input_u32(run->in);
    return choice % 16 == 1 ? 0 : 1 + choice % 8;
}

/* A count or size: right, small, just past a limit, or any. */
static uint32_t craft_count(image_run *run, uint32_t right) {
    uint8_t choice = fuzz_input_u8(run->in);
    switch (choice % 8) {
    case 0: return fuzz_input_u32(run->in);
    case 1: return right + 1;
    case 2: return right ? right - 1 : 0;
    case 3: return fuzz_input_below(run->in, 16);
    default: return right;
    }
}

static uint32_t craft_ids(image_run *run, uint8_t *at, uint32_t count, uint32_t room) {
    uint32_t stored = count < room ? count : room;
    for (uint32_t i = 0; i < stored; i++) put_u32(at + 4 * i, craft_id(run));
    return 4 * stored;
}

/* A file's inode record: type, flags, size, n, n ids, t, t ids (SPEC 12), each field crafted. */
static uint32_t craft_file_record(image_run *run, uint8_t *v) {
    uint32_t bb = run->fs.block_bytes ? run->fs.block_bytes : 64;
    uint32_t blocks = fuzz_input_below(run->in, 6);
    uint32_t size = craft_count(run, blocks ? blocks * bb - fuzz_input_below(run->in, bb) : 0);
    uint32_t n = craft_count(run, blocks), room = (VALUE_MAX - 14) / 8;
    uint32_t at = 0;
    v[at++] = fuzz_input_u8(run->in) % 8 == 0 ? fuzz_input_u8(run->in) : NBS_FS_FILE;
    v[at++] = fuzz_input_u8(run->in) % 8 == 0 ? fuzz_input_u8(run->in) % 4 : 0;
    put_u32(v + at, size), at += 4;
    put_u32(v + at, n), at += 4;
    at += craft_ids(run, v + at, n, room);
    uint32_t t = craft_count(run, 0);
    put_u32(v + at, t), at += 4;
    at += craft_ids(run, v + at, t, room);
    return at;
}

/* A directory's record: type, flags, parent id (itself, another, 0, any). */
static uint32_t craft_dir_record(image_run *run, uint8_t *v, uint32_t ino) {
    uint8_t choice = fuzz_input_u8(run->in);
    v[0] = choice % 8 == 0 ? fuzz_input_u8(run->in) : NBS_FS_DIR;
    v[1] = choice % 8 == 1 ? 1 : 0;
    put_u32(v + 2, choice % 4 == 2 ? ino : craft_id(run));
    return 6;
}

/* A name: a short one, the longest allowed, longer, or with a "/", a 0 byte, "." or "..". */
static uint32_t craft_name(image_run *run, uint8_t *name, uint32_t room) {
    static const char *const names[] = {"a", "b", "dd", ".", "..", "a/b", "x\0y"};
    static const uint32_t lens[] = {1, 1, 2, 1, 2, 3, 3};
    uint8_t choice = fuzz_input_u8(run->in);
    if (choice % 16 == 15) { /* as long as the key allows, or the longest name */
        uint32_t len = choice & 16 ? room : NBS_FS_NAME_MAX;
        memset(name, 'n', len < room ? len : room);
        return len < room ? len : room;
    }
    if (choice % 16 == 14) return 0;
    unsigned pick = choice % 16 < 7 ? choice % 16 % 3 : choice % 7;
    memcpy(name, names[pick], lens[pick]);
    return lens[pick];
}

/* An entry's value: type then an inode id, or a link's target (empty, short, too long). */
static uint32_t craft_entry_value(image_run *run, uint8_t *v) {
    uint8_t choice = fuzz_input_u8(run->in);
    v[0] = choice % 8 == 0 ? fuzz_input_u8(run->in) : 1 + choice % 3;
    if (v[0] != 3 || choice % 16 == 1) {
        put_u32(v + 1, craft_id(run));
        return choice % 32 == 9 ? 1 + fuzz_input_below(run->in, 8) : 5;
    }
    uint32_t len = choice % 16 == 3   ? 0
                   : choice % 16 == 5 ? NBS_FS_LINK_MAX + 1 + choice / 64
                                      : 1 + fuzz_input_below(run->in, 12);
    for (uint32_t i = 0; i < len; i++) v[1 + i] = "ab/."[fuzz_input_below(run->in, 4)];
    return 1 + len;
}

/* One record of the input stored in the map (a store the map refuses is skipped). */
static void craft_record(image_run *run) {
    uint8_t key[NBS_KEY_MAX], *v = run->value;
    uint8_t kind = fuzz_input_u8(run->in);
    uint32_t key_len = 5, len = 0;
    uint32_t id = craft_id(run);
    switch (kind % 8) {
    case 0:
    case 1:
        key[0] = NS_INODE;
        len = craft_file_record(run, v);
        break;
    case 2:
        key[0] = NS_INODE;
        len = craft_dir_record(run, v, id);
        break;
    case 3:
    case 4:
        key[0] = NS_ENTRY;
        key_len += craft_name(run, key + 5, NBS_KEY_MAX - 5);
        len = craft_entry_value(run, v);
        break;
    case 5:
    case 6:
        key[0] = NS_BLOCK;
        len = fuzz_input_below(run->in, (run->fs.block_bytes ? run->fs.block_bytes : 64) + 9);
        fuzz_input_value(run->in, v, len);
        break;
    default: /* a value of any bytes under any key of the namespaces */
        key[0] = (uint8_t)(NS_INODE + fuzz_input_below(run->in, 3));
        key_len = 1 + fuzz_input_below(run->in, 12);
        len = fuzz_input_below(run->in, 64);
        fuzz_input_bytes(run->in, v, len);
        break;
    }
    put_u32(key + 1, id);
    if (kind % 8 == 7) fuzz_input_bytes(run->in, key + 1, key_len - 1);
    if (kind & 0x80) len = fuzz_input_below(run->in, len + 1); /* cut short */
    nbs_map_store(&run->store.f.map, key, key_len, v, len);
}

/* ---- using it ---- */

static void read_file(image_run *run, nbs_fs_dir *dir, const char *name, uint32_t size) {
    nbs_fs_file file;
    int rc = nbs_fs_open(&run->fs, dir, name, NBS_FS_R, &file);
    check_answer(run, "open r", rc);
    if (rc) return;
    uint32_t bb = run->fs.block_bytes;
    const uint32_t offsets[] = {0, bb - 1, bb, size ? size - 1 : 0, size, size + 1, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof offsets / sizeof *offsets; i++) {
        size_t count = i == 0 ? VALUE_MAX : 2 * bb + 3, actual = 0;
        rc = nbs_fs_read(&file, offsets[i], run->value, count, &actual);
        check_answer(run, "read", rc);
        FUZZ_REQUIRE(TARGET, actual <= count, "%s: read of %zu bytes at %u gave %zu", run->where,
                     count, (unsigned)offsets[i], actual);
    }
    nbs_fs_status st;
    check_answer(run, "file status", nbs_fs_file_status(&file, &st));
    nbs_fs_close(&file);
}

/* Every read call on the entries of a directory, and down into its subdirectories. */
static void walk(image_run *run, nbs_fs_dir *dir, int depth) {
    nbs_fs_scan scan;
    int rc = nbs_fs_scan_open(&run->fs, dir, "", &scan);
    check_answer(run, "scan open", rc);
    if (rc) return;
    char name[NBS_FS_NAME_MAX + 1];
    size_t len = 0;
    nbs_fs_status st;
    for (uint32_t listed = 0;; listed++) {
        /* a small buffer first, then room */
        rc = nbs_fs_scan_next(&scan, name, 1, &len, &st);
        if (rc == NBS_E_BUFFER_TOO_SMALL)
            rc = nbs_fs_scan_next(&scan, name, sizeof name, &len, &st);
        check_answer(run, "scan next", rc);
        if (rc) return;
        FUZZ_REQUIRE(TARGET, listed < run->items,
                     "%s: a scan lists more entries than the map's %u keys", run->where,
                     run->items);
        FUZZ_REQUIRE(TARGET,
                     len >= 1 && len <= NBS_FS_NAME_MAX && !memchr(name, '/', len) &&
                         !memchr(name, 0, len),
                     "%s: a scan lists a name of %zu bytes no path can hold", run->where, len);
        FUZZ_REQUIRE(TARGET, st.type != NBS_FS_FILE || st.size <= nbs_fs_max_file(&run->fs),
                     "%s: a scan lists a file of %u bytes, larger than the largest", run->where,
                     (unsigned)st.size);
        if (++run->visits > MAX_VISITS) return;
        char path[NBS_FS_NAME_MAX + 1];
        memcpy(path, name, len);
        path[len] = 0;
        nbs_fs_status of;
        rc = nbs_fs_status_of(&run->fs, dir, path, &of);
        check_answer(run, "status", rc);
        if (rc == NBS_OK && of.type == NBS_FS_FILE) read_file(run, dir, path, of.size);
        if (rc == NBS_OK && of.type == NBS_FS_LINK) {
            char target[NBS_FS_LINK_MAX];
            size_t target_len = 0;
            for (size_t capacity = 1; capacity <= NBS_FS_LINK_MAX;
                 capacity += NBS_FS_LINK_MAX - 1) {
                rc = nbs_fs_readlink(&run->fs, dir, path, target, capacity, &target_len);
                check_answer(run, "readlink", rc);
                FUZZ_REQUIRE(TARGET, rc || target_len <= capacity,
                             "%s: readlink gave %zu bytes into %zu", run->where, target_len,
                             capacity);
            }
        }
        if (rc == NBS_OK && of.type == NBS_FS_DIR && depth < MAX_DEPTH) {
            nbs_fs_dir sub;
            rc = nbs_fs_dir_open(&run->fs, dir, path, &sub);
            check_answer(run, "open directory", rc);
            if (rc == NBS_OK) {
                walk(run, &sub, depth + 1);
                nbs_fs_dir_close(&sub);
            }
        }
    }
}

static void walk_tree(image_run *run) {
    run->visits = 0;
    run->items = 0;
    nbs_map_count(&run->store.f.map, &run->items);
    walk(run, NULL, 0);
    static const char *const paths[] = {"", "a", "b", "dd", "a/b", "a/a/a", "dd/a/b", "a/b/dd/a"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        nbs_fs_status st;
        check_answer(run, "status", nbs_fs_status_of(&run->fs, NULL, paths[i], &st));
        nbs_fs_dir dir;
        int rc = nbs_fs_dir_open(&run->fs, NULL, paths[i], &dir);
        check_answer(run, "open directory", rc);
        if (rc == NBS_OK) {
            check_answer(run, "status from a directory",
                         nbs_fs_status_of(&run->fs, &dir, "a", &st));
            nbs_fs_dir_close(&dir);
        }
    }
}

/* A few writes: each may meet any record on its way (a loop of parents, a file whose table
 * names blocks that are not there, a size past its blocks). */
static void write_some(image_run *run) {
    static const char *const moves[][2] = {
        {"a", "a/b/a"}, {"a/b", "dd/b"}, {"dd", "a/dd"}, {"b", "a/a/b"}, {"a/a", "x"}};
    nbs_fs *fs = &run->fs;
    check_answer(run, "mkdir", nbs_fs_mkdir(fs, NULL, "x"));
    check_answer(run, "mkdir", nbs_fs_mkdir(fs, NULL, "a/x"));
    for (size_t i = 0; i < sizeof moves / sizeof *moves; i++)
        check_answer(run, "move", nbs_fs_move(fs, NULL, moves[i][0], NULL, moves[i][1]));
    static const char *const files[] = {"a", "b", "a/b", "dd/a", "f"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        nbs_fs_file file;
        int rc = nbs_fs_open(fs, NULL, files[i], i % 2 ? NBS_FS_R_PLUS : NBS_FS_W_PLUS, &file);
        check_answer(run, "open for writing", rc);
        if (rc) continue;
        memset(run->value, 0x5A, 300);
        check_answer(run, "write", nbs_fs_write(&file, fs->block_bytes - 3, run->value, 300));
        check_answer(run, "write", nbs_fs_write(&file, 2 * fs->block_bytes + 1, run->value, 9));
        size_t actual = 0;
        check_answer(run, "read after a write", nbs_fs_read(&file, 0, run->value, 400, &actual));
        check_answer(run, "setSize", nbs_fs_set_size(&file, fs->block_bytes + 5));
        check_answer(run, "setSize", nbs_fs_set_size(&file, 3 * fs->block_bytes));
        nbs_fs_close(&file);
    }
    check_answer(run, "link", nbs_fs_link(fs, NULL, "l", "a/b"));
    static const char *const deletes[] = {"l", "f", "a/b", "b", "dd", "a", "x"};
    for (size_t i = 0; i < sizeof deletes / sizeof *deletes; i++)
        check_answer(run, "delete", nbs_fs_delete(fs, NULL, deletes[i]));
}

static void mount_and_init(image_run *run, bool read_only) {
    run->store.f.config.read_only = read_only;
    int rc = fuzz_store_mount(&run->store);
    FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: mount of the crafted map%s: %s", run->where,
                 read_only ? " (read-only)" : "", nbs_strerror(rc));
    memset(&run->fs, 0xA5, sizeof run->fs);
    check_answer(run, "init", nbs_fs_init(&run->fs, &run->store.f.map, run->buf, run->buf_size));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    image_run *run = calloc(1, sizeof *run);
    run->in = &in;
    fuzz_store_start(&run->store, TARGET, EF_MAP, &in, run->where, sizeof run->where);
    uint8_t mode = fuzz_input_u8(&in);
    run->buf_size = nbs_fs_buffer_bytes(&run->store.f.binding.flash);
    run->buf = malloc(run->buf_size ? run->buf_size : 1);
    run->value = malloc(VALUE_MAX);
    /* The geometry's block size, for crafting (an init on the empty map). */
    nbs_fs_init(&run->fs, &run->store.f.map, run->buf, run->buf_size);
    for (int r = 0; r < MAX_RECORDS && !fuzz_input_done(&in); r++) craft_record(run);
    if (mode & 1) { /* read-only: every call answers, the writes refused, nothing written */
        uint64_t ops = nor_op_count(run->store.f.dev);
        mount_and_init(run, true);
        walk_tree(run);
        write_some(run);
        FUZZ_REQUIRE(TARGET, nor_op_count(run->store.f.dev) == ops,
                     "%s: a read-only mount, init and calls wrote to flash", run->where);
    }
    mount_and_init(run, false);
    walk_tree(run);
    write_some(run);
    walk_tree(run);
    mount_and_init(run, false);
    walk_tree(run);
    free(run->value);
    free(run->buf);
    fuzz_store_close(&run->store);
    free(run);
    return 0;
}
