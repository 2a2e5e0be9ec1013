/* The ring log under the map and the queue: the RAM state of a mounted store. Private to the
 * engine (its fields are not API); nbs_map and nbs_queue embed it so the caller owns the memory.
 * Everything here is derived from flash at mount and kept in step by the writers. */
#ifndef NBS_LOG_H
#define NBS_LOG_H

#include "nbs.h"

/* Pages erased during this power-on that nothing was written to since: they are opened without
 * another erase (a page erased before may hold weak cells, SPEC section 5.2). */
#define NBS_ERASED_TRACK 4

typedef struct nbs_log {
    nbs_flash flash;
    uint8_t *work; /* caller's work buffer */
    uint32_t work_size;
    nbs_cache_config cache;
    uint32_t pages; /* N */
    uint32_t unit;  /* W */
    /* Sizes of the format's regions for this geometry and store kind (nbs_layout.c), set with
     * the geometry: page header bytes (4 or 5), the header region (where DONE starts), where
     * items start, an item's flag units (bytes), the gap G. */
    uint8_t hdr_len, hdr_region, items_start, flag_bytes, gap;
    uint32_t newest; /* page index of the newest page */
    uint16_t newest_seq;
    uint16_t tail_seq;    /* the oldest live page's seq */
    uint32_t front;       /* newest page: where its items end */
    uint32_t newest_seed; /* newest page: the CRC seed of its items (its header's CRC) */
    uint32_t seed_page;   /* page index + 1 whose header seed_of holds (0: none); a page's
                             header changes only when it is erased */
    uint32_t seed_of;
    uint32_t head_page; /* queue: page index of the oldest unpopped entry (when head_known) */
    uint32_t head_off;  /* queue: its offset */
    uint32_t erased[NBS_ERASED_TRACK]; /* page index + 1 of pages erased this power-on; 0: none */
    uint32_t fresh_from;  /* a store mounted empty: pages from this index on were never used
                             (0: none); page 0 is the one an empty store may have touched */
    uint32_t redo_page;   /* mount: page index + 1 whose recovery a cut stopped before its copy
                             was complete: rewritten whatever it reads now (0: none) */
    uint16_t release_seq; /* map: a GC round that copied nothing releases this tail page once
                             the write that needed the round is in its page (release_pending) */
    uint8_t kind;         /* 1 map, 2 queue */
    uint8_t newest_gen;   /* the newest page's generation */
    bool mounted;
    bool empty;       /* no live page */
    bool gap_pending; /* the next item starts a gap past `front` (the first write after mount) */
    bool head_known;
    bool release_pending;

    /* A store mounted read-only (SPEC section 6.5): the decisions its mount kept in RAM. */
    bool read_only;      /* erases are remembered in `erased` (the page reads erased), never made */
    uint32_t moved_home; /* page index + 1 whose reads go to the temporary copy moved_from (the
                            copy back a read-write mount would make; 0: none) */
    uint32_t moved_from;
    uint32_t kept_off; /* offset + 1 of the newest page's unsealed last item, kept (its CRC
                          matched at mount) as a read-write recovery would (0: none) */
} nbs_log;

#endif
