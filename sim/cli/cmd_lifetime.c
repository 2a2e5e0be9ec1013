/* `norbench lifetime FILE [--engine NAME|plugin:PATH] [--max-hours N] [--json] [--report DIR]`:
 * how long the flash lasts under the scenario's workload (docs/lifetime.md). Runs it on the
 * engine, and on the naive baseline beside it (map scenarios whose steps it can run; a line says
 * why when it cannot), extended by its workload steps until the erase rate is steady, measures the
 * steady erase rate per sector and the bytes programmed per byte stored, and projects the years
 * until the busiest sector reaches the flash's rated endurance, beside the analytic bound; --report
 * DIR writes the JSON and an HTML page of it (docs/reports.md). Exit 0 with a steady rate, 1
 * without, 2 on usage or file errors. */
#include "cli.h"
#include "commands.h"
#include "lifetime.h"
#include "reports.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void print_row(const lifetime_figures *f, bool bound_known) {
    char years[32], sim[32], steady[32], share[16] = "-";
    lifetime_format_years(years, sizeof years, f->years);
    lifetime_format_years(sim, sizeof sim, f->hours / LIFETIME_HOURS_PER_YEAR);
    snprintf(steady, sizeof steady, "%s %.0f%%", f->steady ? "yes" : "NO", f->rate_deviation);
    if (bound_known && f->bound_years > 0 && f->years < f->bound_years * 1e6)
        snprintf(share, sizeof share, "%.1f%%", 100.0 * f->years / f->bound_years);
    printf("%-14.14s %11s %9s %13.4f %12.4f %7.2f %11.2f %14s %9s  %s\n", f->engine, sim, steady,
           f->sector_erases_per_hour, f->busiest_per_hour, f->wear_spread, f->program_per_user_byte,
           years, share, run_verdict_name(f->run.verdict));
}

/* `no_baseline`: why the naive baseline has no row ("" when it has one or is not meant to). */
static void print_text(const scenario *sc, const lifetime_figures *figures, size_t count,
                       const char *no_baseline) {
    const lifetime_figures *f = &figures[0];
    printf("%s: %s, %u sectors (%llu bytes) in the engine's range, rated %u erase cycles\n",
           sc->name, sc->preset, f->sectors, (unsigned long long)f->range_bytes, f->endurance);
    printf("%-14s %11s %9s %13s %12s %7s %11s %14s %9s  %s\n", "engine", "sim time", "steady",
           "erases/sec/h", "busiest/h", "spread", "prog/user B", "lifetime", "of bound", "verdict");
    bool bound_known = !isinf(f->bound_years);
    for (size_t i = 0; i < count; i++) print_row(&figures[i], bound_known);
    char bound[32];
    lifetime_format_years(bound, sizeof bound, f->bound_years);
    double per_hour = f->hours > 0 ? (double)f->run.user_bytes_asked / f->hours : 0;
    printf("analytic bound: %s (%llu bytes x %u cycles / %.0f bytes the workload asks to store an "
           "hour: keys and values, file data)\n",
           bound, (unsigned long long)f->range_bytes, f->endurance, per_hour);
    printf("steady: the last %d of %d windows of %.1f h each erase within %.0f%% of their mean, "
           "and the busiest sector at least %d times in them; lifetime: its rate in them, to the "
           "rated cycles\n",
           LIFETIME_STEADY_WINDOWS, LIFETIME_WINDOWS, f->window_hours, LIFETIME_STEADY_PERCENT,
           LIFETIME_STEADY_MIN_ERASES);
    for (size_t i = 0; i < count; i++) {
        lifetime_print_extension(stdout, &figures[i]);
        if (figures[i].refused)
            printf("%s: refused %llu stores or pushes (full, too big): its figures count only "
                   "what it stored\n",
                   figures[i].engine, (unsigned long long)figures[i].refused);
        if (figures[i].run.message[0])
            printf("%s: %s\n", figures[i].engine, figures[i].run.message);
    }
    if (no_baseline[0]) printf("no naive baseline beside it: %s\n", no_baseline);
}

