/* How long the flash lasts under a workload, as plain data: what `norbench lifetime` and
 * `norbench compare` measure (sim/cli/lifetime.c fills it, docs/lifetime.md explains it) and
 * what they print, write as JSON and draw as an HTML page (reports/report_html_lifetime.c),
 * without the reports knowing how it was measured. */
#ifndef NORBENCH_LIFETIME_FIGURES_H
#define NORBENCH_LIFETIME_FIGURES_H

#include "campaign.h"
#include "run_result.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LIFETIME_HOURS_PER_YEAR 8766.0 /* 365.25 days */

/* Why the measured run stopped. */
typedef enum lifetime_end {
    LIFETIME_END_STEADY,     /* the steady-state rule held */
    LIFETIME_END_CAP,        /* not steady, and another pass would pass a cap */
    LIFETIME_END_RUN_FAILED, /* the run failed or could not go on: figures of the time it covered */
    LIFETIME_END_NO_WORKLOAD /* not steady, and the scenario has no workload step to repeat */
} lifetime_end;
const char *lifetime_end_name(lifetime_end end); /* "steady", "cap", "run_failed", ... */

typedef struct lifetime_figures {
    char engine[32];
    scenario_result run;    /* the run's own figures and verdict (sector_erases freed) */
    uint64_t passes;        /* the scenario once, then its workload steps again and again */
    double pass_hours;      /* simulated hours of the first pass (the scenario as written) */
    double max_hours;       /* the cap on extending it */
    lifetime_end end;       /* why the run stopped */
    uint32_t sectors;       /* in the engine's range */
    uint64_t range_bytes;   /* the engine's range */
    uint32_t endurance;     /* the flash's rated erase cycles per sector (0: never wears out) */
    double hours;           /* simulated hours the run covered */
    double window_hours;    /* one window */
    bool steady;            /* the last windows' erase rates agree (lifetime.h) */
    double rate_deviation;  /* the largest deviation of those windows from their mean, percent */
    double erases_per_hour; /* over the range, in the steady windows */
    double sector_erases_per_hour; /* the mean sector's */
    double busiest_per_hour;       /* the sector erased most in the steady windows */
    uint64_t busiest_erases;       /* its erases in them */
    double wear_spread;            /* busiest / mean: the spread the projection assumes */
    double program_per_user_byte;  /* bytes programmed per user byte stored (run_result.h) */
    uint64_t refused; /* stores and pushes the engine refused (full, too big): not stored */
    double years;     /* until the busiest sector reaches `endurance`; INFINITY without erases */
    /* The range's bytes x endurance / the user bytes the workload asks to store in a
     * year (refused ones too: the bound is the workload's, whatever the engine does). */
    double bound_years;
} lifetime_figures;

/* "6.9 days", "11.8 years", "never": a lifetime for people. */
void lifetime_format_years(char *out, size_t size, double years);

/* `norbench lifetime`: the engine measured, and the naive baseline beside it when it ran. */
typedef struct lifetime_report {
    const char *scenario, *preset;
    const lifetime_figures *engine;
    const lifetime_figures *baseline; /* NULL: none (a queue, or the baseline measured itself) */
} lifetime_report;

/* One engine of `norbench compare`: its lifetime figures and a bounded power-cut campaign. */
typedef struct compare_result {
    lifetime_figures figures;
    int measured; /* lifetime_measure's result: not 0, the row has its message only */
    campaign_scenario campaign;
    int campaign_rc;  /* not 0: the campaign could not run */
    bool is_baseline; /* the naive baseline engine (drawn as such) */
} compare_result;

/* "pass", "FAIL" or "ERROR" (the campaign could not run, or fails without a cut). */
const char *compare_campaign_verdict(const compare_result *row);

typedef struct compare_report {
    const char *scenario, *campaign_file;
    int campaign_steps, campaign_max_tries; /* the bounded campaign's limits */
    const compare_result *rows;
    size_t count;
} compare_report;

#endif
