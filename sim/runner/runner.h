/* The scenario runner: executes a parsed scenario step by step against an engine adapter on a
 * simulated NOR device, checks every result with the reference model, and fills a run result
 * (run_result.h). Deterministic: the same scenario and seed give the same flash bytes. */
#ifndef NORBENCH_RUNNER_H
#define NORBENCH_RUNNER_H

#include "adapter.h"
#include "nor.h"
#include "run_result.h"
#include "scenario.h"

#include <stdbool.h>
#include <stdint.h>

/* Errors: 0 or one of these negative values (the verdict is in the result either way). */
enum {
    RUNNER_OK = 0,
    RUNNER_E_FAILED = -1,  /* a step failed: the result says which and why */
    RUNNER_E_NOMEM = -2,   /* out of host memory */
    RUNNER_E_ENGINE = -3,  /* the device or the engine adapter could not be set up */
    RUNNER_E_INVALID = -4, /* the scenario file could not be loaded (see the error list) */
    /* the scenario cannot run where it was asked to (an engine or a flash that --target's board
     * does not have): bad input, said in the result's message */
    RUNNER_E_UNSUPPORTED = -5,
};
const char *runner_strerror(int err);

/* Whether engine `kind` provides what scenario `sc` drives. When it does not, `why` says which
 * step needs which engine type: "the map engine is not a kvmap engine, and this scenario's
 * map_set (steps[0]) needs one" (or, when no step does, that its engine type is one). */
bool runner_engine_fits(const scenario *sc, const adapter_kind *kind, char *why, size_t size);

/* Called every few dozen engine operations with those done so far; the callee decides by its
 * clock when to show anything (norbench run: about once a second). */
typedef void (*runner_progress_fn)(void *ctx, const char *scenario_name, uint64_t engine_ops);

/* After a placed cut's recovery, and at the end of a run whose placed cut landed, the store is
 * power-cycled this many times (each power-on may settle weak cells) and read after each one;
 * every reading must give the answers of the first settled one. docs/powercut.md. */
#define RUNNER_CHECK_REBOOTS 3
/* Readings after each of those power cycles after a recovery (each read re-draws weak bits). */
#define RUNNER_CHECK_READS 2

/* What became of a placed cut. */
#define RUNNER_RECOVERY_KINDS_MAX 4096 /* recovery operations whose kind is recorded */
typedef struct runner_branch_info {
    bool landed;           /* the cut landed (false: the run ended before that operation) */
    bool applied;          /* the operation in flight was found applied by the recovery */
    uint64_t recovery_ops; /* flash operations the recovery after it made */
    /* Bit r set: the recovery's operation r was an erase (r < RUNNER_RECOVERY_KINDS_MAX). */
    uint8_t recovery_erases[RUNNER_RECOVERY_KINDS_MAX / 8];
    /* The flash model's tear watch (nor_get_tear_watch), sampled after the recovery's readings,
     * during the stability checks and the end-of-run checks: the last cut left a torn range
     * (watched), some reading saw it exactly as intended (read_valid), some byte of it read
     * differently from an earlier reading (read_changed). */
    bool torn_watched, torn_read_valid, torn_read_changed;
} runner_branch_info;

/* Power-cut campaigns (sim/campaign) branch a run at its flash operations. */
typedef struct runner_branch_point runner_branch_point;
/* Called for every program or erase call the run makes while the power is on, before it runs;
 * `eligible` is false while a cut of the scenario's own is armed (the campaign leaves those
 * operations alone). Not called inside branches. */
typedef void (*runner_flash_op_fn)(void *ctx, uint64_t op_index, bool is_erase, bool eligible);
/* Called after each scenario operation (a step, or one operation of a workload) that made the
 * flash operations [first_op, end_op); `from` is the state just before that scenario operation,
 * valid during the call only, for runner_branch(). */
typedef void (*runner_interval_fn)(void *ctx, uint64_t first_op, uint64_t end_op,
                                   runner_branch_point *from);

