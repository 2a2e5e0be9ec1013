/* The key-value map on format 3: store, fetch, remove, counts and iteration. A key's value is
 * its newest intact STORE or REMOVE: pages are searched newest first, and within a page the
 * last matching item wins; a CLEAR hides everything before it. Room and garbage collection:
 * nbs_map_room.c. */
#include "nbs.h"

#include "nbs_internal.h"

static int check_key(const void *key, size_t key_len) {
    if (key_len < 1 || key_len > NBS_KEY_MAX) return NBS_E_KEY_LEN;
    return key ? NBS_OK : NBS_E_INVAL;
}

static int check_map(nbs_map *map) {
    if (!map) return NBS_E_INVAL;
    return map->log.mounted ? NBS_OK : NBS_E_NOT_MOUNTED;
}

/* The map mounted and the key usable: then the key's newest intact STORE (NBS_OK, in *f) or
 * NBS_E_NOT_FOUND. */
static int find_key(nbs_map *map, const void *key, size_t key_len, nbs_found *f) {
    int rc = check_map(map);
    if (rc || (rc = check_key(key, key_len))) return rc;
    return nbs_map_find(&map->log, key, (uint32_t)key_len, f);
}

/* Reads the value of `it` (of the page `cur` walked) into `value` and checks the item's CRC over
 * `key` and the value as read: the value returned is the one checked (a weak cell read twice may
 * answer twice). */
static int read_value(nbs_log *log, const nbs_cursor *cur, const nbs_item *it, const void *key,
                      void *value) {
    int rc = it->vlen ? nbs_read(log, cur->page, nbs_item_value_at(it), value, it->vlen) : NBS_OK;
    if (rc) return rc;
    return nbs_item_matches(cur->seed, it, key, value) ? NBS_OK : NBS_E_ECC;
}

int nbs_key_equal(nbs_log *log, uint32_t page, uint32_t off, const uint8_t *key, uint32_t klen) {
    uint32_t size;
    uint8_t *chunk = nbs_work_chunk(log, &size);
    for (uint32_t done = 0; done < klen;) {
        uint32_t n = klen - done < size ? klen - done : size;
        int rc = nbs_read(log, page, off + done, chunk, n);
        if (rc == NBS_E_ECC) return 0;
        if (rc) return rc;
        if (memcmp(chunk, key + done, n)) return 0;
        done += n;
    }
    return 1;
}

/* Where a search starts: offset `from` of its last page (0: the page's first item) and, when the
 * item there is a STORE-SAME, its chain's key offset + 1 (0: none), which holds the key searched.
 */
typedef struct search_from {
    uint32_t from, chain;
} search_from;

/* One page's answer for a key, from `start` on: 1 found (STORE or REMOVE in *f: an item, or a
 * member of a TXN with the walk of its members), 2 cleared, 0 nothing. A STORE-SAME matches when
 * its chain's STORE did (the key offset + 1 of the last match: `match`). */
static int search_page(nbs_log *log, uint16_t seq, search_from start, const uint8_t *key,
                       uint32_t klen, nbs_found *f) {
    nbs_cursor page, in = {0};
    nbs_item it;
    int rc = nbs_cursor_start(log, nbs_page_of(log, seq), &page), state = 0;
    uint32_t match = start.chain;
    if (start.from) page.pos = start.from;
    if (start.chain) page.chain_end = start.from, page.chain_key = start.chain - 1;
    if (start.chain) page.chain_klen = klen;
    while (!rc && (rc = nbs_map_walk_next(log, &page, &in, &it, klen)) == NBS_OK) {
        const nbs_cursor cur = it.in_txn ? in : page;
        if (it.type == ITEM_CLEAR) {
            state = 2;
            continue;
        }
        if ((it.type != ITEM_STORE && it.type != ITEM_REMOVE) || it.klen != klen) continue;
        if (it.elided && match != it.key_at + 1) continue;
        uint32_t len, at = it.data - it.off;
        const uint8_t *b = nbs_item_read_bytes(log, &it, &len);
        uint32_t n = len < at ? 0 : len - at < klen ? len - at : klen; /* read with the header */
        if (!it.elided && memcmp(b + at, key, n)) continue;
        if (!it.elided && n < klen) { /* the rest of the key: from flash */
            int same = nbs_key_equal(log, cur.page, it.data + n, key + n, klen - n);
            if (same < 0) return same;
            if (!same) continue;
        }
        match = it.key_at + 1;
        int ok = nbs_item_intact_as(log, &cur, &it, key);
        if (ok < 0) return ok;
        if (ok) {
            state = 1;
            f->seq = seq, f->cur = cur, f->it = it;
        }
    }
    if (rc != NBS_E_END && rc != NBS_WALK_TORN) return rc;
    return state;
}

