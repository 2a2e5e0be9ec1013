/* The application: opens the source and the view, the window and renderer (SDL's offscreen
 * driver when headless), draws a frame from the view, reads its pixels back (screenshots and
 * the pixel tests), loads another source in place, and writes the state the window tests read. */
#include "gui_app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FONT_PX = 13, STEPS_PER_QUIT_CHECK = 1024 };

/* Opens the session and its view for app->opt; 0, or 1/2 with the reason in `why`. The view
 * is freed only once it was made: before that it may hold the view of the source shown now
 * (gui_app_load opens into a copy of the app). */
static int open_source(gui_app *app, char *why, size_t n) {
    int rc = gui_source_open(&app->ses, &app->opt, why, n);
    if (!rc && gui_view_init(&app->view, &app->ses)) {
        snprintf(why, n, "out of memory for the view");
        gui_view_free(&app->view);
        rc = 1;
    }
    if (rc) gui_session_close(&app->ses);
    return rc;
}

/* The start options that depend on the source: --select a tile it shows, --at an operation on
 * its timeline. 0, or 2 with the option, its value and the valid range in `why`. */
static int check_start(const gui_app *app, char *why, size_t n) {
    const gui_options *o = &app->opt;
    uint32_t tiles = o->sectors ? app->view.sectors : app->view.pages;
    if (o->select >= 0 && (uint64_t)o->select >= tiles) {
        snprintf(why, n, "--select %lld: expected 0 to %u (the %u %s shown)", (long long)o->select,
                 tiles - 1, tiles, o->sectors ? "sectors of the device" : "pages of the store");
        return 2;
    }
    size_t last = app->ses.tl.count ? app->ses.tl.count - 1 : 0; /* tick 0: the start */
    if (o->at >= 0 && (uint64_t)o->at > last) {
        if (last)
            snprintf(why, n,
                     "--at %lld: expected 0 to %zu (0: the start; %zu: the timeline's last "
                     "operation)",
                     (long long)o->at, last, last);
        else
            snprintf(why, n,
                     "--at %lld: expected 0, the timeline's start: it holds no operation "
                     "yet (--steps are taken after --at)",
                     (long long)o->at);
        return 2;
    }
    return 0;
}

static int open_renderer(gui_app *app, char *why, size_t n) {
    if (app->opt.headless) SDL_setenv("SDL_VIDEODRIVER", "offscreen", 1);
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        snprintf(why, n, "cannot start SDL video: %s", SDL_GetError());
        return 1;
    }
    /* A scenario or image dropped on the window is loaded in place (gui_input.c). */
    SDL_EventState(SDL_DROPFILE, SDL_ENABLE);
    Uint32 flags = SDL_WINDOW_RESIZABLE | (app->opt.headless ? SDL_WINDOW_HIDDEN : 0);
    char title[200];
    snprintf(title, sizeof title, "norbench gui: %s", app->ses.title);
    app->window = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                   (int)app->opt.width, (int)app->opt.height, flags);
    /* The software renderer: the same pixels on a desktop, under Xvfb and offscreen. */
    if (app->window) app->ren = SDL_CreateRenderer(app->window, -1, SDL_RENDERER_SOFTWARE);
    if (!app->ren) {
        snprintf(why, n, "cannot open a window: %s", SDL_GetError());
        return 1;
    }
    return gui_text_open(&app->text, app->ren, app->opt.font, FONT_PX, why, n);
}

int gui_app_open(gui_app **out, const gui_options *o) {
    gui_app *app = calloc(1, sizeof *app);
    char why[1024] = "";
    if (!app) return 1;
    app->opt = *o;
    if (o->source) snprintf(app->source, sizeof app->source, "%s", o->source);
    app->opt.source = o->source ? app->source : NULL;
    app->selected = app->hover_page = app->hex_cursor = app->picked_item = -1;
    app->speed = 8;
    app->heatmap = o->heatmap;
    int rc = open_source(app, why, sizeof why);
    if (!rc) rc = check_start(app, why, sizeof why);
    if (!rc) rc = open_renderer(app, why, sizeof why);
    if (rc) {
        fprintf(stderr, "norbench gui: %s\n", why);
        gui_app_close(app);
        return rc;
    }
    int w, h;
    SDL_GetWindowSize(app->window, &w, &h);
    gui_layout_compute(&app->lay, w, h, &app->text, app->view.pages);
    if (o->sectors) gui_app_show_sectors(app, true);
    if (o->at >= 0) gui_session_seek(&app->ses, (size_t)o->at);
    for (uint64_t i = 0; i < o->steps; i++) {
        /* SDL makes SIGINT and SIGTERM a quit event: a long --steps stops there. */
        if (i % STEPS_PER_QUIT_CHECK == 0 && SDL_QuitRequested()) {
            fprintf(stderr, "norbench gui: interrupted after %llu of the %llu --steps\n",
                    (unsigned long long)i, (unsigned long long)o->steps);
            gui_app_close(app);
            return GUI_EXIT_INTERRUPTED;
        }
        gui_session_step(&app->ses);
    }
    if (o->select >= 0) gui_app_select(app, (int32_t)o->select); /* check_start: a tile */
    app->dirty = true;
    *out = app;
    return 0;
}

