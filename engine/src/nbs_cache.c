/* The optional RAM caches (SPEC.md, section 10): page states (each page's identity), page
 * pointers (where each page's slot list ends) and key locations (an open-addressing table from
 * a hash of the key to its newest item). They live in the caller's memory, are refilled from
 * flash after every mount and kept in step by the write hooks; in check mode every cached
 * answer is recomputed the uncached way. With NBS_WITH_CACHES=0 only nbs_cache_bytes() stays. */
#include "nbs_internal.h"

#if !NBS_WITH_CACHES
size_t nbs_cache_bytes(unsigned flags, uint32_t pages, uint32_t max_keys) {
    (void)flags, (void)pages, (void)max_keys;
    return 0;
}
#else

/* The caller's memory, each part present only with its flag, in order of decreasing alignment
 * so that no padding is needed:
 *   header | key entries [key_slots] | seq [pages] | tail [pages] | slot end [pages] | state
 * [pages]
 */
typedef struct cache_header {
    uint32_t keys_used;
    uint32_t keys_complete; /* every live key has an entry: a miss means absent */
} cache_header;

typedef struct key_entry {
    uint32_t hash;      /* CRC-32C of the key */
    uint32_t lengths;   /* key length << 24 | value length */
    uint16_t page;      /* page index holding the item */
    uint16_t slot;      /* holding index of its record; 0 marks an empty entry (slot 0 is OPEN) */
    uint16_t off_units; /* data block offset / U */
    uint16_t removed;   /* only while building: the newest version is a REMOVE */
} key_entry;

typedef struct cache_layout {
    uint64_t key_slots, keys, seqs, tails, slot_ends, states, total;
} cache_layout;

/* Open addressing stays short when at most two thirds of the entries are in use. */
static cache_layout layout_of(unsigned flags, uint32_t pages, uint32_t max_keys) {
    cache_layout l;
    l.key_slots = flags & NBS_CACHE_KEYS ? (uint64_t)max_keys + max_keys / 2 + 1 : 0;
    l.keys = sizeof(cache_header);
    l.seqs = l.keys + l.key_slots * sizeof(key_entry);
    l.tails = l.seqs + (flags & NBS_CACHE_PAGE_STATES ? 4u * pages : 0);
    l.slot_ends = l.tails + (flags & NBS_CACHE_PAGE_STATES ? 4u * pages : 0);
    l.states = l.slot_ends + (flags & NBS_CACHE_PAGE_POINTERS ? 2u * pages : 0);
    l.total = l.states + (flags & NBS_CACHE_PAGE_STATES ? pages : 0);
    return l;
}

size_t nbs_cache_bytes(unsigned flags, uint32_t pages, uint32_t max_keys) {
    if (!(flags & NBS_CACHE_ALL)) return 0;
    uint64_t total = layout_of(flags, pages, max_keys).total;
    return total > SIZE_MAX ? SIZE_MAX : (size_t)total;
}

enum { PAGE_UNKNOWN, PAGE_NO_IDENTITY, PAGE_OPENED };
enum { SLOT_END_UNKNOWN = 0xFFFF }; /* never a slot count: P/S <= 16384 */
enum { SLOT_END_CARRIED = 0x8000 }; /* | index: the next page carries the record at index */
enum { ASK_FLASH = 1 };             /* the cache cannot answer; the uncached path must */

typedef struct cache_parts {
    cache_header *header;
    key_entry *keys;
    uint32_t key_slots, *seqs, *tails;
    uint16_t *slot_ends;
    uint8_t *states;
} cache_parts;

static cache_parts parts_of(const nbs_log *log) {
    cache_layout l = layout_of(log->cache.flags, log->pages, log->cache.max_keys);
    uint8_t *mem = log->cache.mem;
    return (cache_parts){(cache_header *)mem,
                         (key_entry *)(mem + l.keys),
                         (uint32_t)l.key_slots,
                         (uint32_t *)(mem + l.seqs),
                         (uint32_t *)(mem + l.tails),
                         (uint16_t *)(mem + l.slot_ends),
                         mem + l.states};
}

static bool keys_on(const nbs_log *log) {
    return (log->cache.flags & NBS_CACHE_KEYS) && log->kind == NBS_KIND_MAP;
}

static void clear_keys(const nbs_log *log, bool complete) {
    cache_parts c = parts_of(log);
    memset(c.keys, 0, c.key_slots * sizeof *c.keys);
    c.header->keys_used = 0;
    c.header->keys_complete = complete;
}

