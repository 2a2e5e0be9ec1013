/* The key-value map: store, fetch, remove, counts, iteration and space figures over the ring
 * log. A key's value is its newest intact STORE or REMOVE record, searched newest page first
 * and newest slot first; a CLEAR record ends the search. Garbage collection: nbs_map_gc.c. */
#include "nbs_map.h"

#include "nbs_internal.h"

static int check_key(const void *key, size_t key_len) {
    if (key_len < 1 || key_len > NBS_KEY_MAX) return NBS_E_KEY_LEN;
    return key ? NBS_OK : NBS_E_INVAL;
}

static int check_map(nbs_map *map) {
    if (!map) return NBS_E_INVAL;
    return map->log.mounted ? NBS_OK : NBS_E_NOT_MOUNTED;
}

int nbs_map_find_flash(nbs_log *log, const uint8_t *key, uint32_t klen, nbs_rec *found,
                       uint32_t *found_seq) {
    uint8_t *buf = log->work + NBS_WORK_KEY;
    for (uint32_t seq = log->newest_seq; !log->empty; seq--) {
        nbs_walk w;
        int rc = nbs_walk_start(log, seq, &w);
        while (!rc && (rc = nbs_walk_prev(log, &w, found)) == NBS_OK) {
            uint8_t type = found->b[0];
            if (type == REC_CLEAR) return NBS_E_NOT_FOUND;
            if ((type != REC_STORE && type != REC_REMOVE) || nbs_rec_klen(found) != klen ||
                !nbs_rec_in_page(log, found))
                continue;
            rc = nbs_read(log, nbs_item_addr(log, seq, found), buf, klen);
            if (rc == NBS_E_ECC)
                rc = NBS_OK;
            else if (!rc && !memcmp(buf, key, klen)) {
                rc = nbs_item_intact(log, seq, found);
                if (rc == 1) {
                    *found_seq = seq;
                    return type == REC_STORE ? NBS_OK : NBS_E_NOT_FOUND;
                }
            }
        }
        if (rc != NBS_E_END) return rc;
        if (seq == log->tail_seq) break;
    }
    return NBS_E_NOT_FOUND;
}

/* A garbage-collection round a cut interrupted is finished at mount: every mount pins a record
 * into the page the round copies into, so a boot loop must not leave the round pending. */
int nbs_map_mount(nbs_map *map, const nbs_config *cfg) {
    int rc = map ? nbs_log_mount(&map->log, cfg, NBS_KIND_MAP) : NBS_E_INVAL;
    if (!rc) rc = nbs_cache_build_keys(&map->log);
    if (!rc && nbs_live_pages(&map->log) == map->log.pages)
        rc = nbs_map_make_room(&map->log, 0, 0, 0);
    if (rc == NBS_E_FULL) rc = NBS_OK; /* the round stays pending; writes report the map full */
    if (rc) map->log.mounted = false;
    return rc;
}

int nbs_map_erase_all(nbs_map *map) {
    return map ? nbs_log_erase_all(&map->log) : NBS_E_INVAL;
}

/* A fresh page holds the item with its OPEN, a mount's pin (3 slots) and the reserve
 * (NBS_FRESH_SLOTS), and one more slot: the TAIL of a GC round that copies the item after a cut
 * (NBS_MAP_GC_SLOTS plus the item's 2 slots). */
uint32_t nbs_map_max_value(const nbs_flash *flash, size_t key_len) {
    uint32_t block = nbs_max_block(flash, NBS_MAP_GC_SLOTS + 2 - NBS_FRESH_SLOTS);
    return key_len <= NBS_KEY_MAX && block > key_len ? block - (uint32_t)key_len : 0;
}

/* Writes one item record with `key || value` as its data, making room first. */
static int write_item(nbs_log *log, uint8_t type, const void *key, size_t key_len,
                      const void *value, size_t value_len) {
    uint32_t block = nbs_round_up((uint32_t)(key_len + value_len), log->unit);
    uint32_t copy = type == REC_STORE ? block + 2 * log->slot_size : 0;
    int rc = nbs_map_make_room(log, 2, block, copy);
    if (rc) return rc;
    nbs_src parts[2] = {{key, 0, (uint32_t)key_len}, {value, 0, (uint32_t)value_len}};
    rc = nbs_append_item(log, type, (uint32_t)key_len, (uint32_t)value_len, parts);
    if (!rc) nbs_cache_key_written(log, type, key, (uint32_t)key_len, (uint32_t)value_len);
    return rc;
}

