/* The runner's view of a TDBStore-shaped store (tdb_view.h): building and parsing its item keys. */
#include "tdb_view.h"

#include <string.h>

enum { VIEW_RESERVED = 0x00, VIEW_KEY = 0x01 };

size_t tdb_view_key(const void *key, size_t key_len, uint8_t out[TDB_VIEW_KEY_MAX]) {
    if (key_len >= TDB_VIEW_KEY_MAX) return 0;
    out[0] = VIEW_KEY;
    if (key_len) memcpy(out + 1, key, key_len);
    return 1 + key_len;
}

size_t tdb_view_reserved_key(uint8_t out[TDB_VIEW_KEY_MAX]) {
    out[0] = VIEW_RESERVED;
    return 1;
}

bool tdb_view_parse_key(const uint8_t *item_key, size_t len, tdb_view_item_key *out) {
    memset(out, 0, sizeof *out);
    if (len == 1 && item_key[0] == VIEW_RESERVED) {
        out->is_reserved = true;
        return true;
    }
    if (len < 1 || item_key[0] != VIEW_KEY) return false;
    out->key = item_key + 1;
    out->key_len = len - 1;
    return true;
}
