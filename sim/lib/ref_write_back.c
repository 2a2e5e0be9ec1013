/* The write-back contract's reference model (ref_write_back.h): what a completed flush left, and
 * the states each key was written to since, checked key by key against a store read after a cut. */
#include "ref_write_back.h"

#include <stdlib.h>
#include <string.h>

void ref_write_back_init(ref_write_back *wb, bool active) {
    memset(wb, 0, sizeof *wb);
    wb->active = active;
}

void ref_write_back_free(ref_write_back *wb) {
    ref_list_free(&wb->durable);
    ref_list_free(&wb->written);
}

void ref_write_back_copy(ref_write_back *dst, const ref_write_back *src) {
    dst->active = src->active;
    ref_list_copy(&dst->durable, &src->durable);
    ref_list_copy(&dst->written, &src->written);
}

void ref_write_back_flushed(ref_write_back *wb, const ref_list *items) {
    ref_list_copy(&wb->durable, items);
    ref_list_clear(&wb->written);
}

bool ref_write_back_pending(const ref_write_back *wb) {
    return wb->written.count > 0;
}

/* The index of `key` in list from `from` on, or list->count. */
static size_t key_index(const ref_list *list, const uint8_t *key, size_t key_len, size_t from) {
    for (size_t i = from; i < list->count; i++)
        if (list->items[i].key_len == key_len && memcmp(list->items[i].key, key, key_len) == 0)
            return i;
    return list->count;
}

static const ref_item *find_key(const ref_list *list, const uint8_t *key, size_t key_len) {
    size_t i = key_index(list, key, key_len, 0);
    return i < list->count ? &list->items[i] : NULL;
}

/* Whether `state` (NULL: absent) is the tagged state `tagged` (written's form). */
static bool state_is(const ref_item *state, const uint8_t *tagged, size_t tagged_len) {
    if (!state) return tagged_len == 1 && tagged[0] == 0;
    return tagged_len == state->value_len + 1 && tagged[0] == 1 &&
           (state->value_len == 0 || memcmp(tagged + 1, state->value, state->value_len) == 0);
}

static bool noted(const ref_write_back *wb, const uint8_t *key, size_t key_len,
                  const ref_item *state) {
    for (size_t i = 0; i < wb->written.count; i++) {
        const ref_item *w = &wb->written.items[i];
        if (w->key_len == key_len && memcmp(w->key, key, key_len) == 0 &&
            state_is(state, w->value, w->value_len))
            return true;
    }
    return false;
}

static void note_state(ref_write_back *wb, const uint8_t *key, size_t key_len,
                       const ref_item *state) {
    if (noted(wb, key, key_len, state)) return;
    size_t len = state ? state->value_len + 1 : 1;
    uint8_t *tagged = malloc(len);
    if (!tagged) abort(); /* the model cannot go on without it */
    tagged[0] = state ? 1 : 0;
    if (state && state->value_len) memcpy(tagged + 1, state->value, state->value_len);
    ref_list_append(&wb->written, key, key_len, tagged, len);
    free(tagged);
}

/* Calls fn for every key of the three lists, each once; false as soon as fn says false. */
typedef bool (*key_fn)(ref_write_back *wb, const uint8_t *key, size_t key_len, const void *ctx);
static bool each_key(ref_write_back *wb, const ref_list *const lists[3], key_fn fn,
                     const void *ctx) {
    for (int l = 0; l < 3; l++)
        for (size_t i = 0; i < lists[l]->count; i++) {
            const ref_item *it = &lists[l]->items[i];
            bool before = key_index(lists[l], it->key, it->key_len, 0) < i;
            for (int e = 0; e < l && !before; e++)
                before = find_key(lists[e], it->key, it->key_len) != NULL;
            if (!before && !fn(wb, it->key, it->key_len, ctx)) return false;
        }
    return true;
}

static bool note_key(ref_write_back *wb, const uint8_t *key, size_t key_len, const void *ctx) {
    note_state(wb, key, key_len, find_key(ctx, key, key_len));
    return true;
}

void ref_write_back_note(ref_write_back *wb, const ref_list *items) {
    ref_list written; /* a copy: noting appends to wb->written */
    ref_list_init(&written);
    ref_list_copy(&written, &wb->written);
    const ref_list *const lists[3] = {&wb->durable, &written, items};
    each_key(wb, lists, note_key, items);
    ref_list_free(&written);
}

static bool key_allowed(ref_write_back *wb, const uint8_t *key, size_t key_len, const void *ctx) {
    const ref_item *seen = find_key(ctx, key, key_len);
    const ref_item *durable = find_key(&wb->durable, key, key_len);
    bool as_durable = durable ? seen && ref_item_equal(durable, seen) : !seen;
    return as_durable || noted(wb, key, key_len, seen);
}

bool ref_write_back_allows(const ref_write_back *wb, const ref_list *observed) {
    /* A key observed twice is no map. */
    for (size_t i = 0; i < observed->count; i++)
        if (key_index(observed, observed->items[i].key, observed->items[i].key_len, i + 1) <
            observed->count)
            return false;
    const ref_list *const lists[3] = {&wb->durable, &wb->written, observed};
    return each_key((ref_write_back *)wb, lists, key_allowed, observed);
}
