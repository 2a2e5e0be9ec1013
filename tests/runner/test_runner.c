/* Tests of the scenario runner: failing steps are reported with their path and message (with an
 * expectation, inside repeats and workloads, in expect_stats), the reference model catches a
 * lying engine without any expectation, and runs are deterministic. */
#include "adapter.h"
#include "run_inline.h"
#include "runner.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLASH_AND_MAP                                                                              \
    "\"flash\": { \"preset\": \"w25q16jv\", \"sectors\": 4 }, \"engine\": { \"type\": \"map\" },"
#define FLASH_AND_QUEUE                                                                            \
    "\"flash\": { \"preset\": \"nrf52840\", \"sectors\": 4 }, \"engine\": { \"type\": \"queue\" "  \
    "},"

Test(runner, passing_scenario_passes_with_figures) {
    scenario_result r =
        run_text("{ \"name\": \"ok\", " FLASH_AND_MAP " \"steps\": ["
                 "{ \"store\": { \"key\": \"a\", \"value\": \"1\" } },"
                 "{ \"fetch\": { \"key\": \"a\" }, \"expect\": { \"value\": \"1\" } },"
                 "{ \"check\": {} } ] }",
                 NULL);
    cr_assert_eq(r.verdict, RUN_PASS, "%s", r.message);
    cr_assert_eq(r.steps_run, 3);
    cr_assert_gt(r.flash_ops, 0);
    cr_assert_eq(r.sector_count, 4);
    cr_assert_not_null(r.sector_erases);
    cr_assert_str_empty(r.message);
    free(r.sector_erases);
}

Test(runner, wrong_expectation_names_step_and_values) {
    scenario_result r =
        run_text("{ \"name\": \"bad\", " FLASH_AND_MAP " \"steps\": [\n"
                 "{ \"store\": { \"key\": \"a\", \"value\": \"old\" } },\n"
                 "{ \"store\": { \"key\": \"a\", \"value\": \"new\" } },\n"
                 "{ \"fetch\": { \"key\": \"a\" }, \"expect\": { \"value\": \"old\" } } ] }",
                 NULL);
    expect_failure(&r, "steps[2]", "fetch: expected \"old\" (3 bytes)");
    cr_assert(strstr(r.message, "got \"new\" (3 bytes)"), "%s", r.message);
    cr_assert(strstr(r.message, "inline.json:4:1: steps[2]"), "%s", r.message);
    free(r.sector_erases);
}

Test(runner, failure_inside_repeat_names_the_iteration) {
    scenario_result r = run_text("{ \"name\": \"rep\", " FLASH_AND_QUEUE " \"steps\": ["
                                 "{ \"repeat\": { \"times\": 5, \"steps\": ["
                                 "  { \"push\": { \"value\": \"x\" } },"
                                 "  { \"count\": {}, \"expect\": { \"value\": 1 } } ] } } ] }",
                                 NULL);
    expect_failure(&r, "steps[0].repeat.steps[1]", "count: expected 1");
    cr_assert(strstr(r.message, "steps[0] iteration 2 of 5"), "%s", r.message);
    free(r.sector_erases);
}

Test(runner, expected_error_that_does_not_come_fails) {
    scenario_result r =
        run_text("{ \"name\": \"err\", " FLASH_AND_MAP " \"steps\": ["
                 "{ \"store\": { \"key\": \"a\", \"value\": \"1\" } },"
                 "{ \"fetch\": { \"key\": \"a\" }, \"expect\": { \"error\": \"not_found\" } } ] }",
                 NULL);
    expect_failure(&r, "steps[1]", "expected error not_found");
    free(r.sector_erases);
}

Test(runner, expect_stats_reports_bound_and_value) {
    scenario_result r = run_text("{ \"name\": \"stats\", " FLASH_AND_MAP " \"steps\": ["
                                 "{ \"sleep\": \"2s\" },"
                                 "{ \"expect_stats\": { \"time\": { \"<\": \"1s\" } } } ] }",
                                 NULL);
    expect_failure(&r, "steps[1]", "expect_stats: expected time < 1000000, got");
    free(r.sector_erases);
}

