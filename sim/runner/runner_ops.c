/* Engine operations of a run: each call goes through the adapter, its answer is compared with
 * the step's expectation when it has one and with the reference model otherwise, and the model
 * follows the operation (in flight when a power cut lands inside it). */
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What an engine call answered, or what it should have answered. */
typedef struct run_answer {
    int rc;
    const uint8_t *value; /* fetch, peek, pop */
    size_t length;        /* value length, or the size needed on buffer_too_small */
    uint64_t number;      /* count */
    bool boolean;         /* has */
} run_answer;

static bool is_read_op(scenario_op op) {
    return op == SCENARIO_OP_FETCH || op == SCENARIO_OP_PEEK || op == SCENARIO_OP_POP;
}

/* Errors after which a store is guaranteed untouched: the engine refused before writing. */
static bool error_leaves_store_unchanged(int rc) {
    switch (rc) {
    case NBS_E_INVAL:
    case NBS_E_NOT_FOUND:
    case NBS_E_BUFFER_TOO_SMALL:
    case NBS_E_TOO_BIG:
    case NBS_E_FULL:
    case NBS_E_EMPTY:
    case NBS_E_KEY_LEN:
    case NBS_E_RAM_FULL:
    case NBS_E_NOT_MOUNTED: return true;
    default: return false;
    }
}

static void describe_answer(char *out, size_t size, scenario_op op, const run_answer *a) {
    if (a->rc == NBS_E_BUFFER_TOO_SMALL) {
        snprintf(out, size, "error buffer_too_small (needs %zu %s)", a->length,
                 run_plural(a->length, "byte", "bytes"));
    } else if (a->rc) {
        snprintf(out, size, "error %s", scenario_error_short_name(a->rc));
    } else if (is_read_op(op)) {
        run_describe_bytes(out, size, a->value, a->length);
    } else if (op == SCENARIO_OP_COUNT) {
        snprintf(out, size, "%llu", (unsigned long long)a->number);
    } else if (op == SCENARIO_OP_HAS) {
        snprintf(out, size, "%s", a->boolean ? "true" : "false");
    } else {
        snprintf(out, size, "success");
    }
}

/* `compare_length`: also compare the size reported with buffer_too_small. */
static bool answers_agree(scenario_op op, const run_answer *want, const run_answer *got,
                          bool compare_length) {
    if (want->rc != got->rc) return false;
    if (got->rc == NBS_E_BUFFER_TOO_SMALL) return !compare_length || want->length == got->length;
    if (got->rc) return true;
    if (is_read_op(op))
        return want->length == got->length &&
               (got->length == 0 || memcmp(want->value, got->value, got->length) == 0);
    if (op == SCENARIO_OP_COUNT) return want->number == got->number;
    if (op == SCENARIO_OP_HAS) return want->boolean == got->boolean;
    return true;
}

static int fail_disagreement(run_state *st, scenario_op op, const char *source,
                             const run_answer *want, const run_answer *got) {
    char expected[200], actual[200];
    describe_answer(expected, sizeof expected, op, want);
    describe_answer(actual, sizeof actual, op, got);
    return run_fail_answer(st, run_kvmap_op_name(st, op), expected, source, actual, want->rc,
                           got->rc);
}

/* The answer a scenario expectation asks for; false for `items` (compared elsewhere). */
static bool answer_from_expect(scenario_op op, const scenario_expect *e, const run_bytes *bytes,
                               run_answer *out) {
    memset(out, 0, sizeof *out);
    switch (e->kind) {
    case SCENARIO_EXPECT_ERROR: out->rc = e->error; return true;
    case SCENARIO_EXPECT_ABSENT:
        out->rc = op == SCENARIO_OP_FETCH ? NBS_E_NOT_FOUND
                  : op == SCENARIO_OP_HAS ? NBS_OK
                                          : NBS_E_EMPTY;
        return true;
    case SCENARIO_EXPECT_BYTES:
        out->value = bytes->bytes;
        out->length = bytes->length;
        return true;
    case SCENARIO_EXPECT_NUMBER: out->number = e->number; return true;
    case SCENARIO_EXPECT_BOOL: out->boolean = e->boolean; return true;
    default: return false;
    }
}

