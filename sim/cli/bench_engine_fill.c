/* `norbench bench engine`, reads per operation: on each geometry of bench engine, the map and
 * the queue filled to 10%, 50% and 95% of their capacity (the items a store takes from empty
 * until it is full), uncached and with all caches, then seeded rounds of every operation,
 * each operation's read calls and bytes read taken from the NOR model's statistics. Printed
 * after bench engine's table, with the issue #12 goals that concern it. */
#include "bench_engine_fill.h"
#include "nor_prng.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILL_ROUNDS               100
#define FILL_MAX_ITEMS            100000u
#define FILL_MAX_KEYS             4096u
#define GOAL_FLAT_RATIO           1.5 /* reads at 95% fill / reads at 10%: "independent of fill" */
#define GOAL_COUNT_READS_PER_PAGE 4.0 /* count with all caches: O(pages) */

static const unsigned fill_levels[FILL_LEVELS] = {10, 50, 95};
static const char *const map_ops[] = {"store", "fetch", "count"};
static const char *const queue_ops[] = {"push", "peek", "pop", "count"};

/* Items an uncached store of this geometry takes from empty until NBS_E_FULL. */
static int capacity_of(const nor_config *cfg, const bench_geometry *g, bool is_map,
                       uint32_t *capacity) {
    bench_store s;
    nor_prng prng;
    nor_prng_seed(&prng, 77);
    int rc = bench_store_open(&s, cfg, g->pages, 0, 0, is_map);
    uint32_t n = 0;
    while (rc == NBS_OK && n < FILL_MAX_ITEMS &&
           (rc = bench_add_item(&s, is_map, n, &prng)) == NBS_OK)
        n++;
    bench_store_close(&s);
    *capacity = n;
    return rc == NBS_E_FULL || rc == NBS_OK ? NBS_OK : rc;
}

/* Runs one operation and adds its traffic to cost. A push or store refused for lack of room
 * (NBS_E_FULL: a full queue without drop-oldest, a full map) is the engine doing its job and
 * counted apart; any other failure is an error. Neither stops the rounds. */
#define MEASURE(r, cost, call)                                                                     \
    do {                                                                                           \
        int rc_;                                                                                   \
        BENCH_MEASURE(s.dev, (cost), rc_, (call));                                                 \
        if (rc_ == NBS_E_FULL)                                                                     \
            (r)->refused++;                                                                        \
        else if (rc_ != NBS_OK)                                                                    \
            (r)->failures++;                                                                       \
    } while (0)

static void run_level(const nor_config *cfg, const bench_geometry *g, size_t g_index, bool is_map,
                      bool cached, unsigned fill, uint32_t capacity, fill_result *r) {
    unsigned flags = !cached ? 0 : is_map ? NBS_CACHE_ALL : NBS_CACHE_ALL & ~NBS_CACHE_KEYS;
    bench_store s;
    r->error = bench_store_open(&s, cfg, g->pages, flags, FILL_MAX_KEYS, is_map);
    r->cache_bytes = s.cache_bytes;
    nor_prng prng;
    nor_prng_seed(&prng, 5000u + 100u * (unsigned)g_index + fill + (is_map ? 1 : 0));
    uint32_t items = (uint32_t)((uint64_t)capacity * fill / 100);
    if (items == 0) items = 1;
    for (uint32_t i = 0; i < items && r->error == NBS_OK; i++) {
        r->error = bench_add_item(&s, is_map, i, &prng);
        r->items = i + (r->error == NBS_OK);
    }
    uint8_t key[BENCH_KEY_BYTES], data[BENCH_ENTRY_BYTES], got[BENCH_ENTRY_BYTES];
    size_t len;
    uint32_t count;
    for (unsigned round = 0; round < FILL_ROUNDS && r->error == NBS_OK; round++) {
        if (is_map) {
            bench_key((uint32_t)nor_prng_below(&prng, items), key);
            bench_random_bytes(&prng, data, BENCH_VALUE_BYTES);
            MEASURE(r, &r->op[0], nbs_map_store(&s.map, key, sizeof key, data, BENCH_VALUE_BYTES));
            bench_key((uint32_t)nor_prng_below(&prng, items), key);
            MEASURE(r, &r->op[1], nbs_map_fetch(&s.map, key, sizeof key, got, sizeof got, &len));
            MEASURE(r, &r->op[2], nbs_map_count(&s.map, &count));
        } else {
            bench_random_bytes(&prng, data, BENCH_ENTRY_BYTES);
            MEASURE(r, &r->op[0], nbs_queue_push(&s.queue, data, BENCH_ENTRY_BYTES, 0));
            MEASURE(r, &r->op[1], nbs_queue_peek(&s.queue, got, sizeof got, &len));
            MEASURE(r, &r->op[2], nbs_queue_pop(&s.queue, got, sizeof got, &len));
            MEASURE(r, &r->op[3], nbs_queue_count(&s.queue, &count));
        }
    }
    bench_store_close(&s);
}

