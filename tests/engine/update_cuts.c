/* The update layer under power cuts, as MCUboot's simulator tests its bootloader and beyond: a
 * history (install v2 as a test boot, revert it, send v3, install it, confirm it, boot again) is
 * cut at every flash operation in each torn mode; then the device is powered on, the state map
 * mounted and booted, and the image that runs must be one the history allows at that point
 * (old or new as the recorded state says), whole (its header and CRC check), and stable: a
 * boot after it runs what it implies (the old image after a test boot, else the same). At depth
 * 2 that recovery boot is itself cut at each of its operations first. Also: a pending image
 * damaged after its complete is rejected at boot, never installed. Exit 0 when all hold, 1 with
 * the first failure. Built against the real engine and against the broken ones
 * (update-record-first, update-no-crc), which it must catch.
 * Usage: update_cuts GEOMETRY DEPTH (GEOMETRY: tiny, stm32f4, stm32l4, nrf52840; DEPTH 1 or 2);
 * update_cuts GEOMETRY measure prints the flash traffic of one upgrade and one revert of an
 * image of 64 KiB (header included) over one of 64 KiB, uncut. */
#include "update_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct run_image {
    uint8_t major; /* 0: no valid image */
    bool test;
} run_image;

/* The history's actions and what a boot after a cut inside each may run. */
typedef enum action { BOOT, SEND_V3, CONFIRM } action;
typedef struct history_step {
    action what;
    run_image expect;     /* the action's own result (boots) */
    run_image allowed[2]; /* after a cut inside it, the recovery boot runs one of these */
} history_step;

static const history_step history[] = {
    {BOOT, {2, true}, {{2, true}, {1, false}}},     /* install v2 (test) */
    {BOOT, {1, false}, {{1, false}, {1, false}}},   /* v2 unconfirmed: revert to v1 */
    {SEND_V3, {0, false}, {{1, false}, {3, true}}}, /* write v3, complete */
    {BOOT, {3, true}, {{3, true}, {1, false}}},     /* install v3 (test) */
    {CONFIRM, {0, false}, {{3, false}, {1, false}}},
    {BOOT, {3, false}, {{3, false}, {3, false}}}, /* confirmed: stays */
};
enum { HISTORY_STEPS = sizeof history / sizeof history[0] };

typedef struct world {
    upd_fixture *f;
    const char *geometry;
    uint8_t *v1, *v2, *v3;
    uint32_t size1, size2, size3;
    char where[160];
} world;

static int fail(const world *w, const char *what, const char *detail) {
    printf("FAIL %s: %s: %s (%s)\n", w->geometry, w->where, what, detail ? detail : "");
    return 1;
}

static int boot(world *w, run_image *out) {
    nbs_boot_info info;
    int rc = nbs_update_boot(&w->f->slots, &info);
    if (rc) return rc;
    out->major = info.has_image ? info.version.major : 0;
    out->test = info.test;
    return 0;
}

static int do_action(world *w, const history_step *s, run_image *got) {
    switch (s->what) {
    case BOOT: return boot(w, got);
    case SEND_V3: return upd_image_send(w->f, w->v3, w->size3, w->size3 / 16 + 1);
    case CONFIRM: return nbs_update_confirm(&w->f->slots);
    }
    return -1;
}

static bool same(run_image a, run_image b) {
    return a.major == b.major && a.test == b.test;
}

static void power_up(world *w) {
    nor_disarm_cut(w->f->dev);
    nor_power_on(w->f->dev);
}

/* After a cut inside history step `s`: power on, mount, boot (cut again at `second` when not
 * 0), and judge the image that runs and the boot after it. */
