/* The runner's view of a key-value store (kv_view.h): building and parsing its item keys. */
#include "kv_view.h"

#include <string.h>

enum { VIEW_DOMAIN = 0x00, VIEW_VALUE = 0x01 };

size_t kv_view_domain_key(const void *name, size_t name_len, uint8_t out[KV_VIEW_KEY_MAX]) {
    if (name_len > KV_VIEW_PART_MAX) return 0;
    out[0] = VIEW_DOMAIN;
    if (name_len) memcpy(out + 1, name, name_len);
    return 1 + name_len;
}

size_t kv_view_value_key(const void *name, size_t name_len, const void *key, size_t key_len,
                         uint8_t out[KV_VIEW_KEY_MAX]) {
    if (name_len > KV_VIEW_PART_MAX || key_len > KV_VIEW_PART_MAX) return 0;
    out[0] = VIEW_VALUE;
    out[1] = (uint8_t)name_len;
    if (name_len) memcpy(out + 2, name, name_len);
    if (key_len) memcpy(out + 2 + name_len, key, key_len);
    return 2 + name_len + key_len;
}

bool kv_view_parse_key(const uint8_t *item_key, size_t len, kv_view_key *out) {
    memset(out, 0, sizeof *out);
    if (len < 1) return false;
    if (item_key[0] == VIEW_DOMAIN) {
        out->is_domain = true;
        out->name = item_key + 1;
        out->name_len = len - 1;
        return out->name_len <= KV_VIEW_PART_MAX;
    }
    if (item_key[0] != VIEW_VALUE || len < 2 || (size_t)item_key[1] + 2 > len) return false;
    out->name = item_key + 2;
    out->name_len = item_key[1];
    out->key = out->name + out->name_len;
    out->key_len = len - 2 - out->name_len;
    return out->key_len <= KV_VIEW_PART_MAX;
}
