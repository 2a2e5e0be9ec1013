/* The power-cut campaign over a user's firmware (emu.h, emu_campaign_run): the reference
 * boots run uncut; the flash as it was before the last of them is snapshotted; then for each
 * flash operation of that boot and each selected torn mode of the operation's kind, the flash
 * goes back to the snapshot, the boot runs again with the power cut inside that operation,
 * and the reboots after it must each meet the expectation. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "emu_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kinds of the reference boot's operations, in order (true: erase). */
typedef struct op_kinds {
    bool *is_erase;
    size_t count, cap;
    bool out_of_memory;
} op_kinds;

static void record_kind(void *ctx, const nor_event *ev) {
    op_kinds *k = ctx;
    if (ev->kind != NOR_EV_PROGRAM && ev->kind != NOR_EV_ERASE) return;
    if (k->count == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 64;
        bool *grown = realloc(k->is_erase, cap * sizeof *grown);
        if (!grown) {
            k->out_of_memory = true;
            return;
        }
        k->is_erase = grown, k->cap = cap;
    }
    k->is_erase[k->count++] = ev->kind == NOR_EV_ERASE;
}

void emu_campaign_result_free(emu_campaign_result *r) {
    emu_run_result_free(&r->reference);
    for (size_t i = 0; i < r->failure_count; i++) free(r->failures[i].uart);
    free(r->failures);
    memset(r, 0, sizeof *r);
}

/* Back to the flash before the cut boot: the model's snapshot, the CPU's view of the sectors
 * changed since, and which sectors hold torn cells. */
static void back_to_snapshot(emu *m, const nor_snapshot *snap, const uint8_t *torn) {
    nor_snapshot_restore(m->flash_dev, snap);
    emu_flash_resync_dirty(m);
    emu_flash_clear_dirty(m);
    memcpy(m->sector_torn, torn, m->sector_count);
}

static void keep_failure(emu_campaign_result *r, uint64_t op, bool is_erase, unsigned torn,
                         uint32_t after_boot, const char *why, const char *uart) {
    r->failed_tries++;
    if (r->failure_count >= EMU_CAMPAIGN_FAILURES_KEPT) return;
    emu_campaign_failure *f = &r->failures[r->failure_count++];
    *f = (emu_campaign_failure){
        .op = op, .is_erase = is_erase, .torn = torn, .after_boot = after_boot};
    snprintf(f->why, sizeof f->why, "%s", why);
    f->uart = strdup(uart ? uart : "");
}

static void count_reboot(emu_campaign_result *r, const emu_boot *b) {
    r->instructions += b->instructions;
    r->reboots++;
    r->reboot_seconds_total += b->reboot_seconds;
    if (b->reboot_seconds > r->reboot_seconds_max) r->reboot_seconds_max = b->reboot_seconds;
}

/* One try: the cut boot, then the reboots. */
static int try_cut(emu *m, const emu_campaign_options *o, emu_expect *expect, uint64_t first_op,
                   uint64_t op, bool is_erase, unsigned torn, emu_campaign_result *r) {
    nor_set_torn_modes(m->flash_dev, is_erase ? NOR_TORN_PROG_NONE : (nor_torn_program)torn,
                       is_erase ? (nor_torn_erase)torn : NOR_TORN_ERASE_NONE);
    nor_mix_seed(m->flash_dev, op * 64 + torn * 2 + is_erase);
    emu_arm_cut(m, first_op + op);
    emu_boot boot;
    if (emu_boot_run(m, &boot)) return -1;
    char why[240];
    count_reboot(r, &boot);
    if (boot.stop != EMU_STOP_POWER_CUT) {
        snprintf(why, sizeof why, "the cut did not land: the boot ended %s (%s)",
                 emu_stop_name(boot.stop), boot.reason);
        keep_failure(r, op + 1, is_erase, torn, 0, why, boot.uart);
        emu_boot_free(&boot);
        return 0;
    }
    emu_expect_check(expect, &boot, why, sizeof why);
    emu_boot_free(&boot);
    for (uint32_t a = 1; a <= o->after_boots; a++) {
        if (emu_boot_run(m, &boot)) return -1;
        count_reboot(r, &boot);
        bool held = emu_expect_check(expect, &boot, why, sizeof why);
        if (!held) keep_failure(r, op + 1, is_erase, torn, a, why, boot.uart);
        emu_boot_free(&boot);
        if (!held) break;
    }
    return 0;
}

