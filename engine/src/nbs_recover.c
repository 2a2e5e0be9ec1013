/* Recovery (SPEC-v3 section 6.2): a page holding an unsealed operation is rewritten with every
 * operation decided, through the spare page and back, so that live pages stay at consecutive
 * addresses. A copy is complete when its DONE unit is programmed; the erase of the page it
 * copies, which comes after, is what makes that DONE certain (section 6.3). */
#include "nbs_internal.h"

/* Whether the walk's item is kept: intact, not popped, no MARK. */
static int keep(nbs_log *log, const nbs_cursor *cur, const nbs_item *it) {
    if (it->type == ITEM_MARK || it->pop_full) return 0;
    return nbs_item_intact(log, cur, it);
}

/* Copies the items of page `src` as decided into page `dst` under src's seq, with this
 * generation and tail distance, then programs dst's DONE. A copy that keeps no item gets a MARK
 * (a page's first item checks its header). The ring's RAM state is kept and restored. */
static int copy_page(nbs_log *log, uint32_t src, uint32_t dst, uint8_t gen, uint16_t tail_dist) {
    nbs_page_hdr h;
    int rc = nbs_page_hdr_read(log, src, &h);
    if (rc) return rc;
    nbs_log saved = *log;
    if ((rc = nbs_ensure_erased(log, dst))) return rc;
    uint8_t hdr[64];
    memset(hdr, log->flash.erase_value, sizeof hdr);
    nbs_page_hdr_encode(log, h.seq, gen, tail_dist, hdr);
    log->newest = dst;
    log->newest_seed = nbs_page_seed(log, hdr);
    log->front = nbs_items_start(log);
    log->gap_pending = false;
    uint32_t header = nbs_items_start(log) - log->unit; /* the DONE unit stays erased */
    if ((rc = nbs_program(log, dst, 0, hdr, header))) return rc;
    nbs_cursor cur;
    nbs_item it;
    if ((rc = nbs_cursor_start(log, src, &cur))) return rc;
    cur.limit = log->flash.page_size;
    while ((rc = nbs_item_next(log, &cur, &it, 0)) == NBS_OK || rc == NBS_WALK_TORN) {
        bool torn = rc == NBS_WALK_TORN;
        if (torn && !it.end) break; /* nothing could be parsed: not applied */
        int k = keep(log, &cur, &it);
        if (k < 0) return k;
        if (k && (rc = nbs_copy_item(log, &cur, &it))) return rc;
        if (torn) break; /* the unsealed last operation: nothing follows it */
    }
    if (rc < 0 && rc != NBS_E_END) return rc;
    nbs_payload none = {0};
    if (log->front == nbs_items_start(log) && (rc = nbs_append(log, ITEM_MARK, &none))) return rc;
    if ((rc = nbs_mark_done(log, dst))) return rc;
    uint32_t erased[NBS_ERASED_TRACK];
    memcpy(erased, log->erased, sizeof erased);
    *log = saved;
    memcpy(log->erased, erased, sizeof erased);
    return NBS_OK;
}

int nbs_rewrite_page(nbs_log *log, uint32_t page, uint16_t tail_dist) {
    nbs_page_hdr h;
    int rc = nbs_page_hdr_read(log, page, &h);
    if (rc) return rc;
    uint32_t spare = (log->newest + 1) % log->pages;
    if ((rc = copy_page(log, page, spare, nbs_gen_next(h.gen), tail_dist))) return rc;
    if ((rc = nbs_erase_page(log, page))) return rc;
    return nbs_move_back(log, spare, page);
}

int nbs_move_back(nbs_log *log, uint32_t temp, uint32_t home) {
    nbs_page_hdr h;
    int rc = nbs_page_hdr_read(log, temp, &h);
    if (!rc) rc = copy_page(log, temp, home, nbs_gen_next(h.gen), h.tail_dist);
    if (!rc) rc = nbs_erase_page(log, temp);
    return rc;
}
