/* Power-cut campaigns: for a scenario, cut the power at every flash operation (or a seeded
 * sample of them), in every requested torn mode, and check after each cut that the engine
 * keeps the durability contract (docs/powercut.md). Branches resume from snapshots taken
 * before each scenario operation; workers in separate processes share the cut points; shards
 * split a campaign across machines and their results merge to the totals of one run. */
#ifndef NORBENCH_CAMPAIGN_H
#define NORBENCH_CAMPAIGN_H

#include "adapter.h"
#include "run_result.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    CAMPAIGN_OK = 0,
    CAMPAIGN_E_NOMEM = -1,
    CAMPAIGN_E_INVALID = -2, /* the scenario file does not load (message in the result) */
    CAMPAIGN_E_IO = -3,      /* a worker or a reproducer file could not be made */
    CAMPAIGN_E_STOPPED = -4, /* stopped (campaign_signal.c) before the end */
};

typedef enum campaign_mode {
    CAMPAIGN_EXHAUSTIVE,
    CAMPAIGN_RANDOM,
    CAMPAIGN_LINEAR,
    CAMPAIGN_LOG,   /* the cut points at positions round(2^(k/2)): 1, 2, 3, 4, 6, 8, 11, 16, ... */
    CAMPAIGN_EVERY, /* every K-th cut point, from the first */
} campaign_mode;
const char *campaign_mode_name(campaign_mode mode);
/* The mode of a name campaign_mode_name gives; false when unknown. */
bool campaign_mode_find(const char *name, campaign_mode *out);

#define CAMPAIGN_TORN_PROGRAM_MODES NOR_TORN_PROG_MODES
#define CAMPAIGN_TORN_ERASE_MODES   NOR_TORN_ERASE_MODES
const char *campaign_torn_program_name(unsigned mode);
const char *campaign_torn_erase_name(unsigned mode);
const char *campaign_torn_name(bool is_erase, unsigned mode); /* the one of the operation's kind */

/* Called now and then from the process that runs the campaign. */
typedef void (*campaign_progress_fn)(void *ctx, const char *scenario, uint64_t done,
                                     uint64_t total);

typedef struct campaign_options {
    campaign_mode mode;
    uint64_t random_count; /* CAMPAIGN_RANDOM: cut points drawn */
    uint64_t every;        /* CAMPAIGN_EVERY: K */
    uint64_t max_tries; /* at most this many first-cut tries per scenario, sampled evenly; 0: all */
    double time_budget; /* seconds the whole campaign may take (the CLI sizes max_tries); 0: none */
    unsigned torn_program; /* bit m: program cut points are tried in nor_torn_program m */
    unsigned torn_erase;   /* bit m: erase cut points in nor_torn_erase m */
    unsigned depth;        /* 1, or 2: cut again inside each recovery */
    bool limit_steps;      /* continue `steps` scenario operations after a recovery, */
    uint64_t steps;        /* instead of to the end */
    unsigned jobs;         /* worker processes; 1 runs in this process */
    uint32_t shard_index;  /* 1..shard_count */
    uint32_t shard_count;  /* 1: the whole campaign */
    bool override_seed;    /* `seed` instead of each scenario's */
    uint64_t seed;
    const char *reproducer_dir; /* where failures are written as scenario files; NULL: none */
    const adapter_kind *engine; /* NULL: the scenario's engine type */
    const adapter_kind *(*find_engine)(const char *type); /* runner_options.find_engine */
    /* runner_options.on_plugin_library of the plain run, the one run in this process (the
     * sample and the tries run in workers); NULL: none. */
    void (*on_plugin_library)(void *ctx, const char *library);
    void *plugin_library_ctx;
    campaign_progress_fn progress;
    void *progress_ctx;
} campaign_options;

/* The options every command starts from: exhaustive, all torn modes, depth 1, to the end. */
void campaign_options_default(campaign_options *o);

