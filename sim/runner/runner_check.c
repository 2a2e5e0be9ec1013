/* Whole-store checks of a run: observing everything the engine holds, settling the operation
 * a power cut left in flight (old or new, and then stable), adopting the state after a raw
 * fault when it holds nothing invented, mounting, and the `check` step. */
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- history of stored items (raw-fault scenarios only) ---- */

static uint64_t item_hash(const void *key, size_t key_len, const void *value, size_t value_len) {
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, with the key length as a separator */
    const uint8_t *parts[2] = {key, value};
    size_t lengths[2] = {key_len, value_len};
    for (int p = 0; p < 2; p++) {
        for (size_t i = 0; i < lengths[p]; i++) h = (h ^ parts[p][i]) * 0x100000001b3ull;
        h = (h ^ (uint64_t)lengths[p]) * 0x100000001b3ull;
    }
    return h ? h : 1;
}

static bool history_insert(run_history *h, uint64_t hash) {
    if ((h->count + 1) * 2 > h->capacity) {
        size_t capacity = h->capacity ? h->capacity * 2 : 1024;
        uint64_t *slots = calloc(capacity, sizeof *slots);
        if (!slots) return false;
        for (size_t i = 0; i < h->capacity; i++) {
            if (!h->slots[i]) continue;
            size_t at = h->slots[i] & (capacity - 1);
            while (slots[at]) at = (at + 1) & (capacity - 1);
            slots[at] = h->slots[i];
        }
        free(h->slots);
        h->slots = slots;
        h->capacity = capacity;
    }
    size_t at = hash & (h->capacity - 1);
    while (h->slots[at] && h->slots[at] != hash) at = (at + 1) & (h->capacity - 1);
    if (!h->slots[at]) h->count++;
    h->slots[at] = hash;
    return true;
}

static bool history_contains(const run_history *h, uint64_t hash) {
    if (!h->capacity) return false;
    size_t at = hash & (h->capacity - 1);
    while (h->slots[at]) {
        if (h->slots[at] == hash) return true;
        at = (at + 1) & (h->capacity - 1);
    }
    return false;
}

void run_history_note(run_state *st, const void *key, size_t key_len, const void *value,
                      size_t value_len) {
    /* Out of memory here only weakens a later fault check to "adopt what is seen". */
    if (!history_insert(&st->history, item_hash(key, key_len, value, value_len)))
        st->keep_history = false;
}

void run_history_free(run_history *h) {
    free(h->slots);
    memset(h, 0, sizeof *h);
}

/* ---- observation ---- */

bool run_model_definite(const run_state *st) {
    const ref_pending *p = st->is_map ? &st->map.pending : &st->queue.pending;
    return !st->tainted && p->kind == REF_OP_NONE;
}

static int collect_item(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                        size_t value_len, bool *pop_current) {
    (void)pop_current;
    ref_list_append(ctx, key, key_len, value, value_len);
    return 0;
}

/* Reads the whole store by iteration into `out`. */
static int observe(run_state *st, const char *why, ref_list *out) {
    ref_list_clear(out);
    run_count_engine_op(st);
    int rc = st->engine.iterate(st->engine.ctx, collect_item, out);
    if (rc)
        return run_fail(st, "%s: reading the whole store failed with error %s after %zu %s", why,
                        scenario_error_short_name(rc), out->count,
                        run_plural(out->count, "item", "items"));
    return RUNNER_OK;
}

