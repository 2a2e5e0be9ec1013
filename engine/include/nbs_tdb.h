/* The TDBStore-shaped key store of the norbench storage engine: what Mbed OS TDBStore users rely
 * on, over one map. Values carry creation flags (write-once); get_info reads a value's size and
 * flags without its bytes; reads take an offset; values larger than a page are written
 * incrementally (set_start / set_add_data / set_finalize) and committed by one map store;
 * iterators take a key prefix; a small write-once reserved area survives reset. Every write is
 * one or more map stores and removals, so it is power-fail-safe as the map is (what a cut leaves
 * for each call: below, and engine/SPEC.md section 9.2, which gives the on-flash form).
 * Freestanding, no malloc: the caller owns every struct and the buffer. */
#ifndef NBS_TDB_H
#define NBS_TDB_H

#include "nbs.h"

/* Creation flags (TDBStore's bit values). A set or remove of a write-once key is
 * NBS_E_WRITE_PROTECTED and changes nothing; reset() removes it. Other bits: NBS_E_INVAL. */
enum { NBS_TDB_WRITE_ONCE = 1u << 0 };

/* Keys: 1..NBS_TDB_KEY_MAX bytes, else NBS_E_KEY_LEN (one map key byte goes to the namespace,
 * SPEC 9.2). With key_rules set (nbs_tdb_init), TDBStore's rule applies too: a key holding any
 * of  * / ? : ; \ " | < >  or a space is NBS_E_KEY_CHARS. */
#define NBS_TDB_KEY_MAX (NBS_KEY_MAX - 1u)
#define NBS_TDB_RESERVED_MAX                                                                       \
    64u /* bytes of the reserved area (TDBStore.h's RESERVED_AREA_SIZE)                            \
         */

typedef struct nbs_tdb_info {
    uint32_t size;  /* the value's bytes */
    uint32_t flags; /* its creation flags */
} nbs_tdb_info;

/* The store over a mounted map (the caller's; the store owns all its keys). Private fields. */
typedef struct nbs_tdb {
    nbs_map *map;
    uint8_t *buf; /* caller's buffer: the journal's head, a map key, then a map value */
    uint32_t buf_size;
    bool key_rules;
    /* The journal (SPEC 9.2) as last written, its head and key in the buffer: while open (or
     * maybe open, after a failed write) the next write finishes its operation first. */
    bool journal_open;
    uint32_t journal_len; /* its bytes: the head, then the map key it names */
    uint32_t last_id;     /* the last chunked-value id given (ids are never reused) */
    /* the incremental set in progress (set_open): the rest of the layer refuses to run */
    bool set_open;
    uint32_t set_flags, set_size, set_added, set_staged, set_id, set_crc;
    uint32_t set_old_id, set_old_count; /* the value it replaces, if chunked */
    uint32_t set_chunk;                 /* the index of the chunk being staged */
    uint32_t set_key_len;               /* its map key's bytes (in the buffer) */
} nbs_tdb;

/* The buffer nbs_tdb_init needs for a map on this flash: the journal's 21-byte head, a map key
 * and the largest map value (an incremental set stages one chunk of that size in it). */
size_t nbs_tdb_buffer_bytes(const nbs_flash *flash);
/* Binds the store to `map` (mounted) with a buffer of at least nbs_tdb_buffer_bytes() bytes,
 * finishing what a cut left of a write of a chunked value (the new chunks removed if it was not
 * committed, the replaced value's if it was) or of a reset (completed): SPEC 9.2. Mounting the
 * map again needs init again. On a map mounted read-only it reads and writes nothing (the
 * journal is not read: what a cut left stays for a read-write init; reads are right, but for a
 * reset a cut stopped, whose keys read part removed until then). Its clean-up's error (e.g.
 * NBS_E_FULL) is returned; the store is bound all the same, and each write call tries the clean-up
 * first. */
int nbs_tdb_init(nbs_tdb *tdb, nbs_map *map, void *buf, size_t buf_size, bool key_rules);

/* set: replaces any value (plain values up to nbs_tdb_max_value(), else NBS_E_TOO_BIG; larger
 * ones need the incremental set). NBS_E_WRITE_PROTECTED when the key exists with WRITE_ONCE.
 * Every write call returns 0 once its commit is made (SPEC 9.2), even if the clean-up after
 * it (a replaced chunked value's chunks) was stopped: the next write or init finishes it. */
