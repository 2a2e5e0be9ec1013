/* The lifetime measurement (lifetime.h): one run with every erase noted (its time and sector),
 * the windows' erase rates, the steady ones' per-sector rates, and the projection; and the
 * progress line shown while it runs. */
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
    const char *engine;
} progress_relay;

static void relay_progress(void *ctx, const char *scenario_name, uint64_t engine_ops) {
    (void)scenario_name;
    progress_relay *r = ctx;
    if (r->fn) r->fn(r->ctx, r->engine, engine_ops);
}

/* The erase rate of each window, per hour; whether the last ones agree. */
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
    f->steady = mean > 0 && f->rate_deviation <= LIFETIME_STEADY_PERCENT;
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
    f->busiest_per_hour = steady_hours > 0 ? (double)busiest / steady_hours : 0;
    f->wear_spread = sum ? (double)busiest * f->sectors / (double)sum : 0;
    return RUNNER_OK;
}

int lifetime_measure(const scenario *sc, const char *file, const adapter_kind *engine,
                     lifetime_progress_fn progress, void *progress_ctx, lifetime_figures *out) {
    memset(out, 0, sizeof *out);
    snprintf(out->engine, sizeof out->engine, "%s", engine ? engine->name : sc->engine.type);
    erase_log log = {0};
    nor *dev = NULL;
    progress_relay relay = {progress, progress_ctx, out->engine};
    runner_options opts = {.engine = engine,
                           .keep_device = &dev,
                           .on_program_erase = note_erase,
                           .program_erase_ctx = &log,
                           .progress = relay_progress,
                           .progress_ctx = &relay};
    int rc = runner_run(sc, file, &opts, &out->run);
    free(out->run.sector_erases);
    out->run.sector_erases = NULL;
    if (rc == RUNNER_E_ENGINE || rc == RUNNER_E_NOMEM || log.out_of_memory || !dev) {
        free(log.items);
        nor_destroy(dev);
        return log.out_of_memory ? RUNNER_E_NOMEM : rc ? rc : RUNNER_E_ENGINE;
    }
    uint64_t end_us = out->run.sim_time_us;
    out->hours = (double)end_us / 3600e6;
    out->endurance = sc->flash.wear.endurance;
    out->range_bytes = sc->engine.size;
    judge_windows(&log, out, end_us);
    rc = judge_sectors(&log, dev, sc, out, end_us);
    free(log.items);
    nor_destroy(dev);
    if (rc) return rc;
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

void lifetime_progress_line(void *ctx, const char *engine, uint64_t engine_ops) {
    static double next;
    if (!*(const bool *)ctx) return;
    double now = run_now_seconds();
    if (now < next) return;
    next = now + 1.0;
    fprintf(stderr, "\rlifetime: %-24.24s %14llu engine ops", engine,
            (unsigned long long)engine_ops);
    fflush(stderr);
}

void lifetime_progress_clear(const bool *enabled) {
    if (*enabled) fprintf(stderr, "\r%*s\r", 72, "");
}
