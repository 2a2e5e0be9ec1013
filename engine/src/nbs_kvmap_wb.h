/* The write-back half of the Map (nbs_kvmap_wb.c), called by the façade (nbs_kvmap.c) once it has
 * checked the handle and the key. Not API. */
#ifndef NBS_KVMAP_WB_H
#define NBS_KVMAP_WB_H

#include "nbs_kvmap.h"

/* A Map key: 1..NBS_KEY_MAX bytes (NBS_E_KEY_LEN), not NULL (NBS_E_INVAL): the map's rule. */
int nbs_kvmap_check_key(const void *key, size_t key_len);

int nbs_kvmap_wb_get(nbs_kvmap *m, const void *key, size_t key_len, void *value, size_t capacity,
                     size_t *len);
int nbs_kvmap_wb_set(nbs_kvmap *m, const void *key, size_t key_len, const void *value, size_t len);
bool nbs_kvmap_wb_has(const nbs_kvmap *m, const void *key, size_t key_len);
bool nbs_kvmap_wb_delete(nbs_kvmap *m, const void *key, size_t key_len);
void nbs_kvmap_wb_clear(nbs_kvmap *m);
int nbs_kvmap_wb_flush(nbs_kvmap *m);
int nbs_kvmap_wb_next(nbs_kvmap_iter *it, void *key, size_t key_capacity, size_t *key_len,
                      void *value, size_t value_capacity, size_t *value_len);

#endif
