/* Reads a mounted map or queue completely and compares it with the reference model (see
 * engine_check.h). Every check explains itself in `why` so a failing test names the key. */
#include "engine_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ec_describe_bytes(char *out, size_t size, const void *bytes, size_t len) {
    const uint8_t *b = bytes;
    size_t used = strlen(out);
    for (size_t i = 0; i < len && i < 16 && used + 3 < size; i++, used += 2)
        snprintf(out + used, size - used, "%02x", b[i]);
    if (len > 16 && used + 4 < size) snprintf(out + used, size - used, "...");
}

static void describe_item(char *out, size_t size, const char *what, const ref_item *item) {
    snprintf(out, size, "%s key[%zu]=", what, item->key_len);
    ec_describe_bytes(out, size, item->key, item->key_len);
    size_t used = strlen(out);
    snprintf(out + used, size - used, " value[%zu]=", item->value_len);
    ec_describe_bytes(out, size, item->value, item->value_len);
}

/* The largest value or entry any geometry of this fixture can hold: at most one page. */
static size_t buffer_capacity(const engine_fixture *f) {
    return f->page_size;
}

bool ec_space_consistent(const nbs_space *space, uint32_t total_expected, char *why) {
    uint64_t parts = (uint64_t)space->live + space->free_now + space->reclaimable + space->overhead;
    if (space->total != total_expected || parts != space->total) {
        snprintf(why, EC_WHY_SIZE,
                 "space figures do not add up: total %u (expected %u), live %u + free_now %u + "
                 "reclaimable %u + overhead %u = %llu",
                 (unsigned)space->total, (unsigned)total_expected, (unsigned)space->live,
                 (unsigned)space->free_now, (unsigned)space->reclaimable, (unsigned)space->overhead,
                 (unsigned long long)parts);
        return false;
    }
    return true;
}

bool ec_map_observe(engine_fixture *f, ref_list *out, char *why) {
    size_t capacity = buffer_capacity(f);
    uint8_t *value = malloc(capacity);
    uint8_t key[NBS_KEY_MAX];
    nbs_map_iter it;
    bool ok = true;
    ref_list_clear(out);
    nbs_map_iter_init(&f->map, &it);
    for (;;) {
        size_t key_len = 0, value_len = 0;
        int rc = nbs_map_iter_next(&it, key, sizeof key, &key_len, value, capacity, &value_len);
        if (rc == NBS_E_END) break;
        if (rc != NBS_OK) {
            snprintf(why, EC_WHY_SIZE, "nbs_map_iter_next after %zu items: %s", out->count,
                     nbs_strerror(rc));
            ok = false;
            break;
        }
        for (size_t i = 0; i < out->count && ok; i++) {
            const ref_item *seen = &out->items[i];
            if (seen->key_len == key_len && memcmp(seen->key, key, key_len) == 0) {
                describe_item(why, EC_WHY_SIZE, "iteration returned a key twice:", seen);
                ok = false;
            }
        }
        if (!ok) break;
        ref_list_append(out, key, key_len, value, value_len);
        if (out->count > 1000000) {
            snprintf(why, EC_WHY_SIZE, "iteration does not end");
            ok = false;
            break;
        }
    }
    free(value);
    return ok;
}

/* Names the first item that differs between the model and what iteration returned. */
static void explain_map_difference(const ref_map *model, const ref_list *observed, char *why) {
    for (size_t i = 0; i < model->items.count; i++) {
        const ref_item *want = &model->items.items[i];
        bool found = false;
        for (size_t j = 0; j < observed->count && !found; j++) {
            const ref_item *got = &observed->items[j];
            if (got->key_len != want->key_len || memcmp(got->key, want->key, got->key_len))
                continue;
            found = true;
            if (!ref_item_equal(want, got)) {
                describe_item(why, EC_WHY_SIZE, "iteration: wrong value: expected", want);
                size_t used = strlen(why);
                snprintf(why + used, EC_WHY_SIZE - used, ", got value[%zu]=", got->value_len);
                ec_describe_bytes(why, EC_WHY_SIZE, got->value, got->value_len);
                return;
            }
        }
        if (!found) {
            describe_item(why, EC_WHY_SIZE, "iteration: missing", want);
            return;
        }
    }
    for (size_t j = 0; j < observed->count; j++) {
        const ref_item *got = &observed->items[j];
        if (!ref_map_find(model, got->key, got->key_len)) {
            describe_item(why, EC_WHY_SIZE, "iteration: unexpected", got);
            return;
        }
    }
    snprintf(why, EC_WHY_SIZE, "iteration: %zu items, model %zu", observed->count,
             model->items.count);
}

