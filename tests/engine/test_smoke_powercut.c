/* Power-cut smoke test on the RAM flash: random map and queue operations, a cut torn in each
 * mode at a random flash operation, sometimes a second cut inside the recovery mount, then a
 * full comparison with a model (the operation in flight may have happened or not) and more
 * remounts that must give exactly the same answers (no flips from weak bits). */
#include "nbs.h"
#include "ram_flash.h"

#include <criterion/criterion.h>
#include <string.h>

enum { KEYS = 10, VMAX = 40, RUNS = 300 };

typedef struct rig {
    ram_flash rf;
    nbs_config cfg;
    nbs_map map;
    nbs_queue q;
    uint8_t work[512];
    uint64_t rng;
} rig;

static uint32_t rnd(rig *r, uint32_t n) {
    r->rng ^= r->rng << 13, r->rng ^= r->rng >> 7, r->rng ^= r->rng << 17;
    return (uint32_t)(r->rng >> 11) % n;
}

static int mount(rig *r, bool queue) {
    memset(&r->map, 0xC3, sizeof r->map);
    memset(&r->q, 0xC3, sizeof r->q);
    return queue ? nbs_queue_mount(&r->q, &r->cfg) : nbs_map_mount(&r->map, &r->cfg);
}

/* Power on and mount, sometimes cutting again inside the mount first. */
static void recover(rig *r, bool queue, ram_torn mode) {
    ram_flash_power_on(&r->rf);
    if (rnd(r, 2)) {
        ram_flash_arm_cut(&r->rf, (long)rnd(r, 3), mode);
        if (mount(r, queue) == NBS_OK) ram_flash_arm_cut(&r->rf, -1, mode);
        ram_flash_power_on(&r->rf);
    }
    int rc = mount(r, queue);
    cr_assert_eq(rc, NBS_OK, "mount after cut: %s (refused %lu)", nbs_strerror(rc),
                 (unsigned long)r->rf.refused);
}

typedef struct map_model {
    uint8_t len[KEYS]; /* 0: absent, else value length + 1 */
    uint8_t value[KEYS][VMAX];
} map_model;

static void map_read_all(rig *r, map_model *out) {
    for (uint32_t k = 0; k < KEYS; k++) {
        uint8_t key[4];
        size_t len = 0;
        nbs_key_u32(k, key);
        int rc = nbs_map_fetch(&r->map, key, 4, out->value[k], VMAX, &len);
        cr_assert(rc == NBS_OK || rc == NBS_E_NOT_FOUND, "fetch: %s", nbs_strerror(rc));
        out->len[k] = rc == NBS_OK ? (uint8_t)(len + 1) : 0;
    }
}

static bool same_key(const map_model *a, const map_model *b, uint32_t k) {
    return a->len[k] == b->len[k] &&
           (!a->len[k] || !memcmp(a->value[k], b->value[k], a->len[k] - 1));
}

