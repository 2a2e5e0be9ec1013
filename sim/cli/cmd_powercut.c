/* `norbench powercut FILE|DIR...`: power-cut campaigns (docs/powercut.md). Parses the
 * campaign's flags, plans every scenario (and prints the plan with its estimate; all that
 * --dry-run does), runs each scenario's campaign with a progress bar on a terminal, prints the
 * table (or the JSON result), writes DIR/powercut.json, DIR/index.html and the reproducers. Exit 0
 * when every cut point verified, 1 when one failed or a scenario could not be run, 2 on usage or
 * file errors (a budget that keeps none of a scenario's cut points too), 130 when SIGINT or SIGTERM
 * stopped it (the results so far are written, --resume goes on). */
#include "campaign.h"
#include "cli.h"
#include "commands.h"
#include "run_matrix.h"
#include "powercut_print.h"
#include "powercut_run.h"
#include "reports.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The largest count powercut.json keeps exactly (a JSON number: a double), so that --resume
 * finds the flags it was given. */
#define EXACT_MAX (UINT64_C(1) << 53)

/* "PREFIX:N" with 1 <= N <= EXACT_MAX. */
static bool parse_count(const char *text, const char *prefix, uint64_t *n) {
    size_t len = strlen(prefix);
    if (strncmp(text, prefix, len) || text[len] < '0' || text[len] > '9') return false;
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text + len, &end, 10);
    if (*end || errno || value == 0 || value > EXACT_MAX) return false;
    *n = value;
    return true;
}

static int parse_mode(const cli_command *cmd, const char *text, campaign_options *o) {
    if (!strcmp(text, "exhaustive")) return o->mode = CAMPAIGN_EXHAUSTIVE, -1;
    if (!strcmp(text, "linear")) return o->mode = CAMPAIGN_LINEAR, -1;
    if (!strcmp(text, "log")) return o->mode = CAMPAIGN_LOG, -1;
    if (parse_count(text, "random:", &o->random_count)) return o->mode = CAMPAIGN_RANDOM, -1;
    if (parse_count(text, "every:", &o->every)) return o->mode = CAMPAIGN_EVERY, -1;
    return cli_usage_error(cmd,
                           "--mode '%s': expected exhaustive, linear, log, random:N or every:K "
                           "(1 <= N, K <= 2^53)",
                           text);
}

static int parse_shard(const cli_command *cmd, const char *text, campaign_options *o) {
    unsigned index, count;
    char extra;
    if (sscanf(text, "%u/%u%c", &index, &count, &extra) != 2 || count == 0 || index == 0 ||
        index > count)
        return cli_usage_error(cmd, "--shard '%s': expected I/N with 1 <= I <= N", text);
    if (count > CAMPAIGN_SHARDS_MAX) /* shares no merge could add up */
        return cli_usage_error(cmd,
                               "--shard '%s': at most %u shares (N), what norbench merge adds up",
                               text, CAMPAIGN_SHARDS_MAX);
    o->shard_index = index;
    o->shard_count = count;
    return -1;
}

