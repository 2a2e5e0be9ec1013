/* The write-back contract's reference model (ref_write_back.h): what a completed flush left, and
 * the states each key was written to since, checked key by key against a store read after a cut. */
#include "ref_write_back.h"

#include <stdlib.h>
#include <string.h>

void ref_write_back_init(ref_write_back *wb, bool active) {
    memset(wb, 0, sizeof *wb);
    wb->active = active;
    wb->flash_known = true;
}

void ref_write_back_free(ref_write_back *wb) {
    ref_list_free(&wb->durable);
    ref_list_free(&wb->written);
    ref_list_free(&wb->set_keys);
}

void ref_write_back_copy(ref_write_back *dst, const ref_write_back *src) {
    dst->active = src->active;
    ref_list_copy(&dst->durable, &src->durable);
    ref_list_copy(&dst->written, &src->written);
    ref_list_copy(&dst->set_keys, &src->set_keys);
    dst->flash_known = src->flash_known;
}

void ref_write_back_flushed(ref_write_back *wb, const ref_list *items) {
    ref_list_copy(&wb->durable, items);
    ref_list_clear(&wb->written);
    ref_list_clear(&wb->set_keys);
    wb->flash_known = true;
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

/* ---- the RAM rule ---- */

enum { RECORD_HEADER = 5, FLUSHED_LENGTH = 3 };

void ref_write_back_set(ref_write_back *wb, const void *key, size_t key_len) {
    if (wb->active && !find_key(&wb->set_keys, key, key_len))
        ref_list_append(&wb->set_keys, key, key_len, NULL, 0);
}

static bool same_key(const ref_item *item, const void *key, size_t key_len) {
    return key && item->key_len == key_len && memcmp(item->key, key, key_len) == 0;
}

/* The RAM one key holds: `flushed` its value on flash (NULL: none), `now` its value's length
 * in RAM (NULL: deleted or absent), `set` whether it was set since the flush. */
static size_t key_held(const ref_item *flushed, size_t key_len, const size_t *now, bool set) {
    size_t as_flushed = flushed ? RECORD_HEADER + key_len + flushed->value_len : 0;
    if (!now) return as_flushed;
    size_t in_ram = RECORD_HEADER + (flushed && set ? FLUSHED_LENGTH : 0) + key_len + *now;
    return in_ram > as_flushed ? in_ram : as_flushed;
}

size_t ref_write_back_held(const ref_write_back *wb, const ref_list *ram, const void *set,
                           size_t set_len, size_t len) {
    size_t total = 0;
    bool set_seen = false;
    for (size_t i = 0; i < wb->durable.count; i++) { /* the keys flash holds */
        const ref_item *f = &wb->durable.items[i];
        const ref_item *r = find_key(ram, f->key, f->key_len);
        size_t now = r ? r->value_len : 0;
        bool is_set = same_key(f, set, set_len);
        if (is_set) {
            set_seen = true;
            now = len;
            r = f; /* present */
        }
        bool was_set = is_set || find_key(&wb->set_keys, f->key, f->key_len);
        total += key_held(f, f->key_len, r ? &now : NULL, was_set);
    }
    for (size_t i = 0; i < ram->count; i++) { /* the keys only the RAM holds */
        const ref_item *r = &ram->items[i];
        if (find_key(&wb->durable, r->key, r->key_len)) continue;
        bool is_set = same_key(r, set, set_len);
        set_seen |= is_set;
        total += RECORD_HEADER + r->key_len + (is_set ? len : r->value_len);
    }
    if (set && !set_seen) total += RECORD_HEADER + set_len + len;
    return total;
}

size_t ref_write_back_dirty(const ref_write_back *wb, const ref_list *ram) {
    size_t total = 0;
    for (size_t i = 0; i < ram->count; i++) {
        const ref_item *r = &ram->items[i];
        if (find_key(&wb->set_keys, r->key, r->key_len)) total += r->key_len + r->value_len;
    }
    for (size_t i = 0; i < wb->durable.count; i++) {
        const ref_item *f = &wb->durable.items[i];
        if (!find_key(ram, f->key, f->key_len)) total += f->key_len;
    }
    return total;
}
