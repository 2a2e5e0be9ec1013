/* Making room in the map (SPEC section 5.3): a write that does not fit the newest page
 * (nbs_room.c says) opens the next page, or first runs garbage-collection rounds (open the spare,
 * copy the tail page's live items into it, program its DONE, erase the tail). */
#include "nbs_map.h"

#include "nbs_internal.h"

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
    if (log->release_pending && (rc = nbs_append(log, ITEM_MARK, &none, NULL))) return rc;
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
        int newest = nbs_map_is_live(log, old_tail, &it);
        if (newest < 0) return newest;
        nbs_item copy;
        if (newest && (rc = nbs_copy_item(log, &cur, &it, &copy))) return rc;
        if (newest) nbs_cache_key_moved(log, tail_page, it.off, &copy);
        copied |= newest == 1;
    }
    if (rc != NBS_E_END && rc != NBS_WALK_TORN) return rc;
    if (copied) return release_tail(log, old_tail);
    log->release_pending = true;
    log->release_seq = old_tail;
    return NBS_OK;
}

/* Bytes of the live items of page `seq`: what a GC round of it copies. */
static int live_bytes(nbs_log *log, uint16_t seq, uint32_t *bytes) {
    nbs_cursor cur;
    nbs_item it;
    int rc = nbs_cache_live_bytes(log, nbs_page_of(log, seq), bytes);
    if (rc == NBS_OK && !log->cache.check) return NBS_OK; /* the key table knows */
    uint32_t cached = *bytes;
    bool check = rc == NBS_OK;
    rc = nbs_cursor_start(log, nbs_page_of(log, seq), &cur);
    *bytes = 0;
    while (!rc && (rc = nbs_item_next(log, &cur, &it, 0)) == NBS_OK) {
        int newest = nbs_map_is_newest(log, seq, &it);
        if (newest < 0) return newest;
        if (newest) *bytes += it.end - it.off;
    }
    if (rc != NBS_E_END && rc != NBS_WALK_TORN) return rc;
    return check && cached != *bytes ? NBS_E_CACHE_MISMATCH : NBS_OK;
}

/* Whether GC rounds would make room for the item before anything is written: each round copies
 * one tail page's live items into a fresh page and the item then goes after them. NBS_OK when
 * one of the live pages, collected in turn, leaves room; NBS_E_FULL when none does (a refused
 * write costs no erase). */
static int gc_would_make_room(nbs_log *log, uint32_t klen, uint32_t dlen) {
    uint32_t room = nbs_fresh_room(log), cost = nbs_item_cost(log, klen, dlen);
    if (log->release_pending) return NBS_OK; /* a round in progress: let it end */
    for (uint32_t d = 0; d < nbs_live_pages(log); d++) {
        uint32_t bytes;
        int rc = live_bytes(log, (uint16_t)(log->tail_seq + d), &bytes);
        if (rc) return rc;
        if (bytes <= room && cost <= room - bytes) return NBS_OK;
    }
    return NBS_E_FULL;
}

int nbs_map_make_room(nbs_log *log, uint32_t klen, uint32_t dlen) {
    bool checked = false;
    for (uint32_t round = 0; round <= log->pages; round++) {
        uint32_t cost = nbs_append_cost(log, klen, dlen);
        if (nbs_fits_newest(log, cost)) return NBS_OK;
        uint32_t live = nbs_live_pages(log);
        int rc;
        if (log->empty || live + 1 < log->pages) {
            uint16_t dist = log->empty ? 0 : (uint16_t)(log->newest_seq + 1 - log->tail_seq);
            rc = nbs_open_next(log, dist);
        } else {
            if (!checked && (rc = gc_would_make_room(log, klen, dlen))) return rc;
            checked = true;
            rc = gc_round(log);
        }
        if (rc) return rc;
    }
    return NBS_E_FULL;
}

int nbs_map_space(nbs_map *map, nbs_space *space) {
    if (!map || !space) return NBS_E_INVAL;
    if (!map->log.mounted) return NBS_E_NOT_MOUNTED;
    uint32_t count, live;
    int rc = nbs_map_tally(&map->log, &count, &live);
    return rc ? rc : nbs_space_figures(&map->log, live, space);
}
