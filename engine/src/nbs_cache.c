/* The optional RAM caches (SPEC.md section 8): page states (each page's CRC seed), page
 * pointers (where each page's items end, the queue's head entry and its unpopped entries per
 * page) and key locations (an
 * open-addressing table from a key to its newest STORE). They live in the caller's memory, are
 * refilled after every mount and kept in step by the write hooks; in check mode every cached
 * answer is recomputed from flash. With NBS_WITH_CACHES=0 only nbs_cache_bytes() stays. */
#include "nbs_internal.h"

#if !NBS_WITH_CACHES
size_t nbs_cache_bytes(unsigned flags, uint32_t pages, uint32_t max_keys) {
    (void)flags, (void)pages, (void)max_keys;
    return 0;
}
#else

/* The caller's memory, each part present only with its flag:
 *   header | key entries [key_slots] | page seeds [pages] | page ends [pages]
 *   | queue entries [pages] (with page ends) */
typedef struct cache_header {
    uint32_t keys_used;
    uint32_t keys_complete; /* every live key has an entry: a miss means absent */
    uint32_t head_loc;      /* queue: the head entry described here (page * P + offset + 1) */
    uint32_t head_lengths;  /* its value length | after-gap flag << 23 */
    uint32_t head_crc;
} cache_header;

/* A key's newest STORE. Keys of up to 4 bytes are held whole in `id`, longer ones by their
 * CRC-32C, confirmed against the key on flash. */
typedef struct key_entry {
    uint32_t id;
    uint32_t lengths; /* key length << 24 | after-gap flag << 23 | a TXN's member << 22 | a
                         STORE-SAME << 21 | value length; 0: empty */
    uint32_t loc;     /* page * page size + offset of the item */
    uint32_t crc;     /* the item's CRC as written; a STORE-SAME's: the offset of its key bytes in
                         the page (its chain's STORE, SPEC 3.6), its CRC read from flash */
} key_entry;

typedef struct page_seed {
    uint32_t seed;
    uint32_t known;
} page_seed;

enum {
    AFTER_GAP = 1u << 23,
    IN_TXN = 1u << 22,
    ELIDED = 1u << 21,
    VLEN_MASK = ELIDED - 1, /* values are below 2^19 (a page's bytes) */
    SHORT_KEY = 4
};

typedef struct cache_layout {
    uint64_t key_slots, keys, seeds, ends, entries, total;
} cache_layout;

/* Open addressing stays short when at most two thirds of the entries are in use. */
static cache_layout layout_of(unsigned flags, uint32_t pages, uint32_t max_keys) {
    cache_layout l;
    l.key_slots = flags & NBS_CACHE_KEYS ? (uint64_t)max_keys + max_keys / 2 + 1 : 0;
    l.keys = sizeof(cache_header);
    l.seeds = l.keys + l.key_slots * sizeof(key_entry);
    l.ends = l.seeds + (flags & NBS_CACHE_PAGE_STATES ? sizeof(page_seed) * (uint64_t)pages : 0);
    l.entries = l.ends + (flags & NBS_CACHE_PAGE_POINTERS ? 4u * (uint64_t)pages : 0);
    l.total = l.entries + (flags & NBS_CACHE_PAGE_POINTERS ? 4u * (uint64_t)pages : 0);
    return l;
}

size_t nbs_cache_bytes(unsigned flags, uint32_t pages, uint32_t max_keys) {
    if (!(flags & NBS_CACHE_ALL)) return 0;
    uint64_t total = layout_of(flags, pages, max_keys).total;
    return total > SIZE_MAX ? SIZE_MAX : (size_t)total;
}

