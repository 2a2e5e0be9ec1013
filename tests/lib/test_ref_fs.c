/* The file system's reference model (sim/lib/ref_fs.h): its answers where nbs_fs.h's contract
 * fixes them (path rules, resolution through missing entries, files and links, modes, handles
 * that follow a move and die with a delete, sizes and holes) and its verdicts on what a cut may
 * leave (a write, a move of a directory: the whole tree as before or as after, never a mix). */
#include "nbs_fs.h"
#include "ref_fs.h"

#include <criterion/criterion.h>
#include <string.h>

static ref_fs t;
static ref_map m;

static void setup(void) {
    ref_fs_init(&t);
    t.max_file = 4096;
    ref_map_init(&m);
}

static void teardown(void) {
    ref_fs_free(&t);
    ref_map_free(&m);
}

TestSuite(ref_fs, .init = setup, .fini = teardown);

static ref_fs_call path_call(ref_fs_call_kind kind, const char *path) {
    return (ref_fs_call){.kind = kind,
                         .at = REF_FS_ROOT,
                         .path = path,
                         .to_at = REF_FS_ROOT,
                         .to = "",
                         .target = "",
                         .capacity = 255};
}

static ref_fs_call handle_call(ref_fs_call_kind kind, int slot) {
    ref_fs_call c = path_call(kind, "");
    c.slot = slot;
    return c;
}

/* The model's answer; the call applied as after the engine's success (when it succeeds). */
static ref_fs_answer apply(ref_fs_call c) {
    ref_fs_answer a = {0};
    ref_list_init(&a.entries);
    ref_fs_predict(&t, &m, &c, &a);
    if (a.rc >= 0 && ref_fs_begin(&t, &m, &c)) ref_map_end(&m, true);
    ref_fs_after(&t, &c, a.rc);
    return a;
}

static int rc_of(ref_fs_call c) {
    ref_fs_answer a = apply(c);
    ref_list_free(&a.entries);
    return a.rc;
}

static ref_fs_call open_call(const char *path, int mode, int slot) {
    ref_fs_call c = path_call(REF_FS_OPEN, path);
    c.mode = mode;
    c.slot = slot;
    return c;
}

static int write_text(int slot, uint32_t offset, const char *text) {
    ref_fs_call c = handle_call(REF_FS_WRITE, slot);
    c.offset = offset;
    c.data = (const uint8_t *)text;
    c.len = strlen(text);
    return rc_of(c);
}

/* The file's bytes through handle `slot` as text ('.' for a 0 byte). */
static void read_text(int slot, char *out, size_t size) {
    ref_fs_call c = handle_call(REF_FS_READ, slot);
    c.count = size - 1;
    ref_fs_answer a = apply(c);
    cr_assert_eq(a.rc, 0);
    for (size_t i = 0; i < a.length; i++) out[i] = a.bytes[i] ? (char)a.bytes[i] : '.';
    out[a.length] = '\0';
}

static nbs_fs_status status_of(const char *path) {
    ref_fs_answer a = apply(path_call(REF_FS_STATUS, path));
    cr_assert_eq(a.rc, 0, "status of \"%s\": %d", path, a.rc);
    return (nbs_fs_status){.type = (nbs_fs_type)a.type, .size = a.size};
}

/* The tree: a/ (b/ with file f "hello"), the link l -> "a/b/f". */
static void fill(void) {
    cr_assert_eq(rc_of(path_call(REF_FS_MKDIR, "a")), 1);
    cr_assert_eq(rc_of(path_call(REF_FS_MKDIR, "a/b")), 1);
    cr_assert_eq(rc_of(open_call("a/b/f", NBS_FS_W_PLUS, 0)), 0);
    cr_assert_eq(write_text(0, 0, "hello"), 0);
    ref_fs_call link = path_call(REF_FS_LINK, "l");
    link.target = "a/b/f";
    cr_assert_eq(rc_of(link), 0);
}

