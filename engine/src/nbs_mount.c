/* Mount and erase_all of the ring log: find the newest page and the tail, clean up a page open
 * that a cut interrupted, and decide the newest page's last record once and for all, reading
 * each of its slots once: a pin in the page, or a carry into the next page when it has no room
 * (a half-written, weak last write cannot flip afterwards). See SPEC.md, "Mount". */
#include "nbs_internal.h"

int nbs_check_geometry(const nbs_flash *f) {
    uint32_t w = f ? f->write_unit : 0;
    if (!f || !f->read || !f->program || !f->erase || (w & (w - 1)) || w == 0 || w > 32 ||
        (f->erase_value != 0xFF && f->erase_value != 0x00))
        return NBS_E_GEOMETRY;
    uint32_t slot = w > 16 ? w : 16, unit = w > 4 ? w : 4;
    if (f->page_size == 0 || f->page_size % slot || f->page_size / slot < 16 ||
        f->page_size / unit > 65536 || f->size % f->page_size || f->size / f->page_size < 2 ||
        f->size / f->page_size > 65535 || f->start % w)
        return NBS_E_GEOMETRY;
    return NBS_OK;
}

size_t nbs_work_bytes_min(const nbs_flash *flash) {
    (void)flash;
    return NBS_WORK_MIN;
}

/* The newest page as the mount reads it, every slot once (SPEC section 6): the last slot that
 * is not erased (m) and the last valid one (t) with its record as read. Every decision of the
 * mount is taken from this one reading. */
typedef struct newest_view {
    int32_t m, t;
    nbs_rec top;
} newest_view;

/* Slots up to the identity's were read by the identity scan; the rest from there to the list
 * end. */
static int read_newest(nbs_log *log, const nbs_ident *id, newest_view *v) {
    v->m = v->t = id->slot;
    v->top = id->rec;
    for (uint32_t i = (uint32_t)id->slot + 1, run = 0;
         i < log->slots_per_page && run < NBS_TERMINATOR; i++) {
        nbs_rec r;
        int st = nbs_read_slot(log, log->newest, log->newest_seq, i, &r);
        if (st < 0) return st;
        run = st == SLOT_ERASED ? run + 1 : 0;
        if (st == SLOT_ERASED) continue;
        v->m = (int32_t)i;
        if (st == SLOT_VALID) v->t = (int32_t)i, v->top = r;
    }
#if NBS_TEST_BREAK == NBS_TEST_BREAK_DOUBLE_READ
    /* Broken on purpose: the pin's record is read a second time, from the last slot down. */
    for (v->t = v->m; v->t >= 0; v->t--) {
        int st = nbs_read_slot(log, log->newest, log->newest_seq, (uint32_t)v->t, &v->top);
        if (st < 0) return st;
        if (st == SLOT_VALID) break;
    }
#endif
    return NBS_OK;
}

/* What one effective record of the newest page adds to the RAM state: the tail (TAIL records),
 * the data front (every claimed block) and the bytes of STORE items (map room rule). */
static void account(nbs_log *log, const nbs_rec *r) {
    uint32_t end = 0;
    if (nbs_rec_carried(r)) return; /* the page before's */
    if (r->b[0] == REC_TAIL && nbs_get_le(r->b + 2, 4) > log->tail_seq)
        log->tail_seq = nbs_get_le(r->b + 2, 4);
    else if (r->b[0] == REC_INTENT)
        end = nbs_rec_off(log, r) + nbs_get_le(r->b + 4, 3);
    else if (r->b[0] == REC_STORE || r->b[0] == REC_REMOVE || r->b[0] == REC_PUSH) {
        uint32_t block = nbs_round_up(nbs_rec_klen(r) + nbs_rec_vlen(r), log->unit);
        end = nbs_rec_off(log, r) + block;
        if (r->b[0] == REC_STORE) log->store_bytes += block + 2 * log->slot_size;
    }
    if (end > log->front) log->front = end;
}

/* The RAM state as the decision makes it: the record read at t stands for its origin, whatever
 * lies above it is void, and the page below the origin is walked as usual (those slots were
 * decided by earlier mounts). */
