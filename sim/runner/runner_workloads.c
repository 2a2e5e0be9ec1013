/* Generated workloads of a run: a seeded random mix of operations, a config value updated at a
 * fixed period of simulated time, and log records appended to a queue. Every generated
 * operation goes through the same checked path as a step written in the file. */
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const scenario_op mix_ops[SCENARIO_MIX_KIND_COUNT] = {
    [SCENARIO_MIX_STORE] = SCENARIO_OP_STORE,   [SCENARIO_MIX_FETCH] = SCENARIO_OP_FETCH,
    [SCENARIO_MIX_REMOVE] = SCENARIO_OP_REMOVE, [SCENARIO_MIX_HAS] = SCENARIO_OP_HAS,
    [SCENARIO_MIX_PUSH] = SCENARIO_OP_PUSH,     [SCENARIO_MIX_PEEK] = SCENARIO_OP_PEEK,
    [SCENARIO_MIX_POP] = SCENARIO_OP_POP,
};

/* Where a workload starts: at the operation being resumed, or at its first. */
static uint64_t first_op(const run_state *st) {
    return st->resuming ? st->resume_at.op : 0;
}

static int workload_checkpoint(run_state *st, uint64_t index) {
    st->cursor.op = index;
    return run_checkpoint(st);
}

static uint32_t draw_size(run_state *st, scenario_range range) {
    return range.min +
           (uint32_t)nor_prng_below(&st->workload_stream, (uint64_t)range.max - range.min + 1);
}

/* Fresh random contents of a size drawn from `range`, in `buffer` (grown as needed). */
static int draw_value(run_state *st, scenario_range range, uint8_t **buffer, size_t *capacity,
                      run_bytes *out) {
    uint32_t length = draw_size(st, range);
    if (length > *capacity || !*buffer) {
        uint8_t *grown = realloc(*buffer, length ? length : 1);
        if (!grown) return run_fail_nomem(st);
        *buffer = grown;
        *capacity = length;
    }
    run_random_fill(&st->value_stream, *buffer, length);
    *out = (run_bytes){.bytes = *buffer, .length = length};
    return RUNNER_OK;
}

static void note_operation(run_state *st, const char *workload, uint64_t index, uint64_t total,
                           scenario_op op, const run_bytes *key) {
    run_workload_op *w = &st->workload_op;
    w->workload = workload;
    w->index = index;
    w->total = total;
    w->op = op;
    w->key_len = key->length < sizeof w->key ? key->length : sizeof w->key;
    if (w->key_len) memcpy(w->key, key->bytes, w->key_len);
}

static scenario_mix_op draw_mix_op(run_state *st, const scenario_random_ops_args *a,
                                   uint64_t weight_sum) {
    uint64_t pick = nor_prng_below(&st->workload_stream, weight_sum);
    for (int m = 0; m < SCENARIO_MIX_KIND_COUNT; m++) {
        if (pick < a->weights[m]) return (scenario_mix_op)m;
        pick -= a->weights[m];
    }
    return SCENARIO_MIX_FETCH;
}

static int random_ops(run_state *st, const scenario_random_ops_args *a) {
    uint64_t weight_sum = 0;
    for (int m = 0; m < SCENARIO_MIX_KIND_COUNT; m++) weight_sum += a->weights[m];
    if (!weight_sum) return RUNNER_OK;
    uint8_t *buffer = NULL;
    size_t capacity = 0;
    int rc = RUNNER_OK;
    for (uint64_t i = first_op(st); i < a->ops && !rc; i++) {
        if ((rc = workload_checkpoint(st, i))) break;
        run_op op = {.op = mix_ops[draw_mix_op(st, a, weight_sum)], .workload = true};
        char key[SCENARIO_KEY_MAX + 1];
        if (st->is_map) {
            uint64_t index = nor_prng_below(&st->workload_stream, a->keys);
            int n = snprintf(key, sizeof key, "%s%llu", a->key_prefix, (unsigned long long)index);
            op.key = (run_bytes){.bytes = (const uint8_t *)key, .length = (size_t)n};
        }
        if (op.op == SCENARIO_OP_STORE || op.op == SCENARIO_OP_PUSH)
            rc = draw_value(st, a->value_size, &buffer, &capacity, &op.value);
        note_operation(st, "random_ops", i, a->ops, op.op, &op.key);
        if (!rc) rc = run_engine_op(st, &op);
        if (a->every_us) nor_advance_time(st->dev, a->every_us);
    }
    free(buffer);
    return rc;
}

static int config_updates(run_state *st, const scenario_config_updates_args *a) {
    run_op op = {.op = SCENARIO_OP_STORE, .workload = true};
    if (run_value_get_fixed(st, &a->key, &op.key)) return run_fail_nomem(st);
    uint8_t *buffer = NULL;
    size_t capacity = 0;
    int rc = RUNNER_OK;
    for (uint64_t i = first_op(st); i < a->count && !rc; i++) {
        if ((rc = workload_checkpoint(st, i))) break;
        nor_advance_time(st->dev, a->every_us);
        rc = draw_value(st, a->value_size, &buffer, &capacity, &op.value);
        note_operation(st, "config_updates", i, a->count, op.op, &op.key);
        if (!rc) rc = run_engine_op(st, &op);
    }
    free(buffer);
    run_bytes_free(&op.key);
    return rc;
}

static int log_appends(run_state *st, const scenario_log_appends_args *a) {
    run_op op = {.op = SCENARIO_OP_PUSH, .workload = true, .drop_oldest = a->drop_oldest};
    uint8_t *buffer = NULL;
    size_t capacity = 0;
    int rc = RUNNER_OK;
    for (uint64_t i = first_op(st); i < a->count && !rc; i++) {
        if ((rc = workload_checkpoint(st, i))) break;
        rc = draw_value(st, a->size, &buffer, &capacity, &op.value);
        note_operation(st, "log_appends", i, a->count, op.op, &op.key);
        if (!rc) rc = run_engine_op(st, &op);
        if (a->every_us) nor_advance_time(st->dev, a->every_us);
    }
    free(buffer);
    return rc;
}

int run_workload(run_state *st, const scenario_step *step) {
    int rc;
    switch (step->op) {
    case SCENARIO_OP_RANDOM_OPS: rc = random_ops(st, &step->args.random_ops); break;
    case SCENARIO_OP_CONFIG_UPDATES: rc = config_updates(st, &step->args.config_updates); break;
    case SCENARIO_OP_LOG_APPENDS: rc = log_appends(st, &step->args.log_appends); break;
    default: rc = RUNNER_OK; break;
    }
    if (!rc) st->workload_op.workload = NULL;
    return rc;
}
