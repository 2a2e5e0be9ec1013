/* One worker of a campaign: tries its share of the cut points in every requested torn mode
 * (and at depth 2 every cut inside each recovery) and counts what broke the contract.
 * Exhaustive and random campaigns branch from the runner's checkpoints during one run of the
 * scenario; linear ones re-run the scenario from the start for every try. */
#include "campaign_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct worker {
    const campaign_plan *plan;
    const campaign_options *o;
    size_t *points; /* this worker's share: indices in plan->points, in operation order */
    size_t count, next;
    const campaign_work_hooks *hooks;
    campaign_scenario *out;
    int error; /* CAMPAIGN_E_* that stops the worker */
} worker;

/* A stop asked for (campaign_signal.c): the hook may end the process; else no more tries. */
static bool stopping(worker *w) {
    if (!campaign_stop_requested()) return false;
    if (w->hooks->stopped) w->hooks->stopped(w->hooks->ctx);
    w->error = CAMPAIGN_E_STOPPED;
    return true;
}

/* Runs the scenario with one placed cut: from a branch point, or from the start. */
typedef int (*try_fn)(worker *w, void *from, const scenario_cut *cut, scenario_result *result,
                      runner_branch_info *info);

static int try_branch(worker *w, void *from, const scenario_cut *cut, scenario_result *result,
                      runner_branch_info *info) {
    (void)w;
    return runner_branch(from, cut, result, info);
}

static int try_from_start(worker *w, void *from, const scenario_cut *cut, scenario_result *result,
                          runner_branch_info *info) {
    (void)from;
    runner_options ro = {.override_seed = w->o->override_seed,
                         .seed = w->o->seed,
                         .engine = w->o->engine,
                         .find_engine = w->o->find_engine,
                         .cut = cut,
                         .cut_info = info};
    return runner_run(w->plan->sc, w->plan->path, &ro, result);
}

static scenario_cut_point cut_point(uint64_t op, bool is_erase, unsigned mode) {
    scenario_cut_point p = {
        .op = op, .torn_program = NOR_TORN_PROG_BITS, .torn_erase = NOR_TORN_ERASE_PARTIAL};
    if (is_erase)
        p.torn_erase = (nor_torn_erase)mode;
    else
        p.torn_program = (nor_torn_program)mode;
    return p;
}

static void describe(campaign_failure *f, const scenario_cut *cut, bool is_erase,
                     bool recovery_is_erase) {
    memset(f, 0, sizeof *f);
    f->op = cut->first.op;
    f->is_erase = is_erase;
    f->torn = is_erase ? (unsigned)cut->first.torn_erase : (unsigned)cut->first.torn_program;
    f->has_recovery_cut = cut->has_recovery_cut;
    if (cut->has_recovery_cut) {
        f->recovery_op = cut->recovery.op;
        f->recovery_is_erase = recovery_is_erase;
        f->recovery_torn = recovery_is_erase ? (unsigned)cut->recovery.torn_erase
                                             : (unsigned)cut->recovery.torn_program;
    }
}

/* One try; returns whether it passed (false also when the worker must stop). */
static bool try_cut(worker *w, try_fn run, void *from, const scenario_cut *cut, bool is_erase,
                    bool recovery_is_erase, runner_branch_info *info) {
    campaign_failure f;
    describe(&f, cut, is_erase, recovery_is_erase);
    if (stopping(w)) return false;
    if (w->hooks->started) w->hooks->started(w->hooks->ctx, &f);
    scenario_result result;
    int rc = run(w, from, cut, &result, info);
    free(result.sector_erases);
    if (rc == RUNNER_E_NOMEM) {
        w->error = CAMPAIGN_E_NOMEM;
        return false;
    }
    if (result.verdict == RUN_PASS && info->landed) return true;
    if (result.verdict == RUN_PASS)
        snprintf(f.message, sizeof f.message, "the cut did not land: the run took another path");
    else
        snprintf(f.message, sizeof f.message, "%s", result.message);
    if (campaign_add_failure(w->out, &f)) w->error = CAMPAIGN_E_NOMEM;
    return false;
}

static bool recovery_op_is_erase(const runner_branch_info *info, uint64_t r) {
    return r < RUNNER_RECOVERY_KINDS_MAX && (info->recovery_erases[r / 8] >> (r % 8)) & 1u;
}

