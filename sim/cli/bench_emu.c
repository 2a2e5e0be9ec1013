/* `norbench bench emu`: the emulator's speed on the nrf52840 with the firmware built beside
 * norbench: instructions emulated per CPU second with the flash hooks on (boots of the boot
 * counter, each storing into the engine's map through the NVMC), the time of a boot and of a
 * reboot (the reset snapshot restored), and the cut points per second of a campaign inside
 * the firmware's flash operations; then the `--target` path, the agent firmware running
 * bench powercut's map scenario (bench_scenario.h): engine operations per CPU second of a run
 * and cut points per CPU second of a `powercut --target` campaign, each with the same figure
 * on the host beside it. The goals are printed beside (#13: 100 M instructions/s, a
 * reboot within 1 ms). Figures are CPU time of this process. */
#define _XOPEN_SOURCE 700 /* getrusage, unlink */
#include "cli.h"
#include "commands.h"

#include <stdio.h>

#if !NORBENCH_HAVE_EMU

int bench_emu(bool json) {
    (void)json;
    fprintf(stderr, "norbench bench: emu: this norbench was built without Unicorn "
                    "(libunicorn-dev); run `make deps` and rebuild\n");
    return CLI_EXIT_USAGE;
}

#else

#include "bench_scenario.h"
#include "campaign.h"
#include "emu.h"
#include "emu_target.h"
#include "runner.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#define BOOTS          200u
#define CAMPAIGN_BOOTS 3u
#define COUNT_REGEX    "boot count: ([0-9]+)" /* what the boot counter prints */
#define TARGET_BOARD   "nrf52840"
/* Cut points x torn modes of the --target campaign, sampled evenly over the scenario (a try
 * costs about a quarter of a CPU second on the board: the recovery's checks iterate the map). */
#define TARGET_TRIES   18u
#define HOST_RUNS      20 /* the host's run is short: timed over this many */

typedef struct emu_figures {
    uint64_t instructions;
    double seconds, boot_seconds_mean, boot_sim_us_mean;
    double reboot_seconds_mean, reboot_seconds_max;
    uint64_t campaign_tries, campaign_reboots;
    double campaign_seconds, campaign_reboot_mean;
} emu_figures;

/* The scenario run through the agent (target) or on the host: engine operations per CPU
 * second of a run, and tries per CPU second of a power-cut campaign over it. */
typedef struct path_figures {
    uint64_t engine_ops, tries;
    double ops_per_second, tries_per_second;
} path_figures;

static int measure_boots(emu *m, emu_figures *f) {
    emu_plan plan = {.boots = BOOTS};
    emu_run_result r;
    emu_expect expect;
    char why[EMU_WHY_MAX];
    if (emu_expect_init(&expect, COUNT_REGEX, why, sizeof why)) return -1;
    int rc = emu_run_plan(m, &plan, &expect, &r);
    emu_expect_free(&expect);
    if (rc) return -1;
    double boot_seconds = 0, sim_us = 0;
    for (size_t i = 0; i < r.boot_count; i++) {
        const emu_boot *b = &r.boots[i].boot;
        f->instructions += b->instructions;
        boot_seconds += b->host_seconds;
        sim_us += (double)b->virtual_ns / 1000;
        f->reboot_seconds_mean += b->reboot_seconds;
        if (b->reboot_seconds > f->reboot_seconds_max) f->reboot_seconds_max = b->reboot_seconds;
    }
    f->seconds = boot_seconds;
    f->boot_seconds_mean = boot_seconds / (double)r.boot_count;
    f->boot_sim_us_mean = sim_us / (double)r.boot_count;
    f->reboot_seconds_mean /= (double)r.boot_count;
    bool passed = r.passed;
    emu_run_result_free(&r);
    return passed ? 0 : -1;
}

