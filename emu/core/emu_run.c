/* A plan of boots (emu.h, emu_run_plan): boot after boot with the flash kept, the power cut
 * inside the flash operations the plan names, each completed boot checked against the
 * expectation. */
#include "emu.h"

#include <stdlib.h>
#include <string.h>

void emu_run_result_free(emu_run_result *r) {
    for (size_t i = 0; i < r->boot_count; i++) emu_boot_free(&r->boots[i].boot);
    free(r->boots);
    memset(r, 0, sizeof *r);
}

int emu_run_plan(emu *m, const emu_plan *plan, emu_expect *expect, emu_run_result *out) {
    memset(out, 0, sizeof *out);
    size_t boots = plan->boots > plan->cut_count + 1 ? plan->boots : plan->cut_count + 1;
    out->boots = calloc(boots, sizeof *out->boots);
    if (!out->boots) return -1;
    nor_set_torn_modes(emu_flash(m), plan->torn_program, plan->torn_erase);
    out->passed = true;
    size_t next_cut = 0;
    uint64_t base = nor_op_count(emu_flash(m)); /* cuts count from the plan's first boot */
    for (size_t i = 0; i < boots; i++) {
        emu_boot_report *r = &out->boots[out->boot_count++];
        if (next_cut < plan->cut_count) emu_arm_cut(m, base + plan->cuts[next_cut]);
        if (emu_boot_run(m, &r->boot)) return -1;
        if (r->boot.stop == EMU_STOP_POWER_CUT) next_cut++;
        r->checked = r->boot.stop != EMU_STOP_POWER_CUT;
        r->held = emu_expect_check(expect, &r->boot, r->why, sizeof r->why);
        if (!r->held) out->passed = false;
    }
    out->operations = nor_op_count(emu_flash(m)) - base;
    out->cuts_missed = plan->cut_count - next_cut;
    if (out->cuts_missed) out->passed = false;
    return 0;
}