void nbs_cache_reset(nbs_log *log) {
    if (!log->cache.flags) return;
    cache_parts c = parts_of(log);
    if (log->cache.flags & NBS_CACHE_PAGE_STATES) memset(c.states, PAGE_UNKNOWN, log->pages);
    if (log->cache.flags & NBS_CACHE_PAGE_POINTERS)
        memset(c.slot_ends, 0xFF, log->pages * sizeof *c.slot_ends);
    if (log->cache.flags & NBS_CACHE_KEYS) clear_keys(log, true);
}

int nbs_cache_start(nbs_log *log, const nbs_cache_config *cfg) {
    if (!(cfg->flags & NBS_CACHE_ALL)) return NBS_OK;
    if (!cfg->mem || cfg->mem_size < nbs_cache_bytes(cfg->flags, log->pages, cfg->max_keys) ||
        (uintptr_t)cfg->mem % sizeof(uint32_t))
        return NBS_E_CACHE_MEM;
    log->cache = *cfg;
    log->cache.flags &= NBS_CACHE_ALL;
    nbs_cache_reset(log);
    return NBS_OK;
}

/* ---- page states: the identity of each page ---- */

int nbs_identity(nbs_log *log, uint32_t page, uint32_t *seq, uint32_t *tail) {
    if (!(log->cache.flags & NBS_CACHE_PAGE_STATES))
        return nbs_identity_flash(log, page, seq, tail);
    cache_parts c = parts_of(log);
    if (c.states[page] == PAGE_UNKNOWN) {
        int rc = nbs_identity_flash(log, page, seq, tail);
        if (rc < 0) return rc;
        c.states[page] = rc ? PAGE_OPENED : PAGE_NO_IDENTITY;
        c.seqs[page] = rc ? *seq : 0;
        c.tails[page] = rc ? *tail : 0;
        return rc;
    }
    int cached = c.states[page] == PAGE_OPENED;
    if (cached) *seq = c.seqs[page], *tail = c.tails[page];
    if (!log->cache.check) return cached;
    uint32_t flash_seq, flash_tail;
    int rc = nbs_identity_flash(log, page, &flash_seq, &flash_tail);
    if (rc < 0) return rc;
    if (rc != cached || (rc && (flash_seq != *seq || flash_tail != *tail)))
        return NBS_E_CACHE_MISMATCH;
    return cached;
}

void nbs_cache_identity_read(nbs_log *log, uint32_t page, const nbs_ident *id) {
    if (!(log->cache.flags & NBS_CACHE_PAGE_STATES)) return;
    cache_parts c = parts_of(log);
    c.states[page] = id->found ? PAGE_OPENED : PAGE_NO_IDENTITY;
    c.seqs[page] = id->found ? id->seq : 0;
    c.tails[page] = id->found ? id->tail : 0;
}

/* ---- page pointers: where each page's slot list ends (its free slots begin) ---- */

static uint16_t end_code(int32_t last, int32_t carried) {
    return (uint16_t)(carried >= 0 ? SLOT_END_CARRIED | (uint32_t)carried : (uint32_t)(last + 1));
}

/* The newest page's end is already RAM state (log->last), kept by the writers. */
int nbs_page_end(nbs_log *log, uint32_t page, uint32_t seq, int32_t *last, int32_t *carried) {
    if (!(log->cache.flags & NBS_CACHE_PAGE_POINTERS) || (!log->empty && page == log->newest))
        return nbs_page_end_flash(log, page, seq, last, carried);
    uint16_t *end = &parts_of(log).slot_ends[page];
    if (*end == SLOT_END_UNKNOWN) {
        int rc = nbs_page_end_flash(log, page, seq, last, carried);
        if (!rc) *end = end_code(*last, *carried);
        return rc;
    }
    *carried = *end & SLOT_END_CARRIED ? (int32_t)(*end & ~SLOT_END_CARRIED) : -1;
    *last = *carried >= 0 ? *carried - 1 : (int32_t)*end - 1;
    if (!log->cache.check) return NBS_OK;
    int32_t flash_last, flash_carried;
    int rc = nbs_page_end_flash(log, page, seq, &flash_last, &flash_carried);
    if (rc) return rc;
    return flash_last == *last && flash_carried == *carried ? NBS_OK : NBS_E_CACHE_MISMATCH;
}

/* The page before an erased page loses whatever the erased page carried for it. */
void nbs_cache_page_erased(nbs_log *log, uint32_t page) {
    if (!log->cache.flags) return;
    cache_parts c = parts_of(log);
    if (log->cache.flags & NBS_CACHE_PAGE_STATES) c.states[page] = PAGE_NO_IDENTITY;
    if (log->cache.flags & NBS_CACHE_PAGE_POINTERS) {
        c.slot_ends[page] = 0;
        c.slot_ends[(page + log->pages - 1) % log->pages] = SLOT_END_UNKNOWN;
    }
}

