/* Walking a page's items oldest first (SPEC section 4): each step reads one item's commit
 * header, its flag units and, optionally, its first data bytes in one read; gaps are skipped;
 * a sealed item's lengths are trusted (its header is solid), an unsealed region ends the walk
 * (the page's last operation, for the mount to decide). Also the CRC check of an item. */
#include "nbs_internal.h"

/* The CRC seed of a page's items: the newest page's and a cached one need no read. */
static int page_seed(nbs_log *log, uint32_t page, uint32_t *seed) {
    if (log->mounted && page == log->newest) return *seed = log->newest_seed, NBS_OK;
    int cached = log->mounted ? nbs_cache_seed(log, page, seed) : NBS_CACHE_ASK;
    if (cached == NBS_OK && !log->cache.check) return NBS_OK;
    if (log->mounted && log->seed_page == page + 1 && cached != NBS_OK)
        return *seed = log->seed_of, NBS_OK; /* the page header read last time */
    uint8_t b[NBS_PAGE_HDR];                 /* the header bytes alone: DONE and KILL do not seed */
    int rc = nbs_read(log, page, 0, b, nbs_page_hdr_len(log));
    if (rc == NBS_E_ECC) memset(b, log->flash.erase_value, sizeof b), rc = NBS_OK;
    if (rc) return rc;
    uint32_t read = nbs_page_seed(log, b);
    if (cached == NBS_OK) return read == *seed ? NBS_OK : NBS_E_CACHE_MISMATCH;
    *seed = read;
    if (log->mounted) log->seed_page = page + 1, log->seed_of = read;
    if (log->mounted) nbs_cache_note_seed(log, page, read);
    return NBS_OK;
}

/* Where a page's items end: the newest page's front; a cached end (in check mode the region
 * there must read erased); else the page's end, found by the walk. */
static int page_limit(nbs_log *log, uint32_t page, uint32_t *limit) {
    *limit = log->flash.page_size;
    if (!log->mounted) return NBS_OK;
    if (page == log->newest) return *limit = log->front, NBS_OK;
    if (nbs_cache_end(log, page, limit) != NBS_OK) return NBS_OK;
    if (!log->cache.check || *limit + nbs_item_bytes(log, 0, 1) > log->flash.page_size)
        return NBS_OK;
    uint8_t buf[128];
    uint32_t n = nbs_gap(log);
    if (n > log->flash.page_size - *limit) n = log->flash.page_size - *limit;
    int rc = nbs_read(log, page, *limit, buf, n);
    if (rc && rc != NBS_E_ECC) return rc;
    return !rc && nbs_all_erased(log, buf, n) ? NBS_OK : NBS_E_CACHE_MISMATCH;
}

int nbs_cursor_start(nbs_log *log, uint32_t page, nbs_cursor *cur) {
    cur->page = page;
    cur->pos = nbs_items_start(log);
    cur->txn = 0;
    cur->chain_end = cur->chain_key = cur->chain_klen = 0;
    /* After a mount, seals are decided (SPEC 4): a read-only store's newest page, which its mount
     * did not rewrite, is walked as any other, up to the end its mount found. */
    cur->strict = !log->mounted || (NBS_TEST_BREAK == NBS_TEST_BREAK_RO_STRICT_NEWEST &&
                                    nbs_read_only(log) && page == log->newest);
    int rc = page_seed(log, page, &cur->seed);
    return rc ? rc : page_limit(log, page, &cur->limit);
}

void nbs_cursor_read_as(const nbs_log *log, uint32_t page, const nbs_page_hdr *h, nbs_cursor *cur) {
    *cur = (nbs_cursor){.page = page,
                        .seed = nbs_page_seed(log, h->b),
                        .pos = nbs_items_start(log),
                        .limit = log->flash.page_size,
                        .strict = true};
}

/* A varint of at most NBS_VARINT_MAX bytes, shortest form only: its length, or 0. */
static uint32_t read_varint(const uint8_t *b, uint32_t avail, uint32_t *value) {
    uint32_t v = 0;
    for (uint32_t i = 0; i < NBS_VARINT_MAX && i < avail; i++) {
        v |= (uint32_t)(b[i] & 0x7Fu) << (7 * i);
        if (!(b[i] & 0x80u)) {
            if (i > 0 && b[i] == 0) return 0; /* not the shortest form */
            *value = v;
            return i + 1;
        }
    }
    return 0;
}