static void map_run(uint32_t unit, ram_torn mode, uint64_t seed) {
    cr_log_info("map unit %u mode %d seed %lu", unit, mode, (unsigned long)seed);
    rig r = {.rng = seed * 7919 + 1};
    cr_assert_eq(
        ram_flash_init(&r.rf, 4, unit == 32 ? 1024 : 512, unit, (seed & 1) ? 0x00 : 0xFF, seed), 0);
    r.cfg.flash = ram_flash_bind(&r.rf);
    r.cfg.work = r.work;
    r.cfg.work_size = sizeof r.work;
    cr_assert_eq(mount(&r, false), NBS_OK);
    map_model model = {0}, before, after, seen;
    ram_flash_arm_cut(&r.rf, (long)rnd(&r, 400), mode);
    int rc = NBS_OK, op = 0;
    uint32_t key_in_flight = KEYS;
    for (int i = 0; i < 200 && rc == NBS_OK; i++) {
        uint32_t k = rnd(&r, KEYS), len = rnd(&r, 24), what = rnd(&r, 20);
        uint8_t key[4], value[VMAX];
        nbs_key_u32(k, key);
        for (uint32_t j = 0; j < len; j++) value[j] = (uint8_t)rnd(&r, 256);
        before = model;
        if (what == 0) {
            op = 2;
            memset(model.len, 0, sizeof model.len);
            rc = nbs_map_remove_all(&r.map);
        } else if (what < 5) {
            op = 1, key_in_flight = k;
            model.len[k] = 0;
            rc = nbs_map_remove(&r.map, key, 4);
        } else {
            op = 0, key_in_flight = k;
            model.len[k] = (uint8_t)(len + 1);
            memcpy(model.value[k], value, len);
            rc = nbs_map_store(&r.map, key, 4, value, len);
        }
        cr_assert(rc == NBS_OK || rc == NBS_E_IO, "op: %s", nbs_strerror(rc));
    }
    if (rc == NBS_OK) { /* the cut came later than the run: cut between operations */
        ram_flash_arm_cut(&r.rf, -1, mode);
        before = model;
        key_in_flight = KEYS;
    }
    recover(&r, false, mode);
    map_read_all(&r, &seen);
    after = model;
    for (uint32_t k = 0; k < KEYS; k++) {
        bool is_old = same_key(&seen, &before, k), is_new = same_key(&seen, &after, k);
        if (op == 2 && rc)
            cr_assert(is_old || is_new, "seed %lu key %u after clear", seed, k);
        else if (k == key_in_flight)
            cr_assert(is_old || is_new, "seed %lu in-flight key %u", seed, k);
        else
            cr_assert(is_new,
                      "seed %lu key %u lost (unit %u mode %d): seen len %u after %u before %u, in "
                      "flight %u op %d",
                      seed, k, unit, mode, seen.len[k], after.len[k], before.len[k], key_in_flight,
                      op);
    }
    /* The outcome is final: more remounts and reads give the same answers. */
    for (int again = 0; again < 3; again++) {
        map_model check;
        cr_assert_eq(mount(&r, false), NBS_OK);
        map_read_all(&r, &check);
        for (uint32_t k = 0; k < KEYS; k++)
            cr_assert(same_key(&check, &seen, k),
                      "seed %lu key %u flipped (len %u -> %u, in flight %u op %d rc %d before %u "
                      "after %u, again %d)",
                      seed, k, seen.len[k], check.len[k], key_in_flight, op, rc, before.len[k],
                      after.len[k], again);
    }
    /* And the store keeps working. */
    for (uint32_t k = 0; k < KEYS; k++) {
        uint8_t key[4];
        nbs_key_u32(k, key);
        rc = nbs_map_store(&r.map, key, 4, key, 4);
        if (rc) {
            nbs_space sp;
            uint32_t cnt = 0;
            nbs_map_space(&r.map, &sp);
            nbs_map_count(&r.map, &cnt);
            cr_log_info("count %u live %u free %u recl %u newest %u seq %u tail %u front %u", cnt,
                        sp.live, sp.free_now, sp.reclaimable, r.map.log.newest,
                        r.map.log.newest_seq, r.map.log.tail_seq, r.map.log.front);
        }
        cr_assert_eq(rc, NBS_OK, "seed %lu store after recovery: %s", seed, nbs_strerror(rc));
    }
    cr_assert_eq(r.rf.refused, 0, "seed %lu: a write unit was programmed twice", seed);
    ram_flash_free(&r.rf);
}

