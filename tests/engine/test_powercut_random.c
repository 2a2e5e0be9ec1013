/* Randomized power-cut test against the reference model. Each seed picks a small geometry, a
 * map or a queue and a cache level, runs a random workload, cuts the power inside a random
 * flash operation in a random torn mode (sometimes again during the recovery mount), powers
 * on, and checks the durability contract: mount succeeds, every operation that returned
 * success is intact, the one in flight is fully applied or not at all, and the answer is the
 * same on a second read and after another remount. Then the workload goes on.
 *
 * Replay one seed: NORBENCH_POWERCUT_SEED=<seed> ./engine_test_powercut_random --verbose
 * Scale the number of seeds: NORBENCH_TEST_SCALE=<factor> (default 1). */
#include "engine_check.h"
#include "engine_fixture.h"
#include "ref_model.h"
#include "seeded_rng.h"
#include "workload.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    SHARDS = 8,
    SEEDS_PER_SHARD = 250,
    CUT_ROUNDS = 3,
    MAX_STEPS_TO_CUT = 400,
};

typedef struct cut_geometry {
    const char *name;
    uint32_t pages;
    nor_config (*make)(void);
} cut_geometry;

static nor_config make_tiny(void) {
    return ef_preset_config("tiny");
}
static nor_config make_nrf52840(void) {
    return ef_preset_config("nrf52840");
}
static nor_config make_stm32l4(void) {
    return ef_preset_config("stm32l4-1m");
}
static nor_config make_unit1(void) {
    return ef_custom_config(1, 512, 6, NOR_WRITES_ONCE, true);
}
static nor_config make_unit32(void) {
    return ef_custom_config(32, 1024, 6, NOR_WRITES_ONCE, true);
}

static const cut_geometry geometries[] = {
    {"tiny (4 x 256 B, unit 1)", 4, make_tiny},
    {"nrf52840 (8 x 4 KiB, unit 4, 2 writes)", 8, make_nrf52840},
    {"stm32l4-1m (8 x 2 KiB, unit 8, ECC once+zero)", 8, make_stm32l4},
    {"custom unit 1 (6 x 512 B, ECC once, strict)", 6, make_unit1},
    {"custom unit 32 (6 x 1 KiB, ECC once, strict)", 6, make_unit32},
};
#define GEOMETRY_COUNT (sizeof geometries / sizeof *geometries)

static const char *const program_mode_names[] = {"none", "full", "prefix", "bits", "metastable"};
static const char *const erase_mode_names[] = {"none", "full", "partial", "weak"};

/* Everything about one seeded run, kept for the failure message. */
typedef struct cut_run {
    uint64_t seed;
    const cut_geometry *geometry;
    ef_kind kind;
    ef_cache_level cache;
    engine_fixture f;
    ref_map map_model;
    ref_queue queue_model;
    seeded_rng rng;
    workload w;
    char history[2048]; /* the cuts so far: where and how */
    bool trace;
    jmp_buf bail;       /* where a failed check ends the run */
    char failure[4096]; /* what failed, with the replay line */
} cut_run;

/* Appends to the run's history of cuts (and traces it when replaying one seed). */
__attribute__((format(printf, 2, 3))) static void note(cut_run *run, const char *fmt, ...) {
    size_t used = strlen(run->history);
    va_list args;
    va_start(args, fmt);
    if (used + 1 < sizeof run->history)
        vsnprintf(run->history + used, sizeof run->history - used, fmt, args);
    va_end(args);
    if (run->trace)
        cr_log_info("seed %llu: %s", (unsigned long long)run->seed, run->history + used);
}

/* Ends the run (back to run_one_seed) with everything needed to replay it. */
#define RUN_ASSERT(run, cond, ...)                                                                 \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            char detail_[EC_WHY_SIZE + 256];                                                       \
            snprintf(detail_, sizeof detail_, __VA_ARGS__);                                        \
            fail_run(run, detail_);                                                                \
        }                                                                                          \
    } while (0)