int nbs_tdb_set(nbs_tdb *tdb, const void *key, size_t key_len, const void *value, size_t len,
                uint32_t flags);
/* get: up to `capacity` bytes of the value from byte `offset` on (a smaller capacity is a
 * partial read, not an error); *actual (may be NULL) is the bytes copied. An offset past the
 * value's end is NBS_E_INVAL; NBS_E_NOT_FOUND when absent. A chunked value's read takes only
 * the chunks it needs; a read of the whole value also checks its CRC (NBS_E_CORRUPT). */
int nbs_tdb_get(nbs_tdb *tdb, const void *key, size_t key_len, void *buf, size_t capacity,
                size_t *actual, size_t offset);
int nbs_tdb_get_info(nbs_tdb *tdb, const void *key, size_t key_len, nbs_tdb_info *info);
/* remove: NBS_E_NOT_FOUND when absent, NBS_E_WRITE_PROTECTED for a write-once key. */
int nbs_tdb_remove(nbs_tdb *tdb, const void *key, size_t key_len);
/* reset: removes every key, write-once ones too, and keeps the reserved area. A cut leaves
 * every key or, once init has run, none (SPEC 9.2). A journal that cannot be settled (it, or
 * the value it names, is corrupt: every other write answers NBS_E_CORRUPT) does not stop it. */
int nbs_tdb_reset(nbs_tdb *tdb);
/* The largest value nbs_tdb_set takes for a key of key_len bytes on this geometry. */
uint32_t nbs_tdb_max_value(const nbs_flash *flash, size_t key_len);

/* Incremental set (any size the store has room for): set_start names the key, its final size
 * and flags (NBS_E_FULL at once when the map's free and reclaimable bytes are fewer); a value
 * up to nbs_tdb_max_value() is staged whole and stored plain, a larger one in chunks;
 * set_add_data appends bytes (more than final_size in all: NBS_E_INVAL, the set goes on; a
 * chunk's store that fails ends the set without a change and returns its error); set_finalize
 * commits when exactly final_size bytes came (else NBS_E_INVAL and the set ends without a
 * change). Nothing is visible before set_finalize returns 0; a cut anywhere leaves the old value
 * or the new one. While a set is open every other call of this store returns NBS_E_BUSY
 * (nbs_tdb_set_abort ends it without a change; add_data, finalize and abort without a set open
 * are NBS_E_INVAL). */
int nbs_tdb_set_start(nbs_tdb *tdb, const void *key, size_t key_len, uint32_t final_size,
                      uint32_t flags);
int nbs_tdb_set_add_data(nbs_tdb *tdb, const void *data, size_t len);
int nbs_tdb_set_finalize(nbs_tdb *tdb);
int nbs_tdb_set_abort(nbs_tdb *tdb);

/* Iteration over the keys that start with `prefix` (prefix_len 0: every key), each once, in no
 * particular order; NBS_E_END after the last; NBS_E_BUFFER_TOO_SMALL (*key_len the size
 * needed) leaves it in place. An iterator stays valid across reads and refused calls; after any
 * write of its map (through this store or not) its next step returns NBS_E_ITER_STALE (a clear
 * end, never a key twice or a key skipped silently). Mounting the map again: open it again. */
typedef struct nbs_tdb_iter {
    nbs_tdb *tdb;
    nbs_map_iter map_iter; /* private */
    uint32_t writes;       /* the map's write count when the iterator was opened */
    uint8_t prefix[NBS_TDB_KEY_MAX];
    uint8_t prefix_len;
} nbs_tdb_iter;
int nbs_tdb_iter_open(nbs_tdb *tdb, nbs_tdb_iter *it, const void *prefix, size_t prefix_len);
int nbs_tdb_iter_next(nbs_tdb_iter *it, void *key, size_t capacity, size_t *key_len);

/* The reserved area: set once (1..NBS_TDB_RESERVED_MAX bytes; a second set is
 * NBS_E_WRITE_PROTECTED), read back with get (NBS_E_NOT_FOUND before the set). */
int nbs_tdb_reserved_set(nbs_tdb *tdb, const void *data, size_t len);
int nbs_tdb_reserved_get(nbs_tdb *tdb, void *buf, size_t capacity, size_t *len);

#endif
