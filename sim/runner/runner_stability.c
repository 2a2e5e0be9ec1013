/* Decisions stay decided. After a placed cut's recovery the store is power-cycled
 * RUNNER_CHECK_REBOOTS times and read RUNNER_CHECK_READS times after each power-on (a power-on
 * may settle weak cells, a read re-draws them); every reading must give the answers of the
 * first settled one, which the model holds. At the end of a run whose placed cut landed, after
 * everything the scenario wrote since, the store is power-cycled as often again and verified
 * whole after each power-on: a torn program that read one way at the recovery and another at a
 * later boot can take every item written after the recovery with it (engine/SPEC.md section
 * 5.1), and only a boot after those writes shows it. Both run in a sandbox (runner_isolate.c): the
 * run goes on, and its figures stay, as if they had not been made. */
#include "runner_internal.h"

#include <stdio.h>

static unsigned power_cycles(const run_state *st) {
    return st->opts && st->opts->check_reboots ? st->opts->check_reboots : RUNNER_CHECK_REBOOTS;
}

static void name_check(run_state *st, const char *check, unsigned cycle, unsigned cycles) {
    snprintf(st->checks.where, sizeof st->checks.where, "%s, power cycle %u of %u", check, cycle,
             cycles);
}

/* One reading: the whole store by iteration, and (with_count) the count, equal the model. */
static int reading(run_state *st, unsigned index, unsigned readings, bool with_count) {
    char what[40];
    snprintf(what, sizeof what, "reading %u of %u", index, readings);
    int rc = run_verify_items(st, what);
    if (rc || !with_count) return rc;
    uint32_t count = 0;
    run_count_engine_op(st);
    rc = st->engine.count(st->engine.ctx, &count);
    size_t want = st->is_map ? st->map.items.count : ref_queue_count(&st->queue);
    if (rc)
        return run_fail(st, "%s: count failed with error %s", what, scenario_error_short_name(rc));
    if (count != want)
        return run_fail(st, "%s: count: expected %zu (the first settled reading), got %u", what,
                        want, (unsigned)count);
    return RUNNER_OK;
}

/* A power cycle and a mount, which must succeed. */
static int cycle_and_mount(run_state *st) {
    run_power_cycle(st);
    run_count_engine_op(st);
    int rc = st->engine.mount(st->engine.ctx);
    st->mounted = rc == NBS_OK;
    st->read_only = false;
    if (rc)
        return run_fail(st, "mount: expected success, got error %s", scenario_error_short_name(rc));
    return RUNNER_OK;
}

int run_stability_check(run_state *st) {
    if (!run_model_definite(st)) return RUNNER_OK; /* a raw fault's leftovers: nothing to keep */
    run_sandbox sb;
    int rc = run_sandbox_enter(st, &sb);
    if (rc) return rc;
    unsigned cycles = power_cycles(st);
    for (unsigned cycle = 1; cycle <= cycles && !rc; cycle++) {
        name_check(st, "stability check after the recovery", cycle, cycles);
        rc = cycle_and_mount(st);
        /* Iteration compares every item each time; the count's own path once per power-on. */
        for (unsigned index = 1; index <= RUNNER_CHECK_READS && !rc; index++)
            rc = reading(st, index, RUNNER_CHECK_READS, index == 1);
    }
    if (!rc) st->checks.where[0] = '\0';
    run_sandbox_leave(st, &sb);
    return rc;
}

int run_end_check(run_state *st) {
    int rc = run_resolve_drops(st);
    run_sandbox sb;
    if (rc || (rc = run_sandbox_enter(st, &sb))) return rc;
    st->step = NULL; /* failures name the end of the run */
    unsigned cycles = power_cycles(st);
    for (unsigned cycle = 1; cycle <= cycles && !rc; cycle++) {
        name_check(st, "end-of-run check", cycle, cycles);
        /* Every item by iteration and the count after each power-on; after the first, also a
         * fetch of every key (map) or a peek (queue), and the settling of an operation a cut of
         * the scenario's own left in flight. */
        if (cycle == 1) {
            run_power_cycle(st);
            rc = run_mount_checked(st, NULL, true);
        } else if (!(rc = cycle_and_mount(st))) {
            rc = reading(st, 1, 1, true);
        }
    }
    if (!rc) st->checks.where[0] = '\0';
    run_sandbox_leave(st, &sb);
    return rc;
}
