/* Room (SPEC section 7), in one place: the bytes a write needs (an item sized with the
 * longest length field its value can have, and the gap the first write after a mount spends),
 * the bytes a GC copy of an item takes (a STORE-SAME's as the full STORE it becomes),
 * whether it fits the newest page now, the largest item a fresh page holds
 * (nbs_map_max_value, nbs_queue_max_item), the per-item overhead, and the space figures of both
 * store kinds. Deciding what a write must do first (open a page, collect garbage, declare pages
 * dead) is the writers' (nbs_map_room.c, nbs_queue.c); what fits is answered here. */
#include "nbs.h"

#include "nbs_internal.h"

/* A log that knows only the geometry and the store kind: enough for the layout's sizes. */
static nbs_log geometry_log(const nbs_flash *flash, uint8_t kind) {
    nbs_log log;
    memset(&log, 0, sizeof log);
    nbs_layout_init(&log, flash, kind);
    return log;
}

uint32_t nbs_fresh_room(const nbs_log *log) {
    uint32_t start = nbs_items_start(log);
    return log->flash.page_size > start ? log->flash.page_size - start : 0;
}

uint32_t nbs_item_cost(const nbs_log *log, uint32_t klen, uint32_t dlen) {
    return nbs_item_bytes(log, dlen, nbs_length_field(log, dlen - klen, true, true));
}

uint32_t nbs_append_cost(const nbs_log *log, uint32_t klen, uint32_t dlen) {
    return (log->gap_pending ? nbs_gap(log) : 0) + nbs_item_cost(log, klen, dlen);
}

bool nbs_fits_newest(const nbs_log *log, uint32_t bytes) {
    return !log->empty && (uint64_t)log->front + bytes <= log->flash.page_size;
}

uint32_t nbs_copy_cost(const nbs_log *log, const nbs_item *it) {
    if (!it->elided) return it->end - it->off;
    return nbs_item_bytes(log, it->klen + it->vlen, nbs_length_field(log, it->vlen, false, false));
}

/* The largest value (key klen bytes; a queue: 0) whose item fits a fresh page. A page is only
 * opened to write into it at once, so its first item never follows a gap. */
static uint32_t largest_value(const nbs_log *log, uint32_t klen) {
    uint32_t room = nbs_fresh_room(log), best = 0, lo = 0, hi = room;
    if (nbs_item_cost(log, klen, klen) > room) return 0;
    while (lo < hi) { /* item_cost(lo) fits; find the last value that does */
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (nbs_item_cost(log, klen, klen + mid) <= room)
            lo = mid;
        else
            hi = mid - 1;
    }
    best = lo;
    return best;
}

uint32_t nbs_map_max_value(const nbs_flash *flash, size_t key_len) {
    if (nbs_check_geometry(flash) || key_len < 1 || key_len > NBS_KEY_MAX) return 0;
    nbs_log log = geometry_log(flash, NBS_KIND_MAP);
    return largest_value(&log, (uint32_t)key_len);
}

uint32_t nbs_queue_max_item(const nbs_flash *flash) {
    if (nbs_check_geometry(flash)) return 0;
    nbs_log log = geometry_log(flash, NBS_KIND_QUEUE);
    return largest_value(&log, 0);
}

uint32_t nbs_map_txn_max(const nbs_flash *flash) {
    if (nbs_check_geometry(flash)) return 0;
    nbs_log log = geometry_log(flash, NBS_KIND_MAP);
    return largest_value(&log, 0); /* a TXN item: no key, its members as its data */
}

uint32_t nbs_map_txn_member_bytes(const nbs_flash *flash, size_t key_len, size_t value_len) {
    if (nbs_check_geometry(flash) || key_len < 1 || key_len > NBS_KEY_MAX ||
        value_len > nbs_map_max_value(flash, key_len))
        return 0;
    nbs_log log = geometry_log(flash, NBS_KIND_MAP);
    nbs_item it = {.type = ITEM_STORE, .klen = (uint32_t)key_len, .vlen = (uint32_t)value_len};
    nbs_item_layout(&log, &it); /* a member is laid out as the item it stands for */
    return it.end;
}

uint32_t nbs_item_overhead(const nbs_flash *flash) {
    if (nbs_check_geometry(flash)) return 0;
    nbs_log log = geometry_log(flash, NBS_KIND_MAP);
    return nbs_item_bytes(&log, 0, nbs_length_field(&log, 0, false, false));
}

/* Bytes of the live page `page` that its items span: from the first to the end of the last (the
 * rest of a page that is not the newest is a fragment no item fitted). */
static int items_span(nbs_log *log, uint32_t page, uint32_t *span) {
    nbs_cursor cur;
    nbs_item it;
    int rc = nbs_cursor_start(log, page, &cur);
    while (!rc && (rc = nbs_item_next(log, &cur, &it, 0)) == NBS_OK) {
    }
    if (rc != NBS_E_END && rc != NBS_WALK_TORN) return rc;
    *span = cur.pos - nbs_items_start(log);
    return NBS_OK;
}

int nbs_space_figures(nbs_log *log, uint32_t live, nbs_space *space) {
    uint32_t page = log->flash.page_size, pages = nbs_live_pages(log), used = 0;
    for (uint32_t back = 0; back < pages; back++) {
        uint32_t p = nbs_page_of(log, (uint16_t)(log->newest_seq - back)), span;
        if (p == log->newest) {
            span = log->front - nbs_items_start(log);
        } else {
            int rc = items_span(log, p, &span);
            if (rc) return rc;
        }
        used += span;
    }
    uint32_t free_pages = log->pages - pages, newest = 0;
    if (!log->empty) {
        uint32_t gap = log->gap_pending ? nbs_gap(log) : 0;
        newest = page - log->front > gap ? page - log->front - gap : 0;
    }
    /* One free page is kept back: the map's spare, the queue's page for recovery. */
    space->total = log->pages * page;
    space->live = live;
    space->reclaimable = used > live ? used - live : 0;
    space->free_now = newest + (free_pages > 1 ? free_pages - 1 : 0) * nbs_fresh_room(log);
    space->overhead = space->total - space->live - space->reclaimable - space->free_now;
    return NBS_OK;
}
