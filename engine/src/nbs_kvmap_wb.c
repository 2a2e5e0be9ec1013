/* The Map's write-back mode (nbs_kvmap.h, SPEC section 9.3): a record per key in the caller's
 * RAM, loaded at open, read and written there; a flush writes the dirty records to the map in
 * batches, each one map transaction (a record the staging cannot hold: one map store or
 * removal of its own), and marks a batch clean only once its commit returned. */
#include "nbs_internal.h"
#include "nbs_kvmap_wb.h"

#include <string.h>

/* A record: flags, key length, value length (3 bytes, little-endian), key, value. A deleted key
 * that flash still holds stays as a tombstone (no LIVE, no value; its value-length field holds
 * the length of the value flash holds) until a flush removes it. A key flash holds that was
 * written since (REC_KEEPS) has 3 more header bytes after the value length: the length of the
 * value flash holds. A record holds the RAM of the larger of its record as flushed (on flash)
 * and as it is: a cut inside a flush may leave either to load (SPEC 9.3). */
enum { REC_HDR = 5, REC_KEEPS_HDR = 8 };
enum {
    REC_LIVE = 1u << 0,     /* holds a value (else a tombstone) */
    REC_DIRTY = 1u << 1,    /* written since the last flush that wrote it */
    REC_ON_FLASH = 1u << 2, /* the store holds a value for the key (as of the last flush) */
    REC_BATCH = 1u << 3,    /* staged in the batch being committed */
    REC_KEEPS = 1u << 4,    /* live, dirty and on flash: the header keeps the flushed length */
};

static uint32_t get24(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static void put24(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16);
}

static uint32_t header_bytes(uint8_t flags) {
    return (flags & REC_KEEPS) ? REC_KEEPS_HDR : REC_HDR;
}

static uint32_t rec_value_len(const uint8_t *r) {
    return (r[0] & REC_LIVE) ? get24(r + 2) : 0;
}

static uint32_t rec_size(const uint8_t *r) {
    return header_bytes(r[0]) + r[1] + rec_value_len(r);
}

static const uint8_t *rec_key(const uint8_t *r) {
    return r + header_bytes(r[0]);
}

static const uint8_t *rec_value(const uint8_t *r) {
    return rec_key(r) + r[1];
}

/* The length of the value flash holds for the record's key (meaningful with REC_ON_FLASH). */
static uint32_t rec_flushed_len(const uint8_t *r) {
    return (r[0] & REC_KEEPS) ? get24(r + REC_HDR) : get24(r + 2);
}

size_t nbs_kvmap_wb_record_bytes(size_t key_len, size_t value_len) {
    return REC_HDR + key_len + value_len;
}

/* The RAM a key holds: its record, or its record as flash holds it when that is larger. */
static uint32_t held_bytes(uint8_t flags, uint32_t key_len, uint32_t len, uint32_t flushed_len) {
    uint32_t now = header_bytes(flags) + key_len + len;
    uint32_t flushed = (flags & REC_ON_FLASH) ? REC_HDR + key_len + flushed_len : 0;
    return now > flushed ? now : flushed;
}

static uint32_t rec_held(const uint8_t *r) {
    return held_bytes(r[0], r[1], rec_value_len(r), rec_flushed_len(r));
}

static bool find(const nbs_kvmap *m, const void *key, size_t key_len, uint32_t *at) {
    for (uint32_t off = 0; off < m->used; off += rec_size(m->ram + off)) {
        const uint8_t *r = m->ram + off;
        if (r[1] == key_len && memcmp(rec_key(r), key, key_len) == 0) {
            *at = off;
            return true;
        }
    }
    return false;
}

/* The figures a record counts in: dirty bytes (key and value), live keys, held bytes. */
static void count_record(nbs_kvmap *m, const uint8_t *r, bool add) {
    uint32_t bytes = (r[0] & REC_DIRTY) ? r[1] + rec_value_len(r) : 0;
    uint32_t live = (r[0] & REC_LIVE) ? 1 : 0, held = rec_held(r);
    m->dirty = add ? m->dirty + bytes : m->dirty - bytes;
    m->count = add ? m->count + live : m->count - live;
    m->held = add ? m->held + held : m->held - held;
}

