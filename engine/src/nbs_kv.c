/* Key-value domains over the map (nbs_kv.h): the directory of domain names, opening, typed reads
 * and writes, deletes and the iterations, each one map call or a walk of the map; the encoding
 * of keys and values (SPEC section 9) and nothing else of the format lives in the codec below. */
#include "nbs_internal.h"
#include "nbs_kv_codec.h"

#include <string.h>

/* ---- the codec (nbs_kv_codec.h) ---- */

uint32_t nbs_kv_format_width(nbs_kv_format format) {
    /* uint8, int8, uint16, int16, uint32, int32, uint64, int64 */
    if (format < NBS_KV_UINT8 || format >= NBS_KV_FORMATS) return 0;
    return 1u << ((format - NBS_KV_UINT8) / 2);
}

static bool format_known(nbs_kv_format format) {
    return format >= NBS_KV_BUFFER && format < NBS_KV_FORMATS;
}

/* Whether `len` value bytes fit `format`: any length for buffer and string. */
static bool width_fits(nbs_kv_format format, size_t len) {
    uint32_t width = nbs_kv_format_width(format);
    return width == 0 || len == width;
}

int nbs_kv_encode_key(uint8_t id, const void *key, size_t key_len, uint8_t *out, size_t *out_len) {
    size_t min = id == NBS_KV_DIRECTORY_ID ? 1 : 0;
    if (key_len < min || key_len > NBS_KEY_MAX - 1u) return NBS_E_KEY_LEN;
    if (key_len && !key) return NBS_E_INVAL;
    out[0] = id;
    if (key_len) memcpy(out + 1, key, key_len);
    *out_len = key_len + 1;
    return NBS_OK;
}

int nbs_kv_encode_value(nbs_kv_format format, const void *value, size_t len, uint8_t *out,
                        size_t capacity, size_t *out_len) {
    if (!format_known(format) || !width_fits(format, len) || (len && !value)) return NBS_E_INVAL;
    if (len >= capacity) return NBS_E_TOO_BIG;
    out[0] = (uint8_t)format;
    if (len) memcpy(out + 1, value, len);
    *out_len = len + 1;
    return NBS_OK;
}

int nbs_kv_decode_value(const uint8_t *stored, size_t stored_len, nbs_kv_format *format) {
    if (stored_len < 1) return NBS_E_CORRUPT;
    nbs_kv_format f = (nbs_kv_format)stored[0];
    if (!format_known(f) || !width_fits(f, stored_len - 1)) return NBS_E_CORRUPT;
    *format = f;
    return NBS_OK;
}

/* ---- the layer ---- */

/* The buffer: a map key (NBS_KEY_MAX bytes), then a map value. */
static uint8_t *key_area(nbs_kv *kv) {
    return kv->buf;
}

static uint8_t *value_area(nbs_kv *kv, size_t *capacity) {
    *capacity = kv->buf_size - NBS_KEY_MAX;
    return kv->buf + NBS_KEY_MAX;
}

size_t nbs_kv_buffer_bytes(const nbs_flash *flash) {
    return NBS_KEY_MAX + (size_t)nbs_map_max_value(flash, 1);
}

uint32_t nbs_kv_max_value(const nbs_flash *flash, size_t key_len) {
    if (key_len > NBS_KV_KEY_MAX) return 0;
    uint32_t max = nbs_map_max_value(flash, key_len + 1);
    return max ? max - 1 : 0;
}

int nbs_kv_init(nbs_kv *kv, nbs_map *map, void *buf, size_t buf_size) {
    if (!kv || !map || !buf) return NBS_E_INVAL;
    if (buf_size < nbs_kv_buffer_bytes(&map->log.flash) || buf_size > UINT32_MAX)
        return NBS_E_WORK_BUFFER;
    kv->map = map;
    kv->buf = buf;
    kv->buf_size = (uint32_t)buf_size;
    kv->epoch = 1;
    return NBS_OK;
}

int nbs_kv_erase_all(nbs_kv *kv) {
    if (!kv || !kv->map) return NBS_E_INVAL;
    kv->epoch++; /* even when the erase fails part way: what handles pointed at may be gone */
    return nbs_map_erase_all(kv->map);
}

static int check_open(const nbs_kv_domain *d) {
    if (!d) return NBS_E_INVAL;
    if (d->id == 0 || !d->kv || d->epoch != d->kv->epoch) return NBS_E_KV_CLOSED;
    return NBS_OK;
}

/* Fetches the map value of (id, key) into the value area: its length in *stored_len. */
static int fetch_encoded(nbs_kv *kv, uint8_t id, const void *key, size_t key_len,
                         size_t *stored_len) {
    size_t map_key_len, capacity;
    int rc = nbs_kv_encode_key(id, key, key_len, key_area(kv), &map_key_len);
    if (rc) return rc;
    uint8_t *value = value_area(kv, &capacity);
    return nbs_map_fetch(kv->map, key_area(kv), map_key_len, value, capacity, stored_len);
}

