/* `norbench bench seqstore`: sequential-storage's own cache workloads (its src/cache/tests.rs,
 * as reported in issue #12) on today's engine, uncached and with every cache, on a NOR model of
 * 4 pages x 256 B (write unit 1, two programs per unit, erased at start). Prints our flash
 * traffic beside the crate's, the ratios and the goals; --json: one object. Exit 0 when
 * the figures were measured (a store the engine refuses, full or too big, ends a workload and
 * is reported), 1 when a value read back wrong or another engine error stopped a workload. */
#include "bench_store.h"
#include "cli.h"
#include "commands.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SS_PAGES      4
#define SS_PAGE_BYTES 256
#define MAP_KEYS      24
#define MAP_ROUNDS    100
#define QUEUE_LOOPS   2000
#define GOAL_READS    0.5 /* read calls and bytes read: at most half of sequential-storage's */
#define GOAL_WRITES   1.0 /* erases and bytes programmed: no more than sequential-storage's */

static const uint8_t length_per_key[MAP_KEYS] = {11, 13, 6, 13, 13, 10, 2, 3,  5, 36, 1, 65,
                                                 4,  6,  1, 15, 10, 7,  3, 15, 9, 3,  4, 5};
static const uint8_t write_order[MAP_KEYS] = {15, 0,  4, 22, 18, 11, 19, 8, 14, 23, 5,  1,
                                              16, 10, 6, 12, 20, 17, 3,  9, 7,  13, 21, 2};
static const uint8_t read_order[MAP_KEYS] = {8,  22, 21, 11, 16, 23, 13, 15, 19, 7, 6,  2,
                                             12, 1,  17, 4,  20, 14, 10, 5,  9,  3, 18, 0};

/* The crate's figures for one workload (FlashStatsResult in its tests). */
typedef struct ss_figures {
    uint64_t read_calls, read_bytes, program_calls, program_bytes, erases;
} ss_figures;

typedef enum verdict { COMPLETED, STOPPED, MISMATCH, FAILED } verdict;
static const char *const verdict_names[] = {"completed", "stopped", "mismatch", "error"};

typedef struct seq_result {
    const char *store; /* "map" or "queue" */
    const char *cache; /* "none" or "all" */
    const char *cache_desc;
    size_t cache_bytes;
    ss_figures ss;
    nor_stats mount; /* the mount's traffic (not counted in `flash`) */
    nor_stats flash; /* the workload's traffic, from the NOR model */
    uint32_t erase_min, erase_max;
    uint64_t operations; /* engine calls that succeeded */
    verdict verdict;
    char detail[160]; /* "completed", or where it stopped and why */
} seq_result;

/* tiny's geometry with sequential-storage's write rule: every byte programmed at most twice
 * (its WriteCountCheck::Twice); the engine programs each unit once. */
static nor_config seqstore_device(void) {
    nor_config cfg = *nor_preset_find("tiny");
    snprintf(cfg.name, sizeof cfg.name, "seqstore-4x256");
    cfg.write_policy = NOR_WRITES_LIMITED;
    cfg.max_writes_per_unit = 2;
    return cfg;
}

/* Ends the workload at operation `what` of key `key` (the map) or of iteration `round`
 * (the queue: key < 0). */
static void stop(seq_result *r, verdict v, const char *what, int key, unsigned round, int rc) {
    char where[48];
    if (key >= 0)
        snprintf(where, sizeof where, "%s of key %d in round %u", what, key, round);
    else
        snprintf(where, sizeof where, "%s in iteration %u", what, round);
    r->verdict = v;
    if (v == MISMATCH)
        snprintf(r->detail, sizeof r->detail, "mismatch: %s read back wrong", where);
    else
        snprintf(r->detail, sizeof r->detail, "%s: %s returned %s",
                 v == STOPPED ? "stopped" : "error", where, nbs_strerror(rc));
}

/* A refusal for lack of room is a figure of the format; anything else is a bug. */
static verdict refusal(int rc) {
    return rc == NBS_E_FULL || rc == NBS_E_TOO_BIG ? STOPPED : FAILED;
}

static bool value_is(const uint8_t *buf, size_t len, size_t want_len, uint8_t byte) {
    if (len != want_len) return false;
    for (size_t i = 0; i < len; i++)
        if (buf[i] != byte) return false;
    return true;
}

