/* `norbench bench engine`: flash traffic, wear and write amplification of the storage engine.
 * Fixed, seeded map and queue workloads run on three small geometries with each cache level
 * (check mode off) at live-data fill levels of 10%, 25% and 50%; the uncached run of the same
 * workload is the baseline. Then the reads per operation at 10/50/95% fill
 * (bench_engine_fill.c) and the erase spread of each workload against its goal. Prints a
 * table, or one JSON object with --json. */
#include "bench_engine_fill.h"
#include "bench_store.h"
#include "cli.h"
#include "commands.h"
#include "nor_prng.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEASURED_OPS   2000
#define CACHE_MAX_KEYS 512

/* The goals the engine is measured against. */
#define GOAL_FETCH_READS  2.0 /* read calls per map fetch with every cache on */
#define GOAL_WRITE_AMP    1.5 /* at 25% fill */
#define GOAL_WRITE_AMP_AT 25
#define GOAL_SPREAD       1.2 /* max/min erase count over a workload's pages, below this */
/* The spread is judged once every page has been erased this often: a ring erases its pages in
 * order, so mid-lap some pages are one erase ahead (and page 0 one more, from the store's first
 * open): (k + 2) / k at k erases, 1.10 at 20, below the goal whatever the point in the lap. */
#define STEADY_ERASES    20
#define STEADY_MAX_PAIRS 1000000u /* gives up (goal not met) if steady wear takes longer */

static const unsigned fill_percents[] = {10, 25, 50};

static const struct {
    const char *name;
    unsigned flags;
} cache_levels[] = {
    {"none", 0},
    {"states", NBS_CACHE_PAGE_STATES},
    {"states+pointers", NBS_CACHE_PAGE_STATES | NBS_CACHE_PAGE_POINTERS},
    {"all", NBS_CACHE_ALL},
};
#define CACHE_LEVEL_COUNT (sizeof cache_levels / sizeof *cache_levels)

typedef struct bench_result {
    const char *preset;
    uint32_t pages, page_size;
    bool is_map;
    const char *cache;
    size_t cache_bytes;
    unsigned fill_target; /* percent of the range's bytes */
    double fill_reached;  /* percent actually live when filling stopped */
    bool fill_hit_full;   /* NBS_E_FULL before the target */
    uint64_t failures;    /* measured operations that did not succeed */
    nor_stats flash;      /* the measured phase only */
    uint32_t measured_erase_min, measured_erase_max; /* erases per page after the measured pairs */
    uint32_t erase_min,
        erase_max;            /* at steady wear (the spread level only; see run_to_steady_wear) */
    uint64_t steady_pairs;    /* pairs run after the measured ones to reach steady wear */
    uint64_t steady_failures; /* of those, operations that failed */
    bench_op_cost fetch, store, push, pop;
    uint64_t item_bytes;  /* items written in the measured phase, headers included */
    uint32_t item_header; /* the format's bytes per item beyond its data (nbs_item_overhead) */
    int error;            /* 0, or the engine error that stopped the workload */
} bench_result;

/* One measured pair of the map workload into r: store a random held key, fetch one. */
static void map_pair(bench_store *s, bench_result *r, nor_prng *prng, uint32_t stored) {
    const uint32_t item = r->item_header + BENCH_KEY_BYTES + BENCH_VALUE_BYTES;
    uint8_t key[BENCH_KEY_BYTES], value[BENCH_VALUE_BYTES];
    int rc;
    bench_key((uint32_t)nor_prng_below(prng, stored), key);
    bench_random_bytes(prng, value, sizeof value);
    BENCH_MEASURE(s->dev, &r->store, rc,
                  nbs_map_store(&s->map, key, sizeof key, value, sizeof value));
    if (rc == NBS_OK)
        r->item_bytes += item;
    else
        r->failures++;

    bench_key((uint32_t)nor_prng_below(prng, stored), key);
    size_t len = 0;
    BENCH_MEASURE(s->dev, &r->fetch, rc,
                  nbs_map_fetch(&s->map, key, sizeof key, value, sizeof value, &len));
    if (rc != NBS_OK) r->failures++;
}

