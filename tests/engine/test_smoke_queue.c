/* Smoke tests of the queue on the RAM flash: FIFO order across pages and remounts, iteration
 * with pops of chosen entries, drop-oldest, and the full and empty errors. */
#include "nbs.h"
#include "ram_flash.h"

#include <criterion/criterion.h>
#include <string.h>

typedef struct rig {
    ram_flash rf;
    nbs_config cfg;
    nbs_queue q;
    uint8_t work[512];
} rig;

static void rig_open(rig *r, uint32_t pages, uint32_t page_size, uint32_t unit) {
    cr_assert_eq(ram_flash_init(&r->rf, pages, page_size, unit, 0xFF, 7), 0);
    memset(&r->cfg, 0, sizeof r->cfg);
    r->cfg.flash = ram_flash_bind(&r->rf);
    r->cfg.work = r->work;
    r->cfg.work_size = sizeof r->work;
    cr_assert_eq(nbs_queue_mount(&r->q, &r->cfg), NBS_OK);
}

static void remount(rig *r) {
    memset(&r->q, 0x5A, sizeof r->q);
    cr_assert_eq(nbs_queue_mount(&r->q, &r->cfg), NBS_OK);
}

Test(smoke_queue, fifo_across_pages_and_remounts) {
    static const uint32_t units[] = {1, 8, 32};
    for (unsigned u = 0; u < 3; u++) {
        rig r;
        rig_open(&r, 4, units[u] == 32 ? 4096 : 2048, units[u]); /* W = 32: 3 flag units a entry */
        uint32_t pushed = 0, popped = 0;
        for (int round = 0; round < 30; round++) {
            for (int i = 0; i < 7; i++, pushed++) {
                uint8_t item[40];
                memset(item, (int)pushed, sizeof item);
                nbs_key_u32(pushed, item);
                int rc = nbs_queue_push(&r.q, item, 5 + pushed % 30, 0);
                cr_assert_eq(rc, NBS_OK, "unit %u push %u: %s", units[u], pushed, nbs_strerror(rc));
            }
            if (round % 4 == 3) remount(&r);
            for (int i = 0; i < 6; i++, popped++) {
                uint8_t item[64];
                size_t len;
                cr_assert_eq(nbs_queue_pop(&r.q, item, sizeof item, &len), NBS_OK);
                cr_assert_eq(len, 5 + popped % 30);
                cr_assert_eq((uint32_t)(item[0] | item[1] << 8), popped);
            }
        }
        uint32_t count;
        cr_assert_eq(nbs_queue_count(&r.q, &count), NBS_OK);
        cr_assert_eq(count, pushed - popped);
        cr_assert_eq(r.rf.refused, 0);
        ram_flash_free(&r.rf);
    }
}

Test(smoke_queue, iterate_and_pop_chosen_entries) {
    rig r;
    rig_open(&r, 4, 1024, 4);
    for (uint8_t i = 0; i < 10; i++) cr_assert_eq(nbs_queue_push(&r.q, &i, 1, 0), NBS_OK);
    nbs_queue_iter it;
    nbs_queue_iter_init(&r.q, &it);
    uint8_t v;
    size_t len;
    while (nbs_queue_iter_next(&it, &v, 1, &len) == NBS_OK)
        if (v % 3 == 0) cr_assert_eq(nbs_queue_iter_pop_current(&it), NBS_OK);
    remount(&r);
    static const uint8_t left[] = {1, 2, 4, 5, 7, 8};
    for (unsigned i = 0; i < sizeof left; i++) {
        cr_assert_eq(nbs_queue_pop(&r.q, &v, 1, &len), NBS_OK);
        cr_assert_eq(v, left[i]);
    }
    cr_assert_eq(nbs_queue_peek(&r.q, &v, 1, &len), NBS_E_EMPTY);
    ram_flash_free(&r.rf);
}

Test(smoke_queue, full_then_drop_oldest) {
    rig r;
    rig_open(&r, 3, 512, 4);
    uint8_t item[32] = {0};
    uint32_t n = 0;
    int rc;
    while ((rc = nbs_queue_push(&r.q, item, sizeof item, 0)) == NBS_OK) item[0] = (uint8_t)++n;
    cr_assert_eq(rc, NBS_E_FULL);
    size_t max;
    cr_assert_eq(nbs_queue_max_push(&r.q, &max), NBS_OK);
    cr_assert_lt(max, sizeof item);
    for (int i = 0; i < 20; i++, n++) {
        item[0] = (uint8_t)n;
        rc = nbs_queue_push(&r.q, item, sizeof item, NBS_PUSH_DROP_OLDEST);
        cr_assert_eq(rc, NBS_OK, "drop push %d: %s", i, nbs_strerror(rc));
    }
    uint8_t out[32], last = 0;
    size_t len;
    uint32_t count = 0;
    while (nbs_queue_pop(&r.q, out, sizeof out, &len) == NBS_OK) last = out[0], count++;
    cr_assert_eq(last, (uint8_t)(n - 1));
    cr_assert_gt(count, 2);
    cr_assert_eq(nbs_queue_push(&r.q, item, nbs_queue_max_item(&r.cfg.flash) + 1, 0),
                 NBS_E_TOO_BIG);
    ram_flash_free(&r.rf);
}
