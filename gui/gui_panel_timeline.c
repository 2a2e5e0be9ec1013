/* The timeline of flash operations: one column per run of ticks (programs blue, erases orange,
 * cuts red, power-ons green, flipped bits yellow: programs fill a column's lower half, erases its
 * upper half, and a cut, power-on or flip all of it), the cursor
 * white; above it the position, the simulated time, run state and speed, the torn mode. Below
 * it the status line. Clicking or dragging on the bar scrubs. */
#include "gui_app.h"

#include <stdio.h>

/* Which kind shows when several share a column. */
static int rank(uint8_t kind) {
    switch (kind) {
    case NOR_EV_CUT: return 5;
    case GUI_TICK_FLIP: return 4;
    case NOR_EV_POWER_ON: return 3;
    case NOR_EV_ERASE: return 2;
    case NOR_EV_PROGRAM: return 1;
    default: return 0;
    }
}

static SDL_Rect bar_of(const gui_app *app) {
    const SDL_Rect *t = &app->lay.timeline;
    int line = app->text.line;
    return (SDL_Rect){t->x + 4, t->y + line + 6, t->w - 8, t->h - line - 10};
}

size_t gui_timeline_tick_at(const gui_app *app, int x) {
    SDL_Rect bar = bar_of(app);
    size_t count = app->ses.tl.count;
    if (count <= 1 || bar.w <= 1) return 0;
    if (x < bar.x) x = bar.x;
    if (x >= bar.x + bar.w) x = bar.x + bar.w - 1;
    return (size_t)((double)(x - bar.x) * (count - 1) / (bar.w - 1) + 0.5);
}

void gui_panel_timeline(gui_app *app) {
    const gui_layout *l = &app->lay;
    const gui_timeline *tl = &app->ses.tl;
    gui_text *t = &app->text;
    gui_fill(app->ren, &l->timeline, gui_panel);
    size_t cursor = app->ses.cursor, count = tl->count;
    uint64_t time_us = count ? tl->ticks[cursor < count ? cursor : count - 1].time_us : 0;
    gui_text_printf(
        t, app->ren, l->timeline.x + 6, l->timeline.y + 3, gui_text_colour,
        "flash op %zu / %zu%s   t = %.6f s   %s x%g/s   at the end: %s   cut mode: %s   "
        "h: help",
        cursor, count ? count - 1 : 0, tl->full ? " (timeline full)" : "", time_us / 1e6,
        app->running ? "RUNNING" : "paused", app->speed, app->ses.workload_on ? "workload" : "stop",
        gui_torn_modes[app->torn_mode].name);
    SDL_Rect bar = bar_of(app);
    gui_fill(app->ren, &bar, gui_bg);
    for (int x = 0; count > 1 && x < bar.w; x++) {
        size_t from = (size_t)((double)x * count / bar.w),
               to = (size_t)((double)(x + 1) * count / bar.w);
        if (to <= from) to = from + 1;
        bool program = false, erase = false;
        uint8_t rare = GUI_TICK_START; /* a cut, power-on or flip: the whole column */
        for (size_t i = from; i < to && i < count; i++) {
            uint8_t kind = tl->ticks[i].kind;
            program |= kind == NOR_EV_PROGRAM, erase |= kind == NOR_EV_ERASE;
            if (rank(kind) > rank(rare) && rank(kind) > rank(NOR_EV_ERASE)) rare = kind;
        }
        /* Programs in the lower half, erases in the upper half, so that neither hides the other. */
        SDL_Rect low = {bar.x + x, bar.y + bar.h / 2, 1, bar.h - bar.h / 2},
                 high = {bar.x + x, bar.y, 1, bar.h / 2}, whole = {bar.x + x, bar.y, 1, bar.h};
        if (program) gui_fill(app->ren, &low, gui_tick_colour(NOR_EV_PROGRAM));
        if (erase) gui_fill(app->ren, &high, gui_tick_colour(NOR_EV_ERASE));
        if (rank(rare)) gui_fill(app->ren, &whole, gui_tick_colour(rare));
    }
    if (count > 1) {
        int cx = bar.x + (int)((double)cursor * (bar.w - 1) / (count - 1));
        SDL_Rect c = {cx - 1, bar.y - 2, 3, bar.h + 4};
        gui_fill(app->ren, &c, (SDL_Color){255, 255, 255, 255});
    }
    gui_fill(app->ren, &l->status, gui_panel);
    const char *msg = app->status[0] ? app->status : app->ses.last_op;
    gui_text_draw(t, app->ren, l->status.x + 6, l->status.y + 3, gui_text_colour, msg,
                  (l->status.w - 12) / t->advance);
}