/* Fills the store to the target; returns the items written (0 on an error, in r->error). */
static uint32_t fill_store(bench_store *s, bench_result *r, nor_prng *prng) {
    r->item_header = nbs_item_overhead(&s->binding.flash);
    const uint32_t item =
        r->item_header + (r->is_map ? BENCH_KEY_BYTES + BENCH_VALUE_BYTES : BENCH_ENTRY_BYTES);
    uint32_t target = (uint32_t)((uint64_t)s->binding.flash.size * r->fill_target / 100 / item);
    if (target == 0) target = 1;
    uint32_t written = 0;
    for (; written < target; written++) {
        int rc = bench_add_item(s, r->is_map, written, prng);
        if (rc == NBS_E_FULL) {
            r->fill_hit_full = true;
            break;
        }
        if (rc) {
            r->error = rc;
            return 0;
        }
    }
    r->fill_reached = 100.0 * written * item / s->binding.flash.size;
    return written;
}

/* One measured pair of the queue workload into r: push one entry, pop one (steady state: the
 * live data stays at the fill level). */
static void queue_pair(bench_store *s, bench_result *r, nor_prng *prng) {
    const uint32_t item = r->item_header + BENCH_ENTRY_BYTES;
    uint8_t entry[BENCH_ENTRY_BYTES];
    int rc;
    bench_random_bytes(prng, entry, sizeof entry);
    BENCH_MEASURE(s->dev, &r->push, rc, nbs_queue_push(&s->queue, entry, sizeof entry, 0));
    if (rc == NBS_OK)
        r->item_bytes += item;
    else
        r->failures++;

    size_t len = 0;
    BENCH_MEASURE(s->dev, &r->pop, rc, nbs_queue_pop(&s->queue, entry, sizeof entry, &len));
    if (rc != NBS_OK) r->failures++;
}

/* The workload's pair of operations, once. */
static void run_pair(bench_store *s, bench_result *r, nor_prng *prng, uint32_t items) {
    if (r->is_map)
        map_pair(s, r, prng, items);
    else
        queue_pair(s, r, prng);
}

/* The erase spread goal, once per workload: caches change reads only (the table's erase
 * columns agree at every level), so the row with every cache, the quickest to run to steady
 * wear, stands for them all. */
static bool is_spread_level(size_t cache_level) {
    return cache_level == CACHE_LEVEL_COUNT - 1;
}
static bool is_spread_row(const bench_result *r) {
    return strcmp(r->cache, cache_levels[CACHE_LEVEL_COUNT - 1].name) == 0 && !r->error;
}
/* Wear: the same workload continued (after the measured pairs) until every page has been
 * erased at least STEADY_ERASES times, so that the erase spread no longer shows where the
 * ring is in its lap. Its own counters, apart from the measured figures. */
static void run_to_steady_wear(bench_store *s, bench_result *r, nor_prng *prng, uint32_t items) {
    bench_result scratch = *r;
    bench_erase_range(s, &r->erase_min, &r->erase_max);
    while (r->erase_min < STEADY_ERASES && r->steady_pairs < STEADY_MAX_PAIRS) {
        run_pair(s, &scratch, prng, items);
        r->steady_pairs++;
        bench_erase_range(s, &r->erase_min, &r->erase_max);
    }
    r->steady_failures = scratch.failures - r->failures;
}

