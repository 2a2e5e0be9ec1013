/* The Map façade (nbs_kvmap.h): the handle and key checks both modes share, and write-through,
 * where each call is a call of the map; write-back calls go to nbs_kvmap_wb.c. */
#include "nbs_internal.h"
#include "nbs_kvmap_wb.h"

#include <string.h>

static int check_handle(const nbs_kvmap *m) {
    if (!m) return NBS_E_INVAL;
    return m->open ? NBS_OK : NBS_E_NOT_MOUNTED;
}

/* The handle and the key, checked alike in both modes. */
static int check_call(const nbs_kvmap *m, const void *key, size_t key_len) {
    int rc = check_handle(m);
    return rc ? rc : nbs_kvmap_check_key(key, key_len);
}

static bool write_back(const nbs_kvmap *m) {
    return m->mode == NBS_KVMAP_WRITE_BACK;
}

/* What an iterator compares: the RAM records' changes in write-back, the map's writes else. */
static uint32_t write_count(const nbs_kvmap *m) {
    return write_back(m) ? m->writes : m->map->log.writes;
}

int nbs_kvmap_check_key(const void *key, size_t key_len) {
    if (key_len == 0 || key_len > NBS_KEY_MAX) return NBS_E_KEY_LEN;
    return key ? NBS_OK : NBS_E_INVAL;
}

int nbs_kvmap_open(nbs_kvmap *m, nbs_map *map) {
    if (!m || !map) return NBS_E_INVAL;
    memset(m, 0, sizeof *m);
    if (!map->log.mounted) return NBS_E_NOT_MOUNTED;
    m->map = map;
    m->mode = NBS_KVMAP_THROUGH;
    m->open = true;
    return NBS_OK;
}

int nbs_kvmap_get(nbs_kvmap *m, const void *key, size_t key_len, void *value, size_t capacity,
                  size_t *len) {
    int rc = check_call(m, key, key_len);
    if (rc) return rc;
    if (write_back(m)) return nbs_kvmap_wb_get(m, key, key_len, value, capacity, len);
    return nbs_map_fetch(m->map, key, key_len, value, capacity, len);
}

int nbs_kvmap_set(nbs_kvmap *m, const void *key, size_t key_len, const void *value, size_t len) {
    int rc = check_call(m, key, key_len);
    if (rc) return rc;
    if (write_back(m)) return nbs_kvmap_wb_set(m, key, key_len, value, len);
    return nbs_map_store(m->map, key, key_len, value, len);
}

int nbs_kvmap_has(nbs_kvmap *m, const void *key, size_t key_len, bool *present) {
    int rc = check_call(m, key, key_len);
    if (rc) return rc;
    if (!present) return NBS_E_INVAL;
    if (write_back(m))
        *present = nbs_kvmap_wb_has(m, key, key_len);
    else if ((rc = nbs_map_has(m->map, key, key_len, present)))
        return rc;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_KVMAP_HAS_TRUTHY
    /* flash-store's has(): a falsy value reads as absent, an empty one included */
    size_t len = 0;
    if (*present && nbs_kvmap_get(m, key, key_len, NULL, 0, &len) == NBS_OK) *present = false;
#endif
    return NBS_OK;
}

int nbs_kvmap_delete(nbs_kvmap *m, const void *key, size_t key_len, bool *existed) {
    int rc = check_call(m, key, key_len);
    if (rc) return rc;
    bool present = false;
    if (write_back(m)) {
        present = nbs_kvmap_wb_delete(m, key, key_len);
    } else if (!(rc = nbs_map_has(m->map, key, key_len, &present)) && present) {
        rc = nbs_map_remove(m->map, key, key_len);
    }
    if (existed) *existed = present;
    return rc;
}

int nbs_kvmap_clear(nbs_kvmap *m) {
    int rc = check_handle(m);
    if (rc) return rc;
    if (!write_back(m)) return nbs_map_remove_all(m->map);
    nbs_kvmap_wb_clear(m);
    return NBS_OK;
}

int nbs_kvmap_size(nbs_kvmap *m, uint32_t *size) {
    int rc = check_handle(m);
    if (rc || !size) return rc ? rc : NBS_E_INVAL;
    if (!write_back(m)) return nbs_map_count(m->map, size);
    *size = m->count;
    return NBS_OK;
}

int nbs_kvmap_flush(nbs_kvmap *m) {
    int rc = check_handle(m);
    if (rc || !write_back(m)) return rc;
    return nbs_kvmap_wb_flush(m);
}

uint32_t nbs_kvmap_dirty_bytes(const nbs_kvmap *m) {
    return m && m->open && write_back(m) ? m->dirty : 0;
}

uint32_t nbs_kvmap_held_bytes(const nbs_kvmap *m) {
    return m && m->open && write_back(m) ? m->held : 0;
}

void nbs_kvmap_iter_init(nbs_kvmap *m, nbs_kvmap_iter *it, nbs_kvmap_part part) {
    if (!it) return;
    memset(it, 0, sizeof *it);
    it->m = m;
    it->part = part;
    if (m && m->open && !write_back(m)) nbs_map_iter_init(m->map, &it->map_iter);
    if (m && m->open) it->writes = write_count(m);
}

int nbs_kvmap_iter_next(nbs_kvmap_iter *it, void *key, size_t key_capacity, size_t *key_len,
                        void *value, size_t value_capacity, size_t *value_len) {
    int rc = it ? check_handle(it->m) : NBS_E_INVAL;
    if (rc) return rc;
    if (write_count(it->m) != it->writes) return NBS_E_ITER_STALE;
    if (write_back(it->m))
        return nbs_kvmap_wb_next(it, key, key_capacity, key_len, value, value_capacity, value_len);
    return nbs_map_iter_next(&it->map_iter, key, key_capacity, key_len, value, value_capacity,
                             value_len);
}
