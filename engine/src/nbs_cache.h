/* The optional RAM caches, engine side: the cached front doors to the flash lookups and the
 * hooks that keep the caches in step with every write. Built with NBS_WITH_CACHES=0 the front
 * doors are the flash lookups themselves and the hooks are empty, so no cache code remains.
 * Included at the end of nbs_internal.h. Not API. */
#ifndef NBS_CACHE_H
#define NBS_CACHE_H

#ifndef NBS_WITH_CACHES
#define NBS_WITH_CACHES 1
#endif

#if NBS_WITH_CACHES
/* Takes the caller's cache memory at mount (NBS_E_CACHE_MEM when too small or misaligned) and
 * forgets everything: page entries are refilled from flash on first use. */
int nbs_cache_start(nbs_log *log, const nbs_cache_config *cfg);
void nbs_cache_reset(nbs_log *log);
/* Map mount: the key cache is filled from the live pages, newest version of each key first. */
int nbs_cache_build_keys(nbs_log *log);

int nbs_identity(nbs_log *log, uint32_t page, uint32_t *seq, uint32_t *tail);
/* The mount's identity scan of a page, noted so that later identity questions need no read. */
void nbs_cache_identity_read(nbs_log *log, uint32_t page, const nbs_ident *id);
int nbs_page_end(nbs_log *log, uint32_t page, uint32_t seq, int32_t *last, int32_t *carried);
int nbs_map_find(nbs_log *log, const uint8_t *key, uint32_t klen, nbs_rec *found,
                 uint32_t *found_seq);

/* Write hooks: a page was erased; a record went to slot idx of the newest page; a map item
 * (STORE or REMOVE of key) was just committed by nbs_append_item(). */
void nbs_cache_page_erased(nbs_log *log, uint32_t page);
void nbs_cache_slot_written(nbs_log *log, uint32_t idx, const uint8_t rec[12]);
void nbs_cache_key_written(nbs_log *log, uint8_t type, const uint8_t *key, uint32_t klen,
                           uint32_t vlen);
#else
static inline int nbs_cache_start(nbs_log *log, const nbs_cache_config *cfg) {
    (void)log, (void)cfg;
    return NBS_OK;
}
static inline void nbs_cache_reset(nbs_log *log) {
    (void)log;
}
static inline int nbs_cache_build_keys(nbs_log *log) {
    (void)log;
    return NBS_OK;
}
static inline int nbs_identity(nbs_log *log, uint32_t page, uint32_t *seq, uint32_t *tail) {
    return nbs_identity_flash(log, page, seq, tail);
}
static inline void nbs_cache_identity_read(nbs_log *log, uint32_t page, const nbs_ident *id) {
    (void)log, (void)page, (void)id;
}
static inline int nbs_page_end(nbs_log *log, uint32_t page, uint32_t seq, int32_t *last,
                               int32_t *carried) {
    return nbs_page_end_flash(log, page, seq, last, carried);
}
static inline int nbs_map_find(nbs_log *log, const uint8_t *key, uint32_t klen, nbs_rec *found,
                               uint32_t *found_seq) {
    return nbs_map_find_flash(log, key, klen, found, found_seq);
}
static inline void nbs_cache_page_erased(nbs_log *log, uint32_t page) {
    (void)log, (void)page;
}
static inline void nbs_cache_slot_written(nbs_log *log, uint32_t idx, const uint8_t rec[12]) {
    (void)log, (void)idx, (void)rec;
}
static inline void nbs_cache_key_written(nbs_log *log, uint8_t type, const uint8_t *key,
                                         uint32_t klen, uint32_t vlen) {
    (void)log, (void)type, (void)key, (void)klen, (void)vlen;
}
#endif

#endif
