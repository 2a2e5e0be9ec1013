/* Power cuts and recovery checks shared by the map and queue targets (see fuzz_powercut.h). */
#include "fuzz_powercut.h"

#include "engine_check.h"
#include "fuzz_finding.h"
#include "fuzz_image_format.h"

#include <stdio.h>

/* Cuts inside one recovery mount, at most: a mount writes a handful of records. */
enum { MAX_RECOVERY_CUTS = 3, MAX_OPS_BEFORE_CUT = 64, MAX_OPS_INTO_MOUNT = 8 };

static void arm(fuzz_store *s, fuzz_input *in, uint32_t max_ops) {
    uint32_t ops = fuzz_input_below(in, max_ops);
    uint8_t modes = fuzz_input_u8(in);
    nor_set_torn_modes(s->f.dev, (nor_torn_program)(modes % 5), (nor_torn_erase)(modes / 5 % 4));
    nor_arm_cut_after_ops(s->f.dev, ops);
}

void fuzz_cut_arm(fuzz_store *s, fuzz_input *in) {
    arm(s, in, MAX_OPS_BEFORE_CUT);
}

void fuzz_power_on_and_mount(fuzz_store *s, fuzz_input *in) {
    char where[160];
    nor_power_on(s->f.dev);
    fuzz_image_save_if_asked(s, "NORBENCH_FUZZ_SAVE_CUT_IMAGE");
    for (int cuts = 0; cuts < MAX_RECOVERY_CUTS && fuzz_input_u8(in) % 4 == 0; cuts++) {
        arm(s, in, MAX_OPS_INTO_MOUNT);
        int rc = fuzz_store_mount(s);
        if (nor_is_powered(s->f.dev)) {
            nor_disarm_cut(s->f.dev);
            FUZZ_REQUIRE(s->target, rc == NBS_OK, "%s: recovery mount: %s",
                         fuzz_store_describe(s, where, sizeof where), nbs_strerror(rc));
            return;
        }
        FUZZ_REQUIRE(s->target, rc == NBS_E_IO, "%s: mount cut by power loss returned %s",
                     fuzz_store_describe(s, where, sizeof where), nbs_strerror(rc));
        nor_power_on(s->f.dev);
    }
    int rc = fuzz_store_mount(s);
    FUZZ_REQUIRE(s->target, rc == NBS_OK, "%s: mount after a power cut: %s",
                 fuzz_store_describe(s, where, sizeof where), nbs_strerror(rc));
}

void fuzz_cut_recover(fuzz_store *s, fuzz_input *in, ref_map *map_model, ref_queue *queue_model) {
    char why[EC_WHY_SIZE] = "", where[160];
    fuzz_power_on_and_mount(s, in);
    fuzz_store_describe(s, where, sizeof where);
    bool ok = ec_settle_and_verify(&s->f, map_model, queue_model, why);
    FUZZ_REQUIRE(s->target, ok, "%s: after a power cut: %s", where, why);
    ok = ec_verify(&s->f, map_model, queue_model, why);
    FUZZ_REQUIRE(s->target, ok, "%s: second read after a power cut: %s", where, why);
    int rc = fuzz_store_mount(s);
    FUZZ_REQUIRE(s->target, rc == NBS_OK, "%s: second mount after a power cut: %s", where,
                 nbs_strerror(rc));
    ok = ec_verify(&s->f, map_model, queue_model, why);
    FUZZ_REQUIRE(s->target, ok, "%s: after the second mount: %s", where, why);
}

void fuzz_remount(fuzz_store *s, fuzz_input *in, ref_map *map_model, ref_queue *queue_model) {
    char why[EC_WHY_SIZE] = "", where[160];
    int rc = fuzz_store_mount(s);
    if (fuzz_store_power_lost(s, rc)) {
        fuzz_cut_recover(s, in, map_model, queue_model);
        return;
    }
    fuzz_store_describe(s, where, sizeof where);
    FUZZ_REQUIRE(s->target, rc == NBS_OK, "%s: remount: %s", where, nbs_strerror(rc));
    bool ok = ec_verify(&s->f, map_model, queue_model, why);
    FUZZ_REQUIRE(s->target, ok, "%s: after a remount: %s", where, why);
}

void fuzz_final_check(fuzz_store *s, const ref_map *map_model, const ref_queue *queue_model) {
    char why[EC_WHY_SIZE] = "", where[160];
    fuzz_store_describe(s, where, sizeof where);
    nor_disarm_cut(s->f.dev);
    bool ok = ec_verify(&s->f, map_model, queue_model, why);
    FUZZ_REQUIRE(s->target, ok, "%s: at the end: %s", where, why);
    int rc = fuzz_store_mount(s);
    FUZZ_REQUIRE(s->target, rc == NBS_OK, "%s: final mount: %s", where, nbs_strerror(rc));
    ok = ec_verify(&s->f, map_model, queue_model, why);
    FUZZ_REQUIRE(s->target, ok, "%s: after the final mount: %s", where, why);
    fuzz_image_save_if_asked(s, "NORBENCH_FUZZ_SAVE_IMAGE");
}
