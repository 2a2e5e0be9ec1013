/* Smoke tests of the map on the RAM flash: every operation once, many geometries, garbage
 * collection under churn, remounts, and the wear spread of a long random run. */
#include "nbs.h"
#include "ram_flash.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

typedef struct rig {
    ram_flash rf;
    nbs_config cfg;
    nbs_map map;
    uint8_t work[512];
} rig;

static void rig_open(rig *r, uint32_t pages, uint32_t page_size, uint32_t unit, uint8_t e) {
    cr_assert_eq(ram_flash_init(&r->rf, pages, page_size, unit, e, 1), 0);
    memset(&r->cfg, 0, sizeof r->cfg);
    r->cfg.flash = ram_flash_bind(&r->rf);
    r->cfg.work = r->work;
    r->cfg.work_size = sizeof r->work;
    cr_assert_eq(nbs_map_mount(&r->map, &r->cfg), NBS_OK);
}

static void remount(rig *r) {
    memset(&r->map, 0xA5, sizeof r->map);
    cr_assert_eq(nbs_map_mount(&r->map, &r->cfg), NBS_OK);
}

static void expect_value(rig *r, const char *key, const char *value) {
    char buf[256];
    size_t len = 0;
    int rc = nbs_map_fetch(&r->map, key, strlen(key), buf, sizeof buf, &len);
    if (!value) {
        cr_assert_eq(rc, NBS_E_NOT_FOUND, "key %s: %s", key, nbs_strerror(rc));
        return;
    }
    cr_assert_eq(rc, NBS_OK, "key %s: %s", key, nbs_strerror(rc));
    cr_assert_eq(len, strlen(value));
    cr_assert_arr_eq(buf, value, len);
}

Test(smoke_map, basic_operations_every_unit_and_erase_value) {
    static const uint32_t units[] = {1, 2, 4, 8, 16, 32};
    for (unsigned u = 0; u < 6; u++)
        for (int e = 0; e < 2; e++) {
            rig r;
            rig_open(&r, 4, 2048, units[u], e ? 0x00 : 0xFF);
            cr_assert_eq(nbs_map_store(&r.map, "alpha", 5, "one", 3), NBS_OK);
            cr_assert_eq(nbs_map_store(&r.map, "beta", 4, "two", 3), NBS_OK);
            cr_assert_eq(nbs_map_store(&r.map, "alpha", 5, "uno", 3), NBS_OK);
            expect_value(&r, "alpha", "uno");
            expect_value(&r, "beta", "two");
            expect_value(&r, "gamma", NULL);
            uint32_t count;
            cr_assert_eq(nbs_map_count(&r.map, &count), NBS_OK);
            cr_assert_eq(count, 2);
            cr_assert_eq(nbs_map_remove(&r.map, "beta", 4), NBS_OK);
            cr_assert_eq(nbs_map_remove(&r.map, "beta", 4), NBS_OK);
            remount(&r);
            expect_value(&r, "alpha", "uno");
            expect_value(&r, "beta", NULL);
            char small[1];
            size_t need = 0;
            cr_assert_eq(nbs_map_fetch(&r.map, "alpha", 5, small, 1, &need),
                         NBS_E_BUFFER_TOO_SMALL);
            cr_assert_eq(need, 3);
            cr_assert_eq(nbs_map_remove_all(&r.map), NBS_OK);
            expect_value(&r, "alpha", NULL);
            cr_assert_eq(nbs_map_store(&r.map, "delta", 5, "four", 4), NBS_OK);
            remount(&r);
            expect_value(&r, "delta", "four");
            expect_value(&r, "alpha", NULL);
            cr_assert_eq(nbs_map_erase_all(&r.map), NBS_OK);
            remount(&r);
            expect_value(&r, "delta", NULL);
            ram_flash_free(&r.rf);
        }
}