/* The key's newest intact STORE (NBS_OK) or NBS_E_NOT_FOUND, from flash: the pages from the
 * newest back to page `last` are searched, that one from offset `from` on (0: whole; the versions
 * before an item are older than it). */
static int find_flash(nbs_log *log, uint16_t last, search_from from, const uint8_t *key,
                      uint32_t klen, nbs_found *f) {
    uint32_t pages = nbs_live_pages(log) - (uint16_t)(last - log->tail_seq);
    f->in_chunk = false;
    for (uint32_t back = 0; back < pages; back++) {
        uint16_t seq = (uint16_t)(log->newest_seq - back);
        int rc = search_page(log, seq, seq == last ? from : (search_from){0, 0}, key, klen, f);
        if (rc < 0) return rc;
        if (rc == 2) return NBS_E_NOT_FOUND;
        if (rc == 1) return f->it.type == ITEM_STORE ? NBS_OK : NBS_E_NOT_FOUND;
    }
    return NBS_E_NOT_FOUND;
}

int nbs_map_find(nbs_log *log, const uint8_t *key, uint32_t klen, nbs_found *f) {
    int rc = nbs_cache_find(log, key, klen, f);
    const search_from whole = {0, 0};
    if (rc == NBS_CACHE_ASK) return find_flash(log, log->tail_seq, whole, key, klen, f);
    if ((rc && rc != NBS_E_NOT_FOUND) || !log->cache.check) return rc;
    nbs_found truth;
    int want = find_flash(log, log->tail_seq, whole, key, klen, &truth);
    if (want && want != NBS_E_NOT_FOUND) return want;
    f->in_chunk = false; /* the check read over the chunk area */
    if (want != rc || (!rc && (truth.cur.page != f->cur.page || truth.it.off != f->it.off ||
                               truth.it.vlen != f->it.vlen)))
        return NBS_E_CACHE_MISMATCH;
    return rc;
}

/* 1 when the item at `it` of page `seq` is the newest intact version of its key (its key is
 * then in the work buffer's key area), 0 when not, or an error. Only the pages after it and its
 * own page from it on (a TXN's member: from its TXN on) are searched. */
int nbs_map_is_newest(nbs_log *log, uint16_t seq, const nbs_item *it) {
    if (it->type != ITEM_STORE) return 0;
    uint8_t *key = nbs_work_key(log);
    int rc = nbs_read(log, nbs_page_of(log, seq), it->key_at, key, it->klen);
    if (rc == NBS_E_ECC) return 0;
    nbs_found f;
    search_from from = {it->in_txn ? it->in_txn - 1 : it->off, it->elided ? it->key_at + 1 : 0};
    if (!rc) rc = find_flash(log, seq, from, key, it->klen, &f);
    if (rc == NBS_E_NOT_FOUND) return 0;
    return rc ? rc : f.seq == seq && f.it.off == it->off;
}

int nbs_map_mount(nbs_map *map, const nbs_config *cfg) {
    return map ? nbs_log_mount(&map->log, cfg, NBS_KIND_MAP) : NBS_E_INVAL;
}

int nbs_map_erase_all(nbs_map *map) {
    if (!map) return NBS_E_INVAL;
    int rc = nbs_check_writable(&map->log); /* a refusal leaves the RAM state as it was */
    if (rc) return rc;
    map->log.writes++;
    return nbs_log_erase_all(&map->log);
}

