/* The lifetime measurement (lifetime.h): one run with every erase noted (its time and sector),
 * extended by the scenario's workload steps until its erase rate is steady, the windows' erase
 * rates, the steady ones' per-sector rates, and the projection; the line that says how long
 * the workload ran when that is news, and the progress line shown while it runs. */
#include "lifetime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct erase_note {
    uint64_t time_us;
    uint32_t addr;
} erase_note;

typedef struct erase_log {
    erase_note *items;
    size_t count, capacity;
    bool out_of_memory;
} erase_log;

static void note_erase(void *ctx, const nor_event *op) {
    erase_log *log = ctx;
    if (op->kind != NOR_EV_ERASE || log->out_of_memory) return;
    if (log->count == log->capacity) {
        size_t capacity = log->capacity ? 2 * log->capacity : 1024;
        erase_note *grown = realloc(log->items, capacity * sizeof *grown);
        if (!grown) {
            log->out_of_memory = true;
            return;
        }
        log->items = grown;
        log->capacity = capacity;
    }
    log->items[log->count++] = (erase_note){op->time_us, op->addr};
}

typedef struct progress_relay {
    lifetime_progress_fn fn;
    void *ctx;
    lifetime_progress where;
} progress_relay;

static void relay_progress(void *ctx, const char *scenario_name, uint64_t engine_ops) {
    (void)scenario_name;
    progress_relay *r = ctx;
    r->where.engine_ops = engine_ops;
    if (r->fn) r->fn(r->ctx, &r->where);
}

/* The erase rate of each window, per hour, and how far the last ones stray from their mean. */
static void judge_windows(const erase_log *log, lifetime_figures *f, uint64_t end_us) {
    uint64_t counts[LIFETIME_WINDOWS] = {0};
    double window_us = (double)end_us / LIFETIME_WINDOWS;
    for (size_t i = 0; i < log->count && window_us > 0; i++) {
        size_t w = (size_t)((double)log->items[i].time_us / window_us);
        counts[w < LIFETIME_WINDOWS ? w : LIFETIME_WINDOWS - 1]++;
    }
    double mean = 0;
    for (size_t w = LIFETIME_WINDOWS - LIFETIME_STEADY_WINDOWS; w < LIFETIME_WINDOWS; w++)
        mean += (double)counts[w] / LIFETIME_STEADY_WINDOWS;
    f->rate_deviation = 0;
    for (size_t w = LIFETIME_WINDOWS - LIFETIME_STEADY_WINDOWS; w < LIFETIME_WINDOWS && mean > 0;
         w++) {
        double deviation = fabs((double)counts[w] - mean) / mean * 100.0;
        if (deviation > f->rate_deviation) f->rate_deviation = deviation;
    }
    f->window_hours = window_us / 3600e6;
    f->erases_per_hour = f->window_hours > 0 ? mean / f->window_hours : 0;
}

/* Per-sector rates in the steady windows: the mean sector's and the busiest one's. */
static int judge_sectors(const erase_log *log, const nor *dev, const scenario *sc,
                         lifetime_figures *f, uint64_t end_us) {
    uint32_t total = nor_sector_count(dev);
    uint64_t *counts = calloc(total ? total : 1, sizeof *counts);
    if (!counts) return RUNNER_E_NOMEM;
    uint64_t from_us = end_us - end_us / LIFETIME_WINDOWS * LIFETIME_STEADY_WINDOWS;
    for (size_t i = 0; i < log->count; i++) {
        uint32_t index, start, size;
        if (log->items[i].time_us >= from_us &&
            !nor_sector_at(dev, log->items[i].addr, &index, &start, &size))
            counts[index]++;
    }
    uint64_t busiest = 0, sum = 0;
    f->sectors = 0;
    uint32_t index, start, size;
    for (uint32_t a = sc->engine.start; a < sc->engine.start + sc->engine.size; a = start + size) {
        if (nor_sector_at(dev, a, &index, &start, &size)) break;
        f->sectors++;
        sum += counts[index];
        if (counts[index] > busiest) busiest = counts[index];
    }
    free(counts);
    double steady_hours = f->window_hours * LIFETIME_STEADY_WINDOWS;
    f->sector_erases_per_hour =
        f->sectors && steady_hours > 0 ? (double)sum / f->sectors / steady_hours : 0;
    f->busiest_erases = busiest;
    f->busiest_per_hour = steady_hours > 0 ? (double)busiest / steady_hours : 0;
    f->wear_spread = sum ? (double)busiest * f->sectors / (double)sum : 0;
    return RUNNER_OK;
}

