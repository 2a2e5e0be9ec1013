/* What the window shows of the state under the cursor: every page's state from the engine's
 * inspection (adapter.inspect), the erase counts per page and their histogram, the model's
 * statistics, and for the selected page its items, stored bytes and weak bits. The raw view adds
 * every sector of the device as the flash model holds it: erases, programmed bytes, weak bits.
 * Refreshed only when the state changes, not every frame. */
#include "gui_app.h"

#include <stdlib.h>
#include <string.h>

/* The largest of a page and the device's sectors: what the selected tile's bytes may need. */
static uint32_t largest_tile(const gui_session *s) {
    const nor_config *cfg = nor_get_config(s->dev);
    uint32_t most = s->range.page_size ? s->range.page_size : 1;
    for (uint32_t r = 0; r < cfg->region_count; r++)
        if (cfg->regions[r].size > most) most = cfg->regions[r].size;
    return most;
}

int gui_view_init(gui_view *v, const gui_session *s) {
    memset(v, 0, sizeof *v);
    v->pages = s->pages;
    v->items_page = v->bytes_of = -1;
    v->sectors = nor_sector_count(s->dev);
    v->page = calloc(s->pages ? s->pages : 1, sizeof *v->page);
    v->erases = calloc(s->pages ? s->pages : 1, sizeof *v->erases);
    v->bytes = malloc(largest_tile(s));
    v->weak = malloc(largest_tile(s));
    v->sector_erases = calloc(v->sectors ? v->sectors : 1, sizeof *v->sector_erases);
    v->sector_programmed = calloc(v->sectors ? v->sectors : 1, sizeof *v->sector_programmed);
    v->sector_weak = calloc(v->sectors ? v->sectors : 1, sizeof *v->sector_weak);
    return v->page && v->erases && v->bytes && v->weak && v->sector_erases &&
                   v->sector_programmed && v->sector_weak
               ? 0
               : -1;
}

void gui_view_free(gui_view *v) {
    free(v->page);
    free(v->erases);
    free(v->bytes);
    free(v->weak);
    free(v->items);
    free(v->sector_erases);
    free(v->sector_programmed);
    free(v->sector_weak);
    memset(v, 0, sizeof *v);
}

uint32_t gui_view_tiles(const gui_view *v) {
    return v->raw ? v->sectors : v->pages;
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

/* Bytes of buf[0..len) that differ from the erased value, eight at a time where they can. */
static uint32_t programmed_bytes(const uint8_t *buf, uint32_t len, uint8_t erased) {
    uint64_t erased8;
    memset(&erased8, erased, sizeof erased8);
    uint32_t count = 0, i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t word;
        memcpy(&word, buf + i, sizeof word);
        if (word == erased8) continue;
        for (unsigned b = 0; b < 8; b++) count += buf[i + b] != erased;
    }
    for (; i < len; i++) count += buf[i] != erased;
    return count;
}

bool gui_sector_span(const nor *dev, uint32_t sector, uint32_t *start, uint32_t *size) {
    const nor_config *cfg = nor_get_config(dev);
    uint32_t addr = 0;
    for (uint32_t r = 0; r < cfg->region_count; r++) {
        const nor_region *region = &cfg->regions[r];
        if (sector < region->count) {
            *start = addr + sector * region->size, *size = region->size;
            return true;
        }
        sector -= region->count, addr += region->count * region->size;
    }
    return false;
}

/* Every sector of the device as the flash model holds it (the raw view): the bytes of those
 * the timeline says changed since the last time (all, the first time), every erase count. */
static void sectors(gui_view *v, gui_session *s) {
    const uint8_t erased = nor_get_config(s->dev)->erase_value;
    v->sector_erase_min = UINT32_MAX, v->sector_erase_max = 0;
    for (uint32_t i = 0, start, size; i < v->sectors && gui_sector_span(s->dev, i, &start, &size);
         i++) {
        if (gui_timeline_take_change(&s->tl, i) || !v->sectors_read) {
            /* The tile buffers hold a sector: the selected one's bytes are read again after. */
            nor_peek(s->dev, start, v->bytes, size);
            nor_peek_weak(s->dev, start, v->weak, size);
            v->sector_programmed[i] = programmed_bytes(v->bytes, size, erased);
            v->sector_weak[i] = programmed_bytes(v->weak, size, 0) != 0;
        }
        uint32_t n = v->sector_erases[i] = nor_erase_count(s->dev, i);
        if (n < v->sector_erase_min) v->sector_erase_min = n;
        if (n > v->sector_erase_max) v->sector_erase_max = n;
    }
    if (!v->sectors) v->sector_erase_min = 0;
    s->tl.all_changed = false;
    v->sectors_read = true;
}

/* The stored bits and weak bits of the selected tile: a page of the store, or a sector. */
static void tile_bytes(gui_view *v, const gui_session *s, int32_t selected) {
    v->bytes_of = -1;
    if (selected < 0 || (uint32_t)selected >= gui_view_tiles(v)) return;
    uint32_t addr = s->range.start + (uint32_t)selected * s->range.page_size,
             len = s->range.page_size;
    if (v->raw && !gui_sector_span(s->dev, (uint32_t)selected, &addr, &len)) return;
    nor_peek(s->dev, addr, v->bytes, len);
    nor_peek_weak(s->dev, addr, v->weak, len);
    v->bytes_of = selected, v->bytes_addr = addr, v->bytes_len = len;
}

void gui_view_refresh(gui_view *v, gui_session *s, int32_t selected) {
    nor_get_stats(s->dev, &v->stats);
    v->endurance = nor_get_config(s->dev)->wear.endurance;
    v->powered = nor_is_powered(s->dev);
    wear(v, s);
    if (v->raw) sectors(v, s);
    tile_bytes(v, s, selected);
    memset(v->page, 0, v->pages * sizeof *v->page);
    for (uint32_t p = 0; p < v->pages; p++) v->page[p].index = p;
    v->item_count = 0;
    v->items_page = -1;
    v->inspect_result = NBS_E_INVAL;
    if (!s->have_engine || !s->engine.inspect) return;
    nbs_inspect_visitor pages = {v, on_page, NULL};
    v->inspect_result = s->engine.inspect(s->engine.ctx, 0, v->pages, &pages, &v->summary);
    if (v->raw || selected < 0 || (uint32_t)selected >= v->pages) return;
    nbs_inspect_visitor items = {v, on_page, on_item};
    nbs_inspect_summary ignored;
    s->engine.inspect(s->engine.ctx, (uint32_t)selected, 1, &items, &ignored);
    v->items_page = selected;
}
