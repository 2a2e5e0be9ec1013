/* The FIFO queue over the ring log. A push appends a PUSH item; a pop appends POP_UPTO (every
 * entry up to that one is gone) or, for an entry an iterator pops out of order, POP_ONE. A TAIL
 * record releases pages whose entries are all popped; popping the last entry of the tail page
 * is that TAIL alone. One page is kept free for pop and TAIL
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

/* Entries left in the tail page: the in-order pops that release it need that many slots. */
static int tail_entries(nbs_log *log, uint32_t *count) {
    nbs_rec r;
    qpos at = queue_start;
    int rc;
    *count = 0;
    while ((rc = next_entry(log, at, &r, &at)) == NBS_OK && at.seq == log->tail_seq) ++*count;
    return rc == NBS_E_EMPTY || rc == NBS_OK ? NBS_OK : rc;
}

/* Pops entry `at` with one record. Popping the oldest entry when the next one (or, with none
 * left, the newest page) lies in a later page is a TAIL to that page: `at` is in a released
 * page, so in-order pops free each page without an extra record, and a page opened for pops
 * (every page live) holds the pops of the tail page's entries, fewer than its slots. An
 * out-of-order pop (POP_ONE) leaves that much room, or reports NBS_E_FULL. */
static int pop_at(nbs_log *log, qpos at, bool first) {
    nbs_rec r;
    qpos next = at;
    uint8_t type = first ? REC_POP_UPTO : REC_POP_ONE;
    uint32_t need = 0;
    int rc = first ? next_entry(log, at, &r, &next) : tail_entries(log, &need);
    if (rc && rc != NBS_E_EMPTY) return rc;
    uint32_t tail = rc ? log->newest_seq : next.seq;
    if (first && tail > at.seq) type = REC_TAIL, at = (qpos){tail, 0};
    if ((rc = room_for_marker(log))) return rc;
    if (!first && nbs_live_pages(log) == log->pages && !nbs_fits(log, 1 + need, 0, 0))
        return NBS_E_FULL;
    if ((rc = nbs_append_marker(log, type, at.seq, (uint32_t)at.slot))) return rc;
    if (type == REC_TAIL) log->tail_seq = tail;
    return NBS_OK;
}

/* The largest block the newest page takes besides `records` more records (0: none). */
static uint32_t newest_gap(const nbs_log *log, uint32_t records) {
    uint64_t used =
        log->front + ((uint64_t)log->next_slot + records + NBS_RESERVE) * log->slot_size;
    if (log->empty || used > log->flash.page_size) return 0;
    return (uint32_t)(log->flash.page_size - used) / log->unit * log->unit;
}

/* The next step that makes room for a push, and the largest block the push can take after it
 * (and whatever steps follow). A push writes to the newest page only while a page stays free
 * (pops may need it); it opens a page while another stays free, or, with the queue empty, one
 * whose OPEN releases every older page; else a TAIL releases the pages before the oldest entry
 * (opening the last free page for it when the newest is full, which the release gives back). */
enum { STEP_NONE, STEP_OPEN, STEP_OPEN_SELF, STEP_TAIL };
static int push_step(nbs_log *log, int *step, uint32_t *tail, uint32_t *capacity) {
    uint32_t live = nbs_live_pages(log), max_item = nbs_max_block(&log->flash, 0);
    nbs_rec r;
    qpos first;
    *step = STEP_OPEN;
    *capacity = max_item;
    if (log->empty || live + 1 < log->pages) return NBS_OK;
    int rc = next_entry(log, queue_start, &r, &first);
    if (rc && rc != NBS_E_EMPTY) return rc;
    bool none_left = rc == NBS_E_EMPTY;
    *tail = none_left ? log->newest_seq : first.seq;
    *step = STEP_OPEN_SELF;
    if (none_left && live < log->pages) return NBS_OK;
    *step = STEP_TAIL;
    if (*tail > log->tail_seq && !nbs_fits(log, 1, 0, 0) && live < log->pages) return NBS_OK;
    if (*tail > log->tail_seq && nbs_fits(log, 1, 0, 0)) {
        uint32_t live_after = log->newest_seq - *tail + 1;
        if (!none_left && live_after + 1 >= log->pages) *capacity = newest_gap(log, 3);
        return NBS_OK;
    }
    *step = STEP_NONE;
    *capacity = 0;
    return NBS_OK;
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

/* Takes room steps (push_step) until the item fits; when none is left, NBS_PUSH_DROP_OLDEST
 * pops the oldest entry and tries again. */
int nbs_queue_push(nbs_queue *q, const void *data, size_t len, unsigned flags) {
    int rc = check_queue(q);
    if (rc) return rc;
    nbs_log *log = &q->log;
    if (!data && len) return NBS_E_INVAL;
    if (len > nbs_queue_max_item(&log->flash)) return NBS_E_TOO_BIG;
    uint32_t block = nbs_round_up((uint32_t)len, log->unit);
    while (!rc && (nbs_live_pages(log) == log->pages || !nbs_fits(log, 2, block, 0))) {
        int step;
        uint32_t tail, capacity;
        nbs_rec r;
        qpos first;
        if ((rc = push_step(log, &step, &tail, &capacity))) return rc;
        if (step == STEP_OPEN || step == STEP_OPEN_SELF)
            rc = nbs_open_next(log, step == STEP_OPEN_SELF);
        else if (step == STEP_TAIL && !(rc = room_for_marker(log)) &&
                 !(rc = nbs_append_marker(log, REC_TAIL, tail, 0)))
            log->tail_seq = tail;
        else if (step == STEP_NONE && !(flags & NBS_PUSH_DROP_OLDEST))
            return NBS_E_FULL;
        else if (step == STEP_NONE && !(rc = next_entry(log, queue_start, &r, &first)))
            rc = pop_at(log, first, true);
    }
    if (rc) return rc == NBS_E_EMPTY ? NBS_E_FULL : rc;
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

/* The newest page's gap while a page stays free, or what the next room step gives. */
int nbs_queue_max_push(nbs_queue *q, size_t *len) {
    int rc = check_queue(q);
    if (rc || !len) return rc ? rc : NBS_E_INVAL;
    nbs_log *log = &q->log;
    int step;
    uint32_t tail, capacity;
    if ((rc = push_step(log, &step, &tail, &capacity))) return rc;
    uint32_t now = nbs_live_pages(log) < log->pages ? newest_gap(log, 2) : 0;
    *len = now > capacity ? now : capacity;
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
