/* Checkpoints of a run: before every scenario operation the runner can save its whole state
 * (a copy-on-write snapshot of the device, the engine's RAM, the reference model, the random
 * streams, the cursor) and later restore it and resume there. Power-cut campaigns use this to
 * branch at every flash operation for about the cost of the rest of the scenario, instead of
 * re-running it from the start for every cut point. */
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct run_saved {
    bool valid;
    uint64_t op_count; /* flash operations made before this point */
    nor_snapshot *device;
    uint8_t *engine; /* the adapter's RAM state */
    ref_map map;
    ref_queue queue;
    run_history history;
    bool tainted, mounted, read_only, keep_history;
    run_check_figures excluded, check;
    nor_prng value_stream, workload_stream;
    uint64_t engine_ops, steps_run, next_progress_ops, user_bytes, user_bytes_asked;
    run_refused refused;
    const scenario_step *step;
    run_workload_op workload_op;
    char iterations[sizeof(((run_state *)0)->iterations)];
    run_cursor cursor;
    run_power power;
    run_raw *raw; /* NULL: no partitions */
    run_kv_open kv_open;
    ref_write_back write_back;
    run_update *update; /* NULL: no update step had run */
    ref_tdb tdb;
    run_fs fs;
};

struct runner_branch_point {
    run_state *st;
    run_saved *from;
    bool used; /* a branch ran: the caller restores the state it had */
};

static run_saved *saved_new(const run_state *st) {
    run_saved *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->engine = malloc(st->engine.state_size ? st->engine.state_size : 1);
    if (!s->engine) {
        free(s);
        return NULL;
    }
    ref_map_init(&s->map);
    ref_queue_init(&s->queue);
    ref_write_back_init(&s->write_back, false);
    ref_tdb_init(&s->tdb, false);
    ref_fs_init(&s->fs.model);
    return s;
}

static void saved_free(run_saved *s) {
    if (!s) return;
    nor_snapshot_free(s->device);
    free(s->engine);
    ref_map_free(&s->map);
    ref_queue_free(&s->queue);
    ref_write_back_free(&s->write_back);
    ref_tdb_free(&s->tdb);
    ref_fs_free(&s->fs.model);
    run_history_free(&s->history);
    run_raw_release(s->raw);
    run_update_release(s->update);
    free(s);
}

void run_saved_release(run_state *st) {
    for (int i = 0; i < 2; i++) {
        saved_free(st->saved[i]);
        st->saved[i] = NULL;
    }
}

static bool history_copy(run_history *dst, const run_history *src) {
    if (dst->capacity != src->capacity) {
        free(dst->slots);
        dst->slots = src->capacity ? malloc(src->capacity * sizeof *src->slots) : NULL;
        dst->capacity = dst->slots ? src->capacity : 0;
        if (src->capacity && !dst->slots) return false;
    }
    if (src->capacity) memcpy(dst->slots, src->slots, src->capacity * sizeof *src->slots);
    dst->count = src->count;
    return true;
}

static bool save(run_state *st, run_saved *s) {
    nor_snapshot_free(s->device);
    s->device = NULL;
    s->valid = false;
    if (nor_snapshot_take(st->dev, &s->device) != NOR_OK) return false;
    if (!history_copy(&s->history, &st->history)) return false;
    st->engine.save_state(st->engine.ctx, s->engine);
    ref_write_back_copy(&s->write_back, &st->write_back);
    if (st->is_map)
        ref_map_copy(&s->map, &st->map);
    else
        ref_queue_copy(&s->queue, &st->queue);
    s->op_count = nor_op_count(st->dev);
    s->tainted = st->tainted;
    s->mounted = st->mounted;
    s->read_only = st->read_only;
    s->keep_history = st->keep_history;
    s->excluded = st->checks.excluded;
    s->check = st->result->check;
    s->value_stream = st->value_stream;
    s->workload_stream = st->workload_stream;
    s->engine_ops = st->result->engine_ops;
    s->user_bytes = st->result->user_bytes;
    s->user_bytes_asked = st->result->user_bytes_asked;
    s->steps_run = st->result->steps_run;
    memcpy(s->refused, st->result->refused, sizeof s->refused);
    s->next_progress_ops = st->next_progress_ops;
    s->step = st->step;
    s->workload_op = st->workload_op;
    memcpy(s->iterations, st->iterations, sizeof s->iterations);
    s->cursor = st->cursor;
    s->power = st->power;
    if (st->raw && !s->raw) s->raw = run_raw_new();
    if (st->raw && (!s->raw || !run_raw_copy(s->raw, st->raw))) return false;
    s->kv_open = st->kv_open;
    if (st->update && !s->update) s->update = run_update_new(st->update);
    if (st->update && !s->update) return false;
    if (st->update) run_update_copy(s->update, st->update);
    if (!st->update && s->update) {
        run_update_release(s->update);
        s->update = NULL;
    }
    ref_tdb_copy(&s->tdb, &st->tdb);
    run_fs_copy(&s->fs, &st->fs);
    s->valid = true;
    return true;
}

