/* The stats panel: the source and its verdict, power and the last mount, the flash model's
 * counters (reads, programs, erases, cuts, bytes), wear (min / mean / max erases per page),
 * simulated time, the lifetime projected at the current rate (gui_figures.c), and the wear
 * histogram. */
#include "gui_app.h"

#include <stdio.h>

static void histogram(gui_app *app, const SDL_Rect *area) {
    const gui_view *v = &app->view;
    uint32_t most = 1;
    for (int b = 0; b < GUI_HIST_BINS; b++)
        if (v->hist[b] > most) most = v->hist[b];
    int bw = area->w / GUI_HIST_BINS;
    for (int b = 0; b < GUI_HIST_BINS; b++) {
        int h = (int)((uint64_t)(area->h - 2) * v->hist[b] / most);
        if (v->hist[b] && h < 1) h = 1;
        SDL_Rect bar = {area->x + b * bw, area->y + area->h - h, bw - 1, h};
        gui_fill(app->ren, &bar, gui_heat_colour((double)b / (GUI_HIST_BINS - 1)));
    }
}

void gui_panel_stats(gui_app *app) {
    const SDL_Rect *p = &app->lay.stats;
    const gui_view *v = &app->view;
    const nor_stats *st = &v->stats;
    gui_text *t = &app->text;
    SDL_Renderer *r = app->ren;
    gui_fill(r, p, gui_panel);
    int x = p->x + 6, y = p->y + 4, line = t->line, max = (p->w - 12) / t->advance;
    char buf[256], when[32];
    gui_text_draw(t, r, x, y, gui_text_colour, app->ses.title, max);
    y += line;
    if (app->ses.verdict[0]) gui_text_draw(t, r, x, y, gui_dim, app->ses.verdict, max);
    y += line;
    snprintf(buf, sizeof buf, "power %s   mount %s   workload ops %llu", v->powered ? "on" : "OFF",
             app->ses.mount_result == 1 ? "-"
             : app->ses.mount_result    ? nbs_strerror(app->ses.mount_result)
                                        : "ok",
             (unsigned long long)app->ses.workload_ops);
    gui_text_draw(t, r, x, y, v->powered ? gui_text_colour : gui_warn, buf, max);
    y += line;
    snprintf(buf, sizeof buf, "reads %llu (%llu B)  programs %llu (%llu B)",
             (unsigned long long)st->read_calls, (unsigned long long)st->read_bytes,
             (unsigned long long)st->program_calls, (unsigned long long)st->program_bytes);
    gui_text_draw(t, r, x, y, gui_text_colour, buf, max);
    y += line;
    snprintf(buf, sizeof buf, "erases %llu  cuts %llu  ecc errors %llu  violations %llu",
             (unsigned long long)st->erase_calls, (unsigned long long)st->cuts,
             (unsigned long long)st->ecc_errors, (unsigned long long)st->violations);
    gui_text_draw(t, r, x, y, gui_text_colour, buf, max);
    y += line;
    snprintf(buf, sizeof buf, "wear per page: min %u  mean %.2f  max %u", v->erase_min,
             v->erase_mean, v->erase_max);
    gui_text_draw(t, r, x, y, gui_text_colour, buf, max);
    y += line;
    gui_human_time(when, sizeof when, st->time_us / 1e6);
    gui_lifetime_text(v, buf, sizeof buf);
    gui_text_printf(t, r, x, y, gui_text_colour, "simulated time %s", when);
    y += line;
    gui_text_printf(t, r, x, y, gui_text_colour, "lifetime: %.*s", max - 10, buf);
    y += line;
    if (v->summary.live_pages)
        snprintf(buf, sizeof buf, "live pages %u of %u  tail %u  newest %u", v->summary.live_pages,
                 v->pages, v->summary.tail, v->summary.newest);
    else
        snprintf(buf, sizeof buf, "no live page (%u pages)%s%s", v->pages,
                 v->summary.mount_result ? ": " : "",
                 v->summary.mount_result ? nbs_strerror(v->summary.mount_result) : "");
    gui_text_draw(t, r, x, y, gui_text_colour, buf, max);
    y += line;
    gui_text_draw(t, r, x, y, gui_dim, "wear histogram (pages per erase count, min..max)", max);
    y += line;
    SDL_Rect area = {x, y, p->w - 12, p->y + p->h - y - 4};
    histogram(app, &area);
}
