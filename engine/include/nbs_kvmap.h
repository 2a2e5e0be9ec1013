/* flash-store's Map over the map of the norbench storage engine: get, set, has, delete, clear,
 * size and iteration over keys, values or entries, in two modes behind one interface. Write-
 * through (nbs_kvmap_open): every call is one map call (or two: delete asks has first), as
 * power-fail-safe as the map. Write-back (nbs_kvmap_wb_open): every key and value is held in
 * the caller's RAM, loaded at open; reads never touch flash after the load; writes change the
 * RAM and reach flash on nbs_kvmap_flush or when the dirty bytes reach the caller's threshold.
 * After a cut the store holds every write a completed flush wrote and none, some or all of the
 * later ones, each whole (what a flush writes: engine/SPEC.md section 9.3). Freestanding, no
 * malloc: the caller owns every struct and buffer. */
#ifndef NBS_KVMAP_H
#define NBS_KVMAP_H

#include "nbs.h"

typedef enum nbs_kvmap_mode { NBS_KVMAP_THROUGH = 0, NBS_KVMAP_WRITE_BACK = 1 } nbs_kvmap_mode;

/* The Map over a mounted map (the caller's; the Map owns all its keys). Private fields. */
typedef struct nbs_kvmap {
    nbs_map *map;
    nbs_kvmap_mode mode;
    bool open;
    /* write-back: the records in the caller's RAM, the flush's staging buffer, the figures */
    uint8_t *ram;
    uint32_t ram_size, used;
    uint32_t held; /* RAM the keys hold: nbs_kvmap_wb_config's rule, at least `used` */
    uint8_t *stage;
    uint32_t stage_size;
    uint32_t threshold; /* 0: flush only when asked */
    uint32_t dirty;     /* key and value bytes of the writes not flushed yet */
    uint32_t count;     /* keys with a value */
    uint32_t writes;    /* write-back: changes of the records' layout (iterators go stale) */
} nbs_kvmap;

/* Write-back's memory: `ram` holds a record per key (nbs_kvmap_wb_record_bytes each: a key
 * with a value, or a deleted key flash still holds until the next flush; a key flash holds that
 * was written since the last flush that wrote it takes 3 bytes more). A cut inside a flush may
 * leave each key on flash with its value as flushed or its newest one, and the next open loads
 * whatever it left; so each key holds the larger of its record as flash holds it (5 + key +
 * value, 0 when absent) and its record in RAM (a deleted key: its record as flash holds it), and
 * a set that would make the keys hold more than ram_size is NBS_E_RAM_FULL, changing nothing
 * (nbs_kvmap_held_bytes: the sum; delete and clear never raise it; a flush that writes a key
 * drops what it held to its record). So any cut leaves a store an open with the same RAM loads.
 * `stage` (may be NULL) stages a flush's batch as one map transaction (nbs_map_txn_*; NULL or
 * too small for a write: that write is one map store or removal of its own). threshold: a write
 * that leaves at least this many dirty bytes (the keys and values of the records not flushed: a
 * key written again counts once, with its newest value) flushes (0: never; explicit flushes
 * only). */
typedef struct nbs_kvmap_wb_config {
    void *ram;
    size_t ram_size;
    void *stage;
    size_t stage_size;
    uint32_t threshold;
} nbs_kvmap_wb_config;

/* RAM one key's record takes in write-back: a 5-byte header, the key and the value (3 bytes
 * more for a key flash holds set since the last flush; what a key holds: nbs_kvmap_wb_config). */
size_t nbs_kvmap_wb_record_bytes(size_t key_len, size_t value_len);

/* Binds the Map to `map` (mounted). Write-through writes nothing and reads nothing. Write-back
 * loads every key and value into cfg->ram (NBS_E_RAM_FULL when they do not fit, the flash only
 * read: never after a cut or reboot of a store written with the same RAM, whose rule above
 * keeps room for whatever a cut leaves). Mounting the map again (after a reset) needs an open
 * again: the RAM is reloaded, writes not flushed are gone. */
int nbs_kvmap_open(nbs_kvmap *m, nbs_map *map);
int nbs_kvmap_wb_open(nbs_kvmap *m, nbs_map *map, const nbs_kvmap_wb_config *cfg);

/* get: NBS_E_NOT_FOUND when absent, NBS_E_BUFFER_TOO_SMALL with *len the size needed. */
int nbs_kvmap_get(nbs_kvmap *m, const void *key, size_t key_len, void *value, size_t capacity,
                  size_t *len);
/* set: replaces any value. NBS_E_KEY_LEN, NBS_E_TOO_BIG (above nbs_map_max_value), and in
 * write-back NBS_E_RAM_FULL when the keys would hold more than the RAM (nbs_kvmap_wb_config):
 * each changes nothing. In
 * write-back, 0 means the RAM holds the write; an automatic flush that fails (NBS_E_FULL, a cut)
 * leaves its writes dirty for the next flush and is not reported here (nbs_kvmap_dirty_bytes
 * tells). */
int nbs_kvmap_set(nbs_kvmap *m, const void *key, size_t key_len, const void *value, size_t len);
/* has: true for a present key whatever its value, an empty one included. */
int nbs_kvmap_has(nbs_kvmap *m, const void *key, size_t key_len, bool *present);
/* delete: *existed (may be NULL) says whether the key had a value; absent: 0, nothing written. */
int nbs_kvmap_delete(nbs_kvmap *m, const void *key, size_t key_len, bool *existed);
int nbs_kvmap_clear(nbs_kvmap *m);
int nbs_kvmap_size(nbs_kvmap *m, uint32_t *size);
/* Writes every dirty key to flash (write-back; write-through: 0, nothing to do). On success the
 * store holds the RAM's content whatever cut comes later; on an error the writes not yet
 * written stay dirty (a batch is written whole or not at all). */
int nbs_kvmap_flush(nbs_kvmap *m);
/* Key and value bytes written to RAM and not flushed yet (write-through: 0). */
uint32_t nbs_kvmap_dirty_bytes(const nbs_kvmap *m);
/* The RAM the keys hold (nbs_kvmap_wb_config's rule; write-through: 0): at least the bytes the
 * records take, and what the records an open after any cut may load take; a set is refused
 * when it would pass the RAM's size. After a flush that wrote everything: the records' bytes. */
uint32_t nbs_kvmap_held_bytes(const nbs_kvmap *m);

/* Iteration over keys, values or entries, each key once, in no particular order; NBS_E_END after
 * the last. After a write of the Map (an automatic flush included) or of its map, the
 * iterator's next step returns NBS_E_ITER_STALE; open it again. _next fills what the iterator
 * returns (keys: key; values: value; entries: both) and leaves the other buffer alone, except in
 * write-through, where the flash read checks each item whole: both buffers are needed there. */
typedef enum nbs_kvmap_part { NBS_KVMAP_KEYS, NBS_KVMAP_VALUES, NBS_KVMAP_ENTRIES } nbs_kvmap_part;
typedef struct nbs_kvmap_iter {
    nbs_kvmap *m;
    nbs_kvmap_part part;
    nbs_map_iter map_iter; /* private: write-through */
    uint32_t at;           /* private: write-back, the next record's offset */
    uint32_t writes;       /* private: the write count when the iterator was opened */
} nbs_kvmap_iter;
void nbs_kvmap_iter_init(nbs_kvmap *m, nbs_kvmap_iter *it, nbs_kvmap_part part);
int nbs_kvmap_iter_next(nbs_kvmap_iter *it, void *key, size_t key_capacity, size_t *key_len,
                        void *value, size_t value_capacity, size_t *value_len);

#endif
