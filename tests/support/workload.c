/* The shared random map and queue workloads (see workload.h). Each step picks an operation,
 * records it in the model as "in flight", runs it on the engine and settles the model from the
 * engine's answer; a lost-power answer leaves the operation in flight for the caller. */
#include "workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wl_init(workload *w, engine_fixture *f, seeded_rng *rng, ref_map *map_model,
             ref_queue *queue_model) {
    memset(w, 0, sizeof *w);
    w->f = f;
    w->rng = rng;
    w->map_model = map_model;
    w->queue_model = queue_model;
    w->key_count = 24;
    w->value_max = 64;
    w->allow_remove_all = true;
    w->digest = 1469598103934665603ull;
}

size_t wl_key(uint32_t id, uint8_t key[NBS_KEY_MAX]) {
    size_t len = 2 + id % 7;
    key[0] = (uint8_t)id;
    key[1] = (uint8_t)(id >> 8);
    for (size_t i = 2; i < len; i++) key[i] = (uint8_t)('a' + (id + i) % 26);
    return len;
}

void wl_value(seeded_rng *rng, uint8_t *buf, size_t len) {
    uint32_t style = seeded_rng_below(rng, 16);
    if (style == 0)
        memset(buf, 0xFF, len);
    else if (style == 1)
        memset(buf, 0x00, len);
    else
        seeded_rng_fill(rng, buf, len);
}

uint64_t wl_mix(uint64_t digest, int rc, const void *bytes, size_t len) {
    const uint8_t *b = bytes;
    digest = (digest ^ (uint64_t)(uint32_t)rc) * 1099511628211ull;
    digest = (digest ^ len) * 1099511628211ull;
    for (size_t i = 0; i < len; i++) digest = (digest ^ b[i]) * 1099511628211ull;
    return digest;
}

/* A length in [1, cap]: mostly short, sometimes anything up to cap. */
static size_t draw_length(seeded_rng *rng, size_t cap) {
    if (cap == 0) return 0;
    size_t short_cap = cap < 16 ? cap : 16;
    return seeded_rng_percent(rng, 70) ? seeded_rng_range(rng, 1, (uint32_t)short_cap)
                                       : seeded_rng_range(rng, 1, (uint32_t)cap);
}

static bool power_lost(const workload *w, int rc) {
    return rc == NBS_E_IO && !nor_is_powered(w->f->dev);
}

/* Ends an operation the model holds in flight from the engine's code. */
static wl_result settle_write(workload *w, int rc, bool is_map, char *why) {
    if (power_lost(w, rc)) return WL_CUT;
    if (rc == NBS_OK || rc == NBS_E_FULL) {
        if (rc == NBS_E_FULL) w->full_answers++;
        if (is_map)
            ref_map_end(w->map_model, rc == NBS_OK);
        else
            ref_queue_end(w->queue_model, rc == NBS_OK);
        return WL_OK;
    }
    snprintf(why, EC_WHY_SIZE, "%s returned %d (%s)", w->last_op, rc, nbs_strerror(rc));
    return WL_FAIL;
}

static wl_result map_store(workload *w, char *why) {
    uint8_t key[NBS_KEY_MAX];
    size_t key_len = wl_key(seeded_rng_below(w->rng, w->key_count), key);
    size_t cap = nbs_map_max_value(&w->f->binding.flash, key_len);
    if (cap > w->value_max) cap = w->value_max;
    size_t len = draw_length(w->rng, cap);
    if (len == 0) return WL_OK;
    uint8_t *value = malloc(len);
    wl_value(w->rng, value, len);
    snprintf(w->last_op, sizeof w->last_op, "store key %02x%02x (%zu bytes) value %zu bytes",
             key[0], key[1], key_len, len);
    ref_map_begin_store(w->map_model, key, key_len, value, len);
    int rc = nbs_map_store(&w->f->map, key, key_len, value, len);
    free(value);
    w->digest = wl_mix(w->digest, rc, NULL, 0);
    return settle_write(w, rc, true, why);
}