int nbs_map_write(nbs_log *log, uint8_t type, const nbs_payload *p) {
    nbs_item written;
    nbs_payload w = *p;
    log->writes++; /* before anything: a write that fails part way may have changed pages */
    /* A STORE of the key the newest page's last item stores: a STORE-SAME, when it fits there
     * (making room would open another page, where no chain continues). */
    int rc = type == ITEM_STORE ? nbs_can_elide(log, p) : 0;
    if (rc < 0) return rc;
    w.elided = rc == 1 && nbs_fits_newest(log, nbs_append_cost(log, 0, p->vlen));
    rc = w.elided ? NBS_OK : nbs_map_make_room(log, p->klen, p->klen + p->vlen);
    if (!rc) rc = nbs_append(log, type, &w, &written);
    if (!rc && type == ITEM_TXN) nbs_txn_written(log, &written, p->value);
    if (!rc && type != ITEM_TXN) nbs_cache_key_written(log, &written, p->key);
    return rc ? rc : nbs_map_finish_round(log);
}

static int write_item(nbs_log *log, uint8_t type, const void *key, size_t klen, const void *value,
                      size_t vlen) {
    nbs_payload p = {key, (uint32_t)klen, value, (uint32_t)vlen, false};
    return nbs_map_write(log, type, &p);
}

int nbs_map_store(nbs_map *map, const void *key, size_t key_len, const void *value,
                  size_t value_len) {
    int rc = check_map(map);
    if (rc || (rc = nbs_check_writable(&map->log)) || (rc = check_key(key, key_len))) return rc;
    if (!value && value_len) return NBS_E_INVAL;
    if (value_len > nbs_map_max_value(&map->log.flash, key_len)) return NBS_E_TOO_BIG;
    return write_item(&map->log, ITEM_STORE, key, key_len, value, value_len);
}

int nbs_map_remove(nbs_map *map, const void *key, size_t key_len) {
    nbs_found f;
    int rc = check_map(map);
    if (rc || (rc = nbs_check_writable(&map->log)) || (rc = find_key(map, key, key_len, &f)))
        return rc == NBS_E_NOT_FOUND ? NBS_OK : rc;
    return write_item(&map->log, ITEM_REMOVE, key, key_len, NULL, 0);
}

int nbs_map_remove_all(nbs_map *map) {
    int rc = check_map(map);
    if (rc || (rc = nbs_check_writable(&map->log)) || map->log.empty) return rc;
    return write_item(&map->log, ITEM_CLEAR, NULL, 0, NULL, 0);
}

int nbs_map_fetch(nbs_map *map, const void *key, size_t key_len, void *value, size_t capacity,
                  size_t *value_len) {
    nbs_found f;
    int rc = find_key(map, key, key_len, &f);
    if (rc || (rc = nbs_out_buffer(value, capacity, value_len, f.it.vlen))) return rc;
    if (f.in_chunk) { /* the key cache read key and value together */
        uint32_t size;
        memcpy(value, nbs_work_chunk(&map->log, &size) + f.it.klen, f.it.vlen);
        return NBS_OK;
    }
    return read_value(&map->log, &f.cur, &f.it, key, value);
}

int nbs_map_has(nbs_map *map, const void *key, size_t key_len, bool *present) {
    nbs_found f;
    int rc = check_map(map);
    if (rc || (rc = check_key(key, key_len))) return rc;
    if (!present) return NBS_E_INVAL;
    rc = nbs_map_find(&map->log, key, (uint32_t)key_len, &f);
    *present = rc == NBS_OK;
    return rc == NBS_E_NOT_FOUND ? NBS_OK : rc;
}

/* Where an iteration stands: pages back from the newest (UINT32_MAX: done), the walk position
 * in that page (0: its start) and, inside a TXN (pos is then the TXN's offset), the position of
 * its next member (0: none). */
typedef struct iter_pos {
    uint32_t page_step, pos, member;
    uint32_t
        chain; /* at pos, the walk's chain (SPEC 3.6): key offset << 8 | key length (0: none) */
} iter_pos;

/* Starts the walk of page `seq` where *at says (a TXN's members entered again). */
static int iter_resume(nbs_log *log, uint16_t seq, const iter_pos *at, nbs_cursor *page,
                       nbs_cursor *in) {
    nbs_item txn;
    int rc = nbs_cursor_start(log, nbs_page_of(log, seq), page);
    in->txn = 0;
    if (rc || !at->pos) return rc;
    page->pos = at->pos;
    page->chain_end = at->pos, page->chain_key = at->chain >> 8,
    page->chain_klen = at->chain & 0xFF;
    if (!at->member) return NBS_OK;
    if ((rc = nbs_item_next(log, page, &txn, 0)) || txn.type != ITEM_TXN) return rc;
    if ((rc = nbs_txn_members(log, page, &txn, in)) < 0) return rc;
    in->pos = at->member;
    return NBS_OK;
}

