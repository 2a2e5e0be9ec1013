/* libFuzzer target "fs": the file system (nbs_fs.h) over a map on a fuzz geometry, driven by
 * a sequence of calls: mkdir, delete, move, link, readlink, status, scan (a write inside one
 * must make it stale), directory handles as bases, open in each mode (creating, truncating),
 * read, write at offsets in, at and past the end (and past the largest file), setSize, file
 * status, flush, close, clean remounts with init, and power cuts at a flash operation the input
 * chooses, in a torn mode it chooses, then a mount and init (cut again inside them sometimes;
 * a read-only mount and init first, sometimes, which must write nothing and read right).
 * Paths are made from a few short names, so they collide and nest, and some break ECMA-419's
 * rules. Every answer is checked against the target's own model of the tree (fs_model.h); after
 * a cut the tree read back must be the model before the call in flight or after it, whole (a
 * call that answered its success must be whole), and after an init that settled the map holds
 * no more inodes and blocks than the tree needs. Any disagreement aborts naming the call.
 *
 * Input: the map store's header (fuzz_store_start), then one opcode byte per call followed by
 * its arguments (see run_op). */
#include "fs_model.h"
#include "fuzz_finding.h"
#include "fuzz_input.h"
#include "fuzz_powercut.h"
#include "fuzz_store.h"
#include "nbs_fs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET "fs"

enum { MAX_OPS = 100, DIR_SLOTS = 3, FILE_SLOTS = 4, MAX_INIT_CUTS = 3, MAX_ANSWERS = 12 };
/* A generated path: at most 4 names, each at most one byte past the longest, and separators. */
enum { PATH_BUF = 4 * (NBS_FS_NAME_MAX + 3) + 2, CALL_BUF = 2 * PATH_BUF + 800 };

/* The names paths are made of: short ones that collide, and the longest name allowed. */
static const char *const names[] = {"a", "b", "c", "dd"};
enum { NAMES = 4 };

typedef struct dir_slot {
    nbs_fs_dir dir;
    int node;
} dir_slot;

typedef struct file_slot {
    nbs_fs_file file;
    int node;
} file_slot;

/* The answers the model allows a call: codes, and which of them mean the call committed. */
typedef struct answers {
    int count;
    int rc[MAX_ANSWERS];
    bool commits[MAX_ANSWERS];
} answers;

typedef struct fs_run {
    fuzz_store store;
    fuzz_input *in;
    nbs_fs fs;
    uint8_t *buf;
    size_t buf_size;
    fs_model models[2];
    fs_model *model; /* the tree as the calls so far left it */
    fs_model *next;  /* the tree if the call under way commits */
    dir_slot dirs[DIR_SLOTS];
    file_slot files[FILE_SLOTS];
    uint32_t max_file;   /* nbs_fs_max_file */
    int init_rc;         /* the last init's answer */
    uint8_t *scratch;    /* FS_MODEL_FILE_CAP + 1 bytes */
    char where[160];     /* the store */
    char call[CALL_BUF]; /* the call under way, for findings */
    char diff[600];      /* the first difference tree_matches found */
    int op_index;
    unsigned mounts; /* mounts since the start (a scan does not outlive one) */
} fs_run;

static const nbs_flash *flash_of(const fs_run *run) {
    return &run->store.f.binding.flash;
}

static bool powered(fs_run *run) {
    return nor_is_powered(run->store.f.dev);
}

static void allow(answers *a, int rc, bool commits) {
    if (a->count < MAX_ANSWERS) a->rc[a->count] = rc, a->commits[a->count++] = commits;
}

/* A call that writes first finishes init's clean-up if it failed (settled), then removes the
 * blocks an earlier write refused with NBS_E_FULL left (pending_*): either may meet NBS_E_FULL
 * before anything else, and then the call changes nothing (nbs_fs.h). */
static void writer_answers(const fs_run *run, answers *a) {
    if (run->fs.pending_from != run->fs.pending_to || !run->fs.settled) allow(a, NBS_E_FULL, false);
}

static bool allowed(const answers *a, int rc, bool *commits) {
    *commits = false;
    for (int i = 0; i < a->count; i++)
        if (a->rc[i] == rc) {
            *commits = a->commits[i];
            return true;
        }
    return false;
}

static const char *answers_text(const answers *a, char *buf, size_t size) {
    size_t at = 0;
    buf[0] = 0;
    for (int i = 0; i < a->count && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? " or " : "",
                               a->rc[i] > 0 ? "1" : nbs_strerror(a->rc[i]));
    return buf;
}

/* ---- paths and handles ---- */

/* A path from the input: 1..4 names of the alphabet, or a broken one (empty names, "." or
 * "..", a name one byte too long), or "" (the base itself), or one longest name. */
static void make_path(fs_run *run, char *path, size_t size) {
    uint8_t form = fuzz_input_u8(run->in);
    int depth = 1 + (int)fuzz_input_below(run->in, 3) + (form % 32 == 31);
    size_t at = 0;
    path[0] = 0;
    for (int i = 0; i < depth; i++) {
        char name[NBS_FS_NAME_MAX + 2];
        snprintf(name, sizeof name, "%s", names[fuzz_input_below(run->in, NAMES)]);
        if (form % 16 == 6 && i == depth - 1) { /* the longest name, or one byte more */
            uint32_t len = NBS_FS_NAME_MAX + (form / 16 % 2);
            memset(name, 'n', len);
            name[len] = 0;
        }
        if (form % 16 == 4 && i == depth - 1)
            snprintf(name, sizeof name, "%s", form & 16 ? "." : "..");
        at += (size_t)snprintf(path + at, size - at, "%s%s", i ? (form % 16 == 3 ? "//" : "/") : "",
                               name);
    }
    if (form % 16 == 0) path[0] = 0;
    if (form % 16 == 1) { /* a leading "/" */
        memmove(path + 1, path, strlen(path) + 1);
        path[0] = '/';
    }
    if (form % 16 == 2) snprintf(path + strlen(path), size - strlen(path), "/");
}

/* A call's path argument: its base directory (the root, NULL, or an open or closed directory
 * slot) with the model's node for it (-1: a closed handle, -2: a directory since deleted), and
 * the path. */
typedef struct path_arg {
    const nbs_fs_dir *at;
    int base;
    char path[PATH_BUF];
} path_arg;

