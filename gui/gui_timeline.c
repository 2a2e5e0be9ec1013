/* The timeline: every program, erase, cut and power-on the device reports (its event callback),
 * with copy-on-write snapshots of the device kept often enough to scrub back: every tick while
 * they are few, then every 2nd, 4th, ... (cuts, power-ons and marks always keep theirs). It also
 * notes which sectors changed, so that the raw view reads only those again. */
#include "gui_app.h"

#include <stdlib.h>
#include <string.h>

static bool always_kept(uint8_t kind) {
    return kind == NOR_EV_CUT || kind == NOR_EV_POWER_ON || kind >= GUI_TICK_START;
}

/* Once there are too many snapshots: those off the grid of every `every`th tick go (a step's
 * own snapshot, gui_timeline_seal, lands anywhere), the newest aside; and when the grid alone
 * holds half the allowance, it doubles its spacing first and every other one goes too. Doubling
 * only then keeps `every` growing with the timeline's length, not with its number of steps (a
 * long run of short steps once doubled it past its width, to 0). */
static void thin_out(gui_timeline *tl) {
    size_t on_grid = 0;
    for (size_t i = 1; i < tl->count; i++)
        on_grid += tl->ticks[i].snap && !always_kept(tl->ticks[i].kind) && i % tl->every == 0;
    if (on_grid >= GUI_SNAPSHOTS_MAX / 2 && tl->every <= GUI_TICKS_MAX) tl->every *= 2;
    for (size_t i = 1; i < tl->count; i++) {
        gui_tick *t = &tl->ticks[i];
        if (!t->snap || always_kept(t->kind) || i % tl->every == 0 || i + 1 == tl->count) continue;
        nor_snapshot_free(t->snap);
        t->snap = NULL;
        tl->snapshots--;
    }
}

static gui_tick *append(gui_timeline *tl, uint8_t kind, uint32_t addr, uint32_t len, bool failed) {
    if (tl->count == GUI_TICKS_MAX) {
        tl->full = true;
        return NULL;
    }
    if (tl->count == tl->capacity) {
        size_t cap = tl->capacity ? tl->capacity * 2 : 1024;
        gui_tick *grown = realloc(tl->ticks, cap * sizeof *grown);
        if (!grown) {
            tl->full = true;
            return NULL;
        }
        tl->ticks = grown, tl->capacity = cap;
    }
    gui_tick *t = &tl->ticks[tl->count++];
    *t = (gui_tick){kind, failed, addr, len, nor_time_us(tl->dev), NULL};
    return t;
}

static void keep_snapshot(gui_timeline *tl, gui_tick *t) {
    if (t->snap || nor_snapshot_take(tl->dev, &t->snap) != NOR_OK) return;
    if (++tl->snapshots > GUI_SNAPSHOTS_MAX) thin_out(tl);
}

/* The sectors of [addr, addr + len) (at least the one of addr) may have changed. */
static void note_change(gui_timeline *tl, uint32_t addr, uint32_t len) {
    uint32_t index, start, size;
    for (uint32_t at = addr; tl->sector_changed && (at == addr || at < addr + len);) {
        if (nor_sector_at(tl->dev, at, &index, &start, &size)) return;
        tl->sector_changed[index] = 1;
        at = start + size;
    }
}

bool gui_timeline_take_change(gui_timeline *tl, uint32_t sector) {
    if (!tl->sector_changed || tl->all_changed) return true;
    bool changed = tl->sector_changed[sector];
    tl->sector_changed[sector] = 0;
    return changed;
}

static void on_event(void *ctx, const nor_event *ev) {
    gui_timeline *tl = ctx;
    if (ev->kind == NOR_EV_READ || ev->kind == NOR_EV_VIOLATION) return;
    if (ev->kind == NOR_EV_POWER_ON)
        tl->all_changed = true;
    else
        note_change(tl, ev->addr, ev->len);
    /* A torn operation's tick comes right before its cut's: the cut's snapshot holds both. */
    gui_tick *t = append(tl, (uint8_t)ev->kind, ev->addr, ev->len, ev->result != 0);
    if (t && (always_kept(t->kind) || (tl->count - 1) % tl->every == 0)) keep_snapshot(tl, t);
}

int gui_timeline_start(gui_timeline *tl, nor *dev) {
    memset(tl, 0, sizeof *tl);
    tl->dev = dev;
    tl->every = 1;
    tl->sector_changed = calloc(nor_sector_count(dev), 1);
    tl->all_changed = true;
    nor_set_event_fn(dev, on_event, tl);
    return gui_timeline_mark(tl, GUI_TICK_START, 0);
}

int gui_timeline_mark(gui_timeline *tl, uint8_t kind, uint32_t addr) {
    gui_tick *t = append(tl, kind, addr, 1, false);
    if (!t) return -1;
    keep_snapshot(tl, t);
    note_change(tl, addr, 1);
    return t->snap ? 0 : -1;
}

int gui_timeline_seal(gui_timeline *tl) {
    if (!tl->count) return -1;
    gui_tick *last = &tl->ticks[tl->count - 1];
    keep_snapshot(tl, last);
    return last->snap ? 0 : -1;
}

size_t gui_timeline_seek(gui_timeline *tl, size_t index) {
    if (!tl->count) return 0;
    if (index >= tl->count) index = tl->count - 1;
    while (index > 0 && !tl->ticks[index].snap) index--;
    if (tl->ticks[index].snap) nor_snapshot_restore(tl->dev, tl->ticks[index].snap);
    tl->all_changed = true;
    return index;
}

void gui_timeline_truncate(gui_timeline *tl, size_t index) {
    for (size_t i = index + 1; i < tl->count; i++)
        if (tl->ticks[i].snap) {
            nor_snapshot_free(tl->ticks[i].snap);
            tl->snapshots--;
        }
    if (index + 1 < tl->count) tl->count = index + 1, tl->full = false;
}

void gui_timeline_free(gui_timeline *tl) {
    if (tl->dev) nor_set_event_fn(tl->dev, NULL, NULL);
    gui_timeline_truncate(tl, 0);
    if (tl->count && tl->ticks[0].snap) nor_snapshot_free(tl->ticks[0].snap);
    free(tl->ticks);
    free(tl->sector_changed);
    memset(tl, 0, sizeof *tl);
}
