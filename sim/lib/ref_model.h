/* In-memory reference models of the engine's map (key -> value) and queue (FIFO of entries),
 * with one operation "in flight": an operation a power cut interrupted, whose outcome may be
 * the old state or the new one. The scenario runner and the engine tests compare the engine
 * with these models. */
#ifndef NORBENCH_REF_MODEL_H
#define NORBENCH_REF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One key/value pair of the map, or one entry of the queue (key unused, key_len 0). */
typedef struct ref_item {
    uint8_t *key;
    size_t key_len;
    uint8_t *value;
    size_t value_len;
} ref_item;

/* A list of items owned by whoever holds it. */
typedef struct ref_list {
    ref_item *items;
    size_t count, capacity;
} ref_list;

void ref_list_init(ref_list *list);
void ref_list_free(ref_list *list);
void ref_list_clear(ref_list *list);
void ref_list_append(ref_list *list, const void *key, size_t key_len, const void *value,
                     size_t value_len);
void ref_list_remove_at(ref_list *list, size_t index);
void ref_list_copy(ref_list *dst, const ref_list *src);
bool ref_item_equal(const ref_item *a, const ref_item *b);

typedef enum ref_op_kind {
    REF_OP_NONE,
    REF_MAP_STORE,
    REF_MAP_REMOVE,
    REF_MAP_REMOVE_ALL,
    REF_MAP_ERASE_ALL, /* the engine's erase_all (format): empty, like remove_all */
    REF_QUEUE_PUSH,
    REF_QUEUE_PUSH_DROP_OLDEST, /* oldest entries may be dropped before the push lands */
    REF_QUEUE_POP_AT,           /* pop of the entry at `index` (0 = oldest) */
    REF_QUEUE_ERASE_ALL,        /* the engine's erase_all: empty */
    REF_MAP_TXN,                /* a transaction's commit: every staged write, or none */
    REF_MAP_WRITE_BACK, /* write-back after a power loss: its writes not flushed, each lost or
                           kept (ref_write_back.h; settled by the runner, not ref_map_settle) */
} ref_op_kind;

/* The operation in flight, with copies of its arguments. */
typedef struct ref_pending {
    ref_op_kind kind;
    ref_item item;
    size_t index;
    /* REF_QUEUE_PUSH_DROP_OLDEST: the push drops exactly `dropped` oldest entries when it runs
     * without a cut (dropped_known), so a cut one drops a prefix of those, all of them if the
     * new entry landed. Unknown: any number of the oldest entries. */
    bool dropped_known;
    size_t dropped;
    ref_list writes; /* REF_MAP_TXN: the staged writes (as ref_map.staged) */
} ref_pending;

/* The map: items in no particular order, each key once. */
typedef struct ref_map {
    ref_list items;
    ref_pending pending;
    /* A transaction begun and not yet ended: its writes in order, each item's key prefixed by
     * one byte, 0 a store, 1 a removal (whose value is empty). Reads do not see them. */
    bool txn_open;
    ref_list staged;
} ref_map;

void ref_map_init(ref_map *m);
void ref_map_free(ref_map *m);
/* Makes `dst` (initialized) an independent copy of `src`, the operation in flight included. */
void ref_map_copy(ref_map *dst, const ref_map *src);
const ref_item *ref_map_find(const ref_map *m, const void *key, size_t key_len);
void ref_map_store(ref_map *m, const void *key, size_t key_len, const void *value,
                   size_t value_len);
void ref_map_remove(ref_map *m, const void *key, size_t key_len);
void ref_map_remove_all(ref_map *m);
/* Sum of key and value lengths of the live items. */
size_t ref_map_payload_bytes(const ref_map *m);

/* Operations in flight: begin records the operation; end(applied) applies it or drops it. */
void ref_map_begin_store(ref_map *m, const void *key, size_t key_len, const void *value,
                         size_t value_len);
