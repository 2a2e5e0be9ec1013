/* The read-only mount (nbs_config.read_only, SPEC section 6.5): every write call is refused with
 * NBS_E_READ_ONLY and changes nothing; blank flash and a store after erase_all mount empty; and
 * after a power cut at every flash operation of a small workload (map and queue, each torn mode
 * of the RAM flash that reads the same every time), and after a second cut at each of the first
 * operations of the recovery mount, the read-only view equals the view of the read-write mount
 * that follows, with not one program or erase and every byte as it was. */
#include "ram_flash.h"
#include "weak_flash.h"

#include "nbs.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PAGES = 4, PAGE_SIZE = 256, VIEW_MAX = 1024, MANY_PAGES = 12 };

typedef struct store {
    ram_flash rf;
    nbs_config cfg;
    uint8_t work[512];
    nbs_map map;
    nbs_queue queue;
    bool is_map;
} store;

static void open_store_of(store *s, bool is_map, uint32_t pages, uint64_t seed) {
    memset(s, 0, sizeof *s);
    cr_assert_eq(ram_flash_init(&s->rf, pages, PAGE_SIZE, 1, 0xFF, seed), 0);
    s->cfg.flash = ram_flash_bind(&s->rf);
    s->cfg.work = s->work;
    s->cfg.work_size = sizeof s->work;
    s->is_map = is_map;
}

