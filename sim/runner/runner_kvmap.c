/* The Map façade's steps (map_*: scenarios/README.md) and the write-back contract in the run's
 * model. map_get, map_set, map_has, map_clear, map_size and map_entries are the map steps fetch,
 * store, has, remove_all, count and iterate on the façade's adapter; map_delete also checks
 * whether the key existed, map_keys and map_values compare what they return with the model, and
 * map_flush makes the RAM's content durable. In write-back, the model (st->map) is the RAM; the
 * write-back model (ref_write_back.h) follows what flash must hold, and after a power loss the
 * store read back is checked against it key by key. */
#include "nbs_kvmap.h"
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the write-back model ---- */

void run_write_back_after_write(run_state *st, const run_op *op) {
    ref_write_back *wb = &st->write_back;
    if (!wb->active) return;
    ref_write_back_note(wb, &st->map.items);
    if (op->op == SCENARIO_OP_STORE) ref_write_back_set(wb, op->key.bytes, op->key.length);
    /* Nothing dirty: a flush (automatic, past the threshold) completed in this write; other
     * dirty bytes than the RAM's records count: one stopped part way. */
    uint32_t dirty = st->engine.kvmap->dirty_bytes(st->engine.ctx);
    if (dirty == 0)
        ref_write_back_flushed(wb, &st->map.items);
    else if (dirty != ref_write_back_dirty(wb, &st->map.items))
        wb->flash_known = false;
}

bool run_write_back_ram_full(const run_state *st, const run_op *op) {
    const ref_write_back *wb = &st->write_back;
    return wb->active && wb->flash_known && op->op == SCENARIO_OP_STORE &&
           ref_write_back_held(wb, &st->map.items, op->key.bytes, op->key.length,
                               op->value.length) > st->sc->engine.write_back_ram;
}

void run_write_back_power_lost(run_state *st) {
    ref_write_back *wb = &st->write_back;
    if (!wb->active) return;
    if (st->map.pending.kind != REF_OP_NONE) { /* a write in flight: it may have reached RAM */
        ref_map after;
        ref_map_init(&after);
        ref_map_copy(&after, &st->map);
        ref_map_end(&after, true);
        ref_write_back_note(wb, &after.items);
        ref_map_free(&after);
    }
    ref_map_end(&st->map, false);
    if (ref_write_back_pending(wb)) st->map.pending.kind = REF_MAP_WRITE_BACK;
}

int run_write_back_settle(run_state *st, const ref_list *seen, bool *applied) {
    if (st->map.pending.kind != REF_MAP_WRITE_BACK) {
        /* No power loss: the RAM's operation in flight, old or new. */
        ref_list before;
        ref_list_init(&before);
        ref_list_copy(&before, &st->map.items);
        int rc = ref_map_settle(&st->map, seen, applied)
                     ? RUNNER_OK
                     : run_fail_store(st, "the operation in flight is neither applied nor absent",
                                      &before, seen);
        if (!rc) ref_write_back_note(&st->write_back, &st->map.items);
        ref_list_free(&before);
        return rc;
    }
    if (!ref_write_back_allows(&st->write_back, seen))
        return run_fail_store(st,
                              "write-back after a power loss: a key holds neither its value at "
                              "the last flush nor one written since (expected, as flushed)",
                              &st->write_back.durable, seen);
    ref_map_end(&st->map, false);
    ref_list_copy(&st->map.items, seen);
    ref_write_back_flushed(&st->write_back, seen);
    *applied = true; /* nothing to run again: the store read back is the model now */
    return RUNNER_OK;
}

/* ---- steps ---- */

/* The map step a façade step is, or SCENARIO_OP_KIND_COUNT for those of this file. */
static scenario_op as_map_op(scenario_op op) {
    switch (op) {
    case SCENARIO_OP_MAP_GET: return SCENARIO_OP_FETCH;
    case SCENARIO_OP_MAP_SET: return SCENARIO_OP_STORE;
    case SCENARIO_OP_MAP_HAS: return SCENARIO_OP_HAS;
    case SCENARIO_OP_MAP_CLEAR: return SCENARIO_OP_REMOVE_ALL;
    case SCENARIO_OP_MAP_SIZE: return SCENARIO_OP_COUNT;
    case SCENARIO_OP_MAP_ENTRIES: return SCENARIO_OP_ITERATE;
    default: return SCENARIO_OP_KIND_COUNT;
    }
}

const char *run_kvmap_op_name(const run_state *st, scenario_op op) {
    bool facade = st->step && as_map_op(st->step->op) == op;
    return scenario_op_name(facade ? st->step->op : op);
}

/* The model made definite before a step that predicts from it. */
static int settle_first(run_state *st) {
    if (st->mounted && nor_is_powered(st->dev) && !run_model_definite(st))
        return run_sync_model_as_check(st);
    return RUNNER_OK;
}

static int delete_step(run_state *st, const scenario_step *step) {
    bool expects_existed = step->expect.kind == SCENARIO_EXPECT_BOOL;
    bool existed = false;
    run_op op = {.op = SCENARIO_OP_REMOVE,
                 .expect = expects_existed ? NULL : &step->expect,
                 .existed = &existed};
    int rc = settle_first(st);
    if (rc) return rc;
    if (run_value_get(st, &step->args.item.key, &op.key)) return run_fail_nomem(st);
    bool predicted = run_model_definite(st);
    bool present = ref_map_find(&st->map, op.key.bytes, op.key.length) != NULL;
    bool landed_before = st->plan.landed;
    rc = run_engine_op(st, &op);
    run_bytes_free(&op.key);
    /* A cut in the call: the removal ran again after the recovery, on another store. */
    bool answered = !rc && st->plan.landed == landed_before && st->mounted &&
                    nor_is_powered(st->dev) && step->expect.kind != SCENARIO_EXPECT_ERROR;
    if (answered && expects_existed && existed != step->expect.boolean)
        return run_fail(st, "map_delete: expected existed %s (the step's expectation), got %s",
                        step->expect.boolean ? "true" : "false", existed ? "true" : "false");
    if (answered && predicted && !expects_existed && existed != present)
        return run_fail(st, "map_delete: expected existed %s (the reference model), got %s",
                        present ? "true" : "false", existed ? "true" : "false");
    return rc;
}