size_t bench_fill_run(fill_result *results) {
    size_t n = 0;
    for (size_t g = 0; g < bench_geometry_count; g++) {
        const bench_geometry *geo = &bench_geometries[g];
        const nor_config *cfg = nor_preset_find(geo->preset);
        for (int map = 1; map >= 0; map--) {
            uint32_t capacity = 0;
            int cap_rc = capacity_of(cfg, geo, map, &capacity);
            for (size_t f = 0; f < FILL_LEVELS; f++)
                for (int cached = 0; cached <= 1; cached++) {
                    fill_result *r = &results[n++];
                    memset(r, 0, sizeof *r);
                    r->preset = geo->preset;
                    r->pages = geo->pages;
                    r->is_map = map;
                    r->cached = cached;
                    r->fill = fill_levels[f];
                    r->capacity = capacity;
                    if (cap_rc)
                        r->error = cap_rc;
                    else
                        run_level(cfg, geo, g, map, cached, fill_levels[f], capacity, r);
                }
        }
    }
    return n;
}

static size_t op_count(const fill_result *r) {
    return r->is_map ? 3 : 4;
}
static const char *op_name(const fill_result *r, size_t k) {
    return r->is_map ? map_ops[k] : queue_ops[k];
}
static double reads_per(const fill_result *r, size_t k) {
    return bench_per_op(r->op[k].read_calls, r->op[k].count);
}
static double bytes_per(const fill_result *r, size_t k) {
    return bench_per_op(r->op[k].read_bytes, r->op[k].count);
}

/* The row of the same workload and cache at another fill level (the rows come in the order
 * bench_fill_run makes them: fill levels, then caches, within each store). */
static const fill_result *at_level(const fill_result *r, size_t level) {
    size_t from = 0;
    while (fill_levels[from] != r->fill) from++;
    return r + 2 * ((ptrdiff_t)level - (ptrdiff_t)from);
}

/* A row's figures are honest unless the engine failed: an error while filling or an
 * operation that failed with an error. Refused pushes (NBS_E_FULL) are expected at 95% fill
 * and leave the figures honest: their reads are part of what a push costs there. */
static bool honest(const fill_result *r) {
    return !r->error && !r->failures;
}

/* Goal: push, peek and pop cost as many reads at 95% fill as at 10% (within the ratio). */
static bool flat(const fill_result *r, size_t k, double *ratio) {
    const fill_result *low = at_level(r, 0), *high = at_level(r, FILL_LEVELS - 1);
    double a = reads_per(low, k), b = reads_per(high, k);
    *ratio = a > 0 ? b / a : 0.0;
    return honest(low) && honest(high) && a > 0 && *ratio <= GOAL_FLAT_RATIO;
}

static bool count_goal_met(const fill_result *r, double *per_page) {
    size_t k = op_count(r) - 1;
    *per_page = reads_per(r, k) / r->pages;
    return honest(r) && *per_page <= GOAL_COUNT_READS_PER_PAGE;
}