void nbs_cache_slot_written(nbs_log *log, uint32_t idx, const uint8_t rec[12]) {
    if (!log->cache.flags) return;
    cache_parts c = parts_of(log);
    bool open = rec[0] == REC_OPEN && idx == 0;
    if (log->cache.flags & NBS_CACHE_PAGE_POINTERS) {
        c.slot_ends[log->newest] = (uint16_t)(log->last + 1);
        int32_t carry = (int32_t)nbs_get_le(rec + 8, 2);
        if (open && carry)
            c.slot_ends[(log->newest + log->pages - 1) % log->pages] =
                end_code(carry - 2, carry > 1 ? carry - 1 : -1);
    }
    if ((log->cache.flags & NBS_CACHE_PAGE_STATES) && open) {
        c.states[log->newest] = PAGE_OPENED;
        c.seqs[log->newest] = nbs_get_le(rec + 2, 4);
        c.tails[log->newest] = nbs_get_le(rec + 2, 4) - nbs_get_le(rec + 6, 2);
    }
    if (rec[0] == REC_CLEAR && keys_on(log)) clear_keys(log, true);
}

/* ---- key locations: hash of the key -> its newest item ---- */

static uint32_t page_seq(const nbs_log *log, uint32_t page) {
    return log->newest_seq - (log->newest + log->pages - page) % log->pages;
}

/* 1 with *at the key's entry, 0 with *at the empty entry that ends its probe run, or a read
 * error. The hash only narrows the search: the key itself is compared with the one on flash. */
static int probe(nbs_log *log, const cache_parts *c, uint32_t hash, const uint8_t *key,
                 uint32_t klen, uint32_t *at) {
    uint8_t *flash_key = log->work + NBS_WORK_KEY; /* key may sit in the work key area */
    for (uint32_t i = hash % c->key_slots;; i = (i + 1) % c->key_slots) {
        const key_entry *e = &c->keys[i];
        *at = i;
        if (!e->slot) return 0;
        if (e->hash != hash || e->lengths >> 24 != klen) continue;
        int rc =
            nbs_read(log, nbs_page_addr(log, e->page) + e->off_units * log->unit, flash_key, klen);
        if (rc) return rc;
        if (!memcmp(flash_key, key, klen)) return 1;
    }
}

static void put_entry(key_entry *e, uint32_t hash, uint32_t page, uint32_t slot, uint32_t off,
                      uint32_t klen, uint32_t vlen, bool removed) {
    *e = (key_entry){hash,           klen << 24 | vlen, (uint16_t)page,
                     (uint16_t)slot, (uint16_t)off,     (uint16_t)(removed ? 1 : 0)};
}

/* Backward-shift deletion: later entries of the run move up into the hole unless their home
 * lies after the hole, so no probe run is ever cut short and no tombstones are needed. */
static void remove_entry(const cache_parts *c, uint32_t hole) {
    uint32_t n = c->key_slots;
    for (uint32_t i = (hole + 1) % n; c->keys[i].slot; i = (i + 1) % n) {
        uint32_t home = c->keys[i].hash % n;
        if ((i + n - home) % n >= (i + n - hole) % n) {
            c->keys[hole] = c->keys[i];
            hole = i;
        }
    }
    memset(&c->keys[hole], 0, sizeof c->keys[hole]);
    c->header->keys_used--;
}

/* The uncached lookup's answer from RAM: one flash read to confirm the key, none for a key the
 * complete table does not hold. */
static int find_cached(nbs_log *log, const uint8_t *key, uint32_t klen, nbs_rec *found,
                       uint32_t *found_seq) {
    cache_parts c = parts_of(log);
    uint32_t at;
    int rc = probe(log, &c, nbs_crc32c(0, key, klen), key, klen, &at);
    if (rc < 0) return ASK_FLASH;
    if (!rc) return c.header->keys_complete ? NBS_E_NOT_FOUND : ASK_FLASH;
    const key_entry *e = &c.keys[at];
    memset(found->b, 0, sizeof found->b);
    found->b[0] = REC_STORE;
    nbs_put_le(found->b + 2, e->off_units, 2);
    nbs_put_le(found->b + 4, e->lengths >> 24, 1);
    nbs_put_le(found->b + 5, e->lengths & 0xFFFFFF, 3);
    found->slot = e->slot;
    *found_seq = page_seq(log, e->page);
    return NBS_OK;
}

/* Check mode compares what callers use: the outcome, the page, the record's index, type, data
 * offset and lengths (not its pin distance or CRC). */
