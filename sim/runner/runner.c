/* The scenario runner's driver: builds the device and the engine adapter from a scenario, walks
 * its steps (repeat, power, raw faults, time, statistics; engine operations and workloads are
 * handed to runner_ops.c and runner_workloads.c), and fills the run result. */
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Stream purposes mixed into the scenario seed. */
#define VALUE_STREAM_PURPOSE    1u
#define WORKLOAD_STREAM_PURPOSE 2u
/* Engine operations between two progress calls: often enough that the caller's clock (it
 * draws about once a second) sees even slow operations, rarely enough to cost nothing. */
#define PROGRESS_EVERY_OPS 64u

const char *runner_strerror(int err) {
    switch (err) {
    case RUNNER_OK: return "ok";
    case RUNNER_E_FAILED: return "a step failed";
    case RUNNER_E_NOMEM: return "out of host memory";
    case RUNNER_E_ENGINE: return "the device or the engine could not be set up";
    case RUNNER_E_INVALID: return "the scenario file is invalid";
    case RUNNER_E_UNSUPPORTED: return "the scenario cannot run on this target";
    default: return "unknown runner error";
    }
}

/* " [repeat iterations; workload operation; recovery]" for a failure message, or "". */
static void describe_context(const run_state *st, char *out, size_t size) {
    char op[200] = "", recovery[sizeof st->plan_where + 32] = "";
    const run_workload_op *w = &st->workload_op;
    if (w->workload) {
        char key[100] = "";
        if (w->key_len) run_describe_bytes(key, sizeof key, w->key, w->key_len);
        snprintf(op, sizeof op, "%s operation %llu of %llu: %s %s", w->workload,
                 (unsigned long long)w->index + 1, (unsigned long long)w->total,
                 scenario_op_name(w->op), key);
    }
    if (st->plan.in_recovery)
        snprintf(recovery, sizeof recovery, "recovering from the %s", st->plan_where);
    const char *parts[4] = {st->iterations, op, recovery, st->checks.where};
    size_t used = 0;
    for (int i = 0; i < 4 && used < size; i++) {
        if (!parts[i][0]) continue;
        used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "; " : " [", parts[i]);
    }
    if (used && used < size) snprintf(out + used, size - used, "]");
}