/* After a goal's verdict: why a figure is not judged, or that refusals were expected. */
static void print_goal_note(const fill_result *low, const fill_result *high) {
    if (!honest(low) || !honest(high))
        printf(" (no honest figure: an operation failed with an engine error)");
    else if (high->refused)
        printf(" (%llu %s refused at %u%%: %s; expected)", (unsigned long long)high->refused,
               high->is_map ? "stores" : "pushes", high->fill,
               high->is_map ? "map full" : "queue full, no drop-oldest");
    printf("\n");
}

void bench_fill_print(const fill_result *results, size_t n) {
    printf("reads per operation at %u%%, %u%% and %u%% fill, %d rounds each; fill = items held\n"
           "as a share of the store's capacity (the items it took from empty until full: map\n"
           "%d-byte keys with %d-byte values, queue %d-byte entries); rd = read calls, B = bytes\n"
           "read, per operation; caches: none, or all (map keys: %u entries)\n\n",
           fill_levels[0], fill_levels[1], fill_levels[2], FILL_ROUNDS, BENCH_KEY_BYTES,
           BENCH_VALUE_BYTES, BENCH_ENTRY_BYTES, FILL_MAX_KEYS);
    for (int map = 1; map >= 0; map--) {
        printf("%s (a round: %s)\n", map ? "map" : "queue",
               map ? "store a held key, fetch a held key, count" : "push, peek, pop, count");
        printf("%-10s %-5s %4s %6s", "preset", "cache", "fill", "items");
        const char *const *names = map ? map_ops : queue_ops;
        for (size_t k = 0; k < (map ? 3u : 4u); k++) {
            char rd[16], b[16];
            snprintf(rd, sizeof rd, "rd/%s", names[k]);
            snprintf(b, sizeof b, "B/%s", names[k]);
            printf(" %9s %10s", rd, b);
        }
        printf("\n");
        for (size_t i = 0; i < n; i++) {
            const fill_result *r = &results[i];
            if (r->is_map != (map == 1)) continue;
            printf("%-10s %-5s %3u%% %6u", r->preset, r->cached ? "all" : "none", r->fill,
                   r->items);
            if (r->error && !r->op[0].count) {
                printf(" error: %s\n", nbs_strerror(r->error));
                continue;
            }
            for (size_t k = 0; k < op_count(r); k++)
                printf(" %9.2f %10.1f", reads_per(r, k), bytes_per(r, k));
            unsigned long long ops = (unsigned long long)(r->op[0].count * op_count(r));
            if (r->refused)
                printf(" (%llu of %llu operations refused: %s full, expected)",
                       (unsigned long long)r->refused, ops, r->is_map ? "map" : "queue");
            if (r->failures)
                printf(" (%llu of %llu operations failed with an engine error)",
                       (unsigned long long)r->failures, ops);
            printf("\n");
        }
        printf("\n");
    }
    printf("goals (reads per operation)\n");
    for (size_t i = 0; i < n; i++) {
        const fill_result *r = &results[i];
        if (r->is_map || r->fill != fill_levels[0]) continue;
        for (size_t k = 0; k < 3; k++) {
            double ratio;
            bool met = flat(r, k, &ratio);
            printf("  %-10s queue %-4s %-4s reads at %u/%u/%u%%: %.2f / %.2f / %.2f, 95%%/10%% "
                   "= %.2f (goal <= %.1f, independent of fill): %s",
                   r->preset, op_name(r, k), r->cached ? "all" : "none", fill_levels[0],
                   fill_levels[1], fill_levels[2], reads_per(r, k), reads_per(at_level(r, 1), k),
                   reads_per(at_level(r, 2), k), ratio, GOAL_FLAT_RATIO, met ? "met" : "NOT MET");
            print_goal_note(r, at_level(r, FILL_LEVELS - 1));
        }
    }
    for (size_t i = 0; i < n; i++) {
        const fill_result *r = &results[i];
        if (!r->cached || r->fill != fill_levels[FILL_LEVELS - 1]) continue;
        double per_page;
        bool met = count_goal_met(r, &per_page);
        printf("  %-10s %-5s count with all caches at %u%%: %.2f reads, %.2f per page (goal <= "
               "%.0f per page, O(pages)): %s",
               r->preset, r->is_map ? "map" : "queue", r->fill, reads_per(r, op_count(r) - 1),
               per_page, GOAL_COUNT_READS_PER_PAGE, met ? "met" : "NOT MET");
        print_goal_note(r, r);
    }
}