void ref_map_begin_remove(ref_map *m, const void *key, size_t key_len);
void ref_map_begin_remove_all(ref_map *m);
void ref_map_begin_erase_all(ref_map *m);
/* Transactions: begin (any staged writes dropped), stage stores and removals, abort (drops
 * them); the commit is an operation in flight that applies them all or none, in order. */
void ref_map_txn_begin(ref_map *m);
void ref_map_txn_stage(ref_map *m, bool remove, const void *key, size_t key_len, const void *value,
                       size_t value_len);
void ref_map_txn_abort(ref_map *m);
void ref_map_begin_txn_commit(ref_map *m);
void ref_map_end(ref_map *m, bool applied);

/* True when `observed` (in any order) is exactly the map's content. */
bool ref_map_matches(const ref_map *m, const ref_list *observed);
/* The same for two lists of map items (keys once each): equal as sets of items. */
bool ref_map_lists_match(const ref_list *expected, const ref_list *observed);
/* After a power cut: accepts `observed` if it is the state before the operation in flight or
 * the state after it, and makes that the model's state. False (model unchanged) otherwise. */
bool ref_map_settle(ref_map *m, const ref_list *observed, bool *was_applied);

/* The queue: entries oldest first. */
typedef struct ref_queue {
    ref_list entries;
    ref_pending pending;
    /* Pushes with drop-oldest succeeded without saying how many of the oldest entries they
     * dropped; the next observation of the queue (its count or its content) tells. */
    bool unknown_front_drops;
} ref_queue;

void ref_queue_init(ref_queue *q);
void ref_queue_free(ref_queue *q);
void ref_queue_copy(ref_queue *dst, const ref_queue *src);
void ref_queue_push(ref_queue *q, const void *data, size_t len);
void ref_queue_pop_at(ref_queue *q, size_t index);
void ref_queue_clear(ref_queue *q);
size_t ref_queue_count(const ref_queue *q);
const ref_item *ref_queue_at(const ref_queue *q, size_t index);

/* A push; with drop_oldest the number of entries it drops is not known (see settle). */
void ref_queue_begin_push(ref_queue *q, const void *data, size_t len, bool drop_oldest);
/* A push with drop-oldest that drops exactly `dropped` oldest entries when not cut. */
void ref_queue_begin_push_dropping(ref_queue *q, const void *data, size_t len, size_t dropped);
void ref_queue_begin_pop_at(ref_queue *q, size_t index);
void ref_queue_begin_erase_all(ref_queue *q);
/* Applied: the operation's whole effect (a push whose drops are known drops them first). */
void ref_queue_end(ref_queue *q, bool applied);
/* A push with drop-oldest that succeeded after dropping `dropped` entries. */
void ref_queue_end_push_dropping(ref_queue *q, size_t dropped);

/* A push with drop-oldest that succeeded after dropping an unknown number of the oldest
 * entries; ref_queue_resolve_drops() or ref_queue_settle() later learns how many. */
void ref_queue_end_push_dropping_unknown(ref_queue *q);
/* The engine reports `observed_count` entries: drops the oldest entries beyond it. False (model
 * unchanged) when the engine has more entries than the model allows. */
bool ref_queue_resolve_drops(ref_queue *q, size_t observed_count);

/* True when `observed` (oldest first) is exactly the queue's content. */
bool ref_queue_matches(const ref_queue *q, const ref_list *observed);
/* After a power cut: accepts the state before or after the operation in flight. A push with
 * drop-oldest whose drops are known (K) may show the new entry with exactly the K oldest
 * entries dropped, or the old queue without a prefix of those K (0..K). One whose drops are not
 * known, or earlier pushes whose drops are not resolved, may have dropped any number of the
 * oldest entries, with or without the new entry. Makes the accepted state the model's state. */
bool ref_queue_settle(ref_queue *q, const ref_list *observed, bool *was_applied);

#endif
