/* Transactions in a run (the "txn" step, scenario_txn.c): a begin opens the model's staging, each
 * store and removal until the commit is staged there (the engine is not called), an abort drops
 * them, and the commit is one engine operation (the adapter's commit() with every staged write)
 * that the model applies all or none: after a cut inside it, the store must read as before the
 * transaction or after it, never a mix (ref_map_settle). */
#include "runner_internal.h"

#include <stdlib.h>

static const char *const action_names[] = {"begin", "commit", "abort"};

bool run_txn_takes(const run_state *st, const scenario_step *step) {
    bool staged = step->op == SCENARIO_OP_STORE || step->op == SCENARIO_OP_REMOVE;
    return step->op == SCENARIO_OP_TXN || (st->map.txn_open && staged);
}

static int stage(run_state *st, const scenario_step *step) {
    if (step->expect.kind != SCENARIO_EXPECT_NONE)
        return run_fail(st,
                        "%s: a %s inside a transaction is only staged: expect the outcome on "
                        "the commit",
                        scenario_op_name(step->op), scenario_op_name(step->op));
    run_bytes key, value;
    if (run_value_get(st, &step->args.item.key, &key)) return run_fail_nomem(st);
    if (run_value_get(st, &step->args.item.value, &value)) {
        run_bytes_free(&key);
        return run_fail_nomem(st);
    }
    ref_map_txn_stage(&st->map, step->op == SCENARIO_OP_REMOVE, key.bytes, key.length, value.bytes,
                      value.length);
    run_bytes_free(&key);
    run_bytes_free(&value);
    return RUNNER_OK;
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
