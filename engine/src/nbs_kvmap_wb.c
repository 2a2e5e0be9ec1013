/* The Map's write-back mode (nbs_kvmap.h, SPEC section 9.3): a record per key in the caller's
 * RAM, loaded at open, read and written there; a flush writes the dirty records to the map in
 * batches, each one map transaction (a record the staging cannot hold: one map store or
 * removal of its own), and marks a batch clean only once its commit returned. */
#include "nbs_internal.h"
#include "nbs_kvmap_wb.h"

#include <string.h>

/* A record: flags, key length, value length (3 bytes, little-endian), key, value. A deleted key
 * that flash still holds stays as a tombstone (no LIVE, no value) until a flush removes it. */
enum { REC_HDR = 5 };
enum {
    REC_LIVE = 1u << 0,     /* holds a value (else a tombstone) */
    REC_DIRTY = 1u << 1,    /* written since the last flush that wrote it */
    REC_ON_FLASH = 1u << 2, /* the store holds a value for the key (as of the last flush) */
    REC_BATCH = 1u << 3,    /* staged in the batch being committed */
};

static uint32_t rec_value_len(const uint8_t *r) {
    return (uint32_t)r[2] | (uint32_t)r[3] << 8 | (uint32_t)r[4] << 16;
}

static uint32_t rec_size(const uint8_t *r) {
    return REC_HDR + r[1] + rec_value_len(r);
}

static const uint8_t *rec_key(const uint8_t *r) {
    return r + REC_HDR;
}

static const uint8_t *rec_value(const uint8_t *r) {
    return r + REC_HDR + r[1];
}

size_t nbs_kvmap_wb_record_bytes(size_t key_len, size_t value_len) {
    return REC_HDR + key_len + value_len;
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

/* The figures a record counts in: dirty bytes (key and value) and live keys. */
static void count_record(nbs_kvmap *m, const uint8_t *r, bool add) {
    uint32_t bytes = (r[0] & REC_DIRTY) ? r[1] + rec_value_len(r) : 0;
    uint32_t live = (r[0] & REC_LIVE) ? 1 : 0;
    m->dirty = add ? m->dirty + bytes : m->dirty - bytes;
    m->count = add ? m->count + live : m->count - live;
}

static void drop_record(nbs_kvmap *m, uint32_t at) {
    m->writes++;
    uint8_t *r = m->ram + at;
    uint32_t size = rec_size(r);
    count_record(m, r, false);
    memmove(r, r + size, m->used - at - size);
    m->used -= size;
}

static void put_record(nbs_kvmap *m, uint8_t flags, const void *key, size_t key_len,
                       const void *value, size_t len) {
    uint8_t *r = m->ram + m->used;
    m->writes++;
    r[0] = flags;
    r[1] = (uint8_t)key_len;
    r[2] = (uint8_t)len, r[3] = (uint8_t)(len >> 8), r[4] = (uint8_t)(len >> 16);
    memcpy(r + REC_HDR, key, key_len);
    if (len) memcpy(r + REC_HDR + key_len, value, len);
    m->used += (uint32_t)nbs_kvmap_wb_record_bytes(key_len, len);
    count_record(m, r, true);
}

/* A live record becomes a dirty tombstone: its value bytes go, the later records move down. */
static void make_tombstone(nbs_kvmap *m, uint32_t at) {
    m->writes++;
    uint8_t *r = m->ram + at;
    uint32_t value_len = rec_value_len(r), end = at + rec_size(r);
    count_record(m, r, false);
    memmove(m->ram + end - value_len, m->ram + end, m->used - end);
    m->used -= value_len;
    r[0] = REC_DIRTY | REC_ON_FLASH;
    r[2] = r[3] = r[4] = 0;
    count_record(m, r, true);
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
        put_record(m, REC_LIVE | REC_ON_FLASH, key, key_len, value + key_len, len);
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
    uint32_t at = 0;
    bool found = find(m, key, key_len, &at);
    uint32_t old = found ? rec_size(m->ram + at) : 0;
    if (m->used - old + nbs_kvmap_wb_record_bytes(key_len, len) > m->ram_size)
        return NBS_E_RAM_FULL;
    uint8_t on_flash = found ? (m->ram[at] & REC_ON_FLASH) : 0;
    if (found) drop_record(m, at);
    put_record(m, (uint8_t)(REC_LIVE | REC_DIRTY | on_flash), key, key_len, value, len);
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
        if (written) {
            count_record(m, r, false);
            r[0] = (uint8_t)((r[0] & ~REC_DIRTY) | REC_ON_FLASH);
            count_record(m, r, true);
        }
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
