/* Steps of the file system (engine type "fs": nbs_fs.h): the fields of every fs_* step (paths and
 * link targets as text, the open directory a path is taken from, handle names, open modes, a
 * write's data as any value), and the expectations of fs_status / fs_file_status (a type and a
 * size) and of fs_scan (each name with its type). */
#include "scenario_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const scenario_name type_names[] = {{"none", SCENARIO_FS_NONE},
                                           {"file", SCENARIO_FS_FILE},
                                           {"directory", SCENARIO_FS_DIR},
                                           {"link", SCENARIO_FS_LINK}};
static const scenario_name mode_names[] = {{"r", SCENARIO_FS_R},
                                           {"r+", SCENARIO_FS_R_PLUS},
                                           {"w", SCENARIO_FS_W},
                                           {"w+", SCENARIO_FS_W_PLUS}};

const char *scenario_fs_type_name(unsigned type) {
    return type < NAME_COUNT(type_names) ? type_names[type].name : "?";
}

const char *scenario_fs_mode_name(unsigned mode) {
    return mode < NAME_COUNT(mode_names) ? mode_names[mode].name : "?";
}

static const scenario_name path_fields[] = {{"path", FIELD_REQUIRED}, {"at", FIELD_OPTIONAL}};
static const scenario_name scan_fields[] = {{"path", FIELD_OPTIONAL}, {"at", FIELD_OPTIONAL}};
static const scenario_name move_fields[] = {{"from", FIELD_REQUIRED},
                                            {"to", FIELD_REQUIRED},
                                            {"at", FIELD_OPTIONAL},
                                            {"to_at", FIELD_OPTIONAL}};
static const scenario_name link_fields[] = {
    {"path", FIELD_REQUIRED}, {"target", FIELD_REQUIRED}, {"at", FIELD_OPTIONAL}};
static const scenario_name readlink_fields[] = {
    {"path", FIELD_REQUIRED}, {"at", FIELD_OPTIONAL}, {"capacity", FIELD_OPTIONAL}};
static const scenario_name open_fields[] = {{"path", FIELD_REQUIRED},
                                            {"mode", FIELD_REQUIRED},
                                            {"handle", FIELD_REQUIRED},
                                            {"at", FIELD_OPTIONAL}};
static const scenario_name dir_open_fields[] = {
    {"path", FIELD_REQUIRED}, {"handle", FIELD_REQUIRED}, {"at", FIELD_OPTIONAL}};
static const scenario_name read_fields[] = {
    {"handle", FIELD_REQUIRED}, {"offset", FIELD_OPTIONAL}, {"count", FIELD_REQUIRED}};
static const scenario_name write_fields[] = {
    {"handle", FIELD_REQUIRED}, {"offset", FIELD_OPTIONAL}, {"data", FIELD_REQUIRED}};
static const scenario_name set_size_fields[] = {{"handle", FIELD_REQUIRED},
                                                {"size", FIELD_REQUIRED}};
static const scenario_name handle_fields[] = {{"handle", FIELD_REQUIRED}};
static const scenario_name status_fields[] = {{"type", FIELD_REQUIRED}, {"size", FIELD_OPTIONAL}};

static char *text_dup(const char *text, size_t length) {
    char *copy = malloc(length + 1);
    if (copy) memcpy(copy, text, length + 1);
    return copy;
}

/* `key` of obj: a string of at most `max` bytes without a 0 byte, copied into *out (malloc'd);
 * absent: *out untouched. `what` names the value in messages. */
static bool field_text(scenario_ctx *c, const pjson_node *obj, const char *key, size_t max,
                       const char *what, char **out) {
    const pjson_node *node = pjson_get(obj, key);
    if (!node) return true;
    size_t mark = ctx_path_key(c, key);
    bool ok =
        node->type == PJSON_STRING && strlen(node->string) == node->length && node->length <= max;
    if (!ok && node->type == PJSON_STRING && node->length > max)
        ctx_report(c, node->pos, "%s of %zu bytes; at most %zu", what, node->length, max);
    else if (!ok && node->type == PJSON_STRING)
        ctx_report(c, node->pos,
                   "%s holds a 0 byte (\\u0000); the file system's C calls take "
                   "0-terminated text",
                   what);
    else if (!ok)
        report_type(c, node, what);
    if (ok && !(*out = text_dup(node->string, node->length))) {
        ctx_out_of_memory(c);
        ok = false;
    }
    ctx_path_restore(c, mark);
    return ok;
}

