/* Power-cut campaigns from the inside: a branch resumed from a checkpoint ends exactly as a run
 * from the start with the same cut (same verdict, engine calls, flash traffic, time, wear and
 * flash bytes),
 * for every cut point of a map and a queue scenario; tries feed the per-mode flip counts (what
 * the tear watch saw); and the JSON result reads back as it was written (flip counts included),
 * merges shards, and refuses files that are not shards of one campaign. */
#include "campaign_internal.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const char map_scenario[] =
    "{\"name\": \"branch-map\", \"seed\": 11,"
    " \"flash\": {\"preset\": \"nrf52840\", \"sectors\": 4},"
    " \"engine\": {\"type\": \"map\", \"page_size\": 4096, \"cache\": \"all\"},"
    " \"steps\": ["
    "  {\"random_ops\": {\"ops\": 40, \"keys\": 6, \"value_size\": [200, 700],"
    "                   \"mix\": {\"store\": 5, \"remove\": 1, \"fetch\": 1}}},"
    "  {\"reboot\": {}}, {\"check\": {}}]}";

static const char queue_scenario[] =
    "{\"name\": \"branch-queue\", \"seed\": 12,"
    " \"flash\": {\"preset\": \"stm32l4-1m\", \"sectors\": 4},"
    " \"engine\": {\"type\": \"queue\", \"page_size\": 2048},"
    " \"steps\": ["
    "  {\"log_appends\": {\"count\": 30, \"size\": [20, 150], \"drop_oldest\": true}},"
    "  {\"pop\": {}}, {\"iterate\": {\"pop\": [1]}}, {\"check\": {}}]}";

typedef struct probe {
    const scenario *sc;
    uint64_t compared;
} probe;

static void expect_same(const scenario_result *branched, const scenario_result *direct,
                        const runner_branch_info *bi, const runner_branch_info *di, uint64_t op) {
    cr_assert_eq(branched->verdict, direct->verdict, "op %llu: %s | %s", (unsigned long long)op,
                 branched->message, direct->message);
    cr_assert_str_eq(branched->message, direct->message);
    cr_assert_eq(bi->landed, true, "op %llu", (unsigned long long)op);
    cr_assert_eq(di->landed, true);
    cr_assert_eq(bi->recovery_ops, di->recovery_ops);
    cr_assert_eq(branched->engine_ops, direct->engine_ops, "op %llu", (unsigned long long)op);
    cr_assert_eq(branched->user_bytes, direct->user_bytes, "op %llu", (unsigned long long)op);
    cr_assert_eq(branched->programs, direct->programs);
    cr_assert_eq(branched->program_bytes, direct->program_bytes);
    cr_assert_eq(branched->erases, direct->erases);
    cr_assert_eq(branched->reads, direct->reads);
    cr_assert_eq(branched->read_bytes, direct->read_bytes);
    cr_assert_eq(branched->sim_time_us, direct->sim_time_us);
    cr_assert_eq(branched->flash_digest, direct->flash_digest, "op %llu: the same flash bytes",
                 (unsigned long long)op);
    cr_assert_eq(branched->sector_count, direct->sector_count);
    for (uint32_t s = 0; s < direct->sector_count; s++)
        cr_assert_eq(branched->sector_erases[s], direct->sector_erases[s]);
}

static void compare_every_cut(void *ctx, uint64_t first, uint64_t end, runner_branch_point *from) {
    probe *p = ctx;
    for (uint64_t op = first; op < end; op++) {
        scenario_cut cut = {.present = true,
                            .first = {.op = op,
                                      .torn_program = NOR_TORN_PROG_METASTABLE,
                                      .torn_erase = NOR_TORN_ERASE_WEAK}};
        scenario_result branched, direct;
        runner_branch_info bi, di;
        cr_assert_eq(runner_branch(from, &cut, &branched, &bi), RUNNER_OK, "%s", branched.message);
        runner_options ro = {.cut = &cut, .cut_info = &di, .flash_digest = true};
        runner_run(p->sc, "direct", &ro, &direct);
        expect_same(&branched, &direct, &bi, &di, op);
        free(branched.sector_erases);
        free(direct.sector_erases);
        p->compared++;
    }
}

