/* Host adapter for the file system (engine type "fs"): the built-in map adapter underneath (its
 * mount, caches, RAM state and inspection), nbs_fs on its map, the scenario's file and directory
 * handles by slot, and the whole tree in the runner's view (fs_view.h) for the runner's
 * whole-store checks, read with handles and scans of its own. */
#include "adapter.h"
#include "fs_view.h"
#include "nbs_fs.h"

#include <stdlib.h>
#include <string.h>

#define SLOTS (ADAPTER_FS_HANDLES + 1) /* the last: never opened */

typedef struct fs_adapter {
    adapter map; /* the built-in map adapter: mount, RAM state, inspection */
    nbs_fs fs;
    uint8_t *fs_buffer;
    size_t fs_buffer_size;
    nbs_fs_file files[SLOTS];
    nbs_fs_dir dirs[SLOTS];
    /* the whole-tree view: a type byte then a file's bytes or a link's target */
    uint8_t *view_buffer;
    size_t view_buffer_size;
} fs_adapter;

static void fs_adapter_free(void *ctx) {
    fs_adapter *a = ctx;
    if (!a) return;
    adapter_destroy(&a->map);
    free(a->fs_buffer);
    free(a->view_buffer);
    free(a);
}

/* ---- mounting ---- */

/* Every handle closed (as after a reset), each naming this file system. */
static void close_all(fs_adapter *a) {
    for (int i = 0; i < SLOTS; i++) {
        a->files[i] = (nbs_fs_file){.fs = &a->fs};
        a->dirs[i] = (nbs_fs_dir){.fs = &a->fs};
    }
}

static int bind_after(fs_adapter *a, int mount_rc) {
    close_all(a);
    if (mount_rc) return mount_rc;
    return nbs_fs_init(&a->fs, adapter_nbs_map_of(&a->map), a->fs_buffer, a->fs_buffer_size);
}

static int fs_mount(void *ctx) {
    fs_adapter *a = ctx;
    return bind_after(a, a->map.mount(a->map.ctx));
}

static int fs_mount_read_only(void *ctx) {
    fs_adapter *a = ctx;
    return bind_after(a, a->map.mount_read_only(a->map.ctx));
}

/* The engine's erase_all of the map under the file system: an empty tree. */
static int fs_format(void *ctx) {
    fs_adapter *a = ctx;
    return bind_after(a, a->map.format(a->map.ctx));
}

/* ---- the file system's calls ---- */

static bool slot_ok(int slot) {
    return slot >= 0 && slot < SLOTS;
}

/* The base directory of a path: NULL for the root (-1). */
static const nbs_fs_dir *base(fs_adapter *a, int at) {
    return slot_ok(at) ? &a->dirs[at] : NULL;
}

static int fs_mkdir(void *ctx, int at, const char *path) {
    fs_adapter *a = ctx;
    return nbs_fs_mkdir(&a->fs, base(a, at), path);
}

static int fs_remove(void *ctx, int at, const char *path) {
    fs_adapter *a = ctx;
    return nbs_fs_delete(&a->fs, base(a, at), path);
}

static int fs_move(void *ctx, int from_at, const char *from, int to_at, const char *to) {
    fs_adapter *a = ctx;
    return nbs_fs_move(&a->fs, base(a, from_at), from, base(a, to_at), to);
}

static int fs_status(void *ctx, int at, const char *path, int *type, uint32_t *size) {
    fs_adapter *a = ctx;
    nbs_fs_status s = {0};
    int rc = nbs_fs_status_of(&a->fs, base(a, at), path, &s);
    *type = (int)s.type;
    *size = s.size;
    return rc;
}

static int fs_link(void *ctx, int at, const char *path, const char *target) {
    fs_adapter *a = ctx;
    return nbs_fs_link(&a->fs, base(a, at), path, target);
}

static int fs_readlink(void *ctx, int at, const char *path, void *buf, size_t capacity,
                       size_t *len) {
    fs_adapter *a = ctx;
    return nbs_fs_readlink(&a->fs, base(a, at), path, buf, capacity, len);
}

