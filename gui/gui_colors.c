/* The one palette: page states (bright where a page is filled, dim where it is not), item
 * states, the heat scale of the erase-count map and the raw sectors, timeline ticks, weak bits
 * and the panels. */
#include "gui_app.h"

const SDL_Color gui_bg = {18, 20, 24, 255};
const SDL_Color gui_panel = {30, 33, 40, 255};
const SDL_Color gui_text_colour = {220, 224, 230, 255};
const SDL_Color gui_dim = {130, 136, 146, 255};
const SDL_Color gui_accent = {255, 214, 10, 255};
const SDL_Color gui_warn = {248, 81, 73, 255};
const SDL_Color gui_weak = {255, 92, 220, 255};

static const SDL_Color page_colours[NBS_PAGE_STATES] = {
    [NBS_PAGE_ERASED] = {52, 56, 64, 255},     [NBS_PAGE_OPEN] = {63, 185, 80, 255},
    [NBS_PAGE_FULL] = {56, 139, 253, 255},     [NBS_PAGE_RELEASED] = {163, 113, 247, 255},
    [NBS_PAGE_KILLED] = {219, 109, 40, 255},   [NBS_PAGE_COPY] = {210, 153, 34, 255},
    [NBS_PAGE_UNPLACED] = {57, 197, 207, 255}, [NBS_PAGE_CORRUPT] = {248, 81, 73, 255},
};

SDL_Color gui_faded(SDL_Color c) {
    return (SDL_Color){(uint8_t)(gui_bg.r + (c.r - gui_bg.r) / 3),
                       (uint8_t)(gui_bg.g + (c.g - gui_bg.g) / 3),
                       (uint8_t)(gui_bg.b + (c.b - gui_bg.b) / 3), 255};
}

SDL_Color gui_page_colour(nbs_page_state state, bool filled) {
    SDL_Color c = (unsigned)state < NBS_PAGE_STATES ? page_colours[state] : gui_dim;
    return filled || state == NBS_PAGE_ERASED ? c : gui_faded(c);
}

static const SDL_Color item_colours[NBS_ITEM_STATES] = {
    [NBS_ITEM_LIVE] = {63, 185, 80, 255},      [NBS_ITEM_SUPERSEDED] = {130, 136, 146, 255},
    [NBS_ITEM_REMOVED] = {163, 113, 247, 255}, [NBS_ITEM_CONTROL] = {57, 197, 207, 255},
    [NBS_ITEM_DEAD] = {100, 104, 112, 255},    [NBS_ITEM_TORN] = {255, 166, 87, 255},
    [NBS_ITEM_INVALID] = {248, 81, 73, 255},
};

SDL_Color gui_item_colour(nbs_item_state state) {
    return (unsigned)state < NBS_ITEM_STATES ? item_colours[state] : gui_dim;
}

/* Five stops from cold (blue, bright enough that its dim shade tells an erased part apart)
 * through teal, green and yellow to hot (red). */
SDL_Color gui_heat_colour(double t) {
    static const SDL_Color stops[] = {{44, 84, 176, 255},
                                      {20, 130, 150, 255},
                                      {90, 190, 80, 255},
                                      {240, 220, 60, 255},
                                      {230, 40, 30, 255}};
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    double x = t * 4;
    int i = x >= 4 ? 3 : (int)x;
    double f = x - i;
    SDL_Color a = stops[i], b = stops[i + 1];
    return (SDL_Color){(uint8_t)(a.r + (b.r - a.r) * f + 0.5),
                       (uint8_t)(a.g + (b.g - a.g) * f + 0.5),
                       (uint8_t)(a.b + (b.b - a.b) * f + 0.5), 255};
}

SDL_Color gui_tick_colour(uint8_t kind) {
    switch (kind) {
    case NOR_EV_PROGRAM: return (SDL_Color){56, 139, 253, 255};
    case NOR_EV_ERASE: return (SDL_Color){219, 109, 40, 255};
    case NOR_EV_CUT: return gui_warn;
    case NOR_EV_POWER_ON: return (SDL_Color){63, 185, 80, 255};
    case GUI_TICK_FLIP: return gui_accent;
    default: return gui_dim;
    }
}

void gui_set_colour(SDL_Renderer *r, SDL_Color c) {
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
}

void gui_fill(SDL_Renderer *r, const SDL_Rect *rect, SDL_Color c) {
    gui_set_colour(r, c);
    SDL_RenderFillRect(r, rect);
}

void gui_outline(SDL_Renderer *r, const SDL_Rect *rect, SDL_Color c) {
    gui_set_colour(r, c);
    SDL_RenderDrawRect(r, rect);
}
