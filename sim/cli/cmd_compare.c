/* `norbench compare FILE --engines A,B,... [--campaign FILE] [--max-hours N] [--json] [--report
 * DIR]`: engines side by side on one workload (docs/lifetime.md): the flash traffic of the
 * scenario's run (reads, bytes read, programs, bytes programmed, erases), write amplification,
 * wear spread and lifetime as `norbench lifetime` measures them (--max-hours as there), and the
 * verdict of a bounded power-cut campaign on the same file or on --campaign FILE; --report DIR
 * writes the JSON and an HTML page of it (docs/reports.md). Exit 0 when every row was measured,
 * 1 when a row could not be (its engine cannot run the scenario, or its power cuts are an ERROR;
 * the table is printed all the same), 2 on usage or file errors. */
#define _POSIX_C_SOURCE 200809L /* strtok_r, sysconf */
#include "campaign.h"
#include "cli.h"
#include "commands.h"
#include "lifetime.h"
#include "reports.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COMPARE_ENGINES_MAX 8
/* The bounded campaign: every cut point in every torn mode, depth 1, each recovery followed by
 * this many scenario operations, and at most this many tries (sampled evenly, seeded, as
 * `powercut --max-tries`). */
#define COMPARE_CAMPAIGN_STEPS     20
#define COMPARE_CAMPAIGN_MAX_TRIES 300

/* Its plain run is in this process, under the crash guard; its tries are in workers. */
static void bounded_campaign(const char *file, const adapter_kind *kind, compare_result *row) {
    campaign_options o;
    campaign_options_default(&o);
    o.limit_steps = true;
    o.steps = COMPARE_CAMPAIGN_STEPS;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o.jobs = cores > 0 ? (unsigned)cores : 1;
    o.engine = kind;
    campaign_job *job = NULL;
    cli_crash_guard_engine("compare", "the plain run of scenario", file, kind, NULL);
    row->campaign_rc = campaign_job_open(file, &o, &job, &row->campaign, NULL);
    cli_crash_guard_remove();
    if (!row->campaign_rc)
        row->campaign_rc = campaign_job_limit(job, COMPARE_CAMPAIGN_MAX_TRIES, &row->campaign);
    if (!row->campaign_rc) row->campaign_rc = campaign_job_run(job, &row->campaign);
    campaign_job_free(job);
}

static void print_text(const char *file, const char *campaign_file, const compare_result *rows,
                       size_t count) {
    printf("workload: %s; power cuts: %s (every torn mode, %d operations after each recovery, at "
           "most %d tries sampled evenly)\n",
           file, campaign_file, COMPARE_CAMPAIGN_STEPS, COMPARE_CAMPAIGN_MAX_TRIES);
    printf("%-14s %10s %12s %14s %10s %14s %8s %6s %7s %12s %8s %5s  %s\n", "engine", "sim time",
           "reads", "bytes read", "programs", "bytes progr.", "erases", "WA", "spread", "lifetime",
           "refused", "run", "power cuts");
    for (size_t i = 0; i < count; i++) {
        const compare_result *row = &rows[i];
        const lifetime_figures *f = &row->figures;
        const scenario_result *r = &f->run;
        char years[32], sim[32], cuts[96];
        lifetime_format_years(years, sizeof years, f->years);
        lifetime_format_years(sim, sizeof sim, f->hours / LIFETIME_HOURS_PER_YEAR);
        if (row->campaign.baseline_failed)
            snprintf(cuts, sizeof cuts, "ERROR (fails without a cut)");
        else if (row->campaign.failure_count > row->campaign.verified) /* a worker crashed */
            snprintf(cuts, sizeof cuts, "%s (%llu failures, %llu tries completed)",
                     compare_campaign_verdict(row), (unsigned long long)row->campaign.failure_count,
                     (unsigned long long)row->campaign.verified);
        else
            snprintf(cuts, sizeof cuts, "%s (%llu of %llu tries failed)",
                     compare_campaign_verdict(row), (unsigned long long)row->campaign.failure_count,
                     (unsigned long long)row->campaign.verified);
        if (row->measured) {
            printf("%-14.14s ERROR: %s\n", f->engine, r->message);
            continue;
        }
        printf("%-14.14s %10s %12llu %14llu %10llu %14llu %8llu %6.2f %7.2f %12s %8llu %5s  %s\n",
               f->engine, sim, (unsigned long long)r->reads, (unsigned long long)r->read_bytes,
               (unsigned long long)r->programs, (unsigned long long)r->program_bytes,
               (unsigned long long)r->erases, f->program_per_user_byte, f->wear_spread, years,
               (unsigned long long)f->refused, run_verdict_name(r->verdict), cuts);
    }
    for (size_t i = 0; i < count; i++) {
        const compare_result *row = &rows[i];
        if (!row->measured) lifetime_print_extension(stdout, &row->figures);
        if (row->figures.run.message[0] && !row->measured)
            printf("%s: run: %s\n", row->figures.engine, row->figures.run.message);
        if (row->campaign.has_error)
            printf("%s: power cuts: %s\n", row->figures.engine, row->campaign.error);
        else if (row->campaign.failure_count)
            printf("%s: power cuts: %s\n", row->figures.engine, row->campaign.failures[0].message);
    }
}

