/* The read-only mount (nbs_config.read_only, SPEC section 6.5): every write call is refused with
 * NBS_E_READ_ONLY and changes nothing; blank flash and a store after erase_all mount empty; and
 * after a power cut at every flash operation of a small workload (map and queue, each torn mode
 * of the RAM flash that reads the same every time), and after a second cut at each of the first
 * operations of the recovery mount, the read-only view equals the view of the read-write mount
 * that follows, with not one program or erase and every byte as it was. */
#include "ram_flash.h"

#include "nbs.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PAGES = 4, PAGE_SIZE = 256, VIEW_MAX = 1024 };

typedef struct store {
    ram_flash rf;
    nbs_config cfg;
    uint8_t work[512];
    nbs_map map;
    nbs_queue queue;
    bool is_map;
} store;

static void open_store(store *s, bool is_map, uint64_t seed) {
    memset(s, 0, sizeof *s);
    cr_assert_eq(ram_flash_init(&s->rf, PAGES, PAGE_SIZE, 1, 0xFF, seed), 0);
    s->cfg.flash = ram_flash_bind(&s->rf);
    s->cfg.work = s->work;
    s->cfg.work_size = sizeof s->work;
    s->is_map = is_map;
}

static int mount_as(store *s, bool read_only) {
    s->cfg.read_only = read_only;
    memset(&s->map, 0xA5, sizeof s->map);
    memset(&s->queue, 0xA5, sizeof s->queue);
    return s->is_map ? nbs_map_mount(&s->map, &s->cfg) : nbs_queue_mount(&s->queue, &s->cfg);
}

/* Everything the store reads, as text: each item by iteration, then the count. */
static void view(store *s, char *out) {
    size_t used = 0;
    uint8_t key[NBS_KEY_MAX], value[PAGE_SIZE];
    size_t klen = 0, vlen = 0;
    int rc;
    if (s->is_map) {
        nbs_map_iter it;
        nbs_map_iter_init(&s->map, &it);
        while ((rc = nbs_map_iter_next(&it, key, sizeof key, &klen, value, sizeof value, &vlen)) ==
               NBS_OK)
            used += (size_t)snprintf(out + used, VIEW_MAX - used, "%.*s=%.*s;", (int)klen,
                                     (char *)key, (int)vlen, (char *)value);
    } else {
        nbs_queue_iter it;
        nbs_queue_iter_init(&s->queue, &it);
        while ((rc = nbs_queue_iter_next(&it, value, sizeof value, &vlen)) == NBS_OK)
            used +=
                (size_t)snprintf(out + used, VIEW_MAX - used, "%.*s;", (int)vlen, (char *)value);
    }
    cr_assert_eq(rc, NBS_E_END, "iteration: %s", nbs_strerror(rc));
    uint32_t count = 0;
    rc = s->is_map ? nbs_map_count(&s->map, &count) : nbs_queue_count(&s->queue, &count);
    cr_assert_eq(rc, NBS_OK, "count: %s", nbs_strerror(rc));
    snprintf(out + used, VIEW_MAX - used, "count %u", (unsigned)count);
}

/* A workload with overwrites, removals and GC rounds (map), or pushes over several pages and
 * pops (queue); stops at the first error (the cut). */
static int workload(store *s) {
    char value[48];
    int rc = NBS_OK;
    for (int i = 0; i < 14 && !rc; i++) {
        snprintf(value, sizeof value, "value-%02d-%s", i, i % 3 ? "long-long-long-long" : "x");
        if (s->is_map) {
            char key[2] = {(char)('a' + i % 3), 0};
            rc = nbs_map_store(&s->map, key, 1, value, strlen(value));
            if (!rc && i % 5 == 4) rc = nbs_map_remove(&s->map, "b", 1);
        } else {
            rc = nbs_queue_push(&s->queue, value, strlen(value), 0);
            if (!rc && i % 2) rc = nbs_queue_pop(&s->queue, value, sizeof value, NULL);
        }
    }
    return rc;
}

/* The store a cut at flash operation `cut` left, in `mode` (and, when `second` >= 0, another cut
 * at that operation of the recovery mount, which leaves a temporary copy or a page half erased):
 * read-only and read-write views. */
static void check_cut(bool is_map, long cut, ram_torn mode, long second) {
    store s;
    open_store(&s, is_map, (uint64_t)cut * 7 + mode);
    cr_assert_eq(mount_as(&s, false), NBS_OK);
    ram_flash_arm_cut(&s.rf, cut, mode);
    bool landed = workload(&s) != NBS_OK; /* else: past the workload's last operation */
    ram_flash_power_on(&s.rf);
    if (landed && second >= 0) {
        ram_flash_arm_cut(&s.rf, second, RAM_TORN_PREFIX);
        landed = mount_as(&s, false) != NBS_OK && !s.rf.powered;
        ram_flash_power_on(&s.rf);
    }
    if (!landed) {
        ram_flash_free(&s.rf);
        return;
    }
    size_t bytes = (size_t)PAGES * PAGE_SIZE;
    uint8_t *before = malloc(bytes);
    memcpy(before, s.rf.mem, bytes);
    uint64_t programs = s.rf.programs, erases = s.rf.erases;
    char ro[VIEW_MAX], rw[VIEW_MAX];
    int rc = mount_as(&s, true);
    cr_assert_eq(rc, NBS_OK, "cut %ld mode %d: read-only mount: %s", cut, mode, nbs_strerror(rc));
    view(&s, ro);
    cr_assert(s.rf.programs == programs && s.rf.erases == erases &&
                  !memcmp(before, s.rf.mem, bytes),
              "cut %ld mode %d: the read-only mount wrote", cut, mode);
    cr_assert_eq(mount_as(&s, false), NBS_OK);
    view(&s, rw);
    cr_assert_str_eq(ro, rw, "cut %ld mode %d: read-only view differs: %s / %s", cut, mode, ro, rw);
    free(before);
    ram_flash_free(&s.rf);
}