static void take_base(fs_run *run, path_arg *p) {
    unsigned pick = fuzz_input_below(run->in, 2 * DIR_SLOTS);
    if (pick >= DIR_SLOTS) {
        p->at = NULL, p->base = 0;
        return;
    }
    dir_slot *d = &run->dirs[pick];
    p->at = &d->dir;
    p->base = !d->dir.open ? -1 : run->model->nodes[d->node].alive ? d->node : -2;
}

static const char *node_text(fs_run *run, int node, char *buf, size_t size);

/* The path, and the call's text for findings: "call N: WHAT 'PATH' from BASE". */
static void take_path(fs_run *run, path_arg *p, const char *what) {
    char text[200];
    make_path(run, p->path, sizeof p->path);
    snprintf(run->call, sizeof run->call, "call %d: %s '%s' from %s", run->op_index, what, p->path,
             node_text(run, p->base, text, sizeof text));
}

static void take_base_and_path(fs_run *run, path_arg *p, const char *what) {
    take_base(run, p);
    take_path(run, p, what);
}

/* Appends to the call's text. */
__attribute__((format(printf, 2, 3))) static void call_more(fs_run *run, const char *fmt, ...) {
    size_t used = strlen(run->call);
    va_list args;
    va_start(args, fmt);
    vsnprintf(run->call + used, sizeof run->call - used, fmt, args);
    va_end(args);
}

/* A closed handle: NBS_E_FS_CLOSED; one never opened (zeroed, no file system): NBS_E_INVAL too. */
static void closed_answers(answers *a, const nbs_fs *fs) {
    allow(a, NBS_E_FS_CLOSED, false);
    if (!fs) allow(a, NBS_E_INVAL, false);
}

static void base_answers(answers *a, int base, const nbs_fs_dir *at) {
    if (base == -1) closed_answers(a, at->fs);
    if (base == -2) allow(a, NBS_E_NOT_FOUND, false);
}

/* Where `path` leads from `base` in the model; the errors a path walk may give go to `a`.
 * Returns whether the walk reached the last name's parent with no error. */
static bool walk(fs_run *run, const path_arg *arg, answers *a, fs_where *w) {
    fs_path p = fs_path_parse(arg->path);
    base_answers(a, arg->base, arg->at);
    if (p.bad) allow(a, NBS_E_FS_PATH, false);
    if (p.bad || arg->base < 0) return false;
    *w = fs_model_walk(run->model, arg->base, &p);
    if (w->err) allow(a, w->err, false);
    return w->err == 0;
}

static void forget_handles(fs_run *run) {
    memset(run->dirs, 0, sizeof run->dirs);
    memset(run->files, 0, sizeof run->files);
}

static const char *node_text(fs_run *run, int node, char *buf, size_t size) {
    if (node == -1) return "a closed handle";
    if (node == -2) return "a deleted directory";
    return fs_model_path_of(run->model, node, buf, size);
}

/* ---- the tree read back ---- */

#define DIFFER(...)                                                                                \
    do {                                                                                           \
        snprintf(run->diff, sizeof run->diff, __VA_ARGS__);                                        \
        return false;                                                                              \
    } while (0)

/* Whether the entry `n` (node index) of model `m` reads back right under directory `dir`. */
static bool entry_matches(fs_run *run, const fs_model *m, nbs_fs_dir *dir, int n, int depth);

static bool dir_matches(fs_run *run, const fs_model *m, nbs_fs_dir *dir, int node, int depth) {
    char where[200];
    fs_model_path_of(m, node, where, sizeof where);
    nbs_fs_scan scan;
    int rc = nbs_fs_scan_open(&run->fs, dir, "", &scan);
    if (rc) DIFFER("scan of %s: %s", where, nbs_strerror(rc));
    uint32_t listed = 0, want = fs_model_children(m, node);
    char name[NBS_FS_NAME_MAX + 1];
    size_t len = 0;
    nbs_fs_status st;
    while ((rc = nbs_fs_scan_next(&scan, name, sizeof name, &len, &st)) == NBS_OK) {
        int child = len <= NBS_FS_NAME_MAX ? fs_model_child(m, node, name, (uint32_t)len) : -1;
        if (child < 0)
            DIFFER("scan of %s lists '%.*s', which the model lacks", where, (int)len, name);
        if (st.type != m->nodes[child].type || st.size != m->nodes[child].size)
            DIFFER("scan of %s: '%.*s' is type %d size %u, the model's type %d size %u", where,
                   (int)len, name, st.type, (unsigned)st.size, m->nodes[child].type,
                   (unsigned)m->nodes[child].size);
        if (++listed > want)
            DIFFER("scan of %s lists more than the model's %u entries", where, want);
    }
    if (rc != NBS_E_END) DIFFER("scan of %s ended with %s", where, nbs_strerror(rc));
    if (listed != want) DIFFER("scan of %s lists %u entries, the model %u", where, listed, want);
    for (int i = 1; i < m->used; i++)
        if (m->nodes[i].alive && m->nodes[i].parent == node &&
            !entry_matches(run, m, dir, i, depth))
            return false;
    return true;
}

