/* The RAM caches change nothing but speed: the same seeded workload, run with each cache level
 * (check mode on, so every cached answer is also recomputed from flash) and with a larger work
 * buffer, gives exactly the answers of the uncached run. */
#include "engine_check.h"
#include "engine_fixture.h"
#include "ref_model.h"
#include "seeded_rng.h"
#include "workload.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>
#include <string.h>

typedef struct cache_case {
    char preset[NOR_NAME_MAX]; /* parameters are copied between processes: no pointers */
    uint32_t pages;
    ef_kind kind;
} cache_case;

static cache_case cache_cases[] = {
    {"tiny", 4, EF_MAP},       {"tiny", 4, EF_QUEUE},     {"nrf52840", 8, EF_MAP},
    {"nrf52840", 8, EF_QUEUE}, {"stm32l4-1m", 8, EF_MAP}, {"stm32l4-1m", 8, EF_QUEUE},
};

enum { STEPS = 800, REMOUNT_EVERY = 200 };

typedef struct run_result {
    uint64_t digest;
    size_t cache_bytes;
    nor_stats stats;
} run_result;

/* Runs the workload of `cc` with one cache level and work buffer size; checks it against the
 * model as it goes and returns the digest of every answer. */
static run_result run_workload(const cache_case *cc, ef_cache_level level, size_t work_extra) {
    nor_config cfg = ef_preset_config(cc->preset);
    ef_options opts;
    memset(&opts, 0, sizeof opts);
    opts.kind = cc->kind;
    opts.pages = cc->pages;
    opts.cache = level;
    opts.cache_max_keys = 32; /* fewer than the keys used: the key cache overflows */
    opts.work_extra = work_extra;
    opts.seed = 3;
    engine_fixture f;
    ef_open(&f, &cfg, &opts);
    char label[160], why[EC_WHY_SIZE] = "";
    ef_describe(&f, label, sizeof label);
    int rc = ef_mount(&f);
    cr_assert_eq(rc, NBS_OK, "%s: mount: %s", label, nbs_strerror(rc));

    ref_map map_model;
    ref_queue queue_model;
    ref_map_init(&map_model);
    ref_queue_init(&queue_model);
    seeded_rng rng;
    seeded_rng_seed(&rng, 4242);
    workload w;
    wl_init(&w, &f, &rng, &map_model, &queue_model);
    w.key_count = 48;
    w.value_max = 80;
    for (uint32_t i = 0; i < STEPS; i++) {
        wl_result r = wl_step(&w, why);
        cr_assert_eq(r, WL_OK, "%s, step %u: %s", label, i, why);
        if ((i + 1) % REMOUNT_EVERY == 0) {
            rc = ef_mount(&f);
            cr_assert_eq(rc, NBS_OK, "%s: remount after step %u: %s", label, i, nbs_strerror(rc));
            cr_assert(ec_verify(&f, &map_model, &queue_model, why), "%s, after step %u: %s", label,
                      i, why);
        }
    }
    run_result result = {.digest = w.digest, .cache_bytes = f.cache_bytes};
    ef_stats(&f, &result.stats);
    ref_map_free(&map_model);
    ref_queue_free(&queue_model);
    ef_close(&f);
    return result;
}

ParameterizedTestParameters(cache, every_level_answers_like_no_cache) {
    return cr_make_param_array(cache_case, cache_cases, sizeof cache_cases / sizeof *cache_cases);
}

ParameterizedTest(const cache_case *cc, cache, every_level_answers_like_no_cache) {
    const char *kind = cc->kind == EF_MAP ? "map" : "queue";
    run_result truth = run_workload(cc, EF_CACHE_NONE, 0);
    for (ef_cache_level level = EF_CACHE_STATES; level < EF_CACHE_LEVELS; level++) {
        run_result cached = run_workload(cc, level, 0);
        cr_assert_eq(cached.digest, truth.digest,
                     "%s %s: cache level %s answered differently from the uncached run", cc->preset,
                     kind, ef_cache_level_name(level));
        if (cached.cache_bytes == 0)
            cr_log_warn("%s %s: cache level %s uses 0 bytes (no caches yet?)", cc->preset, kind,
                        ef_cache_level_name(level));
        else
            cr_log_info("%s %s: cache level %s: %zu bytes, %llu read calls (uncached %llu)",
                        cc->preset, kind, ef_cache_level_name(level), cached.cache_bytes,
                        (unsigned long long)cached.stats.read_calls,
                        (unsigned long long)truth.stats.read_calls);
    }
    run_result big_work = run_workload(cc, EF_CACHE_NONE, 4096);
    cr_assert_eq(big_work.digest, truth.digest, "%s %s: a larger work buffer answered differently",
                 cc->preset, kind);
    run_result big_work_cached = run_workload(cc, EF_CACHE_ALL, 4096);
    cr_assert_eq(big_work_cached.digest, truth.digest,
                 "%s %s: all caches with a larger work buffer answered differently", cc->preset,
                 kind);
}
