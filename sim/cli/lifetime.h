/* How long the flash lasts under a scenario's workload (docs/lifetime.md): the scenario run on
 * one engine, its erases watched window by window of simulated time until their rate is steady,
 * and the years until the busiest sector reaches the flash's rated endurance, beside the
 * analytic bound. Shared by `norbench lifetime` and `norbench compare`. */
#ifndef NORBENCH_LIFETIME_H
#define NORBENCH_LIFETIME_H

#include "adapter.h"
#include "lifetime_figures.h" /* the figures, as data the reports read */
#include "runner.h"
#include "scenario.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The run is cut into this many equal windows of simulated time; the erase rate is steady when
 * each of the last LIFETIME_STEADY_WINDOWS windows is within LIFETIME_STEADY_PERCENT of their
 * mean and the busiest sector was erased at least LIFETIME_STEADY_MIN_ERASES times in them (a
 * rate and a spread measured on fewer erases are a guess), and the figures come from those
 * windows. */
#define LIFETIME_WINDOWS           10
#define LIFETIME_STEADY_WINDOWS    4
#define LIFETIME_STEADY_PERCENT    10.0
#define LIFETIME_STEADY_MIN_ERASES 20

/* A scenario too short to be steady is extended: its workload steps run again, pass after
 * pass, until the rule holds, or another pass would take the run past this many simulated hours
 * (`lifetime --max-hours`), or it has made LIFETIME_MAX_PASSES passes (a workload of a few
 * operations takes milliseconds of simulated time a pass). */
#define LIFETIME_MAX_HOURS_DEFAULT 8766    /* a year */
#define LIFETIME_MAX_HOURS_LIMIT   1000000 /* about 114 years */
#define LIFETIME_MAX_PASSES        1000

/* Where a measurement is, for a progress line. */
typedef struct lifetime_progress {
    const char *engine;
    uint64_t pass; /* the pass running, from 1 */
    double hours;  /* simulated hours at its start */
    uint64_t engine_ops;
} lifetime_progress;

/* Called about once a second (wall clock) as the run goes. */
typedef void (*lifetime_progress_fn)(void *ctx, const lifetime_progress *where);

/* Runs `sc` (read from `file`) on `engine` (NULL: the scenario's own), extended until steady or
 * up to `max_hours` of simulated time (see LIFETIME_MAX_HOURS_DEFAULT), and fills *out. Returns
 * 0, or RUNNER_E_NOMEM / RUNNER_E_ENGINE (the run could not start: out->run.message says why).
 * A run that fails part way still gives the figures of the time it covered. */
int lifetime_measure(const scenario *sc, const char *file, const adapter_kind *engine,
                     double max_hours, lifetime_progress_fn progress, void *progress_ctx,
                     lifetime_figures *out);

/* One line under the table when how long the workload ran is news: extended until steady, or
 * not steady and why (capped by --max-hours or the passes, or no workload to run again). */
void lifetime_print_extension(FILE *out, const lifetime_figures *f);

/* The progress line both commands draw on stderr about once a second when `ctx` points to a
 * true bool (a terminal, no --json); lifetime_progress_clear() rubs it out. */
void lifetime_progress_line(void *ctx, const lifetime_progress *where);
void lifetime_progress_clear(const bool *enabled);

/* lifetime_json.c: the figures as a JSON object (NULL when memory runs out); years that never
 * come are null. */
struct cJSON;
struct cJSON *lifetime_figures_json(const lifetime_figures *f);

#endif
