/* The engine built without the read-only mount (NBS_WITH_READ_ONLY=0, the build `make size`
 * counts for map and queue): a mount that asks for read-only is refused with NBS_E_INVAL and
 * touches no flash (the inspection, which mounts read-only, too), and the read-write store keeps
 * its durability without the option's code: a power cut at each flash operation of a store or a
 * pop leaves the old or the new state, the new one when the call returned success. Linked with
 * nbs_no_read_only, not nbsim (named option_test_*.c: the test_*.c glob links nbsim). */
#include "ram_flash.h"

#include "nbs.h"

#include <criterion/criterion.h>
#include <string.h>

enum { PAGES = 4, PAGE_SIZE = 256, CUTS_MAX = 200 };

typedef struct store {
    ram_flash rf;
    nbs_config cfg;
    uint8_t work[512];
} store;

static void open_store(store *s, uint64_t seed) {
    memset(s, 0, sizeof *s);
    cr_assert_eq(ram_flash_init(&s->rf, PAGES, PAGE_SIZE, 1, 0xFF, seed), 0);
    s->cfg.flash = ram_flash_bind(&s->rf);
    s->cfg.work = s->work;
    s->cfg.work_size = sizeof s->work;
}

Test(no_read_only, read_only_mounts_are_refused_and_touch_nothing) {
    store s;
    nbs_map map;
    nbs_queue q;
    open_store(&s, 1);
    cr_assert_eq(nbs_map_mount(&map, &s.cfg), NBS_OK);
    cr_assert_eq(nbs_map_store(&map, "k", 1, "v", 1), NBS_OK);
    uint64_t programs = s.rf.programs, erases = s.rf.erases;
    s.cfg.read_only = true;
    cr_assert_eq(nbs_map_mount(&map, &s.cfg), NBS_E_INVAL);
    cr_assert_eq(nbs_map_fetch(&map, "k", 1, NULL, 0, NULL), NBS_E_NOT_MOUNTED);
    cr_assert_eq(nbs_queue_mount(&q, &s.cfg), NBS_E_INVAL);
    nbs_log log;
    nbs_inspect_summary summary;
    cr_assert_eq(nbs_inspect(&log, &s.cfg, false, 0, PAGES, NULL, &summary), NBS_E_INVAL);
    cr_assert_eq(s.rf.programs, programs);
    cr_assert_eq(s.rf.erases, erases);
    ram_flash_free(&s.rf);
}

/* The value of "k" after a cut at the operation `cut` of its second store: 1 the old, 2 the new;
 * -1 when the store ran to its end before the cut. */
static int map_after_cut(long cut, ram_torn mode) {
    store s;
    nbs_map map;
    uint8_t value = 0;
    size_t len = 0;
    open_store(&s, (uint64_t)cut + 7);
    cr_assert_eq(nbs_map_mount(&map, &s.cfg), NBS_OK);
    cr_assert_eq(nbs_map_store(&map, "k", 1, "\x01", 1), NBS_OK);
    ram_flash_arm_cut(&s.rf, cut, mode);
    int stored = nbs_map_store(&map, "k", 1, "\x02", 1);
    bool fired = !s.rf.powered;
    ram_flash_power_on(&s.rf);
    cr_assert_eq(nbs_map_mount(&map, &s.cfg), NBS_OK, "cut %ld: the mount after it failed", cut);
    cr_assert_eq(nbs_map_fetch(&map, "k", 1, &value, 1, &len), NBS_OK, "cut %ld", cut);
    cr_assert(value == 1 || value == 2, "cut %ld: k reads %u", cut, value);
    cr_assert(stored != NBS_OK || value == 2, "cut %ld: a store that succeeded is lost", cut);
    ram_flash_free(&s.rf);
    return fired ? value : -1;
}

/* The head after a cut at the operation `cut` of a pop of "a" (then "b" is queued): 'a' or 'b';
 * -1 when the pop ran to its end before the cut. */
static int queue_after_cut(long cut, ram_torn mode) {
    store s;
    nbs_queue q;
    uint8_t head = 0, popped_entry;
    size_t len = 0;
    open_store(&s, (uint64_t)cut + 11);
    cr_assert_eq(nbs_queue_mount(&q, &s.cfg), NBS_OK);
    cr_assert_eq(nbs_queue_push(&q, "a", 1, 0), NBS_OK);
    cr_assert_eq(nbs_queue_push(&q, "b", 1, 0), NBS_OK);
    ram_flash_arm_cut(&s.rf, cut, mode);
    int popped = nbs_queue_pop(&q, &popped_entry, 1, NULL);
    bool fired = !s.rf.powered;
    ram_flash_power_on(&s.rf);
    cr_assert_eq(nbs_queue_mount(&q, &s.cfg), NBS_OK, "cut %ld: the mount after it failed", cut);
    cr_assert_eq(nbs_queue_peek(&q, &head, 1, &len), NBS_OK, "cut %ld", cut);
    cr_assert(head == 'a' || head == 'b', "cut %ld: the head reads %u", cut, head);
    cr_assert(popped != NBS_OK || head == 'b', "cut %ld: a pop that succeeded came back", cut);
    ram_flash_free(&s.rf);
    return fired ? head : -1;
}

/* Cuts at each flash operation of the call `after_cut` makes, in each torn mode, until one
 * runs to its end before the cut. */
static void cut_at_each_operation(int (*after_cut)(long cut, ram_torn mode)) {
    ram_torn modes[] = {RAM_TORN_NONE, RAM_TORN_PREFIX, RAM_TORN_BITS};
    for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
        long cut = 0;
        while (after_cut(cut, modes[m]) >= 0) cr_assert_lt(++cut, CUTS_MAX);
        cr_assert_gt(cut, 0, "the call made no flash operation");
    }
}

Test(no_read_only, a_cut_at_each_operation_of_a_store_keeps_old_or_new) {
    cut_at_each_operation(map_after_cut);
}

Test(no_read_only, a_cut_at_each_operation_of_a_pop_keeps_old_or_new) {
    cut_at_each_operation(queue_after_cut);
}