static unsigned default_jobs(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* DIR/powercut.json; the reproducers are already in DIR/reproducers. */
static int write_report(const char *dir, const char *text) {
    size_t size = strlen(dir) + sizeof "/powercut.json";
    char *path = malloc(size);
    if (!path) return -1;
    snprintf(path, size, "%s/powercut.json", dir);
    FILE *f = fopen(path, "w");
    int rc = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF ? 0 : -1;
    if (f && fclose(f) != 0) rc = -1;
    if (rc) cli_report_write_failed("powercut", dir, "powercut.json", REPORT_E_IO);
    free(path);
    return rc;
}

/* One command's campaigns: the files, what they are planned to try, what they found. */
typedef struct session {
    const cli_command *cmd;
    const path_list *files;
    campaign_options *o;
    const campaign_result *prior; /* --resume, or NULL */
    const char *report_dir;       /* NULL: none */
    const char *command;          /* the command line, for the report's page (NULL: unknown) */
    bool json, quiet, dry_run;
    campaign_result result;   /* an entry per file that loads, in order */
    campaign_job **jobs;      /* per entry (NULL: never opened) */
    campaign_job_plan *plans; /* per entry */
    powercut_progress bar;    /* the jobs' options point at it */
    const char *planning;     /* the file whose plain run runs now */
    int exit_code;
} session;

/* The crash guard of a plain run whose scenario names its engine plugin (engine type "plugin"). */
static void guard_plain_run_plugin(void *ctx, const char *library) {
    const session *s = ctx;
    cli_crash_guard_engine(s->cmd->name, "the plain run of scenario", s->planning, NULL, library);
}

static void note_exit(session *s, int code) {
    if (code > s->exit_code) s->exit_code = code;
}

/* Opens (the plain run), takes over a stopped campaign's entry and times a sample, file by
 * file; a stop asked for meanwhile leaves the files not opened as entries with nothing done.
 * False when a resumed campaign cannot go on (reported). */
static bool plan_campaigns(session *s, bool estimate) {
    for (size_t i = 0; i < s->files->count; i++) {
        campaign_scenario *entry = &s->result.scenarios[s->result.count];
        const char *file = s->files->items[i];
        if (campaign_stop_requested()) {
            memset(entry, 0, sizeof *entry);
            snprintf(entry->file, sizeof entry->file, "%s", file);
            snprintf(entry->name, sizeof entry->name, "%s",
                     strrchr(file, '/') ? strrchr(file, '/') + 1 : file);
            entry->incomplete = true;
            s->result.count++;
            continue;
        }
        campaign_job *job = NULL;
        if (s->bar.enabled) {
            fprintf(stderr, "\r[%zu/%zu] planning %.60s: its plain run and a timed sample...",
                    i + 1, s->files->count, file);
            fflush(stderr);
        }
        /* The plain run is in this process; the sample and the tries are in workers. */
        s->planning = file;
        cli_crash_guard_engine(s->cmd->name, "the plain run of scenario", file, s->o->engine, NULL);
        scenario_errors errors;
        int rc = campaign_job_open(file, s->o, &job, entry, &errors);
        cli_crash_guard_remove();
        char why[700] = "";
        if (!rc && s->prior)
            rc = campaign_job_resume(job, &s->prior->scenarios[i], entry, why, sizeof why);
        if (!rc && estimate) rc = campaign_job_estimate(job);
        powercut_clear_progress(&s->bar);
        if (rc == CAMPAIGN_E_INVALID) {
            /* The validator's messages for a file that does not load, all of them as run and
             * validate print them (or one for a file that does not resume), and no row. */
            if (why[0])
                fprintf(stderr, "%s\n", why);
            else if (errors.count)
                cli_print_scenario_errors(&errors);
            else
                fprintf(stderr, "%s\n", entry->error);
        }
        scenario_errors_free(&errors);
        if (rc == CAMPAIGN_E_INVALID) {
            campaign_job_free(job);
            campaign_scenario_free(entry);
            note_exit(s, CLI_EXIT_USAGE);
            /* A resumed campaign goes on whole or not at all: its file stays as it was. */
            if (s->prior) return false;
            continue;
        }
        if (rc) {
            fprintf(stderr, "norbench %s: %s: %s\n", s->cmd->name, file,
                    rc == CAMPAIGN_E_NOMEM ? "out of memory" : "cannot start the sample's worker");
            note_exit(s, CLI_EXIT_FAIL);
        }
        s->jobs[s->result.count] = job;
        if (job) campaign_job_plan_of(job, &s->plans[s->result.count]);
        s->result.count++;
    }
    return true;
}

/* --time-budget: the same share of every scenario's tries, as many as the estimates say fit
 * (the runs the branches start from come first). */
static void apply_time_budget(session *s) {
    double fixed = 0, variable = 0;
    for (size_t i = 0; i < s->result.count; i++) {
        const campaign_job_plan *p = &s->plans[i];
        if (!s->jobs[i]) continue;
        fixed += p->branch_seconds;
        variable += (double)(p->tries - p->done_tries) * p->try_seconds / p->workers;
    }
    double share = variable > 0 ? (s->o->time_budget - fixed) / variable : 1;
    if (share >= 1) return;
    for (size_t i = 0; i < s->result.count; i++) {
        if (!s->jobs[i] || s->result.scenarios[i].has_error) continue;
        /* The share of what the plan holds now: the mode's tries, or --max-tries of them. */
        uint64_t planned = s->plans[i].mode_tries;
        if (s->o->max_tries && s->o->max_tries < planned) planned = s->o->max_tries;
        double allowed = share > 0 ? share * (double)planned : 0;
        /* 0 would mean no limit: 1 allows no point (each has at least one torn mode to try
         * and, with every mode asked for, more). */
        uint64_t cap = allowed >= 1 ? (uint64_t)allowed : 1;
        if (campaign_job_limit(s->jobs[i], cap, &s->result.scenarios[i])) {
            fprintf(stderr, "norbench %s: out of memory\n", s->cmd->name);
            note_exit(s, CLI_EXIT_FAIL);
        }
        campaign_job_plan_of(s->jobs[i], &s->plans[i]);
    }
}

/* A budget that keeps no cut point of a scenario whose mode has some (each point takes one try
 * per requested torn mode of its kind) would try nothing and pass: that scenario is an error, a
 * bad flag value for it (exit 2), and the message gives the smallest budget that tries one. */
static void refuse_empty_budgets(session *s) {
    for (size_t i = 0; i < s->result.count; i++) {
        campaign_scenario *entry = &s->result.scenarios[i];
        const campaign_job_plan *p = &s->plans[i];
        if (!s->jobs[i] || entry->has_error || !entry->max_tries || !entry->mode_cut_points ||
            p->budget_cut_points)
            continue;
        char flag[96];
        if (s->o->time_budget > 0) {
            char budget[32];
            cli_format_duration(budget, sizeof budget, s->o->time_budget);
            snprintf(flag, sizeof flag, "--time-budget %s (%llu %s for it)", budget,
                     (unsigned long long)entry->max_tries,
                     run_plural(entry->max_tries, "try", "tries"));
        } else {
            snprintf(flag, sizeof flag, "--max-tries %llu", (unsigned long long)entry->max_tries);
        }
        char smallest[64];
        uint64_t tries = campaign_job_smallest_budget(s->jobs[i]);
        if (s->o->time_budget > 0)
            snprintf(smallest, sizeof smallest, "the smallest budget that tries one is %llu %s",
                     (unsigned long long)tries, run_plural(tries, "try", "tries"));
        else
            snprintf(smallest, sizeof smallest, "--max-tries %llu is the smallest that tries one",
                     (unsigned long long)tries);
        snprintf(entry->error, sizeof entry->error,
                 "%s keeps none of its %llu cut points (each takes one try per requested torn "
                 "mode of its kind): nothing would be tried; %s",
                 flag, (unsigned long long)entry->mode_cut_points, smallest);
        entry->has_error = true;
        campaign_job_free(s->jobs[i]);
        s->jobs[i] = NULL;
        note_exit(s, CLI_EXIT_USAGE);
    }
}

static void run_planned(session *s) {
    s->bar.total = s->result.count;
    for (size_t i = 0; i < s->result.count; i++) {
        campaign_scenario *entry = &s->result.scenarios[i];
        if (!s->jobs[i]) continue;
        s->bar.index = i;
        /* After a stop this only marks the entry incomplete, with the points done before. */
        int rc = campaign_job_run(s->jobs[i], entry);
        powercut_clear_progress(&s->bar);
        if (rc) {
            fprintf(stderr, "norbench %s: %s: %s\n", s->cmd->name, entry->file,
                    rc == CAMPAIGN_E_NOMEM ? "out of memory"
                                           : "cannot start the workers or write a reproducer");
            note_exit(s, CLI_EXIT_FAIL);
        } else if (entry->failure_count || entry->has_error) {
            note_exit(s, CLI_EXIT_FAIL);
        }
    }
}

static void session_free(session *s) {
    for (size_t i = 0; s->jobs && i < s->result.count; i++) campaign_job_free(s->jobs[i]);
    free(s->jobs);
    free(s->plans);
    campaign_result_free(&s->result);
}

/* The dry run's output: the plan, as text or JSON, on stdout. */
static int print_dry_run(session *s, bool json) {
    /* A scenario that cannot be campaigned (it fails without a cut) fails the campaign: the
     * plan says so as the campaign would. */
    for (size_t i = 0; i < s->result.count; i++)
        if (s->result.scenarios[i].has_error) note_exit(s, CLI_EXIT_FAIL);
    if (!json) {
        powercut_print_plan(stdout, &s->result, s->plans);
        return s->exit_code;
    }
    char *text = campaign_plan_to_json(&s->result, s->plans);
    if (!text) {
        fprintf(stderr, "norbench powercut: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    printf("%s\n", text);
    free(text);
    return s->exit_code;
}

/* DIR/index.html, the campaign's page. */
static int write_page(const session *s) {
    report_html_context page = {.command = s->command,
                                .program = cli_program(),
                                .campaign_mode = campaign_mode_name(s->result.options.mode)};
    const char *failed = NULL;
    int rc = report_write_campaign_html(s->report_dir, &s->result, &page, &failed);
    if (rc) cli_report_write_failed("powercut", s->report_dir, failed, rc);
    return rc;
}

/* Interrupted: say where the results are and how to go on. */
static void report_interruption(const char *report_dir) {
    int sig = campaign_stop_signal();
    fprintf(stderr, "norbench powercut: interrupted%s%s; ", sig ? " by " : "",
            sig == SIGTERM ? "SIGTERM"
            : sig          ? "SIGINT"
                           : "");
    if (report_dir)
        fprintf(stderr, "the results so far are in %s/powercut.json: go on with --resume %s\n",
                report_dir, report_dir);
    else
        fprintf(stderr, "nothing was saved to resume from (--report DIR saves it)\n");
}

/* Plans the campaigns, then prints the plan (--dry-run: only that) or runs them, prints the
 * result and writes the report. The exit status. */
static int run_session(session *s) {
    const campaign_options *o = s->o;
    size_t n = s->files->count ? s->files->count : 1;
    s->result = (campaign_result){.options = *o, .jobs_used = o->jobs};
    s->jobs = calloc(n, sizeof *s->jobs);
    s->plans = calloc(n, sizeof *s->plans);
    s->result.scenarios = calloc(n, sizeof *s->result.scenarios);
    if (!s->jobs || !s->plans || !s->result.scenarios) {
        fprintf(stderr, "norbench powercut: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    const char *stop_after = getenv("NORBENCH_POWERCUT_STOP_AFTER"); /* tests/powercut/resume.sh */
    s->bar = (powercut_progress){.enabled = !s->json && !s->quiet && isatty(STDERR_FILENO),
                                 .plans = s->plans,
                                 .stop_after = stop_after ? strtoull(stop_after, NULL, 10) : 0};
    s->o->progress = powercut_show_progress;
    s->o->progress_ctx = &s->bar;
    s->o->on_plugin_library = guard_plain_run_plugin;
    s->o->plugin_library_ctx = s;
    if (!s->dry_run) campaign_install_stop_handlers();
    if (!plan_campaigns(s, s->dry_run || !s->quiet || o->time_budget > 0)) return CLI_EXIT_USAGE;
    if (o->time_budget > 0) apply_time_budget(s);
    refuse_empty_budgets(s);
    if (s->dry_run) return print_dry_run(s, s->json);
    if (!s->quiet && s->result.count) powercut_print_plan(stderr, &s->result, s->plans);
    run_planned(s);

    int exit_code = s->exit_code;
    char *text = campaign_result_to_json(&s->result);
    if (!text) {
        fprintf(stderr, "norbench powercut: out of memory\n");
        exit_code = CLI_EXIT_FAIL;
    } else if (s->json) {
        printf("%s\n", text);
    } else if (s->result.count) {
        powercut_print(stdout, stderr, &s->result, s->quiet);
    }
    if (text && s->report_dir && write_report(s->report_dir, text) && exit_code == CLI_EXIT_OK)
        exit_code = CLI_EXIT_FAIL;
    if (text && s->report_dir && write_page(s) && exit_code == CLI_EXIT_OK)
        exit_code = CLI_EXIT_FAIL;
    free(text);
    if (campaign_stop_requested()) {
        report_interruption(s->report_dir);
        exit_code = CLI_EXIT_INTERRUPTED;
    }
    return exit_code;
}

int cmd_powercut(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("powercut");
    const char *mode = "exhaustive", *torn = "all", *shard = NULL, *report_dir = NULL,
               *budget = NULL, *resume_dir = NULL, *filter = NULL, *target = NULL, *firmware = NULL,
               *engine_lib = NULL;
    uint64_t depth = 1, steps = 0, jobs = 0, seed = 0, max_tries = 0;
    bool json = false, quiet = false, dry_run = false;
    const cli_flag flags[] = {
        {"mode", CLI_STRING, &mode, "M", "exhaustive (default), linear, log, random:N, every:K"},
        {"torn", CLI_STRING, &torn, "MODES", "all (default) or a comma list of torn modes"},
        {"depth", CLI_U64, &depth, "D", "1 (default), or 2: cut again inside each recovery"},
        {"steps", CLI_U64, &steps, "N", "after a recovery, go on N scenario operations only"},
        {"jobs", CLI_U64, &jobs, "N", "worker processes (default: the number of cores)"},
        {"shard", CLI_STRING, &shard, "I/N", "try only the I-th of N shares of the cut points"},
        {"seed", CLI_U64, &seed, "N", "the seed instead of each scenario's own"},
        {"max-tries", CLI_U64, &max_tries, "N",
         "at most N tries per scenario: cut points sampled evenly (seeded)"},
        {"time-budget", CLI_STRING, &budget, "TIME",
         "as many tries as the estimate says fit in TIME (90s, 5m, 1h30m)"},
        {"dry-run", CLI_BOOL, &dry_run, NULL, "print the plan and its estimate, run nothing"},
        {"resume", CLI_STRING, &resume_dir, "DIR",
         "go on with the stopped campaign in DIR/powercut.json"},
        {"json", CLI_BOOL, &json, NULL, "print the result as JSON (as in powercut.json)"},
        {"report", CLI_STRING, &report_dir, "DIR",
         "write DIR/powercut.json, DIR/index.html and DIR/reproducers/*.json"},
        {"quiet", CLI_BOOL, &quiet, NULL, "print only failures (no plan, no progress)"},
        {"filter", CLI_STRING, &filter, "GLOB", "only the scenarios whose name matches GLOB"},
        {"target", CLI_STRING, &target, "BOARD",
         "run the engine in the agent firmware on an emulated board: cuts land in its flash "
         "operations"},
        {"firmware", CLI_STRING, &firmware, "FILE",
         "with --target: the agent ELF (default: the one built beside norbench)"},
        {"engine-lib", CLI_STRING, &engine_lib, "PATH",
         "cut the power under the engine plugin PATH (docs/plugins.md) instead of the "
         "scenario's engine"},
        {NULL, 0, NULL, NULL, NULL},
    };
    bool seed_given = cli_flag_present(argc, argv, "seed");
    bool steps_given = cli_flag_present(argc, argv, "steps");
    bool jobs_given = cli_flag_present(argc, argv, "jobs");
    bool max_tries_given = cli_flag_present(argc, argv, "max-tries");
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos == 0) return cli_usage_error(cmd, "expected at least one scenario FILE or DIR");

    campaign_options o;
    campaign_options_default(&o);
    if ((rc = parse_mode(cmd, mode, &o)) >= 0 ||
        (rc = cli_parse_torn(cmd, torn, &o.torn_program, &o.torn_erase)) >= 0 ||
        (shard && (rc = parse_shard(cmd, shard, &o)) >= 0))
        return rc;
    if (depth != 1 && depth != 2) return cli_usage_error(cmd, "--depth: expected 1 or 2");
    if (jobs_given && (jobs == 0 || jobs > 1024))
        return cli_usage_error(cmd, "--jobs: expected 1..1024");
    if (max_tries_given && (max_tries == 0 || max_tries > EXACT_MAX))
        return cli_usage_error(cmd, "--max-tries: expected 1 <= N <= 2^53 (9007199254740992)");
    if (steps_given && steps > EXACT_MAX)
        return cli_usage_error(cmd, "--steps: expected N <= 2^53 (9007199254740992)");
    if (budget && !cli_parse_duration(budget, &o.time_budget))
        return cli_usage_error(
            cmd, "--time-budget '%s': expected a duration such as 90s, 5m, 5min, 1h30m", budget);
    o.depth = (unsigned)depth;
    o.limit_steps = steps_given;
    o.steps = steps;
    o.jobs = jobs_given ? (unsigned)jobs : default_jobs();
    o.override_seed = seed_given;
    o.seed = seed;
    o.max_tries = max_tries;
    if (firmware && !target) return cli_usage_error(cmd, "--firmware needs --target");
    if (target && (rc = cli_target_setup(cmd, target, firmware, &o.find_engine))) return rc;
    if ((rc = cli_engine_lib_setup(cmd, engine_lib, target, &o.engine))) return rc;

    path_list files = {0};
    int exit_code = cli_collect_scenarios(cmd, argv + 1, npos, &files);
    if (exit_code == CLI_EXIT_FAIL || !files.count) return exit_code;
    if (filter && (rc = cli_filter_scenarios(cmd, &files, filter))) {
        path_list_free(&files);
        return rc;
    }
    campaign_result prior = {0};
    if (resume_dir) {
        rc = powercut_load_resume(resume_dir, &o, files.items, files.count, &prior);
        if (rc) {
            campaign_result_free(&prior);
            path_list_free(&files);
            return rc;
        }
        if (!report_dir) report_dir = resume_dir;
    }

    char reproducers[1024];
    if (report_dir && !dry_run) {
        if ((rc = cli_report_dir_ready(cmd, report_dir))) {
            campaign_result_free(&prior);
            path_list_free(&files);
            return rc;
        }
        snprintf(reproducers, sizeof reproducers, "%s/reproducers", report_dir);
    } else {
        snprintf(reproducers, sizeof reproducers, "powercut-failures");
    }
    o.reproducer_dir = dry_run ? NULL : reproducers;

    char *command = cli_command_line(argc, argv);
    session s = {.cmd = cmd,
                 .command = command,
                 .files = &files,
                 .o = &o,
                 .prior = resume_dir ? &prior : NULL,
                 .report_dir = report_dir,
                 .json = json,
                 .quiet = quiet,
                 .dry_run = dry_run,
                 .exit_code = exit_code};
    exit_code = run_session(&s);
    session_free(&s);
    free(command);
    campaign_result_free(&prior);
    path_list_free(&files);
    return exit_code;
}