static void branches_match_runs_from_the_start(const char *text) {
    scenario *sc = NULL;
    scenario_errors errors;
    cr_assert_eq(scenario_parse("test", text, strlen(text), &sc, &errors), SCENARIO_OK);
    scenario_errors_free(&errors);
    probe p = {.sc = sc};
    runner_options ro = {
        .on_interval = compare_every_cut, .interval_ctx = &p, .flash_digest = true};
    scenario_result main_run;
    cr_assert_eq(runner_run(sc, "main", &ro, &main_run), RUNNER_OK, "%s", main_run.message);
    cr_assert_eq(p.compared, main_run.flash_ops, "every flash operation was a cut point");
    cr_assert_gt(main_run.erases, 0, "the scenario erases, so erase cuts are covered");
    free(main_run.sector_erases);
    scenario_free(sc);
}

Test(campaign, map_branches_match_runs_from_the_start, .timeout = 600) {
    branches_match_runs_from_the_start(map_scenario);
}

Test(campaign, queue_branches_match_runs_from_the_start, .timeout = 600) {
    branches_match_runs_from_the_start(queue_scenario);
}

/* ---- the JSON result ---- */

static campaign_scenario sample_entry(uint64_t first_op) {
    campaign_scenario s = {.seed = 5, .flash_ops = 40, .cut_points = 20, .verified = 90};
    strcpy(s.file, "scenarios/x.json");
    strcpy(s.name, "x");
    s.by_program[3] = (campaign_torn_counts){.verified = 70, .read_valid = 6, .changed = 2};
    s.by_erase[2] = (campaign_torn_counts){.verified = 20, .read_valid = 1, .changed = 3};
    s.recovery_verified = 7;
    campaign_failure f = {.op = first_op, .is_erase = true, .torn = 3};
    strcpy(f.message, "lost \"a\" after mount");
    cr_assert_eq(campaign_add_failure(&s, &f), CAMPAIGN_OK);
    f = (campaign_failure){
        .op = first_op + 1, .torn = 4, .has_recovery_cut = true, .recovery_op = 2};
    strcpy(f.message, "second");
    cr_assert_eq(campaign_add_failure(&s, &f), CAMPAIGN_OK);
    return s;
}

static char *shard_text(uint32_t index, uint32_t count, uint64_t first_op) {
    campaign_result r = {.jobs_used = 1};
    campaign_options_default(&r.options);
    r.options.shard_index = index;
    r.options.shard_count = count;
    r.scenarios = calloc(1, sizeof *r.scenarios);
    r.scenarios[0] = sample_entry(first_op);
    r.count = 1;
    char *text = campaign_result_to_json(&r);
    campaign_result_free(&r);
    return text;
}

Test(campaign, entry_reads_back_as_written) {
    campaign_scenario s = sample_entry(9);
    cJSON *json = campaign_scenario_json(&s);
    campaign_scenario back;
    char why[200];
    cr_assert_eq(campaign_scenario_from_json(json, &back, why, sizeof why), CAMPAIGN_OK, "%s", why);
    cr_assert_str_eq(back.name, "x");
    cr_assert_eq(back.verified, 90);
    cr_assert_eq(back.by_program[3].verified, 70);
    cr_assert_eq(back.by_program[3].read_valid, 6, "flip counts read back");
    cr_assert_eq(back.by_program[3].changed, 2);
    cr_assert_eq(back.by_erase[2].verified, 20);
    cr_assert_eq(back.by_erase[2].read_valid, 1);
    cr_assert_eq(back.by_erase[2].changed, 3);
    cr_assert_eq(back.by_erase[1].verified + back.by_erase[1].read_valid, 0);
    cr_assert_eq(back.recovery_verified, 7);
    cr_assert_eq(back.failure_count, 2);
    cr_assert_eq(back.failures[0].op, 9);
    cr_assert(back.failures[0].is_erase);
    cr_assert_eq(back.failures[0].torn, 3);
    cr_assert_str_eq(back.failures[0].message, "lost \"a\" after mount");
    cr_assert(back.failures[1].has_recovery_cut);
    cr_assert_eq(back.failures[1].recovery_op, 2);
    cJSON_Delete(json);
    campaign_scenario_free(&s);
    campaign_scenario_free(&back);
}