static void run_map(bench_store *s, seq_result *r) {
    uint8_t value[128], got[128];
    for (unsigned round = 0; round < MAP_ROUNDS; round++) {
        for (int i = 0; i < MAP_KEYS; i++) {
            uint8_t k = write_order[i], key[2] = {k, 0};
            memset(value, k, length_per_key[k]);
            int rc = nbs_map_store(&s->map, key, sizeof key, value, length_per_key[k]);
            if (rc) return stop(r, refusal(rc), "store", k, round, rc);
            r->operations++;
        }
        for (int i = 0; i < MAP_KEYS; i++) {
            uint8_t k = read_order[i], key[2] = {k, 0};
            size_t len = 0;
            int rc = nbs_map_fetch(&s->map, key, sizeof key, got, sizeof got, &len);
            if (rc) return stop(r, FAILED, "fetch", k, round, rc);
            if (!value_is(got, len, length_per_key[k], k))
                return stop(r, MISMATCH, "fetch", k, round, 0);
            r->operations++;
        }
    }
}

static void run_queue(bench_store *s, seq_result *r) {
    uint8_t data[32], got[64];
    for (unsigned i = 0; i < QUEUE_LOOPS; i++) {
        size_t n = i % 20 + 1, len = 0;
        memset(data, (int)(i & 0xff), n);
        int rc = nbs_queue_push(&s->queue, data, n, NBS_PUSH_DROP_OLDEST);
        if (rc) return stop(r, refusal(rc), "push", -1, i, rc);
        rc = nbs_queue_peek(&s->queue, got, sizeof got, &len);
        if (rc) return stop(r, FAILED, "peek", -1, i, rc);
        if (!value_is(got, len, n, (uint8_t)i)) return stop(r, MISMATCH, "peek", -1, i, 0);
        rc = nbs_queue_pop(&s->queue, got, sizeof got, &len);
        if (rc) return stop(r, FAILED, "pop", -1, i, rc);
        if (!value_is(got, len, n, (uint8_t)i)) return stop(r, MISMATCH, "pop", -1, i, 0);
        rc = nbs_queue_peek(&s->queue, got, sizeof got, &len);
        if (rc != NBS_E_EMPTY) {
            r->verdict = rc ? FAILED : MISMATCH;
            snprintf(r->detail, sizeof r->detail,
                     "%s: peek after the pop of iteration %u returned %s, not empty",
                     rc ? "error" : "mismatch", i, rc ? nbs_strerror(rc) : "an entry");
            return;
        }
        r->operations += 4;
    }
}

static void run_one(bool is_map, bool cached, seq_result *r) {
    static const ss_figures ss_map_none = {233786, 1837101, 5201, 50401, 198},
                            ss_map_all = {14510, 150592, 5201, 50401, 198},
                            ss_queue_none = {165009, 651212, 6299, 53299, 149},
                            ss_queue_all = {9959, 89616, 6299, 53299, 149};
    memset(r, 0, sizeof *r);
    r->store = is_map ? "map" : "queue";
    r->cache = cached ? "all" : "none";
    r->cache_desc = !cached  ? "uncached"
                    : is_map ? "all caches (page states, page pointers, 24 keys)"
                             : "all caches (page states, page pointers)";
    r->ss = is_map ? (cached ? ss_map_all : ss_map_none) : (cached ? ss_queue_all : ss_queue_none);
    unsigned flags = !cached ? 0 : is_map ? NBS_CACHE_ALL : NBS_CACHE_ALL & ~NBS_CACHE_KEYS;
    nor_config cfg = seqstore_device();
    bench_store s;
    int rc = bench_store_open(&s, &cfg, SS_PAGES, flags, MAP_KEYS, is_map);
    r->cache_bytes = s.cache_bytes;
    if (rc) {
        r->verdict = FAILED;
        snprintf(r->detail, sizeof r->detail, "error: mount returned %s", nbs_strerror(rc));
    } else {
        /* Sequential-storage has no mount: its figures are the workload's alone, so are ours. */
        nor_get_stats(s.dev, &r->mount);
        nor_reset_stats(s.dev);
        snprintf(r->detail, sizeof r->detail, "completed");
        if (is_map)
            run_map(&s, r);
        else
            run_queue(&s, r);
        nor_get_stats(s.dev, &r->flash);
        bench_erase_range(&s, &r->erase_min, &r->erase_max);
    }
    bench_store_close(&s);
}

/* The four comparisons the issue sets; none is met by a workload that did not complete. */
typedef struct goal_check {
    const char *name;
    uint64_t ours, theirs;
    double limit; /* ours / theirs at most this */
} goal_check;

