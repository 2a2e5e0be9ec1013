/* The reference model of the file system (ref_fs.h): path rules, name resolution from a base
 * directory, each call's answer from nbs_fs.h's contract, the tree changes as transactions of the
 * view (fs_view.h), and the handles that follow their entries. */
#include "ref_fs.h"
#include "nbs_fs.h"

#include <stdlib.h>
#include <string.h>

static char *text_copy(const char *s, size_t len) {
    char *copy = malloc(len + 1);
    if (!copy) abort(); /* as ref_model.c: the model has no way to go on */
    if (len) memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

static char *joined(const char *dir, const char *name) {
    char *out = fs_view_join(dir, strlen(dir), name, strlen(name));
    if (!out) abort();
    return out;
}

/* ---- handles ---- */

static void handle_close(ref_fs_handle *h) {
    free(h->path);
    *h = (ref_fs_handle){0};
}

void ref_fs_init(ref_fs *t) {
    memset(t, 0, sizeof *t);
}

void ref_fs_forget(ref_fs *t) {
    for (int i = 0; i < REF_FS_SLOTS; i++) {
        handle_close(&t->files[i]);
        handle_close(&t->dirs[i]);
    }
}

void ref_fs_free(ref_fs *t) {
    ref_fs_forget(t);
}

static void handle_copy(ref_fs_handle *dst, const ref_fs_handle *src) {
    handle_close(dst);
    *dst = *src;
    if (src->path) dst->path = text_copy(src->path, strlen(src->path));
}

bool ref_fs_copy(ref_fs *dst, const ref_fs *src) {
    for (int i = 0; i < REF_FS_SLOTS; i++) {
        handle_copy(&dst->files[i], &src->files[i]);
        handle_copy(&dst->dirs[i], &src->dirs[i]);
    }
    dst->max_file = src->max_file;
    dst->read_only = src->read_only;
    dst->max_value = src->max_value;
    dst->max_value_ctx = src->max_value_ctx;
    return true;
}

void ref_fs_close_gone(ref_fs *t) {
    for (int i = 0; i < REF_FS_SLOTS; i++) {
        if (t->files[i].gone) handle_close(&t->files[i]);
        if (t->dirs[i].gone) handle_close(&t->dirs[i]);
    }
}

/* ---- paths ---- */

/* ECMA-419's subpath rules (nbs_fs.h): "" or names joined by "/", each 1..NBS_FS_NAME_MAX bytes,
 * none "." or "..". */
static bool path_ok(const char *path) {
    if (!*path) return true;
    for (const char *name = path;;) {
        const char *slash = strchr(name, '/');
        size_t n = slash ? (size_t)(slash - name) : strlen(name);
        if (n == 0 || n > NBS_FS_NAME_MAX) return false;
        if ((n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.'))
            return false;
        if (!slash) return true;
        name = slash + 1;
    }
}

/* The entry at `path` (from the root): its type (NBS_FS_NONE when missing; the root is a
 * directory) and its item. */
static int type_at(const ref_map *m, const char *path, size_t len, const ref_item **item) {
    *item = NULL;
    if (!len) return NBS_FS_DIR;
    *item = ref_map_find(m, path, len);
    return *item && (*item)->value_len ? (*item)->value[0] : NBS_FS_NONE;
}

/* A path resolved from its base directory. */
typedef struct resolved {
    int rc;               /* 0, or why it could not be resolved */
    bool through_missing; /* rc not_found: a directory on the way is missing */
    char *full; /* from the root (malloc'd; NULL when rc is an error of the base or the path) */
    size_t len;
    int type; /* of the entry itself: NBS_FS_NONE when missing */
    const ref_item *item;
} resolved;

static const ref_fs_handle *base_dir(const ref_fs *t, int at, int *rc) {
    static const ref_fs_handle root = {.open = true, .path = ""};
    *rc = NBS_OK;
    if (at == REF_FS_ROOT) return &root;
    const ref_fs_handle *h = at >= 0 && at < REF_FS_SLOTS ? &t->dirs[at] : NULL;
    if (!h || !h->open)
        *rc = NBS_E_FS_CLOSED;
    else if (h->gone)
        *rc = NBS_E_NOT_FOUND;
    return h;
}

/* The engine checks the path's rules before its base directory, except status (base first). */
static void resolve_ordered(const ref_fs *t, const ref_map *m, int at, const char *path,
                            bool base_first, resolved *r) {
    memset(r, 0, sizeof *r);
    const ref_fs_handle *base = NULL;
    if (base_first) base = base_dir(t, at, &r->rc);
    if (!r->rc && !path_ok(path)) r->rc = NBS_E_FS_PATH;
    if (!r->rc && !base_first) base = base_dir(t, at, &r->rc);
    if (r->rc) return;
    r->full = *path ? joined(base->path, path) : text_copy(base->path, strlen(base->path));
    r->len = strlen(r->full);
    /* every directory on the way below the base */
    for (size_t i = strlen(base->path) + (*base->path ? 1 : 0); i < r->len; i++) {
        if (r->full[i] != '/') continue;
        const ref_item *item;
        int type = type_at(m, r->full, i, &item);
        if (type == NBS_FS_NONE) {
            r->rc = NBS_E_NOT_FOUND;
            r->through_missing = true;
            return;
        }
        if (type != NBS_FS_DIR) {
            r->rc = NBS_E_FS_NOT_DIR;
            return;
        }
    }
    r->type = type_at(m, r->full, r->len, &r->item);
}

static void resolve(const ref_fs *t, const ref_map *m, int at, const char *path, resolved *r) {
    resolve_ordered(t, m, at, path, false, r);
}

static void resolved_free(resolved *r) {
    free(r->full);
    r->full = NULL;
}

/* The entries directly inside directory `dir` (from the root): their count, and each appended to
 * `names` (name -> type byte) when given. */
static size_t children(const ref_map *m, const char *dir, size_t dir_len, ref_list *names) {
    size_t count = 0;
    for (size_t i = 0; i < m->items.count; i++) {
        const ref_item *it = &m->items.items[i];
        size_t name_at = 0;
        size_t parent = fs_view_parent_len(it->key, it->key_len, &name_at);
        if (parent != dir_len || (name_at && memcmp(it->key, dir, dir_len) != 0)) continue;
        if (!dir_len && name_at) continue;
        count++;
        if (names) ref_list_append(names, it->key + name_at, it->key_len - name_at, it->value, 1);
    }
    return count;
}

/* ---- files ---- */

/* The open file of a handle call, or the error the call answers. */
static const ref_item *file_of(const ref_fs *t, const ref_map *m, const ref_fs_call *c, int *rc) {
    const ref_fs_handle *h = c->slot >= 0 && c->slot < REF_FS_SLOTS ? &t->files[c->slot] : NULL;
    *rc = NBS_OK;
    if (!h || !h->open) {
        *rc = NBS_E_FS_CLOSED;
        return NULL;
    }
    bool reads = c->kind == REF_FS_READ;
    bool writes = c->kind == REF_FS_WRITE || c->kind == REF_FS_SET_SIZE;
    if ((reads && h->mode == NBS_FS_W) || (writes && h->mode == NBS_FS_R)) {
        *rc = NBS_E_FS_MODE;
        return NULL;
    }
    if (writes && t->read_only) {
        *rc = NBS_E_READ_ONLY;
        return NULL;
    }
    const ref_item *item = h->gone ? NULL : ref_map_find(m, h->path, strlen(h->path));
    if (!item) *rc = NBS_E_NOT_FOUND;
    return item;
}

static uint32_t file_size(const ref_item *item) {
    return (uint32_t)(item->value_len - 1);
}

/* ---- answers ---- */

static void predict_path_call(const ref_fs *t, const ref_map *m, const ref_fs_call *c,
                              ref_fs_answer *out) {
    resolved r = {0};
    bool is_base = !*c->path;
    size_t target_len = strlen(c->target);
    bool writer = c->kind == REF_FS_MKDIR || c->kind == REF_FS_DELETE || c->kind == REF_FS_LINK ||
                  (c->kind == REF_FS_OPEN && c->mode >= NBS_FS_W);
    if (c->kind == REF_FS_LINK && (target_len == 0 || target_len > NBS_FS_LINK_MAX)) {
        out->rc = NBS_E_INVAL; /* the target is checked first */
        return;
    }
    if (writer && t->read_only) {
        out->rc = NBS_E_READ_ONLY;
        return;
    }
    resolve_ordered(t, m, c->at, c->path, c->kind == REF_FS_STATUS, &r);
    switch (c->kind) {
    case REF_FS_MKDIR:
        if (!r.rc) out->rc = r.type == NBS_FS_NONE ? 1 : 0;
        break;
    case REF_FS_DELETE:
        if (!r.rc && is_base)
            r.rc = NBS_E_INVAL; /* the base directory itself */
        else if (!r.rc && r.type == NBS_FS_DIR && children(m, r.full, r.len, NULL))
            r.rc = NBS_E_FS_NOT_EMPTY;
        if (!r.rc) out->rc = r.type == NBS_FS_NONE ? 0 : 1;
        break;
    case REF_FS_STATUS:
        if (r.rc == NBS_E_NOT_FOUND && r.through_missing && r.full) r.rc = NBS_OK;
        out->type = r.rc ? NBS_FS_NONE : r.type;
        if (r.type == NBS_FS_FILE || r.type == NBS_FS_LINK) out->size = file_size(r.item);
        break;
    case REF_FS_LINK: {
        size_t name_at = 0;
        if (!r.rc) fs_view_parent_len((const uint8_t *)r.full, r.len, &name_at);
        if (!r.rc && r.type != NBS_FS_NONE)
            r.rc = NBS_E_FS_EXISTS;
        else if (!r.rc && t->max_value &&
                 1 + target_len > t->max_value(t->max_value_ctx, 5 + r.len - name_at))
            r.rc = NBS_E_TOO_BIG;
        break;
    }
    case REF_FS_READLINK:
        if (!r.rc && r.type == NBS_FS_NONE)
            r.rc = NBS_E_NOT_FOUND;
        else if (!r.rc && r.type != NBS_FS_LINK)
            r.rc = NBS_E_FS_NOT_LINK;
        if (!r.rc) {
            out->length = file_size(r.item);
            out->bytes = r.item->value + 1;
            if (out->length > c->capacity) r.rc = NBS_E_BUFFER_TOO_SMALL;
        }
        break;
    case REF_FS_SCAN:
    case REF_FS_DIR_OPEN:
        if (!r.rc && r.type == NBS_FS_NONE)
            r.rc = NBS_E_NOT_FOUND;
        else if (!r.rc && r.type != NBS_FS_DIR)
            r.rc = NBS_E_FS_NOT_DIR;
        if (!r.rc && c->kind == REF_FS_SCAN) children(m, r.full, r.len, &out->entries);
        break;
    case REF_FS_OPEN:
        if (!r.rc && r.type == NBS_FS_DIR)
            r.rc = NBS_E_FS_IS_DIR;
        else if (!r.rc && r.type == NBS_FS_LINK)
            r.rc = NBS_E_FS_NOT_FILE;
        else if (!r.rc && r.type == NBS_FS_NONE && c->mode < NBS_FS_W)
            r.rc = NBS_E_NOT_FOUND;
        break;
    default: break;
    }
    if (r.rc) out->rc = r.rc;
    resolved_free(&r);
}

static void predict_move(const ref_fs *t, const ref_map *m, const ref_fs_call *c,
                         ref_fs_answer *out) {
    if (t->read_only) {
        out->rc = NBS_E_READ_ONLY;
        return;
    }
    resolved from, to;
    resolve(t, m, c->at, c->path, &from);
    resolve(t, m, c->to_at, c->to, &to);
    int rc = from.rc;
    if (!rc && !*c->path) rc = NBS_E_INVAL; /* the base directory itself */
    if (!rc && from.type == NBS_FS_NONE) rc = NBS_E_NOT_FOUND;
    if (!rc) rc = to.rc;
    if (!rc && to.type != NBS_FS_NONE) rc = NBS_E_FS_EXISTS;
    if (!rc && from.type == NBS_FS_DIR &&
        fs_view_within((const uint8_t *)to.full, to.len, (const uint8_t *)from.full, from.len))
        rc = NBS_E_INVAL;
    out->rc = rc;
    resolved_free(&from);
    resolved_free(&to);
}

static void predict_file_call(const ref_fs *t, const ref_map *m, const ref_fs_call *c,
                              ref_fs_answer *out) {
    int rc;
    const ref_item *item = file_of(t, m, c, &rc);
    if (rc) {
        out->rc = rc;
        return;
    }
    uint32_t size = file_size(item);
    switch (c->kind) {
    case REF_FS_READ:
        out->bytes = item->value + 1;
        out->length = 0;
        if (c->offset < size) {
            out->bytes += c->offset;
            out->length = size - c->offset < c->count ? size - c->offset : c->count;
        }
        break;
    case REF_FS_WRITE:
        if ((uint64_t)c->offset + c->len > t->max_file) out->rc = NBS_E_TOO_BIG;
        break;
    case REF_FS_SET_SIZE:
        if (c->size > t->max_file) out->rc = NBS_E_TOO_BIG;
        break;
    case REF_FS_FILE_STATUS:
        out->type = NBS_FS_FILE;
        out->size = size;
        break;
    default: break;
    }
}

void ref_fs_predict(const ref_fs *t, const ref_map *m, const ref_fs_call *call,
                    ref_fs_answer *out) {
    out->rc = NBS_OK;
    out->type = NBS_FS_NONE;
    out->size = 0;
    out->bytes = NULL;
    out->length = 0;
    ref_list_clear(&out->entries);
    switch (call->kind) {
    case REF_FS_MOVE: predict_move(t, m, call, out); break;
    case REF_FS_READ:
    case REF_FS_WRITE:
    case REF_FS_FILE_STATUS:
    case REF_FS_SET_SIZE:
    case REF_FS_FLUSH: predict_file_call(t, m, call, out); break;
    case REF_FS_CLOSE:
    case REF_FS_DIR_CLOSE: break;
    default: predict_path_call(t, m, call, out); break;
    }
}

bool ref_fs_writes(const ref_fs *t, const ref_map *m, const ref_fs_call *call, int rc) {
    (void)t, (void)m;
    switch (call->kind) {
    case REF_FS_MKDIR:
    case REF_FS_DELETE: return rc == 1;
    case REF_FS_MOVE:
    case REF_FS_LINK:
    case REF_FS_WRITE:
    case REF_FS_SET_SIZE: return rc == NBS_OK;
    case REF_FS_OPEN: return rc == NBS_OK && call->mode >= NBS_FS_W;
    default: return false;
    }
}

/* ---- changes ---- */

/* The bytes of the file `item` (NULL: empty) resized to `size` (new bytes 0) with `len` bytes of
 * `data` at `offset` on top, staged as its new value. */
static void stage_file(ref_map *m, const char *path, const ref_item *item, uint32_t size,
                       uint32_t offset, const uint8_t *data, size_t len) {
    uint8_t *value = calloc(1, (size_t)size + 1);
    if (!value) abort();
    value[0] = NBS_FS_FILE;
    uint32_t old = item ? file_size(item) : 0;
    if (old) memcpy(value + 1, item->value + 1, old < size ? old : size);
    if (len) memcpy(value + 1 + offset, data, len);
    ref_map_txn_stage(m, false, path, strlen(path), value, (size_t)size + 1);
    free(value);
}

/* Every entry at or below `from` staged as moved to `to` (removed, then stored). */
static void stage_move(ref_map *m, const char *from, const char *to) {
    size_t from_len = strlen(from), to_len = strlen(to);
    for (size_t i = 0; i < m->items.count; i++) {
        const ref_item *it = &m->items.items[i];
        if (!fs_view_within(it->key, it->key_len, (const uint8_t *)from, from_len)) continue;
        ref_map_txn_stage(m, true, it->key, it->key_len, NULL, 0);
    }
    for (size_t i = 0; i < m->items.count; i++) {
        const ref_item *it = &m->items.items[i];
        if (!fs_view_within(it->key, it->key_len, (const uint8_t *)from, from_len)) continue;
        size_t rest = it->key_len - from_len;
        char *key = malloc(to_len + rest + 1);
        if (!key) abort();
        memcpy(key, to, to_len);
        if (rest) memcpy(key + to_len, it->key + from_len, rest);
        ref_map_txn_stage(m, false, key, to_len + rest, it->value, it->value_len);
        free(key);
    }
}

/* Stages the call's change; false when it changes nothing. */
static bool stage(const ref_fs *t, ref_map *m, const ref_fs_call *c) {
    static const uint8_t dir_value = NBS_FS_DIR;
    resolved r = {0}, to = {0};
    const ref_item *item;
    int rc = NBS_OK;
    bool staged = true;
    switch (c->kind) {
    case REF_FS_MKDIR:
        resolve(t, m, c->at, c->path, &r);
        ref_map_txn_stage(m, false, r.full, r.len, &dir_value, 1);
        break;
    case REF_FS_DELETE:
        resolve(t, m, c->at, c->path, &r);
        ref_map_txn_stage(m, true, r.full, r.len, NULL, 0);
        break;
    case REF_FS_LINK: {
        resolve(t, m, c->at, c->path, &r);
        size_t n = strlen(c->target);
        uint8_t *value = malloc(n + 1);
        if (!value) abort();
        value[0] = NBS_FS_LINK;
        memcpy(value + 1, c->target, n);
        ref_map_txn_stage(m, false, r.full, r.len, value, n + 1);
        free(value);
        break;
    }
    case REF_FS_MOVE:
        resolve(t, m, c->at, c->path, &r);
        resolve(t, m, c->to_at, c->to, &to);
        stage_move(m, r.full, to.full);
        break;
    case REF_FS_OPEN: /* w and w+: created, or truncated */
        resolve(t, m, c->at, c->path, &r);
        staged = c->mode >= NBS_FS_W && (r.type == NBS_FS_NONE || file_size(r.item));
        if (staged) stage_file(m, r.full, NULL, 0, 0, NULL, 0);
        break;
    case REF_FS_WRITE: {
        item = file_of(t, m, c, &rc);
        if (!c->len) {
            staged = false;
            break;
        }
        uint32_t end = c->offset + (uint32_t)c->len;
        stage_file(m, t->files[c->slot].path, item, end > file_size(item) ? end : file_size(item),
                   c->offset, c->data, c->len);
        break;
    }
    case REF_FS_SET_SIZE:
        item = file_of(t, m, c, &rc);
        stage_file(m, t->files[c->slot].path, item, c->size, 0, NULL, 0);
        break;
    default: staged = false; break;
    }
    resolved_free(&r);
    resolved_free(&to);
    return staged;
}

bool ref_fs_begin(const ref_fs *t, ref_map *m, const ref_fs_call *call) {
    ref_fs_answer a = {0};
    ref_list_init(&a.entries);
    ref_fs_predict(t, m, call, &a);
    ref_list_free(&a.entries);
    if (!ref_fs_writes(t, m, call, a.rc)) return false;
    ref_map_txn_begin(m);
    if (!stage(t, m, call)) {
        ref_map_txn_abort(m);
        return false;
    }
    ref_map_begin_txn_commit(m);
    ref_map_txn_abort(m); /* the commit in flight holds its own copy of the writes */
    return true;
}

/* ---- handles after a call ---- */

/* The full path of `path` from base directory `at` (malloc'd), from the handles alone. */
static char *full_path(const ref_fs *t, int at, const char *path) {
    const char *base = at == REF_FS_ROOT ? "" : t->dirs[at].path;
    if (!*path) return text_copy(base, strlen(base));
    return joined(base, path);
}

static void handle_open(ref_fs_handle *h, char *path, int mode) {
    handle_close(h);
    *h = (ref_fs_handle){.open = true, .mode = mode, .path = path};
}

/* Every handle on `from` or below it follows it to `to`. */
static void follow_move(ref_fs_handle *h, const char *from, const char *to) {
    size_t from_len = strlen(from);
    if (!h->open || h->gone ||
        !fs_view_within((const uint8_t *)h->path, strlen(h->path), (const uint8_t *)from, from_len))
        return;
    size_t to_len = strlen(to), rest = strlen(h->path) - from_len;
    char *moved = malloc(to_len + rest + 1);
    if (!moved) abort();
    memcpy(moved, to, to_len);
    memcpy(moved + to_len, h->path + from_len, rest + 1);
    free(h->path);
    h->path = moved;
}

void ref_fs_after(ref_fs *t, const ref_fs_call *c, int rc) {
    if (rc < 0) return;
    bool slot_ok = c->slot >= 0 && c->slot < REF_FS_HANDLES;
    switch (c->kind) {
    case REF_FS_OPEN:
        if (slot_ok) handle_open(&t->files[c->slot], full_path(t, c->at, c->path), c->mode);
        break;
    case REF_FS_DIR_OPEN:
        if (slot_ok) handle_open(&t->dirs[c->slot], full_path(t, c->at, c->path), 0);
        break;
    case REF_FS_CLOSE:
        if (slot_ok) handle_close(&t->files[c->slot]);
        break;
    case REF_FS_DIR_CLOSE:
        if (slot_ok) handle_close(&t->dirs[c->slot]);
        break;
    case REF_FS_DELETE: {
        if (rc != 1) break;
        char *gone = full_path(t, c->at, c->path);
        for (int i = 0; i < REF_FS_SLOTS; i++) {
            ref_fs_handle *hs[2] = {&t->files[i], &t->dirs[i]};
            for (int k = 0; k < 2; k++)
                if (hs[k]->open && !hs[k]->gone && strcmp(hs[k]->path, gone) == 0)
                    hs[k]->gone = true;
        }
        free(gone);
        break;
    }
    case REF_FS_MOVE: {
        char *from = full_path(t, c->at, c->path), *to = full_path(t, c->to_at, c->to);
        for (int i = 0; i < REF_FS_SLOTS; i++) {
            follow_move(&t->files[i], from, to);
            follow_move(&t->dirs[i], from, to);
        }
        free(from);
        free(to);
        break;
    }
    default: break;
    }
}