static bool all_programmed(const nbs_log *log, const uint8_t *b, uint32_t len) {
    for (uint32_t i = 0; i < len; i++)
        if (b[i] != nbs_programmed_byte(log)) return false;
    return true;
}

/* The state of a flag unit: 0 erased, 1 touched (programmed-any but not full), 2 full. */
static unsigned flag_state(const nbs_log *log, const uint8_t *unit) {
    return nbs_all_erased(log, unit, log->unit) ? 0 : all_programmed(log, unit, log->unit) ? 2 : 1;
}

/* The type of an item with a key length byte (map) or none (queue), by its flag2 bit. */
static const uint8_t keyed_type[2][2] = {{ITEM_PUSH, ITEM_MARK}, {ITEM_STORE, ITEM_REMOVE}};

/* Decodes the item whose bytes (n of them) were read at `pos`; false when they are no item. A
 * TXN's members are decoded by it too, at their offsets inside the TXN's data (SPEC 3.4). */
bool nbs_item_parse(nbs_log *log, const uint8_t *b, uint32_t n, uint32_t pos, nbs_item *it) {
    const uint32_t w = log->unit, at = nbs_head_at(log);
    const unsigned map = log->kind == NBS_KIND_MAP; /* a map item's type/key byte */
    memset(it, 0, sizeof *it);
    it->off = pos;
    if (n <= at) return false;
    const uint8_t *flag = b;
    b += at, n -= at; /* S (and P, A) come first: where they are needs no length read */
    uint32_t tk = map ? b[0] : 0, field = 0, flen = read_varint(b + map, n - map, &field);
    if ((map && (tk == 0 || tk > TK_LAST)) || !flen || (!map && field-- == 0)) return false;
    it->head_len = (uint8_t)(map + flen);
    memcpy(it->head, b, it->head_len);
    if ((uint32_t)it->head_len + NBS_CRC_BYTES > n) return false;
    it->crc = nbs_get_le(b + it->head_len, NBS_CRC_BYTES);
    it->after_gap = field & 1u;
    it->vlen = field >> 2;
    const bool flag2 = field & 2u;
    if (tk == TK_CLEAR || tk == TK_MARK) { /* no flag2, no data */
        if (flag2) return false;
        it->type = tk == TK_CLEAR ? ITEM_CLEAR : ITEM_MARK;
    } else if (tk == TK_SAME) { /* a STORE of the key before it, no key bytes (3.6) */
        it->elided = !flag2 && !it->after_gap && it->vlen;
        it->type = it->elided ? ITEM_STORE : ITEM_RESERVED;
    } else if (tk > NBS_KEY_MAX) { /* data of vlen bytes: a TXN's members, or reserved (3.2) */
        it->type = tk == TK_TXN && !flag2 ? ITEM_TXN : ITEM_RESERVED;
    } else {
        it->klen = tk;
        it->type = keyed_type[map][flag2];
    }
    if (it->vlen && (it->type == ITEM_REMOVE || it->type == ITEM_CLEAR || it->type == ITEM_MARK))
        return false;
    /* Lengths read from flash are input: the item must end inside the page (no sum here can
     * wrap: pos, the header and the lengths are each below 2^22). */
    it->data = it->key_at = pos + nbs_item_data_at(log, it->head_len);
    it->end = it->data + nbs_round_up(it->klen + it->vlen, w);
    if (it->end > log->flash.page_size && NBS_TEST_BREAK != NBS_TEST_BREAK_TRUST_LENGTHS)
        return false;
    it->sealed = !nbs_all_erased(log, flag, nbs_seal_len(log));
    if (!map) {
        const unsigned pop = flag_state(log, flag + w), commit = flag_state(log, flag + 2 * w);
        it->pop_touched = pop != 0, it->pop_full = pop == 2;
        it->pop_sealed = commit != 0, it->pop_done = commit == 2;
        /* Read-only: popped as a recovery decides an unsealed pop, by its A (SPEC 6.5). */
        if (nbs_read_only(log) && NBS_TEST_BREAK != NBS_TEST_BREAK_RO_POP_BY_P)
            it->pop_full = it->pop_sealed;
    }
    return true;
}

