/* Mount and erase_all of the ring log (SPEC section 6): find the live pages from their headers
 * (each checked by its first item), settle a recovery copy and its original, find where the
 * newest page's items end, and recover every unsealed operation: a clean store mounts without a
 * single program. A read-only mount takes the same decisions and keeps them in RAM (6.5). */
#include "nbs_internal.h"

enum { MOUNT_AGAIN = 1, MOUNT_ATTEMPTS = 8 };

/* The page's first item checks its header (its CRC is seeded with the header's bytes): 1 when it
 * is intact, sealed or not (an unsealed one is the page's last operation, which the walk of the
 * newest page finds), 0 when the page has none (an open a cut interrupted) or when it does not
 * check (a page whose erase a cut stopped early: a few bits moved, its seq may read as another),
 * or an error. */
static int first_item_intact(nbs_log *log, uint32_t page, const nbs_page_hdr *h) {
    /* The header as `h` read it seeds the check: one reading decides (a page whose erase a cut
     * stopped may read otherwise the next time). */
    nbs_cursor cur;
    nbs_item it;
    nbs_cursor_read_as(log, page, h, &cur);
    int rc = nbs_item_next(log, &cur, &it, 0);
    if (rc == NBS_E_END || (rc == NBS_WALK_TORN && !it.end)) return 0;
    if (rc < 0) return rc;
    if (it.off != nbs_items_start(log)) return 0; /* the first item never follows a gap */
    return nbs_item_intact(log, &cur, &it);
}

/* A page of another store kind or item layout (a map written with another programs_per_unit)
 * whose first item checks under the layout its header names. */
static int foreign_store(nbs_log *log, uint32_t page, const nbs_page_hdr *h) {
    nbs_log other = *log;
    nbs_layout_as(&other, &log->flash, h->b[0] >> 6, (h->b[0] >> 3) & 7u);
    return first_item_intact(&other, page, h);
}

/* A map of page version 3 found by a mount that would write version 4 (a store written before
 * version 4, or with programs_per_unit 0 or 1): version 3 is valid on any part, so the store
 * keeps it (SPEC 6.1 step 1). The other way (version 4 on a part taking one program per unit)
 * cannot be written: refused. */
static bool adopt_version_3(nbs_log *log, const nbs_page_hdr *h) {
    if (log->version != 4 || h->b[0] >> 6 != log->kind || ((h->b[0] >> 3) & 7u) != 3) return false;
    nbs_layout_as(log, &log->flash, log->kind, 3);
    return true;
}

/* Pass over every page header: the newest home page (even generation), a temporary recovery
 * copy (odd generation), pages to erase (torn opens, garbage, torn erases). */
typedef struct survey {
    bool any;
    bool unchecked; /* a page with a header of this store whose first item does not check */
    uint32_t best_page;
    int32_t temp;
    nbs_page_hdr temp_hdr; /* the temporary copy's header as this survey read it */
    nbs_page_hdr best_hdr; /* the newest home page's */
} survey;

static int survey_pages(nbs_log *log, survey *s) {
    memset(s, 0, sizeof *s);
    s->temp = -1;
    for (uint32_t p = 0; p < log->pages; p++) {
        nbs_page_hdr h;
        int rc = nbs_page_hdr_read(log, p, &h);
        if (rc) return rc;
        if (h.erased) continue;
        /* An erase started (its KILL reads programmed): finish it, but for a home page of this
         * store, which the ring decides on (a kill a cut stopped leaves the page intact and its
         * KILL weak: find_tail and check_ring say whether it is still needed). */
        if (h.killed && !(h.valid && !(h.gen & 1u))) {
            if ((rc = nbs_erase_killed(log, p))) return rc;
            continue;
        }
        if (h.foreign && (rc = foreign_store(log, p, &h)) != 0) {
            if (rc < 0) return rc;
            if (!adopt_version_3(log, &h)) return NBS_E_CORRUPT;
            return MOUNT_AGAIN; /* survey again under the store's own layout */
        }
        rc = h.valid ? first_item_intact(log, p, &h) : 0;
        if (rc < 0) return rc;
        if (!rc && h.valid && !(h.gen & 1u)) {
            /* A page opened last whose open a cut stopped, a torn erase, or a page whose first
             * item is damaged: which one, only its place in the ring says (check_ring). */
            s->unchecked = true;
            continue;
        }
        if (!rc) { /* garbage, or a recovery copy whose open a cut stopped: nothing live */
            if ((rc = nbs_erase_page(log, p))) return rc;
            continue;
        }
        if (h.gen & 1u) {
            s->temp = (int32_t)p;
            s->temp_hdr = h;
        } else if (!s->any || nbs_seq_after(h.seq, s->best_hdr.seq)) {
            s->any = true;
            s->best_page = p;
            s->best_hdr = h;
        }
    }
    return NBS_OK;
}

