/* The inspection API (nbs.h): the engine walks its own pages from flash and reports each page's
 * state and each item, so that the visualizer and the reports never parse the format. The store
 * is mounted read-only without caches (SPEC 6.5): live pages are read as the mount decided them;
 * pages outside the live run are read as they are on flash (a read-only mount would show the
 * pages it decided to erase as erased). */
#include "nbs_internal.h"

static const char *const page_state_names[NBS_PAGE_STATES] = {
    "erased", "open", "full", "released", "killed", "copy", "unplaced", "corrupt"};
static const char *const item_kind_names[NBS_ITEM_KINDS] = {
    "store", "remove", "clear", "mark", "entry", "filler", "unparsed", "txn", "reserved"};
static const char *const item_state_names[NBS_ITEM_STATES] = {
    "live", "superseded", "removed", "control", "dead", "torn", "invalid"};

const char *nbs_page_state_name(nbs_page_state state) {
    return (unsigned)state < NBS_PAGE_STATES ? page_state_names[state] : "?";
}
const char *nbs_item_kind_name(nbs_item_kind kind) {
    return (unsigned)kind < NBS_ITEM_KINDS ? item_kind_names[kind] : "?";
}
const char *nbs_item_state_name(nbs_item_state state) {
    return (unsigned)state < NBS_ITEM_STATES ? item_state_names[state] : "?";
}

/* What one page's walk needs besides the log. */
typedef struct inspect_walk {
    const nbs_inspect_visitor *visitor;
    nbs_page_info *page;
    bool live;
    uint16_t seq;
} inspect_walk;

static nbs_item_kind kind_of(const nbs_item *it) {
    static const nbs_item_kind kinds[] = {
        [ITEM_STORE] = NBS_ITEM_STORE,      [ITEM_REMOVE] = NBS_ITEM_REMOVE,
        [ITEM_CLEAR] = NBS_ITEM_CLEAR,      [ITEM_MARK] = NBS_ITEM_MARK,
        [ITEM_PUSH] = NBS_ITEM_ENTRY,       [ITEM_TXN] = NBS_ITEM_TXN,
        [ITEM_RESERVED] = NBS_ITEM_RESERVED};
    return kinds[it->type];
}

/* A TXN counts while one of its members is the newest intact store of its key; else it is
 * superseded (or, holding only removals, a removal). 0, or an error. */
static int txn_state(nbs_log *log, const inspect_walk *w, const nbs_cursor *cur, const nbs_item *it,
                     nbs_item_state *state) {
    nbs_cursor in;
    nbs_item member;
    bool stores = false;
    int rc = nbs_txn_members(log, cur, it, &in);
    *state = NBS_ITEM_REMOVED;
    while (rc == 1 && (rc = nbs_txn_member_next(log, &in, &member, 0)) == NBS_OK) {
        int newest = nbs_map_is_newest(log, w->seq, &member);
        if (newest) return newest < 0 ? newest : (*state = NBS_ITEM_LIVE, NBS_OK);
        stores |= member.type == ITEM_STORE;
        rc = 1;
    }
    if (stores) *state = NBS_ITEM_SUPERSEDED;
    return rc < 0 && rc != NBS_E_END ? rc : NBS_OK;
}

/* The state of an intact item of a live page: whether it counts (map: the newest intact store
 * of its key, found the way a fetch finds it). 0, or an error. */
static int live_state(nbs_log *log, const inspect_walk *w, const nbs_cursor *cur,
                      const nbs_item *it, nbs_item_state *state) {
    switch (it->type) {
    case ITEM_STORE: {
        int newest = nbs_map_is_newest(log, w->seq, it);
        if (newest < 0) return newest;
        *state = newest ? NBS_ITEM_LIVE : NBS_ITEM_SUPERSEDED;
        return NBS_OK;
    }
    case ITEM_TXN: return txn_state(log, w, cur, it, state);
    case ITEM_PUSH: *state = it->pop_full ? NBS_ITEM_REMOVED : NBS_ITEM_LIVE; return NBS_OK;
    case ITEM_MARK:
    case ITEM_RESERVED: *state = NBS_ITEM_CONTROL; return NBS_OK;
    default: *state = NBS_ITEM_REMOVED; return NBS_OK;
    }
}

