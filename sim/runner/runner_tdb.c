/* Steps of the TDBStore-shaped store in a run (tdb_set, tdb_get, tdb_info, tdb_remove, tdb_reset,
 * the incremental set, tdb_iter, the reserved area): each call goes through the adapter's tdb
 * operations, its answer is compared with the step's expectation or with the reference model
 * (ref_tdb.h over the run's map model in the tdb_view.h form), and the model follows it: in flight
 * when a cut lands inside a write (a reset: every key, or none, removed). After a planned cut the
 * recovery checks the store; then, as firmware would after its reboot, the runner starts again an
 * incremental set the cut ended (set_start and the bytes added so far) and runs the call again
 * when it was not applied (a step of a set always: none is visible). */
#include "ref_tdb.h"
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- one call ---- */

typedef struct tdb_call {
    ref_tdb_call call;
    const scenario_expect *expect; /* NULL: checked against the model only */
} tdb_call;

static bool writes_flash(ref_tdb_call_kind kind) {
    return kind == REF_TDB_SET || kind == REF_TDB_REMOVE || kind == REF_TDB_RESET ||
           kind == REF_TDB_SET_START || kind == REF_TDB_SET_ADD || kind == REF_TDB_SET_FINALIZE ||
           kind == REF_TDB_RESERVED_SET;
}

/* Errors after which the store is untouched: refused before anything was written. */
static bool refused_unwritten(int rc) {
    return rc == NBS_E_NOT_FOUND || rc == NBS_E_KEY_LEN || rc == NBS_E_KEY_CHARS ||
           rc == NBS_E_INVAL || rc == NBS_E_TOO_BIG || rc == NBS_E_FULL ||
           rc == NBS_E_NOT_MOUNTED || rc == NBS_E_READ_ONLY || rc == NBS_E_WRITE_PROTECTED ||
           rc == NBS_E_BUSY;
}

static int collect_keys(run_state *st, ref_tdb_answer *got) {
    const adapter_tdb_ops *tdb = st->engine.tdb;
    for (;;) {
        uint8_t key[TDB_VIEW_KEY_MAX];
        size_t key_len = 0;
        int rc = tdb->iter_next(st->engine.ctx, key, sizeof key, &key_len);
        if (rc) return rc == NBS_E_END ? NBS_OK : rc;
        ref_list_append(&got->keys, key, key_len, "", 0);
    }
}

static void call_adapter(run_state *st, const ref_tdb_call *c, ref_tdb_answer *got) {
    const adapter_tdb_ops *tdb = st->engine.tdb;
    void *ctx = st->engine.ctx;
    if (!run_call_mounted(st, &got->rc)) return;
    switch (c->kind) {
    case REF_TDB_SET:
        got->rc = tdb->set(ctx, c->key, c->key_len, c->value, c->value_len, c->flags);
        break;
    case REF_TDB_GET:
        got->rc = tdb->get(ctx, c->key, c->key_len, st->read_buffer, c->capacity, &got->length,
                           c->offset);
        got->bytes = st->read_buffer;
        break;
    case REF_TDB_INFO: got->rc = tdb->info(ctx, c->key, c->key_len, &got->size, &got->flags); break;
    case REF_TDB_REMOVE: got->rc = tdb->remove(ctx, c->key, c->key_len); break;
    case REF_TDB_RESET: got->rc = tdb->reset(ctx); break;
    case REF_TDB_SET_START:
        got->rc = tdb->set_start(ctx, c->key, c->key_len, c->size, c->flags);
        break;
    case REF_TDB_SET_ADD: got->rc = tdb->set_add(ctx, c->value, c->value_len); break;
    case REF_TDB_SET_FINALIZE: got->rc = tdb->set_finalize(ctx); break;
    case REF_TDB_SET_ABORT: got->rc = tdb->set_abort(ctx); break;
    case REF_TDB_ITER:
        got->rc = tdb->iter_open(ctx, c->key, c->key_len);
        if (!got->rc) got->rc = collect_keys(st, got);
        break;
    case REF_TDB_RESERVED_SET: got->rc = tdb->reserved_set(ctx, c->value, c->value_len); break;
    case REF_TDB_RESERVED_GET:
        got->rc = tdb->reserved_get(ctx, st->read_buffer, c->capacity, &got->length);
        got->bytes = st->read_buffer;
        break;
    }
    /* What each write asks to store: a set's key and value, an incremental set's key when it
     * starts and each part's bytes, the reserved area's bytes. */
    if (c->kind == REF_TDB_SET || c->kind == REF_TDB_SET_START)
        run_count_user_bytes(st, c->key_len + (c->kind == REF_TDB_SET ? c->value_len : 0), got->rc);
    else if (c->kind == REF_TDB_SET_ADD || c->kind == REF_TDB_RESERVED_SET)
        run_count_user_bytes(st, c->value_len, got->rc);
}

