/* Pixels of the drawn frame (SDL's offscreen driver): after a known queue scenario the released
 * page's tile has the released colour (and the open and erased pages' tiles do not); in the
 * heatmap the hottest colour is on exactly the tiles of the most erased pages, as the flash
 * model counts erases per sector; the raw view has a tile per sector of the device, bright as
 * far as it is programmed, coloured by its erases, weak bits and the engine's sectors marked. */
#include "gui_app.h"
#include "gui_test_open.h"

#include <criterion/criterion.h>
#include <string.h>

static gui_app *open_demo(bool queue, uint64_t steps) {
    return gui_test_open(NULL, "tiny", queue, steps);
}

static bool same(SDL_Color a, SDL_Color b) {
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

/* A pixel inside the page's tile near its bottom, where a page with anything in it is filled
 * (clear of the tail and worn marks in the top corners). */
static SDL_Color tile_pixel(gui_app *app, uint32_t page) {
    SDL_Rect r;
    cr_assert(gui_layout_tile(&app->lay, page, app->view.pages, &r), "page %u has no tile", page);
    SDL_Color c;
    cr_assert_eq(gui_app_pixel(app, r.x + r.w / 2, r.y + r.h - 3, &c), 0);
    return c;
}

static int32_t page_in_state(const gui_app *app, nbs_page_state state) {
    for (uint32_t p = 0; p < app->view.pages; p++)
        if (app->view.page[p].state == state) return (int32_t)p;
    return -1;
}

/* Pushes 60-byte entries until the queue's newest page is `page`. */
static void push_until_newest(gui_app *app, uint32_t page) {
    adapter *q = &app->ses.engine;
    uint8_t entry[60];
    memset(entry, 0x5A, sizeof entry);
    for (int i = 0; i < 64; i++) {
        cr_assert_eq(q->push(q->ctx, entry, sizeof entry, 0), NBS_OK);
        app->dirty = true;
        gui_app_draw(app);
        if (app->view.summary.live_pages && app->view.summary.newest == page) return;
    }
    cr_assert_fail("page %u never became the newest", page);
}

Test(gui_pixels, a_released_page_has_the_released_colour) {
    gui_app *app = open_demo(true, 0);
    adapter *q = &app->ses.engine;
    push_until_newest(app, 1);
    uint32_t first = app->view.page[0].items;
    uint8_t buf[64];
    size_t len;
    for (uint32_t i = 0; i < first; i++)
        cr_assert_eq(q->pop(q->ctx, buf, sizeof buf, &len), NBS_OK);
    push_until_newest(app, 2);
    cr_assert_eq(app->view.page[0].state, NBS_PAGE_RELEASED, "page 0 is %s",
                 nbs_page_state_name(app->view.page[0].state));
    SDL_Color released = gui_page_colour(NBS_PAGE_RELEASED, true);
    cr_expect(same(tile_pixel(app, 0), released), "the released page is not drawn released");
    /* Broken variants the check catches: the open and the erased page are not released... */
    int32_t open = page_in_state(app, NBS_PAGE_OPEN), erased = page_in_state(app, NBS_PAGE_ERASED);
    cr_assert(open >= 0 && erased >= 0);
    cr_expect_not(same(tile_pixel(app, (uint32_t)open), released));
    cr_expect_not(same(tile_pixel(app, (uint32_t)erased), released));
    /* ...and the same tile in the heatmap is drawn by its erase count instead. */
    app->heatmap = true;
    gui_app_draw(app);
    cr_expect_not(same(tile_pixel(app, 0), released));
    gui_app_close(app);
}

Test(gui_pixels, the_hottest_tile_is_the_most_erased_sector) {
    gui_app *app = open_demo(false, 400); /* enough stores for garbage collection to erase */
    app->heatmap = true;
    gui_app_draw(app);
    const gui_session *s = &app->ses;
    /* Erase counts straight from the flash model, sector by sector. */
    uint32_t most = 0, least = UINT32_MAX, counts[64];
    cr_assert_leq(s->pages, 64);
    for (uint32_t p = 0; p < s->pages; p++) {
        uint32_t index, start, size;
        cr_assert_eq(
            nor_sector_at(s->dev, s->range.start + p * s->range.page_size, &index, &start, &size),
            NOR_OK);
        counts[p] = nor_erase_count(s->dev, index);
        if (counts[p] > most) most = counts[p];
        if (counts[p] < least) least = counts[p];
    }
    cr_assert_gt(most, least, "every page erased alike: nothing to tell apart");
    SDL_Color hot = gui_heat_colour(1.0);
    for (uint32_t p = 0; p < s->pages; p++) {
        bool drawn_hot = same(tile_pixel(app, p), hot);
        /* The broken variant: a less erased page drawn hot fails here too. */
        cr_expect_eq(drawn_hot, counts[p] == most, "page %u (%u erases of %u most): %s", p,
                     counts[p], most, drawn_hot ? "drawn hottest" : "not drawn hottest");
    }
    gui_app_close(app);
}

/* The raw view (v) draws every sector of the device from the flash model, also those outside
 * the engine's range and of other sizes: stm32f4-1m's store is its four 16 KiB sectors, and its
 * 64 KiB and 128 KiB sectors get tiles of their own. */
Test(gui_pixels, the_raw_view_draws_every_sector_from_the_flash_model) {
    gui_app *app = gui_test_open(NULL, "stm32f4-1m", false, 20);
    nor *dev = app->ses.dev;
    cr_assert_eq(gui_view_tiles(&app->view), 4, "the engine's pages");
    /* Sector 4 (64 KiB): its first half programmed. Sector 5: erased three times, the most. */
    static uint8_t zeros[32768];
    cr_assert_eq(nor_program(dev, 0x10000, zeros, sizeof zeros), NOR_OK);
    for (int i = 0; i < 3; i++) cr_assert_eq(nor_erase(dev, 0x20000), NOR_OK);
    /* Sector 6: a program torn with metastable bits leaves weak bits (the power goes off). */
    nor_set_torn_modes(dev, NOR_TORN_PROG_METASTABLE, NOR_TORN_ERASE_WEAK);
    nor_arm_cut_after_ops(dev, 0);
    nor_program(dev, 0x40000, zeros, 256);
    cr_assert_not(nor_is_powered(dev));
    gui_app_show_sectors(app, true);
    app->dirty = true;
    gui_app_draw(app);
    const gui_view *v = &app->view;
    cr_assert_eq(gui_view_tiles(v), 12, "one tile per sector");
    cr_expect_eq(v->sector_programmed[4], sizeof zeros);
    cr_assert(v->sector_weak[6], "the torn program left no weak bit");
    cr_assert_gt(v->sector_erases[5], v->sector_erases[4]);
    SDL_Rect r4, r5, r6, r0;
    cr_assert(gui_layout_tile(&app->lay, 4, 12, &r4) && gui_layout_tile(&app->lay, 5, 12, &r5) &&
              gui_layout_tile(&app->lay, 6, 12, &r6) && gui_layout_tile(&app->lay, 0, 12, &r0));
    SDL_Color c;
    /* Sector 4: bright (its erase count's colour) below the middle, dim above it. */
    SDL_Color heat4 = gui_heat_colour((double)(v->sector_erases[4] - v->sector_erase_min) /
                                      (v->sector_erase_max - v->sector_erase_min));
    cr_assert_eq(gui_app_pixel(app, r4.x + r4.w / 2, r4.y + r4.h * 3 / 4, &c), 0);
    cr_expect(same(c, heat4), "the programmed half of sector 4 is not drawn bright");
    cr_assert_eq(gui_app_pixel(app, r4.x + r4.w / 2, r4.y + r4.h / 4, &c), 0);
    cr_expect(same(c, gui_faded(heat4)), "the erased half of sector 4 is not drawn dim");
    /* Sector 5: the hottest colour, dim all over (nothing programmed). */
    cr_assert_eq(gui_app_pixel(app, r5.x + r5.w / 2, r5.y + r5.h - 3, &c), 0);
    cr_expect(same(c, gui_faded(gui_heat_colour(1.0))), "sector 5 is not the hottest, erased");
    /* The weak corner on sector 6 and not on sector 4; the engine's top line on sector 0 only. */
    cr_assert_eq(gui_app_pixel(app, r6.x + r6.w - 2, r6.y + 1, &c), 0);
    cr_expect(same(c, gui_weak), "sector 6's weak bits are not marked");
    cr_assert_eq(gui_app_pixel(app, r4.x + r4.w - 2, r4.y + 1, &c), 0);
    cr_expect_not(same(c, gui_weak), "sector 4 is marked weak");
    cr_assert_eq(gui_app_pixel(app, r0.x + r0.w / 2, r0.y, &c), 0);
    cr_expect(same(c, gui_text_colour), "sector 0 is not marked as the engine's");
    cr_assert_eq(gui_app_pixel(app, r4.x + r4.w / 2, r4.y, &c), 0);
    cr_expect_not(same(c, gui_text_colour), "sector 4 is marked as the engine's");
    /* Later changes reach the view: a program of sector 7 (the device's event), and a seek back to
     * the start (a snapshot restored: sector 4 erased again). */
    nor_power_on(dev); /* weak bits settle anywhere: every sector is read again */
    app->dirty = true;
    gui_app_draw(app);
    cr_assert_eq(nor_program(dev, 0x60000, zeros, 100), NOR_OK);
    app->dirty = true;
    gui_app_draw(app);
    cr_expect_eq(v->sector_programmed[7], 100, "the program of sector 7 is not shown");
    gui_app_seek(app, 0);
    gui_app_draw(app);
    cr_expect_eq(v->sector_programmed[4], 0, "sector 4 is still shown programmed at the start");
    cr_expect_not(v->sector_weak[6], "sector 6 is still shown weak at the start");
    /* Broken variant: the engine's page view has no tile for sector 4 at all. */
    gui_app_show_sectors(app, false);
    app->dirty = true;
    gui_app_draw(app);
    cr_expect_not(gui_layout_tile(&app->lay, 4, gui_view_tiles(&app->view), &r4));
    gui_app_close(app);
}