/* Whether the page holds the page `seq` of this store (valid header, that seq, first item). */
static int holds(nbs_log *log, uint32_t page, uint16_t seq, nbs_page_hdr *h) {
    int rc = nbs_page_hdr_read(log, page, h);
    if (rc || !h->valid || h->killed || h->seq != seq) return rc ? rc : 0;
    return first_item_intact(log, page, h);
}

/* A temporary copy and its home (section 6.3). A copy is complete when its DONE reads
 * programmed, or when the page it copied is gone (its erase, which follows DONE, started: DONE
 * was complete even if it reads erased now). */
static int settle_copy(nbs_log *log, const survey *s) {
    nbs_page_hdr t = s->temp_hdr, h;
    uint32_t temp = (uint32_t)s->temp, home;
    int rc;
    if (s->any) {
        /* d comes from flash: a crafted seq may be up to 32768 pages away (a cut leaves it
         * within the ring), and the page must stay inside the range. 32-bit arithmetic: a
         * 64-bit division would pull libgcc's (about 900 bytes) into every firmware. */
        int32_t n = (int32_t)log->pages, d = (int16_t)(uint16_t)(t.seq - s->best_hdr.seq) % n;
        home = (s->best_page + (uint32_t)(d < 0 ? d + n : d)) % log->pages;
    } else {
        home = (temp + log->pages - 1) % log->pages;
    }
    int at_home = holds(log, home, t.seq, &h);
    if (at_home < 0) return at_home;
    if (at_home && h.gen == nbs_gen_next(t.gen)) { /* the copy back */
        if (h.done) return nbs_erase_page(log, temp);
        if ((rc = nbs_erase_page(log, home))) return rc; /* cut short: again */
    } else if (at_home) {                                /* the original */
        /* A recovery decided that the page holds an unsealed operation, and a cut stopped it:
         * the page is rewritten again (its weak cells may read otherwise now). */
        if (!t.done) {
            log->redo_page = home + 1;
            return nbs_erase_page(log, temp);
        }
        if ((rc = nbs_erase_page(log, home))) return rc;
    }
    log->newest = s->any ? s->best_page : (home + log->pages - 1) % log->pages;
    return nbs_move_back(log, temp, &t, home);
}

/* Walks the newest page: where its items end, and whether its last operation is unsealed. */
static int read_newest(nbs_log *log, bool *unsealed) {
    nbs_cursor cur;
    nbs_item it;
    int rc = nbs_cursor_start(log, log->newest, &cur);
    cur.limit = log->flash.page_size;
    *unsealed = false;
    while (!rc && (rc = nbs_item_next(log, &cur, &it, 0)) == NBS_OK) {
    }
    if (rc == NBS_WALK_TORN) *unsealed = true, rc = NBS_OK;
    if (rc && rc != NBS_E_END) return rc;
    log->front = cur.pos;
    if (*unsealed && nbs_read_only(log)) { /* decided as a recovery would copy it (6.2 step 2) */
        int kept = it.end ? nbs_item_intact(log, &cur, &it) : 0;
        if (kept < 0) return kept;
        if (kept) log->front = it.end, log->kept_off = it.off + 1;
    }
#if NBS_TEST_BREAK == NBS_TEST_BREAK_UNSEALED_KEPT
    if (*unsealed) { /* left as it reads now: the next write goes after it */
        uint32_t g = cur.pos + nbs_gap(log);
        log->front = it.end > g ? it.end : g;
        if (log->front > log->flash.page_size) log->front = log->flash.page_size;
        *unsealed = false;
    }
#endif
    return NBS_OK;
}

/* The tail: the newest page's header names it; a map page opened for a GC round (generation 0)
 * with its DONE programmed has released that tail, and so has one whose tail is gone (the
 * erase that follows DONE started). A round without either is cut short: its page holds only
 * copies and is erased (MOUNT_AGAIN). */
