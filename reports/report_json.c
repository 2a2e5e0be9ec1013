/* results.json: every figure of the table per scenario, the flash statistics behind them and
 * the per-sector erase counts, built with cJSON. `norbench run --json` prints the same. */
#include "reports.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>

static bool add_number(cJSON *obj, const char *name, double value) {
    return cJSON_AddNumberToObject(obj, name, value) != NULL;
}

static cJSON *scenario_to_json(const scenario_result *r) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    bool ok = cJSON_AddStringToObject(o, "name", r->name) &&
              cJSON_AddStringToObject(o, "file", r->file) &&
              cJSON_AddStringToObject(o, "verdict",
                                      r->verdict == RUN_PASS   ? "pass"
                                      : r->verdict == RUN_FAIL ? "fail"
                                                               : "error") &&
              cJSON_AddStringToObject(o, "preset", r->preset) &&
              cJSON_AddStringToObject(o, "engine", r->engine);
    char seed[RUN_SEED_TEXT_MAX];
    run_seed_format(seed, r->seed);
    ok = ok && cJSON_AddStringToObject(o, "seed", seed);
    ok = ok && add_number(o, "steps", (double)r->steps_run) &&
         add_number(o, "engine_ops", (double)r->engine_ops) &&
         add_number(o, "flash_ops", (double)r->flash_ops) &&
         add_number(o, "programs", (double)r->programs) &&
         add_number(o, "program_bytes", (double)r->program_bytes) &&
         add_number(o, "erases", (double)r->erases) && add_number(o, "reads", (double)r->reads) &&
         add_number(o, "read_bytes", (double)r->read_bytes) &&
         add_number(o, "violations", (double)r->violations) &&
         add_number(o, "ecc_errors", (double)r->ecc_errors) &&
         add_number(o, "power_cuts", (double)r->power_cuts) &&
         add_number(o, "wear_max", r->wear_max) && add_number(o, "wear_min", r->wear_min) &&
         add_number(o, "sim_time_us", (double)r->sim_time_us) &&
         add_number(o, "wall_seconds", r->wall_seconds) &&
         add_number(o, "cpu_seconds", r->cpu_seconds);
    /* Refusals taken without an expect: {"store": {"full": n, "too_big": n}, "push": {...}}. */
    cJSON *refused = ok ? cJSON_AddObjectToObject(o, "refused") : NULL;
    ok = refused != NULL;
    for (unsigned op = 0; ok && op < RUN_REFUSED_OPS; op++) {
        cJSON *by = cJSON_AddObjectToObject(refused, op == RUN_REFUSED_PUSH ? "push" : "store");
        ok = by && add_number(by, "full", (double)r->refused[op][RUN_REFUSED_FULL]) &&
             add_number(by, "too_big", (double)r->refused[op][RUN_REFUSED_TOO_BIG]);
    }
    cJSON *sectors = cJSON_AddArrayToObject(o, "sector_erases");
    ok = ok && sectors;
    for (uint32_t i = 0; ok && r->sector_erases && i < r->sector_count; i++) {
        cJSON *n = cJSON_CreateNumber(r->sector_erases[i]);
        ok = n && cJSON_AddItemToArray(sectors, n);
    }
    if (ok && r->note[0]) ok = cJSON_AddStringToObject(o, "note", r->note) != NULL;
    if (ok && r->verdict != RUN_PASS)
        ok = cJSON_AddStringToObject(o, "failed_step", r->failed_step) &&
             cJSON_AddStringToObject(o, "message", r->message);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

char *report_json_string(const run_results *results) {
    cJSON *root = cJSON_CreateObject();
    cJSON *summary = root ? cJSON_AddObjectToObject(root, "summary") : NULL;
    bool ok =
        summary && add_number(summary, "scenarios", (double)results->count) &&
        add_number(summary, "passed", (double)run_results_count_verdict(results, RUN_PASS)) &&
        add_number(summary, "failed", (double)run_results_count_verdict(results, RUN_FAIL)) &&
        add_number(summary, "errors", (double)run_results_count_verdict(results, RUN_ERROR)) &&
        add_number(summary, "wall_seconds", results->wall_seconds) &&
        add_number(summary, "cpu_seconds", results->cpu_seconds);
    cJSON *list = ok ? cJSON_AddArrayToObject(root, "scenarios") : NULL;
    ok = list != NULL;
    for (size_t i = 0; ok && i < results->count; i++) {
        cJSON *item = scenario_to_json(&results->items[i]);
        ok = item && cJSON_AddItemToArray(list, item);
    }
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    return text;
}
