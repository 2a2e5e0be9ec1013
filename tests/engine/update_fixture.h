/* A simulated device with update slots for the update layer's tests (test_update.c,
 * update_cuts.c): the partitions primary, secondary, scratch and state on a NOR model, the state
 * map mounted on `state`, and images made of a seeded body behind a header. */
#ifndef TESTS_UPDATE_FIXTURE_H
#define TESTS_UPDATE_FIXTURE_H

#include "nbs_nor.h"
#include "nbs_update.h"

#include <stdint.h>

typedef struct upd_fixture {
    nor *dev;
    nbs_nor binding, map_binding;
    nbs_sector_run runs[NOR_MAX_REGIONS];
    nbs_device device;
    nbs_partition parts[4]; /* primary, secondary, scratch, state */
    nbs_part_table table;
    nbs_map map;
    uint8_t *work;
    size_t work_size;
    uint8_t buffer[4096];
    nbs_update_slots slots;
} upd_fixture;

/* Geometries: "tiny" (16 x 256 B: slots of 4 sectors, a scratch sector, a 7-page map),
 * "stm32f4" (slots of one 128 KiB sector each, a 128 KiB scratch, the map on two 16 KiB
 * sectors), "stm32l4" (ECC words of 8 bytes written once: slots of 4 x 2 KiB, one scratch page,
 * a 4-page map), "nrf52840" (slots of 17 x 4 KiB, one scratch page, a 4-page map). NULL on a name
 * it does not know or out of memory; the map is mounted. */
upd_fixture *upd_fixture_new(const char *geometry, uint64_t seed, bool secondary_read_only);
void upd_fixture_free(upd_fixture *f);
/* Mounts the state map again (after a power cycle); 0 or the engine's error. */
int upd_fixture_mount(upd_fixture *f);
/* An image of `total` bytes (header included) of version `major`.0.0, body from `seed`. */
void upd_image_make(uint8_t *out, uint32_t total, uint8_t major, uint64_t seed);
/* Open "a" with byte_length `total`, writes in pieces of `piece` bytes, complete, close:
 * the first error. */
int upd_image_send(upd_fixture *f, const uint8_t *image, uint32_t total, uint32_t piece);

#endif