/* A cache answers and follows writes only while the store is mounted (a mount refills it). */
static bool on(const nbs_log *log, unsigned flag) {
    return log->mounted && log->cache.mem && (log->cache.flags & flag);
}
static cache_layout layout(const nbs_log *log) {
    return layout_of(log->cache.flags, log->pages, log->cache.max_keys);
}
static cache_header *header(const nbs_log *log) {
    return (cache_header *)log->cache.mem;
}
static key_entry *entries(const nbs_log *log) {
    return (key_entry *)((uint8_t *)log->cache.mem + layout(log).keys);
}
static page_seed *seeds(const nbs_log *log) {
    return (page_seed *)((uint8_t *)log->cache.mem + layout(log).seeds);
}
static uint32_t *ends(const nbs_log *log) {
    return (uint32_t *)((uint8_t *)log->cache.mem + layout(log).ends);
}
static uint32_t *queue_entries(const nbs_log *log) {
    return (uint32_t *)((uint8_t *)log->cache.mem + layout(log).entries);
}

int nbs_cache_start(nbs_log *log, const nbs_cache_config *cfg) {
    log->cache = *cfg;
    log->cache.flags &= NBS_CACHE_ALL;
    if (!log->cache.flags) {
        log->cache.mem = NULL;
        return NBS_OK;
    }
    size_t need = nbs_cache_bytes(log->cache.flags, log->pages, cfg->max_keys);
    if (!cfg->mem || (uintptr_t)cfg->mem % 4 || cfg->mem_size < need) return NBS_E_CACHE_MEM;
    memset(cfg->mem, 0, need);
    return NBS_OK;
}

/* --- key locations --------------------------------------------------------------------- */

static uint32_t key_slots(const nbs_log *log) {
    return (uint32_t)layout(log).key_slots;
}

static uint32_t key_id(const uint8_t *key, uint32_t klen, uint32_t hash) {
    if (klen > SHORT_KEY) return hash;
    uint8_t b[SHORT_KEY] = {0};
    memcpy(b, key, klen);
    return nbs_get_le(b, SHORT_KEY);
}

static uint32_t loc_of(const nbs_log *log, uint32_t page, uint32_t off) {
    return page * log->flash.page_size + off;
}

/* The item an entry describes (its header rebuilt, no read). */
static void entry_item(const nbs_log *log, const key_entry *e, nbs_item *it) {
    memset(it, 0, sizeof *it);
    it->off = e->loc % log->flash.page_size;
    it->type = ITEM_STORE;
    it->klen = e->lengths >> 24;
    it->vlen = e->lengths & VLEN_MASK;
    it->after_gap = e->lengths & AFTER_GAP;
    it->elided = e->lengths & ELIDED;
    it->key_at = e->crc; /* a STORE-SAME's (nbs_item_layout sets any other's) */
    it->crc = it->elided ? 0 : e->crc;
    it->sealed = true;
    nbs_item_layout(log, it);
}

/* 1 when the entry holds this key, 0 when not, or an error (a long key is read from flash). */
static int entry_holds(nbs_log *log, const key_entry *e, const uint8_t *key, uint32_t klen,
                       uint32_t hash) {
    if (!e->lengths || e->lengths >> 24 != klen || e->id != key_id(key, klen, hash)) return 0;
    if (klen <= SHORT_KEY) return 1;
    nbs_item it;
    entry_item(log, e, &it);
    return nbs_key_equal(log, e->loc / log->flash.page_size, it.key_at, key, klen);
}

/* The entry of this key (*slot), or the empty entry where it would go: 1 found, 0 not, or an
 * error. */
static int key_slot(nbs_log *log, const uint8_t *key, uint32_t klen, uint32_t *slot) {
    const uint32_t n = key_slots(log), hash = nbs_crc32c(0, key, klen);
    key_entry *t = entries(log);
    for (uint32_t i = 0, s = hash % n; i < n; i++, s = (s + 1) % n) {
        *slot = s;
        if (!t[s].lengths) return 0;
        int rc = entry_holds(log, &t[s], key, klen, hash);
        if (rc) return rc;
    }
    *slot = n; /* full: no empty entry */
    return 0;
}