/* Every id some key of the store carries, directory entries' ids included: a new domain takes
 * one that nothing carries, so it never inherits keys. */
static int ids_in_use(nbs_kv *kv, uint8_t used[32]) {
    memset(used, 0, 32);
    used[0] = 1; /* id 0 is the directory */
    nbs_map_iter it;
    nbs_map_iter_init(kv->map, &it);
    for (;;) {
        size_t key_len, value_len, capacity;
        uint8_t *value = value_area(kv, &capacity);
        int rc = nbs_map_iter_next(&it, key_area(kv), NBS_KEY_MAX, &key_len, value, capacity,
                                   &value_len);
        if (rc == NBS_E_END) return NBS_OK;
        if (rc) return rc;
        uint8_t id = key_area(kv)[0];
        if (id == NBS_KV_DIRECTORY_ID) {
            if (value_len != 1) return NBS_E_CORRUPT;
            id = value[0];
        }
        used[id / 8] |= (uint8_t)(1u << (id % 8));
    }
}

/* Creates the domain `name` (absent from the directory): one map store of its directory key. */
static int create_domain(nbs_kv *kv, const void *name, size_t name_len, uint8_t *id) {
    uint8_t used[32];
    int rc = ids_in_use(kv, used);
    if (rc) return rc;
    unsigned free_id = 1;
    while (free_id < 256 && (used[free_id / 8] >> (free_id % 8)) & 1u) free_id++;
    if (free_id == 256) return NBS_E_KV_DOMAINS;
    size_t map_key_len;
    if ((rc = nbs_kv_encode_key(NBS_KV_DIRECTORY_ID, name, name_len, key_area(kv), &map_key_len)))
        return rc;
    uint8_t value = (uint8_t)free_id;
    if ((rc = nbs_map_store(kv->map, key_area(kv), map_key_len, &value, 1))) return rc;
    *id = value;
    return NBS_OK;
}

int nbs_kv_open(nbs_kv *kv, nbs_kv_domain *domain, const void *name, size_t name_len,
                bool writable) {
    if (!kv || !kv->map || !domain) return NBS_E_INVAL;
    domain->id = 0;
    if (name_len < 1 || name_len > NBS_KV_NAME_MAX) return NBS_E_KEY_LEN;
    size_t stored_len;
    uint8_t id;
    int rc = fetch_encoded(kv, NBS_KV_DIRECTORY_ID, name, name_len, &stored_len);
    if (rc == NBS_OK) {
        size_t capacity;
        id = value_area(kv, &capacity)[0];
        if (stored_len != 1 || id == NBS_KV_DIRECTORY_ID) return NBS_E_CORRUPT;
    } else if (rc == NBS_E_NOT_FOUND && writable) {
        if ((rc = create_domain(kv, name, name_len, &id))) return rc;
    } else {
        return rc;
    }
    *domain = (nbs_kv_domain){.kv = kv, .epoch = kv->epoch, .id = id, .writable = writable};
    return NBS_OK;
}

int nbs_kv_close(nbs_kv_domain *domain) {
    int rc = check_open(domain);
    if (rc) return rc;
    domain->id = 0;
    return NBS_OK;
}

int nbs_kv_read(nbs_kv_domain *domain, const void *key, size_t key_len, nbs_kv_format format,
                void *value, size_t capacity, size_t *len, nbs_kv_format *stored) {
    int rc = check_open(domain);
    if (rc) return rc;
    if (format != NBS_KV_ANY && !format_known(format)) return NBS_E_INVAL;
    nbs_kv *kv = domain->kv;
    size_t stored_len, area_size;
    nbs_kv_format found;
    if ((rc = fetch_encoded(kv, domain->id, key, key_len, &stored_len))) return rc;
    const uint8_t *bytes = value_area(kv, &area_size);
    if ((rc = nbs_kv_decode_value(bytes, stored_len, &found))) return rc;
    if (stored) *stored = found;
    if (format != NBS_KV_ANY && format != found) return NBS_E_KV_TYPE;
    if ((rc = nbs_out_buffer(value, capacity, len, (uint32_t)(stored_len - 1)))) return rc;
    if (stored_len > 1) memcpy(value, bytes + 1, stored_len - 1);
    return NBS_OK;
}

/* A write or delete: the handle is open in mode r+. */
static int check_writable(const nbs_kv_domain *domain) {
    int rc = check_open(domain);
    return rc ? rc : domain->writable ? NBS_OK : NBS_E_KV_MODE;
}