static int recover_and_check(world *w, const history_step *s, uint64_t second) {
    power_up(w);
    int rc = upd_fixture_mount(w->f);
    if (rc) return fail(w, "mount after the cut", nbs_strerror(rc));
    run_image r;
    if (second) {
        nor_arm_cut_after_ops(w->f->dev, second - 1);
        rc = boot(w, &r);
        if (nor_is_powered(w->f->dev)) { /* the recovery boot made fewer operations */
            nor_disarm_cut(w->f->dev);
            return rc ? fail(w, "recovery boot", nbs_strerror(rc)) : 2;
        }
        power_up(w);
        rc = upd_fixture_mount(w->f);
        if (rc) return fail(w, "mount after the second cut", nbs_strerror(rc));
    }
    rc = boot(w, &r);
    if (rc) return fail(w, "recovery boot", nbs_strerror(rc));
    if (!same(r, s->allowed[0]) && !same(r, s->allowed[1])) {
        char d[80];
        snprintf(d, sizeof d, "runs v%u%s", r.major, r.test ? " (test)" : "");
        return fail(w, "the recovery boot runs an image the history does not allow", d);
    }
    run_image next, want = r.test ? (run_image){1, false} : r;
    rc = boot(w, &next);
    if (rc) return fail(w, "the boot after the recovery", nbs_strerror(rc));
    if (!same(next, want)) {
        char d[80];
        snprintf(d, sizeof d, "runs v%u%s after v%u%s", next.major, next.test ? " (test)" : "",
                 r.major, r.test ? " (test)" : "");
        return fail(w, "the boot after the recovery", d);
    }
    return 0;
}

/* The history from the snapshot, cut after `cut` flash operations (UINT64_MAX: never). */
static int run_history(world *w, uint64_t cut, uint64_t second, bool *landed) {
    *landed = false;
    if (cut != UINT64_MAX) nor_arm_cut_after_ops(w->f->dev, cut);
    for (size_t i = 0; i < HISTORY_STEPS; i++) {
        const history_step *s = &history[i];
        run_image got = {0, false};
        int rc = do_action(w, s, &got);
        if (!nor_is_powered(w->f->dev)) {
            *landed = true;
            return recover_and_check(w, s, second);
        }
        if (rc) return fail(w, "history step", nbs_strerror(rc));
        if (s->what == BOOT && !same(got, s->expect)) {
            char d[80];
            snprintf(d, sizeof d, "step %zu runs v%u%s, expected v%u%s", i, got.major,
                     got.test ? " (test)" : "", s->expect.major, s->expect.test ? " (test)" : "");
            return fail(w, "uncut history", d);
        }
    }
    nor_disarm_cut(w->f->dev);
    return 0;
}

/* v1 installed and confirmed, v2 sent and complete: where the history starts. */
static int prepare(world *w) {
    run_image r;
    int rc = upd_image_send(w->f, w->v1, w->size1, 64);
    if (!rc) rc = boot(w, &r);
    if (!rc) rc = nbs_update_confirm(&w->f->slots);
    if (!rc) rc = upd_image_send(w->f, w->v2, w->size2, 29);
    return rc ? fail(w, "setting up v1 and v2", nbs_strerror(rc)) : 0;
}

/* A pending image whose body is damaged after its complete is rejected, v1 runs. */
static int damaged_pending_rejected(world *w) {
    snprintf(w->where, sizeof w->where, "a damaged pending image");
    uint32_t byte = w->f->parts[1].start + NBS_IMAGE_HEADER_BYTES + w->size2 / 2;
    nor_flip_bit(w->f->dev, byte, 3);
    nbs_boot_info info;
    int rc = nbs_update_boot(&w->f->slots, &info);
    if (rc) return fail(w, "boot", nbs_strerror(rc));
    if (info.action != NBS_BOOT_REJECTED || !info.has_image || info.version.major != 1)
        return fail(w, "installed a damaged image (or did not run v1)", NULL);
    return 0;
}

/* One boot's flash traffic, printed. */
static int measured_boot(world *w, const char *what) {
    nor_stats before, after;
    nor_get_stats(w->f->dev, &before);
    run_image r;
    int rc = boot(w, &r);
    nor_get_stats(w->f->dev, &after);
    if (rc) return fail(w, what, nbs_strerror(rc));
    printf("%s (%s, runs v%u%s): %llu programs (%llu bytes), %llu erases, %llu reads (%llu "
           "bytes), %.3f s of flash time\n",
           what, w->geometry, r.major, r.test ? " test" : "",
           (unsigned long long)(after.program_calls - before.program_calls),
           (unsigned long long)(after.program_bytes - before.program_bytes),
           (unsigned long long)(after.erase_calls - before.erase_calls),
           (unsigned long long)(after.read_calls - before.read_calls),
           (unsigned long long)(after.read_bytes - before.read_bytes),
           (double)(after.time_us - before.time_us) / 1e6);
    return 0;
}

static int measure(world *w) {
    w->size1 = w->size2 = 64 * 1024;
    w->v1 = malloc(w->size1), w->v2 = malloc(w->size2);
    upd_image_make(w->v1, w->size1, 1, 101);
    upd_image_make(w->v2, w->size2, 2, 102);
    snprintf(w->where, sizeof w->where, "measure");
    int rc = prepare(w) || measured_boot(w, "upgrade") || measured_boot(w, "revert");
    free(w->v1), free(w->v2);
    upd_fixture_free(w->f);
    return rc;
}

