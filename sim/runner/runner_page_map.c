/* The final page map of a run (run_result.h's page_states): each page of the engine's range in
 * the state the engine's own inspection reports, taken at the end of the run for the HTML
 * report; and, before the first mount, whether a flash.image held a store there at all (the
 * result's note). Engines without an inspection (plugins) leave the result without either. */
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct page_map_fill {
    uint8_t *states;
    uint32_t count;
} page_map_fill;

static int note_page(void *ctx, const nbs_page_info *page) {
    page_map_fill *fill = ctx;
    if (page->index < fill->count) fill->states[page->index] = (uint8_t)page->state;
    return 0;
}

void run_fill_page_map(run_state *st) {
    const adapter *engine = &st->engine;
    uint32_t page_size = st->sc->engine.page_size;
    if (!engine->ctx || !engine->inspect || !page_size) return;
    page_map_fill fill = {.count = st->sc->engine.size / page_size};
    if (!fill.count || !(fill.states = malloc(fill.count))) return;
    /* A page the inspection does not report stays corrupt rather than passing as erased. */
    for (uint32_t i = 0; i < fill.count; i++) fill.states[i] = NBS_PAGE_CORRUPT;
    nbs_inspect_visitor visitor = {&fill, note_page, NULL};
    nbs_inspect_summary summary;
    if (engine->inspect(engine->ctx, 0, fill.count, &visitor, &summary) != 0) {
        free(fill.states);
        return;
    }
    st->result->page_count = fill.count;
    st->result->page_states = fill.states;
}

/* Pages of the engine's store, and pages programmed with something else: bytes no page of its
 * holds, or a KILL unit that reads programmed over them (random bytes look so: the mount then
 * finishes their erase). */
typedef struct store_census {
    uint32_t ours, foreign;
} store_census;

static int count_page(void *ctx, const nbs_page_info *page) {
    store_census *census = ctx;
    if (page->state == NBS_PAGE_CORRUPT || page->state == NBS_PAGE_KILLED)
        census->foreign++;
    else if (page->state != NBS_PAGE_ERASED)
        census->ours++;
    return 0;
}

void run_note_image_without_store(run_state *st) {
    const adapter *engine = &st->engine;
    uint32_t page_size = st->sc->engine.page_size;
    if (!st->sc->image || !engine->ctx || !engine->inspect || !page_size) return;
    uint32_t pages = st->sc->engine.size / page_size;
    store_census census = {0};
    nbs_inspect_visitor visitor = {&census, count_page, NULL};
    nbs_inspect_summary summary;
    if (engine->inspect(engine->ctx, 0, pages, &visitor, &summary) != 0 || census.ours ||
        summary.live_pages || !census.foreign)
        return;
    snprintf(st->result->note, sizeof st->result->note,
             "flash.image held no store (%u of the engine's %u pages programmed, none of them "
             "its own): the engine formatted it",
             census.foreign, pages);
}