static void goal_checks(const seq_result *r, goal_check out[4]) {
    out[0] = (goal_check){"read_calls", r->flash.read_calls, r->ss.read_calls, GOAL_READS};
    out[1] = (goal_check){"read_bytes", r->flash.read_bytes, r->ss.read_bytes, GOAL_READS};
    out[2] = (goal_check){"erases", r->flash.erase_calls, r->ss.erases, GOAL_WRITES};
    out[3] =
        (goal_check){"program_bytes", r->flash.program_bytes, r->ss.program_bytes, GOAL_WRITES};
}

static double ratio(uint64_t ours, uint64_t theirs) {
    return theirs ? (double)ours / (double)theirs : 0.0;
}

static bool goal_met(const seq_result *r, const goal_check *g) {
    return r->verdict == COMPLETED && ratio(g->ours, g->theirs) <= g->limit;
}

/* 1234567 -> "1,234,567", as the issue writes the crate's figures. */
static const char *grouped(uint64_t v, char buf[32]) {
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v), o = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static void print_row(const char *name, uint64_t ours, uint64_t theirs, const char *goal,
                      const char *met) {
    char a[32], b[32];
    printf("  %-17s %12s %12s %8.2fx", name, grouped(ours, a), grouped(theirs, b),
           ratio(ours, theirs));
    if (goal) printf("   %-8s %s", goal, met);
    printf("\n");
}

static const char *met_text(const seq_result *r, const goal_check *g) {
    if (goal_met(r, g)) return "met";
    return r->verdict == COMPLETED ? "NOT MET" : "NOT MET (did not complete)";
}

static void print_table(const seq_result *results, size_t n) {
    printf("norbench bench seqstore: sequential-storage's cache workloads (its\n"
           "src/cache/tests.rs, as reported in issue #12) on today's engine. Device: NOR model,\n"
           "%d pages x %d B, write unit 1, two programs per unit, erase value 0xFF, erased at\n"
           "start; check mode off. Counted: the NOR model's statistics over the workload alone\n"
           "(after the mount; sequential-storage has no mount). ratio = ours / theirs.\n"
           "map:   100 rounds: store 24 u16 keys (values 1..65 B) in WRITE_ORDER, fetch and\n"
           "       check all 24 in READ_ORDER\n"
           "queue: 2000 iterations: push i%%20+1 bytes (drop-oldest), peek, pop, peek empty\n"
           "Code-size goal: .text of map + queue, Cortex-M4 -Os, no caches, below 6 KiB\n"
           "(`make size`).\n",
           SS_PAGES, SS_PAGE_BYTES);
    for (size_t i = 0; i < n; i++) {
        const seq_result *r = &results[i];
        printf("\n%s, %s, cache RAM %zu B\n  %s\n", r->store, r->cache_desc, r->cache_bytes,
               r->detail);
        printf("  %-17s %12s %12s %9s   %s\n", "", "norbench", "seq-storage", "ratio", "goal");
        goal_check g[4];
        goal_checks(r, g);
        print_row("read calls", r->flash.read_calls, r->ss.read_calls, "<= 0.5x",
                  met_text(r, &g[0]));
        print_row("bytes read", r->flash.read_bytes, r->ss.read_bytes, "<= 0.5x",
                  met_text(r, &g[1]));
        print_row("program calls", r->flash.program_calls, r->ss.program_calls, NULL, NULL);
        print_row("bytes programmed", r->flash.program_bytes, r->ss.program_bytes, "<= 1x",
                  met_text(r, &g[3]));
        print_row("erases", r->flash.erase_calls, r->ss.erases, "<= 1x", met_text(r, &g[2]));
        printf("  %-17s %12.2f %12s   (max %u / min %u erases per page; 0: a page never "
               "erased)\n",
               "erase spread", bench_erase_spread(r->erase_min, r->erase_max), "-", r->erase_max,
               r->erase_min);
        printf("  not counted, the mount before it: %llu read calls, %llu bytes read, %llu "
               "programs, %llu erases\n",
               (unsigned long long)r->mount.read_calls, (unsigned long long)r->mount.read_bytes,
               (unsigned long long)r->mount.program_calls,
               (unsigned long long)r->mount.erase_calls);
    }
    size_t met = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        goal_check g[4];
        goal_checks(&results[i], g);
        for (int k = 0; k < 4; k++) met += goal_met(&results[i], &g[k]), total++;
    }
    size_t completed = 0;
    for (size_t i = 0; i < n; i++) completed += results[i].verdict == COMPLETED;
    printf("\ngoals: %zu of %zu workloads completed, %zu of %zu figures met\n", completed, n, met,
           total);
}

