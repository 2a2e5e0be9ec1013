/* `norbench run FILE|DIR...`: runs scenarios (directories: every *.json below them, schema files
 * left out) and prints a table, JSON, or only failures; writes results.json, junit.xml and
 * index.html with --report. Exit 0 when all pass, 1 when any fails, 2 on usage or file errors. */
#include "cli.h"
#include "commands.h"
#include "reports.h"
#include "run_matrix.h"
#include "runner.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Wall-clock seconds between two drawings of the progress line. */
#define PROGRESS_PERIOD 1.0

typedef struct progress_line {
    bool enabled;
    size_t index, total;
    double next; /* when to draw again */
} progress_line;

static void show_progress(void *ctx, const char *name, uint64_t engine_ops) {
    progress_line *p = ctx;
    if (!p->enabled) return;
    double now = run_now_seconds();
    if (engine_ops && now < p->next) return;
    p->next = now + PROGRESS_PERIOD;
    fprintf(stderr, "\r[%zu/%zu] %-32.32s %12llu engine ops", p->index + 1, p->total, name,
            (unsigned long long)engine_ops);
    fflush(stderr);
}

static void clear_progress(const progress_line *p) {
    if (p->enabled) fprintf(stderr, "\r%*s\r", 72, "");
}

/* The crash guard for the scenario running, whose engine type is "plugin". */
typedef struct plugin_guard {
    const char *command;
    const char *scenario;
} plugin_guard;

static void guard_scenario_plugin(void *ctx, const char *library) {
    const plugin_guard *g = ctx;
    cli_crash_guard_scenario(g->scenario, library);
    cli_crash_guard_install(g->command);
}