/* One step of the iteration over live items, newest page first (within a page, oldest first,
 * a TXN's members in its place). On NBS_OK the key is in the work buffer's key area and *cur
 * is the walk the item was read with. */
static int iter_step(nbs_log *log, iter_pos *at, nbs_item *it, nbs_cursor *cur) {
    while (at->page_step < nbs_live_pages(log)) {
        uint16_t seq = (uint16_t)(log->newest_seq - at->page_step);
        nbs_cursor page, in;
        int rc = iter_resume(log, seq, at, &page, &in);
        while (!rc && (rc = nbs_map_walk_next(log, &page, &in, it, 0)) == NBS_OK) {
            at->pos = it->in_txn ? it->in_txn - 1 : page.pos;
            at->member = it->in_txn ? in.pos : 0;
            at->chain = page.chain_klen ? page.chain_key << 8 | page.chain_klen : 0;
            if ((rc = nbs_map_is_newest(log, seq, it)) == 1) {
                *cur = it->in_txn ? in : page;
                return NBS_OK;
            }
        }
        if (rc != NBS_E_END && rc != NBS_WALK_TORN) return rc;
        at->page_step++, at->pos = at->member = 0;
    }
    at->page_step = UINT32_MAX;
    return NBS_E_END;
}

/* The live items: how many, and the bytes they take. */
int nbs_map_tally(nbs_log *log, uint32_t *count, uint32_t *live) {
    iter_pos at = {0};
    nbs_item it;
    nbs_cursor cur;
    int rc;
    *count = *live = 0;
    while ((rc = iter_step(log, &at, &it, &cur)) == NBS_OK) {
        ++*count;
        *live += it.end - it.off;
    }
    return rc == NBS_E_END ? NBS_OK : rc;
}

int nbs_map_count(nbs_map *map, uint32_t *count) {
    uint32_t live;
    int rc = check_map(map);
    if (rc || !count) return rc ? rc : NBS_E_INVAL;
    rc = nbs_cache_key_count(&map->log, count);
    if (rc == NBS_CACHE_ASK) return nbs_map_tally(&map->log, count, &live);
    if (!map->log.cache.check) return rc;
    uint32_t truth;
    if ((rc = nbs_map_tally(&map->log, &truth, &live))) return rc;
    return truth == *count ? NBS_OK : NBS_E_CACHE_MISMATCH;
}

void nbs_map_iter_init(nbs_map *map, nbs_map_iter *it) {
    if (!it) return;
    it->map = map;
    it->page_step = 0;
    it->slot = 0;
    it->member = 0;
    it->chain = 0;
}

int nbs_map_iter_next(nbs_map_iter *it, void *key, size_t key_capacity, size_t *key_len,
                      void *value, size_t value_capacity, size_t *value_len) {
    int rc = it ? check_map(it->map) : NBS_E_INVAL;
    if (rc) return rc;
    nbs_log *log = &it->map->log;
    nbs_item item;
    nbs_cursor cur;
    iter_pos at = {it->page_step, it->slot, it->member, it->chain};
    if ((rc = iter_step(log, &at, &item, &cur))) {
        if (rc == NBS_E_END) it->page_step = at.page_step;
        return rc;
    }
    /* Both lengths are reported; a buffer too small comes before a missing one. */
    int key_rc = nbs_out_buffer(key, key_capacity, key_len, item.klen);
    rc = nbs_out_buffer(value, value_capacity, value_len, item.vlen);
    if (key_rc == NBS_E_BUFFER_TOO_SMALL || rc == NBS_E_BUFFER_TOO_SMALL)
        return NBS_E_BUFFER_TOO_SMALL;
    if (key_rc || rc) return NBS_E_INVAL;
    memcpy(key, nbs_work_key(log), item.klen);
    if ((rc = read_value(log, &cur, &item, key, value))) return rc;
    it->page_step = at.page_step;
    it->slot = at.pos;
    it->member = at.member;
    it->chain = at.chain;
    return NBS_OK;
}
