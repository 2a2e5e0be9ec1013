/* `norbench powercut FILE|DIR...`: power-cut campaigns (docs/powercut.md). Parses the
 * campaign's flags, runs each scenario's campaign with a progress bar on a terminal, prints
 * the table (or the JSON result), writes DIR/powercut.json and the reproducers. Exit 0 when
 * every cut point verified, 1 when one failed or a scenario could not be run, 2 on usage or
 * file errors. */
#include "campaign.h"
#include "cli.h"
#include "commands.h"
#include "run_matrix.h"
#include "powercut_print.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse_mode(const cli_command *cmd, const char *text, campaign_options *o) {
    if (!strcmp(text, "exhaustive")) return o->mode = CAMPAIGN_EXHAUSTIVE, -1;
    if (!strcmp(text, "linear")) return o->mode = CAMPAIGN_LINEAR, -1;
    if (!strncmp(text, "random:", 7)) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(text + 7, &end, 10);
        if (text[7] >= '0' && text[7] <= '9' && !*end && !errno && n > 0) {
            o->mode = CAMPAIGN_RANDOM;
            o->random_count = n;
            return -1;
        }
    }
    return cli_usage_error(cmd, "--mode '%s': expected exhaustive, linear or random:N (N >= 1)",
                           text);
}

/* Every torn mode name once, program modes first: "none, full, ..., partial, weak". */
static const char *torn_mode_list(void) {
    static char list[256];
    size_t used = 0;
    for (unsigned kind = 0; kind < 2; kind++) {
        unsigned count = kind ? CAMPAIGN_TORN_ERASE_MODES : CAMPAIGN_TORN_PROGRAM_MODES;
        for (unsigned m = 0; m < count; m++) {
            const char *name = campaign_torn_name(kind, m);
            if (kind && nor_torn_program_find(name, strlen(name)) >= 0) continue;
            used +=
                (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", name);
        }
    }
    return list;
}

/* "all" or a comma list of torn mode names; a name sets every kind that has it. */
static int parse_torn(const cli_command *cmd, const char *text, campaign_options *o) {
    if (!strcmp(text, "all")) return -1;
    if (!*text)
        return cli_usage_error(cmd, "--torn: empty; expected all, or a comma list of %s",
                               torn_mode_list());
    o->torn_program = o->torn_erase = 0;
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, ",");
        int program = nor_torn_program_find(p, n), erase = nor_torn_erase_find(p, n);
        bool known = program >= 0 || erase >= 0;
        if (program >= 0) o->torn_program |= 1u << program;
        if (erase >= 0) o->torn_erase |= 1u << erase;
        if (!known)
            return cli_usage_error(cmd,
                                   "--torn: unknown mode '%.*s'; expected all (alone), or a comma "
                                   "list of %s",
                                   (int)n, p, torn_mode_list());
        p += n;
        if (*p == ',') p++;
    }
    return -1;
}

static int parse_shard(const cli_command *cmd, const char *text, campaign_options *o) {
    unsigned index, count;
    char extra;
    if (sscanf(text, "%u/%u%c", &index, &count, &extra) != 2 || count == 0 || index == 0 ||
        index > count)
        return cli_usage_error(cmd, "--shard '%s': expected I/N with 1 <= I <= N", text);
    o->shard_index = index;
    o->shard_count = count;
    return -1;
}

typedef struct progress_bar {
    bool enabled;
    size_t index, total;
} progress_bar;

static void show_progress(void *ctx, const char *scenario, uint64_t done, uint64_t total) {
    const progress_bar *p = ctx;
    if (!p->enabled) return;
    enum { WIDTH = 30 };
    int filled = total ? (int)(done * WIDTH / total) : WIDTH;
    fprintf(stderr, "\r[%zu/%zu] %-28.28s [%-*.*s] %llu/%llu cuts", p->index + 1, p->total,
            scenario, WIDTH, filled, "##############################", (unsigned long long)done,
            (unsigned long long)total);
    fflush(stderr);
}

static void clear_progress(const progress_bar *p) {
    if (p->enabled) fprintf(stderr, "\r%*s\r", 100, "");
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
    if (rc) fprintf(stderr, "norbench powercut: cannot write %s: %s\n", path, strerror(errno));
    free(path);
    return rc;
}