/* Where an entry's probe run starts: its key's hash (a short key's, from its bytes). */
static uint32_t entry_home(const nbs_log *log, const key_entry *e) {
    uint32_t klen = e->lengths >> 24;
    if (klen > SHORT_KEY) return e->id % key_slots(log);
    uint8_t key[SHORT_KEY];
    nbs_put_le(key, e->id, SHORT_KEY);
    return nbs_crc32c(0, key, klen) % key_slots(log);
}

/* Deletes an entry, moving later entries of its probe run back so that no lookup stops early
 * (the table always has an empty entry: it has more entries than max_keys). */
static void key_delete(nbs_log *log, uint32_t hole) {
    const uint32_t n = key_slots(log);
    key_entry *t = entries(log);
    header(log)->keys_used--;
    for (uint32_t j = (hole + 1) % n; t[j].lengths; j = (j + 1) % n) {
        uint32_t home = entry_home(log, &t[j]);
        /* j stays when its home lies cyclically in (hole, j]. */
        bool stays = hole < j ? home > hole && home <= j : home > hole || home <= j;
        if (stays) continue;
        t[hole] = t[j];
        hole = j;
    }
    memset(&t[hole], 0, sizeof t[hole]);
}

static void key_fill(const nbs_log *log, key_entry *e, const uint8_t *key, const nbs_item *it,
                     uint32_t page) {
    e->id = key_id(key, it->klen, nbs_crc32c(0, key, it->klen));
    e->lengths = it->klen << 24 | (it->after_gap ? AFTER_GAP : 0) | (it->in_txn ? IN_TXN : 0) |
                 (it->elided ? ELIDED : 0) | it->vlen;
    e->loc = loc_of(log, page, it->off);
    e->crc = it->elided ? it->key_at : it->crc;
}

/* The key's newest version is `it` in `page` (a STORE), or none (NULL). */
static int key_set(nbs_log *log, const uint8_t *key, uint32_t klen, const nbs_item *it,
                   uint32_t page) {
    cache_header *h = header(log);
    uint32_t s;
    int rc = key_slot(log, key, klen, &s);
    if (rc < 0) return rc;
    if (rc && it) {
        key_fill(log, &entries(log)[s], key, it, page);
    } else if (rc) {
        key_delete(log, s);
    } else if (it && s < key_slots(log) && h->keys_used < log->cache.max_keys) {
        key_fill(log, &entries(log)[s], key, it, page);
        h->keys_used++;
    } else if (it) {
        h->keys_complete = 0; /* no room: this key is known only to flash */
    }
    return NBS_OK;
}

static void keys_clear(nbs_log *log) {
    memset(entries(log), 0, key_slots(log) * sizeof(key_entry));
    header(log)->keys_used = 0;
    header(log)->keys_complete = 1;
}

/* Mount: every live page oldest first, so that the newest version of each key stays. */
static int keys_fill(nbs_log *log) {
    keys_clear(log);
    uint8_t *key = nbs_work_key(log);
    for (uint32_t back = nbs_live_pages(log); back-- > 0;) {
        nbs_cursor cur;
        nbs_item it;
        int rc = nbs_cursor_start(log, nbs_page_of(log, (uint16_t)(log->newest_seq - back)), &cur);
        nbs_cursor in = {0};
        while (!rc && (rc = nbs_map_walk_next(log, &cur, &in, &it, 0)) == NBS_OK) {
            if (it.type == ITEM_CLEAR) keys_clear(log);
            if (it.type != ITEM_STORE && it.type != ITEM_REMOVE) continue;
            int ok = nbs_item_intact(log, it.in_txn ? &in : &cur, &it);
            if (ok <= 0) {
                if (ok < 0) return ok;
                continue;
            }
            rc = nbs_read(log, cur.page, it.key_at, key, it.klen);
            if (rc == NBS_E_ECC) continue; /* read whole just now: left to flash lookups */
            if (!rc) rc = key_set(log, key, it.klen, it.type == ITEM_STORE ? &it : NULL, cur.page);
        }
        if (rc != NBS_E_END && rc != NBS_WALK_TORN) return rc;
    }
    return NBS_OK;
}

