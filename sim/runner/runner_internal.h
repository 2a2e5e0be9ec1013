/* State of one scenario run, shared by the runner's source files: the device, the adapter,
 * the reference model, the run's random streams and the failure being reported. */
#ifndef NORBENCH_RUNNER_INTERNAL_H
#define NORBENCH_RUNNER_INTERNAL_H

#include "adapter.h"
#include "adapter_plugin.h"
#include "nor_prng.h"
#include "ref_model.h"
#include "ref_write_back.h"
#include "ref_tdb.h"
#include "ref_fs.h"
#include "runner.h"

#include <stdarg.h>

/* Hashes of every (key, value) the run ever stored or pushed; kept only for scenarios that
 * inject raw faults, to tell an older value brought back by a fault from invented data. */
typedef struct run_history {
    uint64_t *slots; /* open addressing; 0 marks an empty slot */
    size_t capacity, count;
} run_history;

/* Where a run is, so that it can be saved at one scenario operation and resumed there: the
 * step at each nesting level, the iteration of each repeat, the operation of the workload. */
#define RUN_MAX_DEPTH 32 /* deeper than the scenario format's JSON nesting allows */
typedef enum run_phase { RUN_PHASE_SETUP, RUN_PHASE_STEPS, RUN_PHASE_END } run_phase;
typedef struct run_cursor {
    run_phase phase;
    uint32_t depth; /* levels in use */
    struct {
        size_t step;        /* index in the step list at this level */
        uint64_t iteration; /* of the repeat step at that index */
    } level[RUN_MAX_DEPTH];
    uint64_t op; /* operation of the workload step at the innermost level */
} run_cursor;

/* A cut placed by a campaign or a reproducer's "cut" object (scenario_cut), and what became
 * of it. */
typedef struct run_cut_plan {
    bool active;
    scenario_cut cut;
    bool landed;            /* the first cut landed */
    bool recovery_pending;  /* ... and the recovery has not run yet */
    bool in_recovery;       /* the recovery is running */
    uint64_t recovery_base; /* operation count at the recovery's power-on */
    bool recovery_landed;   /* the cut inside the recovery landed */
    uint64_t recovery_ops;  /* flash operations the recovery made */
    uint8_t recovery_erases[RUNNER_RECOVERY_KINDS_MAX / 8]; /* which of them were erases */
    bool applied;        /* the operation in flight was found applied */
    bool counting_steps; /* then_steps applies: the steps after the recovery are counted */
    uint64_t steps_left;
    bool recovered; /* the recovery after the cut finished: the end-of-run check applies */
    bool torn_watched, torn_read_valid, torn_read_changed; /* the tear watch, sampled */
    bool first_cut_weak; /* the first cut left weak cells (the watch follows the second one) */
} run_cut_plan;

/* The runner's own checks in progress (runner_isolate.c): how deep (inside one, the planned
 * cut is never placed), which one (for messages), and the traffic of those made in place,
 * which the scenario's figures leave out. */
typedef struct run_checks {
    unsigned depth;
    char where[96];
    run_check_figures excluded;
} run_checks;

typedef struct run_saved run_saved;
typedef struct run_raw run_raw;       /* runner_raw.c: partitions, raw handles, their model */
typedef struct run_update run_update; /* runner_update.c: update slots and their model */

/* The scenario's last power_cut step, from the step to the power_on after it: a cut that never
 * lands, or a run that ends with the power off, is a scenario error naming that step. */
typedef struct run_power {
    const scenario_step *cut_step; /* NULL: no power_cut since the last power_on */
    uint64_t ops_at_cut;           /* flash operations made before it */
    uint64_t time_at_cut;          /* simulated time then, in us */
} run_power;

/* The workload operation running, described only when a message needs it. */
typedef struct run_workload_op {
    const char *workload; /* NULL: none */
    uint64_t index, total;
    scenario_op op;
    uint8_t key[SCENARIO_KEY_MAX];
    size_t key_len;
} run_workload_op;

/* Key-value domains the scenario has open (runner_kv.c), by name and mode: the adapter's open
 * domains as the model predicts them. */
typedef struct run_kv_open {
    size_t count;
    struct {
        uint8_t name[SCENARIO_KV_NAME_MAX];
        size_t name_len;
        bool writable;
    } domains[ADAPTER_KV_OPEN_MAX];
} run_kv_open;

