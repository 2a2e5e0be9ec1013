/* The reference model of the Map's write-back contract (nbs_kvmap.h, engine/SPEC.md 9.3): the
 * store at the last completed flush, and every value (or absence) each key was given since. After
 * a cut the store must give each key its value at that flush or one of those, whole: a flushed
 * write is never lost, an unflushed one lands whole or not at all. */
#ifndef NORBENCH_REF_WRITE_BACK_H
#define NORBENCH_REF_WRITE_BACK_H

#include "ref_model.h"

typedef struct ref_write_back {
    bool active;      /* the scenario's engine is write-back */
    ref_list durable; /* the store as the last completed flush left it */
    /* Since then: per key, each state it was in after a write: value byte 0 is 1 and the value
     * follows, or the value is one byte 0 for the absence. Each (key, state) once. */
    ref_list written;
    /* The RAM rule (SPEC 9.3): the keys set since that flush (values empty), and whether the
     * model knows what flash holds (false after a flush that stopped part way: its landed
     * batches are unknown), until the next completed flush. */
    ref_list set_keys;
    bool flash_known;
} ref_write_back;

void ref_write_back_init(ref_write_back *wb, bool active);
void ref_write_back_free(ref_write_back *wb);
void ref_write_back_copy(ref_write_back *dst, const ref_write_back *src);
/* A flush completed (or a mount loaded the store): `items` is what flash holds now. */
void ref_write_back_flushed(ref_write_back *wb, const ref_list *items);
/* A write changed the RAM to `items`: each key's state in it is noted, an absent key's too. */
void ref_write_back_note(ref_write_back *wb, const ref_list *items);
/* A set of `key` succeeded (it is dirty until a flush completes). */
void ref_write_back_set(ref_write_back *wb, const void *key, size_t key_len);
/* The RAM the keys hold (SPEC 9.3: each the larger of its record as flash holds it and in RAM,
 * 5 + key + value, 3 more for a key flash holds set since) with `ram` the RAM's items, and key
 * `set` (NULL: none) given a value of `len` bytes. Meaningful while flash_known. */
size_t ref_write_back_held(const ref_write_back *wb, const ref_list *ram, const void *set,
                           size_t set_len, size_t len);
/* The dirty bytes the RAM's records count (key and value of each key set since the flush, key
 * of each deleted key flash holds): an engine reporting other than these and not 0 after a
 * write stopped an automatic flush part way. Meaningful while flash_known. */
size_t ref_write_back_dirty(const ref_write_back *wb, const ref_list *ram);
/* Whether writes were noted since the last flush. */
bool ref_write_back_pending(const ref_write_back *wb);
/* Whether `observed` gives each key its durable state or one it was written to since. */
bool ref_write_back_allows(const ref_write_back *wb, const ref_list *observed);

#endif
