/* The runner's view of a TDBStore-shaped store as a list of items, shared by the tdb adapter
 * (which reads the store into it) and the runner's reference model (ref_tdb.h, which holds it):
 * one item per key (item key: 0x01, then the key; value: the creation flags as one byte, then the
 * value's bytes) and one for the reserved area once it is set (item key: the one byte 0x00;
 * value: its bytes). A convention of norbench's own, not the engine's on-flash form
 * (engine/SPEC.md section 9.2): the adapter builds it from the engine's answers. */
#ifndef NORBENCH_TDB_VIEW_H
#define NORBENCH_TDB_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Keys of up to 255 bytes (the scenario format's longest is 128). */
#define TDB_VIEW_KEY_MAX 256u

/* The item key of `key` (returns its length; 0 when the key is too long), of the reserved area. */
size_t tdb_view_key(const void *key, size_t key_len, uint8_t out[TDB_VIEW_KEY_MAX]);
size_t tdb_view_reserved_key(uint8_t out[TDB_VIEW_KEY_MAX]);

/* An item key taken apart; false when it is neither form. */
typedef struct tdb_view_item_key {
    bool is_reserved;
    const uint8_t *key; /* into the item key */
    size_t key_len;
} tdb_view_item_key;
bool tdb_view_parse_key(const uint8_t *item_key, size_t len, tdb_view_item_key *out);

#endif