static void drop_record(nbs_kvmap *m, uint32_t at) {
    m->writes++;
    uint8_t *r = m->ram + at;
    uint32_t size = rec_size(r);
    count_record(m, r, false);
    memmove(r, r + size, m->used - at - size);
    m->used -= size;
}

/* A tombstone's value-length field holds the flushed length; REC_KEEPS's holds it after. */
static void write_header(uint8_t *r, uint8_t flags, size_t key_len, uint32_t len,
                         uint32_t flushed_len) {
    r[0] = flags;
    r[1] = (uint8_t)key_len;
    put24(r + 2, (flags & REC_LIVE) ? len : flushed_len);
    if (flags & REC_KEEPS) put24(r + REC_HDR, flushed_len);
}

static void put_record(nbs_kvmap *m, uint8_t flags, const void *key, size_t key_len,
                       const void *value, size_t len, uint32_t flushed_len) {
    uint8_t *r = m->ram + m->used;
    m->writes++;
    write_header(r, flags, key_len, (uint32_t)len, flushed_len);
    uint32_t hdr = header_bytes(flags);
    memcpy(r + hdr, key, key_len);
    if (len) memcpy(r + hdr + key_len, value, len);
    m->used += hdr + (uint32_t)(key_len + len);
    count_record(m, r, true);
}

/* The record at `at` takes `flags` (never a larger header): its key stays, its value too if
 * they say LIVE; the later records move down. */
static void reshape_record(nbs_kvmap *m, uint32_t at, uint8_t flags, uint32_t flushed_len) {
    uint8_t *r = m->ram + at;
    uint32_t old_hdr = header_bytes(r[0]), old_end = at + rec_size(r);
    uint32_t len = (flags & REC_LIVE) ? rec_value_len(r) : 0, hdr = header_bytes(flags);
    uint32_t end = at + hdr + r[1] + len;
    if (end != old_end) m->writes++;
    count_record(m, r, false);
    memmove(r + hdr, r + old_hdr, r[1] + len);
    memmove(m->ram + end, m->ram + old_end, m->used - old_end);
    m->used -= old_end - end;
    write_header(r, flags, r[1], len, flushed_len);
    count_record(m, r, true);
}

/* A live record flash holds becomes a dirty tombstone: its value bytes go. */
static void make_tombstone(nbs_kvmap *m, uint32_t at) {
    m->writes++;
    reshape_record(m, at, REC_DIRTY | REC_ON_FLASH, rec_flushed_len(m->ram + at));
}

int nbs_kvmap_wb_open(nbs_kvmap *m, nbs_map *map, const nbs_kvmap_wb_config *cfg) {
    if (!m || !map || !cfg || !cfg->ram || cfg->ram_size > UINT32_MAX ||
        cfg->stage_size > UINT32_MAX)
        return NBS_E_INVAL;
    memset(m, 0, sizeof *m);
    if (!map->log.mounted) return NBS_E_NOT_MOUNTED;
    m->map = map;
    m->mode = NBS_KVMAP_WRITE_BACK;
    m->ram = cfg->ram;
    m->ram_size = (uint32_t)cfg->ram_size;
    m->stage = cfg->stage;
    m->stage_size = cfg->stage ? (uint32_t)cfg->stage_size : 0;
    m->threshold = cfg->threshold;
    nbs_map_iter it;
    nbs_map_iter_init(map, &it);
    uint8_t key[NBS_KEY_MAX];
    for (;;) {
        /* The value lands where its record's value will be once the key is put before it. */
        uint32_t room = m->ram_size - m->used;
        uint8_t *value = room > REC_HDR ? m->ram + m->used + REC_HDR : m->ram;
        size_t key_len = 0, len = 0;
        int rc = nbs_map_iter_next(&it, key, sizeof key, &key_len, value,
                                   room > REC_HDR ? room - REC_HDR : 0, &len);
        if (rc == NBS_E_END) break;
        if (rc == NBS_E_BUFFER_TOO_SMALL) return NBS_E_RAM_FULL;
        if (rc) return rc;
        if (nbs_kvmap_wb_record_bytes(key_len, len) > room) return NBS_E_RAM_FULL;
        memmove(value + key_len, value, len);
        put_record(m, REC_LIVE | REC_ON_FLASH, key, key_len, value + key_len, len, 0);
    }
    m->open = true;
    return NBS_OK;
}