static bool answers_agree(ref_tdb_call_kind kind, const ref_tdb_answer *want,
                          const ref_tdb_answer *got) {
    if (want->rc != got->rc) return false;
    if (got->rc) return true;
    switch (kind) {
    case REF_TDB_GET:
    case REF_TDB_RESERVED_GET:
        return want->length == got->length &&
               (!got->length || memcmp(want->bytes, got->bytes, got->length) == 0);
    case REF_TDB_INFO: return want->size == got->size && want->flags == got->flags;
    case REF_TDB_ITER: return ref_map_lists_match(&want->keys, &got->keys);
    default: return true;
    }
}

static void describe(char *out, size_t size, ref_tdb_call_kind kind, const ref_tdb_answer *a) {
    if (a->rc) {
        snprintf(out, size, "error %s", scenario_error_short_name(a->rc));
    } else if (kind == REF_TDB_GET || kind == REF_TDB_RESERVED_GET) {
        run_describe_bytes(out, size, a->bytes, a->length);
    } else if (kind == REF_TDB_INFO) {
        snprintf(out, size, "size %u, flags %u", (unsigned)a->size, (unsigned)a->flags);
    } else if (kind == REF_TDB_ITER) {
        run_describe_keys(out, size, &a->keys);
    } else {
        snprintf(out, size, "success");
    }
}

static const char *step_name(const run_state *st) {
    return st->step ? scenario_op_name(st->step->op) : "tdb";
}

static int fail_disagreement(run_state *st, const tdb_call *c, const char *source,
                             const ref_tdb_answer *want, const ref_tdb_answer *got) {
    char expected[300], actual[300];
    describe(expected, sizeof expected, c->call.kind, want);
    describe(actual, sizeof actual, c->call.kind, got);
    return run_fail_answer(st, step_name(st), expected, source, actual, want->rc, got->rc);
}

/* The answer the step's expectation asks for. */
static int expected_answer(run_state *st, const scenario_expect *e, run_bytes *bytes,
                           ref_tdb_answer *out) {
    switch (e->kind) {
    case SCENARIO_EXPECT_ERROR: out->rc = e->error; break;
    case SCENARIO_EXPECT_ABSENT: out->rc = NBS_E_NOT_FOUND; break;
    case SCENARIO_EXPECT_TDB_INFO:
        out->size = e->tdb_info.size;
        out->flags = e->tdb_info.flags;
        break;
    case SCENARIO_EXPECT_BYTES:
        if (run_value_get(st, &e->bytes, bytes)) return run_fail_nomem(st);
        out->bytes = bytes->bytes;
        out->length = bytes->length;
        break;
    case SCENARIO_EXPECT_ITEMS: return run_expected_keys(st, e, &out->keys);
    default: break;
    }
    return RUNNER_OK;
}

/* One call: predicted, made, followed by the model, checked. *got is the engine's answer (the
 * caller inits and frees its keys). */