static void run_workload(const bench_geometry *g, size_t cache_level, bool is_map, unsigned fill,
                         bench_result *r) {
    memset(r, 0, sizeof *r);
    r->preset = g->preset;
    r->pages = g->pages;
    r->is_map = is_map;
    r->cache = cache_levels[cache_level].name;
    r->fill_target = fill;
    bench_store s;
    unsigned flags = cache_levels[cache_level].flags;
    if (!is_map) flags &= ~(unsigned)NBS_CACHE_KEYS;
    r->error =
        bench_store_open(&s, nor_preset_find(g->preset), g->pages, flags, CACHE_MAX_KEYS, is_map);
    r->page_size = s.page_size;
    r->cache_bytes = s.cache_bytes;
    if (r->error == NBS_OK) {
        /* The same operations for every cache level of a workload. */
        nor_prng prng;
        nor_prng_seed(&prng,
                      1000u * (unsigned)(g - bench_geometries) + 10u * fill + (is_map ? 1 : 2));
        uint32_t items = fill_store(&s, r, &prng);
        if (items && !r->error) {
            nor_reset_stats(s.dev);
            for (uint32_t i = 0; i < MEASURED_OPS; i++) run_pair(&s, r, &prng, items);
            nor_get_stats(s.dev, &r->flash);
            bench_erase_range(&s, &r->measured_erase_min, &r->measured_erase_max);
            if (is_spread_level(cache_level)) run_to_steady_wear(&s, r, &prng, items);
        }
    }
    bench_store_close(&s);
}

static double write_amplification(const bench_result *r) {
    return r->item_bytes ? (double)r->flash.program_bytes / (double)r->item_bytes : 0.0;
}

static double erase_spread(const bench_result *r) {
    return bench_erase_spread(r->erase_min, r->erase_max);
}
static double measured_erase_spread(const bench_result *r) {
    return bench_erase_spread(r->measured_erase_min, r->measured_erase_max);
}

#define RESULT_COUNT                                                                               \
    (bench_geometry_count * CACHE_LEVEL_COUNT * 2 * (sizeof fill_percents / sizeof *fill_percents))

static size_t run_all(bench_result *results) {
    size_t n = 0;
    for (size_t g = 0; g < bench_geometry_count; g++)
        for (int map = 1; map >= 0; map--)
            for (size_t f = 0; f < sizeof fill_percents / sizeof *fill_percents; f++)
                for (size_t c = 0; c < CACHE_LEVEL_COUNT; c++)
                    run_workload(&bench_geometries[g], c, map, fill_percents[f], &results[n++]);
    return n;
}

/* Goals: mean read calls per fetch with all caches, and write amplification at 25% fill. */
static bool fetch_goal_met(const bench_result *r) {
    return bench_per_op(r->fetch.read_calls, r->fetch.count) <= GOAL_FETCH_READS;
}
/* Not met when nothing was stored or some operations failed: there is no honest figure. */
static bool write_amp_goal_met(const bench_result *r) {
    return r->item_bytes && !r->failures && write_amplification(r) <= GOAL_WRITE_AMP;
}
static bool is_fetch_goal_row(const bench_result *r) {
    return r->is_map && strcmp(r->cache, "all") == 0 && !r->error;
}
static bool is_write_amp_goal_row(const bench_result *r) {
    return r->fill_target == GOAL_WRITE_AMP_AT && strcmp(r->cache, "none") == 0 && !r->error;
}

/* The columns both stores share, then the per-operation figures of each. */
static void print_common(const bench_result *r) {
    char fill[8];
    snprintf(fill, sizeof fill, "%u%%%s", r->fill_target, r->fill_hit_full ? "!" : "");
    printf("%-10s %-15s %6zu %4s %8llu %9llu %8llu %9llu %6llu %6.2f", r->preset, r->cache,
           r->cache_bytes, fill, (unsigned long long)r->flash.read_calls,
           (unsigned long long)r->flash.read_bytes, (unsigned long long)r->flash.program_calls,
           (unsigned long long)r->flash.program_bytes, (unsigned long long)r->flash.erase_calls,
           measured_erase_spread(r));
}