static int derive_newest(nbs_log *log, const newest_view *v) {
    nbs_walk w = {log->newest, log->newest_seq, nbs_rec_origin(&v->top) - 1, -1};
    nbs_rec r;
    int rc;
    log->front = log->store_bytes = 0;
    if (v->t >= 0)
        account(log, &v->top);
    else
        w.pos = v->m; /* only when broken on purpose (NBS_TEST_BREAK_DOUBLE_READ) */
    while ((rc = nbs_walk_prev(log, &w, &r)) == NBS_OK) account(log, &r);
    return rc == NBS_E_END ? NBS_OK : rc;
}

/* Kills the slots in [from, to] that do not read killed already (every record bit programmed):
 * the decision voids them, and a killed slot never reads valid or erased again unless its bits
 * are weak (SPEC section 6.4); a slot that reads less than killed, a torn record whose weak bits
 * may settle valid later or a kill cut short, is killed (again). A kill the flash refuses
 * (a part that allows no second program of a unit, not even every bit) is left out: the slot
 * keeps what it holds, which the pin above it voids anyway. A power loss is not missed: the
 * next read fails. */
static int kill_range(nbs_log *log, int32_t from, int32_t to) {
    nbs_rec r;
    for (int32_t i = from; i <= to; i++) {
        int st = nbs_read_slot(log, log->newest, log->newest_seq, (uint32_t)i, &r);
        if (st < 0) return st;
        if (st != SLOT_KILLED) (void)nbs_kill_slot(log, (uint32_t)i);
    }
    int st = to >= from ? nbs_read_slot(log, log->newest, log->newest_seq, (uint32_t)to, &r) : 0;
    return st < 0 ? st : NBS_OK;
}

/* The pin (SPEC section 6.4): the slots above the decided record are killed, the two above the
 * last one that is not erased too (a torn write may hide there, reading erased), and the pin, a
 * copy of the decided record pointing at its origin, goes to m + 3, where nothing was ever
 * written: a slot right above a solid one is the only one a torn write can have touched unseen,
 * or two above it when a mount's first kill went right above a torn record it read valid. */
static int pin_newest(nbs_log *log, const newest_view *v) {
    int32_t origin = nbs_rec_origin(&v->top);
    uint32_t p = (uint32_t)v->m + NBS_PIN_SLOTS;
    uint8_t rec[12];
    nbs_rec check;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_PIN_SPACING
    /* Broken on purpose: the slots above the last one are skipped, not killed, and the pin lands
     * by the decision (m + 2 for a valid last slot, m + 3 for an invalid one). */
    p = (uint32_t)v->m + (v->t == v->m ? 2 : 3);
#else
    int rc = kill_range(log, v->t + 1, v->m + NBS_PIN_SLOTS - 1);
    if (rc) return rc;
#endif
    memcpy(rec, v->top.b, sizeof rec);
    rec[1] = (uint8_t)(p - (uint32_t)origin);
    int st = nbs_write_slot(log, p, rec);
    if (st) return st;
    st = nbs_read_slot(log, log->newest, log->newest_seq, p, &check);
    if (st < 0) return st;
    if (st != SLOT_VALID || memcmp(check.b, rec, 12)) return NBS_E_IO;
    log->next_slot = p + 1;
    return NBS_OK;
}

/* Makes the decision durable: a pin when the page has room for it; else the next page carries
 * the decided record (SPEC section 6.5), when a page is free; else (every page live, the queue
 * wedged, SPEC Known limits) what the decision voids is killed where it is. */
