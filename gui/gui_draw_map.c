/* The page map: one tile per engine page, coloured by the state the engine's inspection
 * reports, bright up to its fill level and dim above it; the newest page outlined white, the
 * tail marked by a white corner, a worn page (erases past the rated endurance) by a red one,
 * the selection outlined yellow. In heatmap mode a tile's colour is its erase count. The raw
 * view (v) draws every sector of the device instead, from the flash model: coloured by its
 * erase count, bright up to its programmed fraction, weak bits marked by a pink corner and the
 * engine's sectors by a line along their top. */
#include "gui_app.h"

#include <stdlib.h>
#include <string.h>

/* Tiles are drawn in batches, one SDL_RenderFillRects per colour: a bucket is a colour (a page
 * state, or one of 256 levels of the heat scale, the hottest only at the top of it so that it
 * marks the most erased tiles alone) times two, dim (even) or bright (odd). */
enum { HEAT_LEVELS = 256, BUCKETS = 2 * HEAT_LEVELS };

typedef struct tile_batch {
    SDL_Rect *rects;  /* two per tile at most */
    uint16_t *bucket; /* of each rect */
    SDL_Rect *sorted; /* the rects grouped by bucket */
    uint32_t count;
} tile_batch;

static void add_rect(tile_batch *b, const SDL_Rect *r, unsigned bucket) {
    b->rects[b->count] = *r;
    b->bucket[b->count++] = (uint16_t)bucket;
}

static SDL_Color bucket_colour(const gui_app *app, unsigned bucket) {
    bool bright = bucket & 1u;
    if (app->view.raw || app->heatmap) {
        SDL_Color c = gui_heat_colour((double)(bucket / 2) / (HEAT_LEVELS - 1));
        return bright ? c : gui_faded(c);
    }
    return gui_page_colour((nbs_page_state)(bucket / 2), bright);
}

/* A tile dim, with its lower `part` of `whole` bright (at least a line when part > 0). */
static void filled_tile(tile_batch *b, const SDL_Rect *r, unsigned colour, uint32_t part,
                        uint32_t whole) {
    add_rect(b, r, colour * 2);
    if (!part || !whole) return;
    int h = (int)((uint64_t)r->h * (part < whole ? part : whole) / whole);
    if (h < 1) h = 1;
    SDL_Rect filled = {r->x, r->y + r->h - h, r->w, h};
    add_rect(b, &filled, colour * 2 + 1);
}

static unsigned heat_level(uint32_t erases, uint32_t least, uint32_t most) {
    return most > least
               ? (unsigned)((uint64_t)(erases - least) * (HEAT_LEVELS - 1) / (most - least))
               : 0;
}

static void state_tile(gui_app *app, tile_batch *b, const nbs_page_info *p, const SDL_Rect *r) {
    if (p->state == NBS_PAGE_ERASED)
        add_rect(b, r, (unsigned)p->state * 2);
    else /* anything in it shows at least a line */
        filled_tile(b, r, (unsigned)p->state, p->used ? p->used : 1, app->ses.range.page_size);
}

static void heat_tile(gui_app *app, tile_batch *b, uint32_t page, const SDL_Rect *r) {
    const gui_view *v = &app->view;
    add_rect(b, r, heat_level(v->erases[page], v->erase_min, v->erase_max) * 2 + 1);
}

static void sector_tile(gui_app *app, tile_batch *b, uint32_t sector, const SDL_Rect *r) {
    const gui_view *v = &app->view;
    uint32_t start, size;
    if (!gui_sector_span(app->ses.dev, sector, &start, &size)) return;
    unsigned level = heat_level(v->sector_erases[sector], v->sector_erase_min, v->sector_erase_max);
    filled_tile(b, r, level, v->sector_programmed[sector], size);
}

/* Draws the batch bucket by bucket (a counting sort of its rects). */
static void flush(gui_app *app, tile_batch *b) {
    uint32_t start[BUCKETS + 1] = {0};
    for (uint32_t i = 0; i < b->count; i++) start[b->bucket[i] + 1]++;
    for (unsigned k = 0; k < BUCKETS; k++) start[k + 1] += start[k];
    uint32_t at[BUCKETS];
    memcpy(at, start, sizeof at);
    for (uint32_t i = 0; i < b->count; i++) b->sorted[at[b->bucket[i]]++] = b->rects[i];
    for (unsigned k = 0; k < BUCKETS; k++) {
        if (start[k + 1] == start[k]) continue;
        gui_set_colour(app->ren, bucket_colour(app, k));
        SDL_RenderFillRects(app->ren, b->sorted + start[k], (int)(start[k + 1] - start[k]));
    }
}

static int corner_size(const SDL_Rect *r) {
    return r->w / 5 > 10 ? 10 : r->w / 5 > 2 ? r->w / 5 : 2;
}

static void selection(gui_app *app, uint32_t tile, const SDL_Rect *r) {
    if ((int32_t)tile != app->selected) return;
    SDL_Rect s = {r->x - 1, r->y - 1, r->w + 2, r->h + 2};
    gui_outline(app->ren, &s, gui_accent);
    SDL_Rect s2 = {r->x - 2, r->y - 2, r->w + 4, r->h + 4};
    gui_outline(app->ren, &s2, gui_accent);
}