static void describe_store(const run_state *st, const ref_list *list, char *out, size_t size) {
    size_t used = (size_t)snprintf(out, size, "%zu %s", list->count,
                                   run_plural(list->count, "item", "items"));
    for (size_t i = 0; i < list->count && i < 4 && used < size; i++) {
        const ref_item *it = &list->items[i];
        char k[80] = "", v[100];
        if (st->engine.kv || st->engine.tdb || st->engine.fs) { /* in the layer's own terms */
            char item[200];
            if (st->engine.kv)
                run_kv_describe_item(it, item, sizeof item);
            else if (st->engine.tdb)
                run_tdb_describe_item(it, item, sizeof item);
            else
                run_fs_describe_item(it, item, sizeof item);
            used += (size_t)snprintf(out + used, size - used, "%s %s", i ? "," : ":", item);
            continue;
        }
        if (st->is_map) run_describe_bytes(k, sizeof k, it->key, it->key_len);
        run_describe_bytes(v, sizeof v, it->value, it->value_len);
        used += (size_t)snprintf(out + used, size - used, "%s %s%s%s", i ? "," : ":", k,
                                 st->is_map ? "=" : "", v);
    }
    if (list->count > 4 && used < size) snprintf(out + used, size - used, ", ...");
}

int run_fail_store(run_state *st, const char *what, const ref_list *want, const ref_list *got) {
    char expected[400], actual[400];
    describe_store(st, want, expected, sizeof expected);
    describe_store(st, got, actual, sizeof actual);
    return run_fail(st, "%s: expected %s; the store holds %s", what, expected, actual);
}

/* After a raw fault: every item seen must be something the run once stored. */
static int adopt_after_fault(run_state *st, const ref_list *seen) {
    for (size_t i = 0; st->from_image && st->keep_history && i < seen->count; i++) {
        const ref_item *it = &seen->items[i];
        run_history_note(st, it->key, it->key_len, it->value, it->value_len);
    }
    for (size_t i = 0; st->keep_history && !st->from_image && i < seen->count; i++) {
        const ref_item *it = &seen->items[i];
        if (!history_contains(&st->history,
                              item_hash(it->key, it->key_len, it->value, it->value_len))) {
            char k[100] = "", v[120];
            if (st->is_map) run_describe_bytes(k, sizeof k, it->key, it->key_len);
            run_describe_bytes(v, sizeof v, it->value, it->value_len);
            return run_fail(st,
                            "after fault injection the store holds an item never stored: %s%s%s", k,
                            st->is_map ? " = " : "", v);
        }
    }
    if (st->is_map) {
        ref_map_end(&st->map, false);
        ref_list_copy(&st->map.items, seen);
    } else {
        ref_queue_end(&st->queue, false);
        ref_list_copy(&st->queue.entries, seen);
        st->queue.unknown_front_drops = false;
    }
    if (st->write_back.active) ref_write_back_flushed(&st->write_back, seen); /* what flash holds */
    st->tainted = false;
    st->from_image = false;
    return RUNNER_OK;
}

int run_sync_model(run_state *st) {
    if (run_model_definite(st) && !st->queue.unknown_front_drops) return RUNNER_OK;
    ref_list seen;
    ref_list_init(&seen);
    int rc = observe(st, "settling the store", &seen);
    if (!rc && st->tainted) {
        rc = adopt_after_fault(st, &seen);
    } else if (!rc) {
        ref_list before;
        ref_list_init(&before);
        ref_list_copy(&before, st->is_map ? &st->map.items : &st->queue.entries);
        bool applied = true;
        bool settled = st->write_back.active ? !(rc = run_write_back_settle(st, &seen, &applied))
                       : st->is_map          ? ref_map_settle(&st->map, &seen, &applied)
                                             : ref_queue_settle(&st->queue, &seen, &applied);
        if (settled && st->plan.in_recovery) st->plan.applied = applied;
        if (!settled && !rc)
            rc = run_fail_store(st,
                                "the operation in flight is neither applied nor absent (old or new "
                                "expected)",
                                &before, &seen);
        ref_list_free(&before);
    }
    ref_list_free(&seen);
    return rc;
}

/* The store equals the model, read by iteration. */
int run_verify_items(run_state *st, const char *what) {
    const ref_list *want = st->is_map ? &st->map.items : &st->queue.entries;
    ref_list seen;
    ref_list_init(&seen);
    int rc = observe(st, what, &seen);
    bool same =
        st->is_map ? ref_map_matches(&st->map, &seen) : ref_queue_matches(&st->queue, &seen);
    if (!rc && !same) rc = run_fail_store(st, what, want, &seen);
    ref_list_free(&seen);
    return rc;
}

