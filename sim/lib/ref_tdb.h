/* The reference model of the TDBStore-shaped store (nbs_tdb.h), written from its contract alone:
 * what each call answers and what it changes. The store itself is a ref_map in the tdb_view.h
 * form (each key with its flags and value, the reserved area), which the caller owns and shares
 * with its whole-store checks; this model adds what the engine keeps in RAM (the incremental set
 * open, the bytes added so far) and the rules: key lengths and TDBStore's key characters,
 * creation flags, write-once keys, busy while a set is open, partial reads, prefixes. */
#ifndef NORBENCH_REF_TDB_H
#define NORBENCH_REF_TDB_H

#include "ref_model.h"
#include "tdb_view.h"

typedef enum ref_tdb_call_kind {
    REF_TDB_SET,
    REF_TDB_GET,
    REF_TDB_INFO,
    REF_TDB_REMOVE,
    REF_TDB_RESET,
    REF_TDB_SET_START,
    REF_TDB_SET_ADD,
    REF_TDB_SET_FINALIZE,
    REF_TDB_SET_ABORT,
    REF_TDB_ITER, /* an iterator opened with a prefix, walked to its end */
    REF_TDB_RESERVED_SET,
    REF_TDB_RESERVED_GET,
} ref_tdb_call_kind;

/* One call and its arguments (the ones its kind takes). */
typedef struct ref_tdb_call {
    ref_tdb_call_kind kind;
    const uint8_t *key; /* set, get, info, remove, set_start; iter: the prefix */
    size_t key_len;
    const uint8_t *value; /* set, set_add, reserved_set */
    size_t value_len;
    uint32_t flags;  /* set, set_start */
    uint32_t size;   /* set_start: the final size */
    size_t offset;   /* get */
    size_t capacity; /* get, reserved_get: the buffer's bytes */
} ref_tdb_call;

/* What a call answers. */
typedef struct ref_tdb_answer {
    int rc;
    const uint8_t *bytes; /* get, reserved_get: into the model (valid until it changes) */
    size_t length;
    uint32_t size, flags; /* info */
    ref_list keys;        /* iter: every matching key (empty values); the caller inits and frees */
} ref_tdb_answer;

/* The engine's RAM: the incremental set open, if any. */
typedef struct ref_tdb {
    bool key_rules;
    bool set_open;
    uint8_t set_key[TDB_VIEW_KEY_MAX];
    size_t set_key_len;
    uint32_t set_size, set_flags;
    uint8_t *set_data; /* the bytes added so far (set_added of them) */
    size_t set_added, set_capacity;
    /* The keys a reset in flight removes, with their values (tdb_view.h items): a map mounted
     * read-only shows a reset a cut stopped part done (SPEC 9.2). Empty otherwise. */
    ref_list reset_keys;
} ref_tdb;

void ref_tdb_init(ref_tdb *t, bool key_rules);
void ref_tdb_free(ref_tdb *t);
void ref_tdb_copy(ref_tdb *dst, const ref_tdb *src);
/* A power loss or a mount: the open set is gone (its chunks are the engine's to clean). */
void ref_tdb_forget_set(ref_tdb *t);

/* The answer of `call` on the store `m`. */
void ref_tdb_predict(const ref_tdb *t, const ref_map *m, const ref_tdb_call *call,
                     ref_tdb_answer *out);
/* Begins in `m` the change to the store a call answered with success makes (a store, a removal,
 * a reset's removals); false when it changes no key (reads, the steps of a set before its
 * finalize). The caller ends it (ref_map_end) or leaves it in flight for a power cut. */
bool ref_tdb_begin(ref_tdb *t, ref_map *m, const ref_tdb_call *call);
/* A read-only view of the store after a cut inside a reset that `m` settled: `m`'s items, and
 * any of the keys the reset removes, each with the value it had (SPEC 9.2: a read-only init
 * leaves a reset a cut stopped part done). */
bool ref_tdb_part_reset_matches(const ref_tdb *t, const ref_map *m, const ref_list *view);
/* The RAM state after the call answered `rc` (a set opened, bytes added, a set ended). */
void ref_tdb_after(ref_tdb *t, const ref_tdb_call *call, int rc);

#endif
