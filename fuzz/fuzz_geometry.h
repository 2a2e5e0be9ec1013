/* The flash geometries the engine targets (map, queue, image) run on: small devices built from
 * the NOR presets, covering a 1-byte write unit, ECC words programmed once (8 and 32 bytes, and
 * 1 byte strict), limited rewrites, an SPI program page, and erase value 0x00. The engine's
 * range starts one sector in and ends one sector before the end, so an access outside it lands
 * on real flash that the range guard of fuzz_store.c can catch. */
#ifndef NORBENCH_FUZZ_GEOMETRY_H
#define NORBENCH_FUZZ_GEOMETRY_H

#include "nor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fuzz_geometry {
    const char *name;
    const char *preset;      /* the NOR preset it starts from */
    uint32_t sector_size;    /* one engine page = one sector of this size */
    uint32_t max_pages;      /* the engine gets 2..max_pages pages */
    uint32_t write_unit;     /* 0: the preset's */
    nor_write_policy policy; /* used when write_unit is set */
    bool erases_to_zero;     /* erase value 0x00 instead of the preset's 0xFF */
} fuzz_geometry;

size_t fuzz_geometry_count(void);
const fuzz_geometry *fuzz_geometry_at(size_t index);
/* The device: max_pages + 2 sectors of sector_size, with every rule of the geometry. */
nor_config fuzz_geometry_config(const fuzz_geometry *g);

#endif