static bool map_fetch_matches(engine_fixture *f, const ref_item *want, uint8_t *buf,
                              size_t capacity, char *why) {
    size_t len = 0;
    int rc = nbs_map_fetch(&f->map, want->key, want->key_len, buf, capacity, &len);
    if (rc != NBS_OK || len != want->value_len || (len && memcmp(buf, want->value, len) != 0)) {
        describe_item(why, EC_WHY_SIZE, "fetch disagrees with the model: expected", want);
        size_t used = strlen(why);
        snprintf(why + used, EC_WHY_SIZE - used, "; got rc %d (%s) value[%zu]=", rc,
                 nbs_strerror(rc), len);
        if (rc == NBS_OK) ec_describe_bytes(why, EC_WHY_SIZE, buf, len);
        return false;
    }
    bool present = false;
    rc = nbs_map_has(&f->map, want->key, want->key_len, &present);
    if (rc != NBS_OK || !present) {
        describe_item(why, EC_WHY_SIZE, "has() says absent:", want);
        return false;
    }
    return true;
}

bool ec_map_verify(engine_fixture *f, const ref_map *model, char *why) {
    ref_list observed;
    ref_list_init(&observed);
    bool ok = ec_map_observe(f, &observed, why);
    if (ok && !ref_map_matches(model, &observed)) {
        explain_map_difference(model, &observed, why);
        ok = false;
    }
    ref_list_free(&observed);
    size_t capacity = buffer_capacity(f);
    uint8_t *buf = malloc(capacity);
    for (size_t i = 0; ok && i < model->items.count; i++)
        ok = map_fetch_matches(f, &model->items.items[i], buf, capacity, why);
    free(buf);
    uint32_t count = 0;
    int rc = ok ? nbs_map_count(&f->map, &count) : NBS_OK;
    if (ok && (rc != NBS_OK || count != model->items.count)) {
        snprintf(why, EC_WHY_SIZE, "count: rc %d (%s), %u items, model %zu", rc, nbs_strerror(rc),
                 (unsigned)count, model->items.count);
        ok = false;
    }
    nbs_space space;
    rc = ok ? nbs_map_space(&f->map, &space) : NBS_OK;
    if (ok && rc != NBS_OK) {
        snprintf(why, EC_WHY_SIZE, "nbs_map_space: %s", nbs_strerror(rc));
        ok = false;
    }
    if (ok) ok = ec_space_consistent(&space, f->binding.flash.size, why);
    return ok;
}

bool ec_queue_observe(engine_fixture *f, ref_list *out, char *why) {
    size_t capacity = buffer_capacity(f);
    uint8_t *buf = malloc(capacity);
    nbs_queue_iter it;
    bool ok = true;
    ref_list_clear(out);
    nbs_queue_iter_init(&f->queue, &it);
    for (;;) {
        size_t len = 0;
        int rc = nbs_queue_iter_next(&it, buf, capacity, &len);
        if (rc == NBS_E_END) break;
        if (rc != NBS_OK) {
            snprintf(why, EC_WHY_SIZE, "nbs_queue_iter_next after %zu entries: %s", out->count,
                     nbs_strerror(rc));
            ok = false;
            break;
        }
        ref_list_append(out, NULL, 0, buf, len);
        if (out->count > 1000000) {
            snprintf(why, EC_WHY_SIZE, "iteration does not end");
            ok = false;
            break;
        }
    }
    free(buf);
    return ok;
}

