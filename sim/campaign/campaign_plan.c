/* The cut points of a campaign: one plain run of the scenario records every flash operation it
 * makes while no cut of its own is armed; the mode picks all of them or a seeded sample, and
 * the shard keeps every shard_count-th from its index. */
#include "campaign_internal.h"
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
    if (l->count == l->capacity) {
        size_t capacity = l->capacity ? l->capacity * 2 : 1024;
        campaign_point *grown = realloc(l->items, capacity * sizeof *grown);
        if (!grown) {
            l->out_of_memory = true;
            return;
        }
        l->items = grown;
        l->capacity = capacity;
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

static void keep_shard(op_list *l, const campaign_options *o) {
    size_t kept = 0;
    for (size_t i = 0; i < l->count; i++)
        if (i % o->shard_count == o->shard_index - 1) l->items[kept++] = l->items[i];
    l->count = kept;
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
                         .on_flash_op = record_op,
                         .flash_op_ctx = &ops};
    scenario_result plain;
    int rc = runner_run(sc, path, &ro, &plain);
    free(plain.sector_erases);
    out->seed = plain.seed;
    out->flash_ops = plain.flash_ops;
    if (ops.out_of_memory || rc == RUNNER_E_NOMEM) {
        free(ops.items);
        return CAMPAIGN_E_NOMEM;
    }
    if (plain.verdict != RUN_PASS) {
        free(ops.items);
        out->has_error = true;
        out->baseline_failed = true;
        snprintf(out->error, sizeof out->error, "the scenario fails without any power cut: %.900s",
                 plain.message);
        return CAMPAIGN_OK;
    }
    if (o->mode == CAMPAIGN_RANDOM) sample(&ops, o->random_count, plain.seed);
    keep_shard(&ops, o);
    plan->points = ops.items;
    plan->count = ops.count;
    for (size_t i = 0; i < ops.count; i++)
        plan->tries += campaign_mode_count(campaign_modes_for(o, ops.items[i].is_erase));
    return CAMPAIGN_OK;
}

void campaign_plan_free(campaign_plan *plan) {
    free(plan->points);
    memset(plan, 0, sizeof *plan);
}