Test(campaign, shards_add_up_and_become_one_campaign) {
    char *a = shard_text(1, 2, 4), *b = shard_text(2, 2, 1);
    campaign_result merged = {0};
    char why[300];
    cr_assert_eq(campaign_result_merge_json(&merged, "a", a, why, sizeof why), CAMPAIGN_OK, "%s",
                 why);
    cr_assert_eq(merged.options.shard_count, 2);
    cr_assert_eq(campaign_result_merge_json(&merged, "b", b, why, sizeof why), CAMPAIGN_OK, "%s",
                 why);
    cr_assert_eq(merged.count, 1);
    cr_assert_eq(merged.scenarios[0].cut_points, 40);
    cr_assert_eq(merged.scenarios[0].verified, 180);
    cr_assert_eq(merged.scenarios[0].by_program[3].verified, 140);
    cr_assert_eq(merged.scenarios[0].by_program[3].read_valid, 12, "flip counts add up");
    cr_assert_eq(merged.scenarios[0].by_program[3].changed, 4);
    cr_assert_eq(merged.scenarios[0].by_erase[2].changed, 6);
    cr_assert_eq(merged.scenarios[0].flash_ops, 40, "the scenario's own count is not added");
    cr_assert_eq(merged.scenarios[0].failure_count, 4);
    cr_assert_eq(merged.scenarios[0].failures[0].op, 1, "failures sorted by operation");
    cr_assert_eq(merged.scenarios[0].failures[3].op, 5);
    cr_assert_eq(merged.options.shard_index, 1);
    cr_assert_eq(merged.options.shard_count, 1, "all shares in: one campaign");
    campaign_result_free(&merged);
    free(a);
    free(b);
}

/* Seeds above 2^53 do not survive a double: written as decimal strings, read back exactly. */
Test(campaign, seeds_above_2_pow_53_read_back_exactly) {
    const uint64_t seed = UINT64_C(18446744073709551557);
    campaign_result r = {.jobs_used = 1};
    campaign_options_default(&r.options);
    r.options.override_seed = true;
    r.options.seed = seed - 2;
    r.scenarios = calloc(1, sizeof *r.scenarios);
    r.scenarios[0] = sample_entry(4);
    r.scenarios[0].seed = seed;
    r.count = 1;
    char *text = campaign_result_to_json(&r);
    campaign_result_free(&r);
    cr_assert(strstr(text, "\"18446744073709551557\""), "a seed as a decimal string: %s", text);
    campaign_result merged = {0};
    char why[300];
    cr_assert_eq(campaign_result_merge_json(&merged, "a", text, why, sizeof why), CAMPAIGN_OK, "%s",
                 why);
    cr_assert_eq(merged.scenarios[0].seed, seed);
    cr_assert(merged.options.override_seed);
    cr_assert_eq(merged.options.seed, seed - 2);
    campaign_result_free(&merged);
    free(text);
}

Test(campaign, missing_shards_are_listed) {
    char *a = shard_text(1, 3, 4), *c = shard_text(3, 3, 6), *b = shard_text(2, 3, 5);
    campaign_result merged = {0};
    char why[300], missing[100];
    cr_assert_eq(campaign_result_merge_json(&merged, "a", a, why, sizeof why), CAMPAIGN_OK);
    cr_assert_eq(campaign_result_missing_shards(&merged, missing, sizeof missing), 2);
    cr_assert_str_eq(missing, "2/3, 3/3");
    cr_assert_eq(campaign_result_merge_json(&merged, "c", c, why, sizeof why), CAMPAIGN_OK);
    cr_assert_eq(campaign_result_missing_shards(&merged, missing, sizeof missing), 1);
    cr_assert_str_eq(missing, "2/3");
    cr_assert_eq(campaign_result_merge_json(&merged, "b", b, why, sizeof why), CAMPAIGN_OK);
    cr_assert_eq(campaign_result_missing_shards(&merged, missing, sizeof missing), 0);
    cr_assert_str_eq(missing, "");
    campaign_result_free(&merged);
    free(a);
    free(b);
    free(c);
}

