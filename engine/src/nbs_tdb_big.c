/* The TDBStore-shaped store (nbs_tdb.h), its side for values larger than a map item: the
 * incremental set (set_start / set_add_data / set_finalize / set_abort), chunked reads, and the
 * journal that keeps every change of a chunked value whole across power cuts, with the recovery
 * nbs_tdb_init runs (engine/SPEC.md section 9.2). */
#include "nbs_tdb_internal.h"

static const uint8_t journal_key[1] = {TDB_NS_JOURNAL};

uint32_t tdb_chunk_bytes(const nbs_flash *flash) {
    return nbs_map_max_value(flash, TDB_CHUNK_KEY_BYTES);
}

uint32_t tdb_chunk_count(uint32_t size, uint32_t chunk_bytes) {
    return size / chunk_bytes + (size % chunk_bytes != 0);
}

static void chunk_key(uint32_t id, uint32_t index, uint8_t out[TDB_CHUNK_KEY_BYTES]) {
    out[0] = TDB_NS_CHUNK;
    nbs_put_le(out + 1, id, 4);
    nbs_put_le(out + 5, index, 4);
}

/* ---- the journal ---- */

/* Reads the journal from flash into the buffer: the truth, whatever the RAM copy says after a
 * failed write (none: closed). One that cannot be read stays open: every write but reset
 * answers its error (nbs_tdb_reset). */
static int journal_load(nbs_tdb *tdb) {
    size_t capacity, len;
    uint8_t *area = tdb_value_area(tdb, &capacity);
    int rc = nbs_map_fetch(tdb->map, journal_key, sizeof journal_key, area, capacity, &len);
    if (rc == NBS_E_NOT_FOUND) {
        tdb->journal_open = false;
        return NBS_OK;
    }
    if (rc == NBS_E_BUFFER_TOO_SMALL || (!rc && len > TDB_JOURNAL_HEAD + NBS_KEY_MAX))
        return NBS_E_CORRUPT;
    if (rc) return rc;
    uint8_t state = len >= TDB_JOURNAL_HEAD ? area[0] : 0xFF;
    bool keyed = state == TDB_JOURNAL_REPLACE;
    if (state > TDB_JOURNAL_RESET ||
        (keyed ? len < TDB_JOURNAL_HEAD + 2 || area[TDB_JOURNAL_HEAD] != TDB_NS_KEY
               : len != TDB_JOURNAL_HEAD))
        return NBS_E_CORRUPT;
    /* Chunk counts past what the flash holds would drive removal loops of up to 2^32 turns. */
    const nbs_flash *flash = &tdb->map->log.flash;
    uint32_t max_chunks =
        tdb_chunk_bytes(flash) ? tdb_chunk_count(flash->size, tdb_chunk_bytes(flash)) : 0;
    if (nbs_get_le(area + 9, 4) > max_chunks || nbs_get_le(area + 17, 4) > max_chunks)
        return NBS_E_CORRUPT;
    memcpy(tdb_journal_area(tdb), area, len); /* the head, then the key area */
    tdb->journal_len = (uint32_t)len;
    tdb->journal_open = state != TDB_JOURNAL_CLOSED;
    uint32_t last_id = nbs_get_le(area + 1, 4);
    if (last_id > tdb->last_id) tdb->last_id = last_id;
    return NBS_OK;
}

/* Stores the journal's head (and the key after it) as it stands in the buffer. */
static int journal_store(nbs_tdb *tdb) {
    return nbs_map_store(tdb->map, journal_key, sizeof journal_key, tdb_journal_area(tdb),
                         tdb->journal_len);
}