/* One cut point (and at depth 2 the cut inside its recovery) that broke the contract. */
typedef struct campaign_failure {
    uint64_t op;
    bool is_erase;
    unsigned torn; /* a nor_torn_program or nor_torn_erase value, by is_erase */
    bool has_recovery_cut;
    uint64_t recovery_op;
    bool recovery_is_erase;
    unsigned recovery_torn;
    char message[RUN_MESSAGE_MAX];
    char reproducer[512]; /* the file written, or "" */
} campaign_failure;

/* First-cut tries in one torn mode, and what the flash model's tear watch (nor_get_tear_watch)
 * saw of the torn ranges they left: read exactly as intended at least once (read_valid; a torn
 * record that reads valid), or read differently from one reading to another (changed). */
typedef struct campaign_torn_counts {
    uint64_t verified;
    uint64_t read_valid;
    uint64_t changed;
} campaign_torn_counts;

/* Cut points at operations first..last (inclusive) that a stopped campaign had tried. */
typedef struct campaign_span {
    uint64_t first, last;
} campaign_span;

/* The most shares (--shard I/N: N) a merge adds up: shards_seen's bits. */
#define CAMPAIGN_SHARDS_MAX 64u

/* Everything a campaign found for one scenario (or one shard/worker's share of it). */
typedef struct campaign_scenario {
    char file[RUN_FILE_MAX];
    char name[RUN_NAME_MAX];
    uint64_t seed;
    uint64_t flash_ops;       /* the scenario's own count, without cuts */
    uint64_t mode_cut_points; /* what the mode picks over all shards, before any budget */
    uint64_t max_tries;       /* the budget applied to this scenario (0: none) */
    uint64_t cut_points;      /* tried here */
    uint64_t verified;        /* tries of first cuts (cut points x torn modes) */
    campaign_torn_counts by_program[CAMPAIGN_TORN_PROGRAM_MODES];
    campaign_torn_counts by_erase[CAMPAIGN_TORN_ERASE_MODES];
    uint64_t recovery_verified; /* depth 2: tries of cuts inside recoveries */
    campaign_failure *failures;
    size_t failure_count, failure_capacity;
    double seconds;
    bool has_error;       /* could not be run at all: `error` says why, nothing else counts */
    bool baseline_failed; /* ... because the scenario fails without any cut (has_error too) */
    char error[RUN_MESSAGE_MAX];
    /* Stopped (interrupted) before every planned cut point was tried: the planned points in
     * `done` were (all of them, with every torn mode), the others not. */
    bool incomplete;
    campaign_span *done;
    size_t done_count, done_capacity;
    uint64_t shards_seen; /* merges: bit i-1 for each shard i whose file held this scenario */
} campaign_scenario;

void campaign_scenario_free(campaign_scenario *s);
int campaign_add_failure(campaign_scenario *s, const campaign_failure *f);
/* The counts of one torn mode of a kind (NULL for a mode out of range). */
campaign_torn_counts *campaign_torn_counts_of(campaign_scenario *s, bool is_erase, unsigned mode);
/* Adds `src`'s counts and failures to `dst` (same scenario); failures end up sorted. */
int campaign_scenario_merge(campaign_scenario *dst, const campaign_scenario *src);

/* A whole campaign: the options it ran with and one entry per scenario. */
typedef struct campaign_result {
    campaign_options options;
    campaign_scenario *scenarios;
    size_t count;
    unsigned jobs_used;   /* for the per-core rate */
    uint64_t shards_seen; /* merges: bit i-1 for shard i (up to CAMPAIGN_SHARDS_MAX) */
} campaign_result;

void campaign_result_free(campaign_result *r);
uint64_t campaign_result_failures(const campaign_result *r);
/* A merge's shards that no file brought: their count, listed in `out` as "2/3, 3/3" (0 once
 * every shard is in, the options then saying shard 1 of 1). */
uint32_t campaign_result_missing_shards(const campaign_result *r, char *out, size_t size);
/* Scenarios that fail without any cut (their cut points were not tried). */
size_t campaign_result_baseline_failures(const campaign_result *r);

/* campaign_coverage.c: the fraction of the mode's cut points tried (1 without a budget). */
double campaign_coverage(const campaign_scenario *s);
bool campaign_result_incomplete(const campaign_result *r); /* some scenario is */
/* The first flag (as "--mode") whose value differs between two campaigns, or NULL. */
const char *campaign_options_differ(const campaign_options *a, const campaign_options *b);