static int measure_campaign(emu *m, emu_figures *f) {
    emu_campaign_options o = {
        .boots = CAMPAIGN_BOOTS, .after_boots = 2, .torn_program = ~0u, .torn_erase = ~0u};
    emu_campaign_result r;
    char why[EMU_WHY_MAX];
    if (emu_campaign_run(m, &o, COUNT_REGEX, &r, why, sizeof why)) return -1;
    f->campaign_tries = r.tries;
    f->campaign_seconds = r.seconds;
    f->campaign_reboots = r.reboots;
    f->campaign_reboot_mean = r.reboots ? r.reboot_seconds_total / (double)r.reboots : 0;
    bool passed = r.failed_tries == 0 && r.reference_passed;
    emu_campaign_result_free(&r);
    return passed ? 0 : -1;
}

static double per_second(double count, double seconds) {
    return seconds > 0 ? count / seconds : 0;
}

static double timeval_seconds(struct timeval t) {
    return (double)t.tv_sec + (double)t.tv_usec * 1e-6;
}

/* CPU time of this process and of its children waited for: a campaign's workers are forked. */
static double cpu_seconds(void) {
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    return timeval_seconds(self.ru_utime) + timeval_seconds(self.ru_stime) +
           timeval_seconds(children.ru_utime) + timeval_seconds(children.ru_stime);
}

/* `runs` runs of the scenario, each of which must pass. */
static int measure_runs(const char *path, const runner_options *o, int runs, path_figures *f) {
    double seconds = 0;
    for (int i = 0; i < runs; i++) {
        scenario_result r;
        scenario_errors errors;
        int rc = runner_run_file(path, o, &r, &errors);
        scenario_errors_free(&errors);
        free(r.sector_erases);
        if (rc || r.verdict != RUN_PASS) return -1;
        f->engine_ops = r.engine_ops;
        seconds += r.cpu_seconds;
    }
    f->ops_per_second = per_second((double)f->engine_ops * runs, seconds);
    return 0;
}

/* TARGET_TRIES tries of an exhaustive campaign (one worker), which must all hold. */
static int measure_tries(const char *path, const adapter_kind *(*find)(const char *),
                         path_figures *f) {
    campaign_options o;
    campaign_options_default(&o);
    o.max_tries = TARGET_TRIES;
    o.jobs = 1;
    o.find_engine = find;
    campaign_scenario r;
    double t0 = cpu_seconds();
    int rc = campaign_run_file(path, &o, &r);
    double seconds = cpu_seconds() - t0;
    if (rc || r.has_error || r.failure_count) rc = -1;
    f->tries = r.verified;
    f->tries_per_second = per_second((double)r.verified, seconds);
    campaign_scenario_free(&r);
    return rc;
}

static int measure_paths(path_figures *target, path_figures *host) {
    char firmware[1200], path[512], why[EMU_WHY_MAX];
    cli_firmware_path(firmware, sizeof firmware, "agent-", TARGET_BOARD);
    emu_target_select(&(emu_target){.board = TARGET_BOARD, .firmware = firmware});
    if (emu_target_check(why, sizeof why)) {
        fprintf(stderr, "norbench bench: emu: --target %s: %s\n", TARGET_BOARD, why);
        return -1;
    }
    if (bench_scenario_write(path, sizeof path)) {
        fprintf(stderr, "norbench bench: emu: cannot write the benchmark scenario in the "
                        "temporary directory (TMPDIR)\n");
        return -1;
    }
    runner_options on_board = {.find_engine = emu_target_find_engine};
    int rc = measure_runs(path, &on_board, 1, target);
    if (!rc) rc = measure_runs(path, NULL, HOST_RUNS, host);
    if (!rc) rc = measure_tries(path, emu_target_find_engine, target);
    if (!rc) rc = measure_tries(path, NULL, host);
    unlink(path);
    if (rc) fprintf(stderr, "norbench bench: emu: the scenario did not run as it should\n");
    return rc;
}

