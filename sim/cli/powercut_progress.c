/* The progress line of `norbench powercut` on a terminal: the scenario, a bar, the tries made
 * and the time left. It is redrawn at most every tenth of a second and at least every quarter
 * (the campaign calls it on a timer as well as when points are done). The ETA is the rate of
 * this run's tries so far applied to the tries left, plus the estimates of the scenarios to
 * come; before the first tries it is the plan's estimate. */
#include "cli.h"
#include "powercut_run.h"
#include "runner.h"

#include <stdio.h>

/* Seconds between two drawings, and of tries before the rate replaces the estimate. */
#define DRAW_PERIOD  0.1
#define RATE_WARM_UP 0.5

static double time_left(powercut_progress *p, uint64_t done, uint64_t total, double now) {
    double elapsed = now - p->started, left;
    uint64_t made = done - p->started_done;
    const campaign_job_plan *plan = p->plans ? &p->plans[p->index] : NULL;
    if (made && elapsed >= RATE_WARM_UP)
        left = elapsed / (double)made * (double)(total - done);
    else
        left = plan ? plan->estimate_seconds - elapsed : 0;
    for (size_t i = p->index + 1; p->plans && i < p->total; i++)
        left += p->plans[i].estimate_seconds;
    return left > 0 ? left : 0;
}

void powercut_show_progress(void *ctx, const char *scenario, uint64_t done, uint64_t total) {
    powercut_progress *p = ctx;
    if (p->stop_after && done >= p->stop_after) campaign_request_stop();
    double now = run_now_seconds();
    if (p->started_index != p->index + 1) { /* the first call for this scenario */
        p->started_index = p->index + 1;
        p->started = now;
        p->started_done = done;
    }
    if (!p->enabled || (now - p->last_drawn < DRAW_PERIOD && done < total)) return;
    p->last_drawn = now;
    enum { WIDTH = 24 };
    int filled = total ? (int)(done * WIDTH / total) : WIDTH;
    char eta[32];
    cli_format_duration(eta, sizeof eta, time_left(p, done, total, now));
    fprintf(stderr, "\r[%zu/%zu] %-24.24s [%-*.*s] %llu/%llu tries, %s left   ", p->index + 1,
            p->total, scenario, WIDTH, filled, "########################", (unsigned long long)done,
            (unsigned long long)total, eta);
    fflush(stderr);
}

void powercut_clear_progress(const powercut_progress *p) {
    if (p->enabled) fprintf(stderr, "\r%*s\r", 110, "");
}