void gui_app_load(gui_app *app, const char *source) {
    gui_app next = *app;
    char path[sizeof app->source] = "", why[1024] = "";
    if (source) snprintf(path, sizeof path, "%s", source);
    next.opt.source = source ? path : NULL;
    if (open_source(&next, why, sizeof why)) {
        gui_app_status(app, "cannot load %s: %s", source ? source : "the demo", why);
        return;
    }
    gui_session_close(&app->ses);
    gui_view_free(&app->view);
    next.view.raw = app->view.raw;
    app->ses = next.ses, app->view = next.view;
    memcpy(app->source, path, sizeof path);
    app->opt.source = source ? app->source : NULL;
    app->selected = app->hex_cursor = app->picked_item = -1;
    app->running = false;
    gui_layout_compute(&app->lay, app->lay.w, app->lay.h, &app->text, gui_view_tiles(&app->view));
    SDL_SetWindowTitle(app->window, app->ses.title);
    /* What the source said as it opened (a matrix's preset, no workload) matters more. */
    if (app->ses.last_op[0])
        app->status[0] = 0;
    else
        gui_app_status(app, "loaded %s", app->ses.title);
    app->dirty = true;
}

void gui_app_close(gui_app *app) {
    if (!app) return;
    gui_text_close(&app->text);
    if (app->ren) SDL_DestroyRenderer(app->ren);
    if (app->window) SDL_DestroyWindow(app->window);
    if (SDL_WasInit(SDL_INIT_VIDEO)) SDL_Quit();
    gui_view_free(&app->view);
    gui_session_close(&app->ses);
    free(app);
}

void gui_app_draw(gui_app *app) {
    if (app->dirty) {
        gui_view_refresh(&app->view, &app->ses, app->selected);
        app->dirty = false;
    }
    gui_fill(app->ren, &(SDL_Rect){0, 0, app->lay.w, app->lay.h}, gui_bg);
    gui_draw_map(app);
    gui_draw_legend(app);
    gui_panel_stats(app);
    gui_panel_page(app);
    gui_panel_timeline(app);
    if (app->help) gui_draw_help(app);
    app->frames++;
}

int gui_app_pixel(gui_app *app, int x, int y, SDL_Color *out) {
    uint8_t rgb[3];
    SDL_Rect one = {x, y, 1, 1};
    if (SDL_RenderReadPixels(app->ren, &one, SDL_PIXELFORMAT_RGB24, rgb, 3)) return -1;
    *out = (SDL_Color){rgb[0], rgb[1], rgb[2], 255};
    return 0;
}

int gui_app_screenshot(gui_app *app, const char *path) {
    int w = app->lay.w, h = app->lay.h;
    uint8_t *rgb = malloc((size_t)w * h * 3);
    int rc = rgb ? SDL_RenderReadPixels(app->ren, NULL, SDL_PIXELFORMAT_RGB24, rgb, w * 3) : -1;
    if (!rc) rc = gui_png_write(path, w, h, rgb);
    free(rgb);
    if (rc) gui_app_status(app, "cannot write the screenshot %s", path);
    return rc;
}

int gui_app_write_state(gui_app *app, const char *path) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    if (app->dirty) gui_view_refresh(&app->view, &app->ses, app->selected), app->dirty = false;
    const gui_view *v = &app->view;
    fprintf(f, "powered %d\nmount %d\ncursor %zu\nticks %zu\ncuts %llu\nselected %d\n", v->powered,
            app->ses.mount_result, app->ses.cursor, app->ses.tl.count,
            (unsigned long long)v->stats.cuts, app->selected);
    fprintf(f, "title %s\nverdict %s\n", app->ses.title, app->ses.verdict);
    fprintf(f, "workload_on %d\nworkload_ops %llu\nstatus %s\n", app->ses.workload_on,
            (unsigned long long)app->ses.workload_ops,
            app->status[0] ? app->status : app->ses.last_op);
    char lifetime[160];
    gui_lifetime_text(v, lifetime, sizeof lifetime);
    fprintf(f, "lifetime %s\n", lifetime);
    fprintf(f, "view %s\nmap %dx%d tile %d\n", v->raw ? "sectors" : "pages", app->lay.cols,
            app->lay.rows, app->lay.tile);
    const SDL_Rect *t = &app->lay.timeline;
    fprintf(f, "timeline %d %d %d %d\n", t->x, t->y, t->w, t->h);
    fprintf(f, "live_pages %u\ntorn_items", v->summary.live_pages);
    for (size_t i = 0; i < v->item_count; i++)
        if (v->items[i].info.state == NBS_ITEM_TORN) fprintf(f, " %u", v->items[i].info.offset);
    fprintf(f, "\n");
    for (uint32_t p = 0; p < v->pages; p++)
        fprintf(f, "page %u %s used %u erases %u\n", p, nbs_page_state_name(v->page[p].state),
                v->page[p].used, v->erases[p]);
    for (uint32_t i = 0; v->raw && i < v->sectors; i++)
        fprintf(f, "sector %u erases %u programmed %u weak %d\n", i, v->sector_erases[i],
                v->sector_programmed[i], v->sector_weak[i]);
    return fclose(f) ? -1 : 0;
}