static bool entry_matches(fs_run *run, const fs_model *m, nbs_fs_dir *dir, int n, int depth) {
    const fs_model_node *mn = &m->nodes[n];
    char path[NBS_FS_NAME_MAX + 1], where[200];
    memcpy(path, mn->name, mn->name_len);
    path[mn->name_len] = 0;
    fs_model_path_of(m, n, where, sizeof where);
    nbs_fs_status st;
    int rc = nbs_fs_status_of(&run->fs, dir, path, &st);
    if (rc || st.type != mn->type || st.size != mn->size)
        DIFFER("status of %s: %s, type %d size %u; the model's type %d size %u", where,
               nbs_strerror(rc), st.type, (unsigned)st.size, mn->type, (unsigned)mn->size);
    if (mn->type == NBS_FS_FILE) {
        nbs_fs_file file;
        rc = nbs_fs_open(&run->fs, dir, path, NBS_FS_R, &file);
        if (rc) DIFFER("open r of %s: %s", where, nbs_strerror(rc));
        size_t actual = 0;
        rc = nbs_fs_read(&file, 0, run->scratch, mn->size + 1, &actual);
        nbs_fs_close(&file);
        if (rc || actual != mn->size)
            DIFFER("read of %s: %s, %zu bytes; the model has %u", where, nbs_strerror(rc), actual,
                   (unsigned)mn->size);
        for (uint32_t i = 0; i < mn->size; i++)
            if (run->scratch[i] != m->data[n][i])
                DIFFER("%s: byte %u reads 0x%02x, the model's 0x%02x", where, (unsigned)i,
                       run->scratch[i], m->data[n][i]);
    } else if (mn->type == NBS_FS_LINK) {
        size_t len = 0;
        rc = nbs_fs_readlink(&run->fs, dir, path, (char *)run->scratch, NBS_FS_LINK_MAX, &len);
        if (rc || len != mn->size || memcmp(run->scratch, m->data[n], len))
            DIFFER("readlink of %s: %s, %zu bytes; the model's target has %u", where,
                   nbs_strerror(rc), len, (unsigned)mn->size);
    } else {
        if (depth > FS_MODEL_NODES) DIFFER("%s: directories nest deeper than the model's", where);
        nbs_fs_dir sub;
        rc = nbs_fs_dir_open(&run->fs, dir, path, &sub);
        if (rc) DIFFER("open of directory %s: %s", where, nbs_strerror(rc));
        bool ok = dir_matches(run, m, &sub, n, depth + 1);
        nbs_fs_dir_close(&sub);
        return ok;
    }
    return true;
}

/* Whether the whole tree reads back as model `m` (run->diff says where not). Reads only. */
static bool tree_matches(fs_run *run, const fs_model *m) {
    return dir_matches(run, m, NULL, 0, 0);
}

static void check_tree(fs_run *run, const char *when) {
    FUZZ_REQUIRE(TARGET, tree_matches(run, run->model), "%s: %s, %s: %s", run->where, run->call,
                 when, run->diff);
}

/* After an init that settled: the map holds a key per entry, and no more inodes and blocks
 * than the tree needs (SPEC 12's namespaces: 0x11 inodes, 0x12 entries, 0x13 blocks); nothing
 * else. A write's uncommitted blocks, a commit's replaced ones, a delete left half way: each
 * must be gone. */
static void check_no_leftovers(fs_run *run, const char *when) {
    uint32_t inodes = 0, entries = 0, blocks = 0, other = 0;
    uint32_t want_inodes = 1, want_entries = 0, want_blocks = 0; /* the root may have an inode */
    const fs_model *m = run->model;
    for (int i = 1; i < m->used; i++) {
        if (!m->nodes[i].alive) continue;
        want_entries++;
        want_inodes += m->nodes[i].type != NBS_FS_LINK;
        if (m->nodes[i].type == NBS_FS_FILE)
            want_blocks += (m->nodes[i].size + run->fs.block_bytes - 1) / run->fs.block_bytes;
    }
    nbs_map_iter it;
    nbs_map_iter_init(&run->store.f.map, &it);
    uint8_t key[NBS_KEY_MAX];
    size_t key_len, value_len;
    int rc;
    while ((rc = nbs_map_iter_next(&it, key, sizeof key, &key_len, run->scratch, FS_MODEL_FILE_CAP,
                                   &value_len)) == NBS_OK) {
        inodes += key[0] == 0x11;
        entries += key[0] == 0x12;
        blocks += key[0] == 0x13;
        other += key[0] < 0x11 || key[0] > 0x13;
    }
    FUZZ_REQUIRE(TARGET,
                 rc == NBS_E_END && entries == want_entries && inodes <= want_inodes &&
                     blocks <= want_blocks && other == 0,
                 "%s: %s, %s: the map holds %u entries, %u inodes, %u blocks, %u other keys (%s); "
                 "the tree needs %u entries, at most %u inodes and %u blocks",
                 run->where, run->call, when, entries, inodes, blocks, other, nbs_strerror(rc),
                 want_entries, want_inodes, want_blocks);
}

/* ---- mounts, inits, cuts ---- */

static int init_fs(fs_run *run) {
    run->mounts++;
    memset(&run->fs, 0xA5, sizeof run->fs);
    memset(run->buf, 0xA5, run->buf_size);
    run->init_rc = nbs_fs_init(&run->fs, &run->store.f.map, run->buf, run->buf_size);
    return run->init_rc;
}

/* Power on, mount (cuts inside the mount: fuzz_power_on_and_mount), init (the input may cut
 * inside its clean-up: then again). */
static void power_on_and_init(fs_run *run) {
    for (int cuts = 0;; cuts++) {
        fuzz_power_on_and_mount(&run->store, run->in);
        bool cut_again = cuts < MAX_INIT_CUTS && fuzz_input_u8(run->in) % 4 == 0;
        if (cut_again) nor_arm_cut_after_ops(run->store.f.dev, fuzz_input_below(run->in, 12));
        int rc = init_fs(run);
        if (!powered(run)) continue;
        nor_disarm_cut(run->store.f.dev);
        FUZZ_REQUIRE(TARGET, rc == NBS_OK || rc == NBS_E_FULL, "%s: %s: init after a cut: %s",
                     run->where, run->call, nbs_strerror(rc));
        return;
    }
}

static void swap_models(fs_run *run) {
    fs_model *t = run->model;
    run->model = run->next;
    run->next = t;
}

/* After a cut, sometimes, before the read-write mount: a read-only mount and init must write
 * nothing and read the tree as before the call in flight or, whole, as after it (nbs_fs.h: what
 * a cut left stays until a read-write init; reads are right). */
static void look_read_only(fs_run *run, bool may_commit) {
    nor_power_on(run->store.f.dev);
    uint64_t ops = nor_op_count(run->store.f.dev);
    run->store.f.config.read_only = true;
    int rc = fuzz_store_mount(&run->store);
    FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: %s was cut: a read-only mount: %s", run->where,
                 run->call, nbs_strerror(rc));
    rc = init_fs(run);
    FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: %s was cut: a read-only init: %s", run->where,
                 run->call, nbs_strerror(rc));
    char before[600];
    bool as_before = tree_matches(run, run->model);
    snprintf(before, sizeof before, "%s", run->diff);
    FUZZ_REQUIRE(TARGET, as_before || (may_commit && tree_matches(run, run->next)),
                 "%s: %s was cut: read-only, the tree is neither as before (%s) nor as after it "
                 "(%s)",
                 run->where, run->call, before,
                 may_commit ? run->diff : "the call may not change it");
    FUZZ_REQUIRE(TARGET, nor_op_count(run->store.f.dev) == ops,
                 "%s: %s was cut: the read-only mount and init wrote to flash", run->where,
                 run->call);
    run->store.f.config.read_only = false;
}

