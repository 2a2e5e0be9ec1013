/* Steps of the file system in a run (fs_mkdir ... fs_dir_close): handle names become slots, each
 * call goes through the adapter's fs operations, its answer is compared with the step's
 * expectation or with the reference model (ref_fs.h over the run's map model in the fs_view.h
 * form), and the model follows it: a call that changes the tree is in flight when a cut lands
 * inside it (the tree and each file exactly as before the call or as after it). After a planned
 * cut the recovery checks the whole tree; then, as firmware would after its reboot, the runner
 * opens again every handle the model holds open (by its entry's path; a handle whose entry was
 * deleted is closed) and runs the call again when it was not applied. */
#include "nbs_fs.h"
#include "ref_fs.h"
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The scenario's validator, the reference model and the adapter hold as many handles. */
_Static_assert(SCENARIO_FS_OPEN_MAX == REF_FS_HANDLES && REF_FS_HANDLES == ADAPTER_FS_HANDLES,
               "the fs handle limits of scenario.h, ref_fs.h and adapter.h differ");

/* ---- handle names ---- */

/* The slot of a handle named `name` in `names`, REF_FS_NEVER_OPEN when it names none. */
static int slot_of(char names[][SCENARIO_FS_HANDLE_MAX + 1], const char *name) {
    for (int i = 0; *name && i < REF_FS_HANDLES; i++)
        if (strcmp(names[i], name) == 0) return i;
    return REF_FS_NEVER_OPEN;
}

/* A slot for a handle about to be opened: its own, a slot never named, or one whose handle is
 * closed (its old name then names none); -1 when every slot holds an open handle. */
static int slot_for_open(char names[][SCENARIO_FS_HANDLE_MAX + 1], const ref_fs_handle *handles,
                         const char *name) {
    int slot = slot_of(names, name);
    for (int i = 0; slot == REF_FS_NEVER_OPEN && i < REF_FS_HANDLES; i++)
        if (!names[i][0]) slot = i;
    for (int i = 0; slot == REF_FS_NEVER_OPEN && i < REF_FS_HANDLES; i++)
        if (!handles[i].open) slot = i;
    if (slot == REF_FS_NEVER_OPEN) return -1;
    snprintf(names[slot], SCENARIO_FS_HANDLE_MAX + 1, "%s", name);
    return slot;
}

void run_fs_forget(run_state *st) {
    ref_fs_forget(&st->fs.model);
}

void run_fs_copy(run_fs *dst, const run_fs *src) {
    ref_fs_copy(&dst->model, &src->model);
    memcpy(dst->file_names, src->file_names, sizeof dst->file_names);
    memcpy(dst->dir_names, src->dir_names, sizeof dst->dir_names);
}

/* ---- one call ---- */

static int collect_entry(void *ctx, const uint8_t *name, size_t name_len, const uint8_t *type,
                         size_t type_len, bool *pop_current) {
    (void)pop_current;
    ref_list_append(ctx, name, name_len, type, type_len);
    return 0;
}

typedef struct fs_call {
    ref_fs_call call;
    const scenario_expect *expect; /* NULL: checked against the model only */
} fs_call;

/* Errors after which the tree is untouched: refused before anything was written. */
static bool refused_unwritten(int rc) {
    return rc == NBS_E_NOT_FOUND || rc == NBS_E_INVAL || rc == NBS_E_TOO_BIG || rc == NBS_E_FULL ||
           rc == NBS_E_NOT_MOUNTED || rc == NBS_E_READ_ONLY ||
           (rc <= NBS_E_FS_PATH && rc >= NBS_E_FS_NOT_LINK);
}