int nbs_map_store(nbs_map *map, const void *key, size_t key_len, const void *value,
                  size_t value_len) {
    int rc = check_map(map);
    if (rc || (rc = check_key(key, key_len))) return rc;
    if (!value && value_len) return NBS_E_INVAL;
    if (value_len > nbs_map_max_value(&map->log.flash, key_len)) return NBS_E_TOO_BIG;
    return write_item(&map->log, REC_STORE, key, key_len, value, value_len);
}

/* Tombstones are not copied by GC, so they need no room beyond the reserve and a full map can
 * still shrink. */
int nbs_map_remove(nbs_map *map, const void *key, size_t key_len) {
    nbs_rec r;
    uint32_t seq;
    int rc = check_map(map);
    if (rc || (rc = check_key(key, key_len))) return rc;
    rc = nbs_map_find(&map->log, key, (uint32_t)key_len, &r, &seq);
    if (rc) return rc == NBS_E_NOT_FOUND ? NBS_OK : rc;
    return write_item(&map->log, REC_REMOVE, key, key_len, NULL, 0);
}

int nbs_map_remove_all(nbs_map *map) {
    int rc = check_map(map);
    if (rc || map->log.empty || (rc = nbs_map_make_room(&map->log, 1, 0, 0))) return rc;
    uint8_t rec[12] = {REC_CLEAR};
    return nbs_append(&map->log, rec);
}

int nbs_map_fetch(nbs_map *map, const void *key, size_t key_len, void *value, size_t capacity,
                  size_t *value_len) {
    nbs_rec r;
    uint32_t seq;
    int rc = check_map(map);
    if (rc || (rc = check_key(key, key_len))) return rc;
    if ((rc = nbs_map_find(&map->log, key, (uint32_t)key_len, &r, &seq))) return rc;
    uint32_t vlen = nbs_rec_vlen(&r);
    if (value_len) *value_len = vlen;
    if (capacity < vlen) return NBS_E_BUFFER_TOO_SMALL;
    if (!value && vlen) return NBS_E_INVAL;
    return vlen ? nbs_read(&map->log, nbs_item_addr(&map->log, seq, &r) + key_len, value, vlen)
                : NBS_OK;
}

int nbs_map_has(nbs_map *map, const void *key, size_t key_len, bool *present) {
    nbs_rec r;
    uint32_t seq;
    int rc = check_map(map);
    if (rc || (rc = check_key(key, key_len))) return rc;
    if (!present) return NBS_E_INVAL;
    rc = nbs_map_find(&map->log, key, (uint32_t)key_len, &r, &seq);
    *present = rc == NBS_OK;
    return rc == NBS_E_NOT_FOUND ? NBS_OK : rc;
}

int nbs_map_is_newest(nbs_log *log, uint32_t seq, const nbs_rec *r) {
    nbs_rec f;
    uint32_t f_seq, klen = nbs_rec_klen(r);
    if (!nbs_rec_in_page(log, r)) return 0;
    int rc = nbs_read(log, nbs_item_addr(log, seq, r), nbs_work_key(log), klen);
    if (!rc) rc = nbs_map_find(log, nbs_work_key(log), klen, &f, &f_seq);
    if (rc == NBS_E_ECC || rc == NBS_E_NOT_FOUND) return 0;
    return rc ? rc : f_seq == seq && f.slot == r->slot;
}

/* One step of the iteration over live items: a STORE record that is the newest intact version
 * of its key. *page_seq is 0 before the first step and UINT32_MAX after the last; *slot is
 * the walk position + 1 in that page (UINT32_MAX: from the page's last slot). On NBS_OK the
 * key is in the work buffer's key area. */
static int iter_step(nbs_log *log, uint32_t *page_seq, uint32_t *slot, nbs_rec *r) {
    if (log->empty || *page_seq == UINT32_MAX) return NBS_E_END;
    if (*page_seq == 0) *page_seq = log->newest_seq, *slot = UINT32_MAX;
    while (*page_seq >= log->tail_seq && *page_seq <= log->newest_seq) {
        nbs_walk w;
        int rc = nbs_walk_start(log, *page_seq, &w);
        /* Resuming: the page's carried record, its first, was returned already. */
        if (*slot != UINT32_MAX) w.pos = (int32_t)*slot - 1, w.carried = -1;
        while (!rc && (rc = nbs_walk_prev(log, &w, r)) == NBS_OK) {
            *slot = (uint32_t)(w.pos + 1);
            if (r->b[0] == REC_STORE && (rc = nbs_map_is_newest(log, *page_seq, r)) == 1)
                return NBS_OK;
        }
        if (rc != NBS_E_END) return rc;
        if (*page_seq == log->tail_seq) break;
        --*page_seq, *slot = UINT32_MAX;
    }
    *page_seq = UINT32_MAX;
    return NBS_E_END;
}