int emu_campaign_run(emu *m, const emu_campaign_options *o, const char *regex,
                     emu_campaign_result *out, char *why, size_t why_size) {
    memset(out, 0, sizeof *out);
    double t0 = emu_host_seconds();
    emu_expect expect;
    if (emu_expect_init(&expect, regex, why, why_size)) return -1;
    out->failures = calloc(EMU_CAMPAIGN_FAILURES_KEPT, sizeof *out->failures);
    uint8_t *torn = malloc(m->sector_count);
    nor_snapshot *snap = NULL;
    op_kinds kinds = {0};
    int rc = -1;
    if (!out->failures || !torn) goto done;

    /* The reference: all boots but the last, the snapshot, then the last while recording the
     * kinds of its operations. */
    emu_plan before = {.boots = o->boots - 1};
    emu_run_result *ref = &out->reference;
    if (o->boots > 1 && emu_run_plan(m, &before, &expect, ref)) goto done;
    if (nor_snapshot_take(m->flash_dev, &snap)) goto done;
    emu_flash_clear_dirty(m);
    memcpy(torn, m->sector_torn, m->sector_count);
    emu_expect expect_before = expect;
    emu_boot_report *grown = realloc(ref->boots, (ref->boot_count + 1) * sizeof *grown);
    if (!grown) goto done;
    ref->boots = grown;
    emu_boot_report *last = &ref->boots[ref->boot_count++];
    memset(last, 0, sizeof *last);
    nor_set_event_fn(m->flash_dev, record_kind, &kinds);
    uint64_t first_op = nor_op_count(m->flash_dev);
    int boot_rc = emu_boot_run(m, &last->boot);
    nor_set_event_fn(m->flash_dev, NULL, NULL);
    if (boot_rc || kinds.out_of_memory) goto done;
    out->instructions += last->boot.instructions;
    last->checked = true;
    last->held = emu_expect_check(&expect, &last->boot, last->why, sizeof last->why);
    ref->passed = o->boots > 1 ? ref->passed && last->held : last->held;
    for (size_t i = 0; i + 1 < ref->boot_count; i++)
        out->instructions += ref->boots[i].boot.instructions;
    out->reference_passed = ref->passed;
    out->operations = kinds.count;
    if (!out->reference_passed) {
        rc = 0;
        goto done;
    }

    for (uint64_t op = 0; op < kinds.count; op++) {
        bool is_erase = kinds.is_erase[op];
        unsigned modes = is_erase ? NOR_TORN_ERASE_MODES : NOR_TORN_PROG_MODES;
        unsigned mask = is_erase ? o->torn_erase : o->torn_program;
        for (unsigned t = 0; t < modes; t++) {
            if (!(mask & (1u << t))) continue;
            double r0 = emu_host_seconds();
            back_to_snapshot(m, snap, torn);
            double restore = emu_host_seconds() - r0;
            if (restore > out->restore_seconds_max) out->restore_seconds_max = restore;
            expect = expect_before;
            if (try_cut(m, o, &expect, first_op, op, is_erase, t, out)) goto done;
            out->tries++;
        }
    }
    back_to_snapshot(m, snap, torn);
    rc = 0;
done:
    if (snap) nor_snapshot_free(snap);
    free(torn);
    free(kinds.is_erase);
    emu_expect_free(&expect);
    out->seconds = emu_host_seconds() - t0;
    if (rc) snprintf(why, why_size, "out of memory or an emulator error during the campaign");
    return rc;
}