static void print_table(const bench_result *results, size_t n) {
    printf("norbench bench engine: %d measured operation pairs per workload after filling;\n"
           "WA = bytes programmed (GC included) / items stored x (header + data), the header\n"
           "     being the format's per-item overhead (nbs_item_overhead: 7 B at W = 1, seal\n"
           "     and commit header, each padded to the write unit);\n"
           "fill = live data as a share of the range ('!': the store was full first);\n"
           "spread = max/min erase count over the pages (0: a page never erased);\n"
           "cacheB = RAM the caches asked for (nbs_cache_bytes)\n\n",
           MEASURED_OPS);
    const char *head = "%-10s %-15s %6s %4s %8s %9s %8s %9s %6s %6s";
    for (int map = 1; map >= 0; map--) {
        printf("%s workloads (%s)\n", map ? "map" : "queue",
               map ? "store a random key, then fetch a random key"
                   : "push one entry, then pop one");
        printf(head, "preset", "cache", "cacheB", "fill", "rd.calls", "rd.bytes", "pr.calls",
               "pr.bytes", "erases", "spread");
        if (map)
            printf(" %8s %8s %8s %6s\n", "rd/fetch", "rd/store", "pr/store", "WA");
        else
            printf(" %7s %7s %7s %7s %6s\n", "rd/push", "pr/push", "rd/pop", "pr/pop", "WA");
        for (size_t i = 0; i < n; i++) {
            const bench_result *r = &results[i];
            if (r->is_map != (map == 1)) continue;
            if (r->error) {
                printf("%-10s %-15s %6zu %3u%% error: %s\n", r->preset, r->cache, r->cache_bytes,
                       r->fill_target, nbs_strerror(r->error));
                continue;
            }
            print_common(r);
            if (map)
                printf(" %8.2f %8.2f %8.2f", bench_per_op(r->fetch.read_calls, r->fetch.count),
                       bench_per_op(r->store.read_calls, r->store.count),
                       bench_per_op(r->store.program_calls, r->store.count));
            else
                printf(" %7.2f %7.2f %7.2f %7.2f", bench_per_op(r->push.read_calls, r->push.count),
                       bench_per_op(r->push.program_calls, r->push.count),
                       bench_per_op(r->pop.read_calls, r->pop.count),
                       bench_per_op(r->pop.program_calls, r->pop.count));
            printf(" %6.2f", write_amplification(r));
            if (r->failures)
                printf(" (%llu of %llu operations failed)", (unsigned long long)r->failures,
                       (unsigned long long)(2 * MEASURED_OPS));
            printf("\n");
        }
        printf("\n");
    }
    printf("goals\n");
    for (size_t i = 0; i < n; i++) {
        const bench_result *r = &results[i];
        if (is_fetch_goal_row(r))
            printf("  %-10s map fetch with all caches at %2u%% fill: %.2f read calls "
                   "(goal <= %.1f): %s\n",
                   r->preset, r->fill_target, bench_per_op(r->fetch.read_calls, r->fetch.count),
                   GOAL_FETCH_READS, fetch_goal_met(r) ? "met" : "NOT MET");
    }
    for (size_t i = 0; i < n; i++) {
        const bench_result *r = &results[i];
        if (is_write_amp_goal_row(r))
            printf("  %-10s %-5s write amplification at %u%% fill: %.2f (goal <= %.1f): %s%s\n",
                   r->preset, r->is_map ? "map" : "queue", r->fill_target, write_amplification(r),
                   GOAL_WRITE_AMP, write_amp_goal_met(r) ? "met" : "NOT MET",
                   r->failures ? " (no honest figure: the store turned full during the run)" : "");
    }
}

static bool steady(const bench_result *r) {
    return r->erase_min >= STEADY_ERASES;
}
static bool spread_goal_met(const bench_result *r) {
    return steady(r) && erase_spread(r) < GOAL_SPREAD;
}

