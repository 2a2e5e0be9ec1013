/* The JSON form of a campaign's plan, printed by `norbench powercut --dry-run --json`
 * (docs/powercut.md): what each scenario will try, what was done before (a resumed campaign),
 * and the time estimated from the sample. */
#include "campaign_internal.h"

#include <stdlib.h>

#ifndef NORBENCH_VERSION
#define NORBENCH_VERSION "0.1.0"
#endif

static cJSON *scenario_plan_json(const campaign_scenario *s, const campaign_job_plan *p) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", s->file);
    cJSON_AddStringToObject(o, "name", s->name);
    char seed[RUN_SEED_TEXT_MAX]; /* a decimal string, exact above 2^53, as in powercut.json */
    run_seed_format(seed, s->seed);
    cJSON_AddStringToObject(o, "seed", seed);
    cJSON_AddNumberToObject(o, "flash_ops", (double)s->flash_ops);
    cJSON_AddNumberToObject(o, "mode_cut_points", (double)s->mode_cut_points);
    if (s->max_tries)
        cJSON_AddNumberToObject(o, "max_tries", (double)s->max_tries);
    else
        cJSON_AddNullToObject(o, "max_tries");
    cJSON_AddNumberToObject(o, "cut_points", (double)p->cut_points);
    cJSON_AddNumberToObject(o, "tries", (double)p->tries);
    cJSON_AddNumberToObject(o, "coverage",
                            s->mode_cut_points ? (double)p->cut_points / (double)s->mode_cut_points
                                               : 1.0);
    cJSON_AddNumberToObject(o, "done_cut_points", (double)p->done_cut_points);
    cJSON_AddNumberToObject(o, "done_tries", (double)p->done_tries);
    cJSON_AddNumberToObject(o, "workers", p->workers);
    cJSON_AddNumberToObject(o, "baseline_seconds", p->baseline_seconds);
    cJSON_AddNumberToObject(o, "try_seconds", p->try_seconds);
    cJSON_AddNumberToObject(o, "estimate_seconds", p->estimate_seconds);
    if (s->has_error)
        cJSON_AddStringToObject(o, "error", s->error);
    else
        cJSON_AddNullToObject(o, "error");
    return o;
}

char *campaign_plan_to_json(const campaign_result *r, const campaign_job_plan *plans) {
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON_AddStringToObject(root, "norbench", NORBENCH_VERSION);
    cJSON_AddStringToObject(root, "kind", "powercut-plan");
    cJSON_AddItemToObject(root, "options", campaign_options_json(&r->options));
    cJSON *list = cJSON_AddArrayToObject(root, "scenarios");
    uint64_t cut_points = 0, tries = 0, done = 0;
    double estimate = 0;
    for (size_t i = 0; i < r->count; i++) {
        cJSON_AddItemToArray(list, scenario_plan_json(&r->scenarios[i], &plans[i]));
        cut_points += plans[i].cut_points;
        tries += plans[i].tries;
        done += plans[i].done_tries;
        estimate += plans[i].estimate_seconds;
    }
    cJSON *totals = cJSON_AddObjectToObject(root, "totals");
    cJSON_AddNumberToObject(totals, "cut_points", (double)cut_points);
    cJSON_AddNumberToObject(totals, "tries", (double)tries);
    cJSON_AddNumberToObject(totals, "done_tries", (double)done);
    cJSON_AddNumberToObject(totals, "estimate_seconds", estimate);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}