Test(runner, check_with_power_off_fails_clearly) {
    scenario_result r = run_text("{ \"name\": \"off\", " FLASH_AND_MAP " \"steps\": ["
                                 "{ \"power_cut\": {} }, { \"check\": {} } ] }",
                                 NULL);
    expect_failure(&r, "steps[1]", "the power is off");
    free(r.sector_erases);
}

/* A workload's stores or pushes the engine refuses are taken, but counted by operation and
 * error, and expect_stats can bound them. */
Test(runner, refused_workload_pushes_are_counted_and_bounded) {
    scenario_result r = run_text("{ \"name\": \"refused\", \"flash\": { \"preset\": \"tiny\" },"
                                 " \"engine\": { \"type\": \"queue\" }, \"steps\": ["
                                 "{ \"log_appends\": { \"count\": 400, \"size\": 64 } },"
                                 "{ \"expect_stats\": { \"refused_push\": { \">\": 0 },"
                                 "  \"refused_full\": { \">\": 0 }, \"refused_too_big\": 0 } },"
                                 "{ \"expect_stats\": { \"refused\": { \"<=\": 10 } } } ] }",
                                 NULL);
    expect_failure(&r, "steps[2]", "expect_stats: expected refused <= 10, got");
    cr_assert_gt(r.refused[RUN_REFUSED_PUSH][RUN_REFUSED_FULL], 10);
    cr_assert_eq(r.refused[RUN_REFUSED_PUSH][RUN_REFUSED_TOO_BIG], 0);
    cr_assert_eq(r.refused[RUN_REFUSED_STORE][RUN_REFUSED_FULL], 0);
    cr_assert_eq(run_refused_count(&r, RUN_REFUSED_OPS, RUN_REFUSED_ERRORS),
                 r.refused[RUN_REFUSED_PUSH][RUN_REFUSED_FULL]);
    free(r.sector_erases);
}

/* A power_cut that never lands, or a run that ends with the power off, checks less than it
 * seems to: a scenario error at the power_cut step. */
/* Runs a map scenario of these steps; it must fail at `step` with `fragment` in the message. */
static void expect_map_steps_fail(const char *steps, const char *step, const char *fragment) {
    char text[1024];
    snprintf(text, sizeof text, "{ \"name\": \"power\", " FLASH_AND_MAP " \"steps\": [%s] }",
             steps);
    scenario_result r = run_text(text, NULL);
    expect_failure(&r, step, fragment);
    free(r.sector_erases);
}

Test(runner, power_cut_that_never_lands_or_leaves_the_power_off_fails) {
    expect_map_steps_fail("{ \"store\": { \"key\": \"a\", \"value\": \"1\" } },"
                          "{ \"power_cut\": { \"after_ops\": 500 } },"
                          "{ \"store\": { \"key\": \"a\", \"value\": \"2\" } },"
                          "{ \"power_on\": {} }, { \"check\": {} }",
                          "steps[1]",
                          "power_cut: the cut never landed: after_ops 500, but the power_on of "
                          "steps[3] came after");
    /* A second power_cut re-arms the device: the first one never lands. */
    expect_map_steps_fail("{ \"power_cut\": { \"after_ops\": 500 } },"
                          "{ \"store\": { \"key\": \"a\", \"value\": \"1\" } },"
                          "{ \"power_cut\": { \"after_ops\": 0 } },"
                          "{ \"store\": { \"key\": \"b\", \"value\": \"2\" } },"
                          "{ \"power_on\": {} }, { \"check\": {} }",
                          "steps[0]",
                          "power_cut: the cut never landed: after_ops 500, but the power_cut of "
                          "steps[2] came after");
    expect_map_steps_fail("{ \"power_cut\": { \"in\": \"1h\" } },"
                          "{ \"store\": { \"key\": \"a\", \"value\": \"2\" } }",
                          "steps[0]",
                          "the cut never landed: no flash operation ran at its time before the "
                          "end of the run");
    expect_map_steps_fail("{ \"power_cut\": { \"after_ops\": 0 } },"
                          "{ \"store\": { \"key\": \"a\", \"value\": \"2\" } },"
                          "{ \"store\": { \"key\": \"b\", \"value\": \"3\" } }",
                          "steps[0]", "power_cut: the run ends with the power off");
}