static cJSON *op_json(const fill_result *r, size_t k) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "operations", (double)r->op[k].count);
    cJSON_AddNumberToObject(o, "read_calls_per_op", reads_per(r, k));
    cJSON_AddNumberToObject(o, "read_bytes_per_op", bytes_per(r, k));
    cJSON_AddNumberToObject(o, "program_calls_per_op",
                            bench_per_op(r->op[k].program_calls, r->op[k].count));
    return o;
}

cJSON *bench_fill_json(const fill_result *results, size_t n) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "rounds", FILL_ROUNDS);
    cJSON_AddNumberToObject(root, "max_ratio_95_to_10_percent", GOAL_FLAT_RATIO);
    cJSON_AddNumberToObject(root, "max_count_reads_per_page_all_caches", GOAL_COUNT_READS_PER_PAGE);
    cJSON *rows = cJSON_AddArrayToObject(root, "workloads");
    cJSON *goals = cJSON_AddArrayToObject(root, "goals");
    for (size_t i = 0; i < n; i++) {
        const fill_result *r = &results[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "preset", r->preset);
        cJSON_AddNumberToObject(o, "pages", r->pages);
        cJSON_AddStringToObject(o, "store", r->is_map ? "map" : "queue");
        cJSON_AddStringToObject(o, "cache", r->cached ? "all" : "none");
        cJSON_AddNumberToObject(o, "cache_bytes", (double)r->cache_bytes);
        cJSON_AddNumberToObject(o, "fill_percent", r->fill);
        cJSON_AddNumberToObject(o, "capacity_items", r->capacity);
        cJSON_AddNumberToObject(o, "items", r->items);
        cJSON_AddNumberToObject(o, "refused_operations", (double)r->refused);
        cJSON_AddNumberToObject(o, "failed_operations", (double)r->failures);
        if (r->error) cJSON_AddStringToObject(o, "error", nbs_strerror(r->error));
        cJSON *ops = cJSON_AddObjectToObject(o, "per_operation");
        for (size_t k = 0; k < op_count(r); k++)
            cJSON_AddItemToObject(ops, op_name(r, k), op_json(r, k));
        cJSON_AddItemToArray(rows, o);
        if (!r->is_map && r->fill == fill_levels[0])
            for (size_t k = 0; k < 3; k++) {
                double ratio;
                cJSON *c = cJSON_CreateObject();
                bool met = flat(r, k, &ratio);
                cJSON_AddStringToObject(c, "goal", "queue_reads_independent_of_fill");
                cJSON_AddStringToObject(c, "preset", r->preset);
                cJSON_AddStringToObject(c, "operation", op_name(r, k));
                cJSON_AddStringToObject(c, "cache", r->cached ? "all" : "none");
                cJSON_AddNumberToObject(c, "value", ratio);
                cJSON_AddBoolToObject(c, "met", met);
                cJSON_AddItemToArray(goals, c);
            }
        if (r->cached && r->fill == fill_levels[FILL_LEVELS - 1]) {
            double per_page;
            cJSON *c = cJSON_CreateObject();
            bool met = count_goal_met(r, &per_page);
            cJSON_AddStringToObject(c, "goal", "count_reads_per_page_all_caches");
            cJSON_AddStringToObject(c, "preset", r->preset);
            cJSON_AddStringToObject(c, "store", r->is_map ? "map" : "queue");
            cJSON_AddNumberToObject(c, "value", per_page);
            cJSON_AddBoolToObject(c, "met", met);
            cJSON_AddItemToArray(goals, c);
        }
    }
    return root;
}