int nbs_cache_ready(nbs_log *log) {
    if (on(log, NBS_CACHE_KEYS) && log->kind == NBS_KIND_MAP) return keys_fill(log);
    return NBS_OK;
}

void nbs_cache_clear(nbs_log *log) {
    if (!on(log, NBS_CACHE_ALL)) return;
    size_t bytes = nbs_cache_bytes(log->cache.flags, log->pages, log->cache.max_keys);
    memset(log->cache.mem, 0, bytes);
    if (on(log, NBS_CACHE_KEYS) && log->kind == NBS_KIND_MAP) keys_clear(log);
}

/* A STORE-SAME's entry (its item rebuilt in f->it) for `key`, which the entry was found to hold
 * (a short key by its bytes, a long one confirmed on flash): its CRC and value in one read, from
 * the CRC in its commit header on. The chunk area then holds key and value as for any item
 * (f->in_chunk). */
static int elided_find(nbs_log *log, const uint8_t *key, uint32_t page, nbs_found *f) {
    uint32_t size, klen = f->it.klen, vlen = f->it.vlen;
    uint32_t crc_at = f->it.off + nbs_head_at(log) + f->it.head_len;
    uint32_t pre = nbs_item_value_at(&f->it) - crc_at; /* the CRC and padding before the value */
    uint8_t *chunk = nbs_work_chunk(log, &size);
    f->in_chunk = pre + vlen <= size && klen + vlen <= size;
    int rc = nbs_read(log, page, crc_at, chunk, f->in_chunk ? pre + vlen : NBS_CRC_BYTES);
    if (rc == NBS_E_ECC) return NBS_CACHE_ASK;
    if (rc) return rc;
    f->it.crc = nbs_get_le(chunk, NBS_CRC_BYTES);
    if (!f->in_chunk) {
        int ok = nbs_item_intact(log, &f->cur, &f->it);
        return ok < 0 ? ok : ok ? NBS_OK : NBS_CACHE_ASK;
    }
    memmove(chunk + klen, chunk + pre, vlen);
    memcpy(chunk, key, klen);
    uint32_t crc = nbs_crc32c(f->cur.seed, f->it.head, f->it.head_len);
    return nbs_crc32c(crc, chunk, klen + vlen) == f->it.crc ? NBS_OK : NBS_CACHE_ASK;
}

int nbs_cache_find(nbs_log *log, const uint8_t *key, uint32_t klen, nbs_found *f) {
    if (!on(log, NBS_CACHE_KEYS) || log->kind != NBS_KIND_MAP) return NBS_CACHE_ASK;
    uint32_t s;
    int rc = key_slot(log, key, klen, &s);
    if (rc < 0) return rc;
    if (!rc) return header(log)->keys_complete ? NBS_E_NOT_FOUND : NBS_CACHE_ASK;
    const key_entry *e = &entries(log)[s];
    uint32_t page = e->loc / log->flash.page_size, size;
    entry_item(log, e, &f->it);
    f->seq = nbs_seq_of(log, page);
    if ((rc = nbs_cursor_start(log, page, &f->cur))) return rc;
    if (e->lengths & IN_TXN) f->cur.seed = NBS_TXN_MEMBER_SEED; /* checked by its own CRC */
    /* Read key and value at once when they fit the chunk area: the CRC checks them both. */
    uint8_t *chunk = nbs_work_chunk(log, &size);
    uint32_t n = f->it.klen + f->it.vlen;
    if (f->it.elided) return elided_find(log, key, page, f);
    f->in_chunk = n <= size;
    if (f->in_chunk) {
        rc = nbs_read(log, page, f->it.data, chunk, n);
        if (rc == NBS_E_ECC) return NBS_CACHE_ASK;
        if (rc) return rc;
        uint32_t crc = nbs_crc32c(f->cur.seed, f->it.head, f->it.head_len);
        if (nbs_crc32c(crc, chunk, n) != f->it.crc) return NBS_CACHE_ASK;
        return NBS_OK;
    }
    int ok = nbs_item_intact(log, &f->cur, &f->it);
    return ok < 0 ? ok : ok ? NBS_OK : NBS_CACHE_ASK;
}

