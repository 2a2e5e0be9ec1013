/* Shared by the campaign's source files: the cut points of one scenario, the worker that tries
 * its share of them, and the JSON form of one scenario's findings. Not a public API. */
#ifndef NORBENCH_CAMPAIGN_INTERNAL_H
#define NORBENCH_CAMPAIGN_INTERNAL_H

#include "campaign.h"
#include "runner.h"
#include "scenario.h"

#include <cjson/cJSON.h>

typedef struct campaign_point {
    uint64_t op;
    bool is_erase;
} campaign_point;

/* No placed cut: a campaign's own runs ignore a "cut" object in the file (a reproducer given to
 * a campaign is campaigned as the scenario it copies). */
extern const scenario_cut campaign_no_cut;

/* The cut points this shard tries, in operation order, and what the plain run made. */
typedef struct campaign_plan {
    const char *path;
    const scenario *sc;
    const campaign_options *options;
    uint64_t seed;               /* the run's (the scenario's, or --seed) */
    double baseline_seconds;     /* the plain run's wall time */
    campaign_point *mode_points; /* what the mode picks, before any budget and shard */
    size_t mode_count;
    uint64_t max_tries;  /* the budget applied (0: none) */
    size_t budget_count; /* the points the budget keeps, over all shards */
    campaign_point *points;
    size_t count;
    uint64_t tries;      /* first-cut tries: points x requested torn modes of their kind */
    const uint8_t *skip; /* NULL, or per point: done before (a resumed campaign) */
} campaign_plan;

/* campaign_plan.c: runs the scenario once without cuts (it must pass) to learn its flash
 * operations, then picks this shard's cut points. A scenario that fails sets out->has_error. */
int campaign_plan_make(const char *path, const scenario *sc, const campaign_options *o,
                       campaign_plan *plan, campaign_scenario *out);
void campaign_plan_free(campaign_plan *plan);
/* Picks the points again from mode_points: at most `max_tries` first-cut tries (0: no limit)
 * sampled evenly, then this shard's share. */
int campaign_plan_limit(campaign_plan *plan, uint64_t max_tries);

/* campaign_select.c: the sweeps and the budget's sample, in place, in operation order; each
 * returns the points kept. Positions are 0-based indices in the list of cut points. */
uint64_t campaign_log_position(unsigned k); /* round(2^(k/2)): the k-th 1-based log position */
size_t campaign_select_log(campaign_point *points, size_t count);
size_t campaign_select_every(campaign_point *points, size_t count, uint64_t k);
uint64_t campaign_points_tries(const campaign_options *o, const campaign_point *points,
                               size_t count);
/* One point from each of m equal strata at a seeded offset, m as large as keeps the tries
 * within max_tries; `scratch` holds `count` points. */
size_t campaign_select_budget(const campaign_options *o, campaign_point *points, size_t count,
                              uint64_t max_tries, uint64_t seed, campaign_point *scratch);
/* The smallest max_tries for which campaign_select_budget keeps a point of points[0..count)
 * (0 when there is none). */
uint64_t campaign_smallest_budget(const campaign_options *o, const campaign_point *points,
                                  size_t count, uint64_t seed);
/* Torn modes requested for a cut point of this kind (a bit mask) and their count. */
unsigned campaign_modes_for(const campaign_options *o, bool is_erase);
unsigned campaign_mode_count(unsigned mask);

/* campaign_worker.c: tries every `workers`-th of the points not skipped, from the worker-th.
 * Hooks (each may be NULL): `started` before each try (a crash report names the last one);
 * `point_done` after the last try of a point, with what the worker found since the previous
 * call in *out (the hook may take it and clear *out); `stopped` when a stop is asked for
 * (campaign_signal.c), before the worker leaves its share (the hook may end the process). */
typedef struct campaign_work_hooks {
    void (*started)(void *ctx, const campaign_failure *where);
    void (*point_done)(void *ctx, size_t index, campaign_scenario *out);
    void (*stopped)(void *ctx);
    void *ctx;
} campaign_work_hooks;
int campaign_work(const campaign_plan *plan, unsigned worker, unsigned workers,
                  const campaign_work_hooks *hooks, campaign_scenario *out);

/* campaign_run.c: forks the workers over the points not marked in done[], merges what they
 * find into *out and marks each point as it is done; a stop keeps the points done. */
int campaign_run_workers(const campaign_plan *plan, unsigned workers, campaign_scenario *out,
                         uint8_t *done);

/* campaign_estimate.c: seconds of one first-cut try and of the run the branches start from,
 * timed on a small sample of the plan (0 and 0: no sample could be timed). */
int campaign_estimate(const campaign_plan *plan, double *try_seconds, double *branch_seconds);

/* campaign_coverage.c: spans of done cut points, and the JSON fields of coverage. */
int campaign_add_span(campaign_scenario *s, uint64_t first, uint64_t last); /* in op order */
bool campaign_span_holds(const campaign_scenario *s, uint64_t op);
/* The spans of the plan's points marked in done[] (one byte per point). */
int campaign_spans_of(const campaign_plan *plan, const uint8_t *done, campaign_scenario *out);
void campaign_budget_options_json(cJSON *to, const campaign_options *o);
void campaign_budget_options_from_json(const cJSON *from, campaign_options *o);
void campaign_coverage_json(cJSON *to, const campaign_scenario *s);
void campaign_totals_coverage_json(cJSON *totals, const campaign_result *r);
int campaign_coverage_from_json(const cJSON *from, campaign_scenario *s, char *why,
                                size_t why_size);

/* campaign_json.c: the options object of the result. */
cJSON *campaign_options_json(const campaign_options *o);

/* campaign_json.c: one scenario entry, both ways. */
cJSON *campaign_scenario_json(const campaign_scenario *s);
int campaign_scenario_from_json(const cJSON *entry, campaign_scenario *out, char *why,
                                size_t why_size);

/* campaign_result.c: counts one first-cut try in its torn mode, with what the runner's samples
 * of the tear watch saw (info). */
void campaign_count_try(campaign_scenario *s, bool is_erase, unsigned mode,
                        const runner_branch_info *info);

/* campaign_reproducer.c: removes from `dir` the files campaign_write_reproducer named for
 * `scenario_name` (an earlier campaign's; nothing else); writes `f` as a scenario file that
 * replays it (the original file with its seed fixed and a "cut" object) into `dir`, and sets
 * f->reproducer. */
int campaign_remove_reproducers(const char *dir, const char *scenario_name);
int campaign_write_reproducer(const campaign_plan *plan, uint64_t seed, const char *dir,
                              campaign_failure *f);

#endif