const uint8_t *nbs_item_read_bytes(nbs_log *log, const nbs_item *it, uint32_t *len) {
    uint32_t size;
    const uint8_t *chunk = nbs_work_chunk(log, &size);
    *len = it->end > it->off ? it->end - it->off : 0;
    if (*len > it->read_len) *len = it->read_len;
    return chunk;
}

int nbs_out_buffer(const void *buf, size_t capacity, size_t *len, uint32_t need) {
    if (len) *len = need;
    if (capacity < need) return NBS_E_BUFFER_TOO_SMALL;
    return !buf && need ? NBS_E_INVAL : NBS_OK;
}

bool nbs_item_in_chunk(const nbs_item *it) {
    return it->read_len && nbs_item_value_at(it) + it->vlen <= it->off + it->read_len;
}

/* Reads up to `want` bytes at pos (no further than the page end) into the chunk area. */
static int read_at(nbs_log *log, uint32_t page, uint32_t pos, uint32_t want, uint32_t *n) {
    uint32_t size;
    uint8_t *chunk = nbs_work_chunk(log, &size);
    if (want > size) want = size;
    if (want > log->flash.page_size - pos) want = log->flash.page_size - pos;
    *n = want;
    return nbs_read(log, page, pos, chunk, want);
}

/* After an ECC error on the read of an item's regions: read them unit by unit. A unit that
 * reports an error (a torn program of ECC flash) reads as touched but not full: a flag unit whose
 * program started, or data whose CRC decides. *first_bad is the offset of the first such unit
 * (n when none): one inside the commit header makes the region torn. */
static int read_units(nbs_log *log, uint32_t page, uint32_t pos, uint32_t n, uint8_t *out,
                      uint32_t *first_bad) {
    const uint32_t w = log->unit;
    const uint8_t touched = (uint8_t)(log->flash.erase_value ^ 0x55u);
    *first_bad = n;
    for (uint32_t at = 0; at < n; at += w) {
        uint32_t len = n - at < w ? n - at : w;
        int rc = nbs_read(log, page, pos + at, out + at, len);
        if (rc == NBS_E_ECC) {
            memset(out + at, touched, len);
            if (at < *first_bad) *first_bad = at;
        } else if (rc) {
            return rc;
        }
    }
    return NBS_OK;
}

/* The item at pos, read with `extra` data bytes: NBS_OK (parsed), NBS_WALK_TORN (no item, or
 * an unparseable region), NBS_E_END (erased: a gap or the end, told apart by the caller). */
static int item_at(nbs_log *log, nbs_cursor *cur, uint32_t pos, uint32_t extra, nbs_item *it) {
    uint32_t size, n, g = nbs_gap(log);
    uint8_t *chunk = nbs_work_chunk(log, &size);
    memset(it, 0, sizeof *it);
    it->off = pos;
    uint32_t first_bad = UINT32_MAX, want = nbs_item_bytes(log, 0, 0) + extra;
    int rc = read_at(log, cur->page, pos, want > g ? want : g, &n);
    if (rc == NBS_E_ECC) rc = read_units(log, cur->page, pos, n, chunk, &first_bad);
    if (rc) return rc;
    if (first_bad == UINT32_MAX && nbs_all_erased(log, chunk, n < g ? n : g)) return NBS_E_END;
    /* A unit with an ECC error inside the commit header (after the flag units, before the data)
     * makes the region torn. */
    if (nbs_item_parse(log, chunk, n, pos, it) &&
        (first_bad < nbs_flag_bytes(log) || first_bad >= it->data - pos)) {
        it->read_len = first_bad == UINT32_MAX ? n : 0;
        return NBS_OK;
    }
    memset(it, 0, sizeof *it);
    it->off = pos;
    return NBS_WALK_TORN;
}

/* 1 when the bytes at `end` (a G-sized region, or what the page has left) are not all erased,
 * 0 when they are, or an error. */
static int followed(nbs_log *log, const nbs_cursor *cur, uint32_t end) {
    uint8_t buf[128]; /* not the chunk area: it still holds the item (nbs_item_in_chunk) */
    if (end >= log->flash.page_size) return 0;
    uint32_t n = nbs_gap(log), left = log->flash.page_size - end;
    if (n > left) n = left;
    int rc = nbs_read(log, cur->page, end, buf, n);
    if (rc == NBS_E_ECC) return 1; /* a torn unit: touched */
    if (rc) return rc;
    return !nbs_all_erased(log, buf, n);
}

