/* The FIFO queue on format 3: a push appends an item; a pop programs the entry's P and A units
 * in place (no log space); the oldest unpopped entry is kept in RAM (the head), so peek reads one
 * entry and pop none. A page whose entries are all popped is released when a page is opened: the
 * new page's header names the tail; the pages before it are dead, erased when next opened. */
#include "nbs.h"

#include "nbs_internal.h"

static int check_queue(nbs_queue *q) {
    if (!q) return NBS_E_INVAL;
    return q->log.mounted ? NBS_OK : NBS_E_NOT_MOUNTED;
}

int nbs_queue_mount(nbs_queue *q, const nbs_config *cfg) {
    return q ? nbs_log_mount(&q->log, cfg, NBS_KIND_QUEUE) : NBS_E_INVAL;
}

int nbs_queue_erase_all(nbs_queue *q) {
    return q ? nbs_log_erase_all(&q->log) : NBS_E_INVAL;
}

/* A walk position in FIFO order: page seq and offset. */
typedef struct qpos {
    uint16_t seq;
    uint32_t off;
} qpos;

/* The first unpopped, intact entry at or after `from` (off 0: the page's start), in from's page
 * alone when one_page: NBS_OK with *at, *it and the cursor of its page, or NBS_E_EMPTY. */
static int entry_from(nbs_log *log, qpos from, bool one_page, qpos *at, nbs_item *it,
                      nbs_cursor *cur) {
    for (uint16_t seq = from.seq;; seq++) {
        if (log->empty || nbs_seq_after(seq, log->newest_seq)) return NBS_E_EMPTY;
        if (one_page && seq != from.seq) return NBS_E_EMPTY;
        int rc = nbs_cursor_start(log, nbs_page_of(log, seq), cur);
        if (seq == from.seq && from.off) cur->pos = from.off;
        uint32_t whole;
        nbs_work_chunk(log, &whole); /* read each entry whole with its header when it fits */
        while (!rc && (rc = nbs_item_next(log, cur, it, whole)) == NBS_OK) {
            if (it->type != ITEM_PUSH || it->pop_full) continue;
            int ok = nbs_item_intact(log, cur, it);
            if (ok < 0) return ok;
            if (ok) {
                *at = (qpos){seq, it->off};
                return NBS_OK;
            }
        }
        if (rc != NBS_E_END && rc != NBS_WALK_TORN) return rc;
    }
}

/* Whether the head hint says the queue is empty: it points at the newest page's front, nothing
 * was pushed since. */
static bool hint_empty(const nbs_log *log) {
    return log->head_known && log->head_page == log->newest && log->head_off >= log->front;
}

/* The oldest entry, from the RAM head when known (a hint: entries before it are popped). */
static int head_entry(nbs_log *log, qpos *at, nbs_item *it, nbs_cursor *cur) {
    qpos from = {log->tail_seq, 0};
    if (hint_empty(log)) return NBS_E_EMPTY;
    if (log->head_known && nbs_pages_back(log, log->head_page) < nbs_live_pages(log))
        from = (qpos){nbs_seq_of(log, log->head_page), log->head_off};
    int rc = entry_from(log, from, false, at, it, cur);
    if (!rc) {
        log->head_known = true;
        log->head_page = cur->page;
        log->head_off = at->off;
        nbs_cache_note_head(log, it);
    }
    return rc;
}

static int read_entry(nbs_log *log, const nbs_cursor *cur, const nbs_item *it, void *buf,
                      size_t capacity, size_t *len) {
    int rc = nbs_out_buffer(buf, capacity, len, it->vlen);
    if (rc) return rc;
    if (it->vlen && nbs_item_in_chunk(it)) {
        uint32_t size;
        memcpy(buf, nbs_work_chunk(log, &size) + (it->data - it->off), it->vlen);
        return NBS_OK;
    }
    return it->vlen ? nbs_read(log, cur->page, it->data, buf, it->vlen) : NBS_OK;
}

/* The head entry read into buf from the head cache: its data only, checked against the CRC the
 * cache holds. NBS_CACHE_ASK when the cache cannot answer or the data does not check. */