/* `key` of obj: a handle's name (1..16 bytes of text) into out; absent: "". */
static bool field_handle(scenario_ctx *c, const pjson_node *obj, const char *key,
                         char out[SCENARIO_FS_HANDLE_MAX + 1]) {
    const pjson_node *node = pjson_get(obj, key);
    out[0] = '\0';
    if (!node) return true;
    size_t mark = ctx_path_key(c, key);
    bool ok = node->type == PJSON_STRING && strlen(node->string) == node->length &&
              node->length >= 1 && node->length <= SCENARIO_FS_HANDLE_MAX;
    if (ok)
        memcpy(out, node->string, node->length + 1);
    else if (node->type == PJSON_STRING)
        ctx_report(c, node->pos, "a handle's name of %zu bytes%s; expected 1 to 16 bytes of text",
                   node->length, strlen(node->string) != node->length ? " holding a 0 byte" : "");
    else
        report_type(c, node, "a handle's name (a string of 1 to 16 bytes)");
    ctx_path_restore(c, mark);
    return ok;
}

/* The fields each step takes. */
static void step_fields(scenario_op op, const scenario_name **fields, size_t *count) {
#define USE(table) (*fields = (table), *count = NAME_COUNT(table))
    switch (op) {
    case SCENARIO_OP_FS_MOVE: USE(move_fields); break;
    case SCENARIO_OP_FS_LINK: USE(link_fields); break;
    case SCENARIO_OP_FS_READLINK: USE(readlink_fields); break;
    case SCENARIO_OP_FS_SCAN: USE(scan_fields); break;
    case SCENARIO_OP_FS_OPEN: USE(open_fields); break;
    case SCENARIO_OP_FS_DIR_OPEN: USE(dir_open_fields); break;
    case SCENARIO_OP_FS_READ: USE(read_fields); break;
    case SCENARIO_OP_FS_WRITE: USE(write_fields); break;
    case SCENARIO_OP_FS_SET_SIZE: USE(set_size_fields); break;
    case SCENARIO_OP_FS_FILE_STATUS:
    case SCENARIO_OP_FS_FLUSH:
    case SCENARIO_OP_FS_CLOSE:
    case SCENARIO_OP_FS_DIR_CLOSE: USE(handle_fields); break;
    default: USE(path_fields); break; /* mkdir, delete, status */
    }
#undef USE
}

bool parse_fs_step(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    scenario_fs_args *a = &step->args.fs;
    const scenario_name *fields = NULL;
    size_t count = 0;
    step_fields(step->op, &fields, &count);
    char what[40];
    snprintf(what, sizeof what, "'%s'", scenario_op_name(step->op));
    if (!check_object(c, args, what, fields, count)) return false;
    const char *path_key = step->op == SCENARIO_OP_FS_MOVE ? "from" : "path";
    bool ok = field_text(c, args, path_key, SCENARIO_FS_PATH_MAX, "a path (a string)", &a->path);
    ok &= field_text(c, args, "to", SCENARIO_FS_PATH_MAX, "a path (a string)", &a->to);
    ok &= field_text(c, args, "target", SCENARIO_FS_PATH_MAX, "a link's target (a string)",
                     &a->target);
    if (ok && !a->path && !(a->path = text_dup("", 0))) { /* fs_scan without a path: its base */
        ctx_out_of_memory(c);
        ok = false;
    }
    ok &= field_handle(c, args, "at", a->at);
    ok &= field_handle(c, args, "to_at", a->to_at);
    ok &= field_handle(c, args, "handle", a->handle);
    int mode = SCENARIO_FS_R;
    ok &= field_open_mode(c, args, "open mode", mode_names, NAME_COUNT(mode_names), SCENARIO_FS_R,
                          &mode);
    a->mode = (scenario_fs_mode)mode;
    ok &= field_u32(c, args, "offset", 0, UINT32_MAX, 0, &a->offset);
    ok &= field_u32(c, args, "count", 0, SCENARIO_MAX_VALUE_BYTES, 0, &a->count);
    ok &= field_u32(c, args, "size", 0, UINT32_MAX, 0, &a->size);
    a->has_capacity = pjson_get(args, "capacity") != NULL;
    ok &= field_u32(c, args, "capacity", 0, SCENARIO_FS_PATH_MAX, 0, &a->capacity);
    if (step->op == SCENARIO_OP_FS_WRITE)
        ok &= field_value(c, args, "data", 0, SCENARIO_MAX_VALUE_BYTES, &a->data);
    return ok;
}