/* Whether the unsealed item `it` at pos is sealed after all: something programmed follows it
 * (beyond max(its end, pos + G)), so its seal was programmed (programs of a power-on go in order)
 * and left weak. 1 yes, 0 no, or an error. */
static int sealed_by_followers(nbs_log *log, const nbs_cursor *cur, const nbs_item *it) {
    uint32_t g = nbs_gap(log), from = it->end > it->off + g ? it->end : it->off + g;
    return followed(log, cur, from);
}

/* A region at pos that is no sealed item is a filler (SPEC section 5.1: every bit
 * programmed, or what a refused program left) when an item that says it follows a gap lies at
 * pos + G and its CRC matches. Returns 1 (the item, in *it), 2 (the item, unsealed: the page's
 * last operation, for a mount to decide from this reading), 0 when the region is the page's
 * unsealed last operation itself, or an error. The filler is told by the item's CRC, not its
 * seal: a seal left weak may read erased at one reading and programmed at another, and the item
 * must read the same at each (only a mount looks at seals). */
static int gap_after(nbs_log *log, nbs_cursor *cur, uint32_t pos, uint32_t extra, nbs_item *it) {
    uint32_t g = nbs_gap(log);
    if (pos + g >= cur->limit) return 0;
    nbs_item next;
    int rc = item_at(log, cur, pos + g, extra, &next);
    if (rc != NBS_OK) return rc < 0 && rc != NBS_E_END ? rc : 0;
    if (!next.after_gap) return 0;
    if ((rc = nbs_item_intact(log, cur, &next)) != 1) return rc;
    bool sealed = next.sealed || !cur->strict;
    if (!sealed && (rc = sealed_by_followers(log, cur, &next)) < 0) return rc;
    sealed = sealed || rc == 1;
    /* item_at() read the header again into the chunk area: keep it for the caller. */
    rc = item_at(log, cur, pos + g, extra, it);
    if (rc != NBS_OK) return rc < 0 && rc != NBS_E_END ? rc : 0;
    it->sealed = sealed;
    return sealed ? 1 : 2;
}

/* The walk of a page other than the newest found its end: noted for the page pointers (the end
 * of a TXN's members is not the page's). */
static int page_ends(nbs_log *log, const nbs_cursor *cur) {
    if (log->mounted && cur->page != log->newest && !cur->txn)
        nbs_cache_note_end(log, cur->page, cur->pos);
    return NBS_E_END;
}

/* The page's unsealed last operation at it->off: NBS_WALK_TORN, but for a read-only store the
 * newest page's last item its mount kept (a read-write recovery would copy it, sealed), which
 * the inspection's strict walk past the mount's end meets. */
static int torn_end(const nbs_log *log, nbs_cursor *cur, const nbs_item *it) {
    if (!log->mounted || !it->end || it->off + 1 != log->kept_off || cur->page != log->newest)
        return NBS_WALK_TORN;
    cur->pos = it->end;
    return NBS_OK;
}

/* A STORE-SAME's key (SPEC 3.6): that of the item the walk returned just before it, ending where
 * it starts, when that item is a STORE (or a STORE-SAME, itself resolved); else it is an item of
 * no meaning. Its CRC covers the key it resolves to, so a wrong resolution never checks. */
static void chain_resolve(const nbs_cursor *cur, nbs_item *it) {
    if (!it->elided) return;
    if (!cur->txn && cur->chain_klen && cur->chain_end == it->off) {
        it->klen = cur->chain_klen, it->key_at = cur->chain_key;
        return;
    }
    it->elided = false, it->type = ITEM_RESERVED;
}