/* Every cut point of the history in every torn mode (and, at depth 2, every cut point of the
 * recovery boot after it), from the state `prepare` left. 0 or 1 (reported). */
static int cut_everywhere(world *w, int depth) {
    static const struct {
        nor_torn_program prog;
        nor_torn_erase erase;
    } modes[] = {{NOR_TORN_PROG_NONE, NOR_TORN_ERASE_NONE},
                 {NOR_TORN_PROG_FULL, NOR_TORN_ERASE_FULL},
                 {NOR_TORN_PROG_PREFIX, NOR_TORN_ERASE_PARTIAL},
                 {NOR_TORN_PROG_BITS, NOR_TORN_ERASE_WEAK},
                 {NOR_TORN_PROG_METASTABLE, NOR_TORN_ERASE_EARLY},
                 {NOR_TORN_PROG_EARLY, NOR_TORN_ERASE_MIDDLE},
                 {NOR_TORN_PROG_LATE, NOR_TORN_ERASE_LATE},
                 {NOR_TORN_PROG_SPREAD, NOR_TORN_ERASE_SPREAD}};
    nor_snapshot *start;
    if (nor_snapshot_take(w->f->dev, &start)) return fail(w, "a snapshot", "out of memory");
    int rc = damaged_pending_rejected(w);
    unsigned long tries = 0;
    for (size_t m = 0; !rc && m < sizeof modes / sizeof modes[0]; m++) {
        bool landed = true;
        for (uint64_t cut = 0; !rc && landed; cut++) {
            for (uint64_t second = 0; second == 0 || depth == 2; second++) {
                nor_snapshot_restore(w->f->dev, start);
                nor_mix_seed(w->f->dev, cut * 1000003u + second);
                nor_set_torn_modes(w->f->dev, modes[m].prog, modes[m].erase);
                snprintf(w->where, sizeof w->where,
                         "torn %s/%s, cut at operation %llu, second %llu",
                         nor_torn_program_name(modes[m].prog), nor_torn_erase_name(modes[m].erase),
                         (unsigned long long)cut, (unsigned long long)second);
                rc = upd_fixture_mount(w->f) ? fail(w, "mount at the start", NULL)
                                             : run_history(w, cut, second, &landed);
                tries++;
                if (rc == 2) { /* the recovery boot has no more operations to cut */
                    rc = 0;
                    break;
                }
                if (rc || !landed) break;
            }
        }
    }
    nor_snapshot_free(start);
    if (!rc)
        printf("ok %s depth %d: %lu cut runs, every recovery ran an image the history allows\n",
               w->geometry, depth, tries);
    return rc;
}

int main(int argc, char **argv) {
    bool measuring = argc == 3 && strcmp(argv[2], "measure") == 0;
    if (argc != 3 || (strcmp(argv[2], "1") && strcmp(argv[2], "2") && !measuring)) {
        fprintf(stderr, "usage: update_cuts tiny|stm32f4|stm32l4|nrf52840 1|2|measure\n");
        return 2;
    }
    world w = {.geometry = argv[1]};
    w.f = upd_fixture_new(argv[1], 7, false);
    if (!w.f) {
        fprintf(stderr, "update_cuts: unknown geometry '%s'\n", argv[1]);
        return 2;
    }
    if (measuring) return measure(&w);
    uint32_t slot = w.f->parts[0].size;
    w.size1 = slot * 5 / 8 + 3, w.size2 = slot * 7 / 8 + 1, w.size3 = slot / 2 + 5;
    w.v1 = malloc(w.size1), w.v2 = malloc(w.size2), w.v3 = malloc(w.size3);
    int rc = 1;
    if (w.v1 && w.v2 && w.v3) {
        upd_image_make(w.v1, w.size1, 1, 101);
        upd_image_make(w.v2, w.size2, 2, 102);
        upd_image_make(w.v3, w.size3, 3, 103);
        snprintf(w.where, sizeof w.where, "setup");
        rc = prepare(&w) ? 1 : cut_everywhere(&w, argv[2][0] - '0');
    }
    free(w.v1), free(w.v2), free(w.v3);
    upd_fixture_free(w.f);
    return rc;
}
