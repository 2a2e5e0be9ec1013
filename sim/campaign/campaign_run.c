/* The workers of a campaign: forks them (a crash of the engine under test then costs one
 * worker, and is reported at the cut point it happened at), follows their progress through
 * pipes (each point's findings as it is done), merges what they found and, when a stop is
 * asked for, stops them and keeps the points they finished. */
#define _POSIX_C_SOURCE 200809L /* strsignal, fork, pipe, poll, kill */
#include "campaign_internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Seconds between two progress reports (at most; also after each point done). */
#define PROGRESS_PERIOD 0.25

/* ---- the worker side: lines on a pipe ---- */

static void write_all(int fd, const char *text, size_t length) {
    while (length) {
        ssize_t n = write(fd, text, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) _exit(3);
        text += n;
        length -= (size_t)n;
    }
}

/* "S" + the try about to run: the parent counts progress and knows where a crash happened. */
static void report_started(void *ctx, const campaign_failure *f) {
    char line[160];
    int n = snprintf(line, sizeof line, "S %llu %d %u %d %llu %d %u\n", (unsigned long long)f->op,
                     f->is_erase, f->torn, f->has_recovery_cut, (unsigned long long)f->recovery_op,
                     f->recovery_is_erase, f->recovery_torn);
    write_all(*(int *)ctx, line, (size_t)n);
}

/* "P INDEX {json}": what the worker found at the plan's point INDEX; *out starts afresh. */
static void report_point(void *ctx, size_t index, campaign_scenario *out) {
    cJSON *json = campaign_scenario_json(out);
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    cJSON_Delete(json);
    if (!text) _exit(2);
    char head[32];
    int n = snprintf(head, sizeof head, "P %zu ", index);
    write_all(*(int *)ctx, head, (size_t)n);
    write_all(*(int *)ctx, text, strlen(text));
    write_all(*(int *)ctx, "\n", 1);
    free(text);
    campaign_scenario_free(out);
    memset(out, 0, sizeof *out);
}

/* A stop: the points done are reported; the one under way is dropped. */
static void leave_on_stop(void *ctx) {
    (void)ctx;
    _exit(0);
}

static void run_worker(const campaign_plan *plan, unsigned index, unsigned workers, int fd) {
    campaign_scenario part = {0};
    campaign_work_hooks hooks = {.started = report_started,
                                 .point_done = report_point,
                                 .stopped = leave_on_stop,
                                 .ctx = &fd};
    int rc = campaign_work(plan, index, workers, &hooks, &part);
    if (rc) _exit(2);
    cJSON *json = campaign_scenario_json(&part);
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    if (!text) _exit(2);
    write_all(fd, "R ", 2);
    write_all(fd, text, strlen(text));
    write_all(fd, "\n", 1);
    _exit(0);
}

/* ---- the parent side ---- */

typedef struct child {
    pid_t pid;
    int fd;
    char *buffer;
    size_t length, capacity;
    bool reported;         /* its "R" line arrived */
    bool started;          /* a try was announced */
    campaign_failure last; /* the last try announced */
} child;

/* What the parent follows: the merged findings, the tries started, the points done. */
typedef struct progress {
    campaign_scenario *out;
    uint64_t tries_started;
    uint8_t *done; /* per plan point */
    size_t done_count;
    const campaign_plan *plan;
} progress;

/* Merges a worker's JSON part into the result. */
static int merge_part(const char *text, campaign_scenario *out) {
    cJSON *json = cJSON_Parse(text);
    campaign_scenario part = {0};
    char why[200];
    int rc = json ? campaign_scenario_from_json(json, &part, why, sizeof why) : CAMPAIGN_E_NOMEM;
    cJSON_Delete(json);
    if (!rc) rc = campaign_scenario_merge(out, &part);
    campaign_scenario_free(&part);
    return rc;
}

static int handle_line(child *c, char *line, progress *pr) {
    if (line[0] == 'S') {
        unsigned long long op, rop;
        int erase, has_r, r_erase;
        unsigned torn, rtorn;
        if (sscanf(line, "S %llu %d %u %d %llu %d %u", &op, &erase, &torn, &has_r, &rop, &r_erase,
                   &rtorn) == 7) {
            c->last = (campaign_failure){.op = op,
                                         .is_erase = erase,
                                         .torn = torn,
                                         .has_recovery_cut = has_r,
                                         .recovery_op = rop,
                                         .recovery_is_erase = r_erase,
                                         .recovery_torn = rtorn};
            c->started = true;
            if (!has_r) pr->tries_started++;
        }
        return CAMPAIGN_OK;
    }
    if (line[0] == 'P') {
        char *json;
        unsigned long long index = strtoull(line + 2, &json, 10);
        if (index >= pr->plan->count || pr->done[index]) return CAMPAIGN_E_INVALID;
        int rc = merge_part(json, pr->out);
        if (!rc) {
            pr->done[index] = 1;
            pr->done_count++;
        }
        return rc;
    }
    if (line[0] != 'R') return CAMPAIGN_OK;
    int rc = merge_part(line + 2, pr->out);
    c->reported = rc == CAMPAIGN_OK;
    return rc;
}