static void open_store(store *s, bool is_map, uint64_t seed) {
    open_store_of(s, is_map, PAGES, seed);
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

static nbs_space space_of(store *s) {
    nbs_space sp;
    int rc = s->is_map ? nbs_map_space(&s->map, &sp) : nbs_queue_space(&s->queue, &sp);
    cr_assert_eq(rc, NBS_OK, "space: %s", nbs_strerror(rc));
    return sp;
}

/* SPEC 6.5: the read-only store's space figures are those of the store as read. Its live bytes
 * and total are the read-write mount's; the bytes a recovery drops (fillers, MARKs, popped
 * entries and a dropped last item of a page it rewrites) stay reclaimable, so reclaimable is at
 * least the read-write mount's and free_now at most; with nothing to recover (the read-write
 * mount wrote nothing) every figure is the same. */
static void check_space(const nbs_space *ro, const nbs_space *rw, bool recovered, long cut,
                        int mode) {
    cr_assert(ro->total == rw->total && ro->live == rw->live,
              "cut %ld mode %d: read-only live %u of %u, read-write %u of %u", cut, mode, ro->live,
              ro->total, rw->live, rw->total);
    cr_assert(ro->reclaimable >= rw->reclaimable && ro->free_now <= rw->free_now,
              "cut %ld mode %d: read-only reclaimable %u free %u, read-write %u %u", cut, mode,
              ro->reclaimable, ro->free_now, rw->reclaimable, rw->free_now);
    cr_assert(recovered || !memcmp(ro, rw, sizeof *ro),
              "cut %ld mode %d: nothing recovered, yet read-only reclaimable %u free %u overhead "
              "%u, read-write %u %u %u",
              cut, mode, ro->reclaimable, ro->free_now, ro->overhead, rw->reclaimable, rw->free_now,
              rw->overhead);
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
    nbs_space ro_space = space_of(&s);
    cr_assert(s.rf.programs == programs && s.rf.erases == erases &&
                  !memcmp(before, s.rf.mem, bytes),
              "cut %ld mode %d: the read-only mount wrote", cut, mode);
    cr_assert_eq(mount_as(&s, false), NBS_OK);
    bool recovered = s.rf.programs != programs || s.rf.erases != erases;
    view(&s, rw);
    nbs_space rw_space = space_of(&s);
    check_space(&ro_space, &rw_space, recovered, cut, mode);
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

/* FINDINGS R3: a queue on 12 pages, 36 pushes of 5 entries a page and 30 pops, then a push cut
 * and the read-write mount's recovery cut after it wrote a temporary copy; then the headers of
 * the first `spoiled` pages (dead pages of popped entries, below the copy) read as no store's
 * (garbage, SPEC 3.3). Both mounts erase the garbage before they settle the copy; the read-only
 * one must remember every such erase, or it meets the copy again at every pass. Returns whether
 * the case had a temporary copy to settle. */
static bool check_copy_above_garbage(long cut, ram_torn mode, long second, uint32_t spoiled) {
    store s;
    open_store_of(&s, false, MANY_PAGES, (uint64_t)cut * 13 + (uint64_t)second);
    cr_assert_eq(mount_as(&s, false), NBS_OK);
    char value[48];
    for (int i = 0; i < 36; i++) {
        snprintf(value, sizeof value, "entry-%02d-of-forty-bytes-.............", i);
        cr_assert_eq(nbs_queue_push(&s.queue, value, 40, 0), NBS_OK);
    }
    for (int i = 0; i < 30; i++)
        cr_assert_eq(nbs_queue_pop(&s.queue, value, sizeof value, NULL), NBS_OK);
    ram_flash_arm_cut(&s.rf, cut, mode);
    int rc = NBS_OK;
    for (int i = 0; i < 4 && !rc; i++) rc = nbs_queue_push(&s.queue, "last-push", 9, 0);
    ram_flash_power_on(&s.rf);
    ram_flash_arm_cut(&s.rf, second, RAM_TORN_FULL);
    bool landed = rc && mount_as(&s, false) != NBS_OK && !s.rf.powered;
    ram_flash_power_on(&s.rf);
    bool copy = false; /* a queue page header of this version with an odd generation */
    for (uint32_t p = spoiled; landed && p < MANY_PAGES; p++) {
        uint8_t b0 = s.rf.mem[p * PAGE_SIZE];
        copy |= (b0 & 0xF8u) == 0x98u && (b0 & 1u);
    }
    if (!copy) {
        ram_flash_free(&s.rf);
        return false;
    }
    for (uint32_t p = 0; p < spoiled; p++)
        s.rf.mem[p * PAGE_SIZE] = 0x00; /* kind 00: reserved, no store's header */
    char ro[VIEW_MAX], rw[VIEW_MAX];
    rc = mount_as(&s, true);
    cr_assert_eq(rc, NBS_OK, "cut %ld/%ld: read-only mount: %s", cut, second, nbs_strerror(rc));
    view(&s, ro);
    cr_assert_eq(mount_as(&s, false), NBS_OK);
    view(&s, rw);
    cr_assert_str_eq(ro, rw, "cut %ld/%ld: read-only view differs: %s / %s", cut, second, ro, rw);
    cr_assert(strstr(rw, "entry-35"), "cut %ld/%ld: the spoiled pages were live: %s", cut, second,
              rw);
    ram_flash_free(&s.rf);
    return true;
}

Test(read_only, garbage_pages_below_a_temporary_copy_read_as_the_recovery_would) {
    const ram_torn modes[] = {RAM_TORN_PREFIX, RAM_TORN_BITS};
    unsigned copies = 0;
    for (long cut = 0; cut < 12; cut++)
        for (size_t m = 0; m < sizeof modes / sizeof *modes; m++)
            for (long second = 0; second < 10; second++)
                copies += check_copy_above_garbage(cut, modes[m], second, 6);
    cr_assert_gt(copies, 10u, "only %u cases left a temporary copy", copies);
}

/* FINDINGS R5: a cut tore the program of the newest page's last seal, leaving its cells weak
 * (map: a removal of one of three keys; queue: the fourth push). The mount reads the seal as
 * `at_mount`, every later read the other way. Whatever the mount decided, the reads after it
 * must not decide the seal again (SPEC section 4): the read-only store reads as the read-write
 * one, which keeps the item whichever way its seal read (its CRC matches). */
static void check_seal_weak_after_mount(bool is_map, weak_read at_mount) {
    store s;
    open_store(&s, is_map, 5);
    weak_flash weak;
    nbs_flash ram = s.cfg.flash;
    s.cfg.flash = weak_flash_bind(&weak, &ram);
    cr_assert_eq(mount_as(&s, false), NBS_OK);
    const char *keys[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(is_map ? nbs_map_store(&s.map, keys[i], 1, "value", 5)
                            : nbs_queue_push(&s.queue, keys[i], 1, 0),
                     NBS_OK);
    static uint8_t before[PAGES * PAGE_SIZE];
    memcpy(before, s.rf.mem, sizeof before);
    cr_assert_eq(is_map ? nbs_map_remove(&s.map, "b", 1) : nbs_queue_push(&s.queue, "d", 1, 0),
                 NBS_OK);
    uint32_t seal = 0; /* the item's first byte is its seal S (flag units come first) */
    while (seal < sizeof before && before[seal] == s.rf.mem[seal]) seal++;
    cr_assert_lt(seal, sizeof before);
    const weak_read later = at_mount == WEAK_AS_STORED ? WEAK_AS_ERASED : WEAK_AS_STORED;
    int region = weak_flash_add(&weak, seal, 1, NULL, NULL, 0, at_mount);
    char ro[VIEW_MAX], rw[VIEW_MAX];
    cr_assert_eq(mount_as(&s, true), NBS_OK);
    weak_flash_settle(&weak, region, later);
    view(&s, ro);
    weak_flash_settle(&weak, region, at_mount);
    cr_assert_eq(mount_as(&s, false), NBS_OK);
    weak_flash_settle(&weak, region, later);
    view(&s, rw);
    cr_assert_str_eq(ro, rw, "seal read %d at mount: read-only view differs: %s / %s", at_mount, ro,
                     rw);
    cr_assert_str_eq(rw, is_map ? "a=value;c=value;count 2" : "a;b;c;d;count 4");
    ram_flash_free(&s.rf);
}

Test(read_only, a_seal_left_weak_reads_as_its_mount_decided_it) {
    for (int is_map = 0; is_map < 2; is_map++) {
        check_seal_weak_after_mount(is_map, WEAK_AS_STORED);
        check_seal_weak_after_mount(is_map, WEAK_AS_ERASED);
    }
}

/* More pages than a page has GC note slots (40 pages of 64 bytes: 8 slots): the work buffer's
 * notes still hold a bit per page (SPEC section 7), so a read-only mount that erases every page
 * in RAM stays inside the buffer nbs_work_bytes_min() asks for and reads as the read-write
 * mount. */
Test(read_only, a_mount_that_erases_every_free_page_stays_inside_its_work_buffer) {
    enum { SMALL_PAGES = 40, SMALL_PAGE = 64, GUARD = 64 };
    store s;
    memset(&s, 0, sizeof s);
    cr_assert_eq(ram_flash_init(&s.rf, SMALL_PAGES, SMALL_PAGE, 1, 0xFF, 3), 0);
    s.cfg.flash = ram_flash_bind(&s.rf);
    size_t need = nbs_work_bytes_min(&s.cfg.flash);
    cr_assert_leq(need + GUARD, sizeof s.work);
    memset(s.work, 0xA5, sizeof s.work);
    s.cfg.work = s.work;
    s.cfg.work_size = need;
    cr_assert_eq(mount_as(&s, false), NBS_OK);
    for (int i = 0; i < 12; i++) cr_assert_eq(nbs_queue_push(&s.queue, "entry", 5, 0), NBS_OK);
    for (uint32_t p = 0; p < SMALL_PAGES; p++) {
        uint8_t *page = s.rf.mem + p * SMALL_PAGE;
        bool erased = true;
        for (uint32_t i = 0; i < SMALL_PAGE; i++) erased &= page[i] == 0xFF;
        if (erased) page[0] = 0x00; /* kind 00: no store's header, erased by a mount */
    }
    memset(s.work + need, 0xA5, GUARD);
    char ro[VIEW_MAX], rw[VIEW_MAX];
    cr_assert_eq(mount_as(&s, true), NBS_OK);
    view(&s, ro);
    for (size_t i = need; i < need + GUARD; i++)
        cr_assert_eq(s.work[i], 0xA5, "the read-only mount wrote past its work buffer, at +%zu",
                     i - need);
    cr_assert_eq(mount_as(&s, false), NBS_OK);
    view(&s, rw);
    cr_assert_str_eq(ro, rw, "read-only view differs: %s / %s", ro, rw);
    cr_assert(strstr(rw, "count 12"), "%s", rw);
    ram_flash_free(&s.rf);
}

/* What a refused write call must leave as it was: every byte of the work buffer (its notes
 * hold the read-only mount's erase decisions), the store's RAM state, and the flash, not even
 * read. */
typedef struct store_memory {
    uint8_t work[sizeof((store *)0)->work];
    nbs_map map;
    nbs_queue queue;
    uint64_t reads, programs, erases;
} store_memory;

static void remember(const store *s, store_memory *m) {
    memcpy(m->work, s->work, sizeof m->work);
    memcpy(&m->map, &s->map, sizeof m->map); /* padding included: memcmp reads it */
    memcpy(&m->queue, &s->queue, sizeof m->queue);
    m->reads = s->rf.reads, m->programs = s->rf.programs, m->erases = s->rf.erases;
}

/* rc is NBS_E_READ_ONLY and the call touched nothing of `before`. */
static void refused_untouched(const store *s, const store_memory *before, int rc,
                              const char *call) {
    cr_assert_eq(rc, NBS_E_READ_ONLY, "%s: %s", call, nbs_strerror(rc));
    for (size_t i = 0; i < sizeof before->work; i++)
        cr_assert_eq(s->work[i], before->work[i], "%s: the work buffer changed at byte %zu", call,
                     i);
    cr_assert(!memcmp(&s->map, &before->map, sizeof s->map) &&
                  !memcmp(&s->queue, &before->queue, sizeof s->queue),
              "%s: the store's RAM state changed", call);
    cr_assert(s->rf.reads == before->reads && s->rf.programs == before->programs &&
                  s->rf.erases == before->erases,
              "%s: the flash was used (reads %llu, programs %llu, erases %llu more)", call,
              (unsigned long long)(s->rf.reads - before->reads),
              (unsigned long long)(s->rf.programs - before->programs),
              (unsigned long long)(s->rf.erases - before->erases));
}

/* Each call in turn, against the state just before it. */
#define EXPECT_UNTOUCHED(s, call)                                                                  \
    do {                                                                                           \
        store_memory before_;                                                                      \
        remember(s, &before_);                                                                     \
        refused_untouched(s, &before_, call, #call);                                               \
    } while (0)

Test(read_only, every_write_call_is_refused_and_changes_nothing) {
    for (int is_map = 0; is_map < 2; is_map++) {
        store s;
        open_store(&s, is_map, 1);
        cr_assert_eq(mount_as(&s, false), NBS_OK);
        cr_assert_eq(workload(&s), NBS_OK);
        char want[VIEW_MAX], got[VIEW_MAX];
        view(&s, want);
        cr_assert_eq(mount_as(&s, true), NBS_OK);
        uint8_t buf[64];
        if (is_map) {
            EXPECT_UNTOUCHED(&s, nbs_map_store(&s.map, "a", 1, "z", 1));
            /* A new key and a larger value: a read-write store would make room for it first. */
            EXPECT_UNTOUCHED(&s, nbs_map_store(&s.map, "new", 3, buf, sizeof buf));
            EXPECT_UNTOUCHED(&s, nbs_map_remove(&s.map, "a", 1));
            EXPECT_UNTOUCHED(&s, nbs_map_remove(&s.map, "absent", 6));
            EXPECT_UNTOUCHED(&s, nbs_map_remove_all(&s.map));
            EXPECT_UNTOUCHED(&s, nbs_map_erase_all(&s.map));
        } else {
            EXPECT_UNTOUCHED(&s, nbs_queue_push(&s.queue, "z", 1, NBS_PUSH_DROP_OLDEST));
            EXPECT_UNTOUCHED(&s, nbs_queue_pop(&s.queue, buf, sizeof buf, NULL));
            EXPECT_UNTOUCHED(&s, nbs_queue_erase_all(&s.queue));
            nbs_queue_iter it;
            nbs_queue_iter_init(&s.queue, &it);
            cr_assert_eq(nbs_queue_iter_next(&it, buf, sizeof buf, NULL), NBS_OK);
            nbs_queue_iter at;
            memcpy(&at, &it, sizeof at);
            EXPECT_UNTOUCHED(&s, nbs_queue_iter_pop_current(&it));
            cr_assert(!memcmp(&at, &it, sizeof it), "the refused pop moved the iterator");
        }
        view(&s, got);
        cr_assert_str_eq(got, want, "the refused writes changed what the store reads: %s / %s", got,
                         want);
        ram_flash_free(&s.rf);
    }
}

Test(read_only, the_error_has_its_own_message) {
    cr_assert_str_eq(nbs_strerror(NBS_E_READ_ONLY), "store mounted read-only");
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