Test(campaign, merge_refuses_repeats_and_strangers) {
    char *a = shard_text(1, 3, 4), *other = shard_text(2, 2, 4);
    campaign_result merged = {0};
    char why[300];
    cr_assert_eq(campaign_result_merge_json(&merged, "a", a, why, sizeof why), CAMPAIGN_OK);
    cr_assert_eq(campaign_result_merge_json(&merged, "a2", a, why, sizeof why), CAMPAIGN_E_INVALID);
    cr_assert(strstr(why, "a2: shard 1 of 3 is given twice"), "%s", why);
    cr_assert_eq(campaign_result_merge_json(&merged, "o", other, why, sizeof why),
                 CAMPAIGN_E_INVALID);
    cr_assert(strstr(why, "not a shard of the same campaign"), "%s", why);
    cr_assert_eq(campaign_result_merge_json(&merged, "j", "{\"kind\": 3", why, sizeof why),
                 CAMPAIGN_E_INVALID);
    cr_assert(strstr(why, "j: not JSON"), "%s", why);
    campaign_result_free(&merged);
    free(a);
    free(other);
}

Test(campaign, totals_carry_the_flip_counts) {
    char *text = shard_text(1, 1, 4);
    cJSON *root = cJSON_Parse(text);
    const cJSON *totals = cJSON_GetObjectItemCaseSensitive(root, "totals");
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(totals, "read_valid")->valuedouble, 7);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(totals, "changed")->valuedouble, 5);
    const cJSON *entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "scenarios"), 0);
    const cJSON *bits = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(entry, "by_torn"), "program/bits");
    cr_assert(cJSON_IsObject(bits), "by_torn entries are objects");
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(bits, "verified")->valuedouble, 70);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(bits, "read_valid")->valuedouble, 6);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(bits, "changed")->valuedouble, 2);
    cJSON_Delete(root);
    free(text);
}

Test(campaign, by_torn_as_bare_numbers_still_reads) {
    campaign_scenario s = sample_entry(9);
    cJSON *json = campaign_scenario_json(&s);
    cJSON *by = cJSON_GetObjectItemCaseSensitive(json, "by_torn");
    cJSON_ReplaceItemInObjectCaseSensitive(by, "program/bits", cJSON_CreateNumber(33));
    campaign_scenario back;
    char why[200];
    cr_assert_eq(campaign_scenario_from_json(json, &back, why, sizeof why), CAMPAIGN_OK, "%s", why);
    cr_assert_eq(back.by_program[3].verified, 33);
    cr_assert_eq(back.by_program[3].read_valid, 0);
    cJSON_ReplaceItemInObjectCaseSensitive(by, "program/bits", cJSON_CreateString("many"));
    campaign_scenario_free(&back);
    cr_assert_eq(campaign_scenario_from_json(json, &back, why, sizeof why), CAMPAIGN_E_INVALID);
    cr_assert(strstr(why, "by_torn.program/bits"), "%s", why);
    cJSON_Delete(json);
    campaign_scenario_free(&s);
}

/* The runner's samples of the tear watch (runner_branch_info), fed by hand. */
Test(campaign, tries_feed_the_flip_counts) {
    campaign_scenario s = {0};
    runner_branch_info info = {.landed = true};
    campaign_count_try(&s, false, NOR_TORN_PROG_METASTABLE, &info); /* nothing torn watched */
    info.torn_watched = true;
    info.torn_read_valid = true;
    campaign_count_try(&s, false, NOR_TORN_PROG_METASTABLE, &info);
    info.torn_read_changed = true;
    campaign_count_try(&s, false, NOR_TORN_PROG_METASTABLE, &info);
    info.torn_read_valid = false;
    campaign_count_try(&s, true, NOR_TORN_ERASE_WEAK, &info);
    info.landed = false; /* a cut that never landed watched nothing of its own */
    campaign_count_try(&s, true, NOR_TORN_ERASE_WEAK, &info);
    const campaign_torn_counts *m = &s.by_program[NOR_TORN_PROG_METASTABLE];
    cr_assert_eq(m->verified, 3);
    cr_assert_eq(m->read_valid, 2);
    cr_assert_eq(m->changed, 1);
    const campaign_torn_counts *w = &s.by_erase[NOR_TORN_ERASE_WEAK];
    cr_assert_eq(w->verified, 2);
    cr_assert_eq(w->read_valid, 0);
    cr_assert_eq(w->changed, 1);
    campaign_count_try(&s, true, CAMPAIGN_TORN_ERASE_MODES, &info); /* out of range: ignored */
    cr_assert_null(campaign_torn_counts_of(&s, false, CAMPAIGN_TORN_PROGRAM_MODES));
}