/* A value read into a buffer of `capacity` bytes: the model's prediction. */
static void predict_read(const ref_item *item, int absent_rc, const run_op *op, size_t capacity,
                         run_answer *out) {
    memset(out, 0, sizeof *out);
    if (!item) {
        out->rc = absent_rc;
        return;
    }
    out->value = item->value;
    out->length = item->value_len;
    if (op->has_capacity && capacity < item->value_len) out->rc = NBS_E_BUFFER_TOO_SMALL;
}

/* A store or push of a generated workload that the engine refused for want of room: taken
 * (the model cannot know the engine's capacity), but counted (scenario_result.refused). */
static bool accepted_refusal(const run_op *op, int rc) {
    bool adds = op->op == SCENARIO_OP_STORE || op->op == SCENARIO_OP_PUSH;
    return op->workload && adds && (rc == NBS_E_FULL || rc == NBS_E_TOO_BIG);
}

/* Answers the engine may give without an expectation even though the model cannot predict
 * them: failures while the power is off, write-back's RAM_FULL while the model does not know
 * what flash holds, and a refusal above. */
static bool acceptable_without_model(const run_state *st, const run_op *op, int rc) {
    if (!nor_is_powered(st->dev) && (rc == NBS_E_IO || rc == NBS_E_NOT_MOUNTED)) return true;
    /* write-back's RAM rule, while the model does not know what flash holds */
    if (rc == NBS_E_RAM_FULL && op->op == SCENARIO_OP_STORE && st->write_back.active &&
        !st->write_back.flash_known)
        return true;
    return accepted_refusal(op, rc);
}

/* ---- the model follows write operations ---- */

static void model_begin(run_state *st, const run_op *op) {
    switch (op->op) {
    case SCENARIO_OP_STORE:
        ref_map_begin_store(&st->map, op->key.bytes, op->key.length, op->value.bytes,
                            op->value.length);
        break;
    case SCENARIO_OP_REMOVE: ref_map_begin_remove(&st->map, op->key.bytes, op->key.length); break;
    case SCENARIO_OP_REMOVE_ALL: ref_map_begin_remove_all(&st->map); break;
    case SCENARIO_OP_TXN: ref_map_begin_txn_commit(&st->map); break;
    case SCENARIO_OP_ERASE_ALL:
        if (st->is_map)
            ref_map_begin_erase_all(&st->map);
        else
            ref_queue_begin_erase_all(&st->queue);
        break;
    case SCENARIO_OP_PUSH:
        if (op->drop_oldest && op->drops_known)
            ref_queue_begin_push_dropping(&st->queue, op->value.bytes, op->value.length, op->drops);
        else
            ref_queue_begin_push(&st->queue, op->value.bytes, op->value.length, op->drop_oldest);
        break;
    case SCENARIO_OP_POP: ref_queue_begin_pop_at(&st->queue, 0); break;
    default: break;
    }
}

static void model_end(run_state *st, const run_op *op, bool applied) {
    if (st->is_map)
        ref_map_end(&st->map, applied);
    else if (applied && op->op == SCENARIO_OP_PUSH && op->drop_oldest && !op->drops_known)
        ref_queue_end_push_dropping_unknown(&st->queue);
    else
        ref_queue_end(&st->queue, applied);
}

/* ---- one call ---- */

