/* The planned power cut of a campaign branch or a reproducer (scenario_cut): the device's cut
 * callback that places it (and reports every flash operation to a campaign), and the recovery
 * that follows it at once: power on, mount, read everything, read it again, reboot, read
 * again, with one more cut inside that recovery when planned; then the stability check
 * (runner_stability.c). */
#include "runner_internal.h"

#include <stdio.h>
#include <string.h>

static const char *torn_name(const nor_event *op, const scenario_cut_point *p) {
    return op->kind == NOR_EV_ERASE ? nor_torn_erase_name(p->torn_erase)
                                    : nor_torn_program_name(p->torn_program);
}

/* Tears the operation with the point's modes; says where in the run's messages. */
static bool place(run_state *st, const nor_event *op, const scenario_cut_point *p,
                  const char *which) {
    nor_set_torn_modes(st->dev, p->torn_program, p->torn_erase);
    /* Each cut point and mode tears its own way (with one stream, every cut of a campaign
     * would draw the same prefix length and bit pattern). */
    uint64_t salt = op->op_index * 0x9E3779B97F4A7C15ull;
    salt ^= (uint64_t)(p->torn_program + 1) << 56 | (uint64_t)(p->torn_erase + 1) << 60;
    nor_mix_seed(st->dev, salt);
    snprintf(st->plan_where, sizeof st->plan_where, "%s in flash operation %llu (%s, torn %s)",
             which, (unsigned long long)op->op_index,
             op->kind == NOR_EV_ERASE ? "erase" : "program", torn_name(op, p));
    return true;
}

/* Whether the point's mode leaves weak cells, which read anew at every read (docs/nor-model.md):
 * the progress modes, a metastable program, a weak erase. */
static bool leaves_weak_cells(const nor_event *op, const scenario_cut_point *p) {
    if (op->kind == NOR_EV_ERASE)
        return p->torn_erase != NOR_TORN_ERASE_NONE && p->torn_erase != NOR_TORN_ERASE_FULL &&
               p->torn_erase != NOR_TORN_ERASE_PARTIAL;
    return p->torn_program >= NOR_TORN_PROG_METASTABLE;
}

bool run_cut_fn(void *ctx, const nor_event *op) {
    run_state *st = ctx;
    if (st->checks.depth) return false; /* the runner's own checks are no cut points */
    bool armed = nor_cut_armed(st->dev);
    if (st->opts && st->opts->on_program_erase && !st->in_branch)
        st->opts->on_program_erase(st->opts->program_erase_ctx, op);
    if (st->opts && st->opts->on_flash_op && !st->in_branch)
        st->opts->on_flash_op(st->opts->flash_op_ctx, op->op_index, op->kind == NOR_EV_ERASE,
                              !armed);
    run_cut_plan *p = &st->plan;
    if (!p->active || armed) return false;
    uint64_t recovery_op = op->op_index - p->recovery_base;
    if (p->in_recovery && op->kind == NOR_EV_ERASE && recovery_op < RUNNER_RECOVERY_KINDS_MAX)
        p->recovery_erases[recovery_op / 8] |= (uint8_t)(1u << (recovery_op % 8));
    if (!p->landed && op->op_index == p->cut.first.op) {
        p->landed = true;
        p->recovery_pending = true;
        p->first_cut_weak = leaves_weak_cells(op, &p->cut.first);
        return place(st, op, &p->cut.first, "power cut");
    }
    if (p->in_recovery && p->cut.has_recovery_cut && !p->recovery_landed &&
        recovery_op == p->cut.recovery.op) {
        p->recovery_landed = true;
        return place(st, op, &p->cut.recovery, "second power cut, during the recovery,");
    }
    return false;
}

void run_plan_start(run_state *st, const scenario_cut *cut) {
    memset(&st->plan, 0, sizeof st->plan);
    st->plan.active = true;
    st->plan.cut = *cut;
}

bool run_plan_cut_pending(const run_state *st) {
    const run_cut_plan *p = &st->plan;
    return !nor_is_powered(st->dev) &&
           (p->recovery_pending || (p->in_recovery && p->recovery_landed));
}

/* A read-write mount of the recovery, checked; after a cut (`after_cut`), with the read-only
 * check around it. */
static int checked_mount(run_state *st, bool every_read, bool after_cut) {
    ref_list view;
    ref_list_init(&view);
    bool taken = false;
    int rc = after_cut ? run_read_only_view(st, &view, &taken) : RUNNER_OK;
    if (!rc) rc = run_mount_checked(st, NULL, every_read);
    /* A second cut landed in the mount: the next one settles. */
    if (!rc && taken && nor_is_powered(st->dev)) rc = run_read_only_compare(st, &view);
    ref_list_free(&view);
    return rc;
}

/* One mount of the recovery, checked; a second cut landing inside it is followed by a power-on
 * and another mount. The first mount after the cut (`after_cut`) and the one after a second cut
 * are the ones with a decision to make: the read-only check runs before them. */
static int recovery_mount(run_state *st, bool every_read, bool after_cut) {
    int rc = checked_mount(st, every_read, after_cut);
    if (!rc && !nor_is_powered(st->dev)) {
        nor_power_on(st->dev);
        rc = checked_mount(st, every_read, true);
    }
    return rc;
}

int run_recover(run_state *st) {
    run_cut_plan *p = &st->plan;
    p->recovery_pending = false;
    p->in_recovery = true;
    p->recovery_base = nor_op_count(st->dev);
    /* The operation in flight, if the model tracks one, is settled by the first mount. */
    p->applied = true;
    st->mounted = st->read_only = false;
    nor_power_on(st->dev);
    /* Settled (old or new) and read every way; read again; rebooted and read again; then
     * power-cycled and read again and again in a sandbox. */
    int rc = recovery_mount(st, true, true);
    if (!rc) {
        run_check_mark mark;
        run_check_begin(st, &mark);
        rc = run_verify_items(st, "second reading");
        run_check_end(st, &mark);
    }
    if (!rc) rc = recovery_mount(st, false, false);
    if (!rc) {
        run_watch_sample(st);
        rc = run_stability_check(st);
    }
    p->in_recovery = false;
    p->recovery_ops = nor_op_count(st->dev) - p->recovery_base;
    if (rc) return rc;
    p->recovered = true;
    if ((rc = run_kv_reopen(st))) return rc;
    if (p->cut.limit_steps) {
        p->counting_steps = true;
        p->steps_left = p->cut.then_steps;
    }
    return RUNNER_OK;
}

void run_plan_info(const run_state *st, runner_branch_info *out) {
    out->landed = st->plan.landed;
    out->applied = st->plan.applied;
    out->recovery_ops = st->plan.recovery_ops;
    out->torn_watched = st->plan.torn_watched;
    out->torn_read_valid = st->plan.torn_read_valid;
    out->torn_read_changed = st->plan.torn_read_changed;
    memcpy(out->recovery_erases, st->plan.recovery_erases, sizeof out->recovery_erases);
}
