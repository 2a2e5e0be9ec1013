/* The FIFO queue over the ring log. A push appends a PUSH item; a pop appends POP_UPTO (every
 * entry up to that one is gone) or, for an entry an iterator pops out of order, POP_ONE. A TAIL
 * record releases pages whose entries are all popped. One page is kept free for pop and TAIL
 * records, so popping never fails for lack of room while a push may. */
#include "nbs_queue.h"

#include "nbs_internal.h"

/* A place in FIFO order: page seq, then slot index. */
typedef struct qpos {
    uint32_t seq;
    int32_t slot;
} qpos;

static const qpos queue_start = {0, -1};

static int check_queue(nbs_queue *q) {
    if (!q) return NBS_E_INVAL;
    return q->log.mounted ? NBS_OK : NBS_E_NOT_MOUNTED;
}

/* Finds the newest record of `type` naming (seq, slot) in pages from `from` on; with
 * match_any, the newest of that type at all. */
static int find_marker(nbs_log *log, uint8_t type, uint32_t from, qpos *at, bool match_any,
                       bool *found) {
    *found = false;
    for (uint32_t seq = log->newest_seq; !log->empty && seq >= from; seq--) {
        nbs_walk w;
        nbs_rec r;
        int rc = nbs_walk_start(log, seq, &w);
        while (!rc && (rc = nbs_walk_prev(log, &w, &r)) == NBS_OK) {
            qpos p = {nbs_get_le(r.b + 2, 4), (int32_t)nbs_get_le(r.b + 6, 2)};
            if (r.b[0] == type && (match_any || (p.seq == at->seq && p.slot == at->slot))) {
                *at = p;
                *found = true;
                return NBS_OK;
            }
        }
        if (rc != NBS_E_END) return rc;
        if (seq == log->tail_seq) break;
    }
    return NBS_OK;
}

static bool after(qpos a, qpos b) {
    return a.seq > b.seq || (a.seq == b.seq && a.slot > b.slot);
}

/* The first entry after `from` that is neither popped nor corrupt. */
static int next_entry(nbs_log *log, qpos from, nbs_rec *r, qpos *at) {
    qpos head = queue_start;
    bool found;
    int rc = find_marker(log, REC_POP_UPTO, log->tail_seq, &head, true, &found);
    if (rc) return rc;
    if (after(head, from)) from = head;
    for (uint32_t seq = log->tail_seq > from.seq ? log->tail_seq : from.seq;
         !log->empty && seq <= log->newest_seq; seq++) {
        int32_t lower = seq == from.seq ? from.slot : -1;
        for (;;) {
            nbs_walk w;
            nbs_rec x;
            int32_t best = -1;
            rc = nbs_walk_start(log, seq, &w);
            while (!rc && (rc = nbs_walk_prev(log, &w, &x)) == NBS_OK)
                if (x.b[0] == REC_PUSH && (int32_t)x.slot > lower &&
                    (best < 0 || (int32_t)x.slot < best))
                    best = (int32_t)x.slot, *r = x;
            if (rc != NBS_E_END) return rc;
            if (best < 0) break;
            lower = best;
            *at = (qpos){seq, best};
            qpos one = *at;
            if ((rc = find_marker(log, REC_POP_ONE, seq, &one, false, &found))) return rc;
            if (found) continue;
            rc = nbs_item_intact(log, seq, r);
            if (rc) return rc < 0 ? rc : NBS_OK;
        }
    }
    return NBS_E_EMPTY;
}

/* Room for one pop or TAIL record: these may take the last free page. */
static int room_for_marker(nbs_log *log) {
    if (nbs_fits(log, 1, 0, 0)) return NBS_OK;
    return nbs_open_next(log, false);
}

/* Moves the tail up to the page of the oldest entry (past every page when none is left and
 * `move_on` allows opening a new page to release the newest one too). */
