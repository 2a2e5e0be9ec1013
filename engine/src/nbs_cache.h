/* The optional RAM caches, engine side: what the engine asks them and the hooks that keep them
 * in step with every write. Each question answers from RAM or says NBS_CACHE_ASK (the flash
 * path must answer); the flash path stays the truth. Built with NBS_WITH_CACHES=0 every question
 * says NBS_CACHE_ASK and every hook is empty, so no cache code remains. Included at the end of
 * nbs_internal.h. Not API. */
#ifndef NBS_CACHE_H
#define NBS_CACHE_H

#ifndef NBS_WITH_CACHES
#define NBS_WITH_CACHES 1
#endif

enum { NBS_CACHE_ASK = 1 }; /* the cache cannot answer: ask flash */

#if NBS_WITH_CACHES
/* Mount: takes the caller's memory (NBS_E_CACHE_MEM when too small or misaligned) and forgets
 * everything; nbs_cache_ready() fills the key table from the mounted store. */
int nbs_cache_start(nbs_log *log, const nbs_cache_config *cfg);
int nbs_cache_ready(nbs_log *log);
/* erase_all: the store is empty; every key is known absent. */
void nbs_cache_clear(nbs_log *log);

/* Page states: the CRC seed of a page's header; page pointers: where its items end. */
int nbs_cache_seed(nbs_log *log, uint32_t page, uint32_t *seed);
void nbs_cache_note_seed(nbs_log *log, uint32_t page, uint32_t seed);
int nbs_cache_end(nbs_log *log, uint32_t page, uint32_t *end);
void nbs_cache_note_end(nbs_log *log, uint32_t page, uint32_t end);
void nbs_cache_page_erased(nbs_log *log, uint32_t page);

/* Key locations. nbs_cache_find: NBS_OK (*f is the key's newest STORE, intact, its key and value
 * in the chunk area when f->in_chunk), NBS_E_NOT_FOUND, NBS_CACHE_ASK, or an error. */
int nbs_cache_find(nbs_log *log, const uint8_t *key, uint32_t klen, nbs_found *f);
/* Whether the item at `off` of `page` is the newest version of its key: 1, 0 or ASK. */
int nbs_cache_key_at(nbs_log *log, uint32_t page, uint32_t off);
/* A map item was appended to the newest page (`it` as written; key its key). */
void nbs_cache_key_written(nbs_log *log, const nbs_item *it, const uint8_t *key);
/* garbage collection copied the item at `off` of `page` to `to` (as written; not intact: NULL). */
void nbs_cache_key_moved(nbs_log *log, uint32_t page, uint32_t off, const nbs_item *to);
/* The live keys, when every one has an entry (else ASK). */
int nbs_cache_key_count(nbs_log *log, uint32_t *count);
/* Bytes of the live items in a page, when every live key has an entry (else ASK). */
int nbs_cache_live_bytes(nbs_log *log, uint32_t page, uint32_t *bytes);

/* Queue: the head entry's header as last read or written (log->head_page/head_off say where);
 * nbs_cache_head fills *it (no data read) or says ASK. */
void nbs_cache_note_head(nbs_log *log, const nbs_item *it);
int nbs_cache_head(nbs_log *log, nbs_item *it);
/* Queue: a page's unpopped intact entries (else ASK); noted when counted from flash or when the
 * page is opened; a push (delta 1) or pop (-1) in it that returned rc keeps it in step (rc != 0:
 * unknown again). */
int nbs_cache_entries(nbs_log *log, uint32_t page, uint32_t *count);
void nbs_cache_note_entries(nbs_log *log, uint32_t page, uint32_t count);
void nbs_cache_entries_changed(nbs_log *log, uint32_t page, int rc, int delta);
#else
static inline int nbs_cache_start(nbs_log *log, const nbs_cache_config *cfg) {
    (void)log, (void)cfg;
    return NBS_OK;
}
static inline int nbs_cache_ready(nbs_log *log) {
    (void)log;
    return NBS_OK;
}
static inline void nbs_cache_clear(nbs_log *log) {
    (void)log;
}
static inline int nbs_cache_seed(nbs_log *log, uint32_t page, uint32_t *seed) {
    (void)log, (void)page, (void)seed;
    return NBS_CACHE_ASK;
}
static inline void nbs_cache_note_seed(nbs_log *log, uint32_t page, uint32_t seed) {
    (void)log, (void)page, (void)seed;
}
static inline int nbs_cache_end(nbs_log *log, uint32_t page, uint32_t *end) {
    (void)log, (void)page, (void)end;
    return NBS_CACHE_ASK;
}
static inline void nbs_cache_note_end(nbs_log *log, uint32_t page, uint32_t end) {
    (void)log, (void)page, (void)end;
}
static inline void nbs_cache_page_erased(nbs_log *log, uint32_t page) {
    (void)log, (void)page;
}
static inline int nbs_cache_find(nbs_log *log, const uint8_t *key, uint32_t klen, nbs_found *f) {
    (void)log, (void)key, (void)klen, (void)f;
    return NBS_CACHE_ASK;
}
static inline int nbs_cache_key_at(nbs_log *log, uint32_t page, uint32_t off) {
    (void)log, (void)page, (void)off;
    return NBS_CACHE_ASK;
}
static inline void nbs_cache_key_written(nbs_log *log, const nbs_item *it, const uint8_t *key) {
    (void)log, (void)it, (void)key;
}
static inline void nbs_cache_key_moved(nbs_log *log, uint32_t page, uint32_t off,
                                       const nbs_item *to) {
    (void)log, (void)page, (void)off, (void)to;
}
static inline int nbs_cache_key_count(nbs_log *log, uint32_t *count) {
    (void)log, (void)count;
    return NBS_CACHE_ASK;
}
static inline int nbs_cache_live_bytes(nbs_log *log, uint32_t page, uint32_t *bytes) {
    (void)log, (void)page, (void)bytes;
    return NBS_CACHE_ASK;
}
static inline void nbs_cache_note_head(nbs_log *log, const nbs_item *it) {
    (void)log, (void)it;
}
static inline int nbs_cache_head(nbs_log *log, nbs_item *it) {
    (void)log, (void)it;
    return NBS_CACHE_ASK;
}
static inline int nbs_cache_entries(nbs_log *log, uint32_t page, uint32_t *count) {
    (void)log, (void)page, (void)count;
    return NBS_CACHE_ASK;
}
static inline void nbs_cache_note_entries(nbs_log *log, uint32_t page, uint32_t count) {
    (void)log, (void)page, (void)count;
}
static inline void nbs_cache_entries_changed(nbs_log *log, uint32_t page, int rc, int delta) {
    (void)log, (void)page, (void)rc, (void)delta;
}
#endif

#endif