static void print_spread_goals(const bench_result *results, size_t n) {
    printf("goals (erase spread of each workload above, max/min erase count over its pages, at\n"
           "steady wear: the workload, with every cache (caches change reads only), continued\n"
           "after its %d measured pairs until every page was erased at least %d times)\n",
           MEASURED_OPS, STEADY_ERASES);
    for (size_t i = 0; i < n; i++) {
        const bench_result *r = &results[i];
        if (!is_spread_row(r)) continue;
        printf("  %-10s %-5s %2u%% fill: erase spread %.2f (max %u / min %u) after %llu pairs "
               "(goal < %.1f): %s",
               r->preset, r->is_map ? "map" : "queue", r->fill_target, erase_spread(r),
               r->erase_max, r->erase_min, (unsigned long long)(MEASURED_OPS + r->steady_pairs),
               GOAL_SPREAD,
               spread_goal_met(r) ? "met"
               : !steady(r)       ? "NOT MET (steady wear not reached)"
                                  : "NOT MET");
        if (r->steady_failures)
            printf(" (%llu operations refused or failed on the way)",
                   (unsigned long long)r->steady_failures);
        printf("\n");
    }
}

static cJSON *spread_json(const bench_result *results, size_t n) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "max_erase_spread", GOAL_SPREAD);
    cJSON_AddNumberToObject(o, "min_erases_per_page", STEADY_ERASES);
    cJSON *list = cJSON_AddArrayToObject(o, "results");
    for (size_t i = 0; i < n; i++) {
        const bench_result *r = &results[i];
        if (!is_spread_row(r)) continue;
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "preset", r->preset);
        cJSON_AddStringToObject(c, "store", r->is_map ? "map" : "queue");
        cJSON_AddNumberToObject(c, "fill_target_percent", r->fill_target);
        cJSON_AddNumberToObject(c, "erase_min", r->erase_min);
        cJSON_AddNumberToObject(c, "erase_max", r->erase_max);
        cJSON_AddNumberToObject(c, "operation_pairs", (double)(MEASURED_OPS + r->steady_pairs));
        cJSON_AddNumberToObject(c, "value", erase_spread(r));
        cJSON_AddBoolToObject(c, "met", spread_goal_met(r));
        cJSON_AddItemToArray(list, c);
    }
    return o;
}

static cJSON *cost_json(const bench_op_cost *c) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "operations", (double)c->count);
    cJSON_AddNumberToObject(o, "read_calls_per_op", bench_per_op(c->read_calls, c->count));
    cJSON_AddNumberToObject(o, "program_calls_per_op", bench_per_op(c->program_calls, c->count));
    return o;
}

static cJSON *result_json(const bench_result *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "preset", r->preset);
    cJSON_AddNumberToObject(o, "pages", r->pages);
    cJSON_AddNumberToObject(o, "page_size", r->page_size);
    cJSON_AddStringToObject(o, "store", r->is_map ? "map" : "queue");
    cJSON_AddStringToObject(o, "cache", r->cache);
    cJSON_AddNumberToObject(o, "cache_bytes", (double)r->cache_bytes);
    cJSON_AddNumberToObject(o, "fill_target_percent", r->fill_target);
    cJSON_AddNumberToObject(o, "fill_reached_percent", r->fill_reached);
    cJSON_AddBoolToObject(o, "fill_hit_full", r->fill_hit_full);
    if (r->error) {
        cJSON_AddStringToObject(o, "error", nbs_strerror(r->error));
        return o;
    }
    cJSON_AddNumberToObject(o, "failed_operations", (double)r->failures);
    cJSON *flash = cJSON_AddObjectToObject(o, "flash");
    cJSON_AddNumberToObject(flash, "read_calls", (double)r->flash.read_calls);
    cJSON_AddNumberToObject(flash, "read_bytes", (double)r->flash.read_bytes);
    cJSON_AddNumberToObject(flash, "program_calls", (double)r->flash.program_calls);
    cJSON_AddNumberToObject(flash, "program_bytes", (double)r->flash.program_bytes);
    cJSON_AddNumberToObject(flash, "erases", (double)r->flash.erase_calls);
    cJSON_AddNumberToObject(flash, "erase_min", r->measured_erase_min);
    cJSON_AddNumberToObject(flash, "erase_max", r->measured_erase_max);
    cJSON_AddNumberToObject(flash, "erase_spread", measured_erase_spread(r));
    if (r->is_map) {
        cJSON_AddItemToObject(o, "fetch", cost_json(&r->fetch));
        cJSON_AddItemToObject(o, "store", cost_json(&r->store));
    } else {
        cJSON_AddItemToObject(o, "push", cost_json(&r->push));
        cJSON_AddItemToObject(o, "pop", cost_json(&r->pop));
    }
    cJSON_AddNumberToObject(o, "item_header_bytes", r->item_header);
    cJSON_AddNumberToObject(o, "item_bytes", (double)r->item_bytes);
    cJSON_AddNumberToObject(o, "write_amplification", write_amplification(r));
    return o;
}

