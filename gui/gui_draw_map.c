/* The page map: one tile per engine page, coloured by the state the engine's inspection
 * reports, bright up to its fill level and dim above it; the newest page outlined white, the
 * tail marked by a white corner, a worn page (erases past the rated endurance) by a red one,
 * the selection outlined yellow. In heatmap mode a tile's colour is its erase count. */
#include "gui_app.h"

#include <stdlib.h>
#include <string.h>

/* Tiles are drawn in batches, one SDL_RenderFillRects per colour: the page states, bright and
 * dim (2 x NBS_PAGE_STATES buckets), or 256 levels of the heat scale (the hottest only at the
 * top of it, so that it marks the most erased pages alone). */
enum { HEAT_LEVELS = 256, BUCKETS = HEAT_LEVELS };

typedef struct tile_batch {
    SDL_Rect *rects;  /* two per page at most */
    uint16_t *bucket; /* of each rect */
    SDL_Rect *sorted; /* the rects grouped by bucket */
    uint32_t count;
} tile_batch;

static void add_rect(tile_batch *b, const SDL_Rect *r, unsigned bucket) {
    b->rects[b->count] = *r;
    b->bucket[b->count++] = (uint16_t)bucket;
}

static SDL_Color bucket_colour(const gui_app *app, unsigned bucket) {
    if (app->heatmap) return gui_heat_colour((double)bucket / (HEAT_LEVELS - 1));
    return gui_page_colour((nbs_page_state)(bucket / 2), bucket & 1u);
}

static void state_tile(gui_app *app, tile_batch *b, const nbs_page_info *p, const SDL_Rect *r) {
    uint32_t page_size = app->ses.range.page_size;
    add_rect(b, r, (unsigned)p->state * 2);
    if (p->state == NBS_PAGE_ERASED || !page_size) return;
    int h = (int)((uint64_t)r->h * (p->used < page_size ? p->used : page_size) / page_size);
    if (h < 1) h = 1;
    SDL_Rect filled = {r->x, r->y + r->h - h, r->w, h};
    add_rect(b, &filled, (unsigned)p->state * 2 + 1);
}

static void heat_tile(gui_app *app, tile_batch *b, uint32_t page, const SDL_Rect *r) {
    const gui_view *v = &app->view;
    uint32_t span = v->erase_max - v->erase_min;
    unsigned level =
        span ? (unsigned)((uint64_t)(v->erases[page] - v->erase_min) * (HEAT_LEVELS - 1) / span)
             : 0;
    add_rect(b, r, level);
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

static void marks(gui_app *app, uint32_t page, const nbs_page_info *p, const SDL_Rect *r) {
    int corner = r->w / 5 > 10 ? 10 : r->w / 5 > 2 ? r->w / 5 : 2;
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
    if ((int32_t)page == app->selected) {
        SDL_Rect s = {r->x - 1, r->y - 1, r->w + 2, r->h + 2};
        gui_outline(app->ren, &s, gui_accent);
        SDL_Rect s2 = {r->x - 2, r->y - 2, r->w + 4, r->h + 4};
        gui_outline(app->ren, &s2, gui_accent);
    }
}

void gui_draw_map(gui_app *app) {
    const gui_view *v = &app->view;
    tile_batch b = {malloc(2 * v->pages * sizeof(SDL_Rect)),
                    malloc(2 * v->pages * sizeof(uint16_t)),
                    malloc(2 * v->pages * sizeof(SDL_Rect)), 0};
    uint32_t shown = 0;
    for (SDL_Rect r; b.rects && b.bucket && b.sorted && shown < v->pages &&
                     gui_layout_tile(&app->lay, shown, v->pages, &r);
         shown++) {
        if (app->heatmap)
            heat_tile(app, &b, shown, &r);
        else
            state_tile(app, &b, &v->page[shown], &r);
    }
    if (b.count) flush(app, &b);
    free(b.rects), free(b.bucket), free(b.sorted);
    for (uint32_t page = 0; page < shown; page++) {
        SDL_Rect r;
        gui_layout_tile(&app->lay, page, v->pages, &r);
        marks(app, page, &v->page[page], &r);
    }
}

/* Under the map: the state colours, or the heat scale from the least to the most erased. */
void gui_draw_legend(gui_app *app) {
    const gui_layout *l = &app->lay;
    gui_text *t = &app->text;
    int x = l->legend.x, y = l->legend.y + 3, sw = t->line - 4;
    if (app->heatmap) {
        x = gui_text_printf(t, app->ren, x, y, gui_dim, "erases %u ", app->view.erase_min);
        int w = l->legend.w / 3;
        for (int i = 0; i < w; i++) {
            SDL_Rect c = {x + i, y + 1, 1, sw};
            gui_fill(app->ren, &c, gui_heat_colour((double)i / (w - 1)));
        }
        gui_text_printf(t, app->ren, x + w + t->advance, y, gui_dim, "%u (hottest)   mean %.1f",
                        app->view.erase_max, app->view.erase_mean);
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