/* campaign_signal.c: a stop asked for by SIGINT/SIGTERM (once handlers are installed) or by
 * campaign_request_stop(); running campaigns end their tries, keep what they found and mark
 * the scenario incomplete. A second signal ends at once. */
void campaign_install_stop_handlers(void);
void campaign_request_stop(void);
bool campaign_stop_requested(void);
int campaign_stop_signal(void); /* the signal that asked (0: none, or campaign_request_stop) */

/* One scenario's campaign in steps (campaign_job.c): open loads the file and makes the plain
 * run that lists the cut points (a load error: CAMPAIGN_E_INVALID with the message in
 * out->error, and no job; a scenario that fails without a cut: out->has_error, and a job with
 * nothing to try); then optionally resume (take over a stopped campaign's entry: its counts,
 * budget and done points; CAMPAIGN_E_INVALID with `why` when it is not this campaign's),
 * estimate (time a sample) and limit (at most max_tries first-cut tries, sampled evenly), and
 * run, which adds what the workers find to *out. */
typedef struct campaign_job campaign_job;
typedef struct campaign_job_plan {
    uint64_t mode_tries;                  /* what the mode's cut points make (all shards) */
    uint64_t cut_points, tries;           /* planned (this shard, after any budget) */
    uint64_t budget_cut_points;           /* what the budget keeps, over all shards */
    uint64_t done_cut_points, done_tries; /* of those, done before (a resumed campaign) */
    unsigned workers;
    double baseline_seconds; /* the plain run */
    double try_seconds;      /* estimated: one try (0: not estimated) */
    double branch_seconds;   /* estimated: the run the branches start from */
    double estimate_seconds; /* estimated: what is left to run, wall time */
} campaign_job_plan;
/* `errors`, when not NULL, receives every validator message of a file that does not load (out
 * keeps the first); the caller frees it in every case. */
struct scenario_errors; /* scenario.h */
int campaign_job_open(const char *path, const campaign_options *o, campaign_job **job,
                      campaign_scenario *out, struct scenario_errors *errors);
int campaign_job_resume(campaign_job *job, const campaign_scenario *prior, campaign_scenario *out,
                        char *why, size_t why_size);
int campaign_job_estimate(campaign_job *job);
int campaign_job_limit(campaign_job *job, uint64_t max_tries, campaign_scenario *out);
void campaign_job_plan_of(const campaign_job *job, campaign_job_plan *plan);
/* The smallest --max-tries that keeps one of the mode's cut points (0: the mode has none). */
uint64_t campaign_job_smallest_budget(const campaign_job *job);

int campaign_job_run(campaign_job *job, campaign_scenario *out);
void campaign_job_free(campaign_job *job);

/* campaign_plan_json.c: the plan of a campaign (`--dry-run --json`): the options, and per
 * scenario (r->scenarios[i] as opened, plans[i] from campaign_job_plan_of) what it will try
 * and the estimate. malloc'd text. */
char *campaign_plan_to_json(const campaign_result *r, const campaign_job_plan *plans);

/* Runs the campaign over one scenario file into *out (which the caller frees). Returns 0 (see
 * out->failure_count and out->has_error for the verdict) or a CAMPAIGN_E_* code. */
int campaign_run_file(const char *path, const campaign_options *o, campaign_scenario *out);

/* campaign_json.c: the JSON form of docs/powercut.md, written and read back (for merges). */
char *campaign_result_to_json(const campaign_result *r); /* malloc'd text */
/* Parses `text` (from `file`, for messages) and appends its scenarios to *r, merging entries
 * of the same scenario; the first file sets the options, later ones must match them apart
 * from the shard, and no shard may come twice. Once every shard is in, the options say shard
 * 1 of 1. 0, or CAMPAIGN_E_INVALID with a message in `why`. */
int campaign_result_merge_json(campaign_result *r, const char *file, const char *text, char *why,
                               size_t why_size);

#endif
