/* Size limits and space figures derived from the geometry and the ring's RAM state: the
 * largest block a fresh page takes, an item's slot overhead, and the total / live / free /
 * reclaimable / overhead split of the range. */
#include "nbs_internal.h"

/* A fresh page holds its OPEN, possibly one mount's pin (3 slots), the item's intent and commit
 * and the writers' reserve; `headroom` more slots (the map: 1, for a GC round's TAIL). */
uint32_t nbs_max_block(const nbs_flash *f, uint32_t headroom) {
    if (nbs_check_geometry(f)) return 0;
    uint32_t slot = f->write_unit > 16 ? f->write_unit : 16;
    uint32_t unit = f->write_unit > 4 ? f->write_unit : 4;
    uint32_t overhead = (NBS_FRESH_SLOTS + headroom) * slot;
    uint32_t block = f->page_size > overhead ? (f->page_size - overhead) / unit * unit : 0;
    return block > 0xFFFFFF ? 0xFFFFFF / unit * unit : block;
}

uint32_t nbs_item_overhead(const nbs_flash *flash) {
    if (nbs_check_geometry(flash)) return 0;
    return 2 * (flash->write_unit > 16 ? flash->write_unit : 16);
}

void nbs_space_fill(const nbs_log *log, uint32_t live, uint32_t reclaimable, uint32_t newest_free,
                    uint32_t fresh, nbs_space *space) {
    uint32_t free_pages = log->pages - nbs_live_pages(log);
    space->total = log->pages * log->flash.page_size;
    space->live = live;
    space->reclaimable = reclaimable;
    /* One free page is always kept back (map: for garbage collection; queue: for pops). */
    space->free_now = newest_free + (free_pages > 1 ? free_pages - 1 : 0) * fresh;
    space->overhead = space->total - live - reclaimable - space->free_now;
}

/* The queue's figures: everything in the live pages that is neither a live entry nor the newest
 * page's gap counts as reclaimable. */
void nbs_log_space(const nbs_log *log, uint32_t live, uint32_t headroom, nbs_space *space) {
    uint32_t page = log->flash.page_size, held = nbs_live_pages(log) * page, newest_gap = 0;
    uint64_t slots = (uint64_t)log->next_slot + nbs_kept_slots(log, 1, false) + headroom;
    if (!log->empty && log->front + slots * log->slot_size < page)
        newest_gap = page - log->front - (uint32_t)slots * log->slot_size;
    uint32_t fresh = nbs_max_block(&log->flash, headroom) + 2 * log->slot_size;
    nbs_space_fill(log, live, held > newest_gap + live ? held - newest_gap - live : 0, newest_gap,
                   fresh, space);
}
