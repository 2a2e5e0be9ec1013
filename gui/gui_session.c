/* The session: the device, the engine on it and the timeline of what happened, with the
 * cursor the window shows. Stepping moves the cursor along the recorded ticks, then runs the
 * workload; an action taken behind the end forgets the later ticks and goes on from there,
 * the engine mounted again (its RAM is of a later state). */
#include "gui_app.h"

#include <stdio.h>
#include <string.h>

const gui_torn_mode gui_torn_modes[] = {
    {"between operations", NOR_TORN_PROG_NONE, NOR_TORN_ERASE_NONE},
    {"none written", NOR_TORN_PROG_NONE, NOR_TORN_ERASE_NONE},
    {"prefix", NOR_TORN_PROG_PREFIX, NOR_TORN_ERASE_PARTIAL},
    {"bits", NOR_TORN_PROG_BITS, NOR_TORN_ERASE_PARTIAL},
    {"metastable", NOR_TORN_PROG_METASTABLE, NOR_TORN_ERASE_WEAK},
    {"early", NOR_TORN_PROG_EARLY, NOR_TORN_ERASE_EARLY},
    {"middle", NOR_TORN_PROG_MIDDLE, NOR_TORN_ERASE_MIDDLE},
    {"late", NOR_TORN_PROG_LATE, NOR_TORN_ERASE_LATE},
};
const unsigned gui_torn_mode_count = sizeof gui_torn_modes / sizeof gui_torn_modes[0];

static size_t end_tick(const gui_session *s) {
    return s->tl.count ? s->tl.count - 1 : 0;
}

int gui_session_mount(gui_session *s) {
    if (!s->have_engine) return s->mount_result = NBS_E_NOT_MOUNTED;
    s->mount_result = s->engine.mount(s->engine.ctx);
    s->engine_stale = false;
    gui_timeline_seal(&s->tl);
    s->cursor = end_tick(s);
    return s->mount_result;
}

void gui_session_seek(gui_session *s, size_t index) {
    s->cursor = gui_timeline_seek(&s->tl, index);
}

void gui_session_branch_here(gui_session *s) {
    if (s->cursor >= end_tick(s)) return;
    gui_timeline_truncate(&s->tl, s->cursor);
    s->engine_stale = true;
}

/* Before an engine operation: from the tick shown, with an engine that knows it. */
static bool engine_ready(gui_session *s) {
    gui_session_branch_here(s);
    if (!s->have_engine || !nor_is_powered(s->dev)) return false;
    if (s->engine_stale || s->mount_result == 1) gui_session_mount(s);
    return true;
}

bool gui_session_step(gui_session *s) {
    if (s->cursor < end_tick(s)) { /* to the next tick that kept a snapshot (the end does) */
        size_t next = s->cursor + 1;
        while (next < end_tick(s) && !s->tl.ticks[next].snap) next++;
        gui_session_seek(s, next);
        return true;
    }
    if (!s->workload_on) {
        const char *then = s->no_workload[0] ? s->no_workload : "w runs the workload on from here";
        if (s->verdict[0]) /* a scenario's */
            snprintf(s->last_op, sizeof s->last_op, "the end of the scenario (%.30s): %.140s",
                     s->verdict, then);
        else
            snprintf(s->last_op, sizeof s->last_op, "the end of the timeline: %.170s", then);
        return false;
    }
    if (!engine_ready(s)) {
        snprintf(s->last_op, sizeof s->last_op, "%s",
                 s->have_engine ? "the power is off: p powers on" : "no engine on this source");
        return false;
    }
    bool ran = gui_workload_step(s);
    gui_timeline_seal(&s->tl);
    s->cursor = end_tick(s);
    return ran;
}

void gui_session_cut(gui_session *s, unsigned torn_mode) {
    const gui_torn_mode *m = &gui_torn_modes[torn_mode % gui_torn_mode_count];
    if (!nor_is_powered(s->dev)) {
        snprintf(s->last_op, sizeof s->last_op, "the power is already off");
        return;
    }
    /* Without a workload there is no operation to tear: the cut falls between operations. */
    if (torn_mode == 0 || s->no_workload[0] || !engine_ready(s)) {
        gui_session_branch_here(s);
        nor_cut_now(s->dev);
        gui_timeline_mark(&s->tl, NOR_EV_CUT, 0);
        if (torn_mode && s->no_workload[0])
            snprintf(s->last_op, sizeof s->last_op,
                     "power cut between operations, none to tear: %.150s", s->no_workload);
        else
            snprintf(s->last_op, sizeof s->last_op, "power cut between operations");
    } else {
        nor_set_torn_modes(s->dev, m->program, m->erase);
        nor_arm_cut_after_ops(s->dev, 0);
        /* The first program or erase is torn (an operation that writes nothing, such as the
         * removal of an absent key, lets the next one go). */
        for (int tries = 0; tries < 64 && nor_is_powered(s->dev) && gui_workload_step(s); tries++)
            ;
        nor_disarm_cut(s->dev);
        char op[sizeof s->last_op];
        snprintf(op, sizeof op, "%s", s->last_op);
        snprintf(s->last_op, sizeof s->last_op, "cut (%s) inside %.60s", m->name, op);
    }
    gui_timeline_seal(&s->tl);
    s->cursor = end_tick(s);
}

void gui_session_power_on(gui_session *s) {
    gui_session_branch_here(s);
    if (!nor_is_powered(s->dev)) nor_power_on(s->dev);
    size_t before = s->tl.count;
    int rc = gui_session_mount(s);
    size_t ops = s->tl.count - before;
    snprintf(s->last_op, sizeof s->last_op, "power on, mount: %s (%llu flash operations)",
             rc ? nbs_strerror(rc) : "ok", (unsigned long long)ops);
    s->last_result = rc;
}

int gui_session_flip_bit(gui_session *s, uint32_t addr, unsigned bit) {
    gui_session_branch_here(s);
    int rc = nor_flip_bit(s->dev, addr, bit);
    if (!rc) gui_timeline_mark(&s->tl, GUI_TICK_FLIP, addr);
    s->cursor = end_tick(s);
    s->engine_stale = true; /* a cache may hold what the bit was */
    snprintf(s->last_op, sizeof s->last_op, "flipped bit %u of 0x%08x%s", bit, addr,
             rc ? ": refused" : "");
    return rc;
}

void gui_session_close(gui_session *s) {
    gui_timeline_free(&s->tl);
    if (s->have_engine) adapter_destroy(&s->engine);
    if (s->dev) nor_destroy(s->dev);
    memset(s, 0, sizeof *s);
}

int32_t gui_session_page_of(const gui_session *s, uint32_t addr) {
    if (addr < s->range.start || addr - s->range.start >= s->range.size || !s->range.page_size)
        return -1;
    return (int32_t)((addr - s->range.start) / s->range.page_size);
}