static int call_adapter(run_state *st, const run_op *op, size_t capacity, run_answer *got) {
    adapter *a = &st->engine;
    const void *key = op->key.bytes, *value = op->value.bytes;
    size_t key_len = op->key.length, len = 0;
    uint32_t count = 0;
    int rc = NBS_E_NOT_MOUNTED;
    run_count_engine_op(st);
    if (st->mounted) {
        switch (op->op) {
        case SCENARIO_OP_STORE: rc = a->store(a->ctx, key, key_len, value, op->value.length); break;
        case SCENARIO_OP_FETCH:
            rc = a->fetch(a->ctx, key, key_len, st->read_buffer, capacity, &len);
            break;
        case SCENARIO_OP_REMOVE:
            rc = op->existed && a->kvmap ? a->kvmap->remove(a->ctx, key, key_len, op->existed)
                                         : a->remove(a->ctx, key, key_len);
            break;
        case SCENARIO_OP_REMOVE_ALL: rc = a->remove_all(a->ctx); break;
        case SCENARIO_OP_TXN: rc = run_txn_call(st); break;
        case SCENARIO_OP_ERASE_ALL:
            run_kv_forget_open(st); /* the domains are gone, and closed */
            run_tdb_forget(st);     /* ... and an incremental set ended */
            run_fs_forget(st);      /* ... and every file system handle closed */
            rc = a->format ? a->format(a->ctx) : NBS_E_INVAL;
            break;
        case SCENARIO_OP_HAS: rc = a->has(a->ctx, key, key_len, &got->boolean); break;
        case SCENARIO_OP_COUNT:
            rc = a->count(a->ctx, &count);
            got->number = count;
            break;
        case SCENARIO_OP_PUSH:
            rc = a->push(a->ctx, value, op->value.length,
                         op->drop_oldest ? ADAPTER_PUSH_DROP_OLDEST : 0);
            break;
        case SCENARIO_OP_PEEK: rc = a->peek(a->ctx, st->read_buffer, capacity, &len); break;
        case SCENARIO_OP_POP: rc = a->pop(a->ctx, st->read_buffer, capacity, &len); break;
        default: rc = NBS_E_INVAL; break;
        }
    }
    if (op->op == SCENARIO_OP_STORE || op->op == SCENARIO_OP_PUSH)
        run_count_user_bytes(st, (op->op == SCENARIO_OP_STORE ? key_len : 0) + op->value.length,
                             rc);
    got->rc = rc;
    got->value = st->read_buffer;
    got->length = len;
    return rc;
}

/* The read buffer's size for a fetch/peek/pop: the step's capacity, else room for anything. */
static int prepare_read_buffer(run_state *st, const run_op *op, size_t *capacity) {
    size_t want = op->has_capacity ? op->capacity : st->engine.max_value_size;
    if (want > st->read_buffer_size) {
        uint8_t *grown = realloc(st->read_buffer, want);
        if (!grown) return run_fail_nomem(st);
        st->read_buffer = grown;
        st->read_buffer_size = want;
    }
    *capacity = want;
    return RUNNER_OK;
}

static int check_single(run_state *st, const run_op *op, bool writes, bool predicted,
                        size_t capacity, run_answer *want_in);

static int single_op(run_state *st, const run_op *op) {
    bool writes = op->op == SCENARIO_OP_STORE || op->op == SCENARIO_OP_REMOVE ||
                  op->op == SCENARIO_OP_REMOVE_ALL || op->op == SCENARIO_OP_TXN ||
                  op->op == SCENARIO_OP_PUSH || op->op == SCENARIO_OP_POP ||
                  op->op == SCENARIO_OP_ERASE_ALL;
    size_t capacity = 0;
    int rc = prepare_read_buffer(st, op, &capacity);
    if (rc) return rc;
    run_answer want = {0};
    if (writes && st->read_only) { /* refused: the model stays as it is */
        want.rc = NBS_E_READ_ONLY;
        writes = false;
    }

    /* The model's prediction, when it has one (a push does not depend on earlier drops). */
    bool predicted =
        run_model_definite(st) && (op->op == SCENARIO_OP_PUSH || !st->queue.unknown_front_drops);
    switch (want.rc ? SCENARIO_OP_KIND_COUNT : op->op) {
    case SCENARIO_OP_FETCH:
        predict_read(ref_map_find(&st->map, op->key.bytes, op->key.length), NBS_E_NOT_FOUND, op,
                     capacity, &want);
        break;
    case SCENARIO_OP_PEEK:
    case SCENARIO_OP_POP:
        predict_read(ref_queue_at(&st->queue, 0), NBS_E_EMPTY, op, capacity, &want);
        break;
    case SCENARIO_OP_HAS:
        want.boolean = ref_map_find(&st->map, op->key.bytes, op->key.length) != NULL;
        break;
    case SCENARIO_OP_COUNT:
        want.number = st->is_map ? st->map.items.count : ref_queue_count(&st->queue);
        break;
    case SCENARIO_OP_STORE:
        if (run_write_back_ram_full(st, op)) want.rc = NBS_E_RAM_FULL;
        break;
    default: break;
    }

    /* A pop frees the model's copy of the entry: keep the prediction's own. */
    uint8_t *predicted_value = NULL;
    if (want.value) {
        predicted_value = malloc(want.length ? want.length : 1);
        if (!predicted_value) return run_fail_nomem(st);
        if (want.length) memcpy(predicted_value, want.value, want.length);
        want.value = predicted_value;
    }
    rc = check_single(st, op, writes, predicted, capacity, &want);
    free(predicted_value);
    return rc;
}

