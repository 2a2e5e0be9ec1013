/* The update layer's test device (update_fixture.h): a NOR model cut into the four partitions
 * the slots need, the state map on the last one, and seeded images. */
#include "update_fixture.h"

#include "nor_prng.h"

#include <stdlib.h>
#include <string.h>

typedef struct layout {
    const char *name, *preset;
    nor_region regions[2]; /* replaces the preset's when count is set */
    uint32_t primary, secondary, scratch, slot_size, scratch_size, state, state_size, page;
    uint32_t buffer; /* bytes of the copy buffer (a sector takes sector / buffer programs) */
} layout;

/* One geometry a row: name, preset, regions (replacing the preset's when given), primary,
 * secondary, scratch, slot size, scratch size, state, state size, map page, copy buffer. */
/* clang-format off */
static const layout layouts[] = {
    {"tiny", "tiny", {{16, 256, 0, 0}}, 0, 1024, 2048, 1024, 256, 2304, 1792, 256, 64},
    {"stm32f4", "stm32f4-1m", {{0}}, 0x20000, 0x40000, 0x60000, 0x20000, 0x20000, 0, 0x8000,
     0x4000, 4096},
    {"stm32l4", "stm32l4-1m", {{0}}, 0, 8192, 16384, 8192, 2048, 18432, 8192, 2048, 256},
    {"nrf52840", "nrf52840", {{0}}, 0, 17 * 4096, 34 * 4096, 17 * 4096, 4096, 35 * 4096,
     4 * 4096, 4096, 1024},
};
/* clang-format on */

upd_fixture *upd_fixture_new(const char *geometry, uint64_t seed, bool secondary_read_only) {
    const layout *l = NULL;
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (strcmp(layouts[i].name, geometry) == 0) l = &layouts[i];
    const nor_config *preset = l ? nor_preset_find(l->preset) : NULL;
    upd_fixture *f = preset ? calloc(1, sizeof *f) : NULL;
    if (!f) return NULL;
    nor_config cfg = *preset;
    if (l->regions[0].count) {
        memset(cfg.regions, 0, sizeof cfg.regions);
        cfg.regions[0] = l->regions[0];
        cfg.region_count = 1;
    }
    if (nor_create(&f->dev, &cfg, seed) ||
        nbs_nor_bind_device(&f->binding, f->dev, f->runs, &f->device) ||
        nbs_nor_bind(&f->map_binding, f->dev, l->state, l->state_size, l->page)) {
        upd_fixture_free(f);
        return NULL;
    }
    f->parts[0] = (nbs_partition){"primary", l->primary, l->slot_size, false};
    f->parts[1] = (nbs_partition){"secondary", l->secondary, l->slot_size, secondary_read_only};
    f->parts[2] = (nbs_partition){"scratch", l->scratch, l->scratch_size, false};
    f->parts[3] = (nbs_partition){"state", l->state, l->state_size, false};
    f->table = (nbs_part_table){&f->device, f->parts, 4};
    f->work_size = nbs_work_bytes_min(&f->map_binding.flash);
    f->work = malloc(f->work_size);
    f->slots = (nbs_update_slots){&f->table, "primary", "secondary", "scratch",
                                  &f->map,   f->buffer, l->buffer};
    if (!f->work || nbs_part_check(&f->table, NULL) || upd_fixture_mount(f)) {
        upd_fixture_free(f);
        return NULL;
    }
    return f;
}

void upd_fixture_free(upd_fixture *f) {
    if (!f) return;
    if (f->dev) nor_destroy(f->dev);
    free(f->work);
    free(f);
}

int upd_fixture_mount(upd_fixture *f) {
    nbs_config cfg = {.flash = f->map_binding.flash, .work = f->work, .work_size = f->work_size};
    return nbs_map_mount(&f->map, &cfg);
}

void upd_image_make(uint8_t *out, uint32_t total, uint8_t major, uint64_t seed) {
    nor_prng prng;
    nor_prng_seed(&prng, seed);
    uint8_t *body = out + NBS_IMAGE_HEADER_BYTES;
    uint32_t size = total - NBS_IMAGE_HEADER_BYTES;
    for (uint32_t i = 0; i < size; i++) body[i] = (uint8_t)nor_prng_next(&prng);
    nbs_image_header h = {size, {major, 0, 0, 0}, nbs_image_crc(0, body, size)};
    nbs_image_header_encode(&h, out);
}

int upd_image_send(upd_fixture *f, const uint8_t *image, uint32_t total, uint32_t piece) {
    nbs_update u;
    int rc = nbs_update_open(&u, &f->slots, 'a', total);
    for (uint32_t at = 0; !rc && at < total; at += piece)
        rc = nbs_update_write(&u, image + at, total - at < piece ? total - at : piece);
    if (!rc) rc = nbs_update_complete(&u);
    nbs_update_close(&u);
    return rc;
}
