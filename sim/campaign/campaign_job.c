/* One scenario's campaign from start to end: loads the file and plans the cut points (its plain
 * run), takes over what a stopped campaign had done (--resume), sizes itself to a budget, then
 * runs the workers and writes a reproducer for the first failures. The steps are apart so that
 * `norbench powercut` can print the whole plan, with its estimate, before the first try. */
#include "campaign_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reproducer files written per scenario: the first failures in operation order. */
#define REPRODUCERS_MAX 20

struct campaign_job {
    scenario *sc;
    campaign_options options;
    campaign_plan plan;
    uint8_t *done; /* per plan point: tried (before a resume, or now) */
    bool resumed;
    double try_seconds, branch_seconds; /* campaign_estimate */
    double seconds;                     /* spent so far */
};

static void load_error(campaign_scenario *out, const scenario_errors *errors, int rc) {
    out->has_error = true;
    if (errors->count)
        scenario_error_format(&errors->items[0], out->error, sizeof out->error);
    else
        snprintf(out->error, sizeof out->error, "%s: %s", out->file, scenario_strerror(rc));
}

/* done[] sized to the plan, all clear. */
static int reset_done(campaign_job *job) {
    free(job->done);
    job->done = calloc(job->plan.count ? job->plan.count : 1, 1);
    job->plan.skip = job->done;
    return job->done ? CAMPAIGN_OK : CAMPAIGN_E_NOMEM;
}

int campaign_job_open(const char *path, const campaign_options *o, campaign_job **out_job,
                      campaign_scenario *out, scenario_errors *all_errors) {
    *out_job = NULL;
    if (all_errors) memset(all_errors, 0, sizeof *all_errors);
    memset(out, 0, sizeof *out);
    snprintf(out->file, sizeof out->file, "%s", path);
    const char *base = strrchr(path, '/');
    snprintf(out->name, sizeof out->name, "%s", base ? base + 1 : path);
    double started = run_now_seconds();
    campaign_job *job = calloc(1, sizeof *job);
    if (!job) return CAMPAIGN_E_NOMEM;
    job->options = *o;
    scenario_errors own_errors;
    scenario_errors *errors = all_errors ? all_errors : &own_errors;
    int rc = scenario_load_file(path, &job->sc, errors);
    if (rc != SCENARIO_OK) load_error(out, errors, rc);
    if (!all_errors) scenario_errors_free(&own_errors);
    if (rc != SCENARIO_OK) {
        free(job);
        return rc == SCENARIO_E_NOMEM ? CAMPAIGN_E_NOMEM : CAMPAIGN_E_INVALID;
    }
    snprintf(out->name, sizeof out->name, "%s", job->sc->name);
    rc = campaign_plan_make(path, job->sc, &job->options, &job->plan, out);
    if (!rc) rc = reset_done(job);
    out->max_tries = job->plan.max_tries;
    job->seconds = run_now_seconds() - started;
    if (rc) {
        campaign_job_free(job);
        return rc;
    }
    *out_job = job;
    return CAMPAIGN_OK;
}

int campaign_job_limit(campaign_job *job, uint64_t max_tries, campaign_scenario *out) {
    if (job->resumed) return CAMPAIGN_OK; /* the stopped campaign's budget holds */
    int rc = campaign_plan_limit(&job->plan, max_tries);
    if (!rc) rc = reset_done(job);
    out->max_tries = max_tries;
    return rc;
}

int campaign_job_resume(campaign_job *job, const campaign_scenario *prior, campaign_scenario *out,
                        char *why, size_t why_size) {
    if (out->has_error) return CAMPAIGN_OK; /* the plain run fails: nothing to go on with */
    if (prior->incomplete && !prior->flash_ops && !prior->cut_points)
        return CAMPAIGN_OK; /* stopped before it was planned: it starts afresh */
    if (prior->seed != out->seed || prior->flash_ops != out->flash_ops ||
        prior->mode_cut_points != out->mode_cut_points || prior->has_error) {
        snprintf(why, why_size,
                 "%s: the scenario is not the one the stopped campaign ran (seed %llu, %llu "
                 "flash operations, %llu cut points then; %llu, %llu, %llu now)",
                 out->file, (unsigned long long)prior->seed, (unsigned long long)prior->flash_ops,
                 (unsigned long long)prior->mode_cut_points, (unsigned long long)out->seed,
                 (unsigned long long)out->flash_ops, (unsigned long long)out->mode_cut_points);
        return CAMPAIGN_E_INVALID;
    }
    int rc = campaign_plan_limit(&job->plan, prior->max_tries);
    if (!rc) rc = reset_done(job);
    if (rc) return rc;
    out->max_tries = prior->max_tries;
    job->resumed = true;
    uint64_t done = 0;
    for (size_t i = 0; i < job->plan.count; i++) {
        job->done[i] = !prior->incomplete || campaign_span_holds(prior, job->plan.points[i].op);
        done += job->done[i];
    }
    if (done != prior->cut_points) {
        snprintf(why, why_size,
                 "%s: the stopped campaign's %llu cut points do not match its plan (%llu of "
                 "them there)",
                 out->file, (unsigned long long)prior->cut_points, (unsigned long long)done);
        return CAMPAIGN_E_INVALID;
    }
    campaign_scenario counts = *prior;
    counts.done = NULL;
    counts.done_count = counts.done_capacity = 0;
    counts.incomplete = false;
    counts.mode_cut_points = 0;
    return campaign_scenario_merge(out, &counts);
}

