/* The TDBStore-shaped store (nbs_tdb.h), its plain side: binding, key rules, the encoding of a
 * user key's value, set / get (with an offset) / get_info / remove of values that fit one map
 * item, reset, the prefix iterators and the reserved area. Incremental sets, chunked values and
 * the journal that keeps them whole across power cuts: nbs_tdb_big.c. */
#include "nbs_tdb_internal.h"

static const uint8_t reserved_key[1] = {TDB_NS_RESERVED};

size_t nbs_tdb_buffer_bytes(const nbs_flash *flash) {
    return TDB_JOURNAL_HEAD + NBS_KEY_MAX + (size_t)nbs_map_max_value(flash, 1);
}

uint32_t nbs_tdb_max_value(const nbs_flash *flash, size_t key_len) {
    if (key_len < 1 || key_len > NBS_TDB_KEY_MAX) return 0;
    uint32_t max = nbs_map_max_value(flash, key_len + 1);
    return max ? max - 1 : 0; /* the flags byte */
}

int nbs_tdb_init(nbs_tdb *tdb, nbs_map *map, void *buf, size_t buf_size, bool key_rules) {
    if (!tdb || !map || !buf) return NBS_E_INVAL;
    if (!map->log.mounted) return NBS_E_NOT_MOUNTED; /* its geometry is not known yet */
    if (buf_size < nbs_tdb_buffer_bytes(&map->log.flash) || buf_size > UINT32_MAX)
        return NBS_E_WORK_BUFFER;
    *tdb =
        (nbs_tdb){.map = map, .buf = buf, .buf_size = (uint32_t)buf_size, .key_rules = key_rules};
    /* A map mounted read-only reads the committed values as they are: nothing is settled (a
     * journal a cut left open, even one whose cells read differently at each read, waits for a
     * read-write init), and every write is the map's NBS_E_READ_ONLY. */
    if (nbs_read_only(&map->log)) return NBS_OK;
    tdb->journal_open = true; /* unknown until read: the settle reads it and finishes its work */
    return tdb_settle(tdb);
}

int tdb_check_idle(const nbs_tdb *tdb) {
    if (!tdb || !tdb->map || !tdb->buf) return NBS_E_INVAL;
    return tdb->set_open ? NBS_E_BUSY : NBS_OK;
}

int tdb_check_writer(nbs_tdb *tdb) {
    int rc = tdb_check_idle(tdb);
    return rc ? rc : tdb_settle(tdb);
}

/* TDBStore's key rule: none of  * / ? : ; \ " | < >  nor a space. */
static bool key_chars_allowed(const uint8_t *key, size_t len) {
    static const char forbidden[] = " */?:;\\\"|<>";
    for (size_t i = 0; i < len; i++)
        for (const char *f = forbidden; *f; f++)
            if (key[i] == (uint8_t)*f) return false;
    return true;
}

int tdb_encode_key(nbs_tdb *tdb, const void *key, size_t key_len, size_t *map_key_len) {
    if (key_len < 1 || key_len > NBS_TDB_KEY_MAX) return NBS_E_KEY_LEN;
    if (!key) return NBS_E_INVAL;
    if (tdb->key_rules && !key_chars_allowed(key, key_len)) return NBS_E_KEY_CHARS;
    uint8_t *area = tdb_key_area(tdb);
    area[0] = TDB_NS_KEY;
    memcpy(area + 1, key, key_len);
    *map_key_len = key_len + 1;
    return NBS_OK;
}

/* A user key's map value: the flags byte, then the value or (CHUNKED) the descriptor, whose
 * chunk size must be the geometry's and whose size must fit the flash (its chunk count bounds
 * the loops of reads and removals). */
static int decode_value(const nbs_flash *flash, const uint8_t *stored, size_t len, tdb_value *v) {
    if (len < 1 || (stored[0] & ~TDB_FLAGS_KNOWN)) return NBS_E_CORRUPT;
    *v = (tdb_value){.flags = stored[0] & NBS_TDB_WRITE_ONCE,
                     .chunked = (stored[0] & TDB_FLAG_CHUNKED) != 0};
    if (!v->chunked) {
        v->size = (uint32_t)(len - 1);
        v->bytes = stored + 1;
        return NBS_OK;
    }
    if (len != TDB_DESCRIPTOR_BYTES) return NBS_E_CORRUPT;
    v->id = nbs_get_le(stored + 1, 4);
    v->size = nbs_get_le(stored + 5, 4);
    v->chunk_bytes = nbs_get_le(stored + 9, 4);
    v->crc = nbs_get_le(stored + 13, 4);
    return v->id && v->chunk_bytes == tdb_chunk_bytes(flash) && v->size <= flash->size
               ? NBS_OK
               : NBS_E_CORRUPT;
}