/* The figures of the run up to `end_us`, and whether they are steady (lifetime.h). */
static int judge(const erase_log *log, const nor *dev, const scenario *sc, lifetime_figures *f,
                 uint64_t end_us) {
    judge_windows(log, f, end_us);
    int rc = judge_sectors(log, dev, sc, f, end_us);
    f->steady = !rc && f->erases_per_hour > 0 && f->rate_deviation <= LIFETIME_STEADY_PERCENT &&
                f->busiest_erases >= LIFETIME_STEADY_MIN_ERASES;
    return rc;
}

/* A step a loop written by hand (a repeat) may hold for the extension to run it again: it drives
 * the engine (an operation of the engine's type: store, push, map_set, kv_write, tdb_set,
 * fs_write, their reads, ...) or the clock, and expects nothing of its own. Expectations
 * (expect_stats, check, an "expect" object) hold for the scenario as written, not for a later
 * pass; power cuts and raw faults are tests, not a workload. Transactions (their staged writes
 * are not counted as bytes stored), raw partition access and firmware updates (outside the
 * engine's range) are not measured either. */
static bool is_loop_step(const scenario_step *s) {
    switch (s->op) {
    case SCENARIO_OP_RANDOM_OPS:
    case SCENARIO_OP_CONFIG_UPDATES:
    case SCENARIO_OP_LOG_APPENDS:
    case SCENARIO_OP_SLEEP: return true;
    case SCENARIO_OP_REPEAT:
        for (size_t i = 0; i < s->args.repeat.steps.count; i++)
            if (!is_loop_step(&s->args.repeat.steps.items[i])) return false;
        return true;
    case SCENARIO_OP_TXN:
    case SCENARIO_OP_FLIP_BIT:
    case SCENARIO_OP_CORRUPT:
    case SCENARIO_OP_ERASE_SECTOR: return false;
    case SCENARIO_OP_ERASE_ALL:
    case SCENARIO_OP_REBOOT: return s->expect.kind == SCENARIO_EXPECT_NONE;
    default: return scenario_op_needs(s->op) && s->expect.kind == SCENARIO_EXPECT_NONE;
    }
}

/* A top-level step the extension runs again: a generated workload, a sleep, or a repeat of loop
 * steps. The scenario's single engine operations are its setup: they run once. */
static bool is_workload_step(const scenario_step *s) {
    return s->op == SCENARIO_OP_RANDOM_OPS || s->op == SCENARIO_OP_CONFIG_UPDATES ||
           s->op == SCENARIO_OP_LOG_APPENDS || s->op == SCENARIO_OP_SLEEP ||
           (s->op == SCENARIO_OP_REPEAT && is_loop_step(s));
}

/* The top-level workload steps of `sc`, in order (shallow copies: they point into sc). */
static int collect_workload_steps(const scenario *sc, scenario_steps *out) {
    out->count = 0;
    out->items = malloc((sc->steps.count ? sc->steps.count : 1) * sizeof *out->items);
    if (!out->items) return RUNNER_E_NOMEM;
    for (size_t i = 0; i < sc->steps.count; i++)
        if (is_workload_step(&sc->steps.items[i])) out->items[out->count++] = sc->steps.items[i];
    return RUNNER_OK;
}

/* Asked by the runner after each pass: another one, unless steady or capped. */
typedef struct extension {
    const scenario *sc;
    const erase_log *log;
    lifetime_figures *figures; /* passes, pass_hours; the windows as judged so far */
    uint64_t max_us;
    uint64_t pass_us; /* the first pass's simulated time */
    progress_relay *relay;
} extension;

static bool extend_again(void *ctx, const nor *dev, uint64_t time_us, uint64_t passes) {
    extension *x = ctx;
    lifetime_figures *f = x->figures;
    if (passes == 1) {
        x->pass_us = time_us;
        f->pass_hours = (double)time_us / 3600e6;
    }
    f->passes = passes;
    if (judge(x->log, dev, x->sc, f, time_us) || f->steady || x->log->out_of_memory ||
        x->pass_us == 0 || time_us + x->pass_us > x->max_us || passes >= LIFETIME_MAX_PASSES)
        return false;
    f->passes = passes + 1;
    x->relay->where.pass = passes + 1;
    x->relay->where.hours = (double)time_us / 3600e6;
    return true;
}

