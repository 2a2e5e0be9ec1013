/* The read-only check of a placed cut's recovery: before each read-write mount of the recovery,
 * the store is mounted read-only (as a bootloader would) and read whole; that mount and its
 * reads must leave the flash untouched, a write must be refused, and once the read-write mount
 * has settled the operation in flight, the read-only view must be the store it settled on
 * (engine/SPEC.md section 6.5). Only for adapters that can mount read-only. */
#include "runner_internal.h"

#include <stdlib.h>
#include <string.h>

static int collect(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                   size_t value_len, bool *pop_current) {
    (void)pop_current;
    ref_list_append(ctx, key, key_len, value, value_len);
    return 0;
}

/* Whether one read gives the value the iteration saw (NULL: absent). */
static bool read_agrees(run_state *st, const ref_item *item) {
    adapter *a = &st->engine;
    size_t len = 0;
    int rc = st->is_map ? a->fetch(a->ctx, item->key, item->key_len, st->read_buffer,
                                   st->read_buffer_size, &len)
                        : a->peek(a->ctx, st->read_buffer, st->read_buffer_size, &len);
    if (!item) return rc == NBS_E_EMPTY;
    return !rc && len == item->value_len && (!len || !memcmp(st->read_buffer, item->value, len));
}

/* The view by iteration, then the count and every key's fetch (map) or the oldest entry's peek
 * (queue): NULL when they all succeed and agree, else what went wrong. */
static const char *read_view(run_state *st, ref_list *view) {
    adapter *a = &st->engine;
    uint32_t count = 0;
    if (a->iterate(a->ctx, collect, view)) return "its iteration failed";
    if (a->count(a->ctx, &count) || count != view->count)
        return "its count disagrees with its iteration";
    for (size_t i = 0; st->is_map && i < view->count; i++)
        if (!read_agrees(st, &view->items[i])) return "a fetch disagrees with its iteration";
    if (!st->is_map && !read_agrees(st, view->count ? &view->items[0] : NULL))
        return "its peek disagrees with its iteration";
    return NULL;
}

/* One write, which must be refused. */
static int write_refused(run_state *st) {
    adapter *a = &st->engine;
    size_t len = 0;
    int rc = st->is_map ? a->remove_all(a->ctx)
                        : a->pop(a->ctx, st->read_buffer, st->read_buffer_size, &len);
    if (rc == NBS_E_READ_ONLY) return RUNNER_OK;
    return run_fail(st, "read-only mount: %s answered %s, not read_only",
                    st->is_map ? "remove_all" : "pop",
                    rc ? scenario_error_short_name(rc) : "success");
}

static int grow_read_buffer(run_state *st) {
    if (st->read_buffer_size >= st->engine.max_value_size) return RUNNER_OK;
    uint8_t *grown = realloc(st->read_buffer, st->engine.max_value_size);
    if (!grown) return run_fail_nomem(st);
    st->read_buffer = grown;
    st->read_buffer_size = st->engine.max_value_size;
    return RUNNER_OK;
}

/* Whether cells a cut tore may have read one way at one read and another at the next: the tear
 * watch saw it, or a second cut moved the watch away from the first cut's weak cells. */
static bool torn_cells_unsettled(run_state *st) {
    run_watch_sample(st);
    return st->plan.torn_read_changed || (st->plan.recovery_landed && st->plan.first_cut_weak);
}

int run_read_only_view(run_state *st, ref_list *view, bool *taken) {
    adapter *a = &st->engine;
    *taken = false;
    ref_list_clear(view);
    if (!a->mount_read_only) return RUNNER_OK;
    int rc = grow_read_buffer(st);
    const uint32_t start = st->sc->engine.start, size = st->sc->engine.size;
    uint8_t *before = malloc(size), *after = malloc(size);
    if (rc || !before || !after) {
        free(before);
        free(after);
        return rc ? rc : run_fail_nomem(st);
    }
    nor_peek(st->dev, start, before, size);
    run_check_mark mark;
    run_check_begin(st, &mark);
    nor_stats was, now;
    nor_get_stats(st->dev, &was);
    /* Its reads draw weak cells from the device's random stream: put back afterwards, so that
     * the recovery reads as it would without the check (and a cut a campaign needs a given
     * reading for still gets it). */
    nor_random_state draws;
    nor_get_random_state(st->dev, &draws);
    const char *wrong = NULL;
    if ((rc = a->mount_read_only(a->ctx)))
        rc = run_fail(st, "read-only mount: failed with error %s", scenario_error_short_name(rc));
    else if (!(wrong = read_view(st, view)))
        rc = write_refused(st);
    nor_get_stats(st->dev, &now);
    nor_set_random_state(st->dev, &draws);
    run_check_end(st, &mark);
    st->mounted = st->read_only = false; /* the recovery's read-write mount follows */
    nor_peek(st->dev, start, after, size);
    uint64_t writes = now.program_calls - was.program_calls + now.erase_calls - was.erase_calls;
    if (!rc && (writes || memcmp(before, after, size)))
        rc = run_fail(st, "read-only mount: the flash changed (%llu programs and erases)",
                      (unsigned long long)writes);
    free(before);
    free(after);
    /* Cells the cut left weak read anew at each read: a read-only store cannot settle them, so
     * its reads may disagree (SPEC 6.5); with every torn cell reading the same, they may not. */
    if (!rc && wrong && !torn_cells_unsettled(st))
        rc = run_fail(st, "read-only mount: %s (cells the cut tore read the same)", wrong);
    *taken = !rc && !wrong;
    return rc;
}

int run_read_only_compare(run_state *st, const ref_list *view) {
    bool same = st->is_map ? ref_map_matches(&st->map, view) : ref_queue_matches(&st->queue, view);
    /* The TDB store's read-only init leaves a reset a cut stopped part done (SPEC 9.2). */
    same = same || (st->engine.tdb && ref_tdb_part_reset_matches(&st->tdb, &st->map, view));
    /* The two mounts may have decided the operation in flight from different readings. */
    if (same || torn_cells_unsettled(st)) return RUNNER_OK;
    return run_fail_store(st,
                          "read-only mount, compared with the read-write mount's recovery (cells "
                          "the cut tore read the same)",
                          st->is_map ? &st->map.items : &st->queue.entries, view);
}