int nbs_cache_key_at(nbs_log *log, uint32_t page, uint32_t off) {
    if (!on(log, NBS_CACHE_KEYS) || log->kind != NBS_KIND_MAP) return NBS_CACHE_ASK;
    const key_entry *t = entries(log);
    const uint32_t loc = loc_of(log, page, off);
    for (uint32_t s = 0; s < key_slots(log); s++)
        if (t[s].lengths && t[s].loc == loc) return 1;
    return header(log)->keys_complete ? 0 : NBS_CACHE_ASK;
}

void nbs_cache_key_written(nbs_log *log, const nbs_item *it, const uint8_t *key) {
    if (!on(log, NBS_CACHE_KEYS) || log->kind != NBS_KIND_MAP) return;
    if (it->type == ITEM_CLEAR) keys_clear(log);
    if (it->type != ITEM_STORE && it->type != ITEM_REMOVE) return;
    /* A lookup that failed (a read error) leaves the table unsure of this key. */
    if (key_set(log, key, it->klen, it->type == ITEM_STORE ? it : NULL, log->newest))
        header(log)->keys_complete = 0;
}

static key_entry *entry_at(nbs_log *log, uint32_t loc, uint32_t *slot) {
    key_entry *t = entries(log);
    for (uint32_t s = 0; s < key_slots(log); s++)
        if (t[s].lengths && t[s].loc == loc) return *slot = s, &t[s];
    return NULL;
}

void nbs_cache_key_moved(nbs_log *log, uint32_t page, uint32_t off, const nbs_item *to) {
    if (!on(log, NBS_CACHE_KEYS) || log->kind != NBS_KIND_MAP) return;
    uint32_t s;
    key_entry *e = entry_at(log, loc_of(log, page, off), &s);
    if (!e) return;
    e->loc = loc_of(log, log->newest, to->off);
    e->crc = to->elided ? to->key_at : to->crc;
    /* a copy: an item that follows no gap, a full STORE (GC expands a STORE-SAME) */
    e->lengths &= ~(uint32_t)(AFTER_GAP | IN_TXN | ELIDED);
    e->lengths |= to->elided ? ELIDED : 0;
}

int nbs_cache_key_count(nbs_log *log, uint32_t *count) {
    if (!on(log, NBS_CACHE_KEYS) || log->kind != NBS_KIND_MAP || !header(log)->keys_complete)
        return NBS_CACHE_ASK;
    *count = header(log)->keys_used;
    return NBS_OK;
}

int nbs_cache_live_bytes(nbs_log *log, uint32_t page, uint32_t *bytes) {
    if (!on(log, NBS_CACHE_KEYS) || log->kind != NBS_KIND_MAP || !header(log)->keys_complete)
        return NBS_CACHE_ASK;
    const key_entry *t = entries(log);
    *bytes = 0;
    for (uint32_t s = 0; s < key_slots(log); s++) {
        if (!t[s].lengths || t[s].loc / log->flash.page_size != page) continue;
        nbs_item it;
        entry_item(log, &t[s], &it);
        *bytes += nbs_copy_cost(log, &it);
    }
    return NBS_OK;
}

/* --- pages ------------------------------------------------------------------------------ */

int nbs_cache_seed(nbs_log *log, uint32_t page, uint32_t *seed) {
    if (!on(log, NBS_CACHE_PAGE_STATES) || !seeds(log)[page].known) return NBS_CACHE_ASK;
    *seed = seeds(log)[page].seed;
    return NBS_OK;
}