bool parse_fs_status_expect(scenario_ctx *c, const pjson_node *node, scenario_expect *e) {
    if (!check_object(c, node, "a status {\"type\": T, \"size\": N}", status_fields,
                      NAME_COUNT(status_fields)))
        return false;
    int type = 0;
    bool ok =
        field_name(c, node, "type", "entry type", type_names, NAME_COUNT(type_names), 0, &type);
    e->fs_status.type = (uint8_t)type;
    e->fs_status.has_size = pjson_get(node, "size") != NULL;
    return ok && field_u32(c, node, "size", 0, UINT32_MAX, 0, &e->fs_status.size);
}

/* fs_scan's value: {"name": "file" | "directory" | "link", ...}, each name once. */
bool parse_fs_entries_expect(scenario_ctx *c, const pjson_node *node, scenario_expect *e) {
    if (node->type != PJSON_OBJECT) {
        report_type(c, node, "an object of names and their types {\"name\": \"file\", ...}");
        return false;
    }
    if (node->count && !(e->items = calloc(node->count, sizeof *e->items))) {
        ctx_out_of_memory(c);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < node->count; i++) {
        const pjson_member *m = &node->members[i];
        size_t mark = ctx_path_key(c, m->key);
        int type = 0;
        for (size_t j = 0; j < i && ok; j++)
            if (node->members[j].key_length == m->key_length &&
                memcmp(node->members[j].key, m->key, m->key_length) == 0) {
                ctx_report(c, m->key_pos, "name '%s' is listed twice", m->key);
                ok = false;
            }
        ok = ok && node_name(c, m->value, "entry type", type_names + 1, NAME_COUNT(type_names) - 1,
                             &type);
        scenario_item *it = &e->items[e->item_count];
        if (ok && m->key_length && !(it->key.bytes = malloc(m->key_length))) {
            ctx_out_of_memory(c);
            ok = false;
        }
        if (ok && !(it->value.bytes = malloc(1))) {
            ctx_out_of_memory(c);
            ok = false;
        }
        if (ok) {
            if (m->key_length) memcpy(it->key.bytes, m->key, m->key_length);
            it->key.length = (uint32_t)m->key_length;
            it->value.bytes[0] = (uint8_t)type;
            it->value.length = 1;
            e->item_count++;
        }
        ctx_path_restore(c, mark);
        if (!ok) break;
    }
    return ok;
}

void fs_args_free(scenario_fs_args *a) {
    free(a->path);
    free(a->to);
    free(a->target);
    value_free(&a->data);
    a->path = a->to = a->target = NULL;
}

/* ---- handles held at once ---- */

/* The names of the handles of one kind that are open at a point of the steps. */
typedef struct open_handles {
    char names[SCENARIO_FS_OPEN_MAX][SCENARIO_FS_HANDLE_MAX + 1];
    unsigned count;
} open_handles;

static void handle_close(open_handles *h, const char *name) {
    for (unsigned i = 0; i < h->count; i++)
        if (strcmp(h->names[i], name) == 0) {
            memcpy(h->names[i], h->names[--h->count], sizeof h->names[i]);
            return;
        }
}

static bool handle_is_open(const open_handles *h, const char *name) {
    for (unsigned i = 0; i < h->count; i++)
        if (strcmp(h->names[i], name) == 0) return true;
    return false;
}