int tdb_lookup(nbs_tdb *tdb, size_t map_key_len, tdb_value *value) {
    size_t capacity, len;
    uint8_t *area = tdb_value_area(tdb, &capacity);
    int rc = nbs_map_fetch(tdb->map, tdb_key_area(tdb), map_key_len, area, capacity, &len);
    if (rc == NBS_E_BUFFER_TOO_SMALL) return NBS_E_CORRUPT; /* no value of ours is that long */
    return rc ? rc : decode_value(&tdb->map->log.flash, area, len, value);
}

/* The value of `key`, after the checks every call of a key makes. */
static int find_value(nbs_tdb *tdb, const void *key, size_t key_len, size_t *map_key_len,
                      tdb_value *value) {
    int rc = tdb_encode_key(tdb, key, key_len, map_key_len);
    return rc ? rc : tdb_lookup(tdb, *map_key_len, value);
}

int nbs_tdb_set(nbs_tdb *tdb, const void *key, size_t key_len, const void *value, size_t len,
                uint32_t flags) {
    int rc = tdb_check_writer(tdb);
    if (rc) return rc;
    if ((flags & ~(uint32_t)NBS_TDB_WRITE_ONCE) || (len && !value)) return NBS_E_INVAL;
    size_t map_key_len, capacity;
    tdb_value old;
    rc = find_value(tdb, key, key_len, &map_key_len, &old);
    if (rc != NBS_OK && rc != NBS_E_NOT_FOUND) return rc;
    if (rc == NBS_E_NOT_FOUND) old = (tdb_value){0};
    if (old.flags & NBS_TDB_WRITE_ONCE) return NBS_E_WRITE_PROTECTED;
    if (len > nbs_tdb_max_value(&tdb->map->log.flash, key_len)) return NBS_E_TOO_BIG;
    uint8_t *area = tdb_value_area(tdb, &capacity);
    area[0] = (uint8_t)flags;
    if (len) memcpy(area + 1, value, len);
    return tdb_replace(tdb, map_key_len, old.chunked ? old.id : 0,
                       old.chunked ? tdb_chunk_count(old.size, old.chunk_bytes) : 0, area, len + 1);
}

int nbs_tdb_get(nbs_tdb *tdb, const void *key, size_t key_len, void *buf, size_t capacity,
                size_t *actual, size_t offset) {
    size_t map_key_len;
    tdb_value v;
    int rc = tdb_check_idle(tdb);
    if (rc || (rc = find_value(tdb, key, key_len, &map_key_len, &v))) return rc;
    if (offset > v.size) return NBS_E_INVAL;
    uint32_t n = v.size - (uint32_t)offset;
    if (capacity < n) n = (uint32_t)capacity;
    if (n && !buf) return NBS_E_INVAL;
    if (v.chunked)
        rc = tdb_read_chunks(tdb, &v, buf, n, (uint32_t)offset);
    else if (n)
        memcpy(buf, v.bytes + offset, n);
    if (!rc && actual) *actual = n;
    return rc;
}

int nbs_tdb_get_info(nbs_tdb *tdb, const void *key, size_t key_len, nbs_tdb_info *info) {
    size_t map_key_len;
    tdb_value v;
    int rc = tdb_check_idle(tdb);
    if (rc || (rc = info ? NBS_OK : NBS_E_INVAL) ||
        (rc = find_value(tdb, key, key_len, &map_key_len, &v)))
        return rc;
    *info = (nbs_tdb_info){.size = v.size, .flags = v.flags};
    return NBS_OK;
}

int nbs_tdb_remove(nbs_tdb *tdb, const void *key, size_t key_len) {
    size_t map_key_len;
    tdb_value v;
    int rc = tdb_check_writer(tdb);
    if (rc || (rc = find_value(tdb, key, key_len, &map_key_len, &v))) return rc;
#if NBS_TEST_BREAK != NBS_TEST_BREAK_TDB_ONCE_IGNORED /* the flaw: a write-once key removed */
    if (v.flags & NBS_TDB_WRITE_ONCE) return NBS_E_WRITE_PROTECTED;
#endif
    return tdb_replace(tdb, map_key_len, v.chunked ? v.id : 0,
                       v.chunked ? tdb_chunk_count(v.size, v.chunk_bytes) : 0, NULL, 0);
}

int nbs_tdb_reset(nbs_tdb *tdb) {
    int rc = tdb_check_idle(tdb);
    if (rc) return rc;
    /* A journal left open is finished first; one that cannot be (it, or the value it names,
     * reads NBS_E_CORRUPT) is written over: removing every key and chunk does its work too. */
    rc = tdb_settle(tdb);
    if (rc && rc != NBS_E_CORRUPT) return rc;
    if ((rc = tdb_journal_open(tdb, TDB_JOURNAL_RESET, 0, 0, 0, 0, 0))) return rc;
    return tdb_settle(tdb);
}

/* The first map key of a user key or a chunk, into the key area (0: none left). Walks from
 * the map's start each time: the map must not change during a walk. */