/* After a cut in the call under way (`may_commit`: its success was allowed; `answered_commit`:
 * it answered its success before the power went): the tree must be the model before the call
 * or, whole, after it. */
static void recover(fs_run *run, bool may_commit, bool answered_commit) {
    forget_handles(run);
    if (fuzz_input_u8(run->in) % 4 == 2) look_read_only(run, may_commit);
    power_on_and_init(run);
    char before[600];
    bool as_before = tree_matches(run, run->model);
    snprintf(before, sizeof before, "%s", run->diff);
    if (!as_before || answered_commit) {
        bool as_after = may_commit && tree_matches(run, run->next);
        FUZZ_REQUIRE(TARGET, as_after || (as_before && !answered_commit),
                     "%s: %s was cut: the tree is neither as before (%s) nor as after it (%s)",
                     run->where, run->call, as_before ? "it is" : before,
                     may_commit ? run->diff : "the call may not change it");
        swap_models(run);
    }
    if (run->init_rc == NBS_OK) check_no_leftovers(run, "after a cut and an init");
}

/* The end of a call that may write: a cut recovers; else the answer must be allowed, and the
 * model follows it. */
static void end_call(fs_run *run, int rc, const answers *a) {
    bool commits = false, ok = allowed(a, rc, &commits);
    if (!powered(run)) {
        bool may_commit = false;
        for (int i = 0; i < a->count; i++) may_commit |= a->commits[i];
        recover(run, may_commit, ok && commits);
        return;
    }
    char want[200];
    FUZZ_REQUIRE(TARGET, ok, "%s: %s returned %s, the model allows %s", run->where, run->call,
                 rc > 0 ? "1" : nbs_strerror(rc), answers_text(a, want, sizeof want));
    if (commits) swap_models(run);
    if (rc == NBS_E_FULL) check_tree(run, "after NBS_E_FULL (nothing may change)");
}

/* A clean reboot: mount and init (a cut still armed may land in them: then a recovery). */
static void op_remount(fs_run *run) {
    snprintf(run->call, sizeof run->call, "call %d: remount and init", run->op_index);
    forget_handles(run);
    int rc = fuzz_store_mount(&run->store);
    if (powered(run)) {
        FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: %s: mount: %s", run->where, run->call,
                     nbs_strerror(rc));
        rc = init_fs(run);
    }
    if (!powered(run)) {
        power_on_and_init(run);
        rc = run->init_rc;
    }
    FUZZ_REQUIRE(TARGET, rc == NBS_OK || rc == NBS_E_FULL, "%s: %s: init: %s", run->where,
                 run->call, nbs_strerror(rc));
    check_tree(run, "after the remount");
    if (rc == NBS_OK) check_no_leftovers(run, "after the remount");
}

/* ---- calls on the tree ---- */

static void op_mkdir(fs_run *run) {
    path_arg p;
    take_base_and_path(run, &p, "mkdir");
    answers a = {0};
    fs_where w;
    fs_model_copy(run->next, run->model);
    if (walk(run, &p, &a, &w)) {
        if (w.node >= 0) {
            allow(&a, 0, false);
        } else if (fs_model_add(run->next, w.parent, w.name, w.name_len, NBS_FS_DIR) < 0) {
            return; /* the model has no node left */
        } else {
            allow(&a, 1, true);
            allow(&a, NBS_E_FULL, false);
        }
    }
    writer_answers(run, &a);
    end_call(run, nbs_fs_mkdir(&run->fs, p.at, p.path), &a);
}

static void op_delete(fs_run *run) {
    path_arg p;
    take_base_and_path(run, &p, "delete");
    answers a = {0};
    fs_where w;
    fs_model_copy(run->next, run->model);
    bool reached = walk(run, &p, &a, &w);
    if (p.base >= 0 && (w.err == NBS_E_NOT_FOUND || w.err == NBS_E_FS_NOT_DIR))
        allow(&a, 0, false); /* a path whose parent is missing is missing too */
    if (reached && !*p.path) {
        allow(&a, NBS_E_INVAL, false); /* "" names the base itself, which has no name there */
    } else if (reached && w.node < 0) {
        allow(&a, 0, false);
    } else if (reached && run->model->nodes[w.node].type == NBS_FS_DIR &&
               fs_model_children(run->model, w.node)) {
        allow(&a, NBS_E_FS_NOT_EMPTY, false);
    } else if (reached) {
        fs_model_remove(run->next, w.node);
        allow(&a, 1, true);
        allow(&a, NBS_E_FULL, false);
    }
    writer_answers(run, &a);
    end_call(run, nbs_fs_delete(&run->fs, p.at, p.path), &a);
}

/* Whether moving `node` to a name of `name_len` bytes fits one transaction (removal of the old
 * entry, store of the new; a directory's record too): 1 yes, -1 no, 0 too close to tell (the
 * staging's own bytes are the engine's). */
static int move_fits(const fs_run *run, int node, uint32_t name_len) {
    const fs_model_node *n = &run->model->nodes[node];
    uint32_t value = n->type == NBS_FS_LINK ? 1 + n->size : 5;
    uint32_t old = nbs_map_txn_member_bytes(flash_of(run), 5 + n->name_len, 0);
    uint32_t new = nbs_map_txn_member_bytes(flash_of(run), 5 + name_len, value);
    uint32_t dir = n->type == NBS_FS_DIR ? nbs_map_txn_member_bytes(flash_of(run), 5, 6) : 0;
    uint32_t need = old + new + dir, max = nbs_map_txn_max(flash_of(run));
    return !old || !new || need > max + 16 ? -1 : need + 16 < max ? 1 : 0;
}

