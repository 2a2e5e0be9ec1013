/* The runner's own checks, kept out of the scenario's flash figures (run_check_figures). A
 * check that only reads (the readings after a mount) runs in place, and its reads, bytes and
 * time move from the scenario's figures to the check figures. A check that writes (power cycles
 * whose mounts program pins) or tries an operation (a dry run of a push) runs in a sandbox: the
 * device is snapshotted and the engine's RAM saved first, and both are put back afterwards, so
 * the run goes on exactly as if the check had not been made; the random stream and the clock
 * included. The planned cut is never placed inside a check. Also here: the power cycle the
 * checks use, and sampling the flash model's tear watch. */
#include "runner_internal.h"

#include <stdlib.h>
#include <string.h>

static void add_traffic(run_check_figures *to, const nor_stats *before, const nor_stats *after) {
    to->reads += after->read_calls - before->read_calls;
    to->read_bytes += after->read_bytes - before->read_bytes;
    to->programs += after->program_calls - before->program_calls;
    to->program_bytes += after->program_bytes - before->program_bytes;
    to->erases += after->erase_calls - before->erase_calls;
    to->time_us += after->time_us - before->time_us;
}

void run_check_begin(run_state *st, run_check_mark *m) {
    /* A check inside another is accounted by the outer one (or undone with its sandbox). */
    m->outermost = st->checks.depth++ == 0;
    if (m->outermost) nor_get_stats(st->dev, &m->before);
}

void run_check_end(run_state *st, const run_check_mark *m) {
    st->checks.depth--;
    if (!m->outermost) return;
    nor_stats now;
    nor_get_stats(st->dev, &now);
    add_traffic(&st->checks.excluded, &m->before, &now);
    add_traffic(&st->result->check, &m->before, &now);
}

int run_sandbox_enter(run_state *st, run_sandbox *sb) {
    memset(sb, 0, sizeof *sb);
    nor_get_stats(st->dev, &sb->before);
    sb->excluded = st->checks.excluded;
    sb->mounted = st->mounted;
    sb->read_only = st->read_only;
    sb->engine_ops = st->result->engine_ops;
    sb->next_progress_ops = st->next_progress_ops;
    if (st->engine.save_state) {
        sb->engine = malloc(st->engine.state_size ? st->engine.state_size : 1);
        if (!sb->engine || nor_snapshot_take(st->dev, &sb->device) != NOR_OK) {
            free(sb->engine);
            sb->engine = NULL;
            return run_fail_nomem(st);
        }
        st->engine.save_state(st->engine.ctx, sb->engine);
        sb->isolated = true;
    }
    st->checks.depth++;
    return RUNNER_OK;
}

void run_sandbox_leave(run_state *st, run_sandbox *sb) {
    nor_stats now;
    nor_get_stats(st->dev, &now);
    st->checks.depth--;
    add_traffic(&st->result->check, &sb->before, &now);
    if (!sb->isolated) {
        /* The flash keeps what the check wrote; the figures still leave it out. */
        st->checks.excluded = sb->excluded;
        add_traffic(&st->checks.excluded, &sb->before, &now);
        return;
    }
    run_watch_sample(st); /* restoring a snapshot stops the watch */
    /* Restoring a snapshot of the same device cannot fail. */
    nor_snapshot_restore(st->dev, sb->device);
    nor_snapshot_free(sb->device);
    st->engine.restore_state(st->engine.ctx, sb->engine);
    free(sb->engine);
    sb->device = NULL;
    sb->engine = NULL;
    st->mounted = sb->mounted;
    st->read_only = sb->read_only;
    st->checks.excluded = sb->excluded;
    st->result->engine_ops = sb->engine_ops;
    st->next_progress_ops = sb->next_progress_ops;
    /* A dry run disarms the device's cuts; the snapshot brought back the armed ones. */
    nor_set_cut_fn(st->dev, run_cut_fn, st);
}

void run_scenario_stats(const run_state *st, nor_stats *out) {
    nor_get_stats(st->dev, out);
    const run_check_figures *x = &st->checks.excluded;
    out->read_calls -= x->reads;
    out->read_bytes -= x->read_bytes;
    out->program_calls -= x->programs;
    out->program_bytes -= x->program_bytes;
    out->erase_calls -= x->erases;
    out->time_us -= x->time_us;
}

void run_power_cycle(run_state *st) {
    run_watch_sample(st); /* a cut restarts the watch */
    nor_cut_now(st->dev);
    nor_power_on(st->dev);
    st->mounted = st->read_only = false;
}

void run_watch_sample(run_state *st) {
    run_cut_plan *p = &st->plan;
    if (!p->landed) return;
    nor_tear_watch w;
    if (st->opts && st->opts->tear_watch)
        st->opts->tear_watch(st->dev, &w);
    else
        nor_get_tear_watch(st->dev, &w);
    if (!w.active) return;
    p->torn_watched = true;
    p->torn_read_valid |= w.read_complete;
    p->torn_read_changed |= w.read_changed;
}