static void call_adapter(run_state *st, const ref_fs_call *c, ref_fs_answer *got) {
    const adapter_fs_ops *fs = st->engine.fs;
    void *ctx = st->engine.ctx;
    if (!run_call_mounted(st, &got->rc)) return;
    switch (c->kind) {
    case REF_FS_MKDIR: got->rc = fs->mkdir(ctx, c->at, c->path); break;
    case REF_FS_DELETE: got->rc = fs->remove(ctx, c->at, c->path); break;
    case REF_FS_MOVE: got->rc = fs->move(ctx, c->at, c->path, c->to_at, c->to); break;
    case REF_FS_STATUS: got->rc = fs->status(ctx, c->at, c->path, &got->type, &got->size); break;
    case REF_FS_LINK: got->rc = fs->link(ctx, c->at, c->path, c->target); break;
    case REF_FS_READLINK:
        got->rc = fs->readlink(ctx, c->at, c->path, st->read_buffer, c->capacity, &got->length);
        got->bytes = st->read_buffer;
        break;
    case REF_FS_SCAN: got->rc = fs->scan(ctx, c->at, c->path, collect_entry, &got->entries); break;
    case REF_FS_OPEN: got->rc = fs->open(ctx, c->at, c->path, c->mode, c->slot); break;
    case REF_FS_READ:
        got->rc = fs->read(ctx, c->slot, c->offset, st->read_buffer, c->count, &got->length);
        got->bytes = st->read_buffer;
        break;
    case REF_FS_WRITE:
        got->rc = fs->write(ctx, c->slot, c->offset, c->data, c->len);
        run_count_user_bytes(st, c->len, got->rc);
        break;
    case REF_FS_FILE_STATUS: got->rc = fs->file_status(ctx, c->slot, &got->type, &got->size); break;
    case REF_FS_SET_SIZE: got->rc = fs->set_size(ctx, c->slot, c->size); break;
    case REF_FS_FLUSH: got->rc = fs->flush(ctx, c->slot); break;
    case REF_FS_CLOSE:
        fs->close(ctx, c->slot);
        got->rc = NBS_OK;
        break;
    case REF_FS_DIR_OPEN: got->rc = fs->dir_open(ctx, c->at, c->path, c->slot); break;
    case REF_FS_DIR_CLOSE:
        fs->dir_close(ctx, c->slot);
        got->rc = NBS_OK;
        break;
    }
}

/* `size_matters` false: a status expectation that gave no size, or an error expectation (a
 * buffer too small without the size needed). */
static bool answers_agree(ref_fs_call_kind kind, const ref_fs_answer *want,
                          const ref_fs_answer *got, bool size_matters) {
    if (want->rc != got->rc) return false;
    if (kind == REF_FS_READLINK && got->rc == NBS_E_BUFFER_TOO_SMALL)
        return !size_matters || want->length == got->length;
    if (got->rc < 0) return true;
    switch (kind) {
    case REF_FS_READ:
    case REF_FS_READLINK:
        return want->length == got->length &&
               (!got->length || memcmp(want->bytes, got->bytes, got->length) == 0);
    case REF_FS_STATUS:
    case REF_FS_FILE_STATUS:
        return want->type == got->type && (!size_matters || want->size == got->size);
    case REF_FS_SCAN: return ref_map_lists_match(&want->entries, &got->entries);
    default: return true;
    }
}

static void describe_entries(char *out, size_t size, const ref_list *entries) {
    size_t used = (size_t)snprintf(out, size, "%zu %s", entries->count,
                                   entries->count == 1 ? "entry" : "entries");
    for (size_t i = 0; i < entries->count && i < 4 && used < size; i++) {
        const ref_item *e = &entries->items[i];
        char name[80];
        run_describe_bytes(name, sizeof name, e->key, e->key_len);
        used += (size_t)snprintf(out + used, size - used, "%s %s (%s)", i ? "," : ":", name,
                                 scenario_fs_type_name(e->value_len ? e->value[0] : 0));
    }
    if (entries->count > 4 && used < size) snprintf(out + used, size - used, ", ...");
}