void nbs_cache_note_seed(nbs_log *log, uint32_t page, uint32_t seed) {
    if (!on(log, NBS_CACHE_PAGE_STATES)) return;
    seeds(log)[page].seed = seed;
    seeds(log)[page].known = 1;
}

int nbs_cache_end(nbs_log *log, uint32_t page, uint32_t *end) {
    if (!on(log, NBS_CACHE_PAGE_POINTERS) || !ends(log)[page]) return NBS_CACHE_ASK;
    *end = ends(log)[page];
    return NBS_OK;
}

void nbs_cache_note_end(nbs_log *log, uint32_t page, uint32_t end) {
    if (on(log, NBS_CACHE_PAGE_POINTERS)) ends(log)[page] = end;
}

void nbs_cache_page_erased(nbs_log *log, uint32_t page) {
    if (on(log, NBS_CACHE_PAGE_STATES)) memset(&seeds(log)[page], 0, sizeof(page_seed));
    if (on(log, NBS_CACHE_PAGE_POINTERS)) {
        ends(log)[page] = 0;
        queue_entries(log)[page] = 0;
        uint32_t loc = header(log)->head_loc;
        if (loc && (loc - 1) / log->flash.page_size == page) header(log)->head_loc = 0;
    }
    if (on(log, NBS_CACHE_KEYS) && log->kind == NBS_KIND_MAP) {
        /* Entries left in the page (an item whose copy did not check): gone with it. */
        key_entry *t = entries(log);
        for (uint32_t s = 0; s < key_slots(log); s++) {
            if (t[s].lengths && t[s].loc / log->flash.page_size == page) {
                key_delete(log, s);
                s = UINT32_MAX; /* deletion moves entries: look again from the start */
            }
        }
    }
}

/* --- the queue's head and entries per page ---------------------------------------------- */

/* Each page's unpopped entries + 1 (0: unknown). */
int nbs_cache_entries(nbs_log *log, uint32_t page, uint32_t *count) {
    if (!on(log, NBS_CACHE_PAGE_POINTERS) || !queue_entries(log)[page]) return NBS_CACHE_ASK;
    *count = queue_entries(log)[page] - 1;
    return NBS_OK;
}

void nbs_cache_note_entries(nbs_log *log, uint32_t page, uint32_t count) {
    if (on(log, NBS_CACHE_PAGE_POINTERS)) queue_entries(log)[page] = count + 1;
}

void nbs_cache_entries_changed(nbs_log *log, uint32_t page, int rc, int delta) {
    if (!on(log, NBS_CACHE_PAGE_POINTERS)) return;
    uint32_t *n = &queue_entries(log)[page];
    if (rc) /* the write may or may not have landed: count that page again */
        *n = 0;
    else if (*n)
        *n += (uint32_t)delta;
}

void nbs_cache_note_head(nbs_log *log, const nbs_item *it) {
    if (!on(log, NBS_CACHE_PAGE_POINTERS) || !log->head_known) return;
    cache_header *h = header(log);
    h->head_loc = loc_of(log, log->head_page, it->off) + 1;
    h->head_lengths = it->vlen | (it->after_gap ? AFTER_GAP : 0);
    h->head_crc = it->crc;
}

int nbs_cache_head(nbs_log *log, nbs_item *it) {
    if (!on(log, NBS_CACHE_PAGE_POINTERS) || !log->head_known) return NBS_CACHE_ASK;
    const cache_header *h = header(log);
    if (h->head_loc != loc_of(log, log->head_page, log->head_off) + 1) return NBS_CACHE_ASK;
    memset(it, 0, sizeof *it);
    it->off = log->head_off;
    it->type = ITEM_PUSH;
    it->vlen = h->head_lengths & VLEN_MASK;
    it->after_gap = h->head_lengths & AFTER_GAP;
    it->crc = h->head_crc;
    it->sealed = true;
    nbs_item_layout(log, it);
    return NBS_OK;
}
#endif
