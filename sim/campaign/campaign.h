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
};

typedef enum campaign_mode { CAMPAIGN_EXHAUSTIVE, CAMPAIGN_RANDOM, CAMPAIGN_LINEAR } campaign_mode;
const char *campaign_mode_name(campaign_mode mode);

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

/* Everything a campaign found for one scenario (or one shard/worker's share of it). */
typedef struct campaign_scenario {
    char file[RUN_FILE_MAX];
    char name[RUN_NAME_MAX];
    uint64_t seed;
    uint64_t flash_ops;  /* the scenario's own count, without cuts */
    uint64_t cut_points; /* tried here */
    uint64_t verified;   /* tries of first cuts (cut points x torn modes) */
    campaign_torn_counts by_program[CAMPAIGN_TORN_PROGRAM_MODES];
    campaign_torn_counts by_erase[CAMPAIGN_TORN_ERASE_MODES];
    uint64_t recovery_verified; /* depth 2: tries of cuts inside recoveries */
    campaign_failure *failures;
    size_t failure_count, failure_capacity;
    double seconds;
    bool has_error;       /* could not be run at all: `error` says why, nothing else counts */
    bool baseline_failed; /* ... because the scenario fails without any cut (has_error too) */
    char error[RUN_MESSAGE_MAX];
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
    uint64_t shards_seen; /* merges: bit i-1 for shard i (up to 64 shards) */
} campaign_result;

void campaign_result_free(campaign_result *r);
uint64_t campaign_result_failures(const campaign_result *r);
/* A merge's shards that no file brought: their count, listed in `out` as "2/3, 3/3" (0 once
 * every shard is in, the options then saying shard 1 of 1). */
uint32_t campaign_result_missing_shards(const campaign_result *r, char *out, size_t size);
/* Scenarios that fail without any cut (their cut points were not tried). */
size_t campaign_result_baseline_failures(const campaign_result *r);

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