/* Walks every effective record of the live pages: the live items (count and bytes, data block
 * and 2 slots each) and what garbage collection frees (dead items, tombstones, CLEARs). */
static int tally(nbs_log *log, uint32_t *count, uint32_t *live, uint32_t *dead) {
    *count = *live = *dead = 0;
    for (uint32_t seq = log->tail_seq; !log->empty && seq <= log->newest_seq; seq++) {
        nbs_walk w;
        nbs_rec r;
        int rc = nbs_walk_start(log, seq, &w);
        while (!rc && (rc = nbs_walk_prev(log, &w, &r)) == NBS_OK) {
            uint32_t item =
                nbs_round_up(nbs_rec_klen(&r) + nbs_rec_vlen(&r), log->unit) + 2 * log->slot_size;
            if (r.b[0] == REC_CLEAR)
                *dead += log->slot_size;
            else if (r.b[0] == REC_REMOVE)
                *dead += item;
            else if (r.b[0] == REC_STORE && (rc = nbs_map_is_newest(log, seq, &r)) >= 0) {
                *count += (uint32_t)rc;
                *(rc ? live : dead) += item;
                rc = NBS_OK;
            }
        }
        if (rc != NBS_E_END) return rc;
    }
    return NBS_OK;
}

int nbs_map_count(nbs_map *map, uint32_t *count) {
    uint32_t live, dead;
    int rc = check_map(map);
    if (rc || !count) return rc ? rc : NBS_E_INVAL;
    return tally(&map->log, count, &live, &dead);
}

/* free_now counts the items a store could add: the newest page's room under the map's room rule
 * (nbs_map_gc.c), and a fresh page's beyond the free page kept back for garbage collection. */
int nbs_map_space(nbs_map *map, nbs_space *space) {
    uint32_t count, live, dead;
    int rc = check_map(map);
    if (rc || !space) return rc ? rc : NBS_E_INVAL;
    nbs_log *log = &map->log;
    if ((rc = tally(log, &count, &live, &dead))) return rc;
    uint32_t page = log->flash.page_size, gc = NBS_MAP_GC_SLOTS * log->slot_size, newest = 0;
    uint32_t fresh = page > gc ? page - gc : 0, held = nbs_live_pages(log) * page;
    if (!log->empty) {
        uint64_t used = log->front +
                        ((uint64_t)log->next_slot + nbs_kept_slots(log, 1, false)) * log->slot_size;
        uint32_t by_slots = used < page ? page - (uint32_t)used : 0;
        uint32_t by_copy = log->store_bytes + gc < page ? page - gc - log->store_bytes : 0;
        newest = by_slots < by_copy ? by_slots : by_copy;
    }
    if ((uint64_t)live + dead + newest > held)
        dead = held > live + newest ? held - live - newest : 0;
    nbs_space_fill(log, live, dead, newest, fresh, space);
    return NBS_OK;
}

void nbs_map_iter_init(nbs_map *map, nbs_map_iter *it) {
    if (!it) return;
    it->map = map;
    it->page_step = 0;
    it->slot = 0;
}

int nbs_map_iter_next(nbs_map_iter *it, void *key, size_t key_capacity, size_t *key_len,
                      void *value, size_t value_capacity, size_t *value_len) {
    int rc = it ? check_map(it->map) : NBS_E_INVAL;
    if (rc) return rc;
    nbs_log *log = &it->map->log;
    nbs_rec r;
    uint32_t page_seq = it->page_step, slot = it->slot;
    if ((rc = iter_step(log, &page_seq, &slot, &r))) {
        if (rc == NBS_E_END) it->page_step = page_seq;
        return rc;
    }
    uint32_t klen = nbs_rec_klen(&r), vlen = nbs_rec_vlen(&r);
    if (key_len) *key_len = klen;
    if (value_len) *value_len = vlen;
    if (key_capacity < klen || value_capacity < vlen) return NBS_E_BUFFER_TOO_SMALL;
    if (!key || (!value && vlen)) return NBS_E_INVAL;
    memcpy(key, nbs_work_key(log), klen);
    if (vlen && (rc = nbs_read(log, nbs_item_addr(log, page_seq, &r) + klen, value, vlen)))
        return rc;
    it->page_step = page_seq;
    it->slot = slot;
    return NBS_OK;
}