static void describe(char *out, size_t size, ref_fs_call_kind kind, const ref_fs_answer *a) {
    if (a->rc < 0 && !(kind == REF_FS_READLINK && a->rc == NBS_E_BUFFER_TOO_SMALL)) {
        snprintf(out, size, "error %s", scenario_error_short_name(a->rc));
    } else if (a->rc < 0 && a->length) {
        snprintf(out, size, "error buffer_too_small (%zu bytes needed)", a->length);
    } else if (a->rc < 0) {
        snprintf(out, size, "error buffer_too_small");
    } else if (kind == REF_FS_MKDIR || kind == REF_FS_DELETE) {
        snprintf(out, size, "%s", a->rc ? "true" : "false");
    } else if (kind == REF_FS_READ || kind == REF_FS_READLINK) {
        run_describe_bytes(out, size, a->bytes, a->length);
    } else if (kind == REF_FS_STATUS || kind == REF_FS_FILE_STATUS) {
        snprintf(out, size, "type %s, size %u", scenario_fs_type_name((unsigned)a->type),
                 (unsigned)a->size);
    } else if (kind == REF_FS_SCAN) {
        describe_entries(out, size, &a->entries);
    } else {
        snprintf(out, size, "success");
    }
}

static int fail_disagreement(run_state *st, const fs_call *c, const char *source,
                             const ref_fs_answer *want, const ref_fs_answer *got) {
    char expected[400], actual[400];
    describe(expected, sizeof expected, c->call.kind, want);
    describe(actual, sizeof actual, c->call.kind, got);
    return run_fail_answer(st, st->step ? scenario_op_name(st->step->op) : "fs", expected, source,
                           actual, want->rc, got->rc);
}

/* The answer the step's expectation asks for. */
static int expected_answer(run_state *st, const scenario_expect *e, run_bytes *bytes,
                           ref_fs_answer *out) {
    switch (e->kind) {
    case SCENARIO_EXPECT_ERROR: out->rc = e->error; break;
    case SCENARIO_EXPECT_BOOL: out->rc = e->boolean ? 1 : 0; break;
    case SCENARIO_EXPECT_FS_STATUS:
        out->type = e->fs_status.type;
        out->size = e->fs_status.size;
        break;
    case SCENARIO_EXPECT_BYTES:
        if (run_value_get(st, &e->bytes, bytes)) return run_fail_nomem(st);
        out->bytes = bytes->bytes;
        out->length = bytes->length;
        break;
    case SCENARIO_EXPECT_FS_ENTRIES:
        for (size_t i = 0; i < e->item_count; i++)
            ref_list_append(&out->entries, e->items[i].key.bytes, e->items[i].key.length,
                            e->items[i].value.bytes, e->items[i].value.length);
        break;
    default: break;
    }
    return RUNNER_OK;
}

/* One call: predicted, made, followed by the model, checked. *got is the engine's answer (the
 * caller inits and frees its entries); *predicted_rc the model's. */
static int single_call(run_state *st, const fs_call *c, ref_fs_answer *got, int *predicted_rc) {
    ref_fs *model = &st->fs.model;
    ref_fs_answer want = {0};
    ref_list_init(&want.entries);
    bool predicted = run_model_definite(st);
    model->max_file = st->mounted ? st->engine.fs->max_file(st->engine.ctx) : 0;
    model->read_only = st->read_only;
    model->max_value = st->engine.fs->max_value;
    model->max_value_ctx = st->engine.ctx;
    ref_fs_predict(model, &st->map, &c->call, &want);
    *predicted_rc = want.rc;
    uint8_t *predicted_bytes;
    int rc = run_keep_prediction(st, &want.bytes, want.length, &predicted_bytes);
    if (rc) return rc;
    bool tracked = predicted && want.rc >= 0 && ref_fs_begin(model, &st->map, &c->call);
    bool powered_before = nor_is_powered(st->dev);
    call_adapter(st, &c->call, got);
    bool cut_in_call = powered_before && !nor_is_powered(st->dev);
    if (tracked) run_end_tracked(st, got->rc >= 0, cut_in_call, refused_unwritten(got->rc));
    if (!cut_in_call && nor_is_powered(st->dev)) ref_fs_after(model, &c->call, got->rc);

    /* A planned cut in this call: run_fs_call recovers and checks. */
    run_answer_check check = run_answer_check_for(st, c->expect, got->rc, cut_in_call,
                                                  predicted && !(got->rc >= 0 && !powered_before));
    if (check == RUN_CHECK_EXPECTATION) {
        ref_fs_answer asked = {0};
        run_bytes bytes = {0};
        ref_list_init(&asked.entries);
        rc = expected_answer(st, c->expect, &bytes, &asked);
        bool size_matters = c->expect->kind == SCENARIO_EXPECT_FS_STATUS
                                ? c->expect->fs_status.has_size
                                : c->expect->kind != SCENARIO_EXPECT_ERROR;
        if (!rc && !answers_agree(c->call.kind, &asked, got, size_matters))
            rc = fail_disagreement(st, c, "the step's expectation", &asked, got);
        run_bytes_free(&bytes);
        ref_list_free(&asked.entries);
    } else if (check == RUN_CHECK_MODEL && !answers_agree(c->call.kind, &want, got, true)) {
        rc = fail_disagreement(st, c, "the reference model", &want, got);
    }
    free(predicted_bytes);
    ref_list_free(&want.entries);
    return rc;
}