static int release(nbs_log *log, bool move_on, bool *released) {
    nbs_rec r;
    qpos first;
    int rc = next_entry(log, queue_start, &r, &first);
    *released = false;
    if (rc && rc != NBS_E_EMPTY) return rc;
    uint32_t tail = rc ? log->newest_seq + move_on : first.seq;
    if (tail <= log->tail_seq) return NBS_OK;
    if (tail > log->newest_seq && (rc = nbs_open_next(log, false))) return rc;
    if ((rc = room_for_marker(log)) || (rc = nbs_append_marker(log, REC_TAIL, tail, 0))) return rc;
    log->tail_seq = tail;
    *released = true;
    return NBS_OK;
}

static int pop_at(nbs_log *log, qpos at, bool first) {
    bool released;
    int rc = room_for_marker(log);
    if (!rc)
        rc = nbs_append_marker(log, first ? REC_POP_UPTO : REC_POP_ONE, at.seq, (uint32_t)at.slot);
    return rc ? rc : release(log, false, &released);
}

int nbs_queue_mount(nbs_queue *q, const nbs_config *cfg) {
    return q ? nbs_log_mount(&q->log, cfg, NBS_KIND_QUEUE) : NBS_E_INVAL;
}

int nbs_queue_erase_all(nbs_queue *q) {
    return q ? nbs_log_erase_all(&q->log) : NBS_E_INVAL;
}

uint32_t nbs_queue_max_item(const nbs_flash *flash) {
    return nbs_max_block(flash, 0);
}

/* A push takes a new page only while another stays free; otherwise it first releases popped
 * pages (opening the last free page is fine when that frees the tail page), then, with
 * NBS_PUSH_DROP_OLDEST, pops the oldest entries until a page is released. */
int nbs_queue_push(nbs_queue *q, const void *data, size_t len, unsigned flags) {
    int rc = check_queue(q);
    if (rc) return rc;
    nbs_log *log = &q->log;
    if (!data && len) return NBS_E_INVAL;
    if (len > nbs_queue_max_item(&log->flash)) return NBS_E_TOO_BIG;
    uint32_t block = nbs_round_up((uint32_t)len, log->unit);
    /* With no free page left (a pop took it), the newest page's room is kept for pops. */
    while (!nbs_fits(log, 2, block, 0) || nbs_live_pages(log) == log->pages) {
        bool released;
        nbs_rec r;
        qpos first;
        if (log->empty || nbs_live_pages(log) + 1 < log->pages)
            rc = nbs_open_next(log, false);
        else if (!(rc = release(log, true, &released)) && !released) {
            if (!(flags & NBS_PUSH_DROP_OLDEST)) return NBS_E_FULL;
            rc = next_entry(log, queue_start, &r, &first);
            if (!rc) rc = pop_at(log, first, true);
            if (rc == NBS_E_EMPTY) rc = NBS_E_FULL;
        }
        if (rc) return rc;
    }
    nbs_src parts[2] = {{NULL, 0, 0}, {data, 0, (uint32_t)len}};
    return nbs_append_item(log, REC_PUSH, 0, (uint32_t)len, parts);
}

/* Reads the entry `r` of page `seq` into buf, reporting its size. */
static int read_entry(nbs_log *log, uint32_t seq, const nbs_rec *r, void *buf, size_t capacity,
                      size_t *len) {
    uint32_t vlen = nbs_rec_vlen(r);
    if (len) *len = vlen;
    if (capacity < vlen) return NBS_E_BUFFER_TOO_SMALL;
    if (!buf && vlen) return NBS_E_INVAL;
    return vlen ? nbs_read(log, nbs_item_addr(log, seq, r), buf, vlen) : NBS_OK;
}

int nbs_queue_peek(nbs_queue *q, void *buf, size_t capacity, size_t *len) {
    nbs_rec r;
    qpos at;
    int rc = check_queue(q);
    if (rc || (rc = next_entry(&q->log, queue_start, &r, &at))) return rc;
    return read_entry(&q->log, at.seq, &r, buf, capacity, len);
}

int nbs_queue_pop(nbs_queue *q, void *buf, size_t capacity, size_t *len) {
    nbs_rec r;
    qpos at;
    int rc = check_queue(q);
    if (rc || (rc = next_entry(&q->log, queue_start, &r, &at)) ||
        (rc = read_entry(&q->log, at.seq, &r, buf, capacity, len)))
        return rc;
    return pop_at(&q->log, at, true);
}

