/* Room in the map (SPEC-v3 sections 5.3 and 7): the one place that decides whether a write fits
 * the newest page, opens the next page, or first runs garbage-collection rounds (open the spare,
 * copy the tail page's live items into it, program its DONE, erase the tail); the largest value
 * a key can have; the space figures. */
#include "nbs_map.h"

#include "nbs_internal.h"

/* A fresh page's room for items: everything after the header and its DONE unit. */
static uint32_t fresh_room(const nbs_flash *f, uint32_t items_start) {
    return f->page_size > items_start ? f->page_size - items_start : 0;
}

/* Ends a GC round: DONE in its page (the tail is released), then the tail is erased. */
static int release_tail(nbs_log *log, uint16_t old_tail) {
    int rc =
        NBS_TEST_BREAK == NBS_TEST_BREAK_GC_RELEASE_FIRST ? 0 : nbs_mark_done(log, log->newest);
    if (rc) return rc;
    log->tail_seq = (uint16_t)(old_tail + 1);
    log->release_pending = false;
    return nbs_erase_page(log, nbs_page_of(log, old_tail));
}

int nbs_map_finish_round(nbs_log *log) {
    return log->release_pending ? release_tail(log, log->release_seq) : NBS_OK;
}

/* A round that copies nothing leaves its page empty: the write that needed the round becomes
 * the page's first item (which checks its header) and the round ends after it
 * (nbs_map_finish_round); a cut before then leaves a round the mount undoes. */
static int gc_round(nbs_log *log) {
    nbs_payload none = {0};
    int rc = NBS_OK;
    if (log->release_pending && (rc = nbs_append(log, ITEM_MARK, &none))) return rc;
    if ((rc = nbs_map_finish_round(log))) return rc;
    uint16_t old_tail = log->tail_seq;
    uint32_t tail_page = nbs_page_of(log, old_tail);
    rc = nbs_open_next(log, (uint16_t)(log->newest_seq + 1 - old_tail));
    if (!rc && NBS_TEST_BREAK == NBS_TEST_BREAK_GC_RELEASE_FIRST)
        rc = nbs_mark_done(log, log->newest);
    if (rc) return rc;
    nbs_cursor cur;
    nbs_item it;
    if ((rc = nbs_cursor_start(log, tail_page, &cur))) return rc;
    bool copied = false;
    while ((rc = nbs_item_next(log, &cur, &it, 0)) == NBS_OK) {
        int newest = nbs_map_is_newest(log, old_tail, &it);
        if (newest < 0) return newest;
        if (newest && (rc = nbs_copy_item(log, &cur, &it))) return rc;
        copied |= newest == 1;
    }
    if (rc != NBS_E_END && rc != NBS_WALK_TORN) return rc;
    if (copied) return release_tail(log, old_tail);
    log->release_pending = true;
    log->release_seq = old_tail;
    return NBS_OK;
}

int nbs_map_make_room(nbs_log *log, uint32_t klen, uint32_t dlen) {
    for (uint32_t round = 0; round <= log->pages; round++) {
        uint32_t cost = nbs_append_cost(log, klen, dlen);
        if (nbs_fits_newest(log, cost)) return NBS_OK;
        uint32_t live = nbs_live_pages(log);
        int rc;
        if (log->empty || live + 1 < log->pages) {
            uint16_t dist = log->empty ? 0 : (uint16_t)(log->newest_seq + 1 - log->tail_seq);
            rc = nbs_open_next(log, dist);
        } else {
            rc = gc_round(log);
        }
        if (rc) return rc;
    }
    return NBS_E_FULL;
}

uint32_t nbs_map_max_value(const nbs_flash *flash, size_t key_len) {
    if (nbs_check_geometry(flash) || key_len < 1 || key_len > NBS_KEY_MAX) return 0;
    nbs_log log = {.flash = *flash, .unit = flash->write_unit, .kind = NBS_KIND_MAP,
                   .pages = flash->size / flash->page_size};
    uint32_t room = fresh_room(flash, nbs_items_start(&log));
    uint32_t best = 0, lo = 0, hi = room;
    while (lo <= hi) { /* the largest value whose item fits a fresh page */
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t bytes = nbs_item_bytes(&log, (uint32_t)key_len, (uint32_t)key_len + mid, mid * 4 + 3);
        if (bytes <= room) {
            best = mid;
            lo = mid + 1;
        } else {
            if (!mid) break;
            hi = mid - 1;
        }
    }
    return best;
}

int nbs_map_space(nbs_map *map, nbs_space *space) {
    if (!map || !space) return NBS_E_INVAL;
    if (!map->log.mounted) return NBS_E_NOT_MOUNTED;
    nbs_log *log = &map->log;
    uint32_t count, live, dead;
    int rc = nbs_map_tally(log, &count, &live, &dead);
    if (rc) return rc;
    uint32_t page = log->flash.page_size, pages = nbs_live_pages(log);
    uint32_t newest = log->empty ? 0 : page - log->front;
    uint32_t held = pages * page - (log->empty ? 0 : newest);
    uint32_t free_pages = log->pages - pages;
    space->total = log->pages * page;
    space->live = live;
    space->reclaimable = held > live ? held - live : 0;
    space->free_now = newest + (free_pages > 1 ? free_pages - 1 : 0) *
                                   fresh_room(&log->flash, nbs_items_start(log));
    space->overhead = space->total - space->live - space->reclaimable - space->free_now;
    (void)count, (void)dead;
    return NBS_OK;
}

uint32_t nbs_item_overhead(const nbs_flash *flash) {
    if (nbs_check_geometry(flash)) return 0;
    nbs_log log = {.flash = *flash, .unit = flash->write_unit, .kind = NBS_KIND_MAP};
    return nbs_item_bytes(&log, 0, 0, 0);
}