int run_sync_model_as_check(run_state *st) {
    run_check_mark mark;
    run_check_begin(st, &mark);
    int rc = run_sync_model(st);
    run_check_end(st, &mark);
    return rc;
}

int run_sync_model_before_call(run_state *st) {
    if (!st->mounted || !nor_is_powered(st->dev) || run_model_definite(st)) return RUNNER_OK;
    return run_sync_model_as_check(st);
}

/* The store equals the model: by iteration, count, and (map) fetch of every key or (queue)
 * peek of the oldest entry. */
int run_verify_store(run_state *st, const char *what) {
    int rc = run_verify_items(st, what);
    if (rc) return rc;
    run_op count = {.op = SCENARIO_OP_COUNT};
    if ((rc = run_engine_op(st, &count))) return rc;
    if (!st->is_map) {
        run_op peek = {.op = SCENARIO_OP_PEEK};
        return run_engine_op(st, &peek);
    }
    const ref_list *want = &st->map.items;
    for (size_t i = 0; i < want->count; i++) {
        run_op fetch = {.op = SCENARIO_OP_FETCH,
                        .key = {.bytes = want->items[i].key, .length = want->items[i].key_len}};
        if ((rc = run_engine_op(st, &fetch))) return rc;
    }
    return RUNNER_OK;
}

int run_check_store(run_state *st) {
    if (!nor_is_powered(st->dev))
        return run_fail(st, "check: the power is off (a power_cut landed); add a power_on first");
    if (!st->mounted) return run_fail(st, "check: the store is not mounted");
    int rc = run_sync_model(st);
    return rc ? rc : run_verify_store(st, "check");
}

/* A mount, read-write or read-only, checked: its expectation, then the store against the model. */
static int mount_checked(run_state *st, const scenario_expect *expect, bool every_read,
                         bool read_only) {
    if (read_only && !st->engine.mount_read_only)
        return run_fail(st, "mount: the %s engine cannot mount read-only", st->engine.name);
    run_count_engine_op(st);
    int rc =
        read_only ? st->engine.mount_read_only(st->engine.ctx) : st->engine.mount(st->engine.ctx);
    st->mounted = rc == NBS_OK;
    st->read_only = read_only && st->mounted;
    if (run_plan_cut_pending(st)) {
        /* The planned cut landed in this mount: the recovery checks instead. */
        st->mounted = false;
        return st->plan.in_recovery ? RUNNER_OK : run_recover(st);
    }
    bool expects_error = expect && expect->kind == SCENARIO_EXPECT_ERROR;
    if (expects_error && rc != expect->error)
        return run_fail(st, "mount: expected error %s, got %s",
                        scenario_error_short_name(expect->error),
                        rc ? scenario_error_short_name(rc) : "success");
    if (expects_error) return RUNNER_OK;
    if (rc)
        return run_fail(st, "mount: expected success, got error %s%s",
                        scenario_error_short_name(rc),
                        nor_is_powered(st->dev) ? "" : " (the power is off)");
    /* Old or new for the operation in flight, and then stable on a second reading: the
     * runner's own readings, which the scenario's figures leave out. */
    run_write_back_power_lost(st); /* the mount loaded what flash holds */
    run_check_mark mark;
    run_check_begin(st, &mark);
    rc = run_sync_model(st);
    if (!rc)
        rc = every_read ? run_verify_store(st, "after mount") : run_verify_items(st, "after mount");
    run_check_end(st, &mark);
    return rc;
}

int run_mount(run_state *st, const scenario_expect *expect, bool read_only) {
    run_kv_forget_open(st); /* the scenario's own mount: its domains are closed */
    run_tdb_forget(st);     /* ... and an incremental set ended */
    run_fs_forget(st);      /* ... and every file system handle closed */
    return mount_checked(st, expect, true, read_only);
}

int run_mount_checked(run_state *st, const scenario_expect *expect, bool every_read) {
    return mount_checked(st, expect, every_read, false);
}