/* Counts entries and the bytes they take (data block and slots). */
static int entry_totals(nbs_log *log, uint32_t *count, uint32_t *bytes) {
    nbs_rec r;
    qpos at = queue_start;
    int rc;
    *count = *bytes = 0;
    while ((rc = next_entry(log, at, &r, &at)) == NBS_OK) {
        ++*count;
        *bytes += nbs_round_up(nbs_rec_vlen(&r), log->unit) + 2 * log->slot_size;
    }
    return rc == NBS_E_EMPTY ? NBS_OK : rc;
}

int nbs_queue_count(nbs_queue *q, uint32_t *count) {
    uint32_t bytes;
    int rc = check_queue(q);
    if (rc || !count) return rc ? rc : NBS_E_INVAL;
    return entry_totals(&q->log, count, &bytes);
}

int nbs_queue_space(nbs_queue *q, nbs_space *space) {
    uint32_t count, live;
    int rc = check_queue(q);
    if (rc || !space) return rc ? rc : NBS_E_INVAL;
    if ((rc = entry_totals(&q->log, &count, &live))) return rc;
    nbs_log_space(&q->log, live, 0, space);
    return NBS_OK;
}

/* The newest page's gap, or a fresh page when a push could open one now (a free page beyond
 * the kept one, or the tail page holds no entry and would be released). */
int nbs_queue_max_push(nbs_queue *q, size_t *len) {
    int rc = check_queue(q);
    if (rc || !len) return rc ? rc : NBS_E_INVAL;
    nbs_log *log = &q->log;
    nbs_rec r;
    qpos first;
    uint32_t best = 0, page = log->flash.page_size;
    uint64_t slots = ((uint64_t)log->next_slot + 2 + NBS_RESERVE) * log->slot_size;
    if (!log->empty && log->front + slots <= page && nbs_live_pages(log) < log->pages)
        best = (uint32_t)(page - log->front - slots) / log->unit * log->unit;
    rc = next_entry(log, queue_start, &r, &first);
    if (rc && rc != NBS_E_EMPTY) return rc;
    bool tail_free = rc ? log->tail_seq < log->newest_seq || best == 0 : first.seq > log->tail_seq;
    if (log->empty || nbs_live_pages(log) + 1 < log->pages || tail_free) {
        uint32_t fresh = nbs_queue_max_item(&log->flash);
        if (fresh > best) best = fresh;
    }
    *len = best;
    return NBS_OK;
}

void nbs_queue_iter_init(nbs_queue *q, nbs_queue_iter *it) {
    if (!it) return;
    it->q = q;
    it->page_step = 0;
    it->slot = 0;
    it->has_current = false;
}

/* The iterator keeps the FIFO place of the entry last returned: page seq and slot + 1. */
int nbs_queue_iter_next(nbs_queue_iter *it, void *buf, size_t capacity, size_t *len) {
    int rc = it ? check_queue(it->q) : NBS_E_INVAL;
    if (rc) return rc;
    nbs_rec r;
    qpos at, from = {it->page_step, (int32_t)it->slot - 1};
    it->has_current = false;
    rc = next_entry(&it->q->log, from, &r, &at);
    if (rc) return rc == NBS_E_EMPTY ? NBS_E_END : rc;
    if ((rc = read_entry(&it->q->log, at.seq, &r, buf, capacity, len))) return rc;
    it->page_step = at.seq;
    it->slot = (uint32_t)at.slot + 1;
    it->has_current = true;
    return NBS_OK;
}

int nbs_queue_iter_pop_current(nbs_queue_iter *it) {
    int rc = it ? check_queue(it->q) : NBS_E_INVAL;
    if (rc) return rc;
    if (!it->has_current) return NBS_E_INVAL;
    nbs_rec r;
    qpos first, at = {it->page_step, (int32_t)it->slot - 1};
    rc = next_entry(&it->q->log, queue_start, &r, &first);
    if (rc) return rc == NBS_E_EMPTY ? NBS_E_INVAL : rc;
    it->has_current = false;
    return pop_at(&it->q->log, at, first.seq == at.seq && first.slot == at.slot);
}