static int single_call(run_state *st, const tdb_call *c, ref_tdb_answer *got) {
    ref_tdb_answer want = {0};
    ref_list_init(&want.keys);
    bool predicted = run_model_definite(st);
    ref_list_clear(&st->tdb.reset_keys); /* a reset's keys count only while it is in flight */
    ref_tdb_predict(&st->tdb, &st->map, &c->call, &want);
    if (!want.rc && st->read_only && writes_flash(c->call.kind)) want.rc = NBS_E_READ_ONLY;
    uint8_t *predicted_bytes;
    int rc = run_keep_prediction(st, &want.bytes, want.length, &predicted_bytes);
    if (rc) return rc;
    bool tracked = predicted && !want.rc && ref_tdb_begin(&st->tdb, &st->map, &c->call);
    bool powered_before = nor_is_powered(st->dev);
    call_adapter(st, &c->call, got);
    bool cut_in_call = powered_before && !nor_is_powered(st->dev);
    if (tracked) run_end_tracked(st, got->rc == NBS_OK, cut_in_call, refused_unwritten(got->rc));
    ref_tdb_after(&st->tdb, &c->call, cut_in_call || !nor_is_powered(st->dev) ? NBS_E_IO : got->rc);

    /* A planned cut in this call: run_tdb_call recovers and checks. */
    run_answer_check check = run_answer_check_for(
        st, c->expect, got->rc, cut_in_call, predicted && !(got->rc == NBS_OK && !powered_before));
    if (check == RUN_CHECK_EXPECTATION) {
        ref_tdb_answer asked = {0};
        run_bytes bytes = {0};
        ref_list_init(&asked.keys);
        rc = expected_answer(st, c->expect, &bytes, &asked);
        if (!rc && !answers_agree(c->call.kind, &asked, got))
            rc = fail_disagreement(st, c, "the step's expectation", &asked, got);
        run_bytes_free(&bytes);
        ref_list_free(&asked.keys);
    } else if (check == RUN_CHECK_MODEL && !answers_agree(c->call.kind, &want, got)) {
        rc = fail_disagreement(st, c, "the reference model", &want, got);
    }
    free(predicted_bytes);
    ref_list_free(&want.keys);
    return rc;
}

static int run_tdb_call(run_state *st, const tdb_call *c, ref_tdb_answer *got);

/* After the recovery from a cut inside `c`: the incremental set the cut ended (`before`, as it was
 * before the call) started again with the bytes added so far, unless the call committed it. */
static int resume_set(run_state *st, const ref_tdb *before, const tdb_call *c) {
    ref_tdb_forget_set(&st->tdb);
    if (!before->set_open || (c->call.kind == REF_TDB_SET_FINALIZE && st->plan.applied))
        return RUNNER_OK;
    tdb_call start = {.call = {.kind = REF_TDB_SET_START,
                               .key = before->set_key,
                               .key_len = before->set_key_len,
                               .flags = before->set_flags,
                               .size = before->set_size}};
    tdb_call add = {.call = {.kind = REF_TDB_SET_ADD,
                             .value = before->set_data,
                             .value_len = before->set_added}};
    ref_tdb_answer got = {0};
    ref_list_init(&got.keys);
    int rc = single_call(st, &start, &got);
    if (!rc && before->set_added) rc = single_call(st, &add, &got);
    ref_list_free(&got.keys);
    return rc;
}

static int run_tdb_call(run_state *st, const tdb_call *c, ref_tdb_answer *got) {
    int rc = run_grow_read_buffer(st, c->call.capacity);
    if (!rc) rc = run_sync_model_before_call(st);
    ref_tdb before;
    ref_tdb_init(&before, st->tdb.key_rules);
    ref_tdb_copy(&before, &st->tdb);
    if (!rc) rc = single_call(st, c, got);
    if (!rc && st->plan.recovery_pending && !nor_is_powered(st->dev)) {
        rc = run_recover(st);
        if (!rc) rc = resume_set(st, &before, c);
        /* Not applied (a step of a set never shows): run it again, as firmware would. */
        ref_tdb_call_kind k = c->call.kind;
        bool unseen = k == REF_TDB_SET_START || k == REF_TDB_SET_ADD || k == REF_TDB_SET_ABORT;
        if (!rc && (unseen || !st->plan.applied)) {
            ref_list_clear(&got->keys);
            rc = run_tdb_call(st, c, got);
        }
    }
    ref_tdb_free(&before);
    return rc;
}