static wl_result map_remove(workload *w, char *why) {
    uint8_t key[NBS_KEY_MAX];
    size_t key_len = wl_key(seeded_rng_below(w->rng, w->key_count), key);
    snprintf(w->last_op, sizeof w->last_op, "remove key %02x%02x (%s)", key[0], key[1],
             ref_map_find(w->map_model, key, key_len) ? "present" : "absent");
    ref_map_begin_remove(w->map_model, key, key_len);
    int rc = nbs_map_remove(&w->f->map, key, key_len);
    w->digest = wl_mix(w->digest, rc, NULL, 0);
    return settle_write(w, rc, true, why);
}

static wl_result map_remove_all(workload *w, char *why) {
    snprintf(w->last_op, sizeof w->last_op, "remove_all (%zu items)", w->map_model->items.count);
    ref_map_begin_remove_all(w->map_model);
    int rc = nbs_map_remove_all(&w->f->map);
    w->digest = wl_mix(w->digest, rc, NULL, 0);
    return settle_write(w, rc, true, why);
}

static wl_result map_fetch(workload *w, char *why) {
    uint8_t key[NBS_KEY_MAX];
    size_t key_len = wl_key(seeded_rng_below(w->rng, w->key_count), key);
    const ref_item *want = ref_map_find(w->map_model, key, key_len);
    snprintf(w->last_op, sizeof w->last_op, "fetch key %02x%02x (%s)", key[0], key[1],
             want ? "present" : "absent");
    size_t capacity = w->f->page_size, len = 0;
    uint8_t *value = malloc(capacity);
    int rc = nbs_map_fetch(&w->f->map, key, key_len, value, capacity, &len);
    w->digest = wl_mix(w->digest, rc, value, rc == NBS_OK ? len : 0);
    bool ok = want ? rc == NBS_OK && len == want->value_len && !memcmp(value, want->value, len)
                   : rc == NBS_E_NOT_FOUND;
    free(value);
    if (ok) return WL_OK;
    snprintf(why, EC_WHY_SIZE, "%s: got rc %d (%s), %zu bytes, expected %zu bytes", w->last_op, rc,
             nbs_strerror(rc), len, want ? want->value_len : 0);
    return WL_FAIL;
}

static wl_result map_has_and_count(workload *w, char *why) {
    uint8_t key[NBS_KEY_MAX];
    size_t key_len = wl_key(seeded_rng_below(w->rng, w->key_count), key);
    bool want = ref_map_find(w->map_model, key, key_len) != NULL, present = !want;
    uint32_t count = 0;
    snprintf(w->last_op, sizeof w->last_op, "has key %02x%02x + count", key[0], key[1]);
    int rc = nbs_map_has(&w->f->map, key, key_len, &present);
    int rc_count = nbs_map_count(&w->f->map, &count);
    w->digest = wl_mix(wl_mix(w->digest, rc, &present, 1), rc_count, &count, sizeof count);
    if (rc == NBS_OK && present == want && rc_count == NBS_OK && count == w->map_model->items.count)
        return WL_OK;
    snprintf(why, EC_WHY_SIZE,
             "%s: has rc %d present %d (expected %d), count rc %d = %u "
             "(expected %zu)",
             w->last_op, rc, present, want, rc_count, (unsigned)count, w->map_model->items.count);
    return WL_FAIL;
}

static wl_result map_step(workload *w, char *why) {
    uint32_t pick = seeded_rng_below(w->rng, 1000);
    if (pick < 550) return map_store(w, why);
    if (pick < 720) return map_remove(w, why);
    if (pick < 728 && w->allow_remove_all) return map_remove_all(w, why);
    if (pick < 930) return map_fetch(w, why);
    return map_has_and_count(w, why);
}

/* ---- queue ---- */

static size_t queue_entry_cap(const workload *w) {
    size_t cap = nbs_queue_max_item(&w->f->binding.flash);
    return cap < w->value_max ? cap : w->value_max;
}