static int settle_newest(nbs_log *log, const newest_view *v) {
#if NBS_TEST_BREAK == NBS_TEST_BREAK_DOUBLE_READ
    if (v->t < 0) {
        log->next_slot = log->slots_per_page;
        return NBS_OK;
    }
#endif
    int32_t origin = nbs_rec_origin(&v->top);
    uint32_t p = (uint32_t)v->m + NBS_PIN_SLOTS;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_TRUST_LENGTHS
    /* Broken on purpose: the room left for the pin is computed in 32 bits from a front that may
     * lie past the page (it wraps around) and the pin may land outside the page. */
    uint32_t room = log->flash.page_size - log->front;
    if (p - (uint32_t)origin <= NBS_PIN_MAX &&
        (uint64_t)(p + 1 + nbs_terminator(log->front)) * log->slot_size <= room)
        return pin_newest(log, v);
#endif
    /* The terminator, and the spare of a queue whose pages are all live (erase_all's). */
    uint32_t kept = nbs_kept_slots(log, log->front, false) - NBS_PIN_SLOTS;
    if (p - (uint32_t)origin <= NBS_PIN_MAX &&
        nbs_room(log, (uint32_t)v->m + 1, NBS_PIN_SLOTS, 0, kept))
        return pin_newest(log, v);
#if NBS_TEST_BREAK == NBS_TEST_BREAK_DOUBLE_READ || NBS_TEST_BREAK == NBS_TEST_BREAK_RECOVERY_FLIP
    /* Broken on purpose: no room to pin (or no valid slot found on the second reading), so the
     * last record stays undecided. */
    log->next_slot = log->slots_per_page;
    return NBS_OK;
#endif
    if (nbs_live_pages(log) < log->pages) return nbs_open_carry(log, v->top.b, (uint32_t)origin);
    /* Every page live: what the decision voids is killed in place, and the two slots above m
     * when they fit; the record at t itself stays as it reads (SPEC, Known limits). */
    int32_t top = v->m;
    if (nbs_room(log, (uint32_t)v->m + 1, NBS_PIN_SLOTS - 1, 0, kept))
        top = v->m + NBS_PIN_SLOTS - 1;
    log->next_slot = (uint32_t)top + 1;
    return kill_range(log, v->t + 1, top);
}

/* A torn OPEN of the page after the newest could read valid at a later mount and take over
 * the ring, and so could an OPEN whose carried record never made it: one that the identity scan
 * finds without an identity but not erased, or with a seq above the newest (the newest was
 * chosen without it), is erased now. */
static int clean_next_page(nbs_log *log) {
    if (nbs_live_pages(log) >= log->pages) return NBS_OK;
    uint32_t page = (log->newest + 1) % log->pages;
    nbs_ident id;
    int rc = nbs_identity_scan(log, page, &id);
    if (rc < 0) return rc;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_DOUBLE_READ
    /* Broken on purpose: slot 0 is read a second time to decide. */
    if (id.found) return NBS_OK;
    rc = nbs_read_slot(log, page, 0, 0, &id.rec);
    if (rc < 0) return rc;
    return rc == SLOT_ERASED ? NBS_OK : nbs_erase(log, page);
#endif
    if (id.found ? id.seq <= log->newest_seq : !id.touched) return NBS_OK;
    return nbs_erase(log, page);
}

/* The newest page with an identity, its slots read once; a page whose OPEN carries a record
 * for the page before but holds no effective record above it is a carry that a cut stopped:
 * the page before is the newest again, and clean_next_page() erases this one. */
static int choose_newest(nbs_log *log, nbs_ident *id, newest_view *v) {
    for (uint32_t demoted = 0;; demoted++) {
        int rc = read_newest(log, id, v);
        if (rc) return rc;
        if (id->carry <= 1 || nbs_rec_origin(&v->top) != 0 || v->top.b[0] != REC_OPEN) break;
        if (demoted >= log->pages || log->newest_seq <= 1) return NBS_E_CORRUPT;
        uint32_t page = (log->newest + log->pages - 1) % log->pages, seq = log->newest_seq - 1;
        if ((rc = nbs_identity_scan(log, page, id)) < 0) return rc;
        if (!id->found || id->seq != seq) return NBS_E_CORRUPT;
        log->newest = page;
        log->newest_seq = seq;
    }
    log->last = v->m;
    log->tail_seq = id->tail;
    log->carry = id->carry;
    return derive_newest(log, v);
}

