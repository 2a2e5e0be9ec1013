/* Map garbage collection and the room-making loop for map writes. The ring keeps one free page
 * after the newest; when opening a page uses it up, the tail page's live items (each the newest
 * intact version of its key) are copied to the new page and a TAIL record frees the tail page.
 * Copies equal their originals, so a cut anywhere in the middle leaves the same map, and the
 * next write resumes the round (items already copied are no longer newest in the tail). */
#include "nbs_internal.h"

static int gc_tail(nbs_log *log) {
    uint32_t tail = log->tail_seq;
    nbs_walk w;
    nbs_rec r, f;
    int rc = nbs_walk_start(log, tail, &w);
    while (!rc && (rc = nbs_walk_prev(log, &w, &r)) == NBS_OK) {
        if (r.b[0] != REC_STORE || !nbs_rec_in_page(log, &r)) continue;
        uint32_t klen = nbs_rec_klen(&r), vlen = nbs_rec_vlen(&r), f_seq;
        uint32_t addr = nbs_item_addr(log, tail, &r), block = nbs_round_up(klen + vlen, log->unit);
        rc = nbs_read(log, addr, nbs_work_key(log), klen);
        if (!rc) rc = nbs_map_find(log, nbs_work_key(log), klen, &f, &f_seq);
        if (rc == NBS_E_ECC || rc == NBS_E_NOT_FOUND ||
            (!rc && (f_seq != tail || f.slot != r.slot)))
            rc = NBS_OK;
        else if (!rc) {
            nbs_src parts[2] = {{NULL, addr, klen + vlen}, {NULL, 0, 0}};
            rc = nbs_fits(log, 2, block, 0) ? nbs_append_item(log, REC_STORE, klen, vlen, parts)
                                            : NBS_E_FULL;
            if (!rc) nbs_cache_key_written(log, REC_STORE, nbs_work_key(log), klen, vlen);
        }
    }
    if (rc != NBS_E_END) return rc;
    if (!nbs_fits(log, 1, 0, 0)) return NBS_E_FULL;
    log->tail_seq = tail + 1;
    return nbs_append_marker(log, REC_TAIL, tail + 1, 0);
}

/* Each round opens a page and collects the tail into it; after a round per page every page
 * has been compacted, and if the item still does not fit the map is full. */
int nbs_map_make_room(nbs_log *log, uint32_t records, uint32_t bytes, uint32_t headroom) {
    /* A round a cut interrupted (no free page) is finished before anything else is written, so
     * the page it copies into holds nothing but its copies. */
    int rc = nbs_live_pages(log) == log->pages ? gc_tail(log) : NBS_OK;
    for (uint32_t round = 0; !rc && !nbs_fits(log, records, bytes, headroom); round++) {
        if (round > log->pages) return NBS_E_FULL;
        if (nbs_live_pages(log) < log->pages) rc = nbs_open_next(log, false);
        if (!rc && nbs_live_pages(log) == log->pages) rc = gc_tail(log);
    }
    return rc;
}
