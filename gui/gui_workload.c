/* The demo workload that goes on after a scenario's end (and fills a demo store): one seeded
 * engine operation per step. A map stores values under 24 keys and now and then removes one;
 * a queue pushes (dropping the oldest when full) and pops, keeping a few entries queued. */
#include "gui_app.h"

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

void gui_workload_step(gui_session *s) {
    uint64_t r = next_random(&s->workload_rng);
    if (s->is_map)
        map_step(s, r);
    else
        queue_step(s, r);
    s->workload_ops++;
    if (s->last_result) {
        size_t n = strlen(s->last_op);
        snprintf(s->last_op + n, sizeof s->last_op - n, ": %s", nbs_strerror(s->last_result));
    }
}