/* After a recovery: the handles the model holds open, opened again by their paths (the adapter's
 * mount closed them all), as firmware would after its reboot; those whose entry is gone closed. */
static int reopen_handles(run_state *st) {
    ref_fs *model = &st->fs.model;
    ref_fs_close_gone(model);
    for (int i = 0; i < REF_FS_HANDLES; i++) {
        const ref_fs_handle *f = &model->files[i], *d = &model->dirs[i];
        int rc = f->open ? st->engine.fs->reopen(st->engine.ctx, f->path, f->mode, i) : NBS_OK;
        if (rc)
            return run_fail(st,
                            "after the recovery, opening file handle '%s' again at \"%s\" "
                            "failed with error %s",
                            st->fs.file_names[i], f->path, scenario_error_short_name(rc));
        rc = d->open ? st->engine.fs->dir_open(st->engine.ctx, REF_FS_ROOT, d->path, i) : NBS_OK;
        if (rc)
            return run_fail(st,
                            "after the recovery, opening directory handle '%s' again at \"%s\" "
                            "failed with error %s",
                            st->fs.dir_names[i], d->path, scenario_error_short_name(rc));
    }
    return RUNNER_OK;
}

static int run_fs_call(run_state *st, const fs_call *c, ref_fs_answer *got) {
    int rc =
        run_grow_read_buffer(st, c->call.kind == REF_FS_READ ? c->call.count : c->call.capacity);
    if (!rc) rc = run_sync_model_before_call(st);
    int predicted_rc = NBS_OK;
    if (!rc) rc = single_call(st, c, got, &predicted_rc);
    if (!rc && st->plan.recovery_pending && !nor_is_powered(st->dev)) {
        rc = run_recover(st);
        if (!rc && st->plan.applied) ref_fs_after(&st->fs.model, &c->call, predicted_rc);
        if (!rc) rc = reopen_handles(st);
        /* Not applied: run it again, as firmware would. */
        if (!rc && !st->plan.applied) {
            ref_list_clear(&got->entries);
            rc = run_fs_call(st, c, got);
        }
    }
    return rc;
}

/* ---- steps ---- */

void run_fs_describe_item(const ref_item *item, char *out, size_t size) {
    char path[100], content[100];
    run_describe_bytes(path, sizeof path, item->key, item->key_len);
    unsigned type = item->value_len ? item->value[0] : 0;
    if (type == FS_VIEW_DIR || !item->value_len) {
        snprintf(out, size, "%s %s", path, scenario_fs_type_name(type));
        return;
    }
    run_describe_bytes(content, sizeof content, item->value + 1, item->value_len - 1);
    snprintf(out, size, "%s = %s %s", path, scenario_fs_type_name(type), content);
}