Test(smoke_map, errors) {
    rig r;
    rig_open(&r, 2, 512, 4, 0xFF);
    uint8_t big[600] = {0};
    uint32_t max = nbs_map_max_value(&r.cfg.flash, 3);
    cr_assert_gt(max, 0);
    cr_assert_eq(nbs_map_store(&r.map, "key", 3, big, max + 1), NBS_E_TOO_BIG);
    cr_assert_eq(nbs_map_store(&r.map, "key", 3, big, max), NBS_OK);
    cr_assert_eq(nbs_map_store(&r.map, "", 0, big, 1), NBS_E_KEY_LEN);
    cr_assert_eq(nbs_map_store(&r.map, big, NBS_KEY_MAX + 1, big, 1), NBS_E_KEY_LEN);
    int rc = NBS_OK;
    for (unsigned i = 0; i < 100 && rc == NBS_OK; i++) {
        char key[8];
        snprintf(key, sizeof key, "k%u", i);
        rc = nbs_map_store(&r.map, key, strlen(key), big, 40);
    }
    cr_assert_eq(rc, NBS_E_FULL);
    ram_flash_free(&r.rf);
}

Test(smoke_map, iteration_each_key_once_newest_value) {
    rig r;
    rig_open(&r, 4, 1024, 8, 0xFF);
    for (int round = 0; round < 5; round++)
        for (int k = 0; k < 10; k++) {
            uint8_t key[4], value[4];
            nbs_key_u32((uint32_t)k, key);
            nbs_key_u32((uint32_t)(round * 100 + k), value);
            cr_assert_eq(nbs_map_store(&r.map, key, 4, value, 4), NBS_OK);
        }
    nbs_map_iter it;
    nbs_map_iter_init(&r.map, &it);
    unsigned seen = 0, n = 0;
    uint8_t key[64], value[64];
    size_t klen, vlen;
    while (nbs_map_iter_next(&it, key, sizeof key, &klen, value, sizeof value, &vlen) == NBS_OK) {
        uint32_t k = key[0], v = value[0] | value[1] << 8;
        cr_assert_eq(v, 400 + k);
        cr_assert_eq(seen & (1u << k), 0);
        seen |= 1u << k;
        n++;
    }
    cr_assert_eq(n, 10);
    ram_flash_free(&r.rf);
}

/* Random updates over a key set that fills about a third of the store: every value is checked
 * at the end and after a remount, and the pages wear evenly. */
Test(smoke_map, churn_keeps_every_key_and_spreads_wear) {
    rig r;
    rig_open(&r, 16, 1024, 4, 0xFF);
    enum { KEYS = 40, OPS = 30000 };
    uint32_t model[KEYS] = {0};
    uint64_t rng = 12345;
    for (unsigned i = 0; i < OPS; i++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        uint32_t k = (uint32_t)(rng % KEYS), v = (uint32_t)(rng >> 20) | 1;
        uint8_t key[4], value[12] = {0};
        nbs_key_u32(k, key);
        nbs_key_u32(v, value);
        int rc = nbs_map_store(&r.map, key, 4, value, 4 + (v % 9));
        cr_assert_eq(rc, NBS_OK, "op %u: %s", i, nbs_strerror(rc));
        model[k] = v;
        if (i % 5000 == 4999) remount(&r);
    }
    for (uint32_t k = 0; k < KEYS; k++) {
        uint8_t key[4], value[16];
        size_t len;
        nbs_key_u32(k, key);
        int rc = nbs_map_fetch(&r.map, key, 4, value, sizeof value, &len);
        if (!model[k]) continue;
        cr_assert_eq(rc, NBS_OK);
        cr_assert_eq(value[0] | value[1] << 8 | value[2] << 16 | (uint32_t)value[3] << 24,
                     model[k]);
    }
    uint32_t lo = UINT32_MAX, hi = 0;
    for (uint32_t p = 0; p < 16; p++) {
        if (r.rf.erase_counts[p] < lo) lo = r.rf.erase_counts[p];
        if (r.rf.erase_counts[p] > hi) hi = r.rf.erase_counts[p];
    }
    cr_log_info("erases min %u max %u", lo, hi);
    cr_assert(hi <= lo * 1.2, "erase spread %u..%u", lo, hi);
    nbs_space space;
    cr_assert_eq(nbs_map_space(&r.map, &space), NBS_OK);
    cr_assert_eq(space.total, 16 * 1024);
    cr_assert_eq(r.rf.refused, 0);
    ram_flash_free(&r.rf);
}