static bool restore(run_state *st, const run_saved *s) {
    if (nor_snapshot_restore(st->dev, s->device) != NOR_OK) return false;
    if (!history_copy(&st->history, &s->history)) return false;
    st->engine.restore_state(st->engine.ctx, s->engine);
    ref_write_back_copy(&st->write_back, &s->write_back);
    if (st->is_map)
        ref_map_copy(&st->map, &s->map);
    else
        ref_queue_copy(&st->queue, &s->queue);
    st->tainted = s->tainted;
    st->mounted = s->mounted;
    st->read_only = s->read_only;
    st->keep_history = s->keep_history;
    st->checks.excluded = s->excluded;
    st->result->check = s->check;
    st->value_stream = s->value_stream;
    st->workload_stream = s->workload_stream;
    st->result->engine_ops = s->engine_ops;
    st->result->user_bytes = s->user_bytes;
    st->result->user_bytes_asked = s->user_bytes_asked;
    st->result->steps_run = s->steps_run;
    memcpy(st->result->refused, s->refused, sizeof s->refused);
    st->next_progress_ops = s->next_progress_ops;
    st->step = s->step;
    st->workload_op = s->workload_op;
    memcpy(st->iterations, s->iterations, sizeof s->iterations);
    st->cursor = s->cursor;
    st->power = s->power;
    if (st->raw && !run_raw_copy(st->raw, s->raw)) return false;
    st->kv_open = s->kv_open;
    if (!s->update) {
        run_update_free(st);
    } else {
        if (!st->update) st->update = run_update_new(s->update);
        if (!st->update) return false;
        run_update_copy(st->update, s->update);
    }
    ref_tdb_copy(&st->tdb, &s->tdb);
    run_fs_copy(&st->fs, &s->fs);
    return true;
}

/* Campaigns: the scenario operation since the previous checkpoint made flash operations; the
 * campaign may branch from the state saved there. Then this point becomes the previous one. */
static int offer_interval(run_state *st) {
    if (!st->engine.save_state) return run_fail(st, "the engine cannot save its RAM state");
    for (int i = 0; i < 2; i++)
        if (!st->saved[i] && !(st->saved[i] = saved_new(st))) return run_fail_nomem(st);
    run_saved *previous = st->saved[0], *current = st->saved[1];
    uint64_t now = nor_op_count(st->dev);
    if (!previous->valid || now == previous->op_count) {
        /* No flash operation since: this point is as good a start and closer. */
        return save(st, previous) ? RUNNER_OK : run_fail_nomem(st);
    }
    if (!save(st, current)) return run_fail_nomem(st);
    runner_branch_point from = {.st = st, .from = previous};
    st->opts->on_interval(st->opts->interval_ctx, previous->op_count, now, &from);
    if (from.used && !restore(st, current)) return run_fail_nomem(st);
    st->saved[0] = current;
    st->saved[1] = previous;
    return RUNNER_OK;
}

int run_checkpoint(run_state *st) {
    if (st->resuming) {
        /* The state was restored before the walk down to this point. */
        st->resuming = false;
        return RUNNER_OK;
    }
    run_cut_plan *p = &st->plan;
    if (p->counting_steps) {
        if (p->steps_left == 0) return RUN_STOPPED;
        p->steps_left--;
    }
    uint64_t budget = st->opts ? st->opts->max_engine_ops : 0;
    if (budget && (st->result->engine_ops > budget || ++st->operations > budget))
        return run_fail(st,
                        "stopped: the run used up its budget of %llu engine calls and scenario "
                        "operations",
                        (unsigned long long)budget);
    if (st->opts && st->opts->on_interval && !st->in_branch) return offer_interval(st);
    return RUNNER_OK;
}

int runner_branch(runner_branch_point *from, const scenario_cut *cut, scenario_result *out,
                  runner_branch_info *info) {
    run_state *st = from->st;
    scenario_result *main_result = st->result;
    memset(out, 0, sizeof *out);
    memcpy(out->name, main_result->name, sizeof out->name);
    memcpy(out->file, main_result->file, sizeof out->file);
    out->seed = main_result->seed;
    out->verdict = RUN_PASS;
    from->used = true;
    st->result = out;
    int rc = RUNNER_OK;
    if (!restore(st, from->from)) {
        rc = run_fail_nomem(st);
    } else {
        st->in_branch = true;
        st->resuming = true;
        st->iterations[0] = '\0'; /* the walk down to the cursor writes it again */
        st->resume_at = from->from->cursor;
        run_plan_start(st, cut);
        rc = run_from_cursor(st);
        run_fill_figures(st);
    }
    if (info) run_plan_info(st, info);
    memset(&st->plan, 0, sizeof st->plan);
    st->checks.where[0] = '\0'; /* a failed check's name stays out of the main run's messages */
    st->in_branch = false;
    st->resuming = false;
    st->result = main_result;
    return rc;
}