static void op_move(fs_run *run) {
    path_arg from, to;
    char text[200];
    take_base(run, &from);
    take_base(run, &to);
    take_path(run, &from, "move");
    make_path(run, to.path, sizeof to.path);
    call_more(run, " to '%s' from %s", to.path, node_text(run, to.base, text, sizeof text));
    answers a = {0};
    fs_where wf, wt;
    fs_model_copy(run->next, run->model);
    bool from_ok = walk(run, &from, &a, &wf);
    bool to_ok = walk(run, &to, &a, &wt);
    if (from_ok && wf.node < 0) allow(&a, NBS_E_NOT_FOUND, false), from_ok = false;
    if (to_ok && wt.node >= 0) allow(&a, NBS_E_FS_EXISTS, false), to_ok = false;
    if (from_ok && to_ok && run->model->nodes[wf.node].type == NBS_FS_DIR &&
        fs_model_within(run->model, wt.parent, wf.node))
        allow(&a, NBS_E_INVAL, false), to_ok = false;
    if (from_ok && !*from.path) /* "" names the base itself ("" as `to` exists) */
        allow(&a, NBS_E_INVAL, false), from_ok = false;
    if (from_ok && to_ok && a.count == 0) {
        int fits = move_fits(run, wf.node, wt.name_len);
        if (fits <= 0) allow(&a, NBS_E_TOO_BIG, false);
        if (fits >= 0) {
            fs_model_node *n = &run->next->nodes[wf.node];
            n->parent = wt.parent;
            n->name_len = wt.name_len;
            memcpy(n->name, wt.name, wt.name_len);
            allow(&a, NBS_OK, true);
            allow(&a, NBS_E_FULL, false);
        }
    }
    writer_answers(run, &a);
    end_call(run, nbs_fs_move(&run->fs, from.at, from.path, to.at, to.path), &a);
}

/* A link target: short text with "/" and dots, none, the longest, or one byte more. */
static uint32_t make_target(fs_run *run, char target[NBS_FS_LINK_MAX + 2]) {
    static const char alphabet[] = "ab/.c";
    uint8_t form = fuzz_input_u8(run->in);
    uint32_t len = form % 16 == 0   ? 0
                   : form % 16 == 1 ? NBS_FS_LINK_MAX + form / 16 % 2
                                    : 1 + fuzz_input_below(run->in, 24);
    for (uint32_t i = 0; i < len; i++) target[i] = alphabet[fuzz_input_below(run->in, 5)];
    target[len] = 0;
    return len;
}

static void op_link(fs_run *run) {
    path_arg p;
    char target[NBS_FS_LINK_MAX + 2];
    take_base_and_path(run, &p, "link");
    uint32_t len = make_target(run, target);
    call_more(run, " to '%.40s' (%u bytes)", target, (unsigned)len);
    answers a = {0};
    fs_where w;
    fs_model_copy(run->next, run->model);
    bool reached = walk(run, &p, &a, &w);
    bool bad_target = len < 1 || len > NBS_FS_LINK_MAX;
    if (bad_target) allow(&a, NBS_E_INVAL, false), allow(&a, NBS_E_TOO_BIG, false);
    if (reached && w.node >= 0) {
        allow(&a, NBS_E_FS_EXISTS, false);
    } else if (reached && !bad_target &&
               1 + len > nbs_map_max_value(flash_of(run), 5 + w.name_len)) {
        allow(&a, NBS_E_TOO_BIG, false); /* its entry (type, target) cannot be one map value */
    } else if (reached && !bad_target) {
        int n = fs_model_add(run->next, w.parent, w.name, w.name_len, NBS_FS_LINK);
        if (n < 0) return;
        memcpy(fs_model_data(run->next, n), target, len);
        run->next->nodes[n].size = len;
        allow(&a, NBS_OK, true);
        allow(&a, NBS_E_FULL, false);
    }
    writer_answers(run, &a);
    end_call(run, nbs_fs_link(&run->fs, p.at, p.path, target), &a);
}

/* Calls that read the tree: a cut cannot land in them (reads are no flash operations that
 * count), but a failure to answer right is a finding. */
static void expect(fs_run *run, int rc, const answers *a) {
    bool commits;
    char want[200];
    FUZZ_REQUIRE(TARGET, allowed(a, rc, &commits), "%s: %s returned %s, the model allows %s",
                 run->where, run->call, rc > 0 ? "1" : nbs_strerror(rc),
                 answers_text(a, want, sizeof want));
}

static void op_readlink(fs_run *run) {
    path_arg p;
    char got[NBS_FS_LINK_MAX + 1];
    take_base_and_path(run, &p, "readlink");
    uint32_t capacity = fuzz_input_below(run->in, 40);
    if (capacity >= 30) capacity = NBS_FS_LINK_MAX;
    call_more(run, ", capacity %u", (unsigned)capacity);
    answers a = {0};
    fs_where w;
    bool reached = walk(run, &p, &a, &w);
    int node = reached ? w.node : -1;
    const fs_model_node *n = node >= 0 ? &run->model->nodes[node] : NULL;
    if (reached && !n) allow(&a, NBS_E_NOT_FOUND, false);
    if (n && n->type != NBS_FS_LINK) allow(&a, NBS_E_FS_NOT_LINK, false);
    if (n && n->type == NBS_FS_LINK)
        allow(&a, n->size > capacity ? NBS_E_BUFFER_TOO_SMALL : NBS_OK, false);
    size_t len = 0;
    int rc = nbs_fs_readlink(&run->fs, p.at, p.path, got, capacity, &len);
    expect(run, rc, &a);
    if (n && n->type == NBS_FS_LINK && (rc == NBS_OK || rc == NBS_E_BUFFER_TOO_SMALL))
        FUZZ_REQUIRE(TARGET, len == n->size && (rc || !memcmp(got, run->model->data[node], len)),
                     "%s: %s: %zu bytes, the model's target has %u", run->where, run->call, len,
                     (unsigned)n->size);
}

static void op_status(fs_run *run) {
    path_arg p;
    take_base_and_path(run, &p, "status");
    answers a = {0};
    fs_where w;
    bool reached = walk(run, &p, &a, &w);
    /* a missing path, its parent missing too: type none (a file or link on the way:
     * NBS_E_FS_NOT_DIR, from the walk) */
    if (p.base >= 0 && w.err == NBS_E_NOT_FOUND) allow(&a, 0, false);
    if (reached) allow(&a, 0, false);
    nbs_fs_status st = {.type = (nbs_fs_type)99};
    int rc = nbs_fs_status_of(&run->fs, p.at, p.path, &st);
    expect(run, rc, &a);
    if (rc) return;
    int node = reached ? w.node : -1;
    nbs_fs_type type = node >= 0 ? run->model->nodes[node].type : NBS_FS_NONE;
    uint32_t size = node >= 0 ? run->model->nodes[node].size : 0;
    FUZZ_REQUIRE(TARGET, st.type == type && st.size == size,
                 "%s: %s: type %d size %u, the model's type %d size %u", run->where, run->call,
                 st.type, (unsigned)st.size, type, (unsigned)size);
}

