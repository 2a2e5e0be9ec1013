/* Runs a campaign over one scenario file: loads it, plans the cut points, forks the workers
 * (a crash of the engine under test then costs one worker, and is reported at the cut point
 * it happened at), follows their progress through pipes, merges what they found and writes a
 * reproducer for the first failures. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, strsignal, fork, pipe, poll */
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

/* Reproducer files written per scenario: the first failures in operation order. */
#define REPRODUCERS_MAX 20
/* Seconds between two progress reports. */
#define PROGRESS_PERIOD 0.1

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

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

static void run_worker(const campaign_plan *plan, unsigned index, unsigned workers, int fd) {
    campaign_scenario part = {0};
    int rc = campaign_work(plan, index, workers, report_started, &fd, &part);
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

static int handle_line(child *c, char *line, campaign_scenario *out, uint64_t *done) {
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
            if (!has_r) (*done)++;
        }
        return CAMPAIGN_OK;
    }
    if (line[0] != 'R') return CAMPAIGN_OK;
    cJSON *json = cJSON_Parse(line + 2);
    campaign_scenario part = {0};
    char why[200];
    int rc = json ? campaign_scenario_from_json(json, &part, why, sizeof why) : CAMPAIGN_E_NOMEM;
    cJSON_Delete(json);
    if (!rc) rc = campaign_scenario_merge(out, &part);
    campaign_scenario_free(&part);
    c->reported = rc == CAMPAIGN_OK;
    return rc;
}

/* Reads what is there; false at the end of the child's output. */
static bool drain(child *c, campaign_scenario *out, uint64_t *done) {
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
        handle_line(c, c->buffer + start, out, done);
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

static int run_workers(const campaign_plan *plan, unsigned workers, campaign_scenario *out) {
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
    for (; forked < workers; forked++) {
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
    if (forked < workers) rc = CAMPAIGN_E_IO;

    const campaign_options *o = plan->options;
    uint64_t done = 0;
    double last_report = 0;
    unsigned open = forked;
    while (open) {
        for (unsigned i = 0; i < forked; i++)
            fds[i] = (struct pollfd){.fd = children[i].fd, .events = POLLIN};
        if (poll(fds, forked, 200) < 0 && errno != EINTR) break;
        for (unsigned i = 0; i < forked; i++) {
            if (children[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (!drain(&children[i], out, &done)) {
                close(children[i].fd);
                children[i].fd = -1;
                open--;
            }
        }
        double t = now_seconds();
        if (o->progress && t - last_report >= PROGRESS_PERIOD) {
            last_report = t;
            o->progress(o->progress_ctx, out->name, done, plan->tries);
        }
    }
    for (unsigned i = 0; i < forked; i++) {
        int status = 0;
        waitpid(children[i].pid, &status, 0);
        note_lost_worker(&children[i], status, out);
        free(children[i].buffer);
    }
    if (o->progress) o->progress(o->progress_ctx, out->name, done, plan->tries);
    free(children);
    free(fds);
    return rc;
}

static void load_error(campaign_scenario *out, const scenario_errors *errors, int rc) {
    out->has_error = true;
    if (errors->count)
        scenario_error_format(&errors->items[0], out->error, sizeof out->error);
    else
        snprintf(out->error, sizeof out->error, "%s: %s", out->file, scenario_strerror(rc));
}

int campaign_run_file(const char *path, const campaign_options *o, campaign_scenario *out) {
    memset(out, 0, sizeof *out);
    snprintf(out->file, sizeof out->file, "%s", path);
    const char *base = strrchr(path, '/');
    snprintf(out->name, sizeof out->name, "%s", base ? base + 1 : path);
    double started = now_seconds();
    scenario *sc = NULL;
    scenario_errors errors;
    int rc = scenario_load_file(path, &sc, &errors);
    if (rc != SCENARIO_OK) {
        load_error(out, &errors, rc);
        scenario_errors_free(&errors);
        return rc == SCENARIO_E_NOMEM ? CAMPAIGN_E_NOMEM : CAMPAIGN_E_INVALID;
    }
    scenario_errors_free(&errors);
    snprintf(out->name, sizeof out->name, "%s", sc->name);

    campaign_plan plan;
    rc = campaign_plan_make(path, sc, o, &plan, out);
    /* This run's failures (if any) are the scenario's reproducers now. */
    if (!rc && o->reproducer_dir) rc = campaign_remove_reproducers(o->reproducer_dir, sc->name);
    if (!rc && !out->has_error) {
        unsigned workers = o->jobs ? o->jobs : 1;
        if (workers > plan.count) workers = plan.count ? (unsigned)plan.count : 1;
        uint64_t flash_ops = out->flash_ops, seed = out->seed;
        rc = run_workers(&plan, workers, out);
        out->flash_ops = flash_ops;
        out->seed = seed;
        for (size_t i = 0;
             !rc && o->reproducer_dir && i < out->failure_count && i < REPRODUCERS_MAX; i++)
            rc = campaign_write_reproducer(&plan, seed, o->reproducer_dir, &out->failures[i]);
    }
    campaign_plan_free(&plan);
    scenario_free(sc);
    out->seconds = now_seconds() - started;
    return rc;
}