int tdb_journal_open(nbs_tdb *tdb, uint8_t state, uint32_t new_id, uint32_t new_count,
                     uint32_t old_id, uint32_t old_count, size_t key_len) {
    uint8_t *head = tdb_journal_area(tdb);
    if (new_id) tdb->last_id = new_id;
    head[0] = state;
    nbs_put_le(head + 1, tdb->last_id, 4);
    nbs_put_le(head + 5, new_id, 4);
    nbs_put_le(head + 9, new_count, 4);
    nbs_put_le(head + 13, old_id, 4);
    nbs_put_le(head + 17, old_count, 4);
    tdb->journal_len = TDB_JOURNAL_HEAD + (uint32_t)key_len;
    tdb->journal_open = true; /* from here on: a failed store may have written it */
    return journal_store(tdb);
}

static int remove_chunks(nbs_tdb *tdb, uint32_t id, uint32_t count) {
    uint8_t key[TDB_CHUNK_KEY_BYTES];
    for (uint32_t i = 0; i < count; i++) {
        chunk_key(id, i, key);
        int rc = nbs_map_remove(tdb->map, key, sizeof key); /* absent: nothing written */
        if (rc) return rc;
    }
    return NBS_OK;
}

/* A REPLACE: the chunks of whichever of the two ids the key's value does not name are garbage
 * (the commit, its map store or removal, decided which; ids are never reused). */
static int settle_replace(nbs_tdb *tdb) {
    const uint8_t *head = tdb_journal_area(tdb);
    uint32_t new_id = nbs_get_le(head + 5, 4), old_id = nbs_get_le(head + 13, 4);
    tdb_value v;
    int rc = tdb_lookup(tdb, tdb->journal_len - TDB_JOURNAL_HEAD, &v);
    if (rc && rc != NBS_E_NOT_FOUND) return rc;
    uint32_t named = !rc && v.chunked ? v.id : 0;
    if (old_id && named != old_id && (rc = remove_chunks(tdb, old_id, nbs_get_le(head + 17, 4))))
        return rc;
    if (new_id && named != new_id && (rc = remove_chunks(tdb, new_id, nbs_get_le(head + 9, 4))))
        return rc;
    return NBS_OK;
}

int tdb_settle(nbs_tdb *tdb) {
    if (!tdb->journal_open) return NBS_OK;
    int rc = journal_load(tdb);
    if (rc || !tdb->journal_open) return rc;
    uint8_t *head = tdb_journal_area(tdb);
    rc = head[0] == TDB_JOURNAL_RESET ? tdb_remove_every_key(tdb) : settle_replace(tdb);
    if (rc) return rc;
    /* Closed, it keeps only the last id given. */
    memset(head, 0, TDB_JOURNAL_HEAD);
    nbs_put_le(head + 1, tdb->last_id, 4);
    tdb->journal_len = TDB_JOURNAL_HEAD;
    if ((rc = journal_store(tdb))) return rc;
    tdb->journal_open = false;
    return NBS_OK;
}

int tdb_replace(nbs_tdb *tdb, size_t key_len, uint32_t old_id, uint32_t old_count,
                const uint8_t *value, size_t len) {
    int rc;
    if (old_id &&
        (rc = tdb_journal_open(tdb, TDB_JOURNAL_REPLACE, 0, 0, old_id, old_count, key_len)))
        return rc;
    /* The commit point. */
    rc = value ? nbs_map_store(tdb->map, tdb_key_area(tdb), key_len, value, len)
               : nbs_map_remove(tdb->map, tdb_key_area(tdb), key_len);
    if (rc) return rc;
    /* Committed: a clean-up that fails is finished by the next write or init (the journal
     * stays open), the caller is told of the change it asked for. */
    (void)tdb_settle(tdb);
    return NBS_OK;
}

/* ---- reads ---- */

