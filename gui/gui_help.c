/* The help overlay (h or ?): every key of the key table with what it does, the mouse and a
 * dropped file. */
#include "gui_app.h"

void gui_draw_help(gui_app *app) {
    gui_text *t = &app->text;
    int rows = 0;
    for (size_t i = 0; i < gui_key_count; i++) rows += gui_keys[i].label != NULL;
    int w = 72 * t->advance, h = (rows + 7) * t->line;
    SDL_Rect box = {(app->lay.w - w) / 2, (app->lay.h - h) / 2, w, h};
    SDL_SetRenderDrawBlendMode(app->ren, SDL_BLENDMODE_BLEND);
    gui_fill(app->ren, &box, (SDL_Color){12, 14, 18, 240});
    SDL_SetRenderDrawBlendMode(app->ren, SDL_BLENDMODE_NONE);
    gui_outline(app->ren, &box, gui_accent);
    int x = box.x + 12, y = box.y + 8;
    gui_text_draw(t, app->ren, x, y, gui_accent, "norbench gui: keys", 0);
    y += t->line * 3 / 2;
    for (size_t i = 0; i < gui_key_count; i++) {
        if (!gui_keys[i].label) continue;
        gui_text_draw(t, app->ren, x, y, gui_text_colour, gui_keys[i].label, 0);
        gui_text_draw(t, app->ren, x + 22 * t->advance, y, gui_dim, gui_keys[i].help, 0);
        y += t->line;
    }
    y += t->line / 2;
    gui_text_draw(t, app->ren, x, y, gui_text_colour,
                  "mouse: click a tile to select its page, click or drag the timeline to", 0);
    gui_text_draw(t, app->ren, x, y + t->line, gui_text_colour,
                  "scrub, click an item to show its bytes, wheel scrolls list and hex;", 0);
    gui_text_draw(t, app->ren, x, y + 2 * t->line, gui_text_colour,
                  "drop a scenario (.json) or flash image on the window to open it", 0);
}