int nbs_map_find(nbs_log *log, const uint8_t *key, uint32_t klen, nbs_rec *found,
                 uint32_t *found_seq) {
    int rc = keys_on(log) ? find_cached(log, key, klen, found, found_seq) : ASK_FLASH;
    if (rc == ASK_FLASH) return nbs_map_find_flash(log, key, klen, found, found_seq);
    if (!log->cache.check) return rc;
    nbs_rec flash_rec;
    uint32_t flash_seq;
    int flash_rc = nbs_map_find_flash(log, key, klen, &flash_rec, &flash_seq);
    if (flash_rc != NBS_OK && flash_rc != NBS_E_NOT_FOUND) return flash_rc;
    if (flash_rc != rc ||
        (!rc && (flash_seq != *found_seq || flash_rec.slot != found->slot ||
                 flash_rec.b[0] != found->b[0] || memcmp(flash_rec.b + 2, found->b + 2, 6))))
        return NBS_E_CACHE_MISMATCH;
    return rc;
}

/* The item just committed sits in the newest page: its record in the slot before next_slot, its
 * block right below the front. A key the table cannot tell apart (a read failed) empties it:
 * from then on misses go to flash. */
void nbs_cache_key_written(nbs_log *log, uint8_t type, const uint8_t *key, uint32_t klen,
                           uint32_t vlen) {
    if (!keys_on(log)) return;
    cache_parts c = parts_of(log);
    uint32_t hash = nbs_crc32c(0, key, klen), at;
    int rc = probe(log, &c, hash, key, klen, &at);
    if (rc < 0) {
        clear_keys(log, false);
        return;
    }
    if (type == REC_REMOVE) {
        if (rc) remove_entry(&c, at);
        return;
    }
    if (!rc && c.header->keys_used >= log->cache.max_keys) {
        c.header->keys_complete = false;
        return;
    }
    if (!rc) c.header->keys_used++;
    uint32_t block = nbs_round_up(klen + vlen, log->unit);
    put_entry(&c.keys[at], hash, log->newest, log->next_slot - 1, (log->front - block) / log->unit,
              klen, vlen, false);
}

/* One record met while building, newest first: the first intact version of a key wins (a
 * REMOVE as a `removed` entry, so that older versions are not taken). Mirrors the uncached
 * lookup: a key that cannot be read is skipped, as is data that is not intact. NBS_E_FULL when
 * the table has no room left. */
static int add_version(nbs_log *log, const cache_parts *c, uint32_t seq, const nbs_rec *r) {
    uint32_t klen = nbs_rec_klen(r), hash, at;
    uint8_t *key = nbs_work_key(log);
    if (klen < 1 || klen > NBS_KEY_MAX) return NBS_OK; /* no lookup can ask for it */
    int rc = nbs_read(log, nbs_item_addr(log, seq, r), key, klen);
    if (rc) return rc == NBS_E_ECC ? NBS_OK : rc;
    hash = nbs_crc32c(0, key, klen);
    if ((rc = probe(log, c, hash, key, klen, &at))) return rc < 0 ? rc : NBS_OK;
    if ((rc = nbs_item_intact(log, seq, r)) != 1) return rc;
    if (c->header->keys_used >= log->cache.max_keys) return NBS_E_FULL;
    c->header->keys_used++;
    put_entry(&c->keys[at], hash, nbs_page_of(log, seq), r->slot, nbs_rec_off(log, r) / log->unit,
              klen, nbs_rec_vlen(r), r->b[0] == REC_REMOVE);
    return NBS_OK;
}

static int add_live_versions(nbs_log *log, const cache_parts *c) {
    for (uint32_t seq = log->newest_seq; !log->empty; seq--) {
        nbs_walk w;
        nbs_rec r;
        int rc = nbs_walk_start(log, seq, &w);
        while (!rc && (rc = nbs_walk_prev(log, &w, &r)) == NBS_OK) {
            if (r.b[0] == REC_CLEAR) return NBS_OK;
            if ((r.b[0] == REC_STORE || r.b[0] == REC_REMOVE) && nbs_rec_in_page(log, &r))
                rc = add_version(log, c, seq, &r);
        }
        if (rc != NBS_E_END) return rc;
        if (seq == log->tail_seq) break;
    }
    return NBS_OK;
}

/* A build that stops early (table full, a read failed) keeps what it has: every entry is the
 * newest version of its key, and misses go to flash. Only check mode's verdict fails a mount. */
int nbs_cache_build_keys(nbs_log *log) {
    if (!keys_on(log)) return NBS_OK;
    cache_parts c = parts_of(log);
    clear_keys(log, true);
    int rc = add_live_versions(log, &c);
    if (rc == NBS_E_CACHE_MISMATCH) return rc;
    if (rc) c.header->keys_complete = false;
    for (uint32_t i = 0; i < c.key_slots; i++)
        while (c.keys[i].slot && c.keys[i].removed) remove_entry(&c, i);
    return NBS_OK;
}

#endif