static int first_removable(nbs_tdb *tdb, size_t *map_key_len) {
    nbs_map_iter it;
    nbs_map_iter_init(tdb->map, &it);
    for (;;) {
        size_t capacity, value_len;
        uint8_t *area = tdb_value_area(tdb, &capacity);
        int rc = nbs_map_iter_next(&it, tdb_key_area(tdb), NBS_KEY_MAX, map_key_len, area, capacity,
                                   &value_len);
        if (rc == NBS_E_END) return 0;
        if (rc) return rc;
        uint8_t ns = tdb_key_area(tdb)[0];
        if (ns == TDB_NS_KEY || ns == TDB_NS_CHUNK) return 1;
    }
}

int tdb_remove_every_key(nbs_tdb *tdb) {
    for (;;) {
        size_t map_key_len;
        int rc = first_removable(tdb, &map_key_len);
        if (rc <= 0) return rc;
        if ((rc = nbs_map_remove(tdb->map, tdb_key_area(tdb), map_key_len))) return rc;
    }
}

/* ---- iteration ---- */

int nbs_tdb_iter_open(nbs_tdb *tdb, nbs_tdb_iter *it, const void *prefix, size_t prefix_len) {
    int rc = tdb_check_idle(tdb);
    if (rc) return rc;
    if (!it || (prefix_len && !prefix)) return NBS_E_INVAL;
    if (prefix_len > NBS_TDB_KEY_MAX) return NBS_E_KEY_LEN;
    it->tdb = tdb;
    it->writes = tdb->map->log.writes;
    it->prefix_len = (uint8_t)prefix_len;
    if (prefix_len) memcpy(it->prefix, prefix, prefix_len);
    nbs_map_iter_init(tdb->map, &it->map_iter);
    return NBS_OK;
}

/* Whether the map key in the key area (map_key_len bytes) is a user key with the prefix. */
static bool key_matches(nbs_tdb_iter *it, size_t map_key_len) {
    const uint8_t *key = tdb_key_area(it->tdb);
    return key[0] == TDB_NS_KEY && map_key_len - 1 >= it->prefix_len &&
           !memcmp(key + 1, it->prefix, it->prefix_len);
}

int nbs_tdb_iter_next(nbs_tdb_iter *it, void *key, size_t capacity, size_t *key_len) {
    int rc = it ? tdb_check_idle(it->tdb) : NBS_E_INVAL;
    if (rc) return rc;
    nbs_tdb *tdb = it->tdb;
    if (tdb->map->log.writes != it->writes) return NBS_E_ITER_STALE;
    for (;;) {
        nbs_map_iter before = it->map_iter;
        size_t map_key_len, area_size, value_len;
        uint8_t *area = tdb_value_area(tdb, &area_size);
        rc = nbs_map_iter_next(&it->map_iter, tdb_key_area(tdb), NBS_KEY_MAX, &map_key_len, area,
                               area_size, &value_len);
        if (rc) return rc;
        if (!key_matches(it, map_key_len)) continue;
        /* A buffer too small leaves the iterator where it was, for a call with a larger one. */
        if ((rc = nbs_out_buffer(key, capacity, key_len, (uint32_t)(map_key_len - 1)))) {
            it->map_iter = before;
            return rc;
        }
        memcpy(key, tdb_key_area(tdb) + 1, map_key_len - 1);
        return NBS_OK;
    }
}

/* ---- the reserved area ---- */

int nbs_tdb_reserved_set(nbs_tdb *tdb, const void *data, size_t len) {
    int rc = tdb_check_writer(tdb);
    if (rc) return rc;
    if (!data || len < 1 || len > NBS_TDB_RESERVED_MAX) return NBS_E_INVAL;
    bool present;
    if ((rc = nbs_map_has(tdb->map, reserved_key, sizeof reserved_key, &present))) return rc;
    if (present) return NBS_E_WRITE_PROTECTED;
    return nbs_map_store(tdb->map, reserved_key, sizeof reserved_key, data, len);
}

int nbs_tdb_reserved_get(nbs_tdb *tdb, void *buf, size_t capacity, size_t *len) {
    int rc = tdb_check_idle(tdb);
    if (rc) return rc;
    size_t area_size, stored;
    uint8_t *area = tdb_value_area(tdb, &area_size);
    if ((rc = nbs_map_fetch(tdb->map, reserved_key, sizeof reserved_key, area, area_size, &stored)))
        return rc == NBS_E_BUFFER_TOO_SMALL ? NBS_E_CORRUPT : rc;
    if (stored < 1 || stored > NBS_TDB_RESERVED_MAX) return NBS_E_CORRUPT;
    if ((rc = nbs_out_buffer(buf, capacity, len, (uint32_t)stored))) return rc;
    memcpy(buf, area, stored);
    return NBS_OK;
}