/* The answers to a call that needs a directory at the path (open, scan). */
static void dir_answers(fs_run *run, const path_arg *p, answers *a, fs_where *w) {
    if (!walk(run, p, a, w)) return;
    if (w->node < 0)
        allow(a, NBS_E_NOT_FOUND, false);
    else
        allow(a, run->model->nodes[w->node].type == NBS_FS_DIR ? NBS_OK : NBS_E_FS_NOT_DIR, false);
}

static void op_dir_open(fs_run *run) {
    path_arg p;
    take_base(run, &p);
    dir_slot *d = &run->dirs[fuzz_input_below(run->in, DIR_SLOTS)];
    take_path(run, &p, "open directory");
    answers a = {0};
    fs_where w;
    dir_answers(run, &p, &a, &w);
    nbs_fs_dir opened;
    int rc = nbs_fs_dir_open(&run->fs, p.at, p.path, &opened);
    expect(run, rc, &a);
    if (rc) return;
    if (d->dir.open) nbs_fs_dir_close(&d->dir);
    d->dir = opened;
    d->node = w.node;
}

/* A scan, checked entry by entry (a small name buffer sometimes: then again with room); the
 * input may make a call inside it: after one that wrote, the next step must be stale. */
static void run_op(fs_run *run, uint8_t opcode);

static void op_scan(fs_run *run) {
    path_arg p;
    char call[CALL_BUF];
    take_base_and_path(run, &p, "scan");
    uint8_t inside = fuzz_input_u8(run->in);
    snprintf(call, sizeof call, "%s", run->call); /* a call inside the scan takes run->call */
    answers a = {0};
    fs_where w;
    dir_answers(run, &p, &a, &w);
    nbs_fs_scan scan;
    int rc = nbs_fs_scan_open(&run->fs, p.at, p.path, &scan);
    expect(run, rc, &a);
    if (rc) return;
    int dir = w.node;
    uint64_t seen[(FS_MODEL_NODES + 63) / 64] = {0};
    uint32_t want = fs_model_children(run->model, dir), listed = 0;
    char name[NBS_FS_NAME_MAX + 1];
    for (;;) {
        size_t len = 0, capacity = fuzz_input_u8(run->in) % 8 == 0 ? fuzz_input_below(run->in, 3)
                                                                   : sizeof name;
        nbs_fs_status st;
        rc = nbs_fs_scan_next(&scan, name, capacity, &len, &st);
        if (rc == NBS_E_BUFFER_TOO_SMALL) {
            FUZZ_REQUIRE(TARGET, len > capacity,
                         "%s: %s: too small for %zu bytes with room for %zu", run->where, call, len,
                         capacity);
            rc = nbs_fs_scan_next(&scan, name, sizeof name, &len, &st);
        }
        if (rc != NBS_OK) break;
        int child =
            len <= NBS_FS_NAME_MAX ? fs_model_child(run->model, dir, name, (uint32_t)len) : -1;
        FUZZ_REQUIRE(TARGET, child >= 0 && !(seen[child / 64] >> (child % 64) & 1),
                     "%s: %s lists '%.*s' (unknown or twice)", run->where, call, (int)len, name);
        seen[child / 64] |= 1ull << (child % 64);
        listed++;
        FUZZ_REQUIRE(TARGET,
                     st.type == run->model->nodes[child].type &&
                         st.size == run->model->nodes[child].size,
                     "%s: %s: '%.*s' type %d size %u, the model's type %d size %u", run->where,
                     call, (int)len, name, st.type, (unsigned)st.size,
                     run->model->nodes[child].type, (unsigned)run->model->nodes[child].size);
        if (inside % 4 == 0) { /* a call inside the scan */
            uint32_t writes = run->store.f.map.log.writes, mounts = run->mounts;
            run_op(run, fuzz_input_u8(run->in));
            if (run->mounts != mounts || run->store.f.map.log.writes == writes) return;
            rc = nbs_fs_scan_next(&scan, name, sizeof name, &len, &st);
            FUZZ_REQUIRE(TARGET, rc == NBS_E_ITER_STALE,
                         "%s: %s: the next step after a write inside it returned %s", run->where,
                         call, nbs_strerror(rc));
            return;
        }
    }
    FUZZ_REQUIRE(TARGET, rc == NBS_E_END && listed == want, "%s: %s ended with %s after %u of %u",
                 run->where, call, nbs_strerror(rc), listed, want);
}

/* ---- calls on files ---- */

static void op_open(fs_run *run) {
    static const char *const mode_names[] = {"r", "r+", "w", "w+"};
    path_arg p;
    take_base(run, &p);
    file_slot *f = &run->files[fuzz_input_below(run->in, FILE_SLOTS)];
    nbs_fs_mode mode = (nbs_fs_mode)fuzz_input_below(run->in, 4);
    take_path(run, &p, "open");
    call_more(run, " in mode %s", mode_names[mode]);
    answers a = {0};
    fs_where w;
    fs_model_copy(run->next, run->model);
    bool creates = mode == NBS_FS_W || mode == NBS_FS_W_PLUS;
    int node = -1;
    if (walk(run, &p, &a, &w)) {
        nbs_fs_type type = w.node >= 0 ? run->model->nodes[w.node].type : NBS_FS_NONE;
        if (type == NBS_FS_DIR) {
            allow(&a, NBS_E_FS_IS_DIR, false);
        } else if (type == NBS_FS_LINK) {
            allow(&a, NBS_E_FS_NOT_FILE, false);
        } else if (type == NBS_FS_NONE && !creates) {
            allow(&a, NBS_E_NOT_FOUND, false);
        } else if (type == NBS_FS_FILE && !creates) {
            node = w.node;
            allow(&a, NBS_OK, false);
        } else {
            node = type == NBS_FS_FILE
                       ? w.node
                       : fs_model_add(run->next, w.parent, w.name, w.name_len, NBS_FS_FILE);
            if (node < 0) return;
            fs_model_resize(run->next, node, 0);
            allow(&a, NBS_OK, true);
            allow(&a, NBS_E_FULL, false);
        }
    }
    if (creates) writer_answers(run, &a);
    nbs_fs_file opened;
    int rc = nbs_fs_open(&run->fs, p.at, p.path, mode, &opened);
    if (rc == NBS_OK && node >= 0 && powered(run)) {
        if (f->file.open) nbs_fs_close(&f->file);
        f->file = opened;
        f->node = node;
    }
    end_call(run, rc, &a);
}