static int head_cached(nbs_log *log, nbs_item *it, nbs_cursor *cur, void *buf, size_t capacity,
                       size_t *len) {
    int rc = nbs_cache_head(log, it);
    if (rc) return rc;
    if ((rc = nbs_cursor_start(log, log->head_page, cur))) return rc;
    if (capacity < it->vlen) return NBS_CACHE_ASK; /* the flash path reports the size */
    if (!buf && it->vlen) return NBS_E_INVAL;
    rc = it->vlen ? nbs_read(log, cur->page, it->data, buf, it->vlen) : 0;
    if (rc == NBS_E_ECC) return NBS_CACHE_ASK;
    if (rc) return rc;
    uint32_t crc = nbs_crc32c(cur->seed, it->head, it->head_len);
    if (nbs_crc32c(crc, buf, it->vlen) != it->crc) return NBS_CACHE_ASK;
    if (len) *len = it->vlen;
    return NBS_OK;
}

/* The oldest entry, read into buf: from the head cache when it can, else from flash. */
static int head_read(nbs_log *log, nbs_item *it, nbs_cursor *cur, void *buf, size_t capacity,
                     size_t *len) {
    int rc = head_cached(log, it, cur, buf, capacity, len);
    qpos at;
    if (rc == NBS_CACHE_ASK) {
        if ((rc = head_entry(log, &at, it, cur))) return rc;
        return read_entry(log, cur, it, buf, capacity, len);
    }
    if (rc || !log->cache.check) return rc;
    nbs_item truth;
    nbs_cursor where;
    if ((rc = head_entry(log, &at, &truth, &where))) return rc;
    bool same = where.page == cur->page && truth.off == it->off && truth.vlen == it->vlen;
    return same ? NBS_OK : NBS_E_CACHE_MISMATCH;
}

int nbs_queue_peek(nbs_queue *q, void *buf, size_t capacity, size_t *len) {
    int rc = check_queue(q);
    if (rc) return rc;
    nbs_item it;
    nbs_cursor cur;
    return head_read(&q->log, &it, &cur, buf, capacity, len);
}

static int pop_item(nbs_log *log, const nbs_cursor *cur, const nbs_item *it) {
    bool head = log->head_known && log->head_page == cur->page && log->head_off == it->off;
    int rc = nbs_pop_entry(log, cur->page, it);
    nbs_cache_entries_changed(log, cur->page, rc, it->pop_full ? 0 : -1);
    if (!rc && head) log->head_off = it->end; /* a hint: the next entry is at or after it */
    return rc;
}

int nbs_queue_pop(nbs_queue *q, void *buf, size_t capacity, size_t *len) {
    int rc = check_queue(q);
    if (rc || (rc = nbs_check_writable(&q->log))) return rc;
    nbs_item it;
    nbs_cursor cur;
    if ((rc = head_read(&q->log, &it, &cur, buf, capacity, len))) return rc;
    return pop_item(&q->log, &cur, &it);
}

/* The seq of the oldest entry's page from RAM: the head hint's page, when the page-pointer cache
 * says it still holds an entry (the entries before the hint are popped). NBS_CACHE_ASK when the
 * cache cannot say. */
static int head_page_cached(nbs_log *log, uint16_t *seq) {
    uint32_t n;
    if (!log->head_known || nbs_cache_entries(log, log->head_page, &n) || !n ||
        nbs_pages_back(log, log->head_page) >= nbs_live_pages(log))
        return NBS_CACHE_ASK;
    *seq = nbs_seq_of(log, log->head_page);
    return NBS_OK;
}

/* The tail a page opened now would have: NBS_OK, or NBS_E_FULL when opening it would leave no
 * free page (the spare stays free). A full queue refuses a push with no read when the cache
 * knows the head's page. */
static int next_tail(nbs_log *log, uint16_t *tail) {
    qpos at;
    nbs_item it;
    nbs_cursor cur;
    uint16_t seq = log->empty ? 1 : (uint16_t)(log->newest_seq + 1), cached = 0;
    int rc = log->empty ? NBS_E_EMPTY : head_page_cached(log, &cached);
    at.seq = cached;
    if (rc == NBS_CACHE_ASK || (rc == NBS_OK && log->cache.check)) {
        bool known = rc == NBS_OK;
        rc = head_entry(log, &at, &it, &cur);
        if (known && (rc == NBS_E_EMPTY || (!rc && at.seq != cached))) return NBS_E_CACHE_MISMATCH;
    }
    if (rc && rc != NBS_E_EMPTY) return rc;
    *tail = rc ? seq : at.seq;
    return (uint32_t)(uint16_t)(seq - *tail) + 2 > log->pages ? NBS_E_FULL : NBS_OK;
}

