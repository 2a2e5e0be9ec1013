/* Reference models of the map and the queue: plain heap lists, deliberately simple, so that a
 * disagreement with the engine is the engine's fault. See ref_model.h. */
#include "ref_model.h"

#include <stdlib.h>
#include <string.h>

static void *checked_malloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) abort();
    return p;
}

static uint8_t *duplicate_bytes(const void *src, size_t len) {
    uint8_t *copy = checked_malloc(len);
    if (len) memcpy(copy, src, len);
    return copy;
}

static void item_set(ref_item *item, const void *key, size_t key_len, const void *value,
                     size_t value_len) {
    item->key = duplicate_bytes(key, key_len);
    item->key_len = key_len;
    item->value = duplicate_bytes(value, value_len);
    item->value_len = value_len;
}

static void item_free(ref_item *item) {
    free(item->key);
    free(item->value);
    memset(item, 0, sizeof *item);
}

static bool bytes_equal(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len) {
    return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

bool ref_item_equal(const ref_item *a, const ref_item *b) {
    return bytes_equal(a->key, a->key_len, b->key, b->key_len) &&
           bytes_equal(a->value, a->value_len, b->value, b->value_len);
}

void ref_list_init(ref_list *list) {
    memset(list, 0, sizeof *list);
}

void ref_list_clear(ref_list *list) {
    for (size_t i = 0; i < list->count; i++) item_free(&list->items[i]);
    list->count = 0;
}

void ref_list_free(ref_list *list) {
    ref_list_clear(list);
    free(list->items);
    ref_list_init(list);
}

void ref_list_append(ref_list *list, const void *key, size_t key_len, const void *value,
                     size_t value_len) {
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 16;
        list->items = realloc(list->items, list->capacity * sizeof *list->items);
        if (!list->items) abort();
    }
    item_set(&list->items[list->count++], key, key_len, value, value_len);
}

void ref_list_remove_at(ref_list *list, size_t index) {
    item_free(&list->items[index]);
    memmove(&list->items[index], &list->items[index + 1],
            (list->count - index - 1) * sizeof *list->items);
    list->count--;
}

/* Removes the first `n` items at once (one move, not one per item: queues drop thousands). */
static void list_remove_front(ref_list *list, size_t n) {
    if (n > list->count) n = list->count;
    if (n == 0) return;
    for (size_t i = 0; i < n; i++) item_free(&list->items[i]);
    memmove(list->items, list->items + n, (list->count - n) * sizeof *list->items);
    list->count -= n;
}

void ref_list_copy(ref_list *dst, const ref_list *src) {
    ref_list_clear(dst);
    for (size_t i = 0; i < src->count; i++) {
        const ref_item *it = &src->items[i];
        ref_list_append(dst, it->key, it->key_len, it->value, it->value_len);
    }
}

static void pending_set(ref_pending *p, ref_op_kind kind, const void *key, size_t key_len,
                        const void *value, size_t value_len, size_t index) {
    item_free(&p->item);
    p->kind = kind;
    item_set(&p->item, key, key_len, value, value_len);
    p->index = index;
    p->dropped_known = false;
    p->dropped = 0;
}

static void pending_copy(ref_pending *dst, const ref_pending *src) {
    pending_set(dst, src->kind, src->item.key, src->item.key_len, src->item.value,
                src->item.value_len, src->index);
    dst->dropped_known = src->dropped_known;
    dst->dropped = src->dropped;
    ref_list_copy(&dst->writes, &src->writes);
}

static void pending_clear(ref_pending *p) {
    ref_list_free(&p->writes);
    item_free(&p->item);
    p->kind = REF_OP_NONE;
    p->index = 0;
    p->dropped_known = false;
    p->dropped = 0;
}

/* ---- map ---- */

void ref_map_init(ref_map *m) {
    memset(m, 0, sizeof *m);
}

void ref_map_free(ref_map *m) {
    ref_list_free(&m->items);
    ref_list_free(&m->staged);
    pending_clear(&m->pending);
}

static long map_index_of(const ref_list *items, const void *key, size_t key_len) {
    for (size_t i = 0; i < items->count; i++)
        if (bytes_equal(items->items[i].key, items->items[i].key_len, key, key_len)) return (long)i;
    return -1;
}

