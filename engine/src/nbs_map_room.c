/* Making room in the map (SPEC section 5.3): a write that does not fit the newest page
 * (nbs_room.c says) opens the next page, or first runs garbage-collection rounds (open the spare,
 * copy the tail page's live items into it, program its DONE, erase the tail). */
#include "nbs.h"

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

/* The GC notes (the work buffer's last bytes): the check before the rounds (gc_would_make_room)
 * sets the bit of each live item of the tail it counts, and the round that copies that tail
 * reads them instead of asking flash about each item a second time. */
static bool noted(const uint8_t *notes, const nbs_item *it) {
    uint32_t bit = it->off / NBS_NOTE_SLOT;
    return it->type == ITEM_STORE && (notes[bit / 8] >> (bit % 8) & 1u);
}

/* Whether item `it` of the tail `seq` is live: the key cache answers when it can (checked in
 * check mode against the truth), else the truth: the notes when given, else flash. */
static int tail_item_live(nbs_log *log, uint16_t seq, const nbs_item *it, const uint8_t *notes) {
    int rc = nbs_cache_key_at(log, nbs_page_of(log, seq), it->off);
    if (rc != NBS_CACHE_ASK && !log->cache.check) return rc;
    int truth = notes ? noted(notes, it) : nbs_map_is_newest(log, seq, it);
    if (rc == NBS_CACHE_ASK || truth < 0) return truth;
    return truth == rc ? rc : NBS_E_CACHE_MISMATCH;
}

/* A round that copies nothing leaves its page empty: the write that needed the round becomes
 * the page's first item (which checks its header) and the round ends after it
 * (nbs_map_finish_round); a cut before then leaves a round the mount undoes. `notes`: the tail's
 * live items, when the check noted them (else NULL). */
static int gc_round(nbs_log *log, const uint8_t *notes) {
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
    nbs_cursor cur, in = {0};
    nbs_item it;
    if ((rc = nbs_cursor_start(log, tail_page, &cur))) return rc;
    bool copied = false;
    /* A TXN's live members are copied as the STOREs they stand for (each takes the bytes it took
     * inside the TXN, so a page's copies still fit a fresh page); the round's DONE commits them. */
    while ((rc = nbs_map_walk_next(log, &cur, &in, &it, 0)) == NBS_OK) {
#if NBS_TEST_BREAK == NBS_TEST_BREAK_TXN_GC_WHOLE /* the TXN copied whole, dead members too */
        if (it.in_txn) {
            nbs_cursor at = cur;
            nbs_item whole, copy;
            at.pos = it.in_txn - 1, in.txn = 0;
            if ((rc = nbs_item_next(log, &at, &whole, 0)) ||
                (rc = nbs_copy_item(log, &cur, &whole, false, &copy)))
                return rc;
            copied = true;
            continue;
        }
#endif
        int newest = tail_item_live(log, old_tail, &it, notes);
        if (newest < 0) return newest;
        nbs_item copy;
        /* A live STORE-SAME's chain is dead and not copied: it becomes a full STORE (3.6). */
        if (newest && (rc = nbs_copy_item(log, it.in_txn ? &in : &cur, &it, false, &copy)))
            return rc;
        if (newest) nbs_cache_key_moved(log, tail_page, it.off, &copy);
        copied |= newest == 1;
    }
    if (rc != NBS_E_END && rc != NBS_WALK_TORN) return rc;
    if (copied) return release_tail(log, old_tail);
    log->release_pending = true;
    log->release_seq = old_tail;
    return NBS_OK;
}

/* Bytes of the live items of page `seq`: what a GC round of it copies. A count that walks flash
 * sets each live item's bit in `notes` (when given, cleared by the caller) and then returns 1. */
static int live_bytes(nbs_log *log, uint16_t seq, uint32_t *bytes, uint8_t *notes) {
    nbs_cursor cur, in = {0};
    nbs_item it;
    int rc = nbs_cache_live_bytes(log, nbs_page_of(log, seq), bytes);
    if (rc == NBS_OK && !log->cache.check) return NBS_OK; /* the key table knows */
    uint32_t cached = *bytes;
    bool check = rc == NBS_OK;
    rc = nbs_cursor_start(log, nbs_page_of(log, seq), &cur);
    *bytes = 0;
    while (!rc && (rc = nbs_map_walk_next(log, &cur, &in, &it, 0)) == NBS_OK) {
        int newest = nbs_map_is_newest(log, seq, &it);
        if (newest < 0) return newest;
        uint32_t bit = it.off / NBS_NOTE_SLOT;
        if (newest && notes) notes[bit / 8] |= (uint8_t)(1u << (bit % 8));
        if (newest) *bytes += nbs_copy_cost(log, &it);
    }
    if (rc != NBS_E_END && rc != NBS_WALK_TORN) return rc;
    return check && cached != *bytes ? NBS_E_CACHE_MISMATCH : notes != NULL;
}

/* Whether GC rounds would make room for the item before anything is written: each round copies
 * one tail page's live items into a fresh page and the item then goes after them. NBS_OK when
 * one of the live pages, collected in turn, leaves room; NBS_E_FULL when none does (a refused
 * write costs no erase). *notes: the tail's live items, when the count noted them. */
static int gc_would_make_room(nbs_log *log, uint32_t klen, uint32_t dlen, const uint8_t **notes) {
    uint32_t room = nbs_fresh_room(log), cost = nbs_item_cost(log, klen, dlen), len;
    uint8_t *bits = nbs_work_notes(log, &len);
    if (log->release_pending) return NBS_OK; /* a round in progress: let it end */
    memset(bits, 0, len);
    for (uint32_t d = 0; d < nbs_live_pages(log); d++) {
        uint32_t bytes;
        int rc = live_bytes(log, (uint16_t)(log->tail_seq + d), &bytes, d ? NULL : bits);
        if (rc < 0) return rc;
        if (rc) *notes = bits;
        if (bytes <= room && cost <= room - bytes) return NBS_OK;
    }
    return NBS_E_FULL;
}

int nbs_map_make_room(nbs_log *log, uint32_t klen, uint32_t dlen) {
    bool checked = false;
    const uint8_t *notes = NULL;
    for (uint32_t round = 0; round <= log->pages; round++) {
        uint32_t cost = nbs_append_cost(log, klen, dlen);
        if (nbs_fits_newest(log, cost)) return NBS_OK;
        uint32_t live = nbs_live_pages(log);
        int rc;
        if (log->empty || live + 1 < log->pages) {
            uint16_t dist = log->empty ? 0 : (uint16_t)(log->newest_seq + 1 - log->tail_seq);
            rc = nbs_open_next(log, dist);
        } else {
            if (!checked && (rc = gc_would_make_room(log, klen, dlen, &notes))) return rc;
            checked = true;
            rc = gc_round(log, notes);
            notes = NULL; /* the next round's tail is another page */
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