static int fs_scan(void *ctx, int at, const char *path, adapter_visit_fn visit, void *visit_ctx) {
    fs_adapter *a = ctx;
    nbs_fs_scan scan;
    int rc = nbs_fs_scan_open(&a->fs, base(a, at), path, &scan);
    bool pop_ignored = false;
    while (!rc) {
        char name[NBS_FS_NAME_MAX + 1];
        size_t name_len = 0;
        nbs_fs_status s = {0};
        if ((rc = nbs_fs_scan_next(&scan, name, sizeof name, &name_len, &s))) break;
        uint8_t type = (uint8_t)s.type;
        rc = visit(visit_ctx, (const uint8_t *)name, name_len, &type, 1, &pop_ignored);
    }
    return rc == NBS_E_END ? NBS_OK : rc;
}

static int fs_open(void *ctx, int at, const char *path, int mode, int slot) {
    fs_adapter *a = ctx;
    if (!slot_ok(slot)) return NBS_E_INVAL;
    return nbs_fs_open(&a->fs, base(a, at), path, (nbs_fs_mode)mode, &a->files[slot]);
}

static int fs_read(void *ctx, int slot, uint32_t offset, void *buf, size_t count, size_t *actual) {
    fs_adapter *a = ctx;
    if (!slot_ok(slot)) return NBS_E_INVAL;
    return nbs_fs_read(&a->files[slot], offset, buf, count, actual);
}

static int fs_write(void *ctx, int slot, uint32_t offset, const void *data, size_t len) {
    fs_adapter *a = ctx;
    if (!slot_ok(slot)) return NBS_E_INVAL;
    return nbs_fs_write(&a->files[slot], offset, data, len);
}

static int fs_file_status(void *ctx, int slot, int *type, uint32_t *size) {
    fs_adapter *a = ctx;
    if (!slot_ok(slot)) return NBS_E_INVAL;
    nbs_fs_status s = {0};
    int rc = nbs_fs_file_status(&a->files[slot], &s);
    *type = (int)s.type;
    *size = s.size;
    return rc;
}

static int fs_set_size(void *ctx, int slot, uint32_t size) {
    fs_adapter *a = ctx;
    if (!slot_ok(slot)) return NBS_E_INVAL;
    return nbs_fs_set_size(&a->files[slot], size);
}

static int fs_flush(void *ctx, int slot) {
    fs_adapter *a = ctx;
    if (!slot_ok(slot)) return NBS_E_INVAL;
    return nbs_fs_flush(&a->files[slot]);
}

static void fs_close(void *ctx, int slot) {
    fs_adapter *a = ctx;
    if (slot_ok(slot)) nbs_fs_close(&a->files[slot]);
}

static int fs_dir_open(void *ctx, int at, const char *path, int slot) {
    fs_adapter *a = ctx;
    if (!slot_ok(slot)) return NBS_E_INVAL;
    return nbs_fs_dir_open(&a->fs, base(a, at), path, &a->dirs[slot]);
}

static void fs_dir_close(void *ctx, int slot) {
    fs_adapter *a = ctx;
    if (slot_ok(slot)) nbs_fs_dir_close(&a->dirs[slot]);
}

static int fs_reopen(void *ctx, const char *path, int mode, int slot) {
    fs_adapter *a = ctx;
    if (!slot_ok(slot)) return NBS_E_INVAL;
    nbs_fs_mode plain = mode == NBS_FS_R ? NBS_FS_R : NBS_FS_R_PLUS;
    int rc = nbs_fs_open(&a->fs, NULL, path, plain, &a->files[slot]);
    if (!rc) a->files[slot].mode = (nbs_fs_mode)mode;
    return rc;
}

static uint32_t fs_max_file(void *ctx) {
    return nbs_fs_max_file(&((fs_adapter *)ctx)->fs);
}

static uint32_t fs_max_value(void *ctx, size_t key_len) {
    return nbs_map_max_value(adapter_nbs_flash_of(&((fs_adapter *)ctx)->map), key_len);
}

static const adapter_fs_ops fs_ops = {
    .mkdir = fs_mkdir,
    .remove = fs_remove,
    .move = fs_move,
    .status = fs_status,
    .link = fs_link,
    .readlink = fs_readlink,
    .scan = fs_scan,
    .open = fs_open,
    .read = fs_read,
    .write = fs_write,
    .file_status = fs_file_status,
    .set_size = fs_set_size,
    .flush = fs_flush,
    .close = fs_close,
    .dir_open = fs_dir_open,
    .dir_close = fs_dir_close,
    .reopen = fs_reopen,
    .max_file = fs_max_file,
    .max_value = fs_max_value,
};

