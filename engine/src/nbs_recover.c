/* Recovery (SPEC section 6.2): a page holding an unsealed operation is rewritten with every
 * operation decided, through the spare page and back, so that live pages stay at consecutive
 * addresses. A copy is complete when its DONE unit is programmed; the erase of the page it
 * copies, which comes after, is what makes that DONE certain (section 6.3). A read-only mount
 * copies nothing: it reads the page from the temporary copy (section 6.5). */
#include "nbs_internal.h"

/* Whether the walk's item is kept: intact, not popped, no MARK, no item of a reserved kind (this
 * engine cannot write its header again: SPEC section 9). */
static int keep(nbs_log *log, const nbs_cursor *cur, const nbs_item *it) {
    /* A pop counts once its A (its commit) reads programmed-any: a P a cut left weak may read
     * erased at one mount and full at the next, and with A erased both readings keep the entry. */
    if (it->type == ITEM_MARK || it->type == ITEM_RESERVED || it->pop_sealed) return 0;
    return nbs_item_intact(log, cur, it);
}

/* Copies the items of page `src` as decided into page `dst` under src's seq, with this
 * generation and tail distance, then programs dst's DONE. A copy that keeps no item gets a MARK
 * (a page's first item checks its header). The ring's RAM state is kept and restored. */
static int copy_page(nbs_log *log, uint32_t src, const nbs_page_hdr *h, uint32_t dst, uint8_t gen,
                     uint16_t tail_dist, nbs_page_hdr *written) {
    nbs_log saved = *log;
    int rc = nbs_ensure_erased(log, dst);
    if (rc) return rc;
    if (written) {
        memset(written, 0, sizeof *written);
        nbs_page_hdr_encode(log, h->seq, gen, tail_dist, written->b);
        written->valid = written->done = true;
        written->seq = h->seq, written->gen = gen, written->tail_dist = tail_dist;
    }
    if ((rc = nbs_start_page(log, dst, h->seq, gen, tail_dist))) return rc;
    /* The source's header as the mount read it seeds the checks: one reading decides. */
    nbs_cursor cur;
    nbs_item it, copy;
    uint32_t chain = 0; /* the source key + 1 of the STORE copied last, when last (0: none) */
    nbs_cursor_read_as(log, src, h, &cur);
    while ((rc = nbs_item_next(log, &cur, &it, 0)) == NBS_OK || rc == NBS_WALK_TORN) {
        bool torn = rc == NBS_WALK_TORN;
        if (torn && !it.end) break; /* nothing could be parsed: not applied */
        int k = keep(log, &cur, &it);
        if (k < 0) return k;
        /* A STORE-SAME stays elided behind a copy of its chain; when its chain's earlier items
         * were dropped it is copied as a full STORE, in their room (SPEC 3.6). */
        if (k && (rc = nbs_copy_item(log, &cur, &it, chain == it.key_at + 1, &copy))) return rc;
        if (k) chain = it.type == ITEM_STORE ? it.key_at + 1 : 0;
        if (torn) break; /* the unsealed last operation: nothing follows it */
    }
    if (rc < 0 && rc != NBS_E_END) return rc;
    nbs_payload none = {0};
    if (log->front == nbs_items_start(log) && (rc = nbs_append(log, ITEM_MARK, &none, NULL)))
        return rc;
    if ((rc = nbs_mark_done(log, dst))) return rc;
    uint32_t erased[NBS_ERASED_TRACK];
    memcpy(erased, log->erased, sizeof erased);
    *log = saved;
    memcpy(log->erased, erased, sizeof erased);
    return NBS_OK;
}

int nbs_rewrite_page(nbs_log *log, uint32_t page, const nbs_page_hdr *h, uint16_t tail_dist) {
    uint32_t spare = (log->newest + 1) % log->pages;
    nbs_page_hdr temp;
    int rc = copy_page(log, page, h, spare, nbs_gen_next(h->gen), tail_dist, &temp);
    if (!rc) rc = nbs_erase_page(log, page);
    return rc ? rc : nbs_move_back(log, spare, &temp, page);
}

int nbs_move_back(nbs_log *log, uint32_t temp, const nbs_page_hdr *h, uint32_t home) {
    if (nbs_read_only(log)) { /* home is read from the copy, which is then no page of its own */
        log->moved_home = home + 1;
        log->moved_from = temp + 1;
        return nbs_erase_killed(log, temp);
    }
    int rc = copy_page(log, temp, h, home, nbs_gen_next(h->gen), h->tail_dist, NULL);
    return rc ? rc : nbs_erase_page(log, temp);
}