static int report(const inspect_walk *w, nbs_item_info *info) {
    w->page->items++;
    uint32_t end = info->offset + info->length;
    if (end > w->page->used) w->page->used = end;
    return w->visitor && w->visitor->item ? w->visitor->item(w->visitor->ctx, info) : 0;
}

/* Reports the item the walk returned (torn: the page's unsealed last operation). */
static int report_item(nbs_log *log, const nbs_cursor *cur, const inspect_walk *w,
                       const nbs_item *it, bool torn) {
    uint8_t key[NBS_KEY_MAX];
    nbs_item_info info = {.page = w->page->index, .offset = it->off, .sealed = it->sealed};
    if (!it->end) { /* bytes that do not parse: a walk reads G bytes there */
        uint32_t left = log->flash.page_size - it->off;
        info.kind = NBS_ITEM_UNPARSED, info.state = NBS_ITEM_TORN;
        info.length = nbs_gap(log) < left ? nbs_gap(log) : left;
        return report(w, &info);
    }
    info.kind = kind_of(it);
    info.length = it->end - it->off;
    info.value_len = it->vlen;
    /* Pages only: where the items end is enough (no CRC, key or liveness to work out). */
    if (!w->visitor || !w->visitor->item) return report(w, &info);
    int rc = nbs_item_intact(log, cur, it);
    if (rc < 0) return rc;
    info.crc_ok = rc == 1;
    info.elided = it->elided;
    if (it->klen) { /* a STORE-SAME's: the key it resolves to, its chain's (SPEC 3.6) */
        rc = nbs_read(log, cur->page, it->key_at, key, it->klen);
        if (rc && rc != NBS_E_ECC) return rc;
        info.key = key, info.key_len = it->klen;
    }
    if (torn)
        info.state = NBS_ITEM_TORN;
    else if (!info.crc_ok)
        info.state = NBS_ITEM_INVALID;
    else if (!w->live)
        info.state = NBS_ITEM_DEAD;
    else if ((rc = live_state(log, w, cur, it, &info.state)))
        return rc;
    return report(w, &info);
}

static int report_filler(const inspect_walk *w, uint32_t from, uint32_t to) {
    nbs_item_info info = {.page = w->page->index,
                          .offset = from,
                          .length = to - from,
                          .kind = NBS_ITEM_FILLER,
                          .state = NBS_ITEM_CONTROL,
                          .sealed = true};
    return report(w, &info);
}

/* Walks the page's items, reporting each (and the filler before an after-gap item). */
static int walk_items(nbs_log *log, nbs_cursor *cur, const inspect_walk *w) {
    for (;;) {
        uint32_t before = cur->pos;
        nbs_item it;
        int rc = nbs_item_next(log, cur, &it, 0);
        if (rc == NBS_E_END) return NBS_OK;
        if (rc != NBS_OK && rc != NBS_WALK_TORN) return rc;
        if (it.end && it.off > before && (rc == NBS_OK || it.after_gap)) {
            int f = report_filler(w, before, it.off);
            if (f) return f;
        }
        int r = report_item(log, cur, w, &it, rc == NBS_WALK_TORN);
        if (r || rc == NBS_WALK_TORN) return r;
    }
}

/* A page outside the live run, as it is on flash. */
static nbs_page_state unplaced_state(const nbs_log *log, const nbs_page_hdr *h, bool first_ok) {
    if (h->killed) return NBS_PAGE_KILLED;
    if (h->erased) return NBS_PAGE_ERASED;
    if (!h->valid || !first_ok) return NBS_PAGE_CORRUPT;
    if (h->gen & 1u) return NBS_PAGE_COPY;
    return log->mounted ? NBS_PAGE_RELEASED : NBS_PAGE_UNPLACED;
}

/* Whether the first item of a page checks its header (SPEC 3.3: an open a cut stopped does
 * not). 1, 0, or an error. */