/* ---- steps ---- */

void run_tdb_forget(run_state *st) {
    ref_tdb_forget_set(&st->tdb);
}

void run_tdb_describe_item(const ref_item *item, char *out, size_t size) {
    tdb_view_item_key k;
    char key[80], value[100];
    if (!tdb_view_parse_key(item->key, item->key_len, &k) || (!k.is_reserved && !item->value_len)) {
        run_describe_bytes(out, size, item->key, item->key_len);
        return;
    }
    if (k.is_reserved) {
        run_describe_bytes(value, sizeof value, item->value, item->value_len);
        snprintf(out, size, "reserved area = %s", value);
        return;
    }
    run_describe_bytes(key, sizeof key, k.key, k.key_len);
    run_describe_bytes(value, sizeof value, item->value + 1, item->value_len - 1);
    snprintf(out, size, "%s = %s%s", key,
             item->value[0] & SCENARIO_TDB_WRITE_ONCE ? "write_once " : "", value);
}

static const ref_tdb_call_kind kind_of_op[] = {
    [SCENARIO_OP_TDB_SET] = REF_TDB_SET,
    [SCENARIO_OP_TDB_GET] = REF_TDB_GET,
    [SCENARIO_OP_TDB_INFO] = REF_TDB_INFO,
    [SCENARIO_OP_TDB_REMOVE] = REF_TDB_REMOVE,
    [SCENARIO_OP_TDB_RESET] = REF_TDB_RESET,
    [SCENARIO_OP_TDB_SET_START] = REF_TDB_SET_START,
    [SCENARIO_OP_TDB_SET_ADD] = REF_TDB_SET_ADD,
    [SCENARIO_OP_TDB_SET_FINALIZE] = REF_TDB_SET_FINALIZE,
    [SCENARIO_OP_TDB_SET_ABORT] = REF_TDB_SET_ABORT,
    [SCENARIO_OP_TDB_ITER] = REF_TDB_ITER,
    [SCENARIO_OP_TDB_RESERVED_SET] = REF_TDB_RESERVED_SET,
    [SCENARIO_OP_TDB_RESERVED_GET] = REF_TDB_RESERVED_GET,
};

/* tdb_iter with a set after `set_after` keys: the keys before it, the set (a call of its own,
 * checked), the rest. The iterator must end with iter_stale when the set wrote, and run to its
 * end otherwise; a planned cut inside the set ends the step (the iterator died with the power). */