Test(runner, power_cut_that_lands_and_power_on_pass) {
    scenario_result r = run_text("{ \"name\": \"lands\", " FLASH_AND_MAP " \"steps\": ["
                                 "{ \"power_cut\": { \"after_ops\": 0 } },"
                                 "{ \"store\": { \"key\": \"a\", \"value\": \"2\" } },"
                                 "{ \"power_on\": {} }, { \"check\": {} },"
                                 "{ \"power_cut\": {} }, { \"power_on\": {} } ] }",
                                 NULL);
    cr_assert_eq(r.verdict, RUN_PASS, "%s", r.message);
    free(r.sector_erases);
}

/* ---- a lying engine: the built-in map, except that fetch answers one byte off ---- */

static adapter honest;

static int lying_fetch(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity,
                       size_t *len) {
    int rc = honest.fetch(ctx, key, key_len, buf, capacity, len);
    if (rc == NBS_OK && *len > 0) ((uint8_t *)buf)[0] ^= 1;
    return rc;
}

/* Honest about an empty store (so the first mount passes), one too many otherwise. */
static int lying_count(void *ctx, uint32_t *count) {
    int rc = honest.count(ctx, count);
    if (rc == NBS_OK && *count > 0) *count += 1;
    return rc;
}

/* The built-in map, with its honest operations kept for the liars to call. */
static int create_honest_map(adapter *out, nor *dev, const adapter_config *cfg) {
    int rc = adapter_nbs_map_create(out, dev, cfg);
    honest = *out;
    return rc;
}

/* Runs `text` with a broken variant of the built-in map instead of the scenario's engine. */
static scenario_result run_with_engine(adapter_create_fn create, const char *text) {
    adapter_kind broken = {"map", ADAPTER_CAN_MAP, create, NULL};
    runner_options opts = {.engine = &broken};
    return run_text(text, &opts);
}

static int create_lying_map(adapter *out, nor *dev, const adapter_config *cfg) {
    int rc = create_honest_map(out, dev, cfg);
    out->fetch = lying_fetch;
    return rc;
}

static int create_miscounting_map(adapter *out, nor *dev, const adapter_config *cfg) {
    int rc = create_honest_map(out, dev, cfg);
    out->count = lying_count;
    return rc;
}

Test(runner, reference_model_catches_a_wrong_fetch_without_expectation) {
    scenario_result r =
        run_with_engine(create_lying_map, "{ \"name\": \"liar\", " FLASH_AND_MAP " \"steps\": ["
                                          "{ \"store\": { \"key\": \"a\", \"value\": \"abc\" } },"
                                          "{ \"fetch\": { \"key\": \"a\" } } ] }");
    expect_failure(&r, "steps[1]", "(the reference model), got \"`bc\" (3 bytes)");
    free(r.sector_erases);
}

Test(runner, reference_model_catches_a_wrong_fetch_inside_a_workload) {
    scenario_result r =
        run_with_engine(create_lying_map, "{ \"name\": \"liar\", " FLASH_AND_MAP " \"steps\": ["
                                          "{ \"random_ops\": { \"ops\": 100, \"keys\": 2 } } ] }");
    expect_failure(&r, "steps[0]", "random_ops operation ");
    cr_assert(strstr(r.message, "of 100: fetch"), "%s", r.message);
    free(r.sector_erases);
}

Test(runner, check_compares_the_count) {
    scenario_result r = run_with_engine(create_miscounting_map,
                                        "{ \"name\": \"count\", " FLASH_AND_MAP " \"steps\": ["
                                        "{ \"store\": { \"key\": \"a\", \"value\": \"abc\" } },"
                                        "{ \"store\": { \"key\": \"b\", \"value\": \"abc\" } },"
                                        "{ \"check\": {} } ] }");
    expect_failure(&r, "steps[2]", "count: expected 2 (the reference model), got 3");
    free(r.sector_erases);
}

/* Forgets everything at every mount but the first, as a broken recovery would. */
static int mounts_seen;