static int check_single(run_state *st, const run_op *op, bool writes, bool predicted,
                        size_t capacity, run_answer *want_in) {
    run_answer want = *want_in;
    int rc;
    bool powered_before = nor_is_powered(st->dev);
    bool tracked = writes && predicted;
    if (tracked) model_begin(st, op);
    /* Noted before the call: a write a cut interrupts may have landed. */
    if (st->keep_history && (op->op == SCENARIO_OP_STORE || op->op == SCENARIO_OP_PUSH))
        run_history_note(st, op->key.bytes, op->key.length, op->value.bytes, op->value.length);
    run_answer got = {0};
    call_adapter(st, op, capacity, &got);
    bool cut_in_call = powered_before && !nor_is_powered(st->dev);

    if (tracked) {
        if (got.rc == NBS_OK) {
            model_end(st, op, true);
            run_write_back_after_write(st, op);
        } else if (!cut_in_call &&
                   (!nor_is_powered(st->dev) || error_leaves_store_unchanged(got.rc)))
            model_end(st, op, false);
        /* otherwise the operation stays in flight: old or new, settled by the next observation */
    }
    /* The planned cut landed in this call: run_engine_op recovers and checks. */
    if (cut_in_call && st->plan.recovery_pending) return RUNNER_OK;

    if (op->expect && op->expect->kind != SCENARIO_EXPECT_NONE) {
        run_bytes expected_bytes = {0};
        if (op->expect->kind == SCENARIO_EXPECT_BYTES &&
            run_value_get(st, &op->expect->bytes, &expected_bytes))
            return run_fail_nomem(st);
        run_answer asked;
        answer_from_expect(op->op, op->expect, &expected_bytes, &asked);
        rc = answers_agree(op->op, &asked, &got, false)
                 ? RUNNER_OK
                 : fail_disagreement(st, op->op, "the step's expectation", &asked, &got);
        run_bytes_free(&expected_bytes);
        return rc;
    }
    if (got.rc != NBS_OK && acceptable_without_model(st, op, got.rc)) {
        if (accepted_refusal(op, got.rc))
            st->result->refused[op->op == SCENARIO_OP_PUSH ? RUN_REFUSED_PUSH : RUN_REFUSED_STORE]
                               [got.rc == NBS_E_FULL ? RUN_REFUSED_FULL : RUN_REFUSED_TOO_BIG]++;
        return RUNNER_OK;
    }
    if (!predicted || (!powered_before && got.rc == NBS_OK)) return RUNNER_OK;
    if (answers_agree(op->op, &want, &got, true)) return RUNNER_OK;
    if (!nor_is_powered(st->dev) && got.rc != NBS_OK) want.rc = NBS_E_IO;
    return fail_disagreement(st, op->op, "the reference model", &want, &got);
}

/* ---- iterate ---- */

typedef struct iterate_walk {
    run_state *st;
    const run_op *op;
    ref_list seen;
    size_t position;   /* of the next entry */
    size_t next_pop;   /* index into op->pop_at */
    size_t popped;     /* pops requested so far */
    bool pop_in_model; /* a pop was requested and begun in the model */
    bool tracked;
} iterate_walk;

static int visit_item(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                      size_t value_len, bool *pop_current) {
    iterate_walk *w = ctx;
    ref_list_append(&w->seen, key, key_len, value, value_len);
    /* The iteration went on after the last pop: it succeeded. */
    if (w->pop_in_model) {
        ref_queue_end(&w->st->queue, true);
        w->pop_in_model = false;
    }
    const run_op *op = w->op;
    if (w->next_pop < op->pop_count && op->pop_at[w->next_pop] == w->position) {
        *pop_current = true;
        if (w->tracked) {
            ref_queue_begin_pop_at(&w->st->queue, w->position - w->popped);
            w->pop_in_model = true;
        }
        w->popped++;
        w->next_pop++;
    }
    w->position++;
    return 0;
}

