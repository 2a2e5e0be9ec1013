/* The runner's view of a key-value store as a list of items, shared by the kv adapter (which
 * reads the store into it) and the runner's reference model (which holds it): one item per
 * domain (key: 0x00, the name; value: empty) and one per value (key: 0x01, the name's length, the
 * name, the key; value: the format number of nbs_kv.h, then the value's bytes). A convention of
 * norbench's own, not the engine's on-flash form (engine/SPEC.md section 9), which the view never
 * sees: the adapter builds it from the engine's answers. */
#ifndef NORBENCH_KV_VIEW_H
#define NORBENCH_KV_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Names and keys of up to 255 bytes each. */
#define KV_VIEW_PART_MAX 255u
#define KV_VIEW_KEY_MAX  (2u + 2u * KV_VIEW_PART_MAX)

/* The item key of a domain, or of `key` in a domain; returns its length (0: a part too long). */
size_t kv_view_domain_key(const void *name, size_t name_len, uint8_t out[KV_VIEW_KEY_MAX]);
size_t kv_view_value_key(const void *name, size_t name_len, const void *key, size_t key_len,
                         uint8_t out[KV_VIEW_KEY_MAX]);

/* An item key taken apart; false when it is neither form. */
typedef struct kv_view_key {
    bool is_domain;
    const uint8_t *name, *key; /* into the item key */
    size_t name_len, key_len;
} kv_view_key;
bool kv_view_parse_key(const uint8_t *item_key, size_t len, kv_view_key *out);

#endif
