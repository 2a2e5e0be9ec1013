/* The selected page: its state from the inspection, its items as the engine reports them
 * (offset, kind, state, key, value length, bytes, CRC, seal) and its stored bytes in hex (in the
 * raw view: the selected sector, where it is, what is programmed and weak, and its bytes),
 * erased bytes dim, fully programmed bytes bright, partly programmed ones plain, bytes with
 * weak bits magenta; the hex cursor and the picked item's bytes highlighted. */
#include "gui_app.h"

#include <stdio.h>

void gui_key_text(const uint8_t *key, size_t len, size_t shown, char *out, size_t n) {
    size_t count = len < shown ? len : shown, at = 0;
    bool printable = true;
    for (size_t i = 0; i < count; i++) printable &= key[i] >= 0x20 && key[i] < 0x7F;
    snprintf(out, n, "%s", len ? "" : "-");
    for (size_t i = 0; i < count && at + 3 < n; i++)
        at += (size_t)snprintf(out + at, n - at, printable ? "%c" : "%02x", key[i]);
    if (count < len && at < n) snprintf(out + at, n - at, "..");
}

static void item_list(gui_app *app) {
    const gui_layout *l = &app->lay;
    const gui_view *v = &app->view;
    gui_text *t = &app->text;
    int x = l->list.x, y = l->list.y, max = l->list.w / t->advance;
    gui_text_draw(t, app->ren, x, y, gui_dim,
                  "off  kind     state      key        value bytes crc seal", max);
    y += t->line;
    if (app->list_top >= v->item_count) app->list_top = 0;
    for (size_t i = app->list_top; i < v->item_count && (int)(i - app->list_top) < l->list_rows;
         i++, y += t->line) {
        const gui_item *it = &v->items[i];
        char key[GUI_KEY_SHOWN * 2 + 3], row[160];
        gui_key_text(it->key, it->info.key_len, GUI_KEY_SHOWN, key, sizeof key);
        /* A STORE-SAME (its key elided, shown resolved) reads "store=". */
        snprintf(row, sizeof row, "%04x %-7s%c %-10s %-10.10s %5u %5u %-3s %s", it->info.offset,
                 nbs_item_kind_name(it->info.kind), it->info.elided ? '=' : ' ',
                 nbs_item_state_name(it->info.state), key, it->info.value_len, it->info.length,
                 it->info.kind == NBS_ITEM_FILLER ? ""
                 : it->info.crc_ok                ? "ok"
                                                  : "BAD",
                 it->info.sealed ? "S" : "-");
        if ((int32_t)i == app->picked_item) {
            SDL_Rect hi = {x - 2, y, l->list.w, t->line};
            gui_fill(app->ren, &hi, (SDL_Color){60, 64, 76, 255});
        }
        gui_text_draw(t, app->ren, x, y, gui_item_colour(it->info.state), row, max);
    }
    if (!v->item_count) gui_text_draw(t, app->ren, x, y, gui_dim, "(no items)", max);
}

static SDL_Color byte_colour(const gui_app *app, uint8_t b, uint8_t weak) {
    const unsigned erased = nor_get_config(app->ses.dev)->erase_value, programmed = erased ^ 0xFFu;
    if (weak) return gui_weak;
    if (b == erased) return (SDL_Color){84, 90, 100, 255};
    if (b == programmed) return (SDL_Color){255, 255, 255, 255};
    return (SDL_Color){170, 200, 235, 255};
}