static const ref_fs_call_kind kind_of_op[] = {
    [SCENARIO_OP_FS_MKDIR] = REF_FS_MKDIR,
    [SCENARIO_OP_FS_DELETE] = REF_FS_DELETE,
    [SCENARIO_OP_FS_MOVE] = REF_FS_MOVE,
    [SCENARIO_OP_FS_STATUS] = REF_FS_STATUS,
    [SCENARIO_OP_FS_LINK] = REF_FS_LINK,
    [SCENARIO_OP_FS_READLINK] = REF_FS_READLINK,
    [SCENARIO_OP_FS_SCAN] = REF_FS_SCAN,
    [SCENARIO_OP_FS_OPEN] = REF_FS_OPEN,
    [SCENARIO_OP_FS_READ] = REF_FS_READ,
    [SCENARIO_OP_FS_WRITE] = REF_FS_WRITE,
    [SCENARIO_OP_FS_FILE_STATUS] = REF_FS_FILE_STATUS,
    [SCENARIO_OP_FS_SET_SIZE] = REF_FS_SET_SIZE,
    [SCENARIO_OP_FS_FLUSH] = REF_FS_FLUSH,
    [SCENARIO_OP_FS_CLOSE] = REF_FS_CLOSE,
    [SCENARIO_OP_FS_DIR_OPEN] = REF_FS_DIR_OPEN,
    [SCENARIO_OP_FS_DIR_CLOSE] = REF_FS_DIR_CLOSE,
};

/* The slot of the step's handle: a new or reused one for an open (the handle it held closed
 * first, in the model and the engine), else the one its name holds. */
static int handle_slot(run_state *st, const scenario_step *step, int *slot) {
    const scenario_fs_args *a = &step->args.fs;
    bool dir = step->op == SCENARIO_OP_FS_DIR_OPEN || step->op == SCENARIO_OP_FS_DIR_CLOSE;
    char(*names)[SCENARIO_FS_HANDLE_MAX + 1] = dir ? st->fs.dir_names : st->fs.file_names;
    ref_fs_handle *handles = dir ? st->fs.model.dirs : st->fs.model.files;
    if (step->op != SCENARIO_OP_FS_OPEN && step->op != SCENARIO_OP_FS_DIR_OPEN) {
        *slot = slot_of(names, a->handle);
        return RUNNER_OK;
    }
    if ((*slot = slot_for_open(names, handles, a->handle)) < 0)
        return run_fail(st, "%s: %d %s handles are open already; close one first",
                        scenario_op_name(step->op), REF_FS_HANDLES, dir ? "directory" : "file");
    ref_fs_call close = {.kind = dir ? REF_FS_DIR_CLOSE : REF_FS_CLOSE, .slot = *slot};
    ref_fs_after(&st->fs.model, &close, NBS_OK);
    if (st->mounted) (dir ? st->engine.fs->dir_close : st->engine.fs->close)(st->engine.ctx, *slot);
    return RUNNER_OK;
}

int run_fs_step(run_state *st, const scenario_step *step) {
    const scenario_fs_args *a = &step->args.fs;
    if (!st->engine.fs)
        return run_fail(st, "%s: the %s engine is no file system", scenario_op_name(step->op),
                        st->engine.name);
    run_bytes data = {0};
    if (run_value_get(st, &a->data, &data)) return run_fail_nomem(st);
    int slot = REF_FS_NEVER_OPEN;
    int rc = handle_slot(st, step, &slot);
    fs_call c = {.call = {.kind = kind_of_op[step->op],
                          .at = a->at[0] ? slot_of(st->fs.dir_names, a->at) : REF_FS_ROOT,
                          .path = a->path ? a->path : "",
                          .to_at = a->to_at[0] ? slot_of(st->fs.dir_names, a->to_at) : REF_FS_ROOT,
                          .to = a->to ? a->to : "",
                          .target = a->target ? a->target : "",
                          .slot = slot,
                          .mode = (int)a->mode,
                          .offset = a->offset,
                          .size = a->size,
                          .count = a->count,
                          .data = data.bytes,
                          .len = data.length,
                          .capacity = a->has_capacity ? a->capacity : NBS_FS_LINK_MAX},
                 .expect = &step->expect};
    if (!rc) {
        ref_fs_answer got = {0};
        ref_list_init(&got.entries);
        rc = run_fs_call(st, &c, &got);
        ref_list_free(&got.entries);
    }
    run_bytes_free(&data);
    return rc;
}
