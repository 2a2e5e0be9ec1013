/* The FIFO queue over the ring log. A push appends a PUSH item; a pop appends POP_UPTO (every
 * entry up to that one is gone) or, for an entry an iterator pops out of order, POP_ONE. A TAIL
 * record releases pages whose entries are all popped; popping the last entry of the oldest
 * entry's page is that TAIL alone. Pops may open the last free page; pushes and POP_ONE that
 * leave every page live keep room in the newest page for the in-order pops that release the
 * oldest entry's page, so a pop stays possible while a push may report NBS_E_FULL. */
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

/* Entries oldest first: how many and the bytes they take (block and slots), the oldest and how
 * many share its page (the in-order pops that release it). With first_page_only the walk ends
 * with that page. */
typedef struct qtotals {
    uint32_t count, bytes, in_first;
    qpos first;
} qtotals;

static int entry_totals(nbs_log *log, bool first_page_only, qtotals *t) {
    nbs_rec r;
    qpos at = queue_start;
    int rc;
    memset(t, 0, sizeof *t);
    while ((rc = next_entry(log, at, &r, &at)) == NBS_OK) {
        if (!t->count) t->first = at;
        if (at.seq != t->first.seq && first_page_only) break;
        t->in_first += at.seq == t->first.seq;
        t->count++;
        /* An empty entry is its commit record alone: no INTENT, no data. */
        uint32_t vlen = nbs_rec_vlen(&r);
        t->bytes += vlen ? nbs_round_up(vlen, log->unit) + 2 * log->slot_size : log->slot_size;
    }
    return rc == NBS_E_EMPTY || rc == NBS_OK ? NBS_OK : rc;
}

/* Appends one pop or TAIL record; these may open the last free page. A TAIL frees a page, so
 * it may take the spare slot (SPEC section 7). */
static bool pop_fits(const nbs_log *log, uint8_t type) {
    return type == REC_TAIL ? nbs_fits_tail(log) : nbs_fits(log, 1, 0, 0);
}

static int append_pop(nbs_log *log, uint8_t type, qpos at) {
    int rc = pop_fits(log, type) ? NBS_OK : nbs_open_next(log, false);
    if (rc || (rc = nbs_append_marker(log, type, at.seq, (uint32_t)at.slot))) return rc;
    if (type == REC_TAIL) log->tail_seq = at.seq;
    return NBS_OK;
}

/* With every page live, the records the newest page must keep for the in-order pops that
 * free a page: a TAIL when pages before the oldest entry's hold no entries, else a pop for each
 * entry of the oldest entry's page (the last of them a TAIL). */
static uint32_t release_pops(const nbs_log *log, const qtotals *t) {
    return t->first.seq > log->tail_seq ? 1 : t->in_first;
}

/* Pops entry `at` with one record. In order (no `t`): when the next entry (or, with none left,
 * the newest page) lies in a later page, a TAIL to that page, so in-order pops release each
 * page without an extra record; else POP_UPTO. Out of order (`t`: the oldest page's totals):
 * POP_ONE. With every page live, pages before the oldest entry's are released by a TAIL first,
 * so a page is free for the pop; otherwise a POP_ONE must leave room for the in-order pops of
 * the oldest entry's page (one fewer when `at` is one of them), else NBS_E_FULL. */
static int pop_at(nbs_log *log, qpos at, const qtotals *t) {
    uint8_t type = REC_POP_ONE;
    uint32_t oldest = t ? t->first.seq : at.seq;
    int rc;
    if (!t) {
        nbs_rec r;
        qpos next;
        rc = next_entry(log, at, &r, &next);
        if (rc && rc != NBS_E_EMPTY) return rc;
        uint32_t tail = rc ? log->newest_seq : next.seq;
        type = REC_POP_UPTO;
        if (tail > at.seq) type = REC_TAIL, at = (qpos){tail, 0};
    }
    if (type != REC_TAIL && nbs_live_pages(log) == log->pages) {
        if (oldest > log->tail_seq) {
            if ((rc = append_pop(log, REC_TAIL, (qpos){oldest, 0}))) return rc;
        } else if (t && !nbs_fits(log, 1 + t->in_first - (at.seq == oldest), 0, 0)) {
            return NBS_E_FULL;
        }
    }
    return append_pop(log, type, at);
}