typedef struct runner_options {
    bool override_seed; /* use `seed` instead of the scenario's */
    uint64_t seed;
    runner_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    nor **keep_device; /* when set, receives the device after the run; the caller destroys it */
    /* The engine to drive instead of the one the scenario's engine type names (a user's own
     * engine, or a deliberately broken one in tests); NULL: by the scenario's type. */
    const adapter_kind *engine;
    /* Called just before the run loads the engine plugin its scenario names (engine type
     * "plugin"; not with `engine`), with the library's path: norbench run guards its crashes. */
    void (*on_plugin_library)(void *ctx, const char *library);
    void *plugin_library_ctx;
    /* Where the scenario's engine type is looked up when `engine` is NULL (the agent adapters
     * of `--target BOARD`, emu/agent); NULL: adapter_find. */
    const adapter_kind *(*find_engine)(const char *type);
    /* A placed power cut (see scenario_cut), instead of the scenario's own "cut" object. */
    const scenario_cut *cut;
    runner_branch_info *cut_info; /* when set, receives what became of the cut */
    /* When non-zero, a run that would make more engine calls, or reach more scenario
     * operations (steps, workload operations; a sleep in a repeat counts), than this fails: a
     * budget for untrusted scenarios. */
    uint64_t max_engine_ops;
    runner_flash_op_fn on_flash_op;
    void *flash_op_ctx;
    /* Called with every program and erase of the scenario's own (not the runner's checks)
     * before it runs: its kind, range and the simulated time (norbench lifetime). */
    void (*on_program_erase)(void *ctx, const nor_event *op);
    void *program_erase_ctx;
    bool flash_digest; /* fill the result's flash_digest (reads the whole device) */
    /* Fill the result's page_states at the end of the run from the engine's inspection (the
     * HTML report's page map); engines without one (plugins) leave them NULL. */
    bool page_map;
    runner_interval_fn on_interval; /* needs an engine that can save its RAM state */
    void *interval_ctx;
    /* Power cycles of the stability checks (0: RUNNER_CHECK_REBOOTS); tests vary it to show
     * that the checks leave the scenario's figures alone. */
    unsigned check_reboots;
    /* How runner_run_file reads the file (a matrix combination's preset); NULL: as it is. */
    const scenario_load_options *load;
    /* After its steps the run goes on with `extend_steps` (the same device, engine, reference
     * model, random streams and simulated clock), pass after pass, for as long as extend()
     * answers true; it is asked after the steps and after each further pass, with the
     * device, the scenario's simulated time (as the result's sim_time_us) and the passes run so far
     * (norbench lifetime: docs/lifetime.md). Not with a placed cut or campaign intervals. */
    const scenario_steps *extend_steps;
    bool (*extend)(void *ctx, const nor *dev, uint64_t time_us, uint64_t passes);
    void *extend_ctx;
    /* Stands in for nor_get_tear_watch (NULL: the flash model's), for tests. */
    void (*tear_watch)(const nor *dev, nor_tear_watch *out);
    /* Called once with the device the run made (its image loaded), before the engine is created
     * on it, so that a caller can watch every flash operation of the run (the visualizer sets
     * the device's event callback here); NULL: nothing. */
    void (*on_device)(void *ctx, nor *dev);
    void *device_ctx;
} runner_options;

/* From inside an interval callback: runs the scenario again from `from` with `cut` placed
 * (resumed from snapshots, not re-run from the start) and fills *out as runner_run would for
 * the same cut (the caller frees out->sector_erases). Returns 0 or a RUNNER_E_* code. */
int runner_branch(runner_branch_point *from, const scenario_cut *cut, scenario_result *out,
                  runner_branch_info *info);

/* run_clock.c: monotonic wall-clock seconds. */
double run_now_seconds(void);

/* The adapter configuration of a scenario's engine: its range, caches and the layers' options
 * (a write-back Map façade, TDBStore's key rule), as the run creates the engine with it. */
adapter_config runner_adapter_config(const scenario_engine *engine);

/* Runs `sc` (read from `file`, used in messages) and fills *out, which the caller later frees
 * with the run_results it belongs to. opts may be NULL. */
int runner_run(const scenario *sc, const char *file, const runner_options *opts,
               scenario_result *out);

/* Loads `path` and runs it. A file that cannot be loaded gives RUNNER_E_INVALID, a RUN_ERROR
 * result and the validator's messages in *errors (freed by the caller in every case). */
int runner_run_file(const char *path, const runner_options *opts, scenario_result *out,
                    scenario_errors *errors);

#endif
