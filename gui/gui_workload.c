/* The demo workload that goes on after a scenario's end (and fills a demo store): one seeded
 * engine operation per step, chosen by what the engine's adapter offers. A map (and the Map
 * façade) stores values under 24 keys and now and then removes one; a queue pushes (dropping
 * the oldest when full) and pops, keeping a few entries queued. The layers whose store is their
 * own format (fs, tdb, kv) have none, and neither has an image's map that another writer's keys
 * fill: the workload is refused there with the reason, never run. */
#include "gui_app.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKLOAD_KEYS 24

/* splitmix64: the workload's stream, from the user's seed. */
static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void fill_value(uint64_t *rng, uint8_t *value, size_t len) {
    for (size_t i = 0; i < len; i++) value[i] = (uint8_t)next_random(rng);
}

/* The workload's keys: k00 .. k23. */
static bool workload_key(const uint8_t *key, size_t len) {
    return len == 3 && key[0] == 'k' && isdigit(key[1]) && isdigit(key[2]) &&
           (unsigned)((key[1] - '0') * 10 + (key[2] - '0')) < WORKLOAD_KEYS;
}

static void map_step(gui_session *s, uint64_t r) {
    char key[8];
    int klen = snprintf(key, sizeof key, "k%02u", (unsigned)(r % WORKLOAD_KEYS));
    adapter *e = &s->engine;
    if ((r >> 8) % 6 == 0) {
        s->last_result = e->remove(e->ctx, key, (size_t)klen);
        snprintf(s->last_op, sizeof s->last_op, "remove %s", key);
        return;
    }
    uint8_t value[48];
    size_t len = 4 + (r >> 16) % 44;
    if (len > e->max_value_size / 2) len = e->max_value_size / 2;
    fill_value(&s->workload_rng, value, len);
    s->last_result = e->store(e->ctx, key, (size_t)klen, value, len);
    snprintf(s->last_op, sizeof s->last_op, "store %s (%zu bytes)", key, len);
}

static void queue_step(gui_session *s, uint64_t r) {
    adapter *e = &s->engine;
    uint32_t count = 0;
    e->count(e->ctx, &count);
    if (count < 6 || (r >> 8) % 3) {
        uint8_t value[40];
        size_t len = 8 + (r >> 16) % 32;
        if (len > e->max_value_size / 2) len = e->max_value_size / 2;
        fill_value(&s->workload_rng, value, len);
        s->last_result = e->push(e->ctx, value, len, ADAPTER_PUSH_DROP_OLDEST);
        snprintf(s->last_op, sizeof s->last_op, "push %zu bytes", len);
        return;
    }
    uint8_t *buf = malloc(e->max_value_size);
    size_t len = 0;
    s->last_result = buf ? e->pop(e->ctx, buf, e->max_value_size, &len) : NBS_E_CACHE_MEM;
    free(buf);
    snprintf(s->last_op, sizeof s->last_op, "pop (%zu bytes)", len);
}

typedef void (*workload_step_fn)(gui_session *s, uint64_t r);

/* The workload of the operations the adapter offers; NULL when it offers neither set. */
static workload_step_fn workload_of(const adapter *e) {
    if ((e->capabilities & ADAPTER_CAN_MAP) && e->store && e->remove) return map_step;
    if ((e->capabilities & ADAPTER_CAN_QUEUE) && e->push && e->pop && e->count) return queue_step;
    return NULL;
}

/* Stops at the first key the workload would not have written, keeping it for the reason. */
#define FOREIGN_KEY_SHOWN 8 /* of its bytes, the reason shows */
typedef struct foreign_key {
    bool found;
    char text[2 * FOREIGN_KEY_SHOWN + 3];
} foreign_key;

static int find_foreign_key(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                            size_t value_len, bool *pop_current) {
    (void)value, (void)value_len, (void)pop_current;
    if (workload_key(key, key_len)) return 0;
    foreign_key *f = ctx;
    gui_key_text(key, key_len, FOREIGN_KEY_SHOWN, f->text, sizeof f->text);
    f->found = true;
    return 1;
}

void gui_workload_decide(gui_session *s, bool only_its_own_keys) {
    s->no_workload[0] = 0;
    const adapter *e = &s->engine;
    if (!s->have_engine) {
        snprintf(s->no_workload, sizeof s->no_workload, "no engine on this source");
        return;
    }
    workload_step_fn step = workload_of(e);
    if (!step) {
        snprintf(s->no_workload, sizeof s->no_workload,
                 "no demo workload for the %s engine (it offers no map or queue operations; a "
                 "scenario's steps drive it)",
                 e->name ? e->name : "source's");
        return;
    }
    foreign_key f = {0};
    /* A map that cannot be read (the mount failed) is left to the workload's own errors. */
    if (only_its_own_keys && step == map_step && e->iterate && s->mount_result == 0)
        e->iterate(e->ctx, find_foreign_key, &f);
    if (f.found)
        snprintf(s->no_workload, sizeof s->no_workload,
                 "no demo workload on this image: its map holds keys it did not write (%s; an "
                 "fs, tdb or kv store's, or a scenario's), among which it would write k00..k23",
                 f.text);
}

bool gui_workload_step(gui_session *s) {
    workload_step_fn step = s->no_workload[0] ? NULL : workload_of(&s->engine);
    if (!step) {
        snprintf(s->last_op, sizeof s->last_op, "%s",
                 s->no_workload[0] ? s->no_workload : "no demo workload on this source");
        return false;
    }
    step(s, next_random(&s->workload_rng));
    s->workload_ops++;
    if (s->last_result) {
        size_t n = strlen(s->last_op);
        snprintf(s->last_op + n, sizeof s->last_op - n, ": %s", nbs_strerror(s->last_result));
    }
    return true;
}