int lifetime_measure(const scenario *sc, const char *file, const adapter_kind *engine,
                     double max_hours, lifetime_progress_fn progress, void *progress_ctx,
                     lifetime_figures *out) {
    memset(out, 0, sizeof *out);
    snprintf(out->engine, sizeof out->engine, "%s", engine ? engine->name : sc->engine.type);
    out->passes = 1;
    out->max_hours = max_hours;
    scenario_steps workload;
    if (collect_workload_steps(sc, &workload)) return RUNNER_E_NOMEM;
    erase_log log = {0};
    nor *dev = NULL;
    progress_relay relay = {progress, progress_ctx, {out->engine, 1, 0, 0}};
    extension more = {sc, &log, out, (uint64_t)(max_hours * 3600e6), 0, &relay};
    runner_options opts = {.engine = engine,
                           .keep_device = &dev,
                           .on_program_erase = note_erase,
                           .program_erase_ctx = &log,
                           .progress = relay_progress,
                           .progress_ctx = &relay,
                           .extend_steps = &workload,
                           .extend = workload.count ? extend_again : NULL,
                           .extend_ctx = &more};
    int rc = runner_run(sc, file, &opts, &out->run);
    free(workload.items);
    free(out->run.sector_erases);
    out->run.sector_erases = NULL;
    if (rc == RUNNER_E_ENGINE || rc == RUNNER_E_UNSUPPORTED || rc == RUNNER_E_NOMEM ||
        log.out_of_memory || !dev) {
        free(log.items);
        nor_destroy(dev);
        return log.out_of_memory ? RUNNER_E_NOMEM : rc ? rc : RUNNER_E_ENGINE;
    }
    uint64_t end_us = out->run.sim_time_us;
    out->hours = (double)end_us / 3600e6;
    if (out->passes == 1) out->pass_hours = out->hours;
    out->endurance = sc->flash.wear.endurance;
    out->range_bytes = sc->engine.size;
    rc = judge(&log, dev, sc, out, end_us);
    free(log.items);
    nor_destroy(dev);
    if (rc) return rc;
    if (out->run.verdict != RUN_PASS)
        out->end = LIFETIME_END_RUN_FAILED;
    else if (out->steady)
        out->end = LIFETIME_END_STEADY;
    else if (!workload.count)
        out->end = LIFETIME_END_NO_WORKLOAD;
    else
        out->end = LIFETIME_END_CAP;
    out->refused = run_refused_count(&out->run, RUN_REFUSED_OPS, RUN_REFUSED_ERRORS);
    out->program_per_user_byte =
        out->run.user_bytes ? (double)out->run.program_bytes / (double)out->run.user_bytes : 0;
    double user_bytes_per_year =
        out->hours > 0 ? (double)out->run.user_bytes_asked / out->hours * LIFETIME_HOURS_PER_YEAR
                       : 0;
    out->years = out->busiest_per_hour > 0 && out->endurance
                     ? out->endurance / out->busiest_per_hour / LIFETIME_HOURS_PER_YEAR
                     : INFINITY;
    out->bound_years = user_bytes_per_year > 0 && out->endurance
                           ? (double)out->range_bytes * out->endurance / user_bytes_per_year
                           : INFINITY;
    return RUNNER_OK;
}

void lifetime_print_extension(FILE *out, const lifetime_figures *f) {
    char ran[32];
    lifetime_format_years(ran, sizeof ran, f->hours / LIFETIME_HOURS_PER_YEAR);
    if (f->end == LIFETIME_END_STEADY && f->passes > 1)
        fprintf(out,
                "%s: steady after %llu passes of the workload (%s; the scenario alone, %.1f h, "
                "was not)\n",
                f->engine, (unsigned long long)f->passes, ran, f->pass_hours);
    else if (f->end == LIFETIME_END_CAP && f->passes >= LIFETIME_MAX_PASSES)
        fprintf(out,
                "%s: NOT steady after %llu passes of the workload (%s), the most lifetime makes; "
                "give it a longer workload\n",
                f->engine, (unsigned long long)f->passes, ran);
    else if (f->end == LIFETIME_END_CAP)
        fprintf(out,
                "%s: NOT steady after %llu %s of the workload (%s): another pass would go past "
                "--max-hours %.0f; raise it\n",
                f->engine, (unsigned long long)f->passes, f->passes == 1 ? "pass" : "passes", ran,
                f->max_hours);
    else if (f->end == LIFETIME_END_NO_WORKLOAD)
        fprintf(out,
                "%s: NOT steady, and the scenario has no workload step to run again: lifetime "
                "runs again a generated workload (random_ops, config_updates, log_appends), a "
                "sleep, or a repeat of these and of the %s engine's own operations without "
                "\"expect\" (not txn, raw_*, update, fault or check steps)\n",
                f->engine, f->engine);
}

void lifetime_progress_line(void *ctx, const lifetime_progress *where) {
    static double next;
    if (!*(const bool *)ctx) return;
    double now = run_now_seconds();
    if (now < next) return;
    next = now + 1.0;
    char simulated[32];
    lifetime_format_years(simulated, sizeof simulated, where->hours / LIFETIME_HOURS_PER_YEAR);
    fprintf(stderr, "\rlifetime: %-16.16s pass %4llu from %11s %14llu engine ops", where->engine,
            (unsigned long long)where->pass, simulated, (unsigned long long)where->engine_ops);
    fflush(stderr);
}

void lifetime_progress_clear(const bool *enabled) {
    if (*enabled) fprintf(stderr, "\r%*s\r", 80, "");
}