/* The same handles open in both (in any order). */
static bool same_handles(const open_handles *a, const open_handles *b) {
    if (a->count != b->count) return false;
    for (unsigned i = 0; i < a->count; i++)
        if (!handle_is_open(b, a->names[i])) return false;
    return true;
}

/* Opens `name` (closing the handle of that name first, as the run does); false when every
 * handle of the kind is open already. */
static bool handle_open(open_handles *h, const char *name) {
    handle_close(h, name);
    if (h->count == SCENARIO_FS_OPEN_MAX) return false;
    snprintf(h->names[h->count++], sizeof h->names[0], "%s", name);
    return true;
}

/* A message at a parsed step (its path and position), after the parse has left the steps. */
static void report_at_step(scenario_ctx *c, const scenario_step *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report_at_step(scenario_ctx *c, const scenario_step *step, const char *fmt, ...) {
    char message[SCENARIO_MESSAGE_MAX], saved[sizeof c->path];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    size_t saved_length = c->path_length;
    memcpy(saved, c->path, sizeof saved);
    snprintf(c->path, sizeof c->path, "%s", step->path);
    c->path_length = strlen(c->path);
    ctx_report(c, (pjson_pos){step->line, step->column}, "%s", message);
    memcpy(c->path, saved, sizeof saved);
    c->path_length = saved_length;
}

/* As the run keeps them: an open names its handle (an open that is expected to fail leaves it
 * closed), a close closes it, and the scenario's own mounts (power_on, reboot) and erase_all
 * close them all. A repeat's steps run twice here when the first pass changed what is open: the
 * second pass sees what the first left open. A handle the run closes otherwise (a recovery from a
 * planned cut whose file is gone) is counted open: a scenario relying on that is too subtle to be
 * worth it. */
static bool walk_handles(scenario_ctx *c, const scenario_steps *steps, open_handles *files,
                         open_handles *dirs) {
    for (size_t i = 0; i < steps->count; i++) {
        const scenario_step *step = &steps->items[i];
        bool dir = step->op == SCENARIO_OP_FS_DIR_OPEN || step->op == SCENARIO_OP_FS_DIR_CLOSE;
        open_handles *h = dir ? dirs : files;
        switch (step->op) {
        case SCENARIO_OP_FS_OPEN:
        case SCENARIO_OP_FS_DIR_OPEN:
            if (step->expect.kind == SCENARIO_EXPECT_ERROR) {
                handle_close(h, step->args.fs.handle);
            } else if (!handle_open(h, step->args.fs.handle)) {
                report_at_step(c, step,
                               "%s '%s': %u %s handles are open already (the engine holds no "
                               "more); close one first",
                               scenario_op_name(step->op), step->args.fs.handle,
                               SCENARIO_FS_OPEN_MAX, dir ? "directory" : "file");
                return false;
            }
            break;
        case SCENARIO_OP_FS_CLOSE:
        case SCENARIO_OP_FS_DIR_CLOSE: handle_close(h, step->args.fs.handle); break;
        case SCENARIO_OP_POWER_ON:
        case SCENARIO_OP_REBOOT:
        case SCENARIO_OP_ERASE_ALL: files->count = dirs->count = 0; break;
        case SCENARIO_OP_REPEAT: {
            /* A second pass only when the first changed what is open: a pass that leaves the
             * handles as it found them leaves every later pass the same (and nested repeats
             * stay linear in the file's size). */
            open_handles files_before = *files, dirs_before = *dirs;
            if (!walk_handles(c, &step->args.repeat.steps, files, dirs)) return false;
            bool changed = !same_handles(files, &files_before) || !same_handles(dirs, &dirs_before);
            if (step->args.repeat.times > 1 && changed &&
                !walk_handles(c, &step->args.repeat.steps, files, dirs))
                return false;
            break;
        }
        default: break;
        }
    }
    return true;
}

void check_fs_handles(scenario_ctx *c, const scenario_steps *steps) {
    open_handles files = {.count = 0}, dirs = {.count = 0};
    walk_handles(c, steps, &files, &dirs);
}
