/* What the two files of the TDBStore-shaped store (nbs_tdb.h) share: the layer's on-flash
 * encoding (engine/SPEC.md section 9.2: namespaces, a user key's value, the chunk keys, the
 * journal), the areas of the caller's buffer, and the calls each file makes of the other.
 * Engine-internal. */
#ifndef NBS_TDB_INTERNAL_H
#define NBS_TDB_INTERNAL_H

#include "nbs_internal.h"
#include "nbs_tdb.h"

/* Byte 0 of every map key of the store: its namespace. */
enum { TDB_NS_KEY = 0x01, TDB_NS_CHUNK = 0x02, TDB_NS_JOURNAL = 0x03, TDB_NS_RESERVED = 0x04 };

/* Byte 0 of a user key's value: its creation flags, and CHUNKED for a descriptor. */
enum { TDB_FLAG_CHUNKED = 0x80u, TDB_FLAGS_KNOWN = NBS_TDB_WRITE_ONCE | TDB_FLAG_CHUNKED };

enum {
    TDB_DESCRIPTOR_BYTES = 17, /* flags, then id, size, chunk bytes, CRC-32C (u32 LE each) */
    TDB_CHUNK_KEY_BYTES = 9,   /* namespace, value id, chunk index (u32 LE each) */
    TDB_JOURNAL_HEAD = 21,     /* state, last id, new id, new chunks, old id, old chunks */
};

/* The journal's state (its byte 0). */
enum { TDB_JOURNAL_CLOSED = 0, TDB_JOURNAL_REPLACE = 1, TDB_JOURNAL_RESET = 2 };

/* A user key's value as read (its map value decoded). */
typedef struct tdb_value {
    uint32_t flags; /* creation flags */
    uint32_t size;  /* the value's bytes */
    bool chunked;
    uint32_t id, chunk_bytes, crc; /* chunked: the descriptor */
    const uint8_t *bytes;          /* plain: the value's bytes, in the buffer's value area */
} tdb_value;

/* The buffer: the journal's head, then a map key (the journal's key follows its head, so the
 * two are its value as one run of bytes), then a map value. */
static inline uint8_t *tdb_journal_area(nbs_tdb *tdb) {
    return tdb->buf;
}
static inline uint8_t *tdb_key_area(nbs_tdb *tdb) {
    return tdb->buf + TDB_JOURNAL_HEAD;
}
static inline uint8_t *tdb_value_area(nbs_tdb *tdb, size_t *capacity) {
    *capacity = tdb->buf_size - TDB_JOURNAL_HEAD - NBS_KEY_MAX;
    return tdb->buf + TDB_JOURNAL_HEAD + NBS_KEY_MAX;
}

/* nbs_tdb.c */
/* Every call first: the store bound, and no incremental set open (NBS_E_BUSY). */
int tdb_check_idle(const nbs_tdb *tdb);
/* Every write call first: idle, and what an earlier write left open finished (tdb_settle). */
int tdb_check_writer(nbs_tdb *tdb);
/* The map key of user key `key` into the key area (length and, with key_rules, characters
 * checked). */
int tdb_encode_key(nbs_tdb *tdb, const void *key, size_t key_len, size_t *map_key_len);
/* The value of the map key in the key area, decoded (NBS_E_NOT_FOUND when absent). */
int tdb_lookup(nbs_tdb *tdb, size_t map_key_len, tdb_value *value);
/* Removes every user key and every chunk (reset's work; the journal says it is under way). */
int tdb_remove_every_key(nbs_tdb *tdb);

/* nbs_tdb_big.c */
/* The bytes of every chunk but a chunked value's last, on this geometry. */
uint32_t tdb_chunk_bytes(const nbs_flash *flash);
uint32_t tdb_chunk_count(uint32_t size, uint32_t chunk_bytes);
/* Writes the journal open in `state` for the map key in the key area (key_len 0: none). */
int tdb_journal_open(nbs_tdb *tdb, uint8_t state, uint32_t new_id, uint32_t new_count,
                     uint32_t old_id, uint32_t old_count, size_t key_len);
/* Finishes the operation an open journal names (removes the chunks the key's value does not
 * name, or completes a reset) and closes it; nothing when it is closed. While the RAM copy says
 * open, the journal is read again from flash first (the key area held other keys since). */
int tdb_settle(nbs_tdb *tdb);
/* Stores `value` (len bytes, flags byte first; NULL: removes) at the map key in the key area,
 * replacing a value whose chunks (old_id, old_count; id 0: none) are removed after the commit
 * through the journal. */
int tdb_replace(nbs_tdb *tdb, size_t key_len, uint32_t old_id, uint32_t old_count,
                const uint8_t *value, size_t len);
/* n bytes of a chunked value from byte `offset` into out, reading only the chunks they are in
 * (the CRC checked when the read is the whole value). */
int tdb_read_chunks(nbs_tdb *tdb, const tdb_value *value, uint8_t *out, uint32_t n,
                    uint32_t offset);

#endif