int run_fail(run_state *st, const char *fmt, ...) {
    char what[RUN_MESSAGE_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    scenario_result *r = st->result;
    const scenario_step *s = st->step;
    /* No step: the end of the run (its checks), or the engine itself. */
    const char *path = s ? s->path : st->checks.where[0] ? "end" : "engine";
    snprintf(r->failed_step, sizeof r->failed_step, "%s", path);
    char context[sizeof st->iterations + sizeof st->plan_where + sizeof st->checks.where + 240] =
        "";
    describe_context(st, context, sizeof context);
    snprintf(r->message, sizeof r->message, "%.150s:%u:%u: %.160s: %.400s%.280s", st->file,
             s ? s->line : 1, s ? s->column : 1, path, what, context);
    r->verdict = RUN_FAIL;
    return RUNNER_E_FAILED;
}

int run_fail_nomem(run_state *st) {
    return run_fail(st, "out of host memory");
}

void run_count_engine_op(run_state *st) {
    run_series_sample_due(st);
    st->result->engine_ops++;
    if (st->opts && st->opts->progress && st->result->engine_ops >= st->next_progress_ops) {
        st->next_progress_ops = st->result->engine_ops + PROGRESS_EVERY_OPS;
        st->opts->progress(st->opts->progress_ctx, st->sc->name, st->result->engine_ops);
    }
}

/* ---- statistics ---- */

static uint64_t stat_value(const nor_stats *s, const scenario_result *r, scenario_stat stat) {
    switch (stat) {
    case SCENARIO_STAT_ERASE_MAX: return s->erase_max;
    case SCENARIO_STAT_ERASE_MIN: return s->erase_min;
    case SCENARIO_STAT_ERASE_SPREAD: return (uint64_t)s->erase_max - s->erase_min;
    case SCENARIO_STAT_ERASES: return s->erase_calls;
    case SCENARIO_STAT_PROGRAMS: return s->program_calls;
    case SCENARIO_STAT_PROGRAM_BYTES: return s->program_bytes;
    case SCENARIO_STAT_READS: return s->read_calls;
    case SCENARIO_STAT_READ_BYTES: return s->read_bytes;
    case SCENARIO_STAT_VIOLATIONS: return s->violations;
    case SCENARIO_STAT_ECC_ERRORS: return s->ecc_errors;
    case SCENARIO_STAT_WORN_FAILURES: return s->worn_failures;
    case SCENARIO_STAT_POWER_CUTS: return s->cuts;
    case SCENARIO_STAT_TIME: return s->time_us;
    case SCENARIO_STAT_REFUSED: return run_refused_count(r, RUN_REFUSED_OPS, RUN_REFUSED_ERRORS);
    case SCENARIO_STAT_REFUSED_STORE:
        return run_refused_count(r, RUN_REFUSED_STORE, RUN_REFUSED_ERRORS);
    case SCENARIO_STAT_REFUSED_PUSH:
        return run_refused_count(r, RUN_REFUSED_PUSH, RUN_REFUSED_ERRORS);
    case SCENARIO_STAT_REFUSED_FULL: return run_refused_count(r, RUN_REFUSED_OPS, RUN_REFUSED_FULL);
    case SCENARIO_STAT_REFUSED_TOO_BIG:
        return run_refused_count(r, RUN_REFUSED_OPS, RUN_REFUSED_TOO_BIG);
    default: return 0;
    }
}

static int expect_stats(run_state *st, const scenario_stats_args *args) {
    nor_stats stats;
    run_scenario_stats(st, &stats);
    for (size_t i = 0; i < args->count; i++) {
        const scenario_stat_check *c = &args->checks[i];
        uint64_t actual = stat_value(&stats, st->result, c->stat);
        if (!scenario_compare_holds(c->cmp, actual, c->value))
            return run_fail(st, "expect_stats: expected %s %s %llu, got %llu",
                            scenario_stat_name(c->stat), scenario_compare_symbol(c->cmp),
                            (unsigned long long)c->value, (unsigned long long)actual);
    }
    return RUNNER_OK;
}

/* ---- power and raw flash ---- */

static int power_cut(run_state *st, const scenario_power_cut_args *a) {
    st->power = (run_power){.cut_step = st->step,
                            .ops_at_cut = nor_op_count(st->dev),
                            .time_at_cut = nor_time_us(st->dev)};
    nor_set_torn_modes(st->dev, a->torn_program, a->torn_erase);
    switch (a->trigger) {
    case SCENARIO_CUT_NOW: nor_cut_now(st->dev); break;
    case SCENARIO_CUT_AFTER_OPS: nor_arm_cut_after_ops(st->dev, a->after_ops); break;
    case SCENARIO_CUT_AT_TIME: nor_arm_cut_at_time(st->dev, a->time_us); break;
    case SCENARIO_CUT_IN_TIME:
        nor_arm_cut_at_time(st->dev, nor_time_us(st->dev) + a->time_us);
        break;
    }
    return RUNNER_OK;
}

/* A power_cut whose trigger never fired (the power is still on at its power_on, or at the end),
 * or a run that ends with the power off: the scenario checks less than it seems to, so it is an
 * error reported at the power_cut step. `until` says where the run got to. */
static const char end_of_run[] = "the end of the run";

static int check_power_cut_landed(run_state *st, const char *until) {
    const run_power *p = &st->power;
    if (!p->cut_step) return RUNNER_OK;
    const scenario_power_cut_args *a = &p->cut_step->args.power_cut;
    bool armed = nor_cut_armed(st->dev);
    bool off_at_end = !nor_is_powered(st->dev) && until == end_of_run;
    if (!armed && !off_at_end) return RUNNER_OK;
    st->step = p->cut_step;
    if (armed) {
        uint64_t ops = nor_op_count(st->dev) - p->ops_at_cut;
        if (a->trigger == SCENARIO_CUT_AFTER_OPS)
            return run_fail(st,
                            "power_cut: the cut never landed: after_ops %llu, but %s came after "
                            "%llu flash %s; lower after_ops or move the power_cut",
                            (unsigned long long)a->after_ops, until, (unsigned long long)ops,
                            run_plural(ops, "operation", "operations"));
        return run_fail(st,
                        "power_cut: the cut never landed: no flash operation ran at its time "
                        "before %s (%llu us of simulated time after the step)",
                        until, (unsigned long long)(nor_time_us(st->dev) - p->time_at_cut));
    }
    return run_fail(st, "power_cut: the run ends with the power off: the operations after the "
                        "cut are never checked; add a power_on (and a check) after them");
}

/* A raw write inside the engine's range makes the model provisional (see run_state.tainted). */
static void note_raw_write(run_state *st, uint32_t address, uint32_t length) {
    run_raw_note_fault(st, address, length);
    uint64_t start = st->sc->engine.start, end = start + st->sc->engine.size;
    if (address < end && (uint64_t)address + length > start) st->tainted = true;
}

static int raw_fault(run_state *st, const scenario_step *step) {
    int rc = NOR_OK;
    if (step->op == SCENARIO_OP_FLIP_BIT) {
        rc = nor_flip_bit(st->dev, step->args.flip_bit.address, step->args.flip_bit.bit);
        if (!rc) note_raw_write(st, step->args.flip_bit.address, 1);
    } else if (step->op == SCENARIO_OP_CORRUPT) {
        run_bytes bytes;
        if (run_value_get(st, &step->args.corrupt.value, &bytes)) return run_fail_nomem(st);
        rc = nor_poke(st->dev, step->args.corrupt.address, bytes.bytes, (uint32_t)bytes.length);
        if (!rc) note_raw_write(st, step->args.corrupt.address, (uint32_t)bytes.length);
        run_bytes_free(&bytes);
    } else {
        uint32_t index, start, size;
        rc = nor_sector_at(st->dev, step->args.erase_sector.address, &index, &start, &size);
        uint8_t *erased = rc ? NULL : malloc(size);
        if (!rc && !erased) return run_fail_nomem(st);
        if (!rc) {
            memset(erased, nor_get_config(st->dev)->erase_value, size);
            rc = nor_poke(st->dev, start, erased, size);
            free(erased);
            if (!rc) note_raw_write(st, start, size);
        }
    }
    if (rc)
        return run_fail(st, "%s: the flash model refused: %s", scenario_op_name(step->op),
                        nor_strerror(rc));
    return RUNNER_OK;
}

/* ---- steps ---- */

static int run_steps(run_state *st, const scenario_steps *steps, uint32_t depth);

static int run_repeat(run_state *st, const scenario_step *step, uint32_t depth) {
    const scenario_repeat_args *a = &step->args.repeat;
    size_t mark = strlen(st->iterations);
    uint64_t first = st->resuming ? st->resume_at.level[depth].iteration : 0;
    for (uint64_t i = first; i < a->times; i++) {
        st->cursor.level[depth].iteration = i;
        snprintf(st->iterations + mark, sizeof st->iterations - mark, "%s%s iteration %llu of %llu",
                 mark ? ", " : "", step->path, (unsigned long long)i + 1,
                 (unsigned long long)a->times);
        int rc = run_steps(st, &a->steps, depth + 1);
        if (rc) return rc;
    }
    st->iterations[mark] = '\0';
    return RUNNER_OK;
}

/* A step that is one scenario operation (not a repeat or a workload). */
static int run_simple_step(run_state *st, const scenario_step *step) {
    int rc = run_checkpoint(st);
    /* Power, raw faults and checks need the model exact (engine operations see to it). */
    if (!rc && step->op >= SCENARIO_OP_POWER_CUT) rc = run_resolve_drops(st);
    if (rc) return rc;
    if (run_txn_takes(st, step)) return run_txn_step(st, step);
    if (scenario_op_is_fs(step->op)) return run_fs_step(st, step);
    switch (step->op) {
    case SCENARIO_OP_SLEEP: nor_advance_time(st->dev, step->args.sleep_us); return RUNNER_OK;
    case SCENARIO_OP_POWER_CUT: {
        /* A new power_cut re-arms the device: an earlier one still armed would never land. */
        char until[RUN_PATH_MAX + 16];
        snprintf(until, sizeof until, "the power_cut of %s", step->path);
        if ((rc = check_power_cut_landed(st, until))) return rc;
        return power_cut(st, &step->args.power_cut);
    }
    case SCENARIO_OP_POWER_ON: {
        char until[RUN_PATH_MAX + 16];
        snprintf(until, sizeof until, "the power_on of %s", step->path);
        if ((rc = check_power_cut_landed(st, until))) return rc;
        st->power.cut_step = NULL;
        nor_power_on(st->dev);
        return run_mount(st, &step->expect, step->args.read_only);
    }
    case SCENARIO_OP_REBOOT: return run_mount(st, &step->expect, step->args.read_only);
    case SCENARIO_OP_FLIP_BIT:
    case SCENARIO_OP_CORRUPT:
    case SCENARIO_OP_ERASE_SECTOR: return raw_fault(st, step);
    /* A placed cut changes the figures (its own operations, the extra mounts). */
    case SCENARIO_OP_EXPECT_STATS:
        return st->plan.landed ? RUNNER_OK : expect_stats(st, &step->args.stats);
    case SCENARIO_OP_CHECK: return run_check_store(st);
    case SCENARIO_OP_PARTITIONS:
    case SCENARIO_OP_RAW_OPEN:
    case SCENARIO_OP_RAW_CLOSE:
    case SCENARIO_OP_RAW_STATUS:
    case SCENARIO_OP_RAW_READ:
    case SCENARIO_OP_RAW_WRITE:
    case SCENARIO_OP_RAW_ERASE: return run_raw_step(st, step);
    case SCENARIO_OP_KV_OPEN:
    case SCENARIO_OP_KV_CLOSE:
    case SCENARIO_OP_KV_READ:
    case SCENARIO_OP_KV_WRITE:
    case SCENARIO_OP_KV_DELETE:
    case SCENARIO_OP_KV_KEYS: return run_kv_step(st, step);
    case SCENARIO_OP_MAP_GET:
    case SCENARIO_OP_MAP_SET:
    case SCENARIO_OP_MAP_HAS:
    case SCENARIO_OP_MAP_DELETE:
    case SCENARIO_OP_MAP_CLEAR:
    case SCENARIO_OP_MAP_SIZE:
    case SCENARIO_OP_MAP_KEYS:
    case SCENARIO_OP_MAP_VALUES:
    case SCENARIO_OP_MAP_ENTRIES:
    case SCENARIO_OP_MAP_FLUSH: return run_kvmap_step(st, step);
    case SCENARIO_OP_UPDATE_OPEN:
    case SCENARIO_OP_UPDATE_WRITE:
    case SCENARIO_OP_UPDATE_COMPLETE:
    case SCENARIO_OP_UPDATE_CLOSE:
    case SCENARIO_OP_BOOT:
    case SCENARIO_OP_CONFIRM:
    case SCENARIO_OP_EXPECT_IMAGE: return run_update_step(st, step);
    case SCENARIO_OP_TDB_SET:
    case SCENARIO_OP_TDB_GET:
    case SCENARIO_OP_TDB_INFO:
    case SCENARIO_OP_TDB_REMOVE:
    case SCENARIO_OP_TDB_RESET:
    case SCENARIO_OP_TDB_SET_START:
    case SCENARIO_OP_TDB_SET_ADD:
    case SCENARIO_OP_TDB_SET_FINALIZE:
    case SCENARIO_OP_TDB_SET_ABORT:
    case SCENARIO_OP_TDB_ITER:
    case SCENARIO_OP_TDB_RESERVED_SET:
    case SCENARIO_OP_TDB_RESERVED_GET: return run_tdb_step(st, step);
    default: return run_item_step(st, step);
    }
}

static int run_step(run_state *st, const scenario_step *step, uint32_t depth) {
    st->step = step;
    if (!st->resuming) st->result->steps_run++;
    switch (step->op) {
    case SCENARIO_OP_REPEAT: return run_repeat(st, step, depth);
    case SCENARIO_OP_RANDOM_OPS:
    case SCENARIO_OP_CONFIG_UPDATES:
    case SCENARIO_OP_LOG_APPENDS: return run_workload(st, step);
    default: return run_simple_step(st, step);
    }
}

static int run_steps(run_state *st, const scenario_steps *steps, uint32_t depth) {
    size_t first = st->resuming ? st->resume_at.level[depth].step : 0;
    for (size_t i = first; i < steps->count; i++) {
        st->cursor.depth = depth + 1;
        st->cursor.level[depth].step = i;
        int rc = run_step(st, &steps->items[i], depth);
        if (rc) return rc;
    }
    st->cursor.depth = depth;
    return RUNNER_OK;
}

/* The passes after the steps (runner_options.extend), each named in failure messages. */
static int run_extension(run_state *st) {
    const runner_options *o = st->opts;
    size_t mark = strlen(st->iterations);
    for (uint64_t passes = 1;; passes++) {
        nor_stats now; /* the scenario's time, as the result gives it */
        run_scenario_stats(st, &now);
        if (!o->extend(o->extend_ctx, st->dev, now.time_us, passes)) break;
        snprintf(st->iterations + mark, sizeof st->iterations - mark, "%spass %llu of the workload",
                 mark ? ", " : "", (unsigned long long)passes + 1);
        int rc = run_steps(st, o->extend_steps, 0);
        if (rc) return rc;
    }
    st->iterations[mark] = '\0';
    return RUNNER_OK;
}

/* The run from the cursor (or from `resume_at` when resuming) to its end: the initial mount,
 * the steps (and the passes that extend them), the final checkpoint. */
int run_from_cursor(run_state *st) {
    run_phase phase = st->resuming ? st->resume_at.phase : RUN_PHASE_SETUP;
    int rc = RUNNER_OK;
    if (phase == RUN_PHASE_SETUP) {
        st->cursor.phase = RUN_PHASE_SETUP;
        rc = run_checkpoint(st);
        if (!rc) rc = run_mount(st, NULL, false);
    }
    if (!rc && phase <= RUN_PHASE_STEPS) {
        st->cursor.phase = RUN_PHASE_STEPS;
        rc = run_steps(st, &st->sc->steps, 0);
        if (!rc && st->opts && st->opts->extend) rc = run_extension(st);
    }
    if (!rc) {
        st->cursor.phase = RUN_PHASE_END;
        st->cursor.depth = 0;
        rc = run_checkpoint(st);
    }
    if (!rc) rc = check_power_cut_landed(st, end_of_run);
    if ((!rc || rc == RUN_STOPPED) && st->plan.recovered) {
        int end = run_end_check(st);
        if (end) rc = end;
    }
    if (!rc && st->plan.active && !st->plan.landed) {
        st->step = NULL;
        rc = run_fail(st,
                      "cut.op %llu: the power cut never landed (the run made %llu flash "
                      "operations, or a cut of the scenario's own was armed at that one)",
                      (unsigned long long)st->plan.cut.first.op,
                      (unsigned long long)nor_op_count(st->dev));
    }
    return rc == RUN_STOPPED ? RUNNER_OK : rc;
}

static bool has_raw_faults(const scenario_steps *steps) {
    for (size_t i = 0; i < steps->count; i++) {
        const scenario_step *s = &steps->items[i];
        if (s->op == SCENARIO_OP_FLIP_BIT || s->op == SCENARIO_OP_CORRUPT ||
            s->op == SCENARIO_OP_ERASE_SECTOR)
            return true;
        if (s->op == SCENARIO_OP_REPEAT && has_raw_faults(&s->args.repeat.steps)) return true;
    }
    return false;
}

/* ---- the result ---- */

/* FNV-1a over every byte the device holds (as stored, weak bits not drawn). */
static uint64_t device_digest(const nor *dev) {
    uint64_t h = 0xcbf29ce484222325ull;
    uint8_t chunk[4096];
    for (uint32_t at = 0, size = nor_size(dev); at < size; at += sizeof chunk) {
        uint32_t n = size - at < sizeof chunk ? size - at : (uint32_t)sizeof chunk;
        nor_peek(dev, at, chunk, n);
        for (uint32_t i = 0; i < n; i++) h = (h ^ chunk[i]) * 0x100000001b3ull;
    }
    return h;
}

void run_fill_figures(run_state *st) {
    scenario_result *r = st->result;
    nor_stats s;
    run_scenario_stats(st, &s);
    r->programs = s.program_calls;
    r->program_bytes = s.program_bytes;
    r->erases = s.erase_calls;
    r->reads = s.read_calls;
    r->read_bytes = s.read_bytes;
    r->flash_ops = s.program_calls + s.erase_calls;
    r->violations = s.violations;
    r->ecc_errors = s.ecc_errors;
    r->power_cuts = s.cuts;
    r->wear_max = s.erase_max;
    r->wear_min = s.erase_min;
    r->sim_time_us = s.time_us;
    run_series_sample_end(st);
    r->sector_count = nor_sector_count(st->dev);
    r->sector_erases = calloc(r->sector_count ? r->sector_count : 1, sizeof *r->sector_erases);
    for (uint32_t i = 0; r->sector_erases && i < r->sector_count; i++)
        r->sector_erases[i] = nor_erase_count(st->dev, i);
    if (st->opts && st->opts->flash_digest) r->flash_digest = device_digest(st->dev);
}

static void result_header(scenario_result *out, const scenario *sc, const char *file,
                          uint64_t seed) {
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", sc->name);
    snprintf(out->file, sizeof out->file, "%s", file);
    snprintf(out->preset, sizeof out->preset, "%s", sc->preset);
    snprintf(out->engine, sizeof out->engine, "%s", sc->engine.type);
    out->seed = seed;
    out->verdict = RUN_PASS;
}

void run_count_user_bytes(run_state *st, uint64_t bytes, int rc) {
    if (!st->mounted) return;
    st->result->user_bytes_asked += bytes;
    if (rc == NBS_OK) st->result->user_bytes += bytes;
}

/* The first step of `steps` (inside a repeat too) that an engine providing `capabilities` cannot
 * run; NULL when there is none. */
static const scenario_step *first_step_beyond(const scenario_steps *steps, unsigned capabilities) {
    for (size_t i = 0; i < steps->count; i++) {
        const scenario_step *s = &steps->items[i];
        unsigned needs = scenario_op_needs(s->op);
        if (needs && !(needs & capabilities)) return s;
        const scenario_step *inner = s->op == SCENARIO_OP_REPEAT
                                         ? first_step_beyond(&s->args.repeat.steps, capabilities)
                                         : NULL;
        if (inner) return inner;
    }
    return NULL;
}

bool runner_engine_fits(const scenario *sc, const adapter_kind *kind, char *why, size_t size) {
    unsigned missing = sc->engine.capabilities & ~kind->capabilities;
    if (!missing) return true;
    char types[64];
    const scenario_step *step = first_step_beyond(&sc->steps, kind->capabilities);
    if (step) {
        scenario_engine_types_for(scenario_op_needs(step->op), types, sizeof types);
        snprintf(why, size,
                 "the %s engine is not a %s engine, and this scenario's %s (%s) needs one",
                 kind->name, types, scenario_op_name(step->op), step->path);
    } else {
        scenario_engine_types_for(missing, types, sizeof types);
        snprintf(why, size,
                 "the %s engine is not a %s engine, and this scenario's engine type '%s' is one",
                 kind->name, types, sc->engine.type);
    }
    return false;
}

/* "map, queue and kv": the engine types `find` runs, in the adapter table's order. */
static void engines_found(const adapter_kind *(*find)(const char *type), char *out, size_t size) {
    size_t found = 0, used = 0, total = 0;
    for (size_t i = 0; i < adapter_kind_count(); i++)
        total += find(adapter_kind_at(i)->name) != NULL;
    out[0] = '\0';
    for (size_t i = 0; i < adapter_kind_count() && used < size; i++) {
        const char *name = adapter_kind_at(i)->name;
        if (!find(name)) continue;
        found++;
        const char *sep = found == 1 ? "" : found == total ? " and " : ", ";
        used += (size_t)snprintf(out + used, size - used, "%s%s", sep, name);
    }
}

/* The scenario asks for what the target cannot do: said once, as the run's error, and bad input
 * (RUNNER_E_UNSUPPORTED) rather than a broken engine. */
static int refuse_target(run_state *st, const char *why) {
    run_fail(st, "%s", why);
    return RUNNER_E_UNSUPPORTED;
}

static int setup(run_state *st) {
    const scenario *sc = st->sc;
    const runner_options *o = st->opts;
    const adapter_kind *kind = o && o->engine ? o->engine : NULL;
    if (!kind && sc->engine.library) {
        char why[ENGINE_PLUGIN_WHY_MAX];
        if (o && o->on_plugin_library)
            o->on_plugin_library(o->plugin_library_ctx, sc->engine.library);
        if (engine_plugin_load(&st->plugin, sc->engine.library, why, sizeof why))
            return run_fail(st, "%s", why);
        kind = &st->plugin.kind;
    }
    if (!kind)
        kind =
            o && o->find_engine ? o->find_engine(sc->engine.type) : adapter_find(sc->engine.type);
    if (!kind && o && o->find_engine) {
        char names[160], why[RUN_MESSAGE_MAX / 2];
        engines_found(o->find_engine, names, sizeof names);
        snprintf(why, sizeof why,
                 "the target runs %s scenarios only, not %.40s ones: run this one on the host "
                 "(without --target)",
                 names, sc->engine.type);
        return refuse_target(st, why);
    }
    if (!kind) return run_fail(st, "no engine adapter named '%s'", sc->engine.type);
    char unfit[RUN_MESSAGE_MAX / 2];
    if (!runner_engine_fits(sc, kind, unfit, sizeof unfit)) return run_fail(st, "%s", unfit);
    snprintf(st->result->engine, sizeof st->result->engine, "%s", kind->name);
    int rc = nor_create(&st->dev, &sc->flash, st->result->seed);
    if (rc) return run_fail(st, "the flash model refused the configuration: %s", nor_strerror(rc));
    if (sc->image) {
        /* The load checked the image; it may have changed since. */
        char why[NOR_IMAGE_WHY_MAX] = "";
        rc = nor_image_load_explained(st->dev, sc->image, why, sizeof why);
        if (rc) return run_fail(st, "flash.image: %s", why[0] ? why : nor_strerror(rc));
        st->tainted = st->from_image = true; /* the first mount takes its items as the truth */
    }
    if (o && o->on_device) o->on_device(o->device_ctx, st->dev);
    adapter_config cfg = runner_adapter_config(&sc->engine);
    char why[RUN_MESSAGE_MAX / 2] = "";
    cfg.why = why;
    cfg.why_size = sizeof why;
    rc = adapter_kind_create(kind, &st->engine, st->dev, &cfg);
    if (rc && why[0]) return refuse_target(st, why);
    if (rc)
        return run_fail(st, "the %s engine cannot be set up on this range: %s", kind->name,
                        scenario_error_short_name(rc));
    run_note_image_without_store(st);
    /* The model is a map's for a map, for key-value domains (runner_kv.c), for the
     * TDBStore-shaped store (runner_tdb.c) and for the file system (runner_fs.c). */
    st->is_map = (sc->engine.capabilities &
                  (ADAPTER_CAN_MAP | ADAPTER_CAN_KV | ADAPTER_CAN_TDB | ADAPTER_CAN_FS)) != 0;
    run_seed_stream(&st->value_stream, st->result->seed, VALUE_STREAM_PURPOSE);
    run_seed_stream(&st->workload_stream, st->result->seed, WORKLOAD_STREAM_PURPOSE);
    st->keep_history = has_raw_faults(&sc->steps);
    if ((rc = run_raw_setup(st))) return rc;
    nor_set_cut_fn(st->dev, run_cut_fn, st);
    const scenario_cut *cut = st->opts && st->opts->cut ? st->opts->cut : &sc->cut;
    if (cut->present) run_plan_start(st, cut);
    return RUNNER_OK;
}

adapter_config runner_adapter_config(const scenario_engine *engine) {
    return (adapter_config){.start = engine->start,
                            .size = engine->size,
                            .page_size = engine->page_size,
                            .cache_flags = engine->cache_flags,
                            .cache_max_keys = engine->cache_max_keys,
                            .cache_check = engine->cache_check,
                            .write_back = engine->write_back,
                            .write_back_ram = engine->write_back_ram,
                            .write_back_threshold = engine->write_back_threshold,
                            .key_rules = engine->key_rules};
}

int runner_run(const scenario *sc, const char *file, const runner_options *opts,
               scenario_result *out) {
    clock_t cpu_started = clock();
    double started = run_now_seconds();
    uint64_t seed = opts && opts->override_seed ? opts->seed : sc->seed;
    result_header(out, sc, file, seed);
    run_state st = {.sc = sc, .file = file, .opts = opts, .result = out};
    ref_map_init(&st.map);
    ref_write_back_init(&st.write_back, sc->engine.write_back);
    ref_queue_init(&st.queue);
    ref_tdb_init(&st.tdb, sc->engine.key_rules);
    ref_fs_init(&st.fs.model);
    int rc = setup(&st);
    bool setup_failed = rc != RUNNER_OK;
    if (!rc) rc = run_from_cursor(&st);
    if (st.dev) run_fill_figures(&st);
    if (opts && opts->page_map) run_fill_page_map(&st);
    if (opts && opts->cut_info) run_plan_info(&st, opts->cut_info);
    if (setup_failed && !st.engine.ctx) {
        out->verdict = RUN_ERROR;
        if (rc != RUNNER_E_UNSUPPORTED) rc = RUNNER_E_ENGINE;
    }
    run_saved_release(&st);
    run_raw_free(&st);
    run_update_free(&st);
    adapter_destroy(&st.engine);
    engine_plugin_unload(&st.plugin);
    if (opts && opts->keep_device) {
        /* The device outlives the run: its cut callback must not point at the run's state. */
        if (st.dev) nor_set_cut_fn(st.dev, NULL, NULL);
        *opts->keep_device = st.dev;
    } else
        nor_destroy(st.dev);
    ref_map_free(&st.map);
    ref_write_back_free(&st.write_back);
    ref_queue_free(&st.queue);
    ref_tdb_free(&st.tdb);
    ref_fs_free(&st.fs.model);
    run_history_free(&st.history);
    free(st.read_buffer);
    out->wall_seconds = run_now_seconds() - started;
    out->cpu_seconds = (double)(clock() - cpu_started) / CLOCKS_PER_SEC;
    return rc;
}

int runner_run_file(const char *path, const runner_options *opts, scenario_result *out,
                    scenario_errors *errors) {
    scenario *sc = NULL;
    int rc = scenario_load_file_with(path, opts ? opts->load : NULL, &sc, errors);
    if (rc != SCENARIO_OK) {
        memset(out, 0, sizeof *out);
        const char *base = strrchr(path, '/');
        snprintf(out->name, sizeof out->name, "%s", base ? base + 1 : path);
        snprintf(out->file, sizeof out->file, "%s", path);
        out->verdict = RUN_ERROR;
        if (errors->count)
            scenario_error_format(&errors->items[0], out->message, sizeof out->message);
        else
            snprintf(out->message, sizeof out->message, "%s: %s", path, scenario_strerror(rc));
        return rc == SCENARIO_E_NOMEM ? RUNNER_E_NOMEM : RUNNER_E_INVALID;
    }
    rc = runner_run(sc, path, opts, out);
    scenario_free(sc);
    return rc;
}