static void queue_run(uint32_t unit, ram_torn mode, uint64_t seed) {
    cr_log_info("queue unit %u mode %d seed %lu", unit, mode, (unsigned long)seed);
    rig r = {.rng = seed * 104729 + 3};
    cr_assert_eq(ram_flash_init(&r.rf, 3, unit == 32 ? 1024 : 512, unit, 0xFF, seed), 0);
    r.cfg.flash = ram_flash_bind(&r.rf);
    r.cfg.work = r.work;
    r.cfg.work_size = sizeof r.work;
    cr_assert_eq(mount(&r, true), NBS_OK);
    uint32_t next_push = 0, next_pop = 0;
    ram_flash_arm_cut(&r.rf, (long)rnd(&r, 300), mode);
    int rc = NBS_OK;
    bool pushing = false;
    for (int i = 0; i < 200 && rc == NBS_OK; i++) {
        uint8_t item[20];
        size_t len;
        pushing = rnd(&r, 2) == 0;
        if (pushing) {
            nbs_key_u32(next_push, item);
            rc = nbs_queue_push(&r.q, item, 4 + next_push % 16, 0);
            if (rc == NBS_OK) next_push++;
            if (rc == NBS_E_FULL) rc = NBS_OK;
        } else {
            rc = nbs_queue_pop(&r.q, item, sizeof item, &len);
            if (rc == NBS_OK) {
                cr_assert_eq((uint32_t)(item[0] | item[1] << 8), next_pop);
                next_pop++;
            }
            if (rc == NBS_E_EMPTY) rc = NBS_OK;
        }
        cr_assert(rc == NBS_OK || rc == NBS_E_IO, "op: %s", nbs_strerror(rc));
    }
    if (rc == NBS_OK) ram_flash_arm_cut(&r.rf, -1, mode);
    recover(&r, true, mode);
    uint32_t first = UINT32_MAX, count = 0;
    for (int again = 0; again < 3; again++) {
        uint8_t item[20];
        size_t len;
        uint32_t c;
        if (again) cr_assert_eq(mount(&r, true), NBS_OK);
        cr_assert_eq(nbs_queue_count(&r.q, &c), NBS_OK);
        int prc = nbs_queue_peek(&r.q, item, sizeof item, &len);
        uint32_t head = prc == NBS_OK ? (uint32_t)(item[0] | item[1] << 8) : next_push;
        if (again == 0) {
            first = head, count = c;
            /* In flight: a pop may have happened; a push may have happened. */
            cr_assert(head == next_pop || (rc && !pushing && head == next_pop + 1),
                      "seed %lu head %u expected %u", seed, head, next_pop);
            cr_assert(first + c == next_push || (rc && pushing && first + c == next_push + 1),
                      "seed %lu count %u", seed, c);
        } else {
            cr_assert_eq(head, first, "seed %lu head flipped", seed);
            cr_assert_eq(c, count, "seed %lu count flipped %u -> %u (head %u, in flight %s rc %d)",
                         seed, count, c, first, pushing ? "push" : "pop", rc);
        }
    }
    for (uint32_t i = 0; i < count; i++) {
        uint8_t item[20];
        size_t len;
        cr_assert_eq(nbs_queue_pop(&r.q, item, sizeof item, &len), NBS_OK);
        cr_assert_eq((uint32_t)(item[0] | item[1] << 8), first + i, "seed %lu order", seed);
    }
    cr_assert_eq(r.rf.refused, 0, "seed %lu: a write unit was programmed twice", seed);
    ram_flash_free(&r.rf);
}

static const ram_torn modes[] = {RAM_TORN_NONE, RAM_TORN_PREFIX, RAM_TORN_BITS, RAM_TORN_WEAK,
                                 RAM_TORN_FULL};
static const uint32_t units[] = {1, 8, 32};

Test(smoke_powercut, map_every_mode) {
    for (unsigned m = 0; m < 5; m++)
        for (unsigned u = 0; u < 3; u++)
            for (uint64_t seed = 1; seed <= RUNS; seed++) map_run(units[u], modes[m], seed);
}

Test(smoke_powercut, queue_every_mode) {
    for (unsigned m = 0; m < 5; m++)
        for (unsigned u = 0; u < 3; u++)
            for (uint64_t seed = 1; seed <= RUNS; seed++) queue_run(units[u], modes[m], seed);
}
