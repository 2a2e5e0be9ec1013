/* The ring log under the map and the queue: the RAM state of a mounted store. Private to the
 * engine (its fields are not API); nbs_map and nbs_queue embed it so the caller owns the memory.
 * Everything here is derived from flash at mount and kept in step by the writers. */
#ifndef NBS_LOG_H
#define NBS_LOG_H

#include "nbs.h"

typedef struct nbs_log {
    nbs_flash flash;
    uint8_t *work; /* caller's work buffer: key area, then the chunk area */
    uint32_t work_size;
    nbs_cache_config cache;
    uint32_t pages;          /* N */
    uint32_t slot_size;      /* S = max(16, write unit) */
    uint32_t unit;           /* U = max(4, write unit): data alignment */
    uint32_t slots_per_page; /* page_size / S */
    uint32_t newest;         /* page index of the newest page (the only one written) */
    uint32_t newest_seq;
    uint32_t tail_seq;    /* pages with seq in [tail_seq, newest_seq] are live */
    int32_t last;         /* newest page: index of its last non-erased slot */
    uint32_t next_slot;   /* newest page: where the next record goes */
    uint32_t front;       /* newest page: first data byte no intent has claimed */
    uint32_t store_bytes; /* newest page: bytes of its STORE items (blocks and 2 slots each) */
    uint32_t carry;       /* newest page: its OPEN's carry (0, or 1 + the carried record's index) */
    uint8_t kind;         /* 1 map, 2 queue */
    bool mounted;
    bool empty; /* no page has been opened yet */
} nbs_log;

#endif
