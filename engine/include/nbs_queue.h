/* The FIFO queue of the norbench storage engine: power-fail-safe push, peek and pop of byte
 * strings on a ring of NOR flash pages, with iteration that can pop the current entry. */
#ifndef NBS_QUEUE_H
#define NBS_QUEUE_H

#include "nbs.h"
#include "nbs_log.h"

typedef struct nbs_queue {
    nbs_log log; /* private: the page ring underneath */
} nbs_queue;

enum { NBS_PUSH_DROP_OLDEST = 1u << 0 }; /* when full, pop the oldest entries to make room */

int nbs_queue_mount(nbs_queue *q, const nbs_config *cfg);
int nbs_queue_erase_all(nbs_queue *q);

int nbs_queue_push(nbs_queue *q, const void *data, size_t len, unsigned flags);
/* Oldest entry; NBS_E_EMPTY when none. On NBS_E_BUFFER_TOO_SMALL *len is the size needed. */
int nbs_queue_peek(nbs_queue *q, void *buf, size_t capacity, size_t *len);
int nbs_queue_pop(nbs_queue *q, void *buf, size_t capacity, size_t *len);
int nbs_queue_count(nbs_queue *q, uint32_t *count);
/* The largest entry a push would accept now, without dropping anything (a push may open a page
 * only while another free page stays back for recovery). */
int nbs_queue_max_push(nbs_queue *q, size_t *len);
int nbs_queue_space(nbs_queue *q, nbs_space *space);
/* The largest entry this geometry can ever hold: the largest whose item (S, P and A units, a
 * commit header of rW(F + 4), F the length field's 1-3 bytes, and the entry padded to the write
 * unit W) fits a fresh page after its header and DONE unit (SPEC sections 3 and 7): at W = 1
 * on a 256-byte page 241 bytes, on a 4 KiB page 4081. */
uint32_t nbs_queue_max_item(const nbs_flash *flash);

/* Oldest to newest. nbs_queue_iter_pop_current() pops the entry last returned by _next. */
typedef struct nbs_queue_iter {
    nbs_queue *q;
    uint32_t page_step, slot; /* private */
    bool has_current;
} nbs_queue_iter;
void nbs_queue_iter_init(nbs_queue *q, nbs_queue_iter *it);
int nbs_queue_iter_next(nbs_queue_iter *it, void *buf, size_t capacity, size_t *len);
int nbs_queue_iter_pop_current(nbs_queue_iter *it);

#endif
