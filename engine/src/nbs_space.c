/* Size limits and space figures derived from the geometry and the ring's RAM state: the
 * largest block a fresh page takes, and total / live / free / reclaimable bytes. */
#include "nbs_internal.h"

/* A fresh page holds its OPEN, possibly one mount's pin, the item's intent and commit and the
 * writers' reserve; `headroom` more slots for map writes (see NBS_MAP_HEADROOM). */
uint32_t nbs_max_block(const nbs_flash *f, uint32_t headroom) {
    if (nbs_check_geometry(f)) return 0;
    uint32_t slot = f->write_unit > 16 ? f->write_unit : 16;
    uint32_t unit = f->write_unit > 4 ? f->write_unit : 4;
    uint32_t overhead = (NBS_FRESH_SLOTS + headroom) * slot;
    uint32_t block = f->page_size > overhead ? (f->page_size - overhead) / unit * unit : 0;
    return block > 0xFFFFFF ? 0xFFFFFF / unit * unit : block;
}

void nbs_log_space(const nbs_log *log, uint32_t live, uint32_t headroom, nbs_space *space) {
    uint32_t page = log->flash.page_size, used_pages = nbs_live_pages(log);
    uint32_t free_pages = log->pages - used_pages;
    uint64_t newest_gap = 0;
    uint64_t slots = (uint64_t)log->next_slot + NBS_RESERVE + headroom;
    if (!log->empty && log->front + slots * log->slot_size < page)
        newest_gap = page - log->front - slots * log->slot_size;
    uint32_t fresh = nbs_max_block(&log->flash, headroom) + 2 * log->slot_size;
    space->total = log->pages * page;
    space->live = live;
    /* One free page is always kept back (map: for garbage collection; queue: for pops). */
    space->free_now = (uint32_t)newest_gap + (free_pages > 1 ? free_pages - 1 : 0) * fresh;
    uint64_t held = (uint64_t)used_pages * page;
    space->reclaimable = held > newest_gap + live ? (uint32_t)(held - newest_gap - live) : 0;
}