static void hex_view(gui_app *app) {
    const gui_layout *l = &app->lay;
    const gui_view *v = &app->view;
    gui_text *t = &app->text;
    uint32_t size = v->bytes_len, per = (uint32_t)l->hex_per_row;
    uint32_t rows = (size + per - 1) / per, top = app->hex_top;
    if (top + (uint32_t)l->hex_rows > rows)
        top = rows > (uint32_t)l->hex_rows ? rows - l->hex_rows : 0;
    app->hex_top = top;
    int x = l->hex.x, y = l->hex.y;
    gui_text_printf(t, app->ren, x, y, gui_dim,
                    "bytes %u.. of %u: dim erased, white %02x, pink weak", top * per, size,
                    nor_get_config(app->ses.dev)->erase_value ^ 0xFFu);
    y += t->line;
    const gui_item *picked =
        !v->raw && app->picked_item >= 0 && (size_t)app->picked_item < v->item_count
            ? &v->items[app->picked_item]
            : NULL;
    for (uint32_t row = top; row < rows && (int)(row - top) < l->hex_rows; row++, y += t->line) {
        int cx = gui_text_printf(t, app->ren, x, y, gui_dim, "%04x ", row * per);
        for (uint32_t i = 0; i < per && row * per + i < size; i++, cx += 3 * t->advance) {
            uint32_t at = row * per + i;
            bool in_item =
                picked && at >= picked->info.offset &&
                at < picked->info.offset + (picked->info.length ? picked->info.length : 1);
            if ((int32_t)at == app->hex_cursor || in_item) {
                SDL_Rect hi = {cx - 1, y, 2 * t->advance + 2, t->line};
                gui_fill(app->ren, &hi,
                         (int32_t)at == app->hex_cursor ? (SDL_Color){120, 100, 20, 255}
                                                        : (SDL_Color){60, 64, 76, 255});
            }
            char hex[3];
            snprintf(hex, sizeof hex, "%02x", v->bytes[at]);
            gui_text_draw(t, app->ren, cx, y, byte_colour(app, v->bytes[at], v->weak[at]), hex, 0);
        }
    }
}

/* The raw view's selected sector: where it is, its erases, programmed bytes and weak bits, and
 * which engine page holds it; then its bytes. */
static void sector_panel(gui_app *app, int x, int y, int max) {
    const gui_view *v = &app->view;
    gui_text *t = &app->text;
    uint32_t sector = (uint32_t)app->selected, weak = 0;
    for (uint32_t i = 0; i < v->bytes_len; i++) weak += v->weak[i] != 0;
    int32_t page = gui_session_page_of(&app->ses, v->bytes_addr);
    gui_text_printf(t, app->ren, x, y, gui_text_colour, "sector %u at 0x%08x, %u bytes, erases %u",
                    sector, v->bytes_addr, v->bytes_len, v->sector_erases[sector]);
    y += t->line;
    gui_text_printf(t, app->ren, x, y, gui_text_colour, "programmed %u bytes (%.1f%%)%s",
                    v->sector_programmed[sector],
                    100.0 * v->sector_programmed[sector] / (v->bytes_len ? v->bytes_len : 1),
                    v->sector_weak[sector] ? "" : ", no weak bits");
    if (weak)
        gui_text_printf(t, app->ren, x, y + t->line, gui_weak, "%u bytes with weak bits", weak);
    y += 2 * t->line;
    if (page >= 0)
        gui_text_printf(t, app->ren, x, y, gui_dim, "in the engine's page %d", page);
    else
        gui_text_draw(t, app->ren, x, y, gui_dim, "outside the engine's range", max);
    hex_view(app);
}

void gui_panel_page(gui_app *app) {
    const gui_layout *l = &app->lay;
    const gui_view *v = &app->view;
    gui_text *t = &app->text;
    gui_fill(app->ren, &l->page, gui_panel);
    int x = l->page.x + 6, y = l->page.y + 4, max = (l->page.w - 12) / t->advance;
    if (app->selected < 0 || v->bytes_of != app->selected) {
        gui_text_draw(t, app->ren, x, y, gui_dim,
                      v->raw ? "select a sector: click its tile, or tab / up / down"
                             : "select a page: click its tile, or tab / up / down",
                      max);
        return;
    }
    if (v->raw) {
        sector_panel(app, x, y, max);
        return;
    }
    const nbs_page_info *p = &v->page[app->selected];
    char head[200];
    snprintf(head, sizeof head, "page %d  %s%s%s  seq %u gen %u  used %u/%u  erases %u",
             app->selected, nbs_page_state_name(p->state), p->tail ? " tail" : "",
             p->newest ? " newest" : "", p->seq, p->generation, p->used, app->ses.range.page_size,
             v->erases[app->selected]);
    gui_text_draw(t, app->ren, x, y, gui_page_colour(p->state, true), head, max);
    item_list(app);
    hex_view(app);
}
