/* The run's time series (run_result.h, run_series) and the bytes stored behind the write
 * amplification: at most RUN_SERIES_MAX samples however long the run, spread over all of it
 * (from the start to the end, in order), the same on every run of a seed; and user_bytes
 * counts exactly the key and value bytes of the stores the engine accepted. */
#include "runner.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static scenario_result run_text(const char *text) {
    scenario *sc = NULL;
    scenario_errors errors;
    cr_assert_eq(scenario_parse("series", text, strlen(text), &sc, &errors), SCENARIO_OK);
    scenario_errors_free(&errors);
    scenario_result r;
    cr_assert_eq(runner_run(sc, "series", NULL, &r), RUNNER_OK, "%s", r.message);
    free(r.sector_erases);
    r.sector_erases = NULL;
    scenario_free(sc);
    return r;
}

static const char long_run[] =
    "{\"name\": \"series\", \"seed\": 7,"
    " \"flash\": {\"preset\": \"tiny\", \"sectors\": 4},"
    " \"engine\": {\"type\": \"map\"},"
    " \"steps\": [{\"random_ops\": {\"ops\": 3000, \"keys\": 4,"
    "  \"value_size\": [4, 16], \"mix\": {\"store\": 1, \"fetch\": 1}}}]}";

Test(series, bounded_and_spread_over_the_whole_run) {
    scenario_result r = run_text(long_run);
    const run_series *s = &r.series;
    cr_assert_gt(r.engine_ops, 2 * RUN_SERIES_MAX, "a run long enough to fill the series twice");
    cr_assert_leq(s->count, RUN_SERIES_MAX);
    cr_assert_gt(s->count, RUN_SERIES_MAX / 2, "%u samples: halving keeps at least half", s->count);
    cr_assert_eq(s->samples[0].engine_ops, 0);
    cr_assert_eq(s->samples[0].program_bytes, 0, "the first sample is the start");
    const run_sample *last = &s->samples[s->count - 1];
    cr_assert_eq(last->engine_ops, r.engine_ops, "the last sample is the end");
    cr_assert_eq(last->time_us, r.sim_time_us);
    cr_assert_eq(last->program_bytes, r.program_bytes);
    cr_assert_eq(last->erases, r.erases);
    for (uint32_t i = 1; i < s->count; i++) {
        cr_assert_gt(s->samples[i].engine_ops, s->samples[i - 1].engine_ops);
        cr_assert_geq(s->samples[i].time_us, s->samples[i - 1].time_us);
        cr_assert_geq(s->samples[i].program_bytes, s->samples[i - 1].program_bytes);
    }
    /* Evenly spread: no gap between samples (the last one aside) wider than the interval. */
    for (uint32_t i = 1; i + 1 < s->count; i++)
        cr_assert_leq(s->samples[i].engine_ops - s->samples[i - 1].engine_ops, s->every,
                      "sample %u", i);
    scenario_result again = run_text(long_run);
    cr_assert_eq(again.series.count, s->count);
    cr_assert_eq(memcmp(again.series.samples, s->samples, s->count * sizeof *s->samples), 0,
                 "the same seed gives the same series");
}

Test(series, a_short_run_keeps_every_operation) {
    scenario_result r = run_text(
        "{\"name\": \"short\", \"flash\": {\"preset\": \"tiny\"}, \"engine\": {\"type\": \"map\"},"
        " \"steps\": [{\"store\": {\"key\": \"ab\", \"value\": \"12345\"}},"
        "             {\"store\": {\"key\": \"c\", \"value\": \"\"}},"
        "             {\"fetch\": {\"key\": \"ab\"}}, {\"remove\": {\"key\": \"c\"}}]}");
    cr_assert_eq(r.series.every, 1);
    cr_assert_eq(r.series.count, r.engine_ops + 1,
                 "one sample before each operation, one at the end");
    cr_assert_eq(r.user_bytes, 2 + 5 + 1, "the keys and values stored, nothing else");
}

Test(series, payload_counts_only_what_the_engine_accepted) {
    scenario_result r = run_text("{\"name\": \"refused\", \"flash\": {\"preset\": \"tiny\"}, "
                                 "\"engine\": {\"type\": \"queue\"},"
                                 " \"steps\": [{\"push\": {\"value\": \"1234\"}},"
                                 "             {\"push\": {\"value\": {\"random\": 100000}}, "
                                 "\"expect\": {\"error\": \"too_big\"}},"
                                 "             {\"pop\": {}}]}");
    cr_assert_eq(r.user_bytes, 4, "%llu bytes: a refused push counts nothing",
                 (unsigned long long)r.user_bytes);
}