int cmd_run(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("run");
    bool json = false, quiet = false;
    uint64_t seed = 0;
    const char *report_dir = NULL, *presets = NULL, *filter = NULL, *dump_dir = NULL;
    const char *target = NULL, *firmware = NULL, *engine_lib = NULL;
    const cli_flag flags[] = {
        {"seed", CLI_U64, &seed, "N", "run every scenario with seed N instead of its own"},
        {"json", CLI_BOOL, &json, NULL, "print the results as JSON (as in results.json)"},
        {"report", CLI_STRING, &report_dir, "DIR",
         "write DIR/results.json, DIR/junit.xml and DIR/index.html"},
        {"quiet", CLI_BOOL, &quiet, NULL, "print only failures"},
        {"preset", CLI_STRING, &presets, "A,B,...",
         "run each scenario on each of these presets (instead of its own or its matrix)"},
        {"filter", CLI_STRING, &filter, "GLOB", "run only the scenarios whose name matches GLOB"},
        {"dump-image", CLI_STRING, &dump_dir, "DIR",
         "save each run's flash (at its end or its failure) as DIR/NAME.bin + .json "
         "(DIR/NAME.PRESET.bin for a matrix's or --preset's runs)"},
        {"target", CLI_STRING, &target, "BOARD",
         "run the engine in the agent firmware on an emulated board (norbench emu's boards)"},
        {"firmware", CLI_STRING, &firmware, "FILE",
         "with --target: the agent ELF (default: the one built beside norbench)"},
        {"engine-lib", CLI_STRING, &engine_lib, "PATH",
         "drive the engine plugin PATH (docs/plugins.md) instead of the scenario's engine"},
        {NULL, 0, NULL, NULL, NULL},
    };
    bool seed_given = cli_flag_present(argc, argv, "seed");
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos == 0) return cli_usage_error(cmd, "expected at least one scenario FILE or DIR");
    if (firmware && !target) return cli_usage_error(cmd, "--firmware needs --target");
    cli_find_engine_fn find_engine = NULL;
    if (target && (rc = cli_target_setup(cmd, target, firmware, &find_engine))) return rc;
    const adapter_kind *engine = NULL;
    if ((rc = cli_engine_lib_setup(cmd, engine_lib, target, &engine))) return rc;
    if (engine) cli_crash_guard_install(cmd->name);
    plugin_guard guard = {cmd->name, ""};

    if (report_dir && (rc = cli_report_dir_ready(cmd, report_dir))) return rc;
    if (dump_dir && (rc = cli_output_dir_ready(cmd, dump_dir, "the images"))) return rc;
    int exit_code = CLI_EXIT_OK;
    path_list files = {0};
    rc = cli_collect_scenarios(cmd, argv + 1, npos, &files);
    if (rc == CLI_EXIT_FAIL) return rc;
    if (rc) exit_code = rc;
    if (files.count == 0) return exit_code; /* each path named has been reported */
    if (filter && (rc = cli_filter_scenarios(cmd, &files, filter))) {
        path_list_free(&files);
        return rc;
    }
    run_plan plan;
    if ((rc = run_plan_build(cmd, &files, presets, &plan))) {
        path_list_free(&files);
        return rc;
    }

    progress_line progress = {.enabled = !json && !quiet && isatty(STDERR_FILENO),
                              .total = plan.count};
    runner_options opts = {.override_seed = seed_given,
                           .seed = seed,
                           .find_engine = find_engine,
                           .engine = engine,
                           .progress = show_progress,
                           .progress_ctx = &progress,
                           .page_map = report_dir != NULL,
                           .on_plugin_library = guard_scenario_plugin,
                           .plugin_library_ctx = &guard};
    run_results results;
    run_results_init(&results);
    clock_t cpu_started = clock();
    double started = run_now_seconds();
    for (size_t i = 0; i < plan.count; i++) {
        scenario_result *r = run_results_add(&results);
        if (!r) {
            fprintf(stderr, "norbench run: out of memory\n");
            exit_code = CLI_EXIT_FAIL;
            break;
        }
        progress.index = i;
        show_progress(&progress, plan.items[i].path, 0);
        guard.scenario = plan.items[i].path;
        if (engine) cli_crash_guard_scenario(plan.items[i].path, engine_lib);
        scenario_errors errors;
        bool dump_failed = false;
        rc = run_combination_run(&plan.items[i], &opts, dump_dir, r, &errors, &dump_failed);
        if (!engine) cli_crash_guard_remove();
        if (dump_failed) exit_code = CLI_EXIT_USAGE;
        clear_progress(&progress);
        /* A scenario that cannot be run is said once, here; the table shows its ERROR row. */
        if (rc == RUNNER_E_INVALID && errors.count)
            cli_print_scenario_errors(&errors);
        else if (r->verdict == RUN_ERROR)
            fprintf(stderr, "ERROR %s\n", r->message);
        if (rc == RUNNER_E_INVALID || rc == RUNNER_E_UNSUPPORTED) {
            exit_code = CLI_EXIT_USAGE;
        } else if (r->verdict != RUN_PASS && exit_code == CLI_EXIT_OK) {
            exit_code = CLI_EXIT_FAIL;
        }
        scenario_errors_free(&errors);
    }
    results.wall_seconds = run_now_seconds() - started;
    results.cpu_seconds = (double)(clock() - cpu_started) / CLOCKS_PER_SEC;

    if (json) {
        char *text = report_json_string(&results);
        if (text)
            printf("%s\n", text);
        else
            exit_code = CLI_EXIT_FAIL;
        free(text);
    } else if (quiet) {
        for (size_t i = 0; i < results.count; i++)
            if (results.items[i].verdict == RUN_FAIL)
                fprintf(stderr, "FAIL %s\n", results.items[i].message);
    } else {
        report_print_table(stdout, &results);
    }
    if (report_dir) {
        char *command = cli_command_line(argc, argv);
        report_html_context page = {.command = command};
        const char *failed = NULL;
        int err = report_write_dir(report_dir, &results, &page, &failed);
        free(command);
        if (err) {
            cli_report_write_failed(cmd->name, report_dir, failed, err);
            exit_code = CLI_EXIT_USAGE;
        }
    }
    run_results_free(&results);
    run_plan_free(&plan);
    path_list_free(&files);
    return exit_code;
}