/* Opens a page for a push: its header names the oldest page that still holds an entry as the
 * tail. NBS_E_FULL when that would leave no free page. The pages before the new tail are dead
 * and stay as they are until the ring comes back to them: a page is erased when it is opened
 * (SPEC 5.4), so each lap costs one erase per page, even across power cycles. */
static int open_for_push(nbs_log *log) {
    uint16_t seq = log->empty ? 1 : (uint16_t)(log->newest_seq + 1), tail;
    int rc = next_tail(log, &tail);
    if (rc) return rc;
    bool was_empty = hint_empty(log);
    rc = nbs_open_next(log, (uint16_t)(seq - tail));
    if (!rc) nbs_cache_note_entries(log, log->newest, 0);
    if (!rc && was_empty) log->head_page = log->newest, log->head_off = log->front;
    return rc;
}

int nbs_queue_push(nbs_queue *q, const void *data, size_t len, unsigned flags) {
    int rc = check_queue(q);
    if (rc || (rc = nbs_check_writable(&q->log))) return rc;
    if (!data && len) return NBS_E_INVAL;
    nbs_log *log = &q->log;
    if (len > nbs_queue_max_item(&log->flash)) return NBS_E_TOO_BIG;
    nbs_payload p = {NULL, 0, data, (uint32_t)len, false};
    for (;;) {
        if (nbs_fits_newest(log, nbs_append_cost(log, 0, p.vlen))) break;
        if ((rc = open_for_push(log)) == NBS_OK) continue;
        if (rc != NBS_E_FULL || !(flags & NBS_PUSH_DROP_OLDEST)) return rc;
        qpos at;
        nbs_item it;
        nbs_cursor cur;
        if ((rc = head_entry(log, &at, &it, &cur))) return rc == NBS_E_EMPTY ? NBS_E_FULL : rc;
        if ((rc = pop_item(log, &cur, &it))) return rc;
    }
    bool was_empty = hint_empty(log);
    nbs_item pushed;
    rc = nbs_append(log, ITEM_PUSH, &p, &pushed);
    nbs_cache_entries_changed(log, log->newest, rc, 1);
    if (rc) return rc;
    if (was_empty) { /* the new entry is the head */
        log->head_off = pushed.off;
        nbs_cache_note_head(log, &pushed);
    }
    return NBS_OK;
}

/* The unpopped entries of one page (seq), or from page `from.seq` on when !one_page: how many,
 * and the bytes their items take. */
static int tally(nbs_log *log, qpos at, bool one_page, uint32_t *count, uint32_t *live) {
    nbs_item it;
    nbs_cursor cur;
    int rc;
    *count = *live = 0;
    while ((rc = entry_from(log, at, one_page, &at, &it, &cur)) == NBS_OK) {
        ++*count;
        *live += it.end - it.off;
        at.off = it.end;
    }
    return rc == NBS_E_EMPTY ? NBS_OK : rc;
}

/* The unpopped entries page by page, each page's from the cache when it knows it (a page
 * counted from flash is noted there). Check mode compares the sum with a walk of flash. */
static int count_entries(nbs_log *log, uint32_t *count) {
    uint32_t n, live;
    int rc;
    qpos tail = {log->tail_seq, 0};
    if (!NBS_WITH_CACHES || !(log->cache.flags & NBS_CACHE_PAGE_POINTERS))
        return tally(log, tail, false, count, &live);
    *count = 0;
    for (uint16_t seq = log->tail_seq; !log->empty && !nbs_seq_after(seq, log->newest_seq); seq++) {
        uint32_t page = nbs_page_of(log, seq);
        if (nbs_cache_entries(log, page, &n) == NBS_OK) {
            *count += n;
            continue;
        }
        if ((rc = tally(log, (qpos){seq, 0}, true, &n, &live))) return rc;
        nbs_cache_note_entries(log, page, n);
        *count += n;
    }
    if (!log->cache.check) return NBS_OK;
    if ((rc = tally(log, tail, false, &n, &live))) return rc;
    return n == *count ? NBS_OK : NBS_E_CACHE_MISMATCH;
}

