/* Firmware update steps (update_open, update_write, update_complete, update_close, boot, confirm,
 * expect_image): their fields, the generated image an update_write sends (no larger than the
 * slot), and the partitions every update step needs (primary, secondary, scratch, update:
 * docs/update.md), which must stay out of the engine's range and have SPEC 11.1's geometry. */
#include "scenario_internal.h"

#include <stdio.h>
#include <string.h>

static const scenario_name open_fields[] = {{"mode", FIELD_OPTIONAL},
                                            {"byte_length", FIELD_OPTIONAL}};
static const scenario_name write_fields[] = {
    {"image", FIELD_REQUIRED}, {"from", FIELD_OPTIONAL}, {"count", FIELD_OPTIONAL}};
static const scenario_name image_fields[] = {{"version", FIELD_REQUIRED},
                                             {"size", FIELD_REQUIRED},
                                             {"seed", FIELD_OPTIONAL},
                                             {"bad_crc", FIELD_OPTIONAL}};
static const scenario_name expect_fields[] = {
    {"version", FIELD_OPTIONAL}, {"none", FIELD_OPTIONAL}, {"test", FIELD_OPTIONAL}};
static const scenario_name mode_names[] = {{"a", 1}, {"w", 0}};

enum { IMAGE_HEADER = 32 }; /* NBS_IMAGE_HEADER_BYTES */

/* The size of the sectors of [start, start + size) of the flash, or 0 when they differ. */
static uint32_t equal_sectors(const nor_config *flash, uint32_t start, uint32_t size) {
    uint32_t sector = 0;
    for (uint32_t r = 0, at = 0; r < flash->region_count; r++) {
        const nor_region *region = &flash->regions[r];
        uint64_t end = at + (uint64_t)region->count * region->size;
        if (start < end && at < start + size) {
            if (sector && sector != region->size) return 0;
            sector = region->size;
        }
        at = (uint32_t)end;
    }
    return sector;
}

/* SPEC 11.1's geometry, as nbs_update_slots_check and the state map's mount will want it:
 * the slots of equal size over equal sectors of one size B, the scratch sectors at least B,
 * the state map's partition two or more equal sectors. */
static bool check_slot_geometry(scenario_ctx *c, const pjson_node *args,
                                const scenario_partition *slot[4]) {
    const nor_config *flash = &c->sc->flash;
    const scenario_partition *primary = slot[0], *secondary = slot[1], *scratch = slot[2],
                             *state = slot[3];
    for (int i = 0; i < 2; i++) {
        if (!equal_sectors(flash, slot[i]->start, slot[i]->size)) {
            ctx_report(c, args->pos,
                       "partition '%s' (0x%x, %u bytes) spans sectors of different sizes: a "
                       "slot needs equal sectors (engine/SPEC.md 11.1)",
                       slot[i]->name, (unsigned)slot[i]->start, (unsigned)slot[i]->size);
            return false;
        }
    }
    uint32_t b = equal_sectors(flash, primary->start, primary->size);
    uint32_t b2 = equal_sectors(flash, secondary->start, secondary->size);
    if (primary->size != secondary->size || b != b2) {
        ctx_report(c, args->pos,
                   "the slots differ: 'primary' is %u bytes in %u-byte sectors, 'secondary' %u "
                   "bytes in %u-byte sectors; the swap exchanges them sector by sector and needs "
                   "both of one size and sector size (engine/SPEC.md 11.1)",
                   (unsigned)primary->size, (unsigned)b, (unsigned)secondary->size, (unsigned)b2);
        return false;
    }
    uint32_t scratch_sector = equal_sectors(flash, scratch->start, 1);
    if (scratch_sector < b) {
        ctx_report(c, args->pos,
                   "partition 'scratch' starts with a %u-byte sector, smaller than the slots' "
                   "%u-byte sectors: a swap copies one slot sector into it (engine/SPEC.md 11.1)",
                   (unsigned)scratch_sector, (unsigned)b);
        return false;
    }
    uint32_t state_sector = equal_sectors(flash, state->start, state->size);
    if (!state_sector || state->size / state_sector < 2) {
        ctx_report(c, args->pos,
                   "partition 'update' (0x%x, %u bytes) cannot hold the state map: it needs two "
                   "or more sectors of one size (engine/SPEC.md 11.1)",
                   (unsigned)state->start, (unsigned)state->size);
        return false;
    }
    return true;
}

/* The slots' partitions exist, none shares a byte with the engine's store, and their geometry
 * is SPEC 11.1's. Checked at the first update step; the later ones reuse the answer, so that a
 * problem is said once. */