int nbs_kvmap_wb_get(nbs_kvmap *m, const void *key, size_t key_len, void *value, size_t capacity,
                     size_t *len) {
    uint32_t at;
    if (!find(m, key, key_len, &at) || !(m->ram[at] & REC_LIVE)) return NBS_E_NOT_FOUND;
    const uint8_t *r = m->ram + at;
    int rc = nbs_out_buffer(value, capacity, len, rec_value_len(r));
    if (rc == NBS_OK && rec_value_len(r)) memcpy(value, rec_value(r), rec_value_len(r));
    return rc;
}

bool nbs_kvmap_wb_has(const nbs_kvmap *m, const void *key, size_t key_len) {
    uint32_t at;
    return find(m, key, key_len, &at) && (m->ram[at] & REC_LIVE);
}

static void auto_flush(nbs_kvmap *m) {
    /* A failure leaves the writes dirty: the next flush tries again (nbs_kvmap.h). */
    if (m->threshold && m->dirty >= m->threshold) (void)nbs_kvmap_wb_flush(m);
}

int nbs_kvmap_wb_set(nbs_kvmap *m, const void *key, size_t key_len, const void *value, size_t len) {
    if (len && !value) return NBS_E_INVAL;
    if (len > nbs_map_max_value(&m->map->log.flash, key_len)) return NBS_E_TOO_BIG;
    uint32_t at = 0, old_size = 0, old_held = 0, flushed_len = 0;
    uint8_t flags = REC_LIVE | REC_DIRTY;
    bool found = find(m, key, key_len, &at);
    if (found) {
        const uint8_t *r = m->ram + at;
        old_size = rec_size(r);
        old_held = rec_held(r);
        if (r[0] & REC_ON_FLASH) flags |= REC_ON_FLASH | REC_KEEPS;
        flushed_len = rec_flushed_len(r);
    }
#if NBS_TEST_BREAK == NBS_TEST_BREAK_KVMAP_WB_HELD_IGNORED
    /* only the RAM the records take now: a cut inside a flush may leave more to load */
    (void)old_held;
    if (m->used - old_size + (uint64_t)header_bytes(flags) + key_len + len > m->ram_size)
        return NBS_E_RAM_FULL;
#else
    (void)old_size;
    uint32_t held = held_bytes(flags, (uint32_t)key_len, (uint32_t)len, flushed_len);
    if ((uint64_t)m->held - old_held + held > m->ram_size) return NBS_E_RAM_FULL;
#endif
    if (found) drop_record(m, at);
    put_record(m, flags, key, key_len, value, len, flushed_len);
    auto_flush(m);
    return NBS_OK;
}

bool nbs_kvmap_wb_delete(nbs_kvmap *m, const void *key, size_t key_len) {
    uint32_t at;
    if (!find(m, key, key_len, &at) || !(m->ram[at] & REC_LIVE)) return false;
    if (m->ram[at] & REC_ON_FLASH)
        make_tombstone(m, at);
    else
        drop_record(m, at);
    auto_flush(m);
    return true;
}

void nbs_kvmap_wb_clear(nbs_kvmap *m) {
    uint32_t at = 0;
    while (at < m->used) {
        uint8_t *r = m->ram + at;
        if (!(r[0] & REC_ON_FLASH)) {
            drop_record(m, at);
            continue;
        }
        if (r[0] & REC_LIVE) make_tombstone(m, at);
        at += rec_size(r);
    }
    auto_flush(m);
}

/* The batch's records after its commit: clean when it succeeded (a tombstone then goes), staged
 * no more either way. */
static void end_batch(nbs_kvmap *m, bool written) {
    uint32_t at = 0;
    while (at < m->used) {
        uint8_t *r = m->ram + at;
        if (!(r[0] & REC_BATCH)) {
            at += rec_size(r);
            continue;
        }
        r[0] &= (uint8_t)~REC_BATCH;
        if (written && !(r[0] & REC_LIVE)) {
            drop_record(m, at);
            continue;
        }
        if (written) reshape_record(m, at, REC_LIVE | REC_ON_FLASH, 0); /* clean */
        at += rec_size(r);
    }
}