int tdb_read_chunks(nbs_tdb *tdb, const tdb_value *value, uint8_t *out, uint32_t n,
                    uint32_t offset) {
    bool whole = offset == 0 && n == value->size;
    uint32_t crc = 0, cb = value->chunk_bytes;
    for (uint32_t index = offset / cb, done = 0; done < n; index++) {
        uint8_t key[TDB_CHUNK_KEY_BYTES];
        size_t capacity, len;
        uint8_t *area = tdb_value_area(tdb, &capacity);
        uint32_t start = index * cb, expect = value->size - start < cb ? value->size - start : cb;
        chunk_key(value->id, index, key);
        int rc = nbs_map_fetch(tdb->map, key, sizeof key, area, capacity, &len);
        /* A chunk the descriptor names that is absent or of another length: a broken value. */
        if (rc == NBS_E_NOT_FOUND || rc == NBS_E_BUFFER_TOO_SMALL || (!rc && len != expect))
            return NBS_E_CORRUPT;
        if (rc) return rc;
        uint32_t from = offset > start ? offset - start : 0;
        uint32_t take = expect - from < n - done ? expect - from : n - done;
        memcpy(out + done, area + from, take);
        if (whole) crc = nbs_crc32c(crc, area, expect);
        done += take;
    }
    return whole && crc != value->crc ? NBS_E_CORRUPT : NBS_OK;
}

/* ---- the incremental set ---- */

int nbs_tdb_set_start(nbs_tdb *tdb, const void *key, size_t key_len, uint32_t final_size,
                      uint32_t flags) {
    int rc = tdb_check_writer(tdb);
    if (rc) return rc;
    if (flags & ~(uint32_t)NBS_TDB_WRITE_ONCE) return NBS_E_INVAL;
    size_t map_key_len;
    tdb_value old;
    if ((rc = tdb_encode_key(tdb, key, key_len, &map_key_len))) return rc;
    rc = tdb_lookup(tdb, map_key_len, &old);
    if (rc != NBS_OK && rc != NBS_E_NOT_FOUND) return rc;
    if (rc == NBS_E_NOT_FOUND) old = (tdb_value){0};
    if (old.flags & NBS_TDB_WRITE_ONCE) return NBS_E_WRITE_PROTECTED;
    const nbs_flash *flash = &tdb->map->log.flash;
    uint32_t new_id = 0, old_count = old.chunked ? tdb_chunk_count(old.size, old.chunk_bytes) : 0;
    if (final_size > nbs_tdb_max_value(flash, key_len)) {
        /* Chunked: refused at once when the map cannot hold its bytes even after GC. */
        nbs_space space;
        if (!tdb_chunk_bytes(flash)) return NBS_E_TOO_BIG; /* no chunk fits a page */
        if ((rc = nbs_map_space(tdb->map, &space))) return rc;
        if (final_size > space.free_now + space.reclaimable || tdb->last_id == UINT32_MAX)
            return NBS_E_FULL;
        new_id = tdb->last_id + 1;
        if ((rc = tdb_journal_open(tdb, TDB_JOURNAL_REPLACE, new_id,
                                   tdb_chunk_count(final_size, tdb_chunk_bytes(flash)),
                                   old.chunked ? old.id : 0, old_count, map_key_len)))
            return rc;
    }
    tdb->set_open = true;
    tdb->set_flags = flags;
    tdb->set_size = final_size;
    tdb->set_added = tdb->set_staged = tdb->set_crc = tdb->set_chunk = 0;
    tdb->set_id = new_id;
    tdb->set_old_id = old.chunked ? old.id : 0;
    tdb->set_old_count = old_count;
    tdb->set_key_len = (uint32_t)map_key_len;
    return NBS_OK;
}

/* Where the set's bytes stage: a plain value after its flags byte, a chunk from the start. */
static uint8_t *staging(nbs_tdb *tdb) {
    size_t capacity;
    return tdb_value_area(tdb, &capacity) + (tdb->set_id ? 0 : 1);
}

