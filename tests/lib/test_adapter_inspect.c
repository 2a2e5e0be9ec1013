/* The adapter's inspect(): it reports the engine's pages and items from the stored bits and
 * leaves no trace on the run (no reads counted, no simulated time, no event, nothing drawn from
 * the device's random stream), with the power on or off; the same walk through the counted
 * flash binding does leave one (the check can tell). */
#include "adapter.h"
#include "nbs_nor.h"

#include <criterion/criterion.h>
#include <string.h>

typedef struct tally {
    uint32_t pages, items, torn;
} tally;

static int on_page(void *ctx, const nbs_page_info *page) {
    (void)page;
    ((tally *)ctx)->pages++;
    return 0;
}

static int on_item(void *ctx, const nbs_item_info *item) {
    tally *t = ctx;
    t->items++;
    t->torn += item->state == NBS_ITEM_TORN;
    return 0;
}

static uint64_t events;
static void count_event(void *ctx, const nor_event *ev) {
    (void)ctx, (void)ev;
    events++;
}

static bool same_trace(nor *dev, const nor_stats *before, const nor_random_state *rng) {
    nor_stats after;
    nor_random_state now;
    nor_get_stats(dev, &after);
    nor_get_random_state(dev, &now);
    return after.read_calls == before->read_calls && after.time_us == before->time_us &&
           memcmp(&now, rng, sizeof now) == 0;
}

Test(adapter_inspect, reports_without_a_trace_with_the_power_on_or_off) {
    nor *dev = NULL;
    cr_assert_eq(nor_create(&dev, nor_preset_find("tiny"), 1), NOR_OK);
    adapter a;
    adapter_config cfg = {.start = 0, .size = 1024, .page_size = 256};
    cr_assert_eq(adapter_nbs_map_create(&a, dev, &cfg), NBS_OK);
    cr_assert_not_null(a.inspect);
    cr_assert_eq(a.mount(a.ctx), NBS_OK);
    cr_assert_eq(a.store(a.ctx, "k", 1, "v1", 2), NBS_OK);
    cr_assert_eq(a.store(a.ctx, "k", 1, "v2", 2), NBS_OK);
    nor_set_torn_modes(dev, NOR_TORN_PROG_PREFIX, NOR_TORN_ERASE_NONE);
    nor_arm_cut_after_ops(dev, 1); /* the third store's data program: torn */
    cr_assert_neq(a.store(a.ctx, "j", 1, "v3", 2), NBS_OK);
    cr_assert_not(nor_is_powered(dev));
    nor_set_event_fn(dev, count_event, NULL);
    for (int powered = 0; powered < 2; powered++) {
        if (powered) nor_power_on(dev);
        events = 0;
        nor_stats before;
        nor_random_state rng;
        nor_get_stats(dev, &before);
        nor_get_random_state(dev, &rng);
        tally t = {0};
        nbs_inspect_visitor v = {&t, on_page, on_item};
        nbs_inspect_summary summary;
        cr_assert_eq(a.inspect(a.ctx, 0, 4, &v, &summary), NBS_OK);
        cr_expect_eq(t.pages, 4);
        cr_expect_eq(t.items, 3, "power %s: %u items", powered ? "on" : "off", t.items);
        cr_expect_eq(t.torn, 1);
        cr_expect(same_trace(dev, &before, &rng), "power %s: inspect left a trace",
                  powered ? "on" : "off");
        cr_expect_eq(events, 0);
        /* Broken variant: the same walk through the counted binding is seen. */
        nbs_nor binding;
        cr_assert_eq(nbs_nor_bind(&binding, dev, 0, 1024, 256), NBS_OK);
        uint8_t work[1024];
        nbs_config counted = {.flash = binding.flash, .work = work, .work_size = sizeof work};
        nbs_log log;
        int rc = nbs_inspect(&log, &counted, false, 0, 4, &v, &summary);
        if (powered)
            cr_expect(!same_trace(dev, &before, &rng) && events > 0,
                      "the counted walk left no trace: the check cannot tell");
        else
            cr_expect_neq(rc, NBS_OK, "reads with the power off succeeded");
    }
    adapter_destroy(&a);
    nor_destroy(dev);
}