/* One dirty record as a map store or removal of its own. */
static int write_alone(nbs_kvmap *m, uint8_t *r) {
    int rc = (r[0] & REC_LIVE)
                 ? nbs_map_store(m->map, rec_key(r), r[1], rec_value(r), rec_value_len(r))
                 : nbs_map_remove(m->map, rec_key(r), r[1]);
    r[0] |= REC_BATCH;
    end_batch(m, rc == NBS_OK);
    return rc;
}

static int stage_record(nbs_kvmap *m, nbs_map_txn *txn, const uint8_t *r) {
#if NBS_TEST_BREAK == NBS_TEST_BREAK_KVMAP_FLUSH_REMOVE_FIRST
    /* a replaced value removed in a write of its own before the batch stores the new one */
    if ((r[0] & (REC_LIVE | REC_ON_FLASH)) == (REC_LIVE | REC_ON_FLASH)) {
        int rc = nbs_map_remove(m->map, rec_key(r), r[1]);
        if (rc) return rc;
    }
#else
    (void)m;
#endif
    if (r[0] & REC_LIVE)
        return nbs_map_txn_store(txn, rec_key(r), r[1], rec_value(r), rec_value_len(r));
    return nbs_map_txn_remove(txn, rec_key(r), r[1]);
}

/* Writes one batch: as many dirty records as the staging holds, committed as one transaction,
 * or the first dirty record alone when the staging cannot hold it. */
static int flush_batch(nbs_kvmap *m) {
    uint32_t capacity = m->stage_size, most = nbs_map_txn_max(&m->map->log.flash);
    if (capacity > most) capacity = most;
    nbs_map_txn txn;
    bool staging = capacity && nbs_map_txn_begin(m->map, &txn, m->stage, capacity) == NBS_OK;
    uint32_t staged = 0;
    for (uint32_t at = 0; at < m->used; at += rec_size(m->ram + at)) {
        uint8_t *r = m->ram + at;
        if (!(r[0] & REC_DIRTY)) continue;
        int rc = staging ? stage_record(m, &txn, r) : NBS_E_TXN_BUFFER;
        if (rc == NBS_OK) {
            r[0] |= REC_BATCH;
            staged++;
            continue;
        }
        if (rc == NBS_E_TXN_BUFFER && staged) break; /* the batch is full: commit it */
        if (staging) nbs_map_txn_abort(&txn);
        if (rc != NBS_E_TXN_BUFFER) {
            end_batch(m, false);
            return rc;
        }
        return write_alone(m, r);
    }
    int rc = staged ? nbs_map_txn_commit(&txn) : NBS_OK;
    if (!staged && staging) nbs_map_txn_abort(&txn);
    end_batch(m, rc == NBS_OK);
    return rc;
}

int nbs_kvmap_wb_flush(nbs_kvmap *m) {
    int rc = NBS_OK;
    while (!rc && m->dirty) rc = flush_batch(m);
    return rc;
}

int nbs_kvmap_wb_next(nbs_kvmap_iter *it, void *key, size_t key_capacity, size_t *key_len,
                      void *value, size_t value_capacity, size_t *value_len) {
    const nbs_kvmap *m = it->m;
    while (it->at < m->used && !(m->ram[it->at] & REC_LIVE)) it->at += rec_size(m->ram + it->at);
    if (it->at >= m->used) return NBS_E_END;
    const uint8_t *r = m->ram + it->at;
    bool wants_key = it->part != NBS_KVMAP_VALUES, wants_value = it->part != NBS_KVMAP_KEYS;
    int key_rc = wants_key ? nbs_out_buffer(key, key_capacity, key_len, r[1]) : NBS_OK;
    int value_rc =
        wants_value ? nbs_out_buffer(value, value_capacity, value_len, rec_value_len(r)) : NBS_OK;
    if (key_rc == NBS_E_BUFFER_TOO_SMALL || value_rc == NBS_E_BUFFER_TOO_SMALL)
        return NBS_E_BUFFER_TOO_SMALL;
    if (key_rc || value_rc) return NBS_E_INVAL;
    if (wants_key) memcpy(key, rec_key(r), r[1]);
    if (wants_value && rec_value_len(r)) memcpy(value, rec_value(r), rec_value_len(r));
    it->at += rec_size(r);
    return NBS_OK;
}