static int find_tail(nbs_log *log, const nbs_page_hdr *newest) {
    log->tail_seq = (uint16_t)(newest->seq - newest->tail_dist);
    bool round = log->kind == NBS_KIND_MAP && newest->gen == 0 && nbs_live_pages(log) == log->pages;
    int rc;
    if (!round) { /* only a GC round's page is ever killed while newest: an erase started */
        if (newest->killed && (rc = nbs_erase_killed(log, log->newest))) return rc;
        return newest->killed ? MOUNT_AGAIN : NBS_OK;
    }
    /* The round's page G and its tail T hold the same live items once the copies are done:
     * each decision erases one of them, after programming its KILL. A KILL a cut stopped may read
     * either way at the next mount, so the decision goes by what was started: T's KILL (a round
     * released after DONE) wins; else G's KILL (a round undone); else DONE. A tail already gone
     * (its erase started) leaves G the only copy, whatever its KILL reads. */
    nbs_page_hdr t;
    int intact = holds(log, nbs_page_of(log, log->tail_seq), log->tail_seq, &t);
    if (intact < 0) return intact;
    bool release = !intact || (newest->done && !newest->killed); /* a killed tail holds none */
    if (release) {
        log->tail_seq++;
        return NBS_OK;
    }
    rc = newest->killed ? nbs_erase_killed(log, log->newest) : nbs_erase_page(log, log->newest);
    return rc ? rc : MOUNT_AGAIN;
}

/* Erases a page as its header `h` read, unless it read erased; one whose KILL reads programmed
 * already gets no second program of the unit. */
static int erase_unless_erased(nbs_log *log, uint32_t page, const nbs_page_hdr *h) {
    if (h->erased) return NBS_OK;
    return h->killed ? nbs_erase_killed(log, page) : nbs_erase_page(log, page);
}

/* The live pages are the run of consecutive seqs at consecutive addresses that ends at the
 * newest, back to the tail the newest names. A page in that run whose first item does not check
 * is live (a cut stops only the open of a page after the newest, and no erase of a page inside
 * the run): its other items are read as they check. A page missing from the run (damaged or
 * erased behind the store's back) ends it there: what is older is dropped, so that no key reads
 * an older value than its newest. Pages outside the run are erased: dead pages whose erase a cut
 * stopped, an open a cut stopped; but a queue leaves its dead pages (SPEC 5.4), erased when the
 * ring comes back to them. */
static int check_ring(nbs_log *log) {
    uint32_t live = nbs_live_pages(log), declared = live;
    if (live > log->pages) return NBS_E_CORRUPT;
    for (uint32_t back = 0; back < log->pages; back++) {
        uint32_t p = (log->newest + log->pages - back) % log->pages;
        nbs_page_hdr h;
        int rc = nbs_page_hdr_read(log, p, &h);
        if (rc) return rc;
        if (back < live && (!h.valid || h.seq != (uint16_t)(log->newest_seq - back))) {
            live = back; /* the run ends here */
            log->tail_seq = (uint16_t)(log->newest_seq - back + 1);
        }
        /* A queue page before the tail the newest header names, holding the seq of its place in
         * the ring's previous lap: dead, left for the open that reuses it to erase. */
        bool dead = log->kind == NBS_KIND_QUEUE && back >= declared && h.valid && !h.killed &&
                    !(h.gen & 1u) && h.seq == (uint16_t)(log->newest_seq - back);
        if (back >= live && !dead && (rc = erase_unless_erased(log, p, &h))) return rc;
    }
    return NBS_OK;
}

/* Queue: the oldest unpopped entry, and a page holding a pop that is not sealed (-1: none). */
static int scan_queue(nbs_log *log, int32_t *unsealed_page) {
    *unsealed_page = -1;
    log->head_known = false;
    for (uint32_t back = nbs_live_pages(log); back-- > 0;) {
        uint32_t p = nbs_page_of(log, (uint16_t)(log->newest_seq - back));
        nbs_cursor cur;
        nbs_item it;
        int rc = nbs_cursor_start(log, p, &cur);
        while (!rc && (rc = nbs_item_next(log, &cur, &it, 0)) == NBS_OK) {
            if (it.type != ITEM_PUSH) continue;
            /* Anything between "never popped" and "popped, P and A full" is a pop a cut stopped:
             * its page is rewritten with the pop decided by A (SPEC 3.3). */
            bool begun = it.pop_touched || it.pop_sealed;
            if (begun && !(it.pop_full && it.pop_done)) *unsealed_page = (int32_t)p;
            if (!it.pop_full && !log->head_known) {
                log->head_known = true;
                log->head_page = p;
                log->head_off = it.off;
            }
        }
        if (rc != NBS_E_END && rc != NBS_WALK_TORN) return rc;
    }
    return NBS_OK;
}