Test(ref_fs, paths_break_the_subpath_rules) {
    fill();
    const char *bad[] = {"/a", "a/", "a//b", ".", "a/..", "./a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(rc_of(path_call(REF_FS_STATUS, bad[i])), NBS_E_FS_PATH, "%s", bad[i]);
    char long_name[NBS_FS_NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[NBS_FS_NAME_MAX + 1] = '\0';
    cr_assert_eq(rc_of(path_call(REF_FS_MKDIR, long_name)), NBS_E_FS_PATH);
    long_name[NBS_FS_NAME_MAX] = '\0';
    cr_assert_eq(rc_of(path_call(REF_FS_MKDIR, long_name)), 1);
}

Test(ref_fs, status_of_each_kind_and_of_missing_paths) {
    fill();
    cr_assert_eq(status_of("a").type, NBS_FS_DIR);
    cr_assert_eq(status_of("a/b/f").type, NBS_FS_FILE);
    cr_assert_eq(status_of("a/b/f").size, 5);
    cr_assert_eq(status_of("l").type, NBS_FS_LINK);
    cr_assert_eq(status_of("l").size, 5);
    cr_assert_eq(status_of("").type, NBS_FS_DIR);
    cr_assert_eq(status_of("nope").type, NBS_FS_NONE);
    cr_assert_eq(status_of("nope/deeper").type, NBS_FS_NONE); /* its parent missing too */
    cr_assert_eq(rc_of(path_call(REF_FS_STATUS, "a/b/f/x")), NBS_E_FS_NOT_DIR);
    cr_assert_eq(rc_of(path_call(REF_FS_STATUS, "l/x")), NBS_E_FS_NOT_DIR); /* never followed */
}

Test(ref_fs, creation_answers) {
    fill();
    cr_assert_eq(rc_of(path_call(REF_FS_MKDIR, "a")), 0);     /* exists */
    cr_assert_eq(rc_of(path_call(REF_FS_MKDIR, "a/b/f")), 0); /* exists, a file */
    cr_assert_eq(rc_of(path_call(REF_FS_MKDIR, "x/y")), NBS_E_NOT_FOUND);
    cr_assert_eq(rc_of(path_call(REF_FS_MKDIR, "a/b/f/y")), NBS_E_FS_NOT_DIR);
    ref_fs_call link = path_call(REF_FS_LINK, "a");
    link.target = "t";
    cr_assert_eq(rc_of(link), NBS_E_FS_EXISTS);
    link.path = "m";
    link.target = "";
    cr_assert_eq(rc_of(link), NBS_E_INVAL);
    cr_assert_eq(rc_of(open_call("a", NBS_FS_R, 1)), NBS_E_FS_IS_DIR);
    cr_assert_eq(rc_of(open_call("l", NBS_FS_W, 1)), NBS_E_FS_NOT_FILE);
    cr_assert_eq(rc_of(open_call("new", NBS_FS_R_PLUS, 1)), NBS_E_NOT_FOUND);
    cr_assert_eq(rc_of(open_call("x/new", NBS_FS_W, 1)), NBS_E_NOT_FOUND);
}

Test(ref_fs, links_read_back_as_given) {
    fill();
    ref_fs_answer a = apply(path_call(REF_FS_READLINK, "l"));
    cr_assert_eq(a.rc, 0);
    cr_assert_eq(a.length, 5);
    cr_assert(memcmp(a.bytes, "a/b/f", 5) == 0);
    ref_fs_call small = path_call(REF_FS_READLINK, "l");
    small.capacity = 4;
    a = apply(small);
    cr_assert_eq(a.rc, NBS_E_BUFFER_TOO_SMALL);
    cr_assert_eq(a.length, 5);
    cr_assert_eq(rc_of(path_call(REF_FS_READLINK, "a")), NBS_E_FS_NOT_LINK);
    cr_assert_eq(rc_of(path_call(REF_FS_READLINK, "zz")), NBS_E_NOT_FOUND);
}

Test(ref_fs, writes_grow_with_holes_and_set_size_cuts_and_grows) {
    fill();
    char text[64];
    cr_assert_eq(write_text(0, 8, "XY"), 0);
    read_text(0, text, sizeof text);
    cr_assert_str_eq(text, "hello...XY");
    cr_assert_eq(write_text(0, 1, "EL"), 0);
    read_text(0, text, sizeof text);
    cr_assert_str_eq(text, "hELlo...XY");
    ref_fs_call size = handle_call(REF_FS_SET_SIZE, 0);
    size.size = 2;
    cr_assert_eq(rc_of(size), 0);
    size.size = 4;
    cr_assert_eq(rc_of(size), 0);
    read_text(0, text, sizeof text);
    cr_assert_str_eq(text, "hE..");
    ref_fs_call read = handle_call(REF_FS_READ, 0);
    read.offset = 3;
    read.count = 10;
    ref_fs_answer a = apply(read);
    cr_assert_eq(a.length, 1); /* fewer at the end */
    read.offset = 9;
    a = apply(read);
    cr_assert_eq(a.rc, 0);
    cr_assert_eq(a.length, 0);
    cr_assert_eq(write_text(0, 4095, "ab"), NBS_E_TOO_BIG);
    size.size = 4097;
    cr_assert_eq(rc_of(size), NBS_E_TOO_BIG);
}

Test(ref_fs, modes_and_closed_handles) {
    fill();
    cr_assert_eq(rc_of(open_call("a/b/f", NBS_FS_R, 1)), 0);
    cr_assert_eq(write_text(1, 0, "x"), NBS_E_FS_MODE);
    cr_assert_eq(rc_of(open_call("a/b/f", NBS_FS_W, 2)), 0); /* truncates */
    cr_assert_eq(status_of("a/b/f").size, 0);
    cr_assert_eq(rc_of(handle_call(REF_FS_READ, 2)), NBS_E_FS_MODE);
    cr_assert_eq(rc_of(handle_call(REF_FS_CLOSE, 2)), 0);
    cr_assert_eq(rc_of(handle_call(REF_FS_READ, 2)), NBS_E_FS_CLOSED);
    cr_assert_eq(rc_of(handle_call(REF_FS_FLUSH, 2)), NBS_E_FS_CLOSED);
    cr_assert_eq(rc_of(handle_call(REF_FS_FILE_STATUS, REF_FS_NEVER_OPEN)), NBS_E_FS_CLOSED);
    ref_fs_call at = path_call(REF_FS_STATUS, "b");
    at.at = 3; /* never opened */
    cr_assert_eq(rc_of(at), NBS_E_FS_CLOSED);
}

Test(ref_fs, handles_follow_a_move_and_die_with_a_delete) {
    fill();
    ref_fs_call dir = path_call(REF_FS_DIR_OPEN, "a/b");
    dir.slot = 0;
    cr_assert_eq(rc_of(dir), 0);
    cr_assert_eq(rc_of(path_call(REF_FS_MKDIR, "z")), 1);
    ref_fs_call move = path_call(REF_FS_MOVE, "a");
    move.to = "z/a2";
    cr_assert_eq(rc_of(move), 0);
    cr_assert_eq(status_of("z/a2/b/f").type, NBS_FS_FILE);
    cr_assert_eq(status_of("a").type, NBS_FS_NONE);
    cr_assert_str_eq(t.files[0].path, "z/a2/b/f");
    ref_fs_call in_dir = path_call(REF_FS_STATUS, "f");
    in_dir.at = 0; /* the directory handle followed too */
    ref_fs_answer a = apply(in_dir);
    cr_assert_eq(a.type, NBS_FS_FILE);
    cr_assert_eq(rc_of(path_call(REF_FS_DELETE, "z/a2/b")), NBS_E_FS_NOT_EMPTY);
    cr_assert_eq(rc_of(path_call(REF_FS_DELETE, "z/a2/b/f")), 1);
    cr_assert_eq(rc_of(path_call(REF_FS_DELETE, "z/a2/b/f")), 0); /* missing */
    cr_assert_eq(rc_of(handle_call(REF_FS_FILE_STATUS, 0)), NBS_E_NOT_FOUND);
    cr_assert_eq(rc_of(handle_call(REF_FS_FLUSH, 0)), NBS_E_NOT_FOUND);
    cr_assert_eq(rc_of(open_call("z/a2/b/f", NBS_FS_W, 1)), 0); /* a new file, not handle 0's */
    cr_assert_eq(rc_of(handle_call(REF_FS_FILE_STATUS, 0)), NBS_E_NOT_FOUND);
    ref_fs_close_gone(&t);
    cr_assert_eq(rc_of(handle_call(REF_FS_FILE_STATUS, 0)), NBS_E_FS_CLOSED);
}

Test(ref_fs, a_read_only_map_refuses_writers_in_the_engines_order) {
    fill();
    t.read_only = true;
    cr_assert_eq(rc_of(path_call(REF_FS_MKDIR, "a")), NBS_E_READ_ONLY); /* even when it exists */
    cr_assert_eq(rc_of(path_call(REF_FS_DELETE, "/bad")), NBS_E_READ_ONLY);
    ref_fs_call link = path_call(REF_FS_LINK, "new");
    cr_assert_eq(rc_of(link), NBS_E_INVAL); /* an empty target: checked first */
    cr_assert_eq(rc_of(open_call("a", NBS_FS_W, 1)), NBS_E_READ_ONLY);
    cr_assert_eq(rc_of(open_call("a", NBS_FS_R, 1)), NBS_E_FS_IS_DIR);
    cr_assert_eq(write_text(0, 0, "x"), NBS_E_READ_ONLY);
    cr_assert_eq(rc_of(open_call("a/b/f", NBS_FS_R, 2)), 0);
    cr_assert_eq(write_text(2, 0, "x"), NBS_E_FS_MODE); /* the mode first */
    cr_assert_eq(status_of("a/b/f").size, 5);
}

Test(ref_fs, the_base_directory_is_checked_after_the_path_except_by_status) {
    ref_fs_call c = path_call(REF_FS_MKDIR, "//");
    c.at = 2; /* never opened */
    cr_assert_eq(rc_of(c), NBS_E_FS_PATH);
    c.kind = REF_FS_STATUS;
    cr_assert_eq(rc_of(c), NBS_E_FS_CLOSED);
}

Test(ref_fs, moves_refused) {
    fill();
    ref_fs_call move = path_call(REF_FS_MOVE, "a");
    move.to = "a/b/inside";
    cr_assert_eq(rc_of(move), NBS_E_INVAL);
    move.to = "l";
    cr_assert_eq(rc_of(move), NBS_E_FS_EXISTS);
    move.path = "nope";
    move.to = "x";
    cr_assert_eq(rc_of(move), NBS_E_NOT_FOUND);
    move.path = "l";
    move.to = "nope/l";
    cr_assert_eq(rc_of(move), NBS_E_NOT_FOUND);
}

Test(ref_fs, scan_lists_direct_entries_only) {
    fill();
    ref_fs_answer a = apply(path_call(REF_FS_SCAN, ""));
    cr_assert_eq(a.rc, 0);
    cr_assert_eq(a.entries.count, 2); /* a, l */
    ref_list_free(&a.entries);
    a = apply(path_call(REF_FS_SCAN, "a/b"));
    cr_assert_eq(a.entries.count, 1);
    cr_assert(a.entries.items[0].key_len == 1 && a.entries.items[0].key[0] == 'f');
    cr_assert_eq(a.entries.items[0].value[0], NBS_FS_FILE);
    ref_list_free(&a.entries);
    cr_assert_eq(rc_of(path_call(REF_FS_SCAN, "l")), NBS_E_FS_NOT_DIR);
}

/* The tree as seen after a cut: the model's items, `edit` applied to a copy. */
static bool settles_with(void (*edit)(ref_list *), bool *applied) {
    ref_map copy;
    ref_map_init(&copy);
    ref_map_copy(&copy, &m);
    ref_map_end(&copy, false);
    edit(&copy.items);
    bool ok = ref_map_settle(&m, &copy.items, applied);
    ref_map_free(&copy);
    return ok;
}

static void unchanged(ref_list *items) {
    (void)items;
}

/* A write of "HELLO" over "hello" that reached only its first bytes. */
static void half_written(ref_list *items) {
    for (size_t i = 0; i < items->count; i++)
        if (items->items[i].key_len == 5 && memcmp(items->items[i].key, "a/b/f", 5) == 0)
            memcpy(items->items[i].value + 1, "HEl", 3);
}

/* A move of "a" to "z" that left both places. */
static void both_places(ref_list *items) {
    ref_list_append(items, "z", 1, "\x02", 1);
}

Test(ref_fs, a_cut_write_is_all_or_nothing) {
    fill();
    ref_fs_call c = handle_call(REF_FS_WRITE, 0);
    c.data = (const uint8_t *)"HELLO";
    c.len = 5;
    cr_assert(ref_fs_begin(&t, &m, &c));
    bool applied = true;
    cr_assert_not(settles_with(half_written, &applied));
    cr_assert(settles_with(unchanged, &applied));
    cr_assert_not(applied);
}

Test(ref_fs, a_cut_move_of_a_directory_is_one_place_or_the_other) {
    fill();
    ref_fs_call c = path_call(REF_FS_MOVE, "a");
    c.to = "z";
    cr_assert(ref_fs_begin(&t, &m, &c));
    bool applied = false;
    cr_assert_not(settles_with(both_places, &applied));
    ref_map after;
    ref_map_init(&after);
    ref_map_copy(&after, &m);
    ref_map_end(&after, true);
    cr_assert_eq(after.items.count, 4); /* z, z/b, z/b/f, l */
    cr_assert_not_null(ref_map_find(&after, "z/b/f", 5));
    cr_assert(ref_map_settle(&m, &after.items, &applied));
    cr_assert(applied);
    ref_map_free(&after);
}