static int run_campaigns(const cli_command *cmd, const path_list *files, campaign_options *o,
                         bool json, bool quiet, campaign_result *result) {
    int exit_code = CLI_EXIT_OK;
    progress_bar bar = {.enabled = !json && !quiet && isatty(STDERR_FILENO), .total = files->count};
    o->progress = show_progress;
    o->progress_ctx = &bar;
    result->scenarios = calloc(files->count ? files->count : 1, sizeof *result->scenarios);
    if (!result->scenarios) return CLI_EXIT_FAIL;
    for (size_t i = 0; i < files->count; i++) {
        bar.index = i;
        campaign_scenario *s = &result->scenarios[result->count++];
        int rc = campaign_run_file(files->items[i], o, s);
        clear_progress(&bar);
        if (rc == CAMPAIGN_E_INVALID) {
            /* One message for a file that does not load, and no row for it. */
            fprintf(stderr, "%s\n", s->error);
            campaign_scenario_free(s);
            result->count--;
            exit_code = CLI_EXIT_USAGE;
        } else if (rc) {
            fprintf(stderr, "norbench %s: %s: %s\n", cmd->name, files->items[i],
                    rc == CAMPAIGN_E_NOMEM ? "out of memory"
                                           : "cannot start the workers or write a reproducer");
            if (exit_code == CLI_EXIT_OK) exit_code = CLI_EXIT_FAIL;
        } else if ((s->failure_count || s->has_error) && exit_code == CLI_EXIT_OK) {
            exit_code = CLI_EXIT_FAIL;
        }
    }
    return exit_code;
}

int cmd_powercut(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("powercut");
    const char *mode = "exhaustive", *torn = "all", *shard = NULL, *report_dir = NULL;
    uint64_t depth = 1, steps = 0, jobs = 0, seed = 0;
    bool json = false, quiet = false;
    const char *filter = NULL;
    const cli_flag flags[] = {
        {"mode", CLI_STRING, &mode, "M", "exhaustive (default), linear or random:N"},
        {"torn", CLI_STRING, &torn, "MODES", "all (default) or a comma list of torn modes"},
        {"depth", CLI_U64, &depth, "D", "1 (default), or 2: cut again inside each recovery"},
        {"steps", CLI_U64, &steps, "N", "after a recovery, go on N scenario operations only"},
        {"jobs", CLI_U64, &jobs, "N", "worker processes (default: the number of cores)"},
        {"shard", CLI_STRING, &shard, "I/N", "try only the I-th of N shares of the cut points"},
        {"seed", CLI_U64, &seed, "N", "the seed instead of each scenario's own"},
        {"json", CLI_BOOL, &json, NULL, "print the result as JSON (as in powercut.json)"},
        {"report", CLI_STRING, &report_dir, "DIR",
         "write DIR/powercut.json and DIR/reproducers/*.json"},
        {"quiet", CLI_BOOL, &quiet, NULL, "print only failures"},
        {"filter", CLI_STRING, &filter, "GLOB", "only the scenarios whose name matches GLOB"},
        {NULL, 0, NULL, NULL, NULL},
    };
    bool seed_given = cli_flag_present(argc, argv, "seed");
    bool steps_given = cli_flag_present(argc, argv, "steps");
    bool jobs_given = cli_flag_present(argc, argv, "jobs");
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos == 0) return cli_usage_error(cmd, "expected at least one scenario FILE or DIR");

    campaign_options o;
    campaign_options_default(&o);
    if ((rc = parse_mode(cmd, mode, &o)) >= 0 || (rc = parse_torn(cmd, torn, &o)) >= 0 ||
        (shard && (rc = parse_shard(cmd, shard, &o)) >= 0))
        return rc;
    if (depth != 1 && depth != 2) return cli_usage_error(cmd, "--depth: expected 1 or 2");
    if (jobs_given && (jobs == 0 || jobs > 1024))
        return cli_usage_error(cmd, "--jobs: expected 1..1024");
    o.depth = (unsigned)depth;
    o.limit_steps = steps_given;
    o.steps = steps;
    o.jobs = jobs_given ? (unsigned)jobs : default_jobs();
    o.override_seed = seed_given;
    o.seed = seed;

    char reproducers[1024];
    if (report_dir) {
        if ((rc = cli_report_dir_ready(cmd, report_dir))) return rc;
        snprintf(reproducers, sizeof reproducers, "%s/reproducers", report_dir);
    } else {
        snprintf(reproducers, sizeof reproducers, "powercut-failures");
    }
    o.reproducer_dir = reproducers;

    path_list files = {0};
    int exit_code = cli_collect_scenarios(cmd, argv + 1, npos, &files);
    if (exit_code == CLI_EXIT_FAIL || !files.count) return exit_code;
    if (filter && (rc = cli_filter_scenarios(cmd, &files, filter))) {
        path_list_free(&files);
        return rc;
    }
    campaign_result result = {.options = o, .jobs_used = o.jobs};
    rc = run_campaigns(cmd, &files, &o, json, quiet, &result);
    if (rc > exit_code) exit_code = rc;

    char *text = campaign_result_to_json(&result);
    if (!text) {
        fprintf(stderr, "norbench powercut: out of memory\n");
        exit_code = CLI_EXIT_FAIL;
    } else if (json) {
        printf("%s\n", text);
    } else if (result.count) {
        powercut_print(stdout, stderr, &result, quiet);
    }
    if (text && report_dir && write_report(report_dir, text) && exit_code == CLI_EXIT_OK)
        exit_code = CLI_EXIT_FAIL;
    free(text);
    campaign_result_free(&result);
    path_list_free(&files);
    return exit_code;
}