/* Stores the staged chunk (one map store, the largest the geometry takes but for the last). */
static int flush_chunk(nbs_tdb *tdb) {
    uint8_t key[TDB_CHUNK_KEY_BYTES];
    chunk_key(tdb->set_id, tdb->set_chunk, key);
    int rc = nbs_map_store(tdb->map, key, sizeof key, staging(tdb), tdb->set_staged);
    if (rc) return rc;
    tdb->set_chunk++;
    tdb->set_staged = 0;
    return NBS_OK;
}

int nbs_tdb_set_add_data(nbs_tdb *tdb, const void *data, size_t len) {
    if (!tdb || !tdb->set_open || (len && !data)) return NBS_E_INVAL;
    if (len > tdb->set_size - tdb->set_added) return NBS_E_INVAL; /* the set goes on */
    uint32_t cb = tdb->set_id ? tdb_chunk_bytes(&tdb->map->log.flash) : tdb->set_size;
    const uint8_t *bytes = data;
    while (len) {
        /* A full chunk is stored when more bytes come: the last one waits for the finalize. */
        int rc = tdb->set_staged == cb ? flush_chunk(tdb) : NBS_OK;
        if (rc) {
            (void)nbs_tdb_set_abort(tdb);
            return rc;
        }
        uint32_t n = cb - tdb->set_staged < len ? cb - tdb->set_staged : (uint32_t)len;
        memcpy(staging(tdb) + tdb->set_staged, bytes, n);
        tdb->set_crc = nbs_crc32c(tdb->set_crc, bytes, n);
        tdb->set_staged += n, tdb->set_added += n;
        bytes += n, len -= n;
    }
    return NBS_OK;
}

/* The chunked value's descriptor at the set's key: the commit point. */
static int store_descriptor(nbs_tdb *tdb) {
    uint8_t d[TDB_DESCRIPTOR_BYTES];
    d[0] = (uint8_t)(tdb->set_flags | TDB_FLAG_CHUNKED);
    nbs_put_le(d + 1, tdb->set_id, 4);
    nbs_put_le(d + 5, tdb->set_size, 4);
    nbs_put_le(d + 9, tdb_chunk_bytes(&tdb->map->log.flash), 4);
    nbs_put_le(d + 13, tdb->set_crc, 4);
    return nbs_map_store(tdb->map, tdb_key_area(tdb), tdb->set_key_len, d, sizeof d);
}

int nbs_tdb_set_finalize(nbs_tdb *tdb) {
    if (!tdb || !tdb->set_open) return NBS_E_INVAL;
    if (tdb->set_added != tdb->set_size) {
        (void)nbs_tdb_set_abort(tdb);
        return NBS_E_INVAL;
    }
    if (!tdb->set_id) { /* a plain value: one map store */
        size_t capacity;
        uint8_t *area = tdb_value_area(tdb, &capacity);
        area[0] = (uint8_t)tdb->set_flags;
        tdb->set_open = false;
        return tdb_replace(tdb, tdb->set_key_len, tdb->set_old_id, tdb->set_old_count, area,
                           tdb->set_size + 1);
    }
#if NBS_TEST_BREAK == NBS_TEST_BREAK_TDB_DESCRIPTOR_FIRST
    /* The flaw: the commit comes before the last chunk, so a cut between names a chunk that
     * is not there. */
    int rc = store_descriptor(tdb);
    if (!rc) rc = flush_chunk(tdb);
#else
    int rc = flush_chunk(tdb);
    if (!rc) rc = store_descriptor(tdb);
#endif
    tdb->set_open = false;
    if (rc) {
        (void)tdb_settle(tdb); /* the descriptor's store failed: whichever value it left */
        return rc;
    }
    (void)tdb_settle(tdb); /* committed: a failed clean-up is finished later (tdb_replace) */
    return NBS_OK;
}

int nbs_tdb_set_abort(nbs_tdb *tdb) {
    if (!tdb || !tdb->set_open) return NBS_E_INVAL;
    tdb->set_open = false;
    return tdb_settle(tdb); /* a plain set wrote nothing: its journal is closed already */
}
