/* Map garbage collection and the room-making loop for map writes. The ring keeps one free page
 * after the newest; when opening a page uses it up, the tail page's live items (each the newest
 * intact version of its key) are copied to the new page and a TAIL record frees the tail page.
 * Copies equal their originals, so a cut anywhere in the middle leaves the same map, and the
 * next write resumes the round (items already copied are no longer newest in the tail).
 * Before erasing anything, a write first plays the rounds in RAM: a write that cannot fit
 * returns NBS_E_FULL without wearing the flash. */
#include "nbs_internal.h"

static int copy_tail_items(nbs_log *log, uint32_t tail) {
    nbs_walk w;
    nbs_rec r;
    int rc = nbs_walk_start(log, tail, &w);
    while (!rc && (rc = nbs_walk_prev(log, &w, &r)) == NBS_OK) {
        if (r.b[0] != REC_STORE || (rc = nbs_map_is_newest(log, tail, &r)) != 1) continue;
        uint32_t klen = nbs_rec_klen(&r), vlen = nbs_rec_vlen(&r);
        uint32_t block = nbs_round_up(klen + vlen, log->unit);
        nbs_src parts[2] = {{NULL, nbs_item_addr(log, tail, &r), klen + vlen}, {NULL, 0, 0}};
        rc = nbs_fits(log, 2, block, 0) ? nbs_append_item(log, REC_STORE, klen, vlen, parts)
                                        : NBS_E_FULL;
        if (!rc) nbs_cache_key_written(log, REC_STORE, nbs_work_key(log), klen, vlen);
    }
    if (rc != NBS_E_END) return rc;
    return nbs_fits_tail(log) ? NBS_OK : NBS_E_FULL;
}

/* Until its TAIL, the page a round copies into holds nothing but copies of items that are
 * still in the tail page (and, when a mount opened it to carry the page before's last record,
 * that record). A resumed round that no longer fits there (a cut wasted room on a torn copy,
 * mount pins took slots) starts again once on a fresh erase of that page, under the same
 * sequence number, carrying the same record; the items it copied are then newest in the tail
 * page again. */
static int restart_round(nbs_log *log) {
    nbs_rec carried = {{0}, 0};
    uint32_t carry = log->carry;
    int rc = carry > 1 ? nbs_read_carried(log, log->newest_seq - 1, (int32_t)carry - 1, &carried)
                       : NBS_OK;
    if (rc == NBS_E_END) rc = NBS_E_CORRUPT; /* a carry page always holds its record */
    if (rc) return rc;
    log->newest = (log->newest + log->pages - 1) % log->pages;
    log->newest_seq--;
    rc = carry ? nbs_open_carry(log, carried.b, carry - 1) : nbs_open_next(log, false);
    nbs_cache_reset(log);
    return rc ? rc : nbs_cache_build_keys(log);
}

static int gc_tail(nbs_log *log) {
    uint32_t tail = log->tail_seq;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_GC_RELEASE_FIRST
    /* Broken on purpose, for tests only: the tail page is freed on flash before its live items
     * are copied (RAM keeps the old tail so the copies still find them). */
    int released = nbs_append_marker(log, REC_TAIL, tail + 1, 0);
    if (released) return released;
#endif
    int rc = copy_tail_items(log, tail);
    if (rc == NBS_E_FULL && !(rc = restart_round(log))) rc = copy_tail_items(log, tail);
    if (rc) return rc;
    log->tail_seq = tail + 1;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_GC_RELEASE_FIRST
    return NBS_OK;
#endif
    return nbs_append_marker(log, REC_TAIL, tail + 1, 0);
}

/* The newest page as seen by the room rule, real or as a planned round would leave it. */
typedef struct room {
    uint32_t next_slot, front, store_bytes;
} room;

/* A write fits when the page keeps its reserve after it and, for a STORE, when every STORE of
 * the page could still be copied by a GC round that a cut interrupted once (NBS_MAP_GC_SLOTS). */
static bool room_fits(const nbs_log *log, const room *at, uint32_t records, uint32_t bytes,
                      uint32_t copy) {
    uint64_t page = log->flash.page_size;
    uint64_t slots = (uint64_t)at->next_slot + records + nbs_kept_slots(log, 1, false);
    if (at->front + (uint64_t)bytes + slots * log->slot_size > page) return false;
    return !copy ||
           (uint64_t)at->store_bytes + copy + (uint64_t)NBS_MAP_GC_SLOTS * log->slot_size <= page;
}

static bool fits_now(const nbs_log *log, uint32_t records, uint32_t bytes, uint32_t copy) {
    room at = {log->next_slot, log->front, log->store_bytes};
    return !log->empty && nbs_live_pages(log) && room_fits(log, &at, records, bytes, copy);
}

/* Slots and data bytes a GC round of page seq would copy. */
static int live_in_page(nbs_log *log, uint32_t seq, uint32_t *slots, uint32_t *bytes) {
    nbs_walk w;
    nbs_rec r;
    int rc = nbs_walk_start(log, seq, &w);
    *slots = *bytes = 0;
    while (!rc && (rc = nbs_walk_prev(log, &w, &r)) == NBS_OK) {
        if (r.b[0] != REC_STORE || (rc = nbs_map_is_newest(log, seq, &r)) != 1) continue;
        *slots += 2;
        *bytes += nbs_round_up(nbs_rec_klen(&r) + nbs_rec_vlen(&r), log->unit);
        rc = NBS_OK;
    }
    return rc == NBS_E_END ? NBS_OK : rc;
}

/* Plays make_room's rounds in RAM: each opens the page after the newest and, when that uses up
 * the last free page, collects the tail into it. A round that would collect a page this write
 * opened frees nothing more, so the write cannot fit: NBS_E_FULL. */
static int plan_rounds(nbs_log *log, uint32_t records, uint32_t bytes, uint32_t copy) {
    room at = {0, 0, 0};
    uint32_t live = nbs_live_pages(log), tail = log->tail_seq, last_old = log->newest_seq;
    while (live < log->pages || tail <= last_old) {
        if (live < log->pages) at = (room){1, 0, 0}, live++;
        if (live == log->pages) {
            uint32_t slots, data;
            if (tail > last_old) return NBS_E_FULL;
            int rc = live_in_page(log, tail++, &slots, &data);
            if (rc) return rc;
            at.next_slot += slots + 1;
            at.front += data;
            at.store_bytes += data + slots * log->slot_size;
            live--;
        }
        if (room_fits(log, &at, records, bytes, copy)) return NBS_OK;
    }
    return NBS_E_FULL;
}

int nbs_map_make_room(nbs_log *log, uint32_t records, uint32_t bytes, uint32_t copy) {
    /* A round a cut interrupted (no free page) is finished before anything else is written, so
     * the page it copies into holds nothing but its copies. */
    int rc = nbs_live_pages(log) == log->pages ? gc_tail(log) : NBS_OK;
    if (rc || fits_now(log, records, bytes, copy)) return rc;
    if ((rc = plan_rounds(log, records, bytes, copy))) return rc;
    for (uint32_t round = 0; !rc && !fits_now(log, records, bytes, copy); round++) {
        if (round > log->pages) return NBS_E_FULL;
        if (nbs_live_pages(log) < log->pages) rc = nbs_open_next(log, false);
        if (!rc && nbs_live_pages(log) == log->pages) rc = gc_tail(log);
    }
    return rc;
}