/* A write, to the map at once or staged in `txn` (NULL: at once). */
static int write_to(nbs_kv_domain *domain, nbs_map_txn *txn, const void *key, size_t key_len,
                    nbs_kv_format format, const void *value, size_t len) {
    int rc = check_writable(domain);
    if (rc) return rc;
    nbs_kv *kv = domain->kv;
    size_t map_key_len, map_value_len, capacity;
    uint8_t *area = value_area(kv, &capacity);
    if ((rc = nbs_kv_encode_key(domain->id, key, key_len, key_area(kv), &map_key_len)) ||
        (rc = nbs_kv_encode_value(format, value, len, area, capacity, &map_value_len)))
        return rc;
    if (txn) return nbs_map_txn_store(txn, key_area(kv), map_key_len, area, map_value_len);
#if NBS_TEST_BREAK == NBS_TEST_BREAK_KV_REMOVE_FIRST
    /* The flaw: two writes, so a cut between them leaves neither the old value nor the new. */
    if ((rc = nbs_map_remove(kv->map, key_area(kv), map_key_len))) return rc;
#endif
    return nbs_map_store(kv->map, key_area(kv), map_key_len, area, map_value_len);
}

int nbs_kv_write(nbs_kv_domain *domain, const void *key, size_t key_len, nbs_kv_format format,
                 const void *value, size_t len) {
    return write_to(domain, NULL, key, key_len, format, value, len);
}

/* A transaction of this domain's store: any other is NBS_E_INVAL. */
static int check_txn_of(const nbs_kv_domain *domain, const nbs_map_txn *txn) {
    int rc = check_writable(domain);
    if (rc) return rc;
    return txn && txn->map == domain->kv->map ? NBS_OK : NBS_E_INVAL;
}

int nbs_kv_txn_write(nbs_kv_domain *domain, nbs_map_txn *txn, const void *key, size_t key_len,
                     nbs_kv_format format, const void *value, size_t len) {
    int rc = check_txn_of(domain, txn);
    return rc ? rc : write_to(domain, txn, key, key_len, format, value, len);
}

int nbs_kv_txn_delete(nbs_kv_domain *domain, nbs_map_txn *txn, const void *key, size_t key_len) {
    int rc = check_txn_of(domain, txn);
    size_t map_key_len;
    if (rc ||
        (rc = nbs_kv_encode_key(domain->id, key, key_len, key_area(domain->kv), &map_key_len)))
        return rc;
    return nbs_map_txn_remove(txn, key_area(domain->kv), map_key_len);
}

int nbs_kv_delete(nbs_kv_domain *domain, const void *key, size_t key_len, bool *existed) {
    int rc = check_writable(domain);
    if (rc) return rc;
    nbs_kv *kv = domain->kv;
    size_t map_key_len;
    bool present = false;
    if ((rc = nbs_kv_encode_key(domain->id, key, key_len, key_area(kv), &map_key_len)) ||
        (rc = nbs_map_has(kv->map, key_area(kv), map_key_len, &present)))
        return rc;
    if (existed) *existed = present;
    return present ? nbs_map_remove(kv->map, key_area(kv), map_key_len) : NBS_OK;
}

/* ---- iteration ---- */

/* The next map key carrying the iterator's id, its bytes after the id copied out. A buffer too
 * small leaves the iterator where it was, so the call can be made again with a larger one. */
static int iter_next(nbs_kv_iter *it, void *out, size_t capacity, size_t *out_len) {
    if (!it || !it->kv) return NBS_E_INVAL;
    nbs_kv *kv = it->kv;
    for (;;) {
        nbs_map_iter before = it->map_iter;
        size_t key_len, value_len, area_size;
        uint8_t *area = value_area(kv, &area_size);
        int rc = nbs_map_iter_next(&it->map_iter, key_area(kv), NBS_KEY_MAX, &key_len, area,
                                   area_size, &value_len);
        if (rc) return rc;
        if (key_area(kv)[0] != it->id) continue;
        if ((rc = nbs_out_buffer(out, capacity, out_len, (uint32_t)(key_len - 1)))) {
            it->map_iter = before;
            return rc;
        }
        if (key_len > 1) memcpy(out, key_area(kv) + 1, key_len - 1);
        return NBS_OK;
    }
}

int nbs_kv_keys_init(nbs_kv_domain *domain, nbs_kv_iter *it) {
    int rc = check_open(domain);
    if (rc || !it) return rc ? rc : NBS_E_INVAL;
    it->kv = domain->kv;
    it->id = domain->id;
    nbs_map_iter_init(domain->kv->map, &it->map_iter);
    return NBS_OK;
}

int nbs_kv_keys_next(nbs_kv_iter *it, void *key, size_t capacity, size_t *key_len) {
    return iter_next(it, key, capacity, key_len);
}

void nbs_kv_domains_init(nbs_kv *kv, nbs_kv_iter *it) {
    it->kv = kv;
    it->id = NBS_KV_DIRECTORY_ID;
    nbs_map_iter_init(kv->map, &it->map_iter);
}

int nbs_kv_domains_next(nbs_kv_iter *it, void *name, size_t capacity, size_t *name_len) {
    return iter_next(it, name, capacity, name_len);
}
