/* Where everything goes for a window size: the page map (left), the stats and page panels
 * (right), the timeline and the status line (bottom). The map's tiles are as large as fit
 * every page, recomputed at every resize. */
#include "gui_app.h"

enum { MARGIN = 8 };

static int clamp(int v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* The largest square tile such that `pages` tiles fit in w x h. */
static void grid(gui_layout *l, int w, int h, uint32_t pages) {
    int tile = 1;
    if (pages && w > 0 && h > 0) {
        tile = 1;
        for (int t = w < h ? w : h; t >= 1; t--) {
            int cols = w / t, rows = h / t;
            if (cols > 0 && (uint64_t)cols * rows >= pages) {
                tile = t;
                break;
            }
        }
    }
    l->tile = tile;
    l->gap = tile >= 12 ? 2 : tile >= 5 ? 1 : 0;
    l->cols = w / tile > 0 ? w / tile : 1;
    l->rows = pages ? (int)((pages + l->cols - 1) / l->cols) : 0;
}

void gui_layout_compute(gui_layout *l, int w, int h, const gui_text *t, uint32_t pages) {
    const int line = t->line, ch = t->advance;
    l->w = w, l->h = h;
    l->status = (SDL_Rect){0, h - line - 6, w, line + 6};
    l->timeline = (SDL_Rect){MARGIN, l->status.y - 2 * line - 20, w - 2 * MARGIN, 2 * line + 14};
    /* The right panel: room for a hex row of 16 bytes when the window allows, else 8. */
    int right = clamp(w * 2 / 5, ch * 60, ch * 66);
    if (right > w - 200) right = w - 200 > ch * 20 ? w - 200 : ch * 20;
    int top = MARGIN, bottom = l->timeline.y - MARGIN;
    int rx = w - right - MARGIN;
    l->stats = (SDL_Rect){rx, top, right, 10 * line + 64};
    l->page = (SDL_Rect){rx, l->stats.y + l->stats.h + MARGIN, right,
                         bottom - (l->stats.y + l->stats.h + MARGIN)};
    l->hex_per_row = right >= ch * 57 ? 16 : 8;
    int list_h = (l->page.h - 2 * line) * 2 / 5;
    l->list = (SDL_Rect){rx + 4, l->page.y + line + 6, right - 8, list_h};
    l->list_rows = list_h / line - 1 > 0 ? list_h / line - 1 : 0;
    l->hex = (SDL_Rect){rx + 4, l->list.y + list_h + 4, right - 8,
                        l->page.y + l->page.h - (l->list.y + list_h + 4) - 4};
    l->hex_rows = l->hex.h / line - 1 > 0 ? l->hex.h / line - 1 : 0;
    l->legend = (SDL_Rect){MARGIN, bottom - line - 6, rx - 2 * MARGIN, line + 6};
    l->map = (SDL_Rect){MARGIN, top, rx - 2 * MARGIN, l->legend.y - top - 4};
    grid(l, l->map.w, l->map.h, pages);
}

bool gui_layout_tile(const gui_layout *l, uint32_t page, uint32_t pages, SDL_Rect *r) {
    if (page >= pages || l->cols <= 0) return false;
    int col = (int)(page % (uint32_t)l->cols), row = (int)(page / (uint32_t)l->cols);
    *r = (SDL_Rect){l->map.x + col * l->tile, l->map.y + row * l->tile, l->tile - l->gap,
                    l->tile - l->gap};
    return r->y + r->h <= l->map.y + l->map.h;
}

int32_t gui_layout_page_at(const gui_layout *l, int x, int y, uint32_t pages) {
    if (x < l->map.x || y < l->map.y || l->tile <= 0) return -1;
    int col = (x - l->map.x) / l->tile, row = (y - l->map.y) / l->tile;
    if (col >= l->cols) return -1;
    uint64_t page = (uint64_t)row * l->cols + col;
    return page < pages ? (int32_t)page : -1;
}