/* Depth 2: every operation of the recovery that followed `cut`, in every requested mode. */
static void try_recovery_cuts(worker *w, try_fn run, void *from, scenario_cut cut, bool is_erase,
                              const runner_branch_info *first) {
    uint64_t ops = first->recovery_ops < RUNNER_RECOVERY_KINDS_MAX ? first->recovery_ops
                                                                   : RUNNER_RECOVERY_KINDS_MAX;
    cut.has_recovery_cut = true;
    for (uint64_t r = 0; r < ops && !w->error; r++) {
        bool r_erase = recovery_op_is_erase(first, r);
        unsigned modes = campaign_modes_for(w->o, r_erase);
        for (unsigned m = 0; modes >> m && !w->error; m++) {
            if (!(modes >> m & 1u)) continue;
            cut.recovery = cut_point(r, r_erase, m);
            runner_branch_info info;
            try_cut(w, run, from, &cut, is_erase, r_erase, &info);
            if (w->error == CAMPAIGN_E_STOPPED) return;
            w->out->recovery_verified++;
        }
    }
}

/* Puts *out back as it was before a point whose tries a stop cut short: a point counts whole
 * or not at all (its failures, all at its operation, are the last ones). */
static void undo_point(campaign_scenario *out, const campaign_scenario *before) {
    campaign_failure *failures = out->failures;
    size_t capacity = out->failure_capacity;
    *out = *before;
    out->failures = failures;
    out->failure_capacity = capacity;
}

static void try_point(worker *w, try_fn run, void *from, size_t index) {
    const campaign_options *o = w->o;
    const campaign_point *p = &w->plan->points[index];
    unsigned modes = campaign_modes_for(o, p->is_erase);
    campaign_scenario before = *w->out;
    w->out->cut_points++;
    for (unsigned m = 0; modes >> m && !w->error; m++) {
        if (!(modes >> m & 1u)) continue;
        scenario_cut cut = {.present = true,
                            .first = cut_point(p->op, p->is_erase, m),
                            .limit_steps = o->limit_steps,
                            .then_steps = o->steps};
        runner_branch_info info;
        bool passed = try_cut(w, run, from, &cut, p->is_erase, false, &info);
        if (w->error == CAMPAIGN_E_STOPPED) break;
        w->out->verified++;
        campaign_count_try(w->out, p->is_erase, m, &info);
        if (passed && o->depth >= 2) try_recovery_cuts(w, run, from, cut, p->is_erase, &info);
    }
    if (w->error == CAMPAIGN_E_STOPPED)
        undo_point(w->out, &before);
    else if (!w->error && w->hooks->point_done)
        w->hooks->point_done(w->hooks->ctx, index, w->out);
}

/* The checkpoint before a scenario operation that made flash operations [first, end): every
 * point of this worker in that range branches from it. */
static void on_interval(void *ctx, uint64_t first, uint64_t end, runner_branch_point *from) {
    worker *w = ctx;
    (void)first;
    while (w->next < w->count && w->plan->points[w->points[w->next]].op < end && !w->error &&
           !stopping(w))
        try_point(w, try_branch, from, w->points[w->next++]);
}

int campaign_work(const campaign_plan *plan, unsigned worker_index, unsigned workers,
                  const campaign_work_hooks *hooks, campaign_scenario *out) {
    static const campaign_work_hooks no_hooks = {0};
    worker w = {.plan = plan, .o = plan->options, .hooks = hooks ? hooks : &no_hooks, .out = out};
    w.points = malloc((plan->count ? plan->count : 1) * sizeof *w.points);
    if (!w.points) return CAMPAIGN_E_NOMEM;
    /* The points not done yet (a resumed campaign skips the others), dealt in turn. */
    for (size_t i = 0, k = 0; i < plan->count; i++)
        if (!(plan->skip && plan->skip[i]) && k++ % workers == worker_index)
            w.points[w.count++] = i;

    if (w.o->mode == CAMPAIGN_LINEAR) {
        for (size_t i = 0; i < w.count && !w.error && !stopping(&w); i++)
            try_point(&w, try_from_start, NULL, w.points[i]);
    } else {
        runner_options ro = {.cut = &campaign_no_cut,
                             .override_seed = w.o->override_seed,
                             .seed = w.o->seed,
                             .engine = w.o->engine,
                             .find_engine = w.o->find_engine,
                             .on_interval = on_interval,
                             .interval_ctx = &w};
        scenario_result main_run;
        int rc = runner_run(plan->sc, plan->path, &ro, &main_run);
        free(main_run.sector_erases);
        if (rc == RUNNER_E_NOMEM) w.error = CAMPAIGN_E_NOMEM;
        if (w.error == CAMPAIGN_E_STOPPED) w.next = w.count; /* not "never reached" */
        if ((!w.error || w.error == CAMPAIGN_E_STOPPED) && main_run.verdict != RUN_PASS) {
            out->has_error = true;
            snprintf(out->error, sizeof out->error,
                     "the run that the branches start from failed: %.900s", main_run.message);
        } else if (!w.error && w.next < w.count) {
            out->has_error = true;
            snprintf(out->error, sizeof out->error,
                     "%zu cut points were never reached (the scenario is not deterministic?)",
                     w.count - w.next);
        }
    }
    free(w.points);
    return w.error == CAMPAIGN_E_STOPPED ? CAMPAIGN_OK : w.error;
}