/* A count that walks pages leaves the memo of the last page header read (log->seed_page,
 * usually the head's page) as it found it: the next peek or pop needs no header read. */
int nbs_queue_count(nbs_queue *q, uint32_t *count) {
    int rc = check_queue(q);
    if (rc || !count) return rc ? rc : NBS_E_INVAL;
    nbs_log *log = &q->log;
    uint32_t memo_page = log->seed_page, memo_seed = log->seed_of;
    rc = count_entries(log, count);
    log->seed_page = memo_page, log->seed_of = memo_seed;
    return rc;
}

int nbs_queue_max_push(nbs_queue *q, size_t *len) {
    int rc = check_queue(q);
    if (rc || !len) return rc ? rc : NBS_E_INVAL;
    nbs_log *log = &q->log;
    uint32_t best = 0, max = nbs_queue_max_item(&log->flash);
    uint16_t tail;
    if ((rc = next_tail(log, &tail)) == NBS_OK) {
        best = max; /* a push may open a page */
    } else if (rc != NBS_E_FULL) {
        return rc;
    } else {
        for (uint32_t n = max + 1; n-- > 0;) {
            if (nbs_fits_newest(log, nbs_append_cost(log, 0, n))) {
                best = n;
                break;
            }
        }
    }
    if (best < max && next_tail(log, &tail) == NBS_OK) best = max;
    *len = best;
    return NBS_OK;
}

int nbs_queue_space(nbs_queue *q, nbs_space *space) {
    int rc = check_queue(q);
    if (rc || !space) return rc ? rc : NBS_E_INVAL;
    uint32_t count, live;
    rc = tally(&q->log, (qpos){q->log.tail_seq, 0}, false, &count, &live);
    return rc ? rc : nbs_space_figures(&q->log, live, space);
}

void nbs_queue_iter_init(nbs_queue *q, nbs_queue_iter *it) {
    if (!it) return;
    it->q = q;
    it->page_step = q ? q->log.tail_seq : 0;
    it->slot = 0;
    it->has_current = false;
}

int nbs_queue_iter_next(nbs_queue_iter *iter, void *buf, size_t capacity, size_t *len) {
    int rc = iter ? check_queue(iter->q) : NBS_E_INVAL;
    if (rc) return rc;
    nbs_log *log = &iter->q->log;
    qpos from = {(uint16_t)iter->page_step, iter->slot}, at;
    if (nbs_seq_after(log->tail_seq, from.seq)) from = (qpos){log->tail_seq, 0};
    nbs_item it;
    nbs_cursor cur;
    iter->has_current = false;
    if ((rc = entry_from(log, from, false, &at, &it, &cur)))
        return rc == NBS_E_EMPTY ? NBS_E_END : rc;
    if ((rc = read_entry(log, &cur, &it, buf, capacity, len))) return rc;
    iter->page_step = at.seq;
    iter->slot = it.end; /* the next step starts after this entry */
    iter->has_current = true;
    return NBS_OK;
}

int nbs_queue_iter_pop_current(nbs_queue_iter *iter) {
    int rc = iter ? check_queue(iter->q) : NBS_E_INVAL;
    if (rc || (rc = nbs_check_writable(&iter->q->log))) return rc;
    if (!iter->has_current) return NBS_E_INVAL;
    nbs_log *log = &iter->q->log;
    /* Find the entry again: the one before iter->slot in its page. */
    nbs_cursor cur;
    nbs_item it, last = {0};
    bool found = false;
    if ((rc = nbs_cursor_start(log, nbs_page_of(log, (uint16_t)iter->page_step), &cur))) return rc;
    while ((rc = nbs_item_next(log, &cur, &it, 0)) == NBS_OK && it.end <= iter->slot)
        if (it.end == iter->slot) last = it, found = true;
    if (!found) return NBS_E_CORRUPT;
    iter->has_current = false;
    nbs_cursor at = cur;
    at.page = nbs_page_of(log, (uint16_t)iter->page_step);
    return pop_item(log, &at, &last);
}
