/* What each action does (keys and the mouse both end here): the timeline, power, faults,
 * saving, selection and scrolling. */
#include "gui_app.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

void gui_app_status(gui_app *app, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->status, sizeof app->status, fmt, ap);
    va_end(ap);
}

void gui_app_select(gui_app *app, int32_t page) {
    int32_t tiles = (int32_t)gui_view_tiles(&app->view);
    if (page >= tiles) page = tiles - 1;
    if (page != app->selected) app->hex_cursor = -1, app->hex_top = 0, app->list_top = 0;
    app->selected = page < 0 ? -1 : page;
    app->picked_item = -1;
    app->dirty = true;
}

void gui_app_show_sectors(gui_app *app, bool raw) {
    app->view.raw = raw;
    app->view.sectors_read = false;
    gui_app_select(app, -1);
    gui_layout_compute(&app->lay, app->lay.w, app->lay.h, &app->text, gui_view_tiles(&app->view));
}

void gui_app_seek(gui_app *app, size_t tick) {
    gui_session_seek(&app->ses, tick);
    app->status[0] = 0;
    app->dirty = true;
}

/* The byte under the mouse in the hex view, else the hex cursor: its address on the device. */
static bool flip_target(gui_app *app, uint32_t *addr) {
    if (app->selected < 0 || app->hex_cursor < 0 || app->view.bytes_of != app->selected)
        return false;
    *addr = app->view.bytes_addr + (uint32_t)app->hex_cursor;
    return true;
}

static void flip(gui_app *app) {
    uint32_t addr;
    if (!flip_target(app, &addr)) {
        gui_app_status(app, "flip: select a page and point at a byte (mouse, or [ ] j k)");
        return;
    }
    /* A programmed bit turned erased if there is one (a lost bit), else bit 0. */
    uint8_t b, erased = nor_get_config(app->ses.dev)->erase_value;
    nor_peek(app->ses.dev, addr, &b, 1);
    unsigned bit = 0;
    for (unsigned i = 0; i < 8; i++)
        if (((b ^ erased) >> i) & 1u) {
            bit = i;
            break;
        }
    gui_session_flip_bit(&app->ses, addr, bit);
    app->status[0] = 0;
    app->dirty = true;
}

/* The first PREFIX-N.EXT (N from 1) that does not exist in the current folder, so that saving
 * never overwrites what an earlier window saved. */
static void unused_name(char *path, size_t n, const char *prefix, const char *ext) {
    for (unsigned i = 1; i < 100000; i++) {
        snprintf(path, n, "%s-%u.%s", prefix, i, ext);
        if (access(path, F_OK) != 0) return;
    }
}

static void save_image(gui_app *app) {
    char path[64];
    unused_name(path, sizeof path, "gui-image", "bin");
    int rc = nor_image_save(app->ses.dev, path);
    gui_app_status(app, rc ? "saving %s failed: %s" : "saved %s (and its .json sidecar)%s", path,
                   rc ? nor_strerror(rc) : "");
}

static void move_hex(gui_app *app, int32_t by) {
    if (app->selected < 0) return;
    int32_t size = (int32_t)app->view.bytes_len,
            at = app->hex_cursor < 0 ? 0 : app->hex_cursor + by;
    app->hex_cursor = at < 0 ? 0 : at >= size ? size - 1 : at;
    uint32_t row = (uint32_t)app->hex_cursor / (uint32_t)app->lay.hex_per_row;
    if (row < app->hex_top) app->hex_top = row;
    if (row >= app->hex_top + (uint32_t)app->lay.hex_rows)
        app->hex_top = row - app->lay.hex_rows + 1;
}

static void select_by(gui_app *app, int32_t by) {
    int32_t n = (int32_t)gui_view_tiles(&app->view),
            at = app->selected < 0 ? 0 : app->selected + by;
    gui_app_select(app, ((at % n) + n) % n);
}

static void power_or_time(gui_app *app, gui_action a) {
    gui_session *s = &app->ses;
    switch (a) {
    case GUI_RUN: app->running = !app->running, app->run_credit = 0; break;
    case GUI_STEP: gui_session_step(s); break;
    case GUI_BACK: gui_session_seek(s, s->cursor ? s->cursor - 1 : 0); break;
    case GUI_FASTER: app->speed = app->speed < 65536 ? app->speed * 2 : app->speed; break;
    case GUI_SLOWER: app->speed = app->speed > 0.5 ? app->speed / 2 : app->speed; break;
    case GUI_START: gui_session_seek(s, 0); break;
    case GUI_END: gui_session_seek(s, s->tl.count); break;
    case GUI_CUT: gui_session_cut(s, app->torn_mode), app->running = false; break;
    case GUI_TORN_MODE:
        app->torn_mode = (app->torn_mode + 1) % gui_torn_mode_count;
        if (app->torn_mode && s->no_workload[0])
            snprintf(s->last_op, sizeof s->last_op, "c cuts between operations: %.160s",
                     s->no_workload);
        break;
    case GUI_POWER_ON: gui_session_power_on(s); break;
    case GUI_WORKLOAD:
        if (!s->workload_on && s->no_workload[0]) { /* refused: the source has none */
            snprintf(s->last_op, sizeof s->last_op, "%s", s->no_workload);
            break;
        }
        s->workload_on = !s->workload_on;
        snprintf(s->last_op, sizeof s->last_op, "%s",
                 s->workload_on ? "workload on: at the end each step runs one workload operation"
                                : "workload off: stepping stops at the end of the timeline");
        break;
    default: return;
    }
    app->status[0] = 0;
    app->dirty = true;
}

void gui_app_do(gui_app *app, gui_action a) {
    switch (a) {
    case GUI_QUIT: app->quit = true; break;
    case GUI_HELP: app->help = !app->help; break;
    case GUI_CLOSE:
        if (app->help)
            app->help = false;
        else
            gui_app_select(app, -1);
        break;
    case GUI_HEATMAP: app->heatmap = !app->heatmap; break;
    case GUI_SECTORS:
        gui_app_show_sectors(app, !app->view.raw);
        gui_app_status(app, "%s",
                       app->view.raw ? "the raw device: every sector (v: the engine's pages)"
                                     : "the engine's pages (v: every sector of the device)");
        break;
    case GUI_FLIP: flip(app); break;
    case GUI_SAVE_IMAGE: save_image(app); break;
    case GUI_SCREENSHOT: {
        char path[64];
        unused_name(path, sizeof path, "gui-shot", "png");
        if (!gui_app_screenshot(app, path)) gui_app_status(app, "saved %s", path);
        break;
    }
    case GUI_SEL_LEFT: select_by(app, -1); break;
    case GUI_SEL_RIGHT: select_by(app, 1); break;
    case GUI_SEL_UP: select_by(app, -app->lay.cols); break;
    case GUI_SEL_DOWN: select_by(app, app->lay.cols); break;
    case GUI_BYTE_PREV: move_hex(app, -1); break;
    case GUI_BYTE_NEXT: move_hex(app, 1); break;
    case GUI_ROW_PREV: move_hex(app, -app->lay.hex_per_row); break;
    case GUI_ROW_NEXT: move_hex(app, app->lay.hex_per_row); break;
    case GUI_LIST_UP: app->list_top = app->list_top > 8 ? app->list_top - 8 : 0; break;
    case GUI_LIST_DOWN: app->list_top += 8; break;
    case GUI_RELOAD: gui_app_load(app, app->opt.source); break;
    default: power_or_time(app, a); break;
    }
}