const ref_item *ref_map_find(const ref_map *m, const void *key, size_t key_len) {
    long i = map_index_of(&m->items, key, key_len);
    return i < 0 ? NULL : &m->items.items[i];
}

static void list_map_store(ref_list *items, const void *key, size_t key_len, const void *value,
                           size_t value_len) {
    long i = map_index_of(items, key, key_len);
    if (i >= 0) {
        ref_item *it = &items->items[i];
        free(it->value);
        it->value = duplicate_bytes(value, value_len);
        it->value_len = value_len;
    } else {
        ref_list_append(items, key, key_len, value, value_len);
    }
}

static void list_map_remove(ref_list *items, const void *key, size_t key_len) {
    long i = map_index_of(items, key, key_len);
    if (i >= 0) ref_list_remove_at(items, (size_t)i);
}

void ref_map_store(ref_map *m, const void *key, size_t key_len, const void *value,
                   size_t value_len) {
    list_map_store(&m->items, key, key_len, value, value_len);
}

void ref_map_remove(ref_map *m, const void *key, size_t key_len) {
    list_map_remove(&m->items, key, key_len);
}

void ref_map_remove_all(ref_map *m) {
    ref_list_clear(&m->items);
}

size_t ref_map_payload_bytes(const ref_map *m) {
    size_t total = 0;
    for (size_t i = 0; i < m->items.count; i++)
        total += m->items.items[i].key_len + m->items.items[i].value_len;
    return total;
}

void ref_map_begin_store(ref_map *m, const void *key, size_t key_len, const void *value,
                         size_t value_len) {
    pending_set(&m->pending, REF_MAP_STORE, key, key_len, value, value_len, 0);
}

void ref_map_begin_remove(ref_map *m, const void *key, size_t key_len) {
    pending_set(&m->pending, REF_MAP_REMOVE, key, key_len, NULL, 0, 0);
}

void ref_map_begin_remove_all(ref_map *m) {
    pending_set(&m->pending, REF_MAP_REMOVE_ALL, NULL, 0, NULL, 0, 0);
}

void ref_map_begin_erase_all(ref_map *m) {
    pending_set(&m->pending, REF_MAP_ERASE_ALL, NULL, 0, NULL, 0, 0);
}

void ref_map_txn_begin(ref_map *m) {
    ref_list_clear(&m->staged);
    m->txn_open = true;
}

void ref_map_txn_stage(ref_map *m, bool remove, const void *key, size_t key_len, const void *value,
                       size_t value_len) {
    uint8_t *tagged = checked_malloc(key_len + 1);
    tagged[0] = remove ? 1 : 0;
    if (key_len) memcpy(tagged + 1, key, key_len);
    ref_list_append(&m->staged, tagged, key_len + 1, value, remove ? 0 : value_len);
    free(tagged);
}

void ref_map_txn_abort(ref_map *m) {
    ref_list_clear(&m->staged);
    m->txn_open = false;
}

void ref_map_begin_txn_commit(ref_map *m) {
    pending_set(&m->pending, REF_MAP_TXN, NULL, 0, NULL, 0, 0);
    ref_list_copy(&m->pending.writes, &m->staged);
}

static void apply_txn(ref_list *items, const ref_list *writes) {
    for (size_t i = 0; i < writes->count; i++) {
        const ref_item *w = &writes->items[i];
        if (w->key[0])
            list_map_remove(items, w->key + 1, w->key_len - 1);
        else
            list_map_store(items, w->key + 1, w->key_len - 1, w->value, w->value_len);
    }
}

static void apply_map_op(ref_list *items, const ref_pending *p) {
    switch (p->kind) {
    case REF_MAP_TXN: apply_txn(items, &p->writes); break;
    case REF_MAP_STORE:
        list_map_store(items, p->item.key, p->item.key_len, p->item.value, p->item.value_len);
        break;
    case REF_MAP_REMOVE: list_map_remove(items, p->item.key, p->item.key_len); break;
    case REF_MAP_REMOVE_ALL:
    case REF_MAP_ERASE_ALL: ref_list_clear(items); break;
    default: break;
    }
}

void ref_map_end(ref_map *m, bool applied) {
    if (applied) apply_map_op(&m->items, &m->pending);
    pending_clear(&m->pending);
}

