/* The final page map of a run (run_result.h's page_states): each page of the engine's range in
 * the state the engine's own inspection reports, taken at the end of the run for the HTML
 * report. Engines without an inspection (plugins) leave the result without one. */
#include "runner_internal.h"

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