static int first_item_checks(nbs_log *log, const nbs_page_hdr *h, uint32_t page) {
    nbs_cursor cur;
    nbs_item it;
    nbs_cursor_read_as(log, page, h, &cur);
    int rc = nbs_item_next(log, &cur, &it, 0);
    if (rc == NBS_E_END) return 0;
    if (rc != NBS_OK && rc != NBS_WALK_TORN) return rc;
    return it.end ? nbs_item_intact(log, &cur, &it) : 0;
}

static int inspect_dead_page(nbs_log *log, nbs_page_info *info, const nbs_inspect_visitor *v) {
    nbs_page_hdr h;
    int rc = nbs_page_hdr_read(log, info->index, &h);
    if (rc) return rc;
    info->seq = h.seq, info->generation = h.gen, info->done = h.done;
    int first = h.valid && !h.killed ? first_item_checks(log, &h, info->index) : 0;
    if (first < 0) return first;
    info->state = unplaced_state(log, &h, first == 1);
    bool walk = h.valid && !h.killed;
    if (!walk) info->used = h.erased ? 0 : nbs_items_start(log);
    nbs_cursor cur;
    nbs_cursor_read_as(log, info->index, &h, &cur);
    inspect_walk w = {v, info, false, h.seq};
    return walk ? walk_items(log, &cur, &w) : NBS_OK;
}

static int inspect_live_page(nbs_log *log, nbs_page_info *info, const nbs_inspect_visitor *v) {
    nbs_page_hdr h;
    int rc = nbs_page_hdr_read(log, info->index, &h);
    if (rc) return rc;
    info->seq = nbs_seq_of(log, info->index), info->generation = h.gen, info->done = h.done;
    info->newest = info->index == log->newest;
    info->tail = info->index == nbs_page_of(log, log->tail_seq);
    info->state = info->newest ? NBS_PAGE_OPEN : NBS_PAGE_FULL;
    info->used = nbs_items_start(log);
    nbs_cursor cur;
    if ((rc = nbs_cursor_start(log, info->index, &cur))) return rc;
    /* The newest page's walk goes past where the mount found its items end, strictly as the
     * mount walked it: to the torn operation there, if any. */
    if (info->newest) cur.limit = log->flash.page_size, cur.strict = true;
    inspect_walk w = {v, info, true, info->seq};
    return walk_items(log, &cur, &w);
}

static int inspect_page(nbs_log *log, uint32_t page, const nbs_inspect_visitor *v) {
    nbs_page_info info = {.index = page};
    const bool live = log->mounted && nbs_pages_back(log, page) < nbs_live_pages(log);
    const bool read_only = log->read_only;
    log->read_only = live; /* a dead page as it is on flash, not as the mount decided it */
    int rc = live ? inspect_live_page(log, &info, v) : inspect_dead_page(log, &info, v);
    log->read_only = read_only;
    if (!rc && v && v->page) rc = v->page(v->ctx, &info);
    return rc;
}

int nbs_inspect(nbs_log *log, const nbs_config *cfg, bool queue, uint32_t first, uint32_t count,
                const nbs_inspect_visitor *visitor, nbs_inspect_summary *summary) {
    if (!log || !cfg || !summary) return NBS_E_INVAL;
    nbs_config ro = *cfg;
    ro.read_only = true;
    ro.cache = (nbs_cache_config){0};
    memset(summary, 0, sizeof *summary);
    int rc = nbs_log_mount(log, &ro, queue ? NBS_KIND_QUEUE : NBS_KIND_MAP);
    if (rc == NBS_E_INVAL || rc == NBS_E_GEOMETRY || rc == NBS_E_WORK_BUFFER) return rc;
    summary->mount_result = rc;
    summary->pages = log->pages;
    summary->live_pages = log->mounted ? nbs_live_pages(log) : 0;
    if (summary->live_pages) {
        summary->newest = log->newest;
        summary->tail = nbs_page_of(log, log->tail_seq);
    }
    if (first >= log->pages) return NBS_OK;
    if (count > log->pages - first) count = log->pages - first;
    for (uint32_t p = first; p < first + count; p++)
        if ((rc = inspect_page(log, p, visitor))) return rc;
    return NBS_OK;
}