/* The handle's state for the model: -1 closed, -2 its file deleted, else its node. */
static int file_node(fs_run *run, file_slot *f) {
    return !f->file.open ? -1 : run->model->nodes[f->node].alive ? f->node : -2;
}

static void file_answers(answers *a, const file_slot *f, int node, bool mode_ok) {
    if (node == -1) closed_answers(a, f->file.fs);
    if (node == -2) allow(a, NBS_E_NOT_FOUND, false);
    if (!mode_ok && node != -1) allow(a, NBS_E_FS_MODE, false);
}

static void op_read(fs_run *run) {
    file_slot *f = &run->files[fuzz_input_below(run->in, FILE_SLOTS)];
    int node = file_node(run, f);
    uint32_t size = node >= 0 ? run->model->nodes[node].size : 0;
    uint32_t bb = run->fs.block_bytes;
    uint32_t offset = fuzz_input_u8(run->in) % 4 == 0 ? fuzz_input_below(run->in, size + bb)
                                                      : fuzz_input_below(run->in, size + 3);
    uint32_t count = fuzz_input_below(run->in, 2 * bb + 8);
    snprintf(run->call, sizeof run->call, "call %d: read %u bytes at %u of file slot %d (%u bytes)",
             run->op_index, (unsigned)count, (unsigned)offset, (int)(f - run->files),
             (unsigned)size);
    answers a = {0};
    file_answers(&a, f, node, f->file.mode != NBS_FS_W);
    if (a.count == 0) allow(&a, NBS_OK, false);
    size_t actual = 0;
    int rc = nbs_fs_read(&f->file, offset, run->scratch, count, &actual);
    expect(run, rc, &a);
    if (rc) return;
    uint32_t n = offset >= size ? 0 : size - offset < count ? size - offset : count;
    FUZZ_REQUIRE(TARGET, actual == n, "%s: %s: %zu bytes read, the model has %u", run->where,
                 run->call, actual, (unsigned)n);
    for (uint32_t i = 0; i < n; i++)
        FUZZ_REQUIRE(TARGET, run->scratch[i] == run->model->data[node][offset + i],
                     "%s: %s: byte %u reads 0x%02x, the model's 0x%02x", run->where, run->call,
                     (unsigned)(offset + i), run->scratch[i], run->model->data[node][offset + i]);
}

/* An end the model can hold (the file stays within FS_MODEL_FILE_CAP unless it passes the
 * largest file, which is refused). */
static uint32_t fit_end(fs_run *run, uint32_t end) {
    if (end > FS_MODEL_FILE_CAP && end <= run->max_file) return FS_MODEL_FILE_CAP;
    return end;
}

static void op_write(fs_run *run) {
    file_slot *f = &run->files[fuzz_input_below(run->in, FILE_SLOTS)];
    int node = file_node(run, f);
    uint32_t size = node >= 0 ? run->model->nodes[node].size : 0;
    uint32_t bb = run->fs.block_bytes;
    uint8_t where = fuzz_input_u8(run->in);
    uint32_t len = 1 + fuzz_input_below(run->in, where % 8 == 5 ? 8 : 2 * bb + 16);
    if (where == 0xFF) len = 0; /* writes nothing, the size as it is */
    uint32_t offset;
    switch (where % 8) {
    case 0: offset = 0; break;
    case 1: offset = size; break;
    case 2: offset = fuzz_input_below(run->in, size + 1); break;
    case 3: offset = size + fuzz_input_below(run->in, 2 * bb); break; /* a gap past the end */
    case 4: offset = bb * (1 + fuzz_input_below(run->in, 4)) - fuzz_input_below(run->in, 3); break;
    case 5: offset = run->max_file - len + fuzz_input_below(run->in, 3); break; /* at the limit */
    default: offset = fuzz_input_below(run->in, size + bb); break;
    }
    uint32_t end = fit_end(run, offset + len);
    if (end < offset + len) offset = end - len;
    uint8_t *data = run->scratch;
    fuzz_input_value(run->in, data, len);
    snprintf(run->call, sizeof run->call,
             "call %d: write %u bytes at %u of file slot %d (%u bytes; blocks of %u, largest %u)",
             run->op_index, (unsigned)len, (unsigned)offset, (int)(f - run->files), (unsigned)size,
             (unsigned)bb, (unsigned)run->max_file);
    answers a = {0};
    file_answers(&a, f, node, f->file.mode != NBS_FS_R);
    fs_model_copy(run->next, run->model);
    if (node >= 0 && (uint64_t)offset + len > run->max_file) allow(&a, NBS_E_TOO_BIG, false);
    if (a.count == 0 && len) {
        if (offset + len > size) fs_model_resize(run->next, node, offset + len);
        memcpy(fs_model_data(run->next, node) + offset, data, len);
        allow(&a, NBS_OK, true);
        allow(&a, NBS_E_FULL, false);
    } else if (a.count == 0) {
        allow(&a, NBS_OK, false);
    }
    writer_answers(run, &a);
    end_call(run, nbs_fs_write(&f->file, offset, data, len), &a);
}

static void op_set_size(fs_run *run) {
    file_slot *f = &run->files[fuzz_input_below(run->in, FILE_SLOTS)];
    int node = file_node(run, f);
    uint32_t old = node >= 0 ? run->model->nodes[node].size : 0, bb = run->fs.block_bytes;
    uint8_t choice = fuzz_input_u8(run->in);
    uint32_t size = choice % 8 == 0   ? 0
                    : choice % 8 == 1 ? run->max_file + choice / 8 % 2
                    : choice % 8 < 5  ? fuzz_input_below(run->in, old + 1)
                                      : old + fuzz_input_below(run->in, 2 * bb);
    size = fit_end(run, size);
    snprintf(run->call, sizeof run->call, "call %d: setSize %u of file slot %d (%u bytes)",
             run->op_index, (unsigned)size, (int)(f - run->files), (unsigned)old);
    answers a = {0};
    file_answers(&a, f, node, f->file.mode != NBS_FS_R);
    fs_model_copy(run->next, run->model);
    if (node >= 0 && size > run->max_file) allow(&a, NBS_E_TOO_BIG, false);
    if (a.count == 0) {
        fs_model_resize(run->next, node, size);
        allow(&a, NBS_OK, true);
        allow(&a, NBS_E_FULL, false);
    }
    writer_answers(run, &a);
    end_call(run, nbs_fs_set_size(&f->file, size), &a);
}