static bool lists_agree(const run_state *st, const ref_list *want, const ref_list *got) {
    if (!st->is_map) {
        if (want->count != got->count) return false;
        for (size_t i = 0; i < got->count; i++)
            if (!ref_item_equal(&want->items[i], &got->items[i])) return false;
        return true;
    }
    return ref_map_lists_match(want, got);
}

static int fail_lists(run_state *st, const char *source, const ref_list *want,
                      const ref_list *got) {
    size_t differ = 0;
    while (differ < want->count && differ < got->count &&
           ref_item_equal(&want->items[differ], &got->items[differ]))
        differ++;
    char detail[300] = "";
    if (differ < got->count) {
        const ref_item *it = &got->items[differ];
        char k[100] = "", v[120];
        if (st->is_map) run_describe_bytes(k, sizeof k, it->key, it->key_len);
        run_describe_bytes(v, sizeof v, it->value, it->value_len);
        snprintf(detail, sizeof detail, "; item %zu seen: %s%s%s", differ, k,
                 st->is_map ? " = " : "", v);
    }
    return run_fail(st, "%s: expected %zu %s (%s), got %zu%s",
                    run_kvmap_op_name(st, SCENARIO_OP_ITERATE), want->count,
                    run_plural(want->count, "item", "items"), source, got->count, detail);
}

static int expected_items(run_state *st, const scenario_expect *e, ref_list *out) {
    for (size_t i = 0; i < e->item_count; i++) {
        run_bytes key, value;
        if (run_value_get(st, &e->items[i].key, &key)) return run_fail_nomem(st);
        if (run_value_get(st, &e->items[i].value, &value)) {
            run_bytes_free(&key);
            return run_fail_nomem(st);
        }
        ref_list_append(out, key.bytes, key.length, value.bytes, value.length);
        run_bytes_free(&key);
        run_bytes_free(&value);
    }
    return RUNNER_OK;
}

static int iterate_op(run_state *st, const run_op *op) {
    bool predicted = run_model_definite(st) && !st->queue.unknown_front_drops;
    ref_list before;
    ref_list_init(&before);
    ref_list_copy(&before, st->is_map ? &st->map.items : &st->queue.entries);
    /* A read-only store refuses the first pop: the iteration ends there, the model stays. */
    const int refused = st->read_only && op->pop_count ? NBS_E_READ_ONLY : NBS_OK;
    iterate_walk w = {.st = st, .op = op, .tracked = predicted && !refused};
    ref_list_init(&w.seen);
    bool powered_before = nor_is_powered(st->dev);
    run_count_engine_op(st);
    int rc = st->mounted ? st->engine.iterate(st->engine.ctx, visit_item, &w) : NBS_E_NOT_MOUNTED;
    bool cut_in_call = powered_before && !nor_is_powered(st->dev);
    if (w.pop_in_model && (rc == NBS_OK || !cut_in_call)) ref_queue_end(&st->queue, rc == NBS_OK);
    if (cut_in_call && st->plan.recovery_pending) {
        st->pops_requested = w.popped;
        ref_list_free(&before);
        ref_list_free(&w.seen);
        return RUNNER_OK;
    }

    int result = RUNNER_OK;
    bool has_expect = op->expect && op->expect->kind != SCENARIO_EXPECT_NONE;
    if (has_expect && op->expect->kind == SCENARIO_EXPECT_ERROR) {
        if (rc != op->expect->error)
            result = run_fail(st, "%s: expected error %s, got %s",
                              run_kvmap_op_name(st, SCENARIO_OP_ITERATE),
                              scenario_error_short_name(op->expect->error),
                              rc ? scenario_error_short_name(rc) : "success");
    } else if (rc != refused) {
        if (!(has_expect == false && !nor_is_powered(st->dev) &&
              (rc == NBS_E_IO || rc == NBS_E_NOT_MOUNTED)))
            result =
                run_fail(st, "%s: expected success, got error %s after %zu %s",
                         run_kvmap_op_name(st, SCENARIO_OP_ITERATE), scenario_error_short_name(rc),
                         w.seen.count, run_plural(w.seen.count, "item", "items"));
    } else if (refused) {
        /* the entries before the first pop were seen; the rest was not read */
    } else if (has_expect) {
        ref_list want;
        ref_list_init(&want);
        result = expected_items(st, op->expect, &want);
        if (!result && !lists_agree(st, &want, &w.seen))
            result = fail_lists(st, "the step's expectation", &want, &w.seen);
        ref_list_free(&want);
    } else if (predicted && !lists_agree(st, &before, &w.seen)) {
        result = fail_lists(st, "the reference model", &before, &w.seen);
    }
    ref_list_free(&before);
    ref_list_free(&w.seen);
    return result;
}