static void every_cut(bool is_map) {
    const ram_torn modes[] = {RAM_TORN_NONE, RAM_TORN_PREFIX, RAM_TORN_BITS, RAM_TORN_FULL};
    for (long cut = 0; cut < 200; cut++)
        for (size_t m = 0; m < sizeof modes / sizeof *modes; m++)
            for (long second = -1; second < 12; second++) check_cut(is_map, cut, modes[m], second);
}

Test(read_only, a_map_reads_as_its_recovery_would_after_a_cut_anywhere) {
    every_cut(true);
}

Test(read_only, a_queue_reads_as_its_recovery_would_after_a_cut_anywhere) {
    every_cut(false);
}

Test(read_only, every_write_call_is_refused_and_changes_nothing) {
    for (int is_map = 0; is_map < 2; is_map++) {
        store s;
        open_store(&s, is_map, 1);
        cr_assert_eq(mount_as(&s, false), NBS_OK);
        cr_assert_eq(workload(&s), NBS_OK);
        char want[VIEW_MAX], got[VIEW_MAX];
        view(&s, want);
        cr_assert_eq(mount_as(&s, true), NBS_OK);
        uint64_t programs = s.rf.programs, erases = s.rf.erases;
        uint8_t buf[64];
        if (is_map) {
            cr_assert_eq(nbs_map_store(&s.map, "a", 1, "z", 1), NBS_E_READ_ONLY);
            cr_assert_eq(nbs_map_remove(&s.map, "a", 1), NBS_E_READ_ONLY);
            cr_assert_eq(nbs_map_remove(&s.map, "absent", 6), NBS_E_READ_ONLY);
            cr_assert_eq(nbs_map_remove_all(&s.map), NBS_E_READ_ONLY);
            cr_assert_eq(nbs_map_erase_all(&s.map), NBS_E_READ_ONLY);
        } else {
            cr_assert_eq(nbs_queue_push(&s.queue, "z", 1, NBS_PUSH_DROP_OLDEST), NBS_E_READ_ONLY);
            cr_assert_eq(nbs_queue_pop(&s.queue, buf, sizeof buf, NULL), NBS_E_READ_ONLY);
            cr_assert_eq(nbs_queue_erase_all(&s.queue), NBS_E_READ_ONLY);
            nbs_queue_iter it;
            nbs_queue_iter_init(&s.queue, &it);
            cr_assert_eq(nbs_queue_iter_next(&it, buf, sizeof buf, NULL), NBS_OK);
            cr_assert_eq(nbs_queue_iter_pop_current(&it), NBS_E_READ_ONLY);
        }
        view(&s, got);
        cr_assert_str_eq(got, want, "the refused writes changed what the store reads: %s / %s", got,
                         want);
        cr_assert(s.rf.programs == programs && s.rf.erases == erases, "a refused write wrote");
        ram_flash_free(&s.rf);
    }
}

Test(read_only, the_error_has_its_own_message) {
    cr_assert_str_eq(nbs_strerror(NBS_E_READ_ONLY), "store mounted read-only");
    cr_assert_str_eq(nbs_strerror(NBS_E_READ_ONLY - 1), "unknown error");
}

Test(read_only, blank_flash_and_an_erased_store_mount_empty_without_a_write) {
    for (int is_map = 0; is_map < 2; is_map++) {
        store s;
        open_store(&s, is_map, 2);
        char got[VIEW_MAX];
        cr_assert_eq(mount_as(&s, true), NBS_OK);
        view(&s, got);
        cr_assert_str_eq(got, "count 0");
        cr_assert(s.rf.programs == 0 && s.rf.erases == 0, "a read-only mount of blank flash wrote");
        cr_assert_eq(mount_as(&s, false), NBS_OK);
        cr_assert_eq(workload(&s), NBS_OK);
        cr_assert_eq(is_map ? nbs_map_erase_all(&s.map) : nbs_queue_erase_all(&s.queue), NBS_OK);
        uint64_t programs = s.rf.programs, erases = s.rf.erases;
        cr_assert_eq(mount_as(&s, true), NBS_OK);
        view(&s, got);
        cr_assert_str_eq(got, "count 0");
        cr_assert(s.rf.programs == programs && s.rf.erases == erases,
                  "a read-only mount after erase_all wrote");
        ram_flash_free(&s.rf);
    }
}