static void explain_queue_difference(const ref_queue *model, const ref_list *observed, char *why) {
    size_t n = model->entries.count < observed->count ? model->entries.count : observed->count;
    for (size_t i = 0; i < n; i++) {
        if (ref_item_equal(&model->entries.items[i], &observed->items[i])) continue;
        snprintf(why, EC_WHY_SIZE, "queue entry %zu of %zu (model %zu) differs: expected ", i,
                 observed->count, model->entries.count);
        ec_describe_bytes(why, EC_WHY_SIZE, model->entries.items[i].value,
                          model->entries.items[i].value_len);
        size_t used = strlen(why);
        snprintf(why + used, EC_WHY_SIZE - used, " [%zu], got ", model->entries.items[i].value_len);
        ec_describe_bytes(why, EC_WHY_SIZE, observed->items[i].value, observed->items[i].value_len);
        used = strlen(why);
        snprintf(why + used, EC_WHY_SIZE - used, " [%zu]", observed->items[i].value_len);
        return;
    }
    snprintf(why, EC_WHY_SIZE, "queue holds %zu entries, model %zu (the first %zu agree)",
             observed->count, model->entries.count, n);
}

bool ec_queue_verify(engine_fixture *f, const ref_queue *model, char *why) {
    ref_list observed;
    ref_list_init(&observed);
    bool ok = ec_queue_observe(f, &observed, why);
    if (ok && !ref_queue_matches(model, &observed)) {
        explain_queue_difference(model, &observed, why);
        ok = false;
    }
    ref_list_free(&observed);
    uint32_t count = 0;
    int rc = ok ? nbs_queue_count(&f->queue, &count) : NBS_OK;
    if (ok && (rc != NBS_OK || count != model->entries.count)) {
        snprintf(why, EC_WHY_SIZE, "queue count: rc %d (%s), %u entries, model %zu", rc,
                 nbs_strerror(rc), (unsigned)count, model->entries.count);
        ok = false;
    }
    if (ok) {
        size_t capacity = buffer_capacity(f), len = 0;
        uint8_t *buf = malloc(capacity);
        rc = nbs_queue_peek(&f->queue, buf, capacity, &len);
        const ref_item *front = ref_queue_at(model, 0);
        if (front ? (rc != NBS_OK || len != front->value_len ||
                     (len && memcmp(buf, front->value, len)))
                  : rc != NBS_E_EMPTY) {
            snprintf(why, EC_WHY_SIZE, "peek: rc %d (%s), %zu bytes; model holds %zu entries", rc,
                     nbs_strerror(rc), len, model->entries.count);
            ok = false;
        }
        free(buf);
    }
    nbs_space space;
    rc = ok ? nbs_queue_space(&f->queue, &space) : NBS_OK;
    if (ok && rc != NBS_OK) {
        snprintf(why, EC_WHY_SIZE, "nbs_queue_space: %s", nbs_strerror(rc));
        ok = false;
    }
    if (ok) ok = ec_space_consistent(&space, f->binding.flash.size, why);
    return ok;
}

bool ec_verify(engine_fixture *f, const ref_map *map_model, const ref_queue *queue_model,
               char *why) {
    return f->options.kind == EF_MAP ? ec_map_verify(f, map_model, why)
                                     : ec_queue_verify(f, queue_model, why);
}

bool ec_settle_and_verify(engine_fixture *f, ref_map *map_model, ref_queue *queue_model,
                          char *why) {
    ref_list observed;
    ref_list_init(&observed);
    bool is_map = f->options.kind == EF_MAP;
    bool ok = is_map ? ec_map_observe(f, &observed, why) : ec_queue_observe(f, &observed, why);
    if (ok) {
        ok = is_map ? ref_map_settle(map_model, &observed, NULL)
                    : ref_queue_settle(queue_model, &observed, NULL);
        if (!ok) {
            /* Neither outcome: explain against the old state. */
            if (is_map)
                explain_map_difference(map_model, &observed, why);
            else
                explain_queue_difference(queue_model, &observed, why);
            size_t used = strlen(why);
            snprintf(why + used, EC_WHY_SIZE - used,
                     " (neither the old nor the new outcome of the operation in flight)");
        }
    }
    ref_list_free(&observed);
    return ok && ec_verify(f, map_model, queue_model, why);
}