static wl_result queue_push(workload *w, bool drop_oldest, char *why) {
    size_t max_push = 0;
    int rc = nbs_queue_max_push(&w->f->queue, &max_push);
    if (rc != NBS_OK) {
        snprintf(why, EC_WHY_SIZE, "nbs_queue_max_push: %s", nbs_strerror(rc));
        return WL_FAIL;
    }
    size_t cap = queue_entry_cap(w);
    size_t len = draw_length(w->rng, cap);
    /* Now and then exactly the largest push that fits, to probe the boundary. */
    if (seeded_rng_percent(w->rng, 8) && max_push >= 1 && max_push <= cap) len = max_push;
    if (len == 0) return WL_OK;
    uint8_t *data = malloc(len);
    wl_value(w->rng, data, len);
    size_t before = w->queue_model->entries.count;
    snprintf(w->last_op, sizeof w->last_op, "push%s of %zu bytes (max_push %zu, %zu entries)",
             drop_oldest ? " dropping oldest" : "", len, max_push, before);
    ref_queue_begin_push(w->queue_model, data, len, drop_oldest);
    rc = nbs_queue_push(&w->f->queue, data, len, drop_oldest ? NBS_PUSH_DROP_OLDEST : 0);
    free(data);
    w->digest = wl_mix(w->digest, rc, NULL, 0);
    if (power_lost(w, rc)) return WL_CUT;
    if (!drop_oldest && (rc == NBS_OK) != (len <= max_push)) {
        snprintf(why, EC_WHY_SIZE, "%s returned %d (%s): disagrees with max_push", w->last_op, rc,
                 nbs_strerror(rc));
        return WL_FAIL;
    }
    if (!drop_oldest || rc != NBS_OK) return settle_write(w, rc, false, why);
    uint32_t count = 0;
    rc = nbs_queue_count(&w->f->queue, &count);
    if (rc != NBS_OK || count > before + 1 || count == 0 ||
        (len <= max_push && count != before + 1)) {
        snprintf(why, EC_WHY_SIZE, "%s: count afterwards rc %d = %u", w->last_op, rc,
                 (unsigned)count);
        return WL_FAIL;
    }
    ref_queue_end_push_dropping(w->queue_model, before + 1 - count);
    return WL_OK;
}

/* Format 3: a pop programs its entry's P and A units in place and needs no room, so no pop,
 * in order or not, is ever refused (SPEC section 5.4). */
static bool queue_wedged(const workload *w) {
    (void)w;
    return false;
}

static bool pop_one_refusable(const workload *w, size_t target) {
    (void)w, (void)target;
    return false;
}

/* A pop that returned NBS_E_FULL in that state must have changed nothing. */
static wl_result pop_refused(workload *w, char *why) {
    ref_queue_end(w->queue_model, false);
    w->full_answers++;
    char detail[EC_WHY_SIZE];
    if (ec_queue_verify(w->f, w->queue_model, detail)) return WL_OK;
    snprintf(why, EC_WHY_SIZE, "%s returned NBS_E_FULL but changed the queue: %.500s", w->last_op,
             detail);
    return WL_FAIL;
}

static bool entry_matches(const ref_item *want, int rc, const uint8_t *buf, size_t len) {
    return want ? rc == NBS_OK && len == want->value_len && !memcmp(buf, want->value, len)
                : rc == NBS_E_EMPTY;
}

