/* Planning a campaign from the inside: the positions of --mode log and every:K, the even and
 * seeded sample of a budget, the spans of done cut points that --resume skips and their JSON,
 * a merge that refuses an interrupted result beside others, and a stop that keeps whole points
 * only (a point's tries count all or not at all). */
#include "campaign_internal.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const char stop_scenario[] =
    "{\"name\": \"stop-map\", \"seed\": 3,"
    " \"flash\": {\"preset\": \"tiny\", \"sectors\": 4},"
    " \"engine\": {\"type\": \"map\"},"
    " \"steps\": ["
    "  {\"random_ops\": {\"ops\": 12, \"keys\": 4, \"value_size\": [4, 40],"
    "                   \"mix\": {\"store\": 3, \"remove\": 1}}},"
    "  {\"check\": {}}]}";

static void numbered(campaign_point *points, size_t count) {
    for (size_t i = 0; i < count; i++)
        points[i] = (campaign_point){.op = 100 + i, .is_erase = i % 10 == 9};
}

Test(plan, log_positions_are_round_powers_of_root_two) {
    const uint64_t want[] = {1, 1, 2, 3, 4, 6, 8, 11, 16, 23, 32, 45, 64, 91, 128, 181, 256};
    for (unsigned k = 0; k < sizeof want / sizeof *want; k++)
        cr_assert_eq(campaign_log_position(k), want[k], "k=%u", k);
    cr_assert_eq(campaign_log_position(61), UINT64_C(1518500250)); /* round(2^30.5) */
    campaign_point points[40];
    numbered(points, 40);
    size_t kept = campaign_select_log(points, 40);
    const uint64_t positions[] = {1, 2, 3, 4, 6, 8, 11, 16, 23, 32};
    cr_assert_eq(kept, sizeof positions / sizeof *positions);
    for (size_t i = 0; i < kept; i++) cr_assert_eq(points[i].op, 100 + positions[i] - 1);
}

Test(plan, every_kth_from_the_first) {
    campaign_point points[10];
    numbered(points, 10);
    cr_assert_eq(campaign_select_every(points, 10, 3), 4);
    for (size_t i = 0; i < 4; i++) cr_assert_eq(points[i].op, 100 + 3 * i);
    numbered(points, 10);
    cr_assert_eq(campaign_select_every(points, 10, 1), 10);
}

/* Draws a budget of `max_tries` from 1000 numbered points (one erase in ten). */
static size_t draw(const campaign_options *o, uint64_t max_tries, uint64_t seed,
                   campaign_point *points) {
    campaign_point scratch[1000];
    numbered(points, 1000);
    return campaign_select_budget(o, points, 1000, max_tries, seed, scratch);
}

Test(plan, budget_sample_is_even_seeded_and_within_budget) {
    campaign_options o;
    campaign_options_default(&o); /* 9 program modes, 8 erase modes */
    static campaign_point a[1000], b[1000], c[1000];
    size_t n = draw(&o, 900, 7, a);
    cr_assert_eq(draw(&o, 900, 7, b), n);
    cr_assert_eq(memcmp(a, b, n * sizeof *a), 0, "the same seed draws the same points");
    size_t other = draw(&o, 900, 8, c); /* may fit a point more or less: erases have fewer modes */
    cr_assert_neq(memcmp(a, c, (other < n ? other : n) * sizeof *a), 0, "another seed, others");
    uint64_t tries = campaign_points_tries(&o, a, n);
    cr_assert_leq(tries, 900);
    cr_assert_geq(n, 95, "about 900 / 8.9 points: %zu", n);
    for (size_t i = 0; i < n; i++) { /* one point in each of n equal strata, in order */
        uint64_t position = a[i].op - 100;
        cr_assert_geq(position, i * 1000 / n);
        cr_assert_lt(position, (i + 1) * 1000 / n);
    }
    cr_assert_eq(draw(&o, 100000, 7, a), 1000, "a budget above the campaign keeps it whole");
    cr_assert_eq(draw(&o, 5, 7, a), 0, "a budget below one point's tries keeps none");
}

Test(plan, spans_join_and_hold) {
    campaign_scenario s = {0};
    cr_assert_eq(campaign_add_span(&s, 3, 5), CAMPAIGN_OK);
    cr_assert_eq(campaign_add_span(&s, 5, 9), CAMPAIGN_OK); /* touches: joins */
    cr_assert_eq(campaign_add_span(&s, 20, 20), CAMPAIGN_OK);
    cr_assert_eq(s.done_count, 2);
    cr_assert_eq(s.done[0].last, 9);
    const uint64_t inside[] = {3, 4, 9, 20}, outside[] = {0, 2, 10, 19, 21};
    for (size_t i = 0; i < 4; i++) cr_assert(campaign_span_holds(&s, inside[i]));
    for (size_t i = 0; i < 5; i++) cr_assert_not(campaign_span_holds(&s, outside[i]));
    campaign_scenario_free(&s);

    campaign_point points[6] = {{.op = 1}, {.op = 4}, {.op = 7}, {.op = 8}, {.op = 12}, {.op = 30}};
    campaign_plan plan = {.points = points, .count = 6};
    uint8_t done[6] = {1, 1, 0, 1, 1, 1};
    cr_assert_eq(campaign_spans_of(&plan, done, &s), CAMPAIGN_OK);
    cr_assert_eq(s.done_count, 2);
    cr_assert_eq(s.done[0].first, 1);
    cr_assert_eq(s.done[0].last, 4);
    cr_assert_eq(s.done[1].first, 8);
    cr_assert_eq(s.done[1].last, 30);
    campaign_scenario_free(&s);
}