static int forgetful_mount(void *ctx) {
    int rc = honest.mount(ctx);
    if (rc == NBS_OK && mounts_seen++ > 0) rc = honest.format(ctx);
    return rc;
}

static int create_forgetful_map(adapter *out, nor *dev, const adapter_config *cfg) {
    int rc = create_honest_map(out, dev, cfg);
    mounts_seen = 0;
    out->mount = forgetful_mount;
    return rc;
}

Test(runner, power_on_catches_lost_committed_items) {
    scenario_result r =
        run_with_engine(create_forgetful_map, "{ \"name\": \"lost\", " FLASH_AND_MAP " \"steps\": ["
                                              "{ \"store\": { \"key\": \"a\", \"value\": \"1\" } },"
                                              "{ \"power_cut\": { \"after_ops\": 0 } },"
                                              "{ \"store\": { \"key\": \"b\", \"value\": \"2\" } },"
                                              "{ \"power_on\": {} } ] }");
    expect_failure(&r, "steps[3]", "neither applied nor absent");
    cr_assert(strstr(r.message, "expected 1 item: \"a\" (1 byte)=\"1\" (1 byte)"), "%s", r.message);
    free(r.sector_erases);
}

/* ---- determinism ---- */

static const char *const deterministic_scenario =
    "{ \"name\": \"det\", \"seed\": 77, " FLASH_AND_MAP " \"steps\": ["
    "{ \"random_ops\": { \"ops\": 400, \"keys\": 12, \"value_size\": [1, 90] } },"
    "{ \"repeat\": { \"times\": 4, \"steps\": ["
    "  { \"power_cut\": { \"in\": \"10ms\", \"torn_program\": \"metastable\" } },"
    "  { \"random_ops\": { \"ops\": 50, \"keys\": 12 } }, { \"power_on\": {} } ] } },"
    "{ \"store\": { \"key\": \"r\", \"value\": { \"random\": 33 } } },"
    "{ \"check\": {} } ] }";

static uint8_t *run_and_image(const runner_options *base, scenario_result *r, uint32_t *size) {
    nor *dev = NULL;
    runner_options opts = *base;
    opts.keep_device = &dev;
    *r = run_text(deterministic_scenario, &opts);
    cr_assert_eq(r->verdict, RUN_PASS, "%s", r->message);
    cr_assert_not_null(dev);
    *size = nor_size(dev);
    uint8_t *image = malloc(*size);
    cr_assert_not_null(image);
    cr_assert_eq(nor_peek(dev, 0, image, *size), NOR_OK);
    nor_destroy(dev);
    return image;
}

Test(runner, same_seed_same_flash_bytes_and_figures) {
    runner_options opts = {0};
    scenario_result a, b;
    uint32_t size_a, size_b;
    uint8_t *image_a = run_and_image(&opts, &a, &size_a);
    uint8_t *image_b = run_and_image(&opts, &b, &size_b);
    cr_assert_eq(size_a, size_b);
    cr_assert(memcmp(image_a, image_b, size_a) == 0, "same seed, different flash bytes");
    cr_assert_eq(a.flash_ops, b.flash_ops);
    cr_assert_eq(a.erases, b.erases);
    cr_assert_eq(a.sim_time_us, b.sim_time_us);
    cr_assert_eq(a.program_bytes, b.program_bytes);
    cr_assert(memcmp(a.sector_erases, b.sector_erases, a.sector_count * sizeof(uint32_t)) == 0);

    runner_options other = {.override_seed = true, .seed = 78};
    scenario_result c;
    uint32_t size_c;
    uint8_t *image_c = run_and_image(&other, &c, &size_c);
    cr_assert_eq(c.seed, 78);
    cr_assert(memcmp(image_a, image_c, size_a) != 0, "another seed gave the same flash bytes");
    free(image_a), free(image_b), free(image_c);
    free(a.sector_erases), free(b.sector_erases), free(c.sector_erases);
}

