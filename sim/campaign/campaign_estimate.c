/* How long a campaign will take, from a short sample before it starts: a few of its cut points,
 * spread evenly and tried in one torn mode each, timed in a child process (an engine that
 * crashes then costs the estimate only). Gives the time of one try and of the run that the
 * branches start from; campaign_job_plan_of() scales them to the campaign's tries. */
#define _POSIX_C_SOURCE 200809L /* fork, pipe */
#include "campaign_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Cut points tried by the sample. */
#define ESTIMATE_POINTS 8

typedef struct timing {
    double point_started, tries_seconds;
    uint64_t tries;
    bool in_point;
} timing;

static void on_started(void *ctx, const campaign_failure *where) {
    timing *t = ctx;
    (void)where;
    if (!t->in_point) t->point_started = run_now_seconds();
    t->in_point = true;
}

static void on_point_done(void *ctx, size_t index, campaign_scenario *out) {
    timing *t = ctx;
    (void)index;
    t->tries_seconds += run_now_seconds() - t->point_started;
    t->tries++;
    t->in_point = false;
    campaign_scenario_free(out);
    memset(out, 0, sizeof *out);
}

/* A stop while sampling: no estimate, and no waiting for the rest of the run. */
static void on_stop(void *ctx) {
    (void)ctx;
    _exit(0);
}

/* The sample, run here (in the child): "TRY_SECONDS BRANCH_SECONDS". */
static void sample(const campaign_plan *plan, char *line, size_t size) {
    campaign_options o = *plan->options;
    o.torn_program &= -o.torn_program; /* the first requested mode of each kind */
    o.torn_erase &= -o.torn_erase;
    o.depth = 1;
    campaign_point points[ESTIMATE_POINTS];
    size_t n = plan->count < ESTIMATE_POINTS ? plan->count : ESTIMATE_POINTS;
    for (size_t i = 0; i < n; i++) points[i] = plan->points[(2 * i + 1) * plan->count / (2 * n)];
    campaign_plan s = *plan;
    s.options = &o;
    s.points = points;
    s.count = n;
    s.skip = NULL;
    timing t = {0};
    campaign_work_hooks hooks = {
        .started = on_started, .point_done = on_point_done, .stopped = on_stop, .ctx = &t};
    campaign_scenario scratch = {0};
    double started = run_now_seconds();
    int rc = campaign_work(&s, 0, 1, &hooks, &scratch);
    double elapsed = run_now_seconds() - started;
    campaign_scenario_free(&scratch);
    if (rc || !t.tries) return;
    double try_seconds = t.tries_seconds / (double)t.tries;
    double branch_seconds = o.mode == CAMPAIGN_LINEAR ? 0 : elapsed - t.tries_seconds;
    snprintf(line, size, "%.9g %.9g\n", try_seconds, branch_seconds > 0 ? branch_seconds : 0);
}

int campaign_estimate(const campaign_plan *plan, double *try_seconds, double *branch_seconds) {
    *try_seconds = *branch_seconds = 0;
    if (!plan->count) return CAMPAIGN_OK;
    int fds[2];
    if (pipe(fds)) return CAMPAIGN_E_IO;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return CAMPAIGN_E_IO;
    }
    if (pid == 0) {
        close(fds[0]);
        char line[64] = "";
        sample(plan, line, sizeof line);
        ssize_t unused = write(fds[1], line, strlen(line));
        (void)unused;
        _exit(0);
    }
    close(fds[1]);
    char line[64];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fds[0], line + used, sizeof line - 1 - used);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        used += (size_t)n;
    }
    line[used] = '\0';
    close(fds[0]);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    /* Nothing read (the sample crashed or was stopped): no estimate, the campaign says so. */
    if (sscanf(line, "%lf %lf", try_seconds, branch_seconds) != 2)
        *try_seconds = *branch_seconds = 0;
    return CAMPAIGN_OK;
}