static bool check_slots(scenario_ctx *c, const pjson_node *args) {
    static const char *const needed[] = {SCENARIO_UPDATE_PRIMARY, SCENARIO_UPDATE_SECONDARY,
                                         SCENARIO_UPDATE_SCRATCH, SCENARIO_UPDATE_STATE};
    if (!c->partitions_ok) return false; /* the table's own error says what is wrong */
    if (c->update_slots_checked) return c->update_slots_ok;
    c->update_slots_checked = true;
    const scenario *sc = c->sc;
    const scenario_engine *e = &sc->engine;
    const scenario_partition *slot[4];
    for (size_t n = 0; n < sizeof needed / sizeof needed[0]; n++) {
        const scenario_partition *p = NULL;
        for (size_t i = 0; i < sc->partition_count; i++)
            if (strcmp(sc->partitions[i].name, needed[n]) == 0) p = &sc->partitions[i];
        slot[n] = p;
        if (!p) {
            ctx_report(c, args->pos,
                       "update steps need a partition named '%s' (the slots are primary, "
                       "secondary, scratch and the state map's partition update)",
                       needed[n]);
            return false;
        }
        if (c->engine_ok && p->start < e->start + e->size && e->start < p->start + p->size) {
            ctx_report(c, args->pos,
                       "partition '%s' shares bytes with the engine's range: the update layer "
                       "would write over its store",
                       p->name);
            return false;
        }
    }
    c->update_slots_ok = !c->flash_ok || check_slot_geometry(c, args, slot);
    return c->update_slots_ok;
}

/* The secondary slot's size (check_slots passed). */
static uint32_t secondary_size(const scenario *sc) {
    for (size_t i = 0; i < sc->partition_count; i++)
        if (strcmp(sc->partitions[i].name, SCENARIO_UPDATE_SECONDARY) == 0)
            return sc->partitions[i].size;
    return 0;
}

static bool parse_image(scenario_ctx *c, const pjson_node *args, scenario_update_image *image) {
    const pjson_node *node = pjson_get(args, "image");
    size_t mark = ctx_path_key(c, "image");
    bool ok = check_object(c, node, "'image'", image_fields, NAME_COUNT(image_fields));
    uint64_t major = 0;
    if (ok) {
        ok &= field_u64(c, node, "version", 0, 255, 0, &major);
        ok &= field_u32(c, node, "size", IMAGE_HEADER, SCENARIO_MAX_VALUE_BYTES, IMAGE_HEADER,
                        &image->size);
        ok &= field_u64(c, node, "seed", 0, UINT64_MAX, 0, &image->seed);
        ok &= field_bool(c, node, "bad_crc", false, &image->bad_crc);
    }
    image->major = (uint8_t)major;
    ctx_path_restore(c, mark);
    return ok;
}

static bool parse_write(scenario_ctx *c, const pjson_node *args, scenario_update_args *a,
                        bool slots_ok) {
    if (!parse_image(c, args, &a->image)) return false;
    uint32_t slot = slots_ok ? secondary_size(c->sc) : 0;
    if (slot && a->image.size > slot) {
        size_t mark = ctx_path_key(c, "image");
        ctx_report(c, pjson_get(pjson_get(args, "image"), "size")->pos,
                   "an image of %u bytes (header included) is larger than the slot 'secondary' "
                   "(%u bytes): no update can hold it (to see the refusal, open with a "
                   "byte_length past the slot: update_open answers range)",
                   (unsigned)a->image.size, (unsigned)slot);
        ctx_path_restore(c, mark);
        return false;
    }
    bool ok = field_u32(c, args, "from", 0, a->image.size, 0, &a->from);
    ok = ok && field_u32(c, args, "count", 0, a->image.size - a->from, a->image.size - a->from,
                         &a->count);
    return ok;
}

static bool parse_expect_image(scenario_ctx *c, const pjson_node *args, scenario_update_args *a) {
    bool has_version = pjson_get(args, "version") != NULL;
    bool ok = field_bool(c, args, "none", false, &a->none);
    ok &= field_bool(c, args, "test", false, &a->test);
    if (ok && has_version == a->none) {
        ctx_report(c, args->pos,
                   "give 'version' (the image that runs) or \"none\": true (no "
                   "valid image runs), one of them");
        return false;
    }
    uint64_t major = 0;
    ok &= field_u64(c, args, "version", 0, 255, 0, &major);
    a->major = (uint8_t)major;
    return ok;
}

bool parse_update_step(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    const scenario_name *fields = NULL; /* none: the step takes {} */
    size_t count = 0;
    switch (step->op) {
    case SCENARIO_OP_UPDATE_OPEN: fields = open_fields, count = NAME_COUNT(open_fields); break;
    case SCENARIO_OP_UPDATE_WRITE: fields = write_fields, count = NAME_COUNT(write_fields); break;
    case SCENARIO_OP_EXPECT_IMAGE: fields = expect_fields, count = NAME_COUNT(expect_fields); break;
    default: break;
    }
    char what[40];
    snprintf(what, sizeof what, "'%s'", scenario_op_name(step->op));
    if (!count ? !parse_no_args(c, args, step) : !check_object(c, args, what, fields, count))
        return false;
    bool ok = check_slots(c, args);
    scenario_update_args *a = &step->args.update;
    int append = 1;
    switch (step->op) {
    case SCENARIO_OP_UPDATE_OPEN:
        ok &= field_name(c, args, "mode", "update mode", mode_names, NAME_COUNT(mode_names), 1,
                         &append);
        a->append = append == 1;
        ok &= field_u32(c, args, "byte_length", 0, UINT32_MAX, 0, &a->byte_length);
        break;
    case SCENARIO_OP_UPDATE_WRITE: ok &= parse_write(c, args, a, ok); break;
    case SCENARIO_OP_EXPECT_IMAGE: ok &= parse_expect_image(c, args, a); break;
    default: break;
    }
    return ok;
}
