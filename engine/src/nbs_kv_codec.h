/* The key-value layer's on-flash encoding (engine/SPEC.md section 9), one function per rule, so
 * that every writer of domain keys and values (nbs_kv.c, and transactions over domains) encodes
 * them the same way. Engine-internal. */
#ifndef NBS_KV_CODEC_H
#define NBS_KV_CODEC_H

#include "nbs_kv.h"

/* The directory's id: its keys are domain names, its values one id byte each. */
#define NBS_KV_DIRECTORY_ID 0u

/* The map key of `key` in the domain of id `id`: the id byte, then the key (out: NBS_KEY_MAX
 * bytes). NBS_E_KEY_LEN when it does not fit a map key (a directory key must not be empty). */
int nbs_kv_encode_key(uint8_t id, const void *key, size_t key_len, uint8_t *out, size_t *out_len);
/* The map value of `value` in `format`: the format byte, then the value (out: `capacity`
 * bytes). NBS_E_INVAL for an unknown format or an integer of the wrong width; NBS_E_TOO_BIG when
 * it does not fit `capacity`. */
int nbs_kv_encode_value(nbs_kv_format format, const void *value, size_t len, uint8_t *out,
                        size_t capacity, size_t *out_len);
/* A map value read back: its format and where its value starts (always byte 1). NBS_E_CORRUPT
 * for a format byte the format does not define or an integer of the wrong width. */
int nbs_kv_decode_value(const uint8_t *stored, size_t stored_len, nbs_kv_format *format);

#endif