static char *interrupted_text(uint32_t shard_index, uint32_t shard_count) {
    campaign_result r = {.jobs_used = 1};
    campaign_options_default(&r.options);
    r.options.mode = CAMPAIGN_EVERY;
    r.options.every = 3;
    r.options.max_tries = 500;
    r.options.time_budget = 90;
    r.options.shard_index = shard_index;
    r.options.shard_count = shard_count;
    r.scenarios = calloc(1, sizeof *r.scenarios);
    campaign_scenario *s = &r.scenarios[0];
    strcpy(s->file, "x.json");
    strcpy(s->name, "x");
    s->flash_ops = 90;
    s->mode_cut_points = 30;
    s->max_tries = 400;
    s->cut_points = 6;
    s->incomplete = true;
    campaign_add_span(s, 0, 9);
    campaign_add_span(s, 15, 15);
    r.count = 1;
    char *text = campaign_result_to_json(&r);
    campaign_result_free(&r);
    return text;
}

Test(plan, coverage_and_spans_read_back) {
    char *text = interrupted_text(1, 1);
    cJSON *root = cJSON_Parse(text);
    cr_assert_not_null(root);
    const cJSON *totals = cJSON_GetObjectItem(root, "totals");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(totals, "complete")));
    cr_assert_float_eq(cJSON_GetObjectItem(totals, "coverage")->valuedouble, 0.2, 1e-9);
    cJSON_Delete(root);
    campaign_result r = {0};
    char why[300];
    cr_assert_eq(campaign_result_merge_json(&r, "a", text, why, sizeof why), CAMPAIGN_OK, "%s",
                 why);
    cr_assert_eq(r.options.mode, CAMPAIGN_EVERY);
    cr_assert_eq(r.options.every, 3);
    cr_assert_eq(r.options.max_tries, 500);
    cr_assert_float_eq(r.options.time_budget, 90, 1e-9);
    const campaign_scenario *s = &r.scenarios[0];
    cr_assert(s->incomplete);
    cr_assert_eq(s->mode_cut_points, 30);
    cr_assert_eq(s->max_tries, 400);
    cr_assert_eq(s->done_count, 2);
    cr_assert_eq(s->done[1].first, 15);
    cr_assert_float_eq(campaign_coverage(s), 0.2, 1e-9);
    campaign_result_free(&r);
    free(text);
}

Test(plan, merge_refuses_an_interrupted_shard_beside_others) {
    char *one = interrupted_text(1, 2), *two = interrupted_text(2, 2);
    campaign_result r = {0};
    char why[300];
    cr_assert_eq(campaign_result_merge_json(&r, "one", one, why, sizeof why), CAMPAIGN_OK);
    cr_assert_eq(campaign_result_merge_json(&r, "two", two, why, sizeof why), CAMPAIGN_E_INVALID);
    cr_assert(strstr(why, "--resume"), "%s", why);
    campaign_result_free(&r);
    free(one);
    free(two);
}

Test(plan, options_that_differ_are_named) {
    campaign_options a, b;
    campaign_options_default(&a);
    b = a;
    cr_assert_null(campaign_options_differ(&a, &b));
    b.every = 2;
    cr_assert_str_eq(campaign_options_differ(&a, &b), "--mode");
    b = a;
    b.torn_erase = 1;
    cr_assert_str_eq(campaign_options_differ(&a, &b), "--torn");
    b = a;
    b.shard_index = 2;
    b.shard_count = 2;
    cr_assert_str_eq(campaign_options_differ(&a, &b), "--shard");
    b = a;
    b.max_tries = 10;
    cr_assert_str_eq(campaign_options_differ(&a, &b), "--max-tries");
}

/* ---- a stop keeps whole points ---- */

typedef struct stop_probe {
    uint64_t started, stop_at, points_done;
} stop_probe;

static void started(void *ctx, const campaign_failure *where) {
    stop_probe *p = ctx;
    (void)where;
    if (++p->started == p->stop_at) campaign_request_stop();
}

static void point_done(void *ctx, size_t index, campaign_scenario *out) {
    (void)index;
    (void)out;
    ((stop_probe *)ctx)->points_done++;
}

Test(plan, a_stop_keeps_whole_points_only) {
    scenario *sc = NULL;
    scenario_errors errors;
    cr_assert_eq(scenario_parse("stop", stop_scenario, strlen(stop_scenario), &sc, &errors),
                 SCENARIO_OK);
    scenario_errors_free(&errors);
    campaign_options o;
    campaign_options_default(&o); /* 9 program and 8 erase modes */
    campaign_plan plan;
    campaign_scenario out = {0};
    cr_assert_eq(campaign_plan_make("stop", sc, &o, &plan, &out), CAMPAIGN_OK);
    cr_assert_gt(plan.count, 5);
    stop_probe p = {.stop_at = 3 * 9 + 4}; /* in the middle of the fourth point */
    campaign_work_hooks hooks = {.started = started, .point_done = point_done, .ctx = &p};
    campaign_scenario found = {0};
    cr_assert_eq(campaign_work(&plan, 0, 1, &hooks, &found), CAMPAIGN_OK);
    cr_assert(campaign_stop_requested());
    cr_assert_eq(p.points_done, 3);
    cr_assert_eq(found.cut_points, 3, "the fourth point, cut short, does not count");
    cr_assert_eq(found.verified, campaign_points_tries(&o, plan.points, 3));
    cr_assert_not(found.has_error, "%s", found.error);
    campaign_scenario_free(&found);
    campaign_plan_free(&plan);
    scenario_free(sc);
}