/* Reads what is there; false at the end of the child's output. */
static bool drain(child *c, progress *pr) {
    if (c->capacity - c->length < 4096) {
        size_t capacity = c->capacity ? c->capacity * 2 : 65536;
        char *grown = realloc(c->buffer, capacity);
        if (!grown) return false;
        c->buffer = grown;
        c->capacity = capacity;
    }
    ssize_t n = read(c->fd, c->buffer + c->length, c->capacity - c->length - 1);
    if (n < 0 && errno == EINTR) return true;
    if (n <= 0) return false;
    c->length += (size_t)n;
    size_t start = 0;
    for (size_t i = 0; i < c->length; i++) {
        if (c->buffer[i] != '\n') continue;
        c->buffer[i] = '\0';
        handle_line(c, c->buffer + start, pr);
        start = i + 1;
    }
    memmove(c->buffer, c->buffer + start, c->length - start);
    c->length -= start;
    return true;
}

/* A worker that died before its report: a failure at the try it was running. */
static void note_lost_worker(child *c, int status, campaign_scenario *out) {
    if (c->reported && WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
    campaign_failure f = c->last;
    if (WIFSIGNALED(status))
        snprintf(f.message, sizeof f.message,
                 "the run crashed (signal %d: %s); the worker's later cut points were not tried",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(f.message, sizeof f.message,
                 "the worker stopped (exit status %d, out of memory?) before reporting",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    if (c->started) {
        campaign_add_failure(out, &f);
    } else if (!out->has_error) {
        out->has_error = true;
        snprintf(out->error, sizeof out->error, "%s", f.message);
    }
}

/* SIGTERM to the workers still running, once (they inherit the stop handlers: they end at
 * their next try; a worker that had the signal already ends at once). */
static void stop_workers(const child *children, unsigned forked) {
    for (unsigned i = 0; i < forked; i++)
        if (children[i].fd >= 0) kill(children[i].pid, SIGTERM);
}

static void wait_worker(child *c, bool stopped, campaign_scenario *out) {
    int status = 0;
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {
    }
    /* Workers a stop ended are not lost: what they finished was reported. */
    if (!stopped) note_lost_worker(c, status, out);
    free(c->buffer);
}

int campaign_run_workers(const campaign_plan *plan, unsigned workers, campaign_scenario *out,
                         uint8_t *done) {
    child *children = calloc(workers, sizeof *children);
    struct pollfd *fds = calloc(workers, sizeof *fds);
    if (!children || !fds) {
        free(children);
        free(fds);
        return CAMPAIGN_E_NOMEM;
    }
    int rc = CAMPAIGN_OK;
    unsigned forked = 0;
    fflush(NULL);
    for (; forked < workers && !campaign_stop_requested(); forked++) {
        int pipe_fds[2];
        if (pipe(pipe_fds)) break;
        pid_t pid = fork();
        if (pid < 0) {
            close(pipe_fds[0]);
            close(pipe_fds[1]);
            break;
        }
        if (pid == 0) {
            close(pipe_fds[0]);
            for (unsigned i = 0; i < forked; i++) close(children[i].fd);
            run_worker(plan, forked, workers, pipe_fds[1]);
        }
        close(pipe_fds[1]);
        children[forked] = (child){.pid = pid, .fd = pipe_fds[0]};
    }
    if (forked < workers && !campaign_stop_requested()) rc = CAMPAIGN_E_IO;

    const campaign_options *o = plan->options;
    progress pr = {.out = out, .done = done, .plan = plan};
    for (size_t i = 0; i < plan->count; i++) pr.done_count += done[i] != 0;
    uint64_t tries_before = 0; /* of the points done before (a resumed campaign) */
    for (size_t i = 0; i < plan->count; i++)
        if (done[i])
            tries_before += campaign_mode_count(campaign_modes_for(o, plan->points[i].is_erase));
    double last_report = 0;
    bool stopping = false;
    unsigned open = forked;
    while (open) {
        if (!stopping && campaign_stop_requested()) {
            stopping = true;
            stop_workers(children, forked);
        }
        for (unsigned i = 0; i < forked; i++)
            fds[i] = (struct pollfd){.fd = children[i].fd, .events = POLLIN};
        if (poll(fds, forked, 100) < 0 && errno != EINTR) break;
        size_t done_before = pr.done_count;
        for (unsigned i = 0; i < forked; i++) {
            if (children[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (!drain(&children[i], &pr)) {
                close(children[i].fd);
                children[i].fd = -1;
                open--;
            }
        }
        double t = run_now_seconds();
        if (o->progress && (t - last_report >= PROGRESS_PERIOD || pr.done_count != done_before)) {
            last_report = t;
            o->progress(o->progress_ctx, out->name, tries_before + pr.tries_started, plan->tries);
        }
    }
    for (unsigned i = 0; i < forked; i++) wait_worker(&children[i], stopping, out);
    if (o->progress)
        o->progress(o->progress_ctx, out->name, tries_before + pr.tries_started, plan->tries);
    free(children);
    free(fds);
    return rc;
}
