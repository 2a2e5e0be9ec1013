/* `norbench bench powercut`: cut points verified per second per core by an exhaustive
 * campaign, every torn mode, over a fixed map scenario on nrf52840 (bench_scenario.h: 8 pages
 * of 4 KiB, a few hundred flash operations). Same-run baselines: one plain run of the scenario (a
 * branch should cost about one), and the linear mode that re-runs the scenario from the start for
 * every try. */
#define _POSIX_C_SOURCE 200809L /* sysconf, unlink */
#include "bench_scenario.h"
#include "campaign.h"
#include "cli.h"
#include "commands.h"
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Plain runs timed for the baseline, and tries of the linear comparison. */
#define PLAIN_RUNS    50
#define LINEAR_SAMPLE 60

typedef struct powercut_figures {
    uint64_t flash_ops, cut_points, verified, failures;
    double plain_run_ms;
    double seconds_one_worker, per_core;
    unsigned workers;
    double seconds_all_workers, per_second_all;
    uint64_t linear_verified;
    double linear_per_second;
} powercut_figures;

static double plain_run_ms(const char *path) {
    scenario *sc = NULL;
    scenario_errors errors;
    if (scenario_load_file(path, &sc, &errors) != SCENARIO_OK) {
        scenario_errors_free(&errors);
        return -1;
    }
    scenario_errors_free(&errors);
    double start = run_now_seconds();
    for (int i = 0; i < PLAIN_RUNS; i++) {
        scenario_result r;
        runner_run(sc, path, NULL, &r);
        free(r.sector_erases);
    }
    double ms = (run_now_seconds() - start) * 1000.0 / PLAIN_RUNS;
    scenario_free(sc);
    return ms;
}

static int campaign(const char *path, campaign_mode mode, unsigned jobs, campaign_scenario *out) {
    campaign_options o;
    campaign_options_default(&o);
    o.mode = mode;
    o.jobs = jobs;
    int rc = campaign_run_file(path, &o, out);
    return rc || out->has_error ? -1 : 0;
}

static int measure(const char *path, powercut_figures *f) {
    memset(f, 0, sizeof *f);
    f->plain_run_ms = plain_run_ms(path);
    campaign_scenario one, all, linear;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    f->workers = cores > 1 ? (unsigned)cores : 1;
    int rc = campaign(path, CAMPAIGN_EXHAUSTIVE, 1, &one);
    if (!rc) rc = campaign(path, CAMPAIGN_EXHAUSTIVE, f->workers, &all);
    if (!rc) rc = campaign(path, CAMPAIGN_LINEAR, 1, &linear);
    if (!rc) {
        f->flash_ops = one.flash_ops;
        f->cut_points = one.cut_points;
        f->verified = one.verified;
        f->failures = one.failure_count + all.failure_count + linear.failure_count;
        f->seconds_one_worker = one.seconds;
        f->per_core = one.seconds > 0 ? (double)one.verified / one.seconds : 0;
        f->seconds_all_workers = all.seconds;
        f->per_second_all = all.seconds > 0 ? (double)all.verified / all.seconds : 0;
        f->linear_verified = linear.verified;
        f->linear_per_second = linear.seconds > 0 ? (double)linear.verified / linear.seconds : 0;
    }
    campaign_scenario_free(&one);
    campaign_scenario_free(&all);
    campaign_scenario_free(&linear);
    return rc || f->plain_run_ms < 0 ? -1 : 0;
}

static void print_table(const powercut_figures *f) {
    double verified_ms = f->per_core > 0 ? 1000.0 / f->per_core : 0;
    printf("power-cut campaign: map on nrf52840, 8 pages of 4 KiB, %llu flash operations, every "
           "torn mode\n",
           (unsigned long long)f->flash_ops);
    printf("  one plain run of the scenario          %8.3f ms\n", f->plain_run_ms);
    printf("  exhaustive, 1 worker                   %8llu cut points, %llu verified in %.2f s\n",
           (unsigned long long)f->cut_points, (unsigned long long)f->verified,
           f->seconds_one_worker);
    printf("    verified per second per core         %8.0f   (goal >= 5000)\n", f->per_core);
    printf("    cost of one verified cut             %8.3f ms = %.2f plain runs\n", verified_ms,
           f->plain_run_ms > 0 ? verified_ms / f->plain_run_ms : 0);
    printf("  exhaustive, %u %-7s                 %8.0f per second (%.0f per core)\n", f->workers,
           run_plural(f->workers, "worker", "workers"), f->per_second_all,
           f->per_second_all / f->workers);
    printf("  linear (re-run from the start), 1 worker %6.0f per second over %llu tries: "
           "exhaustive is %.1fx faster\n",
           f->linear_per_second, (unsigned long long)f->linear_verified,
           f->linear_per_second > 0 ? f->per_core / f->linear_per_second : 0);
    printf("  failures                               %8llu\n", (unsigned long long)f->failures);
}

static void print_json(const powercut_figures *f) {
    printf("{\"bench\": \"powercut\", \"preset\": \"nrf52840\", \"flash_ops\": %llu, "
           "\"cut_points\": %llu, \"verified\": %llu, \"failures\": %llu, "
           "\"plain_run_ms\": %.4f, \"seconds_one_worker\": %.4f, "
           "\"verified_per_second_per_core\": %.1f, \"workers\": %u, "
           "\"verified_per_second_all_workers\": %.1f, \"linear_per_second\": %.1f, "
           "\"linear_tries\": %llu}\n",
           (unsigned long long)f->flash_ops, (unsigned long long)f->cut_points,
           (unsigned long long)f->verified, (unsigned long long)f->failures, f->plain_run_ms,
           f->seconds_one_worker, f->per_core, f->workers, f->per_second_all, f->linear_per_second,
           (unsigned long long)f->linear_verified);
}

int bench_powercut(bool json) {
    char path[512];
    if (bench_scenario_write(path, sizeof path)) {
        fprintf(stderr, "norbench bench: cannot write the benchmark scenario in the temporary "
                        "directory (TMPDIR)\n");
        return CLI_EXIT_FAIL;
    }
    powercut_figures f;
    int rc = measure(path, &f);
    unlink(path);
    if (rc) {
        fprintf(stderr, "norbench bench: the power-cut campaign could not run\n");
        return CLI_EXIT_FAIL;
    }
    if (json)
        print_json(&f);
    else
        print_table(&f);
    return f.failures ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
