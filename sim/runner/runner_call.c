/* What the layer steps (runner_kv.c, runner_tdb.c, runner_fs.c) do alike around one engine
 * call: the call counted and refused when no store is mounted, a read's prediction copied out
 * of the model, the model's tracked write settled by the call's outcome, and the choice of the
 * answer the engine's is checked against. Each layer keeps its own calls, answers and models. */
#include "runner_internal.h"

#include <stdlib.h>
#include <string.h>

bool run_call_mounted(run_state *st, int *rc) {
    run_count_engine_op(st);
    if (st->mounted) return true;
    *rc = NBS_E_NOT_MOUNTED;
    return false;
}

int run_keep_prediction(run_state *st, const uint8_t **bytes, size_t length, uint8_t **copy) {
    *copy = NULL;
    if (!*bytes) return RUNNER_OK;
    if (!(*copy = malloc(length + 1))) return run_fail_nomem(st);
    memcpy(*copy, *bytes, length);
    *bytes = *copy;
    return RUNNER_OK;
}

void run_end_tracked(run_state *st, bool succeeded, bool cut_in_call, bool refused_unwritten) {
    if (succeeded)
        ref_map_end(&st->map, true);
    else if (!cut_in_call && (!nor_is_powered(st->dev) || refused_unwritten))
        ref_map_end(&st->map, false);
    /* otherwise in flight: old or new, settled by the next observation */
}

run_answer_check run_answer_check_for(const run_state *st, const scenario_expect *expect,
                                      int got_rc, bool cut_in_call, bool model_applies) {
    if (cut_in_call && st->plan.recovery_pending) return RUN_CHECK_NONE;
    if (expect && expect->kind != SCENARIO_EXPECT_NONE) return RUN_CHECK_EXPECTATION;
    if (!nor_is_powered(st->dev) && (got_rc == NBS_E_IO || got_rc == NBS_E_NOT_MOUNTED))
        return RUN_CHECK_NONE;
    return model_applies ? RUN_CHECK_MODEL : RUN_CHECK_NONE;
}