/* The file system's handles the scenario named (runner_fs.c): the model's RAM (ref_fs.h) and the
 * names of the file and directory handles by slot ("" a slot never named). */
typedef struct run_fs {
    ref_fs model;
    char file_names[REF_FS_HANDLES][SCENARIO_FS_HANDLE_MAX + 1];
    char dir_names[REF_FS_HANDLES][SCENARIO_FS_HANDLE_MAX + 1];
} run_fs;

typedef struct run_state {
    const scenario *sc;
    const char *file;
    const runner_options *opts;
    scenario_result *result;
    nor *dev;
    adapter engine;
    engine_plugin plugin; /* the scenario's engine type "plugin": its library, loaded */
    bool is_map;
    bool mounted;
    bool read_only; /* mounted read-only: every write must answer read_only, the model stays */
    ref_map map;
    ref_queue queue;
    /* A raw fault hit the engine's range: the next observation of the store is taken as the
     * truth, provided every item in it is something the run once stored. */
    bool tainted;
    bool from_image; /* the flash came from flash.image: its items are adopted as they are */
    bool keep_history;
    run_history history;
    nor_prng value_stream;    /* plain `random` values, generated record contents */
    nor_prng workload_stream; /* choices of the generated workloads */
    uint8_t *read_buffer;     /* fetch, peek, pop land here */
    size_t read_buffer_size;
    const scenario_step *step;   /* the step running, for messages */
    run_workload_op workload_op; /* the workload operation running, for messages */
    char iterations[160];        /* the repeat iterations running, for messages */
    uint64_t next_progress_ops;  /* engine_ops at which progress is reported next */
    run_cursor cursor;           /* the scenario operation running */
    bool resuming;               /* walking down to `resume_at` after a restore */
    run_cursor resume_at;
    run_cut_plan plan;
    char plan_where[120];  /* the planned cut that landed, for messages */
    size_t pops_requested; /* by the iteration the planned cut interrupted */
    uint64_t operations;   /* scenario operations reached, for the budget */
    bool in_branch;        /* a campaign branch runs: no interval callbacks */
    run_saved *saved[2];   /* campaigns: the state at the last two scenario operations */
    run_checks checks;
    run_power power;    /* the scenario's own power_cut, until its power_on */
    run_raw *raw;       /* NULL: the scenario declares no partitions */
    run_update *update; /* NULL: no update step ran */
    run_kv_open kv_open;
    ref_write_back write_back; /* kvmap write-back: what flash must hold (runner_kvmap.c) */
    ref_tdb tdb; /* the TDBStore-shaped store's RAM in the model (its keys are in `map`) */
    run_fs fs;   /* the file system's handles in the model (its tree is in `map`) */
} run_state;

/* Internal: a branch reached its then_steps; unwinds to the top as a pass. */
#define RUN_STOPPED (-100)

/* A value's bytes for one use: `bytes` points into the scenario or into `owned`. */
typedef struct run_bytes {
    const uint8_t *bytes;
    size_t length;
    uint8_t *owned;
} run_bytes;

/* runner_values.c: values from the scenario seed, and bytes described for messages. */
int run_value_get(run_state *st, const scenario_value *v, run_bytes *out);
/* The same, but a plain `random` value is drawn as if it had a seed (the step's position), so
 * that it is the same however the run got to the step (a campaign resumes runs mid-step). */
int run_value_get_fixed(run_state *st, const scenario_value *v, run_bytes *out);
void run_bytes_free(run_bytes *b);
/* The read buffer holds any value of the engine, and at least `at_least` bytes (a read's size). */
int run_grow_read_buffer(run_state *st, size_t at_least);
/* "2 keys: \"a\" (1 byte), \"b\" (1 byte)" (the first four), for messages. */
void run_describe_keys(char *out, size_t size, const ref_list *keys);
/* An `items` expectation of keys (kv_keys, tdb_iter): each key, with an empty value, into `out`. */
int run_expected_keys(run_state *st, const scenario_expect *e, ref_list *out);
void run_random_fill(nor_prng *prng, uint8_t *out, size_t length);
void run_seed_stream(nor_prng *prng, uint64_t seed, uint64_t purpose);
/* "\"hello\" (5 bytes)" for short printable text, else a hex excerpt and the length. */
void run_describe_bytes(char *out, size_t size, const void *bytes, size_t length);
/* A step's answer that is not the one `source` ("the step's expectation", "the reference
 * model...") expected: run_fail with "NAME: expected E (SOURCE), got A". When the model expected
 * success (want_rc >= 0) and the engine answered an error, the message adds the expectation that
 * allows it ("expect": {"error": "full"}): an engine may refuse where the model cannot tell. */
