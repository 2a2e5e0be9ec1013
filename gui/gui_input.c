/* Input: keys through the key table, the mouse on the map (hover, select), on the item list
 * (pick an item), on the hex view (point at a byte, which b flips) and on the timeline (click
 * and drag to scrub), the wheel, window resizes (the layout is computed again) and files
 * dropped on the window (loaded). */
#include "gui_app.h"

static bool inside(const SDL_Rect *r, int x, int y) {
    return x >= r->x && y >= r->y && x < r->x + r->w && y < r->y + r->h;
}

/* The byte of the selected page under a point of the hex view, or -1. */
static int32_t hex_byte_at(const gui_app *app, int x, int y) {
    const gui_layout *l = &app->lay;
    int row = (y - l->hex.y) / app->text.line - 1, col = (x - l->hex.x) / app->text.advance - 5;
    if (app->selected < 0 || row < 0 || col < 0 || col % 3 == 2) return -1;
    uint32_t at = (app->hex_top + (uint32_t)row) * (uint32_t)l->hex_per_row + (uint32_t)col / 3;
    if ((uint32_t)col / 3 >= (uint32_t)l->hex_per_row || at >= app->view.bytes_len) return -1;
    return (int32_t)at;
}

static void mouse_down(gui_app *app, int x, int y) {
    const gui_layout *l = &app->lay;
    if (inside(&l->map, x, y)) {
        int32_t page = gui_layout_page_at(l, x, y, gui_view_tiles(&app->view));
        if (page >= 0) gui_app_select(app, page);
    } else if (inside(&l->timeline, x, y)) {
        app->dragging = true;
        gui_app_seek(app, gui_timeline_tick_at(app, x));
    } else if (inside(&l->list, x, y)) {
        int row = (y - l->list.y) / app->text.line - 1;
        size_t item = app->list_top + (size_t)(row < 0 ? 0 : row);
        if (row >= 0 && item < app->view.item_count) {
            app->picked_item = (int32_t)item;
            uint32_t off = app->view.items[item].info.offset;
            app->hex_cursor = (int32_t)off;
            app->hex_top = off / (uint32_t)l->hex_per_row;
        }
    } else if (inside(&l->hex, x, y)) {
        int32_t at = hex_byte_at(app, x, y);
        if (at >= 0) app->hex_cursor = at;
    }
}

static void mouse_motion(gui_app *app, int x, int y) {
    app->mouse_x = x, app->mouse_y = y;
    app->hover_page = gui_layout_page_at(&app->lay, x, y, gui_view_tiles(&app->view));
    if (app->dragging) gui_app_seek(app, gui_timeline_tick_at(app, x));
    if (inside(&app->lay.hex, x, y)) {
        int32_t at = hex_byte_at(app, x, y);
        if (at >= 0) app->hex_cursor = at;
    }
}

static void wheel(gui_app *app, int dy) {
    int x = app->mouse_x, y = app->mouse_y;
    if (inside(&app->lay.hex, x, y)) {
        app->hex_top = dy > 0 ? (app->hex_top > 3 ? app->hex_top - 3 : 0) : app->hex_top + 3;
    } else if (inside(&app->lay.list, x, y)) {
        app->list_top = dy > 0 ? (app->list_top > 3 ? app->list_top - 3 : 0) : app->list_top + 3;
    } else if (inside(&app->lay.timeline, x, y)) {
        gui_app_do(app, dy > 0 ? GUI_STEP : GUI_BACK);
    }
}

void gui_input_handle(gui_app *app, const SDL_Event *e) {
    switch (e->type) {
    case SDL_QUIT: app->quit = true; break;
    case SDL_KEYDOWN: {
        SDL_Keycode key = e->key.keysym.sym;
        if (key == SDLK_SLASH && (e->key.keysym.mod & KMOD_SHIFT)) key = SDLK_QUESTION;
        if (key == SDLK_EQUALS && !(e->key.keysym.mod & KMOD_SHIFT)) key = SDLK_PLUS;
        gui_app_do(app, gui_key_action(key));
        break;
    }
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT) mouse_down(app, e->button.x, e->button.y);
        break;
    case SDL_MOUSEBUTTONUP: app->dragging = false; break;
    case SDL_MOUSEMOTION: mouse_motion(app, e->motion.x, e->motion.y); break;
    case SDL_MOUSEWHEEL: wheel(app, e->wheel.y); break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
            gui_layout_compute(&app->lay, e->window.data1, e->window.data2, &app->text,
                               gui_view_tiles(&app->view));
        break;
    case SDL_DROPFILE:
        gui_app_load(app, e->drop.file);
        SDL_free(e->drop.file);
        break;
    default: break;
    }
}