static cJSON *figures_json(const char *name, uint64_t read_calls, uint64_t read_bytes,
                           uint64_t program_calls, uint64_t program_bytes, uint64_t erases) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "source", name);
    cJSON_AddNumberToObject(o, "read_calls", (double)read_calls);
    cJSON_AddNumberToObject(o, "read_bytes", (double)read_bytes);
    cJSON_AddNumberToObject(o, "program_calls", (double)program_calls);
    cJSON_AddNumberToObject(o, "program_bytes", (double)program_bytes);
    cJSON_AddNumberToObject(o, "erases", (double)erases);
    return o;
}

static cJSON *result_json(const seq_result *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "store", r->store);
    cJSON_AddStringToObject(o, "cache", r->cache);
    cJSON_AddNumberToObject(o, "cache_bytes", (double)r->cache_bytes);
    cJSON_AddStringToObject(o, "verdict", verdict_names[r->verdict]);
    cJSON_AddStringToObject(o, "detail", r->detail);
    cJSON_AddNumberToObject(o, "operations", (double)r->operations);
    cJSON *flash =
        figures_json("NOR model statistics", r->flash.read_calls, r->flash.read_bytes,
                     r->flash.program_calls, r->flash.program_bytes, r->flash.erase_calls);
    cJSON_AddNumberToObject(flash, "erase_min", r->erase_min);
    cJSON_AddNumberToObject(flash, "erase_max", r->erase_max);
    cJSON_AddNumberToObject(flash, "erase_spread", bench_erase_spread(r->erase_min, r->erase_max));
    cJSON_AddItemToObject(o, "norbench", flash);
    cJSON_AddItemToObject(o, "mount_not_counted",
                          figures_json("NOR model statistics", r->mount.read_calls,
                                       r->mount.read_bytes, r->mount.program_calls,
                                       r->mount.program_bytes, r->mount.erase_calls));
    cJSON_AddItemToObject(o, "sequential_storage",
                          figures_json("sequential-storage src/cache/tests.rs (issue #12)",
                                       r->ss.read_calls, r->ss.read_bytes, r->ss.program_calls,
                                       r->ss.program_bytes, r->ss.erases));
    cJSON *goals = cJSON_AddArrayToObject(o, "goals");
    goal_check g[4];
    goal_checks(r, g);
    for (int k = 0; k < 4; k++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "figure", g[k].name);
        cJSON_AddNumberToObject(c, "ratio", ratio(g[k].ours, g[k].theirs));
        cJSON_AddNumberToObject(c, "max_ratio", g[k].limit);
        cJSON_AddBoolToObject(c, "met", goal_met(r, &g[k]));
        cJSON_AddItemToArray(goals, c);
    }
    return o;
}

static int print_json(const seq_result *results, size_t n) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "benchmark", "seqstore");
    cJSON *dev = cJSON_AddObjectToObject(root, "device");
    cJSON_AddNumberToObject(dev, "pages", SS_PAGES);
    cJSON_AddNumberToObject(dev, "page_size", SS_PAGE_BYTES);
    cJSON_AddNumberToObject(dev, "write_unit", 1);
    cJSON_AddNumberToObject(dev, "max_writes_per_unit", 2);
    cJSON_AddNumberToObject(dev, "erase_value", 0xFF);
    cJSON_AddStringToObject(root, "counted", "workload only, after the mount");
    cJSON_AddStringToObject(root, "code_size_goal",
                            "make size: .text of map + queue, "
                            "Cortex-M4 -Os, no caches, below 6 KiB");
    cJSON *list = cJSON_AddArrayToObject(root, "workloads");
    bool all_met = true;
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(list, result_json(&results[i]));
        goal_check g[4];
        goal_checks(&results[i], g);
        for (int k = 0; k < 4; k++) all_met = all_met && goal_met(&results[i], &g[k]);
    }
    cJSON_AddBoolToObject(root, "all_goals_met", all_met);
    return cli_print_json(root);
}

int bench_seqstore(bool json) {
    seq_result results[4];
    size_t n = 0;
    for (int map = 1; map >= 0; map--)
        for (int cached = 0; cached <= 1; cached++) run_one(map, cached, &results[n++]);
    int rc = json ? print_json(results, n) : (print_table(results, n), 0);
    for (size_t i = 0; i < n; i++)
        if (results[i].verdict == MISMATCH || results[i].verdict == FAILED) rc = 1;
    return rc;
}