static int iter_with_set(run_state *st, const scenario_step *step, const tdb_call *c,
                         const run_bytes *set_key, const run_bytes *set_value) {
    const scenario_tdb_args *a = &step->args.tdb;
    ref_tdb_answer want = {0}, got = {0};
    ref_list_init(&want.keys);
    ref_list_init(&got.keys);
    int rc = run_sync_model_before_call(st);
    if (rc) goto done;
    bool predicted = run_model_definite(st);
    ref_tdb_predict(&st->tdb, &st->map, &c->call, &want);
    run_count_engine_op(st);
    got.rc = st->mounted ? st->engine.tdb->iter_open(st->engine.ctx, c->call.key, c->call.key_len)
                         : NBS_E_NOT_MOUNTED;
    bool stale_expected = false, set_done = false, ended = false;
    while (!got.rc && !rc && !ended) {
        if (!set_done && got.keys.count == a->set_after) {
            tdb_call set = {.call = {.kind = REF_TDB_SET,
                                     .key = set_key->bytes,
                                     .key_len = set_key->length,
                                     .value = set_value->bytes,
                                     .value_len = set_value->length,
                                     .flags = a->flags}};
            ref_tdb_answer set_got = {0};
            ref_list_init(&set_got.keys);
            bool recovered = st->plan.recovered;
            rc = run_tdb_call(st, &set, &set_got);
            set_done = true;
            stale_expected = set_got.rc == NBS_OK;
            ref_list_free(&set_got.keys);
            if (rc || st->plan.recovered != recovered) goto done;
        }
        uint8_t key[TDB_VIEW_KEY_MAX];
        size_t key_len = 0;
        run_count_engine_op(st);
        int next = st->engine.tdb->iter_next(st->engine.ctx, key, sizeof key, &key_len);
        if (next == NBS_E_END)
            ended = true;
        else if (next)
            got.rc = next;
        else
            ref_list_append(&got.keys, key, key_len, "", 0);
    }
    if (!rc && c->expect && c->expect->kind == SCENARIO_EXPECT_ERROR) {
        if (got.rc != c->expect->error) {
            ref_tdb_answer asked = {.rc = c->expect->error};
            rc = fail_disagreement(st, c, "the step's expectation", &asked, &got);
        }
    } else if (!rc && predicted && stale_expected) {
        /* the keys before the set: distinct keys of the prefix */
        bool seen_ok = got.rc == NBS_E_ITER_STALE && got.keys.count == a->set_after;
        for (size_t i = 0; seen_ok && i < got.keys.count; i++) {
            const ref_item *k = &got.keys.items[i];
            seen_ok = ref_map_find(&(ref_map){.items = want.keys}, k->key, k->key_len) != NULL;
        }
        if (!seen_ok) {
            want.rc = NBS_E_ITER_STALE;
            rc = fail_disagreement(st, c, "the reference model: the set in between wrote", &want,
                                   &got);
        }
    } else if (!rc && predicted && !answers_agree(REF_TDB_ITER, &want, &got)) {
        rc = fail_disagreement(st, c, "the reference model", &want, &got);
    }
done:
    ref_list_free(&want.keys);
    ref_list_free(&got.keys);
    return rc;
}

int run_tdb_step(run_state *st, const scenario_step *step) {
    const scenario_tdb_args *a = &step->args.tdb;
    if (!st->engine.tdb)
        return run_fail(st, "%s: the %s engine is no TDBStore-shaped store",
                        scenario_op_name(step->op), st->engine.name);
    run_bytes key = {0}, value = {0}, set_key = {0};
    int rc = RUNNER_OK;
    if (run_value_get(st, &a->key, &key) || run_value_get(st, &a->value, &value) ||
        run_value_get(st, &a->set_key, &set_key))
        rc = run_fail_nomem(st);
    if (!rc) rc = run_grow_read_buffer(st, a->has_size ? a->size : 0);
    tdb_call c = {.call = {.kind = kind_of_op[step->op],
                           .key = key.bytes,
                           .key_len = key.length,
                           .value = value.bytes,
                           .value_len = value.length,
                           .flags = a->flags,
                           .size = a->size,
                           .offset = a->offset,
                           .capacity = a->has_size ? a->size : st->read_buffer_size},
                  .expect = &step->expect};
    bool items_expected = step->expect.kind == SCENARIO_EXPECT_ITEMS;
    if (!rc && a->has_set && items_expected)
        rc = run_fail(st, "tdb_iter: with 'set' the keys seen depend on the order of iteration; "
                          "expect an error (iter_stale) or nothing");
    if (!rc && step->op == SCENARIO_OP_TDB_ITER && a->has_set) {
        rc = iter_with_set(st, step, &c, &set_key, &value);
    } else if (!rc) {
        ref_tdb_answer got = {0};
        ref_list_init(&got.keys);
        rc = run_tdb_call(st, &c, &got);
        ref_list_free(&got.keys);
    }
    run_bytes_free(&key);
    run_bytes_free(&value);
    run_bytes_free(&set_key);
    return rc;
}