int run_fail_answer(run_state *st, const char *name, const char *expected, const char *source,
                    const char *actual, int want_rc, int got_rc);

/* runner.c: reports a failure of the current step; always returns RUNNER_E_FAILED. */
int run_fail(run_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Out of host memory: reported as a failure of the current step. */
int run_fail_nomem(run_state *st);

/* runner_ops.c: one engine operation with its argument bytes, checked against the expectation
 * (when given) and the reference model. */
typedef struct run_op {
    scenario_op op;
    run_bytes key, value;
    bool has_capacity;
    uint32_t capacity;
    bool drop_oldest;
    const uint32_t *pop_at; /* iterate */
    size_t pop_count;
    const scenario_expect *expect; /* NULL: checked against the model only */
    bool workload;                 /* generated: a full store is an acceptable answer */
    bool drops_known;              /* push with drop_oldest: it drops `drops` entries uncut */
    size_t drops;
    bool *existed; /* remove on a kvmap engine: whether the key existed (NULL: not asked) */
} run_op;
int run_engine_op(run_state *st, const run_op *op);
/* Runs a map or queue step of the scenario (materializing its values). */
int run_item_step(run_state *st, const scenario_step *step);

/* runner_txn.c: whether a step belongs to a transaction (a txn step, or a store or removal while
 * one is open), runs it, and calls the engine's commit with the staged writes. */
bool run_txn_takes(const run_state *st, const scenario_step *step);
int run_txn_step(run_state *st, const scenario_step *step);
int run_txn_call(run_state *st);

/* runner_check.c: whole-store observation, settling after cuts, the check step. A mount step
 * (read-only when asked: the adapter must have mount_read_only). */
int run_mount(run_state *st, const scenario_expect *expect, bool read_only);
/* The same; `every_read` false compares by iteration only (no count, fetch or peek). */
int run_mount_checked(run_state *st, const scenario_expect *expect, bool every_read);
/* The store, read by iteration, equals the model. */
int run_verify_items(run_state *st, const char *what);
/* ... and so do its count and a fetch of every key (map) or a peek (queue). */
int run_verify_store(run_state *st, const char *what);
int run_check_store(run_state *st);
/* Reports "what: expected <want>; the store holds <got>" (the first items of each). */
int run_fail_store(run_state *st, const char *what, const ref_list *want, const ref_list *got);
/* Makes the model definite again (settles an operation in flight or adopts the state after a
 * fault) by observing the whole store; a no-op when the model is already definite. */
int run_sync_model(run_state *st);
/* The same, as one of the runner's own checks (its reads are not the scenario's). */
int run_sync_model_as_check(run_state *st);
/* Before an engine call: the same, when the store can be observed (mounted, powered). */
int run_sync_model_before_call(run_state *st);
bool run_model_definite(const run_state *st);
void run_history_note(run_state *st, const void *key, size_t key_len, const void *value,
                      size_t value_len);
void run_history_free(run_history *h);

/* runner_call.c: one engine call of a layer step (kv, tdb, fs). Counts the call; false, with *rc
 * NBS_E_NOT_MOUNTED, when no store is mounted to take it. */
bool run_call_mounted(run_state *st, int *rc);
/* A read's prediction points into the model, which the call may change: *bytes (NULL: none)
 * moved to a copy of its own, *copy, for the caller to free. */
int run_keep_prediction(run_state *st, const uint8_t **bytes, size_t length, uint8_t **copy);
/* After the call, the model's tracked write: applied when the call succeeded; not applied when
 * it failed without a cut inside it and the power is off or the error writes nothing
 * (`refused_unwritten`); otherwise left in flight, for the next observation to settle. */
void run_end_tracked(run_state *st, bool succeeded, bool cut_in_call, bool refused_unwritten);
/* What the engine's answer is checked against: nothing when the planned cut landed in the call
 * (the recovery that follows checks) or the power is off (an I/O error or no mount says no
 * more); the step's expectation when it has one; the model when `model_applies`. */
typedef enum run_answer_check {
    RUN_CHECK_NONE,
    RUN_CHECK_EXPECTATION,
    RUN_CHECK_MODEL,
} run_answer_check;
run_answer_check run_answer_check_for(const run_state *st, const scenario_expect *expect,
                                      int got_rc, bool cut_in_call, bool model_applies);

/* runner_kv.c: a kv_* step, checked against its expectation or the model (the model is st->map
 * in the kv_view.h form); forgetting the open domains (a mount or erase_all of the scenario's
 * closes them); opening them again after a recovery, as the firmware would after its reboot. */
int run_kv_step(run_state *st, const scenario_step *step);
void run_kv_forget_open(run_state *st);
/* An item of the model or the store's view for messages: `domain "cfg"`, `"cfg" "mode" = uint8
 * hex 03 (1 byte)`. */
void run_kv_describe_item(const ref_item *item, char *out, size_t size);
int run_kv_reopen(run_state *st);

/* runner_kvmap.c: a map_* step of the Map façade; the write-back model's hooks: after a write
 * applied to the model (notes it, a store's key as set, and a completed automatic flush), before
 * the mount that follows a power loss (the writes not flushed become unknown), and the settling of
 * the store read then (each key as flushed or as written since; *applied true). No-ops for other
 * engines. */
int run_kvmap_step(run_state *st, const scenario_step *step);
/* The name a message gives map operation `op`: the step's (map_set, ...) when the step running
 * is a façade step that runs as `op`, else the operation's own. */
const char *run_kvmap_op_name(const run_state *st, scenario_op op);
void run_write_back_after_write(run_state *st, const run_op *op);
void run_write_back_power_lost(run_state *st);
/* Whether the write-back RAM rule (SPEC 9.3) refuses `op` (a store) with NBS_E_RAM_FULL; false
 * too while the model does not know what flash holds (after a flush stopped part way). */
bool run_write_back_ram_full(const run_state *st, const run_op *op);
int run_write_back_settle(run_state *st, const ref_list *seen, bool *applied);
/* runner_tdb.c: a tdb_* step, checked against its expectation or the model (ref_tdb.h over
 * st->map in the tdb_view.h form); a mount or erase_all of the scenario's ends an incremental set.
 */
int run_tdb_step(run_state *st, const scenario_step *step);
void run_tdb_forget(run_state *st);
/* An item of the model or the store's view for messages: `"cfg" = write_once "abc" (3 bytes)`,
 * `reserved area = hex 01 (1 byte)`. */
void run_tdb_describe_item(const ref_item *item, char *out, size_t size);

/* runner_fs.c: an fs_* step, checked against its expectation or the model (ref_fs.h over st->map
 * in the fs_view.h form); a mount or erase_all of the scenario's closes every handle; copies of
 * the handles for checkpoints. */
int run_fs_step(run_state *st, const scenario_step *step);
void run_fs_forget(run_state *st);
void run_fs_copy(run_fs *dst, const run_fs *src);
/* An item of the model or the store's view for messages: `"a/b" = file "hi" (2 bytes)`. */
void run_fs_describe_item(const ref_item *item, char *out, size_t size);

/* runner_workloads.c: random_ops, config_updates, log_appends. */
int run_workload(run_state *st, const scenario_step *step);

/* runner.c: runs from the cursor (or from resume_at) to the end; fills the result's flash
 * figures from the device (allocating result->sector_erases). */
int run_from_cursor(run_state *st);
void run_fill_figures(run_state *st);

/* runner_page_map.c: the result's page_count and page_states from the engine's inspection, when
 * it has one (a result without them otherwise). */
void run_fill_page_map(run_state *st);
/* Before the first mount: a flash.image whose engine range holds no page of the engine's store,
 * only pages programmed otherwise (random bytes, another format), is said in the result's note
 * (the mount formats it silently). */
void run_note_image_without_store(run_state *st);

/* runner_checkpoint.c: called before every scenario operation (a step that is not a repeat or
 * workload, one operation of a workload, the initial mount, the end). Finishes a resume, stops
 * a branch after its then_steps, enforces the operation budget, and lets a campaign branch
 * from the previous operation. */
int run_checkpoint(run_state *st);
void run_saved_release(run_state *st);

/* runner_cut.c: the planned cut. The device's cut callback (also reporting every flash
 * operation to a campaign); whether the planned cut landed in the call that just returned;
 * the recovery that follows it (power on, mount, read twice, reboot, read), after which
 * st->plan.applied says whether the operation in flight took effect. */
bool run_cut_fn(void *ctx, const nor_event *op);
void run_plan_start(run_state *st, const scenario_cut *cut);
bool run_plan_cut_pending(const run_state *st);
int run_recover(run_state *st);
void run_plan_info(const run_state *st, runner_branch_info *out);

/* runner_read_only.c: before a recovery's read-write mount, a read-only mount read whole into
 * `view` (*taken false when the adapter cannot mount read-only), which must leave the flash as
 * it was; after that mount settled the model, the view must equal it. */
int run_read_only_view(run_state *st, ref_list *view, bool *taken);
int run_read_only_compare(run_state *st, const ref_list *view);

/* runner_isolate.c: the runner's own checks, kept out of the scenario's figures. A check that
 * only reads runs in place between begin and end: its traffic moves from the figures to
 * result->check. A sandbox (enter/leave) runs checks that write or try an operation and then
 * puts the device, the engine's RAM, the mount state and the engine call count back, so the run
 * goes on as if it had not been made (in place, with the traffic moved, for an engine that
 * cannot save its RAM state; run_sandbox.isolated says which). */
typedef struct run_check_mark {
    bool outermost;
    nor_stats before;
} run_check_mark;
void run_check_begin(run_state *st, run_check_mark *m);
void run_check_end(run_state *st, const run_check_mark *m);
typedef struct run_sandbox {
    bool isolated;
    nor_snapshot *device;
    uint8_t *engine;
    bool mounted, read_only;
    uint64_t engine_ops, next_progress_ops;
    nor_stats before;
    run_check_figures excluded;
} run_sandbox;
int run_sandbox_enter(run_state *st, run_sandbox *sb);
void run_sandbox_leave(run_state *st, run_sandbox *sb);
/* The device's statistics without the traffic of checks made in place. */
void run_scenario_stats(const run_state *st, nor_stats *out);
/* Power off between operations and on again (weak cells may settle), outside any figure. */
void run_power_cycle(run_state *st);
/* ORs the tear watch into the plan (once the planned cut landed). */
void run_watch_sample(run_state *st);

/* runner_stability.c: after a recovery, the store power-cycled and read again and again must
 * give the first settled answers; at the end of a run whose planned cut landed, power-cycled
 * and verified whole each time. */
int run_stability_check(run_state *st);
int run_end_check(run_state *st);

/* runner_drops.c: pushes with drop_oldest. Whether a cut may land in the next operation; the
 * number of entries earlier pushes dropped, learned by a count in a sandbox; and K, what the push
 * about to run drops, from a dry run of it in a sandbox (*known false when it cannot tell). */
bool run_cut_may_land(const run_state *st);
int run_resolve_drops(run_state *st);
int run_forecast_drops(run_state *st, const void *value, size_t length, bool *known,
                       size_t *dropped);

/* runner_raw.c: the partition table and raw steps (setup when the scenario declares
 * partitions), a raw fault's range made unknown to the raw model, and copies for checkpoints. */
int run_raw_setup(run_state *st);
void run_raw_free(run_state *st);
int run_raw_step(run_state *st, const scenario_step *step);
void run_raw_note_fault(run_state *st, uint32_t address, uint32_t length);
run_raw *run_raw_new(void); /* empty, for run_raw_copy to fill */
/* The engine's partition table of the run (NULL: the scenario declares no partitions). */
const struct nbs_part_table *run_raw_table(const run_state *st);

/* runner_update.c: an update step (update_open ... expect_image) against the update model;
 * its engine objects and model, freed at the end of the run. */
int run_update_step(run_state *st, const scenario_step *step);
void run_update_free(run_state *st);
/* For checkpoints: an empty one sized like `like`, a copy into it, and its release. */
run_update *run_update_new(const run_update *like);
void run_update_copy(run_update *dst, const run_update *src);
void run_update_release(run_update *u);
bool run_raw_copy(run_raw *dst, const run_raw *src);
void run_raw_release(run_raw *raw);

/* Counts an engine call and reports progress now and then. */
void run_count_engine_op(run_state *st);
/* Counts the bytes a write asked the mounted engine to store (scenario_result.user_bytes_asked),
 * and as stored when it returned `rc` NBS_OK (user_bytes). */
void run_count_user_bytes(run_state *st, uint64_t bytes, int rc);
/* runner_series.c: a sample of the flash traffic when its engine operation comes (called
 * before each engine operation), and the last one at the end of the run. */
void run_series_sample_due(run_state *st);
void run_series_sample_end(run_state *st);

#endif