static int item_next(nbs_log *log, nbs_cursor *cur, nbs_item *it, uint32_t extra) {
    uint32_t pos = cur->pos;
    /* Room for the smallest item (a control record) or nothing is left. */
    if (pos >= cur->limit || pos + nbs_item_bytes(log, 0, 1) > log->flash.page_size)
        return page_ends(log, cur);
    int rc = item_at(log, cur, pos, extra, it);
    if (rc == NBS_OK) chain_resolve(cur, it); /* before any CRC check of it */
#if NBS_TEST_BREAK == NBS_TEST_BREAK_GAP_ERASED
    if (rc == NBS_E_END) { /* the design before rule 2: an erased gap is skipped */
        if ((rc = gap_after(log, cur, pos, extra, it)) <= 0) return rc ? rc : NBS_E_END;
        cur->pos = it->end;
        return NBS_OK;
    }
#endif
    if (rc == NBS_E_END) return page_ends(log, cur); /* erased: the page's items end */
    if (rc < 0) return rc;
    if (rc == NBS_OK && cur->strict) {
        /* Unsealed: sealed after all when something follows it. Sealed: a sealed item that
         * nothing follows and whose CRC fails may be a filler a cut tore: its bytes read as a
         * seal and a header with lengths that change between readings. It is the page's torn
         * last operation (recovery drops it), not an item to walk by. */
        int after = it->sealed ? followed(log, cur, it->end) : sealed_by_followers(log, cur, it);
        if (after == 0 && it->sealed) {
            bool whole = nbs_item_in_chunk(it);
            after = nbs_item_intact(log, cur, it);
            if (!whole) it->read_len = 0; /* the check read over the chunk area */
        }
        if (after < 0) return after;
        it->sealed = after == 1;
    }
    if (rc == NBS_OK && (it->sealed || !cur->strict)) {
        cur->pos = it->end;
        return NBS_OK;
    }
    nbs_item torn = *it;
    if ((rc = gap_after(log, cur, pos, extra, it)) < 0) return rc;
    if (rc == 1) {
        cur->pos = it->end;
        return NBS_OK;
    }
    if (rc == 2) { /* the unsealed last operation is the item after the filler */
        cur->pos = it->off;
        return torn_end(log, cur, it);
    }
    *it = torn;
    it->read_len = 0; /* gap_after() read over the chunk area */
    return torn_end(log, cur, it);
}

int nbs_item_next(nbs_log *log, nbs_cursor *cur, nbs_item *it, uint32_t extra) {
    int rc = item_next(log, cur, it, extra);
    if (rc == NBS_OK) { /* the chain a STORE-SAME right after it would continue */
        cur->chain_end = it->end, cur->chain_key = it->key_at;
        cur->chain_klen = it->type == ITEM_STORE && !cur->txn ? it->klen : 0;
    }
    return rc;
}

static int crc_matches(uint32_t crc, const nbs_item *it) {
    return NBS_TEST_BREAK == NBS_TEST_BREAK_SKIP_CRC || crc == it->crc;
}

bool nbs_item_matches(uint32_t seed, const nbs_item *it, const void *key, const void *value) {
    uint32_t crc = nbs_crc32c(seed, it->head, it->head_len);
    return nbs_crc32c(nbs_crc32c(crc, key, it->klen), value, it->vlen) == it->crc;
}

int nbs_item_intact(nbs_log *log, const nbs_cursor *cur, const nbs_item *it) {
    return nbs_item_intact_as(log, cur, it, NULL);
}

int nbs_item_intact_as(nbs_log *log, const nbs_cursor *cur, const nbs_item *it,
                       const uint8_t *key) {
    uint32_t size, crc = nbs_crc32c(cur->seed, it->head, it->head_len);
    uint8_t *chunk = nbs_work_chunk(log, &size);
    if (it->elided && key) {
        crc = nbs_crc32c(crc, key, it->klen);
    } else if (it->elided) { /* the key it resolves to, from its chain's STORE (not the chunk) */
        uint8_t read[NBS_KEY_MAX];
        int rc = it->klen <= sizeof read ? nbs_read(log, cur->page, it->key_at, read, it->klen)
                                         : NBS_E_ECC;
        if (rc == NBS_E_ECC) return 0;
        if (rc) return rc;
        crc = nbs_crc32c(crc, read, it->klen);
    }
    const uint32_t own = nbs_item_own_key(it) + it->vlen; /* the data's bytes */
    if (nbs_item_in_chunk(it)) /* the walk read it whole: no second read */
        return crc_matches(nbs_crc32c(crc, chunk + (it->data - it->off), own), it);
    uint32_t off = it->data, left = own;
    while (left) {
        uint32_t n = left < size ? left : size;
        int rc = nbs_read(log, cur->page, off, chunk, n);
        if (rc == NBS_E_ECC) return 0;
        if (rc) return rc;
        crc = nbs_crc32c(crc, chunk, n);
        off += n, left -= n;
    }
    return crc_matches(crc, it);
}