static void op_file_status(fs_run *run) {
    file_slot *f = &run->files[fuzz_input_below(run->in, FILE_SLOTS)];
    int node = file_node(run, f);
    snprintf(run->call, sizeof run->call, "call %d: status of file slot %d", run->op_index,
             (int)(f - run->files));
    answers a = {0};
    file_answers(&a, f, node, true);
    if (a.count == 0) allow(&a, NBS_OK, false);
    nbs_fs_status st = {.type = (nbs_fs_type)99};
    int rc = nbs_fs_file_status(&f->file, &st);
    expect(run, rc, &a);
    if (rc == NBS_OK)
        FUZZ_REQUIRE(TARGET, st.type == NBS_FS_FILE && st.size == run->model->nodes[node].size,
                     "%s: %s: type %d size %u, the model's size %u", run->where, run->call, st.type,
                     (unsigned)st.size, (unsigned)run->model->nodes[node].size);
}

static void op_flush_or_close(fs_run *run, bool close) {
    file_slot *f = &run->files[fuzz_input_below(run->in, FILE_SLOTS)];
    snprintf(run->call, sizeof run->call, "call %d: %s of file slot %d", run->op_index,
             close ? "close" : "flush", (int)(f - run->files));
    if (close) {
        if (f->file.open) nbs_fs_close(&f->file);
        FUZZ_REQUIRE(TARGET, !f->file.open, "%s: call %d: a closed file handle stays open",
                     run->where, run->op_index);
        return;
    }
    int node = file_node(run, f);
    answers a = {0};
    if (node == -1)
        closed_answers(&a, f->file.fs);
    else
        allow(&a, NBS_OK, false);
    if (node == -2) allow(&a, NBS_E_NOT_FOUND, false);
    expect(run, nbs_fs_flush(&f->file), &a);
}

static void op_dir_close(fs_run *run) {
    dir_slot *d = &run->dirs[fuzz_input_below(run->in, DIR_SLOTS)];
    snprintf(run->call, sizeof run->call, "call %d: close of directory slot %d", run->op_index,
             (int)(d - run->dirs));
    if (d->dir.open) nbs_fs_dir_close(&d->dir);
    FUZZ_REQUIRE(TARGET, !d->dir.open, "%s: call %d: a closed directory handle stays open",
                 run->where, run->op_index);
}

/* Opcodes modulo 32: writes and opens most often. */
static void run_op(fs_run *run, uint8_t opcode) {
    unsigned op = opcode % 32u;
    run->op_index++;
    if (op < 5)
        op_write(run);
    else if (op < 7)
        op_read(run);
    else if (op < 10)
        op_open(run);
    else if (op == 10)
        op_flush_or_close(run, true);
    else if (op == 11)
        op_file_status(run);
    else if (op < 14)
        op_set_size(run);
    else if (op == 14)
        op_flush_or_close(run, false);
    else if (op < 17)
        op_mkdir(run);
    else if (op < 19)
        op_delete(run);
    else if (op < 21)
        op_move(run);
    else if (op == 21)
        op_link(run);
    else if (op == 22)
        op_readlink(run);
    else if (op == 23)
        op_status(run);
    else if (op == 24)
        op_scan(run);
    else if (op == 25)
        op_dir_open(run);
    else if (op == 26)
        op_dir_close(run);
    else if (op < 30) {
        snprintf(run->call, sizeof run->call, "call %d: a cut armed", run->op_index);
        fuzz_cut_arm(&run->store, run->in);
    } else if (op == 30)
        op_remount(run);
    else {
        snprintf(run->call, sizeof run->call, "call %d: a check of the tree", run->op_index);
        check_tree(run, "a check");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    fs_run *run = calloc(1, sizeof *run);
    run->in = &in;
    fuzz_store_start(&run->store, TARGET, EF_MAP, &in, run->where, sizeof run->where);
    snprintf(run->call, sizeof run->call, "the first init");
    run->buf_size = nbs_fs_buffer_bytes(&run->store.f.binding.flash);
    run->buf = malloc(run->buf_size ? run->buf_size : 1);
    run->scratch = malloc(FS_MODEL_FILE_CAP + 1);
    fs_model_init(&run->models[0]);
    fs_model_init(&run->models[1]);
    run->model = &run->models[0], run->next = &run->models[1];
    int rc = init_fs(run);
    FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: init of an empty map: %s", run->where,
                 nbs_strerror(rc));
    run->max_file = nbs_fs_max_file(&run->fs);
    FUZZ_REQUIRE(TARGET, run->fs.block_bytes >= 64 && run->max_file >= run->fs.block_bytes,
                 "%s: blocks of %u bytes, largest file %u", run->where,
                 (unsigned)run->fs.block_bytes, (unsigned)run->max_file);
    bool trace = getenv("NORBENCH_FUZZ_TRACE") != NULL;
    for (int op = 0; op < MAX_OPS && !fuzz_input_done(&in); op++) {
        uint64_t flash_ops = nor_op_count(run->store.f.dev);
        run_op(run, fuzz_input_u8(&in));
        if (trace) /* the calls, with their program and erase counts: where a cut may land */
            fprintf(stderr, "fs: %s (%llu flash operations)\n", run->call,
                    (unsigned long long)(nor_op_count(run->store.f.dev) - flash_ops));
    }
    nor_disarm_cut(run->store.f.dev);
    snprintf(run->call, sizeof run->call, "the end");
    check_tree(run, "at the end");
    op_remount(run);
    fs_model_free(&run->models[0]);
    fs_model_free(&run->models[1]);
    free(run->scratch);
    free(run->buf);
    fuzz_store_close(&run->store);
    free(run);
    return 0;
}