Test(runner, unloadable_file_is_an_error_result) {
    scenario_result r;
    scenario_errors errors;
    int rc = runner_run_file("/nonexistent/scenario.json", NULL, &r, &errors);
    cr_assert_eq(rc, RUNNER_E_INVALID);
    cr_assert_eq(r.verdict, RUN_ERROR);
    cr_assert_gt(errors.count, 0);
    cr_assert(strstr(r.message, "/nonexistent/scenario.json"), "%s", r.message);
    scenario_errors_free(&errors);
}

Test(runner, budget_stops_a_run_of_endless_sleeps) {
    const char *text = "{\"name\": \"sleepy\", \"flash\": {\"preset\": \"tiny\"},"
                       " \"engine\": {\"type\": \"map\"}, \"steps\": [{\"repeat\": {\"times\": "
                       "1000000000, \"steps\": [{\"sleep\": \"1ms\"}]}}]}";
    runner_options opts = {.max_engine_ops = 1000};
    scenario_result r = run_text(text, &opts);
    expect_failure(&r, "steps[0].repeat.steps[0]", "budget of 1000 engine calls");
    cr_assert(strstr(r.message, "iteration 1000 of 1000000000"), "%s", r.message);
    free(r.sector_erases);
}

Test(runner, placed_cut_recovers_and_stops_after_then_steps) {
    const char *text = "{\"name\": \"cut\", \"seed\": 3, \"flash\": {\"preset\": \"tiny\"},"
                       " \"engine\": {\"type\": \"map\"},"
                       " \"steps\": [{\"store\": {\"key\": \"a\", \"value\": \"1\"}},"
                       "  {\"store\": {\"key\": \"b\", \"value\": \"2\"}},"
                       "  {\"fetch\": {\"key\": \"b\"}, \"expect\": {\"value\": \"2\"}},"
                       "  {\"fetch\": {\"key\": \"b\"}, \"expect\": {\"value\": \"never\"}}],"
                       " \"cut\": {\"op\": 3, \"torn_program\": \"none\", \"then_steps\": 2}}";
    runner_branch_info info;
    runner_options opts = {.cut_info = &info};
    scenario_result r = run_text(text, &opts);
    /* The cut lands in a store, which is run again; the wrong expectation is never reached. */
    cr_assert_eq(r.verdict, RUN_PASS, "%s", r.message);
    cr_assert(info.landed);
    cr_assert_gt(info.recovery_ops, 0, "the recovery mounts write their pins");
    cr_assert_eq(r.power_cuts, 1);
    free(r.sector_erases);
}

/* Transactions (the txn step): a commit outside a transaction and an expectation on a staged
 * write are refused with a message naming the step; a staged write is not read before its
 * commit (a fetch expecting it fails), and is after it. */
Test(runner, transaction_steps_are_checked) {
    static const struct {
        const char *steps, *failed_step, *fragment; /* failed_step NULL: the run passes */
    } cases[] = {
        {"{ \"txn\": \"commit\" }", "steps[0]", "no transaction is open"},
        {"{ \"txn\": \"begin\" }, { \"store\": { \"key\": \"a\", \"value\": \"1\" }, "
         "\"expect\": { \"error\": \"full\" } }",
         "steps[1]", "only staged"},
        {"{ \"txn\": \"begin\" }, { \"store\": { \"key\": \"a\", \"value\": \"1\" } }, "
         "{ \"fetch\": { \"key\": \"a\" }, \"expect\": { \"value\": \"1\" } }",
         "steps[2]", "fetch"},
        {"{ \"txn\": \"begin\" }, { \"store\": { \"key\": \"a\", \"value\": \"1\" } }, "
         "{ \"remove\": { \"key\": \"b\" } }, { \"txn\": \"commit\" }, "
         "{ \"fetch\": { \"key\": \"a\" }, \"expect\": { \"value\": \"1\" } }, { \"check\": {} }",
         NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[1024];
        snprintf(text, sizeof text, "{ \"name\": \"t\", " FLASH_AND_MAP " \"steps\": [ %s ] }",
                 cases[i].steps);
        scenario_result r = run_text(text, NULL);
        if (cases[i].failed_step)
            expect_failure(&r, cases[i].failed_step, cases[i].fragment);
        else
            cr_assert_eq(r.verdict, RUN_PASS, "%s", r.message);
        free(r.sector_erases);
    }
}