/* ---- the whole tree in the runner's view (fs_view.h) ---- */

static int grow_view_buffer(fs_adapter *a, size_t bytes) {
    if (bytes <= a->view_buffer_size) return NBS_OK;
    uint8_t *grown = realloc(a->view_buffer, bytes);
    if (!grown) return NBS_E_CACHE_MEM;
    a->view_buffer = grown;
    a->view_buffer_size = bytes;
    return NBS_OK;
}

/* The view value of the entry at `path` (from the root) into the view buffer; *len its bytes. */
static int read_view_value(fs_adapter *a, const char *path, size_t *len) {
    nbs_fs_status s = {0};
    int rc = nbs_fs_status_of(&a->fs, NULL, path, &s);
    if (rc) return rc;
    if (s.type == NBS_FS_NONE) return NBS_E_NOT_FOUND;
    if ((rc = grow_view_buffer(a, 1 + (size_t)s.size))) return rc;
    a->view_buffer[0] = (uint8_t)s.type;
    size_t got = 0;
    if (s.type == NBS_FS_LINK) {
        rc = nbs_fs_readlink(&a->fs, NULL, path, (char *)a->view_buffer + 1,
                             a->view_buffer_size - 1, &got);
    } else if (s.type == NBS_FS_FILE && s.size) {
        nbs_fs_file file;
        rc = nbs_fs_open(&a->fs, NULL, path, NBS_FS_R, &file);
        if (!rc) rc = nbs_fs_read(&file, 0, a->view_buffer + 1, s.size, &got);
        if (!rc && got != s.size) rc = NBS_E_CORRUPT; /* its status said more */
        nbs_fs_close(&file);
    }
    *len = 1 + got;
    return rc;
}

typedef struct dir_entry {
    char *name;
    uint8_t type;
} dir_entry;

typedef struct dir_list {
    dir_entry *items;
    size_t count, capacity;
} dir_list;

static int collect_entry(void *ctx, const uint8_t *name, size_t name_len, const uint8_t *type,
                         size_t type_len, bool *pop_current) {
    (void)type_len, (void)pop_current;
    dir_list *l = ctx;
    if (l->count == l->capacity) {
        size_t capacity = l->capacity ? 2 * l->capacity : 8;
        dir_entry *grown = realloc(l->items, capacity * sizeof *grown);
        if (!grown) return NBS_E_CACHE_MEM;
        l->items = grown;
        l->capacity = capacity;
    }
    char *copy = fs_view_join("", 0, (const char *)name, name_len);
    if (!copy) return NBS_E_CACHE_MEM;
    l->items[l->count++] = (dir_entry){copy, type[0]};
    return NBS_OK;
}

static void dir_list_free(dir_list *l) {
    for (size_t i = 0; i < l->count; i++) free(l->items[i].name);
    free(l->items);
}

/* Visits every entry below `dir` (a path from the root, "" the root), each directory before
 * what it holds. The entries of a directory are read whole before any is visited. */
static int walk(fs_adapter *a, const char *dir, adapter_visit_fn visit, void *visit_ctx) {
    dir_list entries = {0};
    int rc = fs_scan(a, -1, dir, collect_entry, &entries);
    bool pop_ignored = false;
    for (size_t i = 0; !rc && i < entries.count; i++) {
        char *path =
            fs_view_join(dir, strlen(dir), entries.items[i].name, strlen(entries.items[i].name));
        size_t len = 0;
        if (!path) rc = NBS_E_CACHE_MEM;
        if (!rc) rc = read_view_value(a, path, &len);
        if (!rc)
            rc = visit(visit_ctx, (const uint8_t *)path, strlen(path), a->view_buffer, len,
                       &pop_ignored);
        if (!rc && entries.items[i].type == NBS_FS_DIR) rc = walk(a, path, visit, visit_ctx);
        free(path);
    }
    dir_list_free(&entries);
    return rc;
}

static int view_iterate(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    return walk(ctx, "", visit, visit_ctx);
}

static int view_count(void *ctx, uint32_t *count) {
    return adapter_count_by_iterate(ctx, view_iterate, count);
}