static _Noreturn void fail_run(cut_run *run, const char *detail) {
    snprintf(run->failure, sizeof run->failure,
             "power-cut run failed: %s\n  seed %llu: %s, %s, cache %s, step %llu, last op: %s\n"
             "  cuts: %s\n  replay: NORBENCH_POWERCUT_SEED=%llu ./engine_test_powercut_random "
             "--verbose",
             detail, (unsigned long long)run->seed, run->geometry->name,
             run->kind == EF_MAP ? "map" : "queue", ef_cache_level_name(run->cache),
             (unsigned long long)run->w.steps, run->w.last_op, run->history,
             (unsigned long long)run->seed);
    longjmp(run->bail, 1);
}

/* Fills in a zeroed run (run_one_seed clears it before its setjmp). */
static void run_setup(cut_run *run, uint64_t seed) {
    run->seed = seed;
    run->trace = test_env_ulong("NORBENCH_POWERCUT_SEED", 0) == seed;
    seeded_rng_seed(&run->rng, seed * 0x2545F4914F6CDD1Dull + 1);
    run->geometry = &geometries[seeded_rng_below(&run->rng, GEOMETRY_COUNT)];
    run->kind = seeded_rng_percent(&run->rng, 50) ? EF_MAP : EF_QUEUE;
    run->cache = (ef_cache_level)seeded_rng_below(&run->rng, EF_CACHE_LEVELS);
    nor_config cfg = run->geometry->make();
    ef_options opts;
    memset(&opts, 0, sizeof opts);
    opts.kind = run->kind;
    opts.pages = run->geometry->pages;
    opts.cache = run->cache;
    opts.seed = seed;
    ef_open(&run->f, &cfg, &opts);
    ref_map_init(&run->map_model);
    ref_queue_init(&run->queue_model);
    wl_init(&run->w, &run->f, &run->rng, &run->map_model, &run->queue_model);
    run->w.key_count = seeded_rng_range(&run->rng, 3, 32);
    run->w.value_max = seeded_rng_range(&run->rng, 4, run->f.page_size / 4);
    int rc = ef_mount(&run->f);
    RUN_ASSERT(run, rc == NBS_OK, "first mount: %s", nbs_strerror(rc));
}

static void run_teardown(cut_run *run) {
    ref_map_free(&run->map_model);
    ref_queue_free(&run->queue_model);
    ef_close(&run->f);
}

static void run_steps(cut_run *run, uint32_t steps) {
    char why[EC_WHY_SIZE] = "";
    for (uint32_t i = 0; i < steps; i++) {
        wl_result r = wl_step(&run->w, why);
        RUN_ASSERT(run, r == WL_OK, "%s", r == WL_CUT ? "power lost without a cut armed" : why);
    }
}

static void arm_random_cut(cut_run *run, uint64_t max_ops) {
    uint64_t ops = seeded_rng_below(&run->rng, (uint32_t)max_ops);
    nor_torn_program prog = (nor_torn_program)seeded_rng_below(&run->rng, 5);
    nor_torn_erase erase = (nor_torn_erase)seeded_rng_below(&run->rng, 4);
    ef_arm_cut(&run->f, ops, prog, erase);
    note(run, "[cut after %llu more ops, program %s, erase %s] ", (unsigned long long)ops,
         program_mode_names[prog], erase_mode_names[erase]);
}

/* Powers on and mounts; sometimes cuts again inside the recovery mount first. */
static void recover(cut_run *run) {
    for (int attempt = 1; attempt <= 3 && seeded_rng_percent(&run->rng, 30); attempt++) {
        nor_power_on(run->f.dev); /* power-on disarms, so arm the next cut after it */
        arm_random_cut(run, 6);
        note(run, "(during recovery mount %d) ", attempt);
        int rc = ef_mount(&run->f);
        if (nor_is_powered(run->f.dev)) {
            nor_disarm_cut(run->f.dev);
            note(run, "(no cut landed in the mount) ");
            RUN_ASSERT(run, rc == NBS_OK, "recovery mount: %s", nbs_strerror(rc));
            return;
        }
        RUN_ASSERT(run, rc == NBS_E_IO, "mount cut by power loss returned %s, not NBS_E_IO",
                   nbs_strerror(rc));
    }
    int rc = ef_power_on_and_mount(&run->f);
    RUN_ASSERT(run, rc == NBS_OK, "mount after the power cut: %s", nbs_strerror(rc));
}