uint64_t campaign_job_smallest_budget(const campaign_job *job) {
    const campaign_plan *plan = &job->plan;
    return campaign_smallest_budget(plan->options, plan->mode_points, plan->mode_count, plan->seed);
}

void campaign_job_plan_of(const campaign_job *job, campaign_job_plan *p) {
    memset(p, 0, sizeof *p);
    const campaign_plan *plan = &job->plan;
    p->cut_points = plan->count;
    p->budget_cut_points = plan->budget_count;
    p->tries = plan->tries;
    p->mode_tries = campaign_points_tries(plan->options, plan->mode_points, plan->mode_count);
    for (size_t i = 0; i < plan->count; i++) {
        if (!job->done[i]) continue;
        p->done_cut_points++;
        p->done_tries +=
            campaign_mode_count(campaign_modes_for(plan->options, plan->points[i].is_erase));
    }
    p->baseline_seconds = plan->baseline_seconds;
    p->try_seconds = job->try_seconds;
    uint64_t left = plan->count - p->done_cut_points;
    unsigned workers = job->options.jobs ? job->options.jobs : 1;
    if (workers > left) workers = left ? (unsigned)left : 1;
    p->workers = workers;
    p->branch_seconds = left ? job->branch_seconds : 0;
    p->estimate_seconds =
        p->branch_seconds + (double)(p->tries - p->done_tries) * p->try_seconds / workers;
}

int campaign_job_estimate(campaign_job *job) {
    campaign_job_plan p;
    campaign_job_plan_of(job, &p);
    if (p.done_cut_points == p.cut_points) return CAMPAIGN_OK; /* nothing left to time */
    double started = run_now_seconds();
    int rc = campaign_estimate(&job->plan, &job->try_seconds, &job->branch_seconds);
    job->seconds += run_now_seconds() - started;
    return rc;
}

/* The reproducers of the first failures; later ones lose theirs (a resumed campaign may have
 * found earlier failures than the ones it wrote before). */
static int write_reproducers(const campaign_job *job, const campaign_options *o,
                             campaign_scenario *out) {
    for (size_t i = 0; o->reproducer_dir && i < out->failure_count; i++) {
        campaign_failure *f = &out->failures[i];
        if (i < REPRODUCERS_MAX) {
            int rc = campaign_write_reproducer(&job->plan, out->seed, o->reproducer_dir, f);
            if (rc) return rc;
        } else if (f->reproducer[0]) {
            unlink(f->reproducer);
            f->reproducer[0] = '\0';
        }
    }
    return CAMPAIGN_OK;
}

int campaign_job_run(campaign_job *job, campaign_scenario *out) {
    double started = run_now_seconds();
    const campaign_plan *plan = &job->plan;
    int rc = CAMPAIGN_OK;
    campaign_job_plan p;
    campaign_job_plan_of(job, &p);
    /* This run's failures (a resumed one's included) are the scenario's reproducers now. */
    if (job->options.reproducer_dir)
        rc = campaign_remove_reproducers(job->options.reproducer_dir, job->sc->name);
    if (!rc && !out->has_error && p.done_cut_points < plan->count) {
        uint64_t flash_ops = out->flash_ops, seed = out->seed;
        rc = campaign_run_workers(plan, p.workers, out, job->done);
        out->flash_ops = flash_ops;
        out->seed = seed;
    }
    size_t done = 0;
    for (size_t i = 0; i < plan->count; i++) done += job->done[i];
    free(out->done);
    out->done = NULL;
    out->done_count = out->done_capacity = 0;
    out->incomplete = !out->has_error && done < plan->count;
    if (!rc && out->incomplete) rc = campaign_spans_of(plan, job->done, out);
    if (!rc) rc = write_reproducers(job, &job->options, out);
    job->seconds += run_now_seconds() - started;
    out->seconds += job->seconds;
    job->seconds = 0;
    return rc;
}

void campaign_job_free(campaign_job *job) {
    if (!job) return;
    campaign_plan_free(&job->plan);
    free(job->done);
    scenario_free(job->sc);
    free(job);
}

int campaign_run_file(const char *path, const campaign_options *o, campaign_scenario *out) {
    campaign_job *job;
    int rc = campaign_job_open(path, o, &job, out, NULL);
    if (!rc) rc = campaign_job_run(job, out);
    campaign_job_free(job);
    return rc;
}