bool ref_map_lists_match(const ref_list *expected, const ref_list *observed) {
    if (expected->count != observed->count) return false;
    for (size_t i = 0; i < observed->count; i++) {
        const ref_item *seen = &observed->items[i];
        long at = map_index_of(expected, seen->key, seen->key_len);
        if (at < 0 || !ref_item_equal(&expected->items[at], seen)) return false;
    }
    return true;
}

bool ref_map_matches(const ref_map *m, const ref_list *observed) {
    return ref_map_lists_match(&m->items, observed);
}

bool ref_map_settle(ref_map *m, const ref_list *observed, bool *was_applied) {
    if (ref_map_lists_match(&m->items, observed)) {
        if (was_applied) *was_applied = false;
        pending_clear(&m->pending);
        return true;
    }
    ref_list after;
    ref_list_init(&after);
    ref_list_copy(&after, &m->items);
    apply_map_op(&after, &m->pending);
    bool ok = ref_map_lists_match(&after, observed);
    if (ok) {
        ref_list_free(&m->items);
        m->items = after;
        pending_clear(&m->pending);
        if (was_applied) *was_applied = true;
    } else {
        ref_list_free(&after);
    }
    return ok;
}

/* ---- queue ---- */

void ref_queue_init(ref_queue *q) {
    memset(q, 0, sizeof *q);
}

void ref_queue_free(ref_queue *q) {
    ref_list_free(&q->entries);
    pending_clear(&q->pending);
}

void ref_queue_push(ref_queue *q, const void *data, size_t len) {
    ref_list_append(&q->entries, NULL, 0, data, len);
}

void ref_queue_pop_at(ref_queue *q, size_t index) {
    ref_list_remove_at(&q->entries, index);
}

void ref_queue_clear(ref_queue *q) {
    ref_list_clear(&q->entries);
    q->unknown_front_drops = false;
}

size_t ref_queue_count(const ref_queue *q) {
    return q->entries.count;
}

const ref_item *ref_queue_at(const ref_queue *q, size_t index) {
    return index < q->entries.count ? &q->entries.items[index] : NULL;
}

void ref_queue_begin_push(ref_queue *q, const void *data, size_t len, bool drop_oldest) {
    pending_set(&q->pending, drop_oldest ? REF_QUEUE_PUSH_DROP_OLDEST : REF_QUEUE_PUSH, NULL, 0,
                data, len, 0);
}

void ref_queue_begin_push_dropping(ref_queue *q, const void *data, size_t len, size_t dropped) {
    ref_queue_begin_push(q, data, len, true);
    q->pending.dropped_known = true;
    q->pending.dropped = dropped;
}

void ref_queue_begin_pop_at(ref_queue *q, size_t index) {
    pending_set(&q->pending, REF_QUEUE_POP_AT, NULL, 0, NULL, 0, index);
}

void ref_queue_begin_erase_all(ref_queue *q) {
    pending_set(&q->pending, REF_QUEUE_ERASE_ALL, NULL, 0, NULL, 0, 0);
}

void ref_queue_end(ref_queue *q, bool applied) {
    if (applied) {
        const ref_pending *p = &q->pending;
        if (p->kind == REF_QUEUE_PUSH_DROP_OLDEST && p->dropped_known)
            list_remove_front(&q->entries, p->dropped);
        if (p->kind == REF_QUEUE_PUSH || p->kind == REF_QUEUE_PUSH_DROP_OLDEST)
            ref_queue_push(q, p->item.value, p->item.value_len);
        else if (p->kind == REF_QUEUE_POP_AT)
            ref_queue_pop_at(q, p->index);
        else if (p->kind == REF_QUEUE_ERASE_ALL)
            ref_queue_clear(q);
    }
    pending_clear(&q->pending);
}

void ref_queue_end_push_dropping(ref_queue *q, size_t dropped) {
    list_remove_front(&q->entries, dropped);
    q->pending.dropped_known = false;
    ref_queue_end(q, true);
}

/* Does observed equal entries[skip_front..] with entry `skip_at` left out (SIZE_MAX: none),
 * followed by `extra` when it is not NULL? */