/* The largest block the newest page takes besides `records` more records (0: none). */
static uint32_t newest_gap(const nbs_log *log, uint32_t records) {
    uint64_t used =
        log->front +
        ((uint64_t)log->next_slot + records + nbs_kept_slots(log, 1, false)) * log->slot_size;
    if (log->empty || !nbs_live_pages(log) || used > log->flash.page_size) return 0;
    return (uint32_t)(log->flash.page_size - used) / log->unit * log->unit;
}

/* What a push that does not fit yet does to make room. A push takes 2 records, and with every
 * page live it leaves room for the in-order pops that release the oldest entry's page plus the
 * pins of POP_MOUNTS mounts before them. While a page stays free besides the one it opens, it
 * opens a page; with the queue empty, one whose OPEN releases every older page; with pages
 * before the oldest entry's, a TAIL releases them; else it may open the last free page if it
 * fits there with that room kept. `capacity` is the largest block the push takes after this
 * step and those that follow, so nbs_queue_max_push agrees with push. */
enum { STEP_NONE, STEP_OPEN, STEP_OPEN_SELF, STEP_TAIL, POP_MOUNTS = 4 };
typedef struct push_plan {
    int step;
    uint32_t records, tail, capacity;
} push_plan;

static int plan_push(nbs_log *log, push_plan *p) {
    uint32_t live = nbs_live_pages(log);
    qtotals t;
    p->step = STEP_OPEN;
    p->records = 2;
    p->capacity = nbs_max_block(&log->flash, 0);
    if (log->empty || live + 1 < log->pages) return NBS_OK;
    int rc = entry_totals(log, true, &t);
    if (rc) return rc;
    uint32_t keep = release_pops(log, &t) + POP_MOUNTS * NBS_PIN_SLOTS;
    bool tail_fits = pop_fits(log, REC_TAIL);
    if (live == log->pages) p->records += keep;
    p->tail = t.count ? t.first.seq : log->newest_seq;
    if (!t.count && live < log->pages) {
        p->step = STEP_OPEN_SELF;
    } else if (p->tail > log->tail_seq && (live < log->pages || tail_fits)) {
        /* Without room for the TAIL, the page opened for it is fresh room for the push. */
        p->step = STEP_TAIL;
        if (t.count && tail_fits && log->newest_seq - p->tail + 2 >= log->pages) {
            /* After the TAIL the oldest entry's page is the tail: its entries are the release
             * pops the last free page must keep room for. */
            uint32_t keep_after = t.in_first + POP_MOUNTS * NBS_PIN_SLOTS;
            uint32_t after = newest_gap(log, 3);
            uint32_t last_page = nbs_max_block(&log->flash, keep_after);
            p->capacity = after > last_page ? after : last_page;
        }
    } else if (live < log->pages) {
        p->capacity = nbs_max_block(&log->flash, keep);
    } else {
        p->step = STEP_NONE;
        p->capacity = 0;
    }
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

/* With every page live, dropping the oldest entries frees a page only if the newest page still
 * holds their release pops; mount pins can use that room up (SPEC.md, Known limits), and then a
 * push must not drop entries and fail anyway: NBS_E_FULL before the first pop. */
static int check_drop_room(nbs_log *log) {
    qtotals t;
    if (nbs_live_pages(log) < log->pages) return NBS_OK;
    int rc = entry_totals(log, true, &t);
    if (rc) return rc;
    return !t.count || nbs_fits(log, release_pops(log, &t), 0, 0) ? NBS_OK : NBS_E_FULL;
}

/* Takes room steps (plan_push) until the item fits; when none is left, NBS_PUSH_DROP_OLDEST
 * pops the oldest entry and tries again. */
int nbs_queue_push(nbs_queue *q, const void *data, size_t len, unsigned flags) {
    int rc = check_queue(q);
    if (rc) return rc;
    nbs_log *log = &q->log;
    if (!data && len) return NBS_E_INVAL;
    if (len > nbs_queue_max_item(&log->flash)) return NBS_E_TOO_BIG;
    uint32_t block = nbs_round_up((uint32_t)len, log->unit);
    for (;;) {
        push_plan p;
        nbs_rec r;
        qpos first;
        if ((rc = plan_push(log, &p))) return rc;
        if (nbs_fits(log, p.records, block, 0)) break;
        /* Capacity 0: not even an empty entry fits after the steps, so take none. */
        if (block > p.capacity || p.capacity == 0) p.step = STEP_NONE;
        if (p.step == STEP_OPEN || p.step == STEP_OPEN_SELF)
            rc = nbs_open_next(log, p.step == STEP_OPEN_SELF);
        else if (p.step == STEP_TAIL)
            rc = append_pop(log, REC_TAIL, (qpos){p.tail, 0});
        else if (!(flags & NBS_PUSH_DROP_OLDEST))
            return NBS_E_FULL;
        else if (!(rc = check_drop_room(log)) && !(rc = next_entry(log, queue_start, &r, &first)))
            rc = pop_at(log, first, NULL);
        if (rc) return rc == NBS_E_EMPTY ? NBS_E_FULL : rc;
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

/* Reads the oldest entry and, with `pop`, pops it. */
static int take_oldest(nbs_queue *q, void *buf, size_t capacity, size_t *len, bool pop) {
    nbs_rec r;
    qpos at;
    int rc = check_queue(q);
    if (rc || (rc = next_entry(&q->log, queue_start, &r, &at)) ||
        (rc = read_entry(&q->log, at.seq, &r, buf, capacity, len)))
        return rc;
    return pop ? pop_at(&q->log, at, NULL) : NBS_OK;
}

int nbs_queue_peek(nbs_queue *q, void *buf, size_t capacity, size_t *len) {
    return take_oldest(q, buf, capacity, len, false);
}

int nbs_queue_pop(nbs_queue *q, void *buf, size_t capacity, size_t *len) {
    return take_oldest(q, buf, capacity, len, true);
}

int nbs_queue_count(nbs_queue *q, uint32_t *count) {
    qtotals t;
    int rc = check_queue(q);
    if (rc || !count) return rc ? rc : NBS_E_INVAL;
    if ((rc = entry_totals(&q->log, false, &t))) return rc;
    *count = t.count;
    return NBS_OK;
}

int nbs_queue_space(nbs_queue *q, nbs_space *space) {
    qtotals t;
    int rc = check_queue(q);
    if (rc || !space) return rc ? rc : NBS_E_INVAL;
    if ((rc = entry_totals(&q->log, false, &t))) return rc;
    nbs_log_space(&q->log, t.bytes, 0, space);
    return NBS_OK;
}

/* The newest page's gap now, or what the next room step gives. */
int nbs_queue_max_push(nbs_queue *q, size_t *len) {
    int rc = check_queue(q);
    if (rc || !len) return rc ? rc : NBS_E_INVAL;
    push_plan p;
    if ((rc = plan_push(&q->log, &p))) return rc;
    uint32_t now = newest_gap(&q->log, p.records), max = nbs_queue_max_item(&q->log.flash);
    if (now < p.capacity) now = p.capacity;
    *len = now < max ? now : max;
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
    qtotals t;
    qpos at = {it->page_step, (int32_t)it->slot - 1};
    if ((rc = entry_totals(&it->q->log, true, &t))) return rc;
    if (!t.count) return NBS_E_INVAL;
    bool in_order = t.first.seq == at.seq && t.first.slot == at.slot;
    rc = pop_at(&it->q->log, at, in_order ? NULL : &t);
    if (!rc) it->has_current = false;
    return rc;
}