static void check_after_cut(cut_run *run) {
    char why[EC_WHY_SIZE] = "";
    bool ok = ec_settle_and_verify(&run->f, &run->map_model, &run->queue_model, why);
    RUN_ASSERT(run, ok, "after the cut: %s", why);
    ok = ec_verify(&run->f, &run->map_model, &run->queue_model, why);
    RUN_ASSERT(run, ok, "second read after the cut: %s", why);
    int rc = ef_mount(&run->f);
    RUN_ASSERT(run, rc == NBS_OK, "second mount after the cut: %s", nbs_strerror(rc));
    ok = ec_verify(&run->f, &run->map_model, &run->queue_model, why);
    RUN_ASSERT(run, ok, "after the second mount: %s", why);
}

static void run_seed_body(cut_run *run, uint64_t seed) {
    run_setup(run, seed);
    run_steps(run, seeded_rng_below(&run->rng, 120));
    char why[EC_WHY_SIZE] = "";
    for (int round = 0; round < CUT_ROUNDS; round++) {
        arm_random_cut(run, 48);
        bool cut = false;
        for (uint32_t i = 0; i < MAX_STEPS_TO_CUT && !cut; i++) {
            wl_result r = wl_step(&run->w, why);
            RUN_ASSERT(run, r != WL_FAIL, "%s", why);
            cut = r == WL_CUT;
        }
        if (!cut && !nor_is_powered(run->f.dev)) cut = true; /* cut inside a read-only step */
        if (!cut) {
            nor_disarm_cut(run->f.dev);
            note(run, "(no cut landed in %d steps) ", MAX_STEPS_TO_CUT);
            continue;
        }
        note(run, "(landed at step %llu: %s) ", (unsigned long long)run->w.steps, run->w.last_op);
        recover(run);
        check_after_cut(run);
        run_steps(run, seeded_rng_below(&run->rng, 40));
    }
    bool ok = ec_verify(&run->f, &run->map_model, &run->queue_model, why);
    RUN_ASSERT(run, ok, "at the end: %s", why);
}

/* Runs one seed; false (with run->failure) when a check failed. */
static bool run_one_seed(cut_run *run, uint64_t seed) {
    memset(run, 0, sizeof *run);
    int failed = setjmp(run->bail);
    if (!failed) run_seed_body(run, seed);
    run_teardown(run);
    return !failed;
}

static int shards[SHARDS] = {0, 1, 2, 3, 4, 5, 6, 7};

ParameterizedTestParameters(powercut, random_seeds) {
    return cr_make_param_array(int, shards, SHARDS);
}

/* Shard k runs seeds k*N+1 .. (k+1)*N; with NORBENCH_POWERCUT_SEED set, shard 0 runs only it.
 * Every seed runs; the test fails at the end naming the failed seeds and the first failure. */
ParameterizedTest(int *shard, powercut, random_seeds) {
    unsigned long replay = test_env_ulong("NORBENCH_POWERCUT_SEED", 0);
    unsigned long per_shard = test_scaled(SEEDS_PER_SHARD);
    uint64_t first = replay ? replay : (uint64_t)*shard * per_shard + 1;
    uint64_t count = replay ? (*shard == 0) : per_shard;
    cut_run *run = calloc(1, sizeof *run);
    static char first_failure[4096];
    char failed_seeds[512] = "";
    unsigned failures = 0;
    for (uint64_t seed = first; seed < first + count; seed++) {
        if (run_one_seed(run, seed)) continue;
        if (failures++ == 0) snprintf(first_failure, sizeof first_failure, "%s", run->failure);
        size_t used = strlen(failed_seeds);
        if (used + 24 < sizeof failed_seeds)
            snprintf(failed_seeds + used, sizeof failed_seeds - used, " %llu",
                     (unsigned long long)seed);
    }
    free(run);
    cr_assert_eq(failures, 0, "%u of %llu seeds failed:%s\nfirst failure: %s", failures,
                 (unsigned long long)count, failed_seeds, first_failure);
}
