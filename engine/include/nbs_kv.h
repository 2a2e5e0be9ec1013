/* Key-value domains of the norbench storage engine (ECMA-419 embedded:storage/key-value): named
 * domains sharing one map, each key holding a value stored with its format (buffer, string or a
 * fixed-width integer). Reading a value in another format is NBS_E_KV_TYPE, never a conversion.
 * Every write is one map store or removal, so it is power-fail-safe as the map is. The on-flash
 * form (a domain id byte first in the key, a format byte first in the value, a directory of
 * domain names) is engine/SPEC.md section 9. Freestanding, no malloc: the caller owns every
 * struct and the buffer. */
#ifndef NBS_KV_H
#define NBS_KV_H

#include "nbs.h"

/* Formats: a value's format is stored with it. Integers are given and returned as their
 * little-endian two's-complement bytes, exactly the format's width (1, 2, 4 or 8 bytes);
 * buffer and string values are any bytes (a string: UTF-8 text, no terminator). */
typedef enum nbs_kv_format {
    NBS_KV_ANY = 0, /* read only: whatever format the value has (reported in *stored) */
    NBS_KV_BUFFER = 1,
    NBS_KV_STRING = 2,
    NBS_KV_UINT8 = 3,
    NBS_KV_INT8 = 4,
    NBS_KV_UINT16 = 5,
    NBS_KV_INT16 = 6,
    NBS_KV_UINT32 = 7,
    NBS_KV_INT32 = 8,
    NBS_KV_UINT64 = 9,
    NBS_KV_INT64 = 10,
    NBS_KV_FORMATS /* one past the last */
} nbs_kv_format;

/* A value's width in bytes for an integer format, 0 for buffer and string (any length) and for
 * an unknown format. */
uint32_t nbs_kv_format_width(nbs_kv_format format);

/* Domain names: 1..NBS_KV_NAME_MAX bytes; keys: 0..NBS_KV_KEY_MAX bytes (one map key byte goes
 * to the domain id). Longer ones are NBS_E_KEY_LEN. */
#define NBS_KV_NAME_MAX (NBS_KEY_MAX - 1u)
#define NBS_KV_KEY_MAX  (NBS_KEY_MAX - 1u)

/* The key-value layer over a mounted map. Private fields. */
typedef struct nbs_kv {
    nbs_map *map;
    uint8_t *buf; /* caller's buffer: a map key, then a map value */
    uint32_t buf_size;
    uint32_t epoch; /* changed by nbs_kv_erase_all: older domain handles read closed */
} nbs_kv;

/* The buffer nbs_kv_init needs for a map on this flash: a map key and the largest map value. */
size_t nbs_kv_buffer_bytes(const nbs_flash *flash);
/* Binds the layer to `map` (mounted; it stays the caller's) with a buffer of at least
 * nbs_kv_buffer_bytes() bytes. Writes nothing. Mounting the map again (after a reset) needs
 * nbs_kv_init again, and domains opened again. */
int nbs_kv_init(nbs_kv *kv, nbs_map *map, void *buf, size_t buf_size);
/* Erases the whole store (every domain) and closes every domain handle of this kv. */
int nbs_kv_erase_all(nbs_kv *kv);
/* The largest value a key of key_len bytes can have on this geometry (0: none). */
uint32_t nbs_kv_max_value(const nbs_flash *flash, size_t key_len);

/* An open domain. Private fields; any number may be open, on the same domain too. */
typedef struct nbs_kv_domain {
    nbs_kv *kv;
    uint32_t epoch;
    uint8_t id; /* the domain's id byte; 0: closed */
    bool writable;
} nbs_kv_domain;

/* Opens the domain `name`: mode r (writable false) or r+ (true). A domain that does not exist
 * is created by an r+ open (one map store, power-fail-safe: after a cut it exists or not) and
 * is NBS_E_NOT_FOUND in mode r (nothing written). NBS_E_KV_DOMAINS when a new domain has no id
 * left, NBS_E_KEY_LEN for a name outside 1..NBS_KV_NAME_MAX bytes. */
int nbs_kv_open(nbs_kv *kv, nbs_kv_domain *domain, const void *name, size_t name_len,
                bool writable);
int nbs_kv_close(nbs_kv_domain *domain); /* NBS_E_KV_CLOSED when not open */

/* Reads `key`: NBS_E_NOT_FOUND when absent; NBS_E_KV_TYPE when its format is not `format`
 * (NBS_KV_ANY takes any); NBS_E_BUFFER_TOO_SMALL with *len the size needed. *stored (may be
 * NULL) is set to the value's format whenever the key exists. */
int nbs_kv_read(nbs_kv_domain *domain, const void *key, size_t key_len, nbs_kv_format format,
                void *value, size_t capacity, size_t *len, nbs_kv_format *stored);
/* Writes `key` = value in `format` (replacing any value and format it had). NBS_E_INVAL for an
 * unknown format or an integer of another width than its format's; NBS_E_KV_MODE in mode r;
 * NBS_E_TOO_BIG / NBS_E_FULL as the map's store. */
int nbs_kv_write(nbs_kv_domain *domain, const void *key, size_t key_len, nbs_kv_format format,
                 const void *value, size_t len);
/* Deletes `key`; *existed (may be NULL) says whether it was there. Absent: success, nothing
 * written. NBS_E_KV_MODE in mode r. */
int nbs_kv_delete(nbs_kv_domain *domain, const void *key, size_t key_len, bool *existed);

/* Transactions across domains (engine/SPEC.md section 3.4): writes and deletes staged in a map
 * transaction of this store (nbs_map_txn_begin on the kv's map; NBS_E_INVAL for another map's),
 * committed with nbs_map_txn_commit, dropped with nbs_map_txn_abort: all of them or none. Each is
 * checked as nbs_kv_write and nbs_kv_delete check it (mode r+, encoding); a staged delete of an
 * absent key writes a removal that changes nothing. Readers see them only after the commit. */
int nbs_kv_txn_write(nbs_kv_domain *domain, nbs_map_txn *txn, const void *key, size_t key_len,
                     nbs_kv_format format, const void *value, size_t len);
int nbs_kv_txn_delete(nbs_kv_domain *domain, nbs_map_txn *txn, const void *key, size_t key_len);

/* Iteration over one domain's keys (nbs_kv_keys_*) or over the store's domain names
 * (nbs_kv_domains_*), each once, in no particular order; NBS_E_END after the last. The store
 * must not be written during an iteration; reads may come between steps. */
typedef struct nbs_kv_iter {
    nbs_kv *kv;
    nbs_map_iter map_iter; /* private */
    uint8_t id;            /* the domain's id; 0: the directory (domain names) */
} nbs_kv_iter;
int nbs_kv_keys_init(nbs_kv_domain *domain, nbs_kv_iter *it);
int nbs_kv_keys_next(nbs_kv_iter *it, void *key, size_t capacity, size_t *key_len);
void nbs_kv_domains_init(nbs_kv *kv, nbs_kv_iter *it);
int nbs_kv_domains_next(nbs_kv_iter *it, void *name, size_t capacity, size_t *name_len);

#endif