/* map_keys, map_values: the parts returned, as values of a list. */
static int collect_part(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                        size_t value_len, bool *pop_current) {
    (void)pop_current;
    if (key)
        ref_list_append(ctx, NULL, 0, key, key_len);
    else
        ref_list_append(ctx, NULL, 0, value, value_len);
    return 0;
}

/* Whether the two lists hold the same values, in any order, duplicates counted. */
static bool same_values(const ref_list *a, const ref_list *b) {
    if (a->count != b->count) return false;
    bool *used = calloc(b->count + 1, sizeof *used);
    bool same = used != NULL;
    for (size_t i = 0; same && i < a->count; i++) {
        size_t j = 0;
        while (j < b->count && (used[j] || !ref_item_equal(&a->items[i], &b->items[j]))) j++;
        same = j < b->count;
        if (same) used[j] = true;
    }
    free(used);
    return same;
}

static int expected_values(run_state *st, const scenario_step *step, ref_list *out) {
    const scenario_expect *e = &step->expect;
    for (size_t i = 0; i < e->item_count; i++) {
        run_bytes value;
        if (run_value_get(st, &e->items[i].value, &value)) return run_fail_nomem(st);
        ref_list_append(out, NULL, 0, value.bytes, value.length);
        run_bytes_free(&value);
    }
    return RUNNER_OK;
}

static int walk_step(run_state *st, const scenario_step *step) {
    int rc = settle_first(st);
    if (rc) return rc;
    bool keys = step->op == SCENARIO_OP_MAP_KEYS;
    const char *name = scenario_op_name(step->op);
    ref_list seen, want;
    ref_list_init(&seen);
    ref_list_init(&want);
    run_count_engine_op(st);
    int got = st->mounted
                  ? st->engine.kvmap->walk(st->engine.ctx, keys ? NBS_KVMAP_KEYS : NBS_KVMAP_VALUES,
                                           collect_part, &seen)
                  : NBS_E_NOT_MOUNTED;
    const scenario_expect *e = &step->expect;
    if (e->kind == SCENARIO_EXPECT_ERROR) {
        if (got != e->error)
            rc = run_fail(st, "%s: expected error %s, got %s", name,
                          scenario_error_short_name(e->error),
                          got ? scenario_error_short_name(got) : "success");
    } else if (got) {
        if (nor_is_powered(st->dev) || (got != NBS_E_IO && got != NBS_E_NOT_MOUNTED))
            rc = run_fail(st, "%s: expected success, got error %s", name,
                          scenario_error_short_name(got));
    } else if (e->kind == SCENARIO_EXPECT_ITEMS || run_model_definite(st)) {
        const char *source = "the step's expectation";
        if (e->kind == SCENARIO_EXPECT_ITEMS) {
            rc = expected_values(st, step, &want);
        } else {
            source = "the reference model";
            for (size_t i = 0; i < st->map.items.count; i++) {
                const ref_item *it = &st->map.items.items[i];
                ref_list_append(&want, NULL, 0, keys ? it->key : it->value,
                                keys ? it->key_len : it->value_len);
            }
        }
        if (!rc && !same_values(&want, &seen))
            rc = run_fail(st, "%s: expected %zu %s (%s), got %zu, or other bytes", name, want.count,
                          keys ? "keys" : "values", source, seen.count);
    }
    ref_list_free(&seen);
    ref_list_free(&want);
    return rc;
}

static int flush_step(run_state *st, const scenario_step *step) {
    int rc = settle_first(st);
    if (rc) return rc;
    bool powered_before = nor_is_powered(st->dev);
    run_count_engine_op(st);
    int got = st->mounted ? st->engine.kvmap->flush(st->engine.ctx) : NBS_E_NOT_MOUNTED;
    if (got == NBS_OK) ref_write_back_flushed(&st->write_back, &st->map.items);
    if (got != NBS_OK) st->write_back.flash_known = false; /* its landed batches are unknown */
    /* The planned cut landed in the flush: the recovery settles; nothing to run again. */
    if (powered_before && !nor_is_powered(st->dev) && st->plan.recovery_pending)
        return run_recover(st);
    const scenario_expect *e = &step->expect;
    if (e->kind == SCENARIO_EXPECT_ERROR)
        return got == e->error ? RUNNER_OK
                               : run_fail(st, "map_flush: expected error %s, got %s",
                                          scenario_error_short_name(e->error),
                                          got ? scenario_error_short_name(got) : "success");
    if (got == NBS_OK ||
        (!nor_is_powered(st->dev) && (got == NBS_E_IO || got == NBS_E_NOT_MOUNTED)))
        return RUNNER_OK;
    return run_fail(st, "map_flush: expected success, got error %s",
                    scenario_error_short_name(got));
}

int run_kvmap_step(run_state *st, const scenario_step *step) {
    scenario_op map_op = as_map_op(step->op);
    if (map_op != SCENARIO_OP_KIND_COUNT) {
        scenario_step as_map = *step;
        as_map.op = map_op;
        return run_item_step(st, &as_map);
    }
    switch (step->op) {
    case SCENARIO_OP_MAP_DELETE: return delete_step(st, step);
    case SCENARIO_OP_MAP_FLUSH: return flush_step(st, step);
    default: return walk_step(st, step);
    }
}