static void print_table(const emu_figures *f, const path_figures *target,
                        const path_figures *host) {
    printf("emu: the boot counter on nrf52840, %u boots, then a campaign over boot %u\n", BOOTS,
           CAMPAIGN_BOOTS);
    printf("  instructions per CPU second (flash hooks on)  %8.1f M   (goal 100 M)\n",
           per_second((double)f->instructions, f->seconds) / 1e6);
    printf("  a boot to idle                                %8.1f us   (%.0f us simulated)\n",
           f->boot_seconds_mean * 1e6, f->boot_sim_us_mean);
    printf("  a reboot (reset snapshot restored)            %8.1f us   (slowest %.1f us; goal "
           "within 1 ms)\n",
           f->reboot_seconds_mean * 1e6, f->reboot_seconds_max * 1e6);
    printf("  campaign: cut points x torn modes per second  %8.0f     (%llu tries in %.2f s, "
           "%llu reboots of %.1f us)\n",
           per_second((double)f->campaign_tries, f->campaign_seconds),
           (unsigned long long)f->campaign_tries, f->campaign_seconds,
           (unsigned long long)f->campaign_reboots, f->campaign_reboot_mean * 1e6);
    printf("--target %s: the agent runs bench powercut's map scenario (%llu engine operations)\n",
           TARGET_BOARD, (unsigned long long)target->engine_ops);
    printf("  engine operations per CPU second              %8.0f     (host %.0f)\n",
           target->ops_per_second, host->ops_per_second);
    printf(
        "  powercut --target: cut points x torn modes/s  %8.1f     (host %.0f; %llu tries each)\n",
        target->tries_per_second, host->tries_per_second, (unsigned long long)target->tries);
}

static void print_json(const emu_figures *f, const path_figures *target, const path_figures *host) {
    printf("{\"bench\": \"emu\", \"board\": \"nrf52840\", \"boots\": %u, "
           "\"instructions_per_second\": %.0f, \"goal_instructions_per_second\": 100000000, "
           "\"boot_us\": %.2f, \"boot_simulated_us\": %.1f, \"reboot_us\": %.2f, "
           "\"reboot_us_max\": %.2f, \"goal_reboot_us\": 1000, \"campaign_tries\": %llu, "
           "\"campaign_seconds\": %.4f, \"campaign_tries_per_second\": %.0f, "
           "\"target_engine_ops\": %llu, \"target_ops_per_second\": %.1f, "
           "\"host_ops_per_second\": %.1f, \"target_campaign_tries\": %llu, "
           "\"target_cut_points_per_second\": %.2f, \"host_cut_points_per_second\": %.1f}\n",
           BOOTS, per_second((double)f->instructions, f->seconds), f->boot_seconds_mean * 1e6,
           f->boot_sim_us_mean, f->reboot_seconds_mean * 1e6, f->reboot_seconds_max * 1e6,
           (unsigned long long)f->campaign_tries, f->campaign_seconds,
           per_second((double)f->campaign_tries, f->campaign_seconds),
           (unsigned long long)target->engine_ops, target->ops_per_second, host->ops_per_second,
           (unsigned long long)target->tries, target->tries_per_second, host->tries_per_second);
}

int bench_emu(bool json) {
    char firmware[1200];
    cli_firmware_path(firmware, sizeof firmware, "boot_counter-", "nrf52840");
    emu_figures f = {0};
    char why[EMU_WHY_MAX];
    emu *m = NULL;
    emu_options o = {.board = "nrf52840", .elf_path = firmware, .seed = 1};
    if (emu_open(&m, &o, why, sizeof why)) {
        fprintf(stderr, "norbench bench: emu: %s\n", why);
        return CLI_EXIT_USAGE;
    }
    int rc = measure_boots(m, &f);
    emu_close(m);
    if (!rc && emu_open(&m, &o, why, sizeof why) == 0) {
        rc = measure_campaign(m, &f);
        emu_close(m);
    }
    if (rc) {
        fprintf(stderr, "norbench bench: emu: the boot counter did not run as it should\n");
        return CLI_EXIT_FAIL;
    }
    path_figures target = {0}, host = {0};
    if (measure_paths(&target, &host)) return CLI_EXIT_FAIL;
    if (json)
        print_json(&f, &target, &host);
    else
        print_table(&f, &target, &host);
    return CLI_EXIT_OK;
}

#endif