static cJSON *figures_json(const scenario *sc, const lifetime_figures *figures, size_t count,
                           const char *no_baseline) {
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON_AddStringToObject(root, "scenario", sc->name);
    cJSON_AddStringToObject(root, "preset", sc->preset);
    if (no_baseline[0]) cJSON_AddStringToObject(root, "no_baseline", no_baseline);
    cJSON *rule = cJSON_AddObjectToObject(root, "steady_rule");
    cJSON_AddNumberToObject(rule, "windows", LIFETIME_WINDOWS);
    cJSON_AddNumberToObject(rule, "steady_windows", LIFETIME_STEADY_WINDOWS);
    cJSON_AddNumberToObject(rule, "percent", LIFETIME_STEADY_PERCENT);
    cJSON_AddNumberToObject(rule, "min_busiest_erases", LIFETIME_STEADY_MIN_ERASES);
    cJSON_AddNumberToObject(rule, "max_hours", figures[0].max_hours);
    cJSON_AddNumberToObject(rule, "max_passes", LIFETIME_MAX_PASSES);
    cJSON *engines = cJSON_AddArrayToObject(root, "engines");
    for (size_t i = 0; engines && i < count; i++)
        cJSON_AddItemToArray(engines, lifetime_figures_json(&figures[i]));
    return root;
}

static int lifetime_page(const char *dir, const char *json, const void *data,
                         const report_html_context *ctx, const char **failed) {
    return report_write_lifetime_dir(dir, json, data, ctx, failed);
}

int cmd_lifetime(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("lifetime");
    const char *engine_name = NULL, *report_dir = NULL;
    bool json = false;
    uint64_t max_hours;
    char engine_help[256];
    snprintf(engine_help, sizeof engine_help, "measure this engine instead of the scenario's: %s",
             cli_engine_names());
    const cli_flag flags[] = {
        {"engine", CLI_STRING, &engine_name, "NAME", engine_help},
        cli_max_hours_flag(&max_hours),
        cli_answer_json_flag(&json),
        cli_answer_report_flag(&report_dir),
        {NULL, 0, NULL, NULL, NULL},
    };
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos != 1) return cli_usage_error(cmd, "expected one scenario FILE");
    if ((rc = cli_max_hours_check(cmd, max_hours))) return rc;
    const adapter_kind *engine = NULL;
    if (engine_name && (rc = cli_engine_find(cmd, "--engine", engine_name, &engine))) return rc;
    if (report_dir && (rc = cli_report_dir_ready(cmd, report_dir))) return rc;
    scenario *sc = NULL;
    if ((rc = cli_load_scenario(cmd, NULL, argv[1], &sc))) return rc;

    /* The engine measured, then the naive baseline beside it when it can run the workload; a
     * map scenario it cannot run (the Map façade's map_* steps) gets a line saying why. */
    const adapter_kind *baseline = adapter_find("naive-map");
    const char *measured = engine ? engine->name : sc->engine.type;
    bool with_baseline =
        (sc->engine.capabilities & SCENARIO_CAN_MAP) && strcmp(measured, baseline->name) != 0;
    char no_baseline[RUN_MESSAGE_MAX] = "";
    if (with_baseline && !runner_engine_fits(sc, baseline, no_baseline, sizeof no_baseline))
        with_baseline = false;
    bool progress = !json && isatty(STDERR_FILENO);
    lifetime_figures figures[2];
    size_t count = 0;
    int exit_code = CLI_EXIT_OK;
    for (const adapter_kind *kind = engine;; kind = baseline) {
        cli_crash_guard_engine(cmd->name, "scenario", argv[1], kind, sc->engine.library);
        rc = lifetime_measure(sc, argv[1], kind, (double)max_hours, lifetime_progress_line,
                              &progress, &figures[count]);
        lifetime_progress_clear(&progress);
        const char *why =
            figures[count].run.message[0] ? figures[count].run.message : runner_strerror(rc);
        if (rc == RUNNER_E_ENGINE && count) { /* the baseline could not start: the engine's row */
            snprintf(no_baseline, sizeof no_baseline, "%s", why);
            break;
        }
        if (rc) {
            fprintf(stderr, "norbench lifetime: %s: %s\n", figures[count].engine, why);
            scenario_free(sc);
            return count ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
        }
        count++;
        if (count == 2 || !with_baseline) break;
    }
    cli_crash_guard_remove();
    if (!figures[0].steady) exit_code = CLI_EXIT_FAIL;
    if (!json) print_text(sc, figures, count, no_baseline);
    rc = CLI_EXIT_OK;
    if (json || report_dir) {
        lifetime_report report = {sc->name, sc->preset, &figures[0],
                                  count == 2 ? &figures[1] : NULL};
        rc = cli_json_answer(cmd, figures_json(sc, figures, count, no_baseline), json, report_dir,
                             lifetime_page, &report, argc, argv);
    }
    scenario_free(sc);
    return rc ? rc : exit_code;
}