static void sector_marks(gui_app *app, uint32_t sector, const SDL_Rect *r) {
    const gui_view *v = &app->view;
    int corner = corner_size(r);
    uint32_t start, size;
    if (r->w >= 4 && gui_sector_span(app->ses.dev, sector, &start, &size) &&
        gui_session_page_of(&app->ses, start) >= 0) {
        SDL_Rect line = {r->x, r->y, r->w, 1};
        gui_fill(app->ren, &line, gui_text_colour);
    }
    if (v->sector_weak[sector]) {
        SDL_Rect c = {r->x + r->w - corner, r->y, corner, corner};
        gui_fill(app->ren, &c, gui_weak);
    }
    if (v->endurance && v->sector_erases[sector] >= v->endurance) {
        SDL_Rect c = {r->x, r->y, corner, corner};
        gui_fill(app->ren, &c, gui_warn);
    }
    selection(app, sector, r);
}

static void marks(gui_app *app, uint32_t page, const nbs_page_info *p, const SDL_Rect *r) {
    int corner = corner_size(r);
    if (p->newest && r->w >= 4) gui_outline(app->ren, r, (SDL_Color){255, 255, 255, 255});
    if (p->tail) {
        SDL_Rect c = {r->x, r->y, corner, corner};
        gui_fill(app->ren, &c, (SDL_Color){255, 255, 255, 255});
    }
    const gui_view *v = &app->view;
    if (v->endurance && v->erases[page] >= v->endurance) {
        SDL_Rect c = {r->x + r->w - corner, r->y, corner, corner};
        gui_fill(app->ren, &c, gui_warn);
    }
    selection(app, page, r);
}

void gui_draw_map(gui_app *app) {
    const gui_view *v = &app->view;
    uint32_t tiles = gui_view_tiles(v), shown = 0;
    tile_batch b = {malloc(2 * tiles * sizeof(SDL_Rect)), malloc(2 * tiles * sizeof(uint16_t)),
                    malloc(2 * tiles * sizeof(SDL_Rect)), 0};
    for (SDL_Rect r; b.rects && b.bucket && b.sorted && shown < tiles &&
                     gui_layout_tile(&app->lay, shown, tiles, &r);
         shown++) {
        if (v->raw)
            sector_tile(app, &b, shown, &r);
        else if (app->heatmap)
            heat_tile(app, &b, shown, &r);
        else
            state_tile(app, &b, &v->page[shown], &r);
    }
    if (b.count) flush(app, &b);
    free(b.rects), free(b.bucket), free(b.sorted);
    for (uint32_t tile = 0; tile < shown; tile++) {
        SDL_Rect r;
        gui_layout_tile(&app->lay, tile, tiles, &r);
        if (v->raw)
            sector_marks(app, tile, &r);
        else
            marks(app, tile, &v->page[tile], &r);
    }
}

/* The heat scale from `least` to `most` erases, after `label`; returns the x after it. */
static int heat_legend(gui_app *app, int x, int y, const char *label, uint32_t least,
                       uint32_t most) {
    const gui_layout *l = &app->lay;
    gui_text *t = &app->text;
    x = gui_text_printf(t, app->ren, x, y, gui_dim, "%s %u ", label, least);
    int w = l->legend.w / 5, sw = t->line - 4;
    for (int i = 0; i < w; i++) {
        SDL_Rect c = {x + i, y + 1, 1, sw};
        gui_fill(app->ren, &c, gui_heat_colour((double)i / (w - 1)));
    }
    return gui_text_printf(t, app->ren, x + w + t->advance, y, gui_dim, "%u", most);
}

/* Under the map: the state colours, or the heat scale from the least to the most erased, or in
 * the raw view the heat scale of the sectors and what the bright part and the marks mean. */
void gui_draw_legend(gui_app *app) {
    const gui_layout *l = &app->lay;
    gui_text *t = &app->text;
    int x = l->legend.x, y = l->legend.y + 3, sw = t->line - 4;
    if (app->view.raw) {
        x = heat_legend(app, x, y, "erases", app->view.sector_erase_min,
                        app->view.sector_erase_max);
        x = gui_text_draw(t, app->ren, x + t->advance, y, gui_dim, "bright: programmed", 0);
        SDL_Rect weak = {x + t->advance, y + 1, sw / 2, sw / 2};
        gui_fill(app->ren, &weak, gui_weak);
        x = gui_text_draw(t, app->ren, x + t->advance + sw, y, gui_dim, "weak", 0);
        SDL_Rect line = {x + t->advance, y + 1, sw, 1};
        gui_fill(app->ren, &line, gui_text_colour);
        gui_text_draw(t, app->ren, x + t->advance + sw + 3, y, gui_dim, "engine's", 0);
        return;
    }
    if (app->heatmap) {
        x = heat_legend(app, x, y, "erases", app->view.erase_min, app->view.erase_max);
        gui_text_printf(t, app->ren, x, y, gui_dim, " (hottest)   mean %.1f", app->view.erase_mean);
        return;
    }
    for (int s = 0; s < NBS_PAGE_STATES && x < l->legend.x + l->legend.w; s++) {
        SDL_Rect c = {x, y + 1, sw, sw};
        gui_fill(app->ren, &c, gui_page_colour((nbs_page_state)s, true));
        x = gui_text_draw(t, app->ren, x + sw + 3, y, gui_dim,
                          nbs_page_state_name((nbs_page_state)s), 0) +
            t->advance / 2;
    }
    SDL_Rect tail = {x, y + 1, sw / 2, sw / 2};
    gui_fill(app->ren, &tail, (SDL_Color){255, 255, 255, 255});
    gui_text_draw(t, app->ren, x + sw, y, gui_dim, "tail", 0);
}