static cJSON *compare_json(const char *file, const char *campaign_file, const compare_result *rows,
                           size_t count) {
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON_AddStringToObject(root, "scenario", file);
    cJSON *campaign = cJSON_AddObjectToObject(root, "campaign");
    cJSON_AddStringToObject(campaign, "file", campaign_file);
    cJSON_AddStringToObject(campaign, "mode", "exhaustive");
    cJSON_AddNumberToObject(campaign, "steps_after_recovery", COMPARE_CAMPAIGN_STEPS);
    cJSON_AddNumberToObject(campaign, "max_tries", COMPARE_CAMPAIGN_MAX_TRIES);
    cJSON *engines = cJSON_AddArrayToObject(root, "engines");
    for (size_t i = 0; engines && i < count; i++) {
        const compare_result *row = &rows[i];
        cJSON *o = lifetime_figures_json(&row->figures);
        if (!o) break;
        cJSON *cuts = cJSON_AddObjectToObject(o, "power_cuts");
        cJSON_AddStringToObject(cuts, "verdict", compare_campaign_verdict(row));
        cJSON_AddNumberToObject(cuts, "tries", (double)row->campaign.verified);
        cJSON_AddNumberToObject(cuts, "failures", (double)row->campaign.failure_count);
        if (row->campaign.has_error)
            cJSON_AddStringToObject(cuts, "message", row->campaign.error);
        else if (row->campaign.failure_count)
            cJSON_AddStringToObject(cuts, "message", row->campaign.failures[0].message);
        cJSON_AddItemToArray(engines, o);
    }
    return root;
}

static int compare_page(const char *dir, const char *json, const void *data,
                        const report_html_context *ctx, const char **failed) {
    return report_write_compare_dir(dir, json, data, ctx, failed);
}

/* "map,naive-map,plugin:PATH" into kinds; CLI_EXIT_USAGE after one message. */
static int parse_engines(const cli_command *cmd, const char *list, const adapter_kind **kinds,
                         size_t *count) {
    char names[4096];
    if (snprintf(names, sizeof names, "%s", list) >= (int)sizeof names)
        return cli_usage_error(cmd, "--engines: the list is too long");
    *count = 0;
    for (char *save = NULL, *name = strtok_r(names, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        if (*count == COMPARE_ENGINES_MAX)
            return cli_usage_error(cmd, "--engines: at most %d engines", COMPARE_ENGINES_MAX);
        int rc = cli_engine_find(cmd, "--engines", name, &kinds[*count]);
        if (rc) return rc;
        ++*count;
    }
    return *count ? CLI_EXIT_OK : cli_usage_error(cmd, "--engines: expected A,B,...");
}

int cmd_compare(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("compare");
    const char *engines = NULL, *campaign_file = NULL, *report_dir = NULL;
    bool json = false;
    uint64_t max_hours;
    char engines_help[256];
    snprintf(engines_help, sizeof engines_help, "the engines (required): %s", cli_engine_names());
    const cli_flag flags[] = {
        {"engines", CLI_STRING, &engines, "A,B,...", engines_help},
        {"campaign", CLI_STRING, &campaign_file, "FILE",
         "the scenario of the power-cut column (default: FILE)"},
        cli_max_hours_flag(&max_hours),
        cli_answer_json_flag(&json),
        cli_answer_report_flag(&report_dir),
        {NULL, 0, NULL, NULL, NULL},
    };
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos != 1) return cli_usage_error(cmd, "expected one scenario FILE");
    if (!engines) return cli_usage_error(cmd, "--engines is required");
    if ((rc = cli_max_hours_check(cmd, max_hours))) return rc;
    compare_result rows[COMPARE_ENGINES_MAX];
    const adapter_kind *kinds[COMPARE_ENGINES_MAX];
    memset(rows, 0, sizeof rows);
    size_t count = 0;
    if ((rc = parse_engines(cmd, engines, kinds, &count))) return rc;
    if (report_dir && (rc = cli_report_dir_ready(cmd, report_dir))) return rc;
    if (!campaign_file) campaign_file = argv[1];
    scenario *sc = NULL, *campaign = NULL;
    if ((rc = cli_load_scenario(cmd, NULL, argv[1], &sc))) return rc;
    if (campaign_file != argv[1] &&
        (rc = cli_load_scenario(cmd, "--campaign", campaign_file, &campaign))) {
        scenario_free(sc);
        return rc;
    }
    scenario_free(campaign); /* loaded to check it: the campaign reads it again */
    bool progress = !json && isatty(STDERR_FILENO);
    for (size_t i = 0; i < count; i++) {
        cli_crash_guard_engine(cmd->name, "scenario", argv[1], kinds[i], NULL);
        rows[i].measured = lifetime_measure(sc, argv[1], kinds[i], (double)max_hours,
                                            lifetime_progress_line, &progress, &rows[i].figures);
        rows[i].is_baseline = kinds[i] == adapter_find("naive-map");
        lifetime_progress_clear(&progress);
        if (progress) fprintf(stderr, "compare: %s: power cuts...", rows[i].figures.engine);
        bounded_campaign(campaign_file, kinds[i], &rows[i]);
        lifetime_progress_clear(&progress);
    }
    if (!json) print_text(argv[1], campaign_file, rows, count);
    int exit_code = CLI_EXIT_OK;
    for (size_t i = 0; i < count; i++)
        if (rows[i].measured || strcmp(compare_campaign_verdict(&rows[i]), "ERROR") == 0)
            exit_code = CLI_EXIT_FAIL;
    rc = CLI_EXIT_OK;
    if (json || report_dir) {
        compare_report report = {
            argv[1], campaign_file, COMPARE_CAMPAIGN_STEPS, COMPARE_CAMPAIGN_MAX_TRIES,
            rows,    count};
        rc = cli_json_answer(cmd, compare_json(argv[1], campaign_file, rows, count), json,
                             report_dir, compare_page, &report, argc, argv);
    }
    for (size_t i = 0; i < count; i++) campaign_scenario_free(&rows[i].campaign);
    scenario_free(sc);
    return rc ? rc : exit_code;
}
