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
    campaign_point *points;
    size_t count;
    uint64_t tries; /* first-cut tries: points x requested torn modes of their kind */
} campaign_plan;

/* campaign_plan.c: runs the scenario once without cuts (it must pass) to learn its flash
 * operations, then picks this shard's cut points. A scenario that fails sets out->has_error. */
int campaign_plan_make(const char *path, const scenario *sc, const campaign_options *o,
                       campaign_plan *plan, campaign_scenario *out);
void campaign_plan_free(campaign_plan *plan);
/* Torn modes requested for a cut point of this kind (a bit mask) and their count. */
unsigned campaign_modes_for(const campaign_options *o, bool is_erase);
unsigned campaign_mode_count(unsigned mask);

/* campaign_worker.c: tries the points with index % workers == worker. `started` is called
 * before each try (a crash report names the last one), may be NULL. */
typedef void (*campaign_started_fn)(void *ctx, const campaign_failure *where);
int campaign_work(const campaign_plan *plan, unsigned worker, unsigned workers,
                  campaign_started_fn started, void *ctx, campaign_scenario *out);

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