/* An iteration with pops that a cut interrupted: the pops before the one in flight are done,
 * that one is done if it was found applied; the rest run in a new iteration, at positions
 * shifted by the entries already gone (without the step's expectation, which saw them all). */
static int finish_pops(run_state *st, const run_op *op) {
    size_t done = st->pops_requested - (st->plan.applied || !st->pops_requested ? 0 : 1);
    if (done >= op->pop_count) return RUNNER_OK;
    uint32_t *rest = malloc((op->pop_count - done) * sizeof *rest);
    if (!rest) return run_fail_nomem(st);
    for (size_t k = done; k < op->pop_count; k++) rest[k - done] = op->pop_at[k] - (uint32_t)done;
    run_op again = {.op = SCENARIO_OP_ITERATE, .pop_at = rest, .pop_count = op->pop_count - done};
    int rc = iterate_op(st, &again);
    free(rest);
    return rc;
}

/* The model made exact before an operation: an operation in flight settled, the drops of earlier
 * pushes learned (before every operation a cut may land in, and before any but a push
 * otherwise), and for a push with drop_oldest a cut may land in, what it drops (K). */
static int prepare_model(run_state *st, run_op *op) {
    int rc = run_sync_model_before_call(st);
    bool cut_may_land = run_cut_may_land(st);
    if (!rc && (op->op != SCENARIO_OP_PUSH || cut_may_land)) rc = run_resolve_drops(st);
    if (!rc && op->op == SCENARIO_OP_PUSH && op->drop_oldest && cut_may_land &&
        run_model_definite(st) && !st->queue.unknown_front_drops)
        rc =
            run_forecast_drops(st, op->value.bytes, op->value.length, &op->drops_known, &op->drops);
    return rc;
}

int run_engine_op(run_state *st, const run_op *request) {
    run_op prepared = *request;
    const run_op *op = &prepared;
    int rc = prepare_model(st, &prepared);
    if (rc) return rc;
    rc = op->op == SCENARIO_OP_ITERATE ? iterate_op(st, op) : single_op(st, op);
    if (rc || !st->plan.recovery_pending || nor_is_powered(st->dev)) return rc;
    if ((rc = run_recover(st))) return rc;
    if (op->op == SCENARIO_OP_ITERATE) return finish_pops(st, op);
    /* Not applied: run it again, as firmware would. */
    if (!st->plan.applied) return run_engine_op(st, request);
    return RUNNER_OK;
}

int run_item_step(run_state *st, const scenario_step *step) {
    run_op op = {.op = step->op, .expect = &step->expect};
    if (step->op == SCENARIO_OP_ITERATE) {
        op.pop_at = step->args.iterate.pop_at;
        op.pop_count = step->args.iterate.pop_count;
        return run_engine_op(st, &op);
    }
    if (step->op != SCENARIO_OP_COUNT && step->op != SCENARIO_OP_REMOVE_ALL &&
        step->op != SCENARIO_OP_ERASE_ALL) {
        const scenario_item_args *args = &step->args.item;
        op.has_capacity = args->has_capacity;
        op.capacity = args->capacity;
        op.drop_oldest = args->drop_oldest;
        if (run_value_get(st, &args->key, &op.key) || run_value_get(st, &args->value, &op.value)) {
            run_bytes_free(&op.key);
            return run_fail_nomem(st);
        }
    }
    int rc = run_engine_op(st, &op);
    run_bytes_free(&op.key);
    run_bytes_free(&op.value);
    return rc;
}
