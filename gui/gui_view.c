/* What the window shows of the state under the cursor: every page's state from the engine's
 * inspection (adapter.inspect), the erase counts per page and their histogram, the model's
 * statistics, and for the selected page its items, stored bytes and weak bits. Refreshed only
 * when the state changes, not every frame. */
#include "gui_app.h"

#include <stdlib.h>
#include <string.h>

int gui_view_init(gui_view *v, const gui_session *s) {
    memset(v, 0, sizeof *v);
    v->pages = s->pages;
    v->items_page = -1;
    v->page = calloc(s->pages ? s->pages : 1, sizeof *v->page);
    v->erases = calloc(s->pages ? s->pages : 1, sizeof *v->erases);
    v->bytes = malloc(s->range.page_size ? s->range.page_size : 1);
    v->weak = malloc(s->range.page_size ? s->range.page_size : 1);
    return v->page && v->erases && v->bytes && v->weak ? 0 : -1;
}

void gui_view_free(gui_view *v) {
    free(v->page);
    free(v->erases);
    free(v->bytes);
    free(v->weak);
    free(v->items);
    memset(v, 0, sizeof *v);
}

static int on_page(void *ctx, const nbs_page_info *page) {
    gui_view *v = ctx;
    if (page->index < v->pages) v->page[page->index] = *page;
    return 0;
}

static int on_item(void *ctx, const nbs_item_info *item) {
    gui_view *v = ctx;
    if (v->item_count == v->item_capacity) {
        size_t cap = v->item_capacity ? v->item_capacity * 2 : 64;
        gui_item *grown = realloc(v->items, cap * sizeof *grown);
        if (!grown) return 0; /* the list stops short; the rest of the view stays right */
        v->items = grown, v->item_capacity = cap;
    }
    gui_item *it = &v->items[v->item_count++];
    it->info = *item;
    size_t n = item->key_len < GUI_KEY_SHOWN ? item->key_len : GUI_KEY_SHOWN;
    if (item->key) memcpy(it->key, item->key, n);
    it->info.key = NULL; /* valid during the call only */
    return 0;
}

/* Erase counts per page (its most erased sector), their spread and histogram. */
static void wear(gui_view *v, const gui_session *s) {
    uint64_t total = 0;
    v->erase_min = UINT32_MAX, v->erase_max = 0;
    for (uint32_t p = 0; p < v->pages; p++) {
        uint32_t addr = s->range.start + p * s->range.page_size, most = 0;
        for (uint32_t a = addr; a < addr + s->range.page_size;) {
            uint32_t index, start, size;
            if (nor_sector_at(s->dev, a, &index, &start, &size)) break;
            uint32_t n = nor_erase_count(s->dev, index);
            if (n > most) most = n;
            a = start + size;
        }
        v->erases[p] = most;
        total += most;
        if (most < v->erase_min) v->erase_min = most;
        if (most > v->erase_max) v->erase_max = most;
    }
    if (!v->pages) v->erase_min = 0;
    v->erase_mean = v->pages ? (double)total / v->pages : 0;
    memset(v->hist, 0, sizeof v->hist);
    uint32_t span = v->erase_max - v->erase_min + 1;
    for (uint32_t p = 0; p < v->pages; p++)
        v->hist[(uint64_t)(v->erases[p] - v->erase_min) * GUI_HIST_BINS / span]++;
}

void gui_view_refresh(gui_view *v, gui_session *s, int32_t selected) {
    nor_get_stats(s->dev, &v->stats);
    v->endurance = nor_get_config(s->dev)->wear.endurance;
    v->powered = nor_is_powered(s->dev);
    wear(v, s);
    memset(v->page, 0, v->pages * sizeof *v->page);
    for (uint32_t p = 0; p < v->pages; p++) v->page[p].index = p;
    v->item_count = 0;
    v->items_page = -1;
    v->inspect_result = NBS_E_INVAL;
    if (!s->have_engine || !s->engine.inspect) return;
    nbs_inspect_visitor pages = {v, on_page, NULL};
    v->inspect_result = s->engine.inspect(s->engine.ctx, 0, v->pages, &pages, &v->summary);
    if (selected < 0 || (uint32_t)selected >= v->pages) return;
    nbs_inspect_visitor items = {v, on_page, on_item};
    nbs_inspect_summary ignored;
    s->engine.inspect(s->engine.ctx, (uint32_t)selected, 1, &items, &ignored);
    uint32_t addr = s->range.start + (uint32_t)selected * s->range.page_size;
    nor_peek(s->dev, addr, v->bytes, s->range.page_size);
    nor_peek_weak(s->dev, addr, v->weak, s->range.page_size);
    v->items_page = selected;
}