static bool queue_shape_matches(const ref_list *entries, size_t skip_front, size_t skip_at,
                                const ref_item *extra, const ref_list *observed) {
    size_t kept = entries->count - skip_front - (skip_at != SIZE_MAX ? 1 : 0);
    if (observed->count != kept + (extra ? 1 : 0)) return false;
    size_t o = 0;
    for (size_t i = skip_front; i < entries->count; i++) {
        if (i == skip_at) continue;
        if (!ref_item_equal(&entries->items[i], &observed->items[o++])) return false;
    }
    return !extra || ref_item_equal(extra, &observed->items[o]);
}

void ref_queue_end_push_dropping_unknown(ref_queue *q) {
    ref_queue_end(q, true);
    q->unknown_front_drops = true;
}

bool ref_queue_resolve_drops(ref_queue *q, size_t observed_count) {
    if (observed_count > q->entries.count) return false;
    if (observed_count < q->entries.count && !q->unknown_front_drops) return false;
    list_remove_front(&q->entries, q->entries.count - observed_count);
    q->unknown_front_drops = false;
    return true;
}

/* Does observed match the queue without its `skip` oldest entries, before (applied false) or
 * after (applied true) the operation in flight? */
static bool queue_candidate_matches(const ref_queue *q, size_t skip, bool applied,
                                    const ref_list *observed) {
    const ref_pending *p = &q->pending;
    const ref_list *old = &q->entries;
    if (!applied) return queue_shape_matches(old, skip, SIZE_MAX, NULL, observed);
    if (p->kind == REF_QUEUE_PUSH || p->kind == REF_QUEUE_PUSH_DROP_OLDEST)
        return queue_shape_matches(old, skip, SIZE_MAX, &p->item, observed);
    if (p->kind == REF_QUEUE_POP_AT && p->index >= skip && p->index < old->count)
        return queue_shape_matches(old, skip, p->index, NULL, observed);
    if (p->kind == REF_QUEUE_ERASE_ALL) return observed->count == 0;
    return false;
}

/* Is dropping `skip` oldest entries, with the operation applied or not, an outcome the model
 * allows? A push whose drops are known drops exactly K when it lands, a prefix of K when not;
 * anything else that may drop (unknown drops) may drop any number. */
static bool drops_allowed(const ref_queue *q, size_t skip, bool applied) {
    const ref_pending *p = &q->pending;
    bool push_drops = p->kind == REF_QUEUE_PUSH_DROP_OLDEST;
    if (q->unknown_front_drops || (push_drops && !p->dropped_known)) return true;
    if (!push_drops) return skip == 0;
    return applied ? skip == p->dropped : skip <= p->dropped;
}

bool ref_queue_settle(ref_queue *q, const ref_list *observed, bool *was_applied) {
    bool front_may_drop = q->pending.kind == REF_QUEUE_PUSH_DROP_OLDEST || q->unknown_front_drops;
    size_t max_skip = front_may_drop ? q->entries.count : 0;
    for (size_t skip = 0; skip <= max_skip; skip++) {
        for (int applied = 0; applied <= 1; applied++) {
            if (!drops_allowed(q, skip, applied)) continue;
            if (!queue_candidate_matches(q, skip, applied, observed)) continue;
            /* A pop's index counts the entries dropped in front of it. */
            if (applied && q->pending.kind == REF_QUEUE_POP_AT) q->pending.index -= skip;
            list_remove_front(&q->entries, skip);
            q->pending.dropped_known = false; /* the drops are the `skip` just made */
            ref_queue_end(q, applied);
            q->unknown_front_drops = false;
            if (was_applied) *was_applied = applied;
            return true;
        }
    }
    return false;
}

bool ref_queue_matches(const ref_queue *q, const ref_list *observed) {
    return queue_shape_matches(&q->entries, 0, SIZE_MAX, NULL, observed);
}

void ref_map_copy(ref_map *dst, const ref_map *src) {
    ref_list_copy(&dst->items, &src->items);
    pending_copy(&dst->pending, &src->pending);
    ref_list_copy(&dst->staged, &src->staged);
    dst->txn_open = src->txn_open;
}

void ref_queue_copy(ref_queue *dst, const ref_queue *src) {
    ref_list_copy(&dst->entries, &src->entries);
    pending_copy(&dst->pending, &src->pending);
    dst->unknown_front_drops = src->unknown_front_drops;
}
