/* The run's time series (run_result.h, run_series): bytes programmed and erases against
 * simulated time, sampled every `every` engine operations into a fixed array; when it is full,
 * every other sample goes and the interval doubles, so a run of any length keeps at most
 * RUN_SERIES_MAX points spread over all of it. */
#include "runner_internal.h"

static void take_sample(run_state *st) {
    run_series *s = &st->result->series;
    if (s->count == RUN_SERIES_MAX) {
        /* Keep the even ones: the first sample (the start) stays, the spacing doubles. */
        for (uint32_t i = 0; i < RUN_SERIES_MAX / 2; i++) s->samples[i] = s->samples[2 * i];
        s->count = RUN_SERIES_MAX / 2;
        s->every *= 2;
    }
    nor_stats stats;
    run_scenario_stats(st, &stats);
    s->samples[s->count++] = (run_sample){.engine_ops = st->result->engine_ops,
                                          .time_us = stats.time_us,
                                          .program_bytes = stats.program_bytes,
                                          .erases = stats.erase_calls};
}

void run_series_sample_due(run_state *st) {
    run_series *s = &st->result->series;
    if (!s->every) s->every = 1;
    if (s->count && st->result->engine_ops < s->samples[s->count - 1].engine_ops + s->every) return;
    take_sample(st);
}

void run_series_sample_end(run_state *st) {
    if (!st->result->series.every) st->result->series.every = 1;
    take_sample(st);
}