static wl_result queue_pop_or_peek(workload *w, bool pop, char *why) {
    const ref_item *front = ref_queue_at(w->queue_model, 0);
    size_t capacity = w->f->page_size, len = 0;
    uint8_t *buf = malloc(capacity);
    snprintf(w->last_op, sizeof w->last_op, "%s (%zu entries)", pop ? "pop" : "peek",
             w->queue_model->entries.count);
    if (pop && front) ref_queue_begin_pop_at(w->queue_model, 0);
    int rc = pop ? nbs_queue_pop(&w->f->queue, buf, capacity, &len)
                 : nbs_queue_peek(&w->f->queue, buf, capacity, &len);
    w->digest = wl_mix(w->digest, rc, buf, rc == NBS_OK ? len : 0);
    bool ok = entry_matches(front, rc, buf, len);
    free(buf);
    if (pop && front && power_lost(w, rc)) return WL_CUT;
    if (pop && front && rc == NBS_E_FULL && queue_wedged(w)) return pop_refused(w, why);
    if (!ok) {
        snprintf(why, EC_WHY_SIZE, "%s: rc %d (%s), %zu bytes; expected %s of %zu bytes",
                 w->last_op, rc, nbs_strerror(rc), len, front ? "an entry" : "NBS_E_EMPTY",
                 front ? front->value_len : 0);
        return WL_FAIL;
    }
    if (pop && front) ref_queue_end(w->queue_model, true);
    return WL_OK;
}

/* Iterates to a random entry, pops it there, and checks the iteration goes on correctly. */
static wl_result queue_iter_pop(workload *w, char *why) {
    size_t n = w->queue_model->entries.count;
    if (n == 0) return queue_pop_or_peek(w, false, why);
    size_t target = seeded_rng_below(w->rng, (uint32_t)n);
    size_t capacity = w->f->page_size, len = 0;
    uint8_t *buf = malloc(capacity);
    nbs_queue_iter it;
    int rc = NBS_OK;
    snprintf(w->last_op, sizeof w->last_op, "iterate to entry %zu of %zu and pop it", target, n);
    nbs_queue_iter_init(&w->f->queue, &it);
    for (size_t i = 0; i <= target && rc == NBS_OK; i++) {
        rc = nbs_queue_iter_next(&it, buf, capacity, &len);
        if (!entry_matches(ref_queue_at(w->queue_model, i), rc, buf, len)) {
            snprintf(why, EC_WHY_SIZE, "%s: entry %zu: rc %d (%s), %zu bytes", w->last_op, i, rc,
                     nbs_strerror(rc), len);
            free(buf);
            return WL_FAIL;
        }
    }
    ref_queue_begin_pop_at(w->queue_model, target);
    rc = nbs_queue_iter_pop_current(&it);
    w->digest = wl_mix(w->digest, rc, NULL, 0);
    if (power_lost(w, rc)) {
        free(buf);
        return WL_CUT;
    }
    if (rc == NBS_E_FULL && (queue_wedged(w) || pop_one_refusable(w, target))) {
        free(buf);
        return pop_refused(w, why);
    }
    if (rc != NBS_OK) {
        free(buf);
        snprintf(why, EC_WHY_SIZE, "%s: pop_current rc %d (%s)", w->last_op, rc, nbs_strerror(rc));
        return WL_FAIL;
    }
    ref_queue_end(w->queue_model, true);
    rc = nbs_queue_iter_next(&it, buf, capacity, &len);
    const ref_item *next = ref_queue_at(w->queue_model, target);
    bool ok = next ? entry_matches(next, rc, buf, len) : rc == NBS_E_END;
    free(buf);
    if (ok) return WL_OK;
    snprintf(why, EC_WHY_SIZE, "%s: the entry after the popped one: rc %d (%s), %zu bytes",
             w->last_op, rc, nbs_strerror(rc), len);
    return WL_FAIL;
}

static wl_result queue_step(workload *w, char *why) {
    uint32_t pick = seeded_rng_below(w->rng, 100);
    if (pick < 45) return queue_push(w, false, why);
    if (pick < 55) return queue_push(w, true, why);
    if (pick < 80) return queue_pop_or_peek(w, true, why);
    if (pick < 90) return queue_pop_or_peek(w, false, why);
    return queue_iter_pop(w, why);
}

wl_result wl_step(workload *w, char *why) {
    w->steps++;
    return w->f->options.kind == EF_MAP ? map_step(w, why) : queue_step(w, why);
}