/* The view value of the item `item_key` (a path from the root) into the view buffer. */
static int view_lookup(fs_adapter *a, const void *item_key, size_t item_len, size_t *len) {
    if (!item_len || memchr(item_key, 0, item_len)) return NBS_E_NOT_FOUND;
    char *path = fs_view_join("", 0, item_key, item_len);
    if (!path) return NBS_E_CACHE_MEM;
    int rc = read_view_value(a, path, len);
    free(path);
    return rc;
}

static int view_fetch(void *ctx, const void *item_key, size_t item_len, void *buf, size_t capacity,
                      size_t *len) {
    fs_adapter *a = ctx;
    int rc = view_lookup(a, item_key, item_len, len);
    if (rc) return rc;
    if (capacity < *len) return NBS_E_BUFFER_TOO_SMALL;
    memcpy(buf, a->view_buffer, *len);
    return NBS_OK;
}

static int view_has(void *ctx, const void *item_key, size_t item_len, bool *present) {
    size_t len = 0;
    int rc = view_lookup(ctx, item_key, item_len, &len);
    *present = rc == NBS_OK;
    return rc == NBS_E_NOT_FOUND ? NBS_OK : rc;
}

/* ---- RAM state: the map adapter's, then the file system, its buffer and the handles ---- */

static void save_state(void *ctx, void *out) {
    fs_adapter *a = ctx;
    uint8_t *p = out;
    a->map.save_state(a->map.ctx, p);
    p += a->map.state_size;
    memcpy(p, &a->fs, sizeof a->fs);
    p += sizeof a->fs;
    memcpy(p, a->fs_buffer, a->fs_buffer_size);
    p += a->fs_buffer_size;
    memcpy(p, a->files, sizeof a->files);
    memcpy(p + sizeof a->files, a->dirs, sizeof a->dirs);
}

static void restore_state(void *ctx, const void *in) {
    fs_adapter *a = ctx;
    const uint8_t *p = in;
    a->map.restore_state(a->map.ctx, p);
    p += a->map.state_size;
    memcpy(&a->fs, p, sizeof a->fs);
    p += sizeof a->fs;
    memcpy(a->fs_buffer, p, a->fs_buffer_size);
    p += a->fs_buffer_size;
    memcpy(a->files, p, sizeof a->files);
    memcpy(a->dirs, p + sizeof a->files, sizeof a->dirs);
}

static int inspect(void *ctx, uint32_t first, uint32_t count, const nbs_inspect_visitor *visitor,
                   nbs_inspect_summary *summary) {
    fs_adapter *a = ctx;
    return a->map.inspect(a->map.ctx, first, count, visitor, summary);
}

int adapter_nbs_fs_create(adapter *out, nor *dev, const adapter_config *cfg) {
    memset(out, 0, sizeof *out);
    fs_adapter *a = calloc(1, sizeof *a);
    if (!a) return NBS_E_CACHE_MEM;
    int rc = adapter_nbs_map_create(&a->map, dev, cfg);
    if (rc) {
        free(a);
        return rc;
    }
    close_all(a);
    a->fs_buffer_size = nbs_fs_buffer_bytes(adapter_nbs_flash_of(&a->map));
    a->fs_buffer = malloc(a->fs_buffer_size);
    /* No file is larger than the store: a type byte and that many bytes. */
    a->view_buffer_size = (size_t)cfg->size + 1;
    a->view_buffer = malloc(a->view_buffer_size);
    if (!a->fs_buffer || !a->view_buffer) {
        fs_adapter_free(a);
        return NBS_E_CACHE_MEM;
    }
    *out = (adapter){
        .name = "fs",
        .capabilities = ADAPTER_CAN_FS,
        .max_value_size = (uint32_t)a->view_buffer_size,
        .ctx = a,
        .mount = fs_mount,
        .format = fs_format,
        .remove_all = fs_format, /* only asked of a store mounted read-only, which refuses it */
        .iterate = view_iterate,
        .count = view_count,
        .fetch = view_fetch,
        .has = view_has,
        .state_size =
            a->map.state_size + sizeof a->fs + a->fs_buffer_size + sizeof a->files + sizeof a->dirs,
        .save_state = save_state,
        .restore_state = restore_state,
        .destroy = fs_adapter_free,
        .mount_read_only = fs_mount_read_only,
        .inspect = inspect,
        .fs = &fs_ops,
    };
    return NBS_OK;
}
