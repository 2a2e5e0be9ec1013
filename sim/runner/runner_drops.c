/* Pushes with drop_oldest, precisely. The engine does not say how many of the oldest entries a
 * push dropped (K), so the model learns it from the engine's count, read in a sandbox
 * (runner_isolate.c) so that it counts in no figure and changes nothing the run does: after
 * pushes no cut can land in, lazily, before the next operation that needs the model exact; and
 * for a push a cut may land in, by a dry run of that very push from the state just before it
 * (without a cut), so that the recovery can hold the engine to "the new entry with exactly K
 * dropped, or the old queue without a prefix of those K" (docs/powercut.md). */
#include "runner_internal.h"

bool run_cut_may_land(const run_state *st) {
    return (st->plan.active && !st->plan.landed) || nor_cut_armed(st->dev);
}

int run_resolve_drops(run_state *st) {
    if (st->is_map || !st->queue.unknown_front_drops || !st->mounted || !nor_is_powered(st->dev) ||
        !run_model_definite(st))
        return RUNNER_OK;
    run_sandbox sb;
    int rc = run_sandbox_enter(st, &sb);
    if (rc) return rc;
    uint32_t count = 0;
    rc = st->engine.count(st->engine.ctx, &count);
    run_sandbox_leave(st, &sb);
    if (rc)
        return run_fail(st,
                        "counting the queue to learn what the pushes with drop_oldest dropped "
                        "failed with error %s",
                        scenario_error_short_name(rc));
    size_t most = ref_queue_count(&st->queue);
    if (!ref_queue_resolve_drops(&st->queue, count))
        return run_fail(st,
                        "after pushes with drop_oldest the queue holds %u entries, more than the "
                        "%zu it had plus those pushed",
                        (unsigned)count, most);
    return RUNNER_OK;
}

int run_forecast_drops(run_state *st, const void *value, size_t length, bool *known,
                       size_t *dropped) {
    *known = false;
    *dropped = 0;
    if (!st->engine.save_state || !st->mounted || st->read_only || !nor_is_powered(st->dev))
        return RUNNER_OK;
    run_sandbox sb;
    int rc = run_sandbox_enter(st, &sb);
    if (rc) return rc;
    nor_disarm_cut(st->dev); /* the scenario's own armed cut too; the sandbox re-arms it */
    uint32_t before = 0, after = 0;
    int counted = st->engine.count(st->engine.ctx, &before);
    int pushed = counted ? counted
                         : st->engine.push(st->engine.ctx, value, length, ADAPTER_PUSH_DROP_OLDEST);
    if (!counted) counted = st->engine.count(st->engine.ctx, &after);
    run_sandbox_leave(st, &sb);
    uint64_t kept_at_most = (uint64_t)before + (pushed == NBS_OK ? 1 : 0);
    /* Without both counts, or with more entries than possible, the real push will show. */
    if (counted || after > kept_at_most) return RUNNER_OK;
    *known = true;
    *dropped = (size_t)(kept_at_most - after);
    return RUNNER_OK;
}
