/* Mount and erase_all of the ring log: find the newest page and the tail, clean up a page open
 * that a cut interrupted, and pin the newest page's last record so that a half-written (weak)
 * last write is decided once and for all. See SPEC.md, "Mount". */
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

/* The newest page's effective records give the tail (TAIL records and its OPEN), the data
 * front (the end of every claimed block) and the bytes of its STORE items (map room rule). */
static int scan_newest(nbs_log *log) {
    nbs_walk w;
    nbs_rec r;
    int rc = nbs_walk_start(log, log->newest_seq, &w);
    while (!rc && (rc = nbs_walk_prev(log, &w, &r)) == NBS_OK) {
        uint32_t end = 0;
        if (r.b[0] == REC_TAIL && nbs_get_le(r.b + 2, 4) > log->tail_seq)
            log->tail_seq = nbs_get_le(r.b + 2, 4);
        else if (r.b[0] == REC_INTENT)
            end = nbs_rec_off(log, &r) + nbs_get_le(r.b + 4, 3);
        else if (r.b[0] == REC_STORE || r.b[0] == REC_REMOVE || r.b[0] == REC_PUSH) {
            uint32_t block = nbs_round_up(nbs_rec_klen(&r) + nbs_rec_vlen(&r), log->unit);
            end = nbs_rec_off(log, &r) + block;
            if (r.b[0] == REC_STORE) log->store_bytes += block + 2 * log->slot_size;
        }
        if (end > log->front) log->front = end;
    }
    return rc == NBS_E_END ? NBS_OK : rc;
}

/* Pins the last record: a copy of the last valid slot's content, at a slot no torn write can
 * have touched. The slot right after the last non-erased one may hold an invisible torn write,
 * so it is skipped; and the pin lands one slot further when it decides the last slot is
 * invalid, so two interrupted mounts that read a weak slot differently never write the same
 * slot with different content. Writers continue right after the pin. */
static int pin_newest(nbs_log *log) {
    int32_t m = log->last, t = m;
    nbs_rec r, check;
    int st = SLOT_INVALID;
    for (; t >= 0; t--) {
        st = nbs_read_slot(log, log->newest, log->newest_seq, (uint32_t)t, &r);
        if (st < 0) return st;
        if (st == SLOT_VALID) break;
    }
    uint32_t p = (uint32_t)m + (t == m ? 2 : 3), room = log->flash.page_size - log->front;
    /* A pin of a pin stands for the same original record: it points at that record's index. */
    if (t >= 0) t -= r.b[1];
    if (t < 0 || p - (uint32_t)t > 255 ||
        (uint64_t)(p + 1 + nbs_terminator(log->front)) * log->slot_size > room) {
        log->next_slot = log->slots_per_page; /* no room to pin: the next write opens a page */
        return NBS_OK;
    }
    r.b[1] = (uint8_t)(p - (uint32_t)t);
    int rc = nbs_write_slot(log, p, r.b);
    if (rc) return rc;
    st = nbs_read_slot(log, log->newest, log->newest_seq, p, &check);
    if (st < 0) return st;
    if (st != SLOT_VALID || memcmp(check.b, r.b, 12)) return NBS_E_IO;
    log->next_slot = p + 1;
    return NBS_OK;
}

/* A torn OPEN of the page after the newest could read valid at a later mount and take over
 * the ring; one that reads neither erased nor valid now is erased now. */
static int clean_next_page(nbs_log *log) {
    if (nbs_live_pages(log) >= log->pages) return NBS_OK;
    uint32_t page = (log->newest + 1) % log->pages, seq, tail;
    nbs_rec r;
    int rc = nbs_identity(log, page, &seq, &tail);
    if (rc) return rc < 0 ? rc : NBS_OK;
    rc = nbs_read_slot(log, page, 0, 0, &r);
    if (rc < 0) return rc;
    return rc == SLOT_ERASED ? NBS_OK : nbs_erase(log, page);
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

    for (uint32_t page = 0; page < log->pages; page++) {
        uint32_t seq, tail;
        rc = nbs_identity(log, page, &seq, &tail);
        if (rc < 0) return rc;
        if (rc && (log->empty || seq > log->newest_seq)) {
            log->empty = false;
            log->newest = page;
            log->newest_seq = seq;
            log->tail_seq = tail;
        }
    }
    if (!log->empty) {
        log->empty = true; /* until `last` is known, nbs_page_last() scans the newest page too */
        rc = nbs_page_last(log, log->newest, log->newest_seq, &log->last);
        log->empty = false;
        if (rc || (rc = scan_newest(log))) return rc;
        if (log->tail_seq > log->newest_seq || log->newest_seq - log->tail_seq >= log->pages)
            return NBS_E_CORRUPT;
        for (uint32_t seq = log->tail_seq; seq < log->newest_seq; seq++) {
            uint32_t s, t;
            rc = nbs_identity(log, nbs_page_of(log, seq), &s, &t);
            if (rc < 0) return rc;
            if (!rc || s != seq) return NBS_E_CORRUPT;
        }
        if ((rc = clean_next_page(log)) || (rc = pin_newest(log))) return rc;
    }
    log->mounted = true;
    return NBS_OK;
}

/* The commit point is the OPEN of a fresh page whose tail is itself: from then on every older
 * page is dead, whatever state the erases that follow leave it in. */
int nbs_log_erase_all(nbs_log *log) {
    if (!log || !log->work || nbs_check_geometry(&log->flash)) return NBS_E_NOT_MOUNTED;
    int rc = NBS_OK;
    if (!log->mounted) log->empty = true;
    nbs_cache_reset(log); /* the store ends empty; the hooks below note each page's new state */
    if (!log->empty) {
        /* No free page: a TAIL first kills the old tail page, which the open then erases. */
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
}
