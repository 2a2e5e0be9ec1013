/* The cut points of a campaign: one plain run of the scenario records every flash operation it
 * makes while no cut of its own is armed; the mode picks all of them, a seeded sample or a
 * sweep (campaign_select.c), a budget may thin them evenly, and the shard keeps every
 * shard_count-th from its index. */
#include "campaign_internal.h"
#include "grow.h"
#include "nor_prng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kept apart from the scenario's own random streams. */
#define SAMPLE_SEED_PURPOSE 0x63757470u

const scenario_cut campaign_no_cut = {.present = false};

unsigned campaign_modes_for(const campaign_options *o, bool is_erase) {
    return is_erase ? o->torn_erase : o->torn_program;
}

unsigned campaign_mode_count(unsigned mask) {
    unsigned n = 0;
    for (; mask; mask &= mask - 1) n++;
    return n;
}

typedef struct op_list {
    const campaign_options *options;
    campaign_point *items;
    size_t count, capacity;
    bool out_of_memory;
} op_list;

static void record_op(void *ctx, uint64_t op_index, bool is_erase, bool eligible) {
    op_list *l = ctx;
    /* Not a cut point: the scenario's own cut is armed, or no torn mode of its kind is asked. */
    if (!eligible || l->out_of_memory || !campaign_modes_for(l->options, is_erase)) return;
    if (!grow_array(&l->items, &l->capacity, l->count, sizeof *l->items, 1024)) {
        l->out_of_memory = true;
        return;
    }
    l->items[l->count++] = (campaign_point){.op = op_index, .is_erase = is_erase};
}

static int by_op(const void *a, const void *b) {
    uint64_t x = ((const campaign_point *)a)->op, y = ((const campaign_point *)b)->op;
    return x < y ? -1 : x > y;
}

/* Keeps `n` of the points, drawn without repetition, in operation order. */
static void sample(op_list *l, uint64_t n, uint64_t seed) {
    if (n >= l->count) return;
    nor_prng prng;
    nor_prng_seed(&prng, seed ^ SAMPLE_SEED_PURPOSE);
    for (size_t i = 0; i < n; i++) {
        size_t j = i + (size_t)nor_prng_below(&prng, l->count - i);
        campaign_point t = l->items[i];
        l->items[i] = l->items[j];
        l->items[j] = t;
    }
    l->count = (size_t)n;
    qsort(l->items, l->count, sizeof *l->items, by_op);
}

static size_t keep_shard(campaign_point *points, size_t count, const campaign_options *o) {
    size_t kept = 0;
    for (size_t i = 0; i < count; i++)
        if (i % o->shard_count == o->shard_index - 1) points[kept++] = points[i];
    return kept;
}

static void select_by_mode(op_list *l, const campaign_options *o, uint64_t seed) {
    if (o->mode == CAMPAIGN_RANDOM) sample(l, o->random_count, seed);
    if (o->mode == CAMPAIGN_LOG) l->count = campaign_select_log(l->items, l->count);
    if (o->mode == CAMPAIGN_EVERY) l->count = campaign_select_every(l->items, l->count, o->every);
}

int campaign_plan_limit(campaign_plan *plan, uint64_t max_tries) {
    size_t n = plan->mode_count;
    campaign_point *points = malloc((n ? n : 1) * sizeof *points);
    campaign_point *scratch = max_tries ? malloc((n ? n : 1) * sizeof *scratch) : NULL;
    if (!points || (max_tries && !scratch)) {
        free(points);
        free(scratch);
        return CAMPAIGN_E_NOMEM;
    }
    if (n) memcpy(points, plan->mode_points, n * sizeof *points); /* none: a failed plain run */
    if (max_tries)
        n = campaign_select_budget(plan->options, points, n, max_tries, plan->seed, scratch);
    free(scratch);
    plan->budget_count = n;
    n = keep_shard(points, n, plan->options);
    free(plan->points);
    plan->points = points;
    plan->count = n;
    plan->max_tries = max_tries;
    plan->tries = campaign_points_tries(plan->options, points, n);
    return CAMPAIGN_OK;
}

int campaign_plan_make(const char *path, const scenario *sc, const campaign_options *o,
                       campaign_plan *plan, campaign_scenario *out) {
    memset(plan, 0, sizeof *plan);
    plan->path = path;
    plan->sc = sc;
    plan->options = o;
    op_list ops = {.options = o};
    runner_options ro = {.cut = &campaign_no_cut,
                         .override_seed = o->override_seed,
                         .seed = o->seed,
                         .engine = o->engine,
                         .find_engine = o->find_engine,
                         .on_plugin_library = o->on_plugin_library,
                         .plugin_library_ctx = o->plugin_library_ctx,
                         .on_flash_op = record_op,
                         .flash_op_ctx = &ops};
    scenario_result plain;
    double started = run_now_seconds();
    int rc = runner_run(sc, path, &ro, &plain);
    plan->baseline_seconds = run_now_seconds() - started;
    free(plain.sector_erases);
    out->seed = plain.seed;
    out->flash_ops = plain.flash_ops;
    if (ops.out_of_memory || rc == RUNNER_E_NOMEM) {
        free(ops.items);
        return CAMPAIGN_E_NOMEM;
    }
    if (rc == RUNNER_E_UNSUPPORTED) { /* bad input (--target): as a file that does not load */
        free(ops.items);
        snprintf(out->error, sizeof out->error, "%.900s", plain.message);
        return CAMPAIGN_E_INVALID;
    }
    if (plain.verdict != RUN_PASS) {
        free(ops.items);
        out->has_error = true;
        out->baseline_failed = true;
        snprintf(out->error, sizeof out->error, "the scenario fails without any power cut: %.900s",
                 plain.message);
        return CAMPAIGN_OK;
    }
    plan->seed = plain.seed;
    select_by_mode(&ops, o, plain.seed);
    plan->mode_points = ops.items;
    plan->mode_count = ops.count;
    out->mode_cut_points = ops.count;
    return campaign_plan_limit(plan, o->max_tries);
}

void campaign_plan_free(campaign_plan *plan) {
    free(plan->points);
    free(plan->mode_points);
    memset(plan, 0, sizeof *plan);
}