int nbs_log_mount(nbs_log *log, const nbs_config *cfg, uint8_t kind) {
    if (!log || !cfg) return NBS_E_INVAL;
    memset(log, 0, sizeof *log);
    int rc = nbs_check_geometry(&cfg->flash);
    if (rc) return rc;
    log->flash = cfg->flash;
    log->kind = kind;
    log->pages = cfg->flash.size / cfg->flash.page_size;
    log->slot_size = cfg->flash.write_unit > 16 ? cfg->flash.write_unit : 16;
    log->unit = cfg->flash.write_unit > 4 ? cfg->flash.write_unit : 4;
    log->slots_per_page = cfg->flash.page_size / log->slot_size;
    log->empty = true;
    if (!cfg->work || cfg->work_size < nbs_work_bytes_min(&cfg->flash)) return NBS_E_WORK_BUFFER;
    log->work = cfg->work;
    log->work_size = cfg->work_size > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)cfg->work_size;
    if ((rc = nbs_cache_start(log, &cfg->cache))) return rc;

    nbs_ident newest_id;
    memset(&newest_id, 0, sizeof newest_id);
    for (uint32_t page = 0; page < log->pages; page++) {
        nbs_ident id;
        if ((rc = nbs_identity_scan(log, page, &id)) < 0) return rc;
        nbs_cache_identity_read(log, page, &id);
        if (id.found && (log->empty || id.seq > log->newest_seq)) {
            log->empty = false;
            log->newest = page;
            log->newest_seq = id.seq;
            newest_id = id;
        }
    }
    if (!log->empty) {
        newest_view v;
        if ((rc = choose_newest(log, &newest_id, &v))) return rc;
        /* tail = newest + 1: an erase_all committed (its TAIL) but stopped before its OPEN. */
        if (log->tail_seq > log->newest_seq + 1 || log->newest_seq + 1 - log->tail_seq > log->pages)
            return NBS_E_CORRUPT;
        for (uint32_t seq = log->tail_seq; seq < log->newest_seq; seq++) {
            uint32_t s, t;
            rc = nbs_identity(log, nbs_page_of(log, seq), &s, &t);
            if (rc < 0) return rc;
            if (!rc || s != seq) return NBS_E_CORRUPT;
        }
        if ((rc = clean_next_page(log))) return rc;
        rc = nbs_live_pages(log) ? settle_newest(log, &v) : nbs_open_next(log, true);
        if (rc) return rc;
    }
    log->mounted = true;
    return NBS_OK;
}

/* The commit point is the OPEN of a fresh page whose tail is itself: from then on every older
 * page is dead, whatever state the erases that follow leave it in. With every page live there
 * is no page to open: a TAIL(newest + 1) in the newest page (in the spare slot writers keep for
 * it, SPEC section 7) kills every page first and is the commit point; a mount that finds it
 * opens the fresh page. A store whose RAM state a failed write left behind is mounted first. */
int nbs_log_erase_all(nbs_log *log) {
    if (!log || !log->work || nbs_check_geometry(&log->flash)) return NBS_E_NOT_MOUNTED;
    int rc = NBS_OK;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_ERASE_ALL_NO_TAIL
    /* Broken on purpose: the engine's erase_all before its fix. */
    if (!log->mounted) log->empty = true;
    nbs_cache_reset(log);
    if (!log->empty) {
        if (nbs_live_pages(log) == log->pages) {
            if ((uint64_t)(log->next_slot + 1) * log->slot_size <=
                    log->flash.page_size - log->front &&
                (rc = nbs_append_marker(log, REC_TAIL, log->newest_seq, 0)))
                return rc;
            log->tail_seq = log->newest_seq;
        }
        if ((rc = nbs_open_next(log, true))) return rc;
    }
    for (uint32_t page = 0; page < log->pages && !rc; page++)
        if (log->empty || page != log->newest) rc = nbs_erase(log, page);
    if (!rc) log->mounted = true;
    return rc;
#endif
    if (!log->mounted) {
        nbs_config cfg = {log->flash, log->work, log->work_size, log->cache};
        rc = nbs_log_mount(log, &cfg, log->kind);
        /* A store that does not mount at all (NBS_E_CORRUPT) starts afresh: erased pages. */
        if (rc && rc != NBS_E_CORRUPT) return rc;
        if (rc) log->empty = true;
    }
    nbs_cache_reset(log); /* the store ends empty; the hooks below note each page's new state */
    if (!log->empty) {
        if (nbs_live_pages(log) == log->pages) {
            if (!nbs_room(log, log->next_slot, 1, 0, nbs_terminator(log->front))) return NBS_E_FULL;
            if ((rc = nbs_append_marker(log, REC_TAIL, log->newest_seq + 1, 0))) return rc;
            log->tail_seq = log->newest_seq + 1;
        }
        if ((rc = nbs_open_next(log, true))) return rc;
    }
    for (uint32_t page = 0; page < log->pages && !rc; page++)
        if (log->empty || page != log->newest) rc = nbs_erase(log, page);
    if (!rc) log->mounted = true;
    return rc;
}
