/* Transactions in a run (the "txn" step, scenario_txn.c): a begin opens the model's staging, each
 * store and removal (a map's) or kv_write and kv_delete (key-value domains') until the commit is
 * staged there (the engine is not called), an abort drops them, and the commit is one engine
 * operation (the adapter's commit() with every staged write) that the model applies all or none:
 * after a cut inside it, the store must read as before the transaction or after it, never a mix
 * (ref_map_settle). Domain writes are staged in the model's form (kv_view.h), which the kv
 * adapter's commit() takes apart again. */
#include "kv_view.h"
#include "runner_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const action_names[] = {"begin", "commit", "abort"};

static bool is_kv_write(scenario_op op) {
    return op == SCENARIO_OP_KV_WRITE || op == SCENARIO_OP_KV_DELETE;
}

bool run_txn_takes(const run_state *st, const scenario_step *step) {
    bool staged =
        step->op == SCENARIO_OP_STORE || step->op == SCENARIO_OP_REMOVE || is_kv_write(step->op);
    return step->op == SCENARIO_OP_TXN || (st->map.txn_open && staged);
}

/* Stages one write: `key` the map key (a domain write: the item key of its domain and key) and
 * `value` its bytes (a domain write: after its format byte). */
static int stage_bytes(run_state *st, bool remove, const run_bytes *key, int format,
                       const run_bytes *value) {
    uint8_t *tagged = malloc(value->length + 1);
    if (!tagged) return run_fail_nomem(st);
    size_t at = format >= 0 ? 1 : 0;
    tagged[0] = (uint8_t)format;
    if (value->length) memcpy(tagged + at, value->bytes, value->length);
    ref_map_txn_stage(&st->map, remove, key->bytes, key->length, tagged, value->length + at);
    free(tagged);
    return RUNNER_OK;
}

static int stage(run_state *st, const scenario_step *step) {
    if (step->expect.kind != SCENARIO_EXPECT_NONE)
        return run_fail(st,
                        "%s: a %s inside a transaction is only staged: expect the outcome on "
                        "the commit",
                        scenario_op_name(step->op), scenario_op_name(step->op));
    const bool kv = is_kv_write(step->op);
    const scenario_value *key_v = kv ? &step->args.kv.key : &step->args.item.key;
    const scenario_value *value_v = kv ? &step->args.kv.value : &step->args.item.value;
    run_bytes domain = {0}, key = {0}, value = {0};
    int rc = RUNNER_OK;
    if ((kv && run_value_get(st, &step->args.kv.domain, &domain)) ||
        run_value_get(st, key_v, &key) || run_value_get(st, value_v, &value))
        rc = run_fail_nomem(st);
    if (!rc && kv) {
        uint8_t item_key[KV_VIEW_KEY_MAX];
        size_t n = kv_view_value_key(domain.bytes, domain.length, key.bytes, key.length, item_key);
        run_bytes view = {.bytes = item_key, .length = n};
        rc = stage_bytes(st, step->op == SCENARIO_OP_KV_DELETE, &view, (int)step->args.kv.format,
                         &value);
    } else if (!rc) {
        rc = stage_bytes(st, step->op == SCENARIO_OP_REMOVE, &key, -1, &value);
    }
    run_bytes_free(&domain);
    run_bytes_free(&key);
    run_bytes_free(&value);
    return rc;
}

int run_txn_step(run_state *st, const scenario_step *step) {
    if (step->op != SCENARIO_OP_TXN) return stage(st, step);
    scenario_txn_action action = step->args.txn;
    if (action != SCENARIO_TXN_COMMIT && step->expect.kind != SCENARIO_EXPECT_NONE)
        return run_fail(st, "txn %s: only a commit calls the engine and takes an expect",
                        action_names[action]);
    if (action == SCENARIO_TXN_BEGIN && st->map.txn_open)
        return run_fail(st, "txn begin: a transaction is already open (commit or abort it first)");
    if (action != SCENARIO_TXN_BEGIN && !st->map.txn_open)
        return run_fail(st, "txn %s: no transaction is open (begin one first)",
                        action_names[action]);
    if (action == SCENARIO_TXN_BEGIN) {
        ref_map_txn_begin(&st->map);
        return RUNNER_OK;
    }
    if (action == SCENARIO_TXN_COMMIT) {
        if (!st->engine.commit)
            return run_fail(st, "txn commit: engine '%s' has no transactions", st->engine.name);
        run_op op = {.op = SCENARIO_OP_TXN, .expect = &step->expect};
        int rc = run_engine_op(st, &op);
        if (rc) return rc;
    }
    ref_map_txn_abort(&st->map); /* the transaction ends */
    return RUNNER_OK;
}

int run_txn_call(run_state *st) {
    const ref_list *staged = &st->map.staged;
    adapter_write *writes = calloc(staged->count ? staged->count : 1, sizeof *writes);
    if (!writes) return NBS_E_CACHE_MEM;
    for (size_t i = 0; i < staged->count; i++) {
        const ref_item *it = &staged->items[i];
        writes[i] = (adapter_write){it->key + 1, it->key_len - 1, it->value, it->value_len,
                                    it->key[0] != 0};
    }
    int rc = st->engine.commit(st->engine.ctx, writes, staged->count);
    free(writes);
    return rc;
}