static int mount_once(nbs_log *log) {
    survey s;
    int rc = survey_pages(log, &s);
    if (rc) return rc;
    if (s.temp >= 0) return (rc = settle_copy(log, &s)) ? rc : MOUNT_AGAIN;
    if (!s.any) {
        log->empty = true;
        /* No page checks: the unchecked ones are opens a cut stopped, or torn erases. */
        for (uint32_t p = 0; s.unchecked && p < log->pages; p++) {
            nbs_page_hdr h;
            if ((rc = nbs_page_hdr_read(log, p, &h)) || (rc = erase_unless_erased(log, p, &h)))
                return rc;
        }
        return NBS_OK;
    }
    nbs_page_hdr h = s.best_hdr;
    log->empty = false;
    log->newest = s.best_page;
    log->newest_seq = h.seq;
    log->newest_gen = h.gen;
    log->newest_seed = nbs_page_seed(log, h.b);
    if ((rc = find_tail(log, &h))) return rc;
    bool unsealed;
    if ((rc = read_newest(log, &unsealed)) || (rc = check_ring(log))) return rc;
    uint32_t redo = log->redo_page;
    log->redo_page = 0;
    if (redo == log->newest + 1) unsealed = true;
    uint16_t tail_dist = (uint16_t)(log->newest_seq - log->tail_seq);
    if (unsealed && !nbs_read_only(log))
        return (rc = nbs_rewrite_page(log, log->newest, &h, tail_dist)) ? rc : MOUNT_AGAIN;
    if (log->kind == NBS_KIND_QUEUE) {
        int32_t page;
        if ((rc = scan_queue(log, &page))) return rc;
        if (page < 0 && redo && nbs_pages_back(log, redo - 1) < nbs_live_pages(log))
            page = (int32_t)(redo - 1);
        if (NBS_TEST_BREAK == NBS_TEST_BREAK_UNSEALED_KEPT) page = -1; /* pops left as read */
        if (nbs_read_only(log)) page = -1; /* walks read pops as decided (6.5) */
        nbs_page_hdr ph;
        if (page >= 0 && !(rc = nbs_page_hdr_read(log, (uint32_t)page, &ph)))
            rc = nbs_rewrite_page(log, (uint32_t)page, &ph, ph.tail_dist);
        if (page >= 0) return rc ? rc : MOUNT_AGAIN;
    }
    log->gap_pending = true;
    return NBS_OK;
}

int nbs_log_mount(nbs_log *log, const nbs_config *cfg, uint8_t kind) {
    if (!log || !cfg) return NBS_E_INVAL;
    memset(log, 0, sizeof *log);
    if (cfg->read_only && !NBS_WITH_READ_ONLY) return NBS_E_INVAL; /* not built in */
    int rc = nbs_check_geometry(&cfg->flash);
    if (rc) return rc;
    if (!cfg->work || cfg->work_size < nbs_work_bytes_min(&cfg->flash)) return NBS_E_WORK_BUFFER;
    nbs_layout_init(log, &cfg->flash, kind);
    log->work = cfg->work;
    log->work_size = cfg->work_size > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)cfg->work_size;
    log->read_only = cfg->read_only;
    nbs_erases_forget_all(log);
    if ((rc = nbs_cache_start(log, &cfg->cache))) return rc;
    for (unsigned attempt = 0; attempt < MOUNT_ATTEMPTS; attempt++) {
        rc = mount_once(log);
        if (rc != MOUNT_AGAIN) break;
    }
    if (rc == MOUNT_AGAIN) rc = NBS_E_CORRUPT;
    log->mounted = rc == NBS_OK;
    if (log->mounted && log->empty) log->fresh_from = 1;
    if (!rc && (rc = nbs_cache_ready(log))) log->mounted = false;
    return rc;
}

/* The commit is a fresh page whose header declares every older page dead (tail distance 0),
 * checked by a first item (map: CLEAR; queue: a MARK); then the rest are erased.
 * A store a failed write left unmounted is mounted first. */
int nbs_log_erase_all(nbs_log *log) {
    if (!log) return NBS_E_INVAL;
    if (!log->mounted) return NBS_E_NOT_MOUNTED;
    if (nbs_read_only(log)) return NBS_E_READ_ONLY;
    if (log->empty) return NBS_OK;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_ERASE_ALL_NO_COMMIT
    for (uint32_t p = 0; p < log->pages; p++) {
        int erased = nbs_erase_page(log, p);
        if (erased) return erased;
    }
    log->empty = true;
    return NBS_OK;
#endif
    int rc = nbs_open_next(log, 0);
    nbs_payload none = {0};
    if (!rc) rc = nbs_append(log, log->kind == NBS_KIND_MAP ? ITEM_CLEAR : ITEM_MARK, &none, NULL);
    for (uint32_t p = 0; !rc && p < log->pages; p++)
        if (p != log->newest) rc = nbs_erase_page(log, p);
    log->head_known = false;
    if (!rc) nbs_cache_clear(log);
    return rc;
}