static int print_json(const bench_result *results, size_t n, const fill_result *fill,
                      size_t fill_n) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "benchmark", "engine");
    cJSON_AddNumberToObject(root, "measured_operation_pairs", MEASURED_OPS);
    cJSON *goals = cJSON_AddObjectToObject(root, "goals");
    cJSON_AddNumberToObject(goals, "max_read_calls_per_fetch_all_caches", GOAL_FETCH_READS);
    cJSON_AddNumberToObject(goals, "max_write_amplification", GOAL_WRITE_AMP);
    cJSON_AddNumberToObject(goals, "write_amplification_fill_percent", GOAL_WRITE_AMP_AT);
    cJSON *checks = cJSON_AddArrayToObject(goals, "results");
    cJSON *workloads = cJSON_AddArrayToObject(root, "workloads");
    for (size_t i = 0; i < n; i++) {
        const bench_result *r = &results[i];
        cJSON_AddItemToArray(workloads, result_json(r));
        bool fetch_row = is_fetch_goal_row(r), write_amp_row = is_write_amp_goal_row(r);
        if (!fetch_row && !write_amp_row) continue;
        cJSON *check = cJSON_CreateObject();
        cJSON_AddStringToObject(
            check, "goal", fetch_row ? "read_calls_per_fetch_all_caches" : "write_amplification");
        cJSON_AddStringToObject(check, "preset", r->preset);
        cJSON_AddStringToObject(check, "store", r->is_map ? "map" : "queue");
        cJSON_AddNumberToObject(check, "fill_target_percent", r->fill_target);
        cJSON_AddNumberToObject(check, "value",
                                fetch_row ? bench_per_op(r->fetch.read_calls, r->fetch.count)
                                          : write_amplification(r));
        cJSON_AddBoolToObject(check, "met", fetch_row ? fetch_goal_met(r) : write_amp_goal_met(r));
        cJSON_AddItemToArray(checks, check);
    }
    cJSON_AddItemToObject(root, "reads_per_operation", bench_fill_json(fill, fill_n));
    cJSON_AddItemToObject(root, "erase_spread", spread_json(results, n));
    return cli_print_json(root);
}

int bench_engine(bool json) {
    bench_result *results = calloc(RESULT_COUNT, sizeof *results);
    fill_result *fill = calloc(FILL_RESULT_COUNT(bench_geometry_count), sizeof *fill);
    if (!results || !fill) {
        free(results);
        free(fill);
        fprintf(stderr, "norbench bench engine: out of memory\n");
        return 1;
    }
    size_t n = run_all(results);
    size_t fill_n = bench_fill_run(fill);
    int rc = 0;
    if (json)
        rc = print_json(results, n, fill, fill_n);
    else {
        print_table(results, n);
        printf("\n");
        bench_fill_print(fill, fill_n);
        printf("\n");
        print_spread_goals(results, n);
    }
    free(results);
    free(fill);
    return rc;
}
