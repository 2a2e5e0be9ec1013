/* The fuzzing geometries (see fuzz_geometry.h). Kept small so that one input runs in well
 * under a millisecond and a page boundary is a few operations away. */
#include "fuzz_geometry.h"

#include <string.h>

static const fuzz_geometry geometries[] = {
    {"tiny", "tiny", 256, 4, 0, NOR_WRITES_UNLIMITED, false},
    {"samd21", "samd21", 256, 6, 0, NOR_WRITES_UNLIMITED, false},
    {"stm32l4-1m", "stm32l4-1m", 2048, 4, 0, NOR_WRITES_UNLIMITED, false},
    {"nrf52840", "nrf52840", 4096, 3, 0, NOR_WRITES_UNLIMITED, false},
    {"unit1-ecc-once", "tiny", 512, 5, 1, NOR_WRITES_ONCE, false},
    {"unit32-ecc-once", "stm32h7-2m", 1024, 4, 32, NOR_WRITES_ONCE, false},
    {"tiny-erase-zero", "tiny", 256, 5, 0, NOR_WRITES_UNLIMITED, true},
    {"w25q16jv", "w25q16jv", 4096, 3, 0, NOR_WRITES_UNLIMITED, false},
};

size_t fuzz_geometry_count(void) {
    return sizeof geometries / sizeof *geometries;
}

const fuzz_geometry *fuzz_geometry_at(size_t index) {
    return &geometries[index % fuzz_geometry_count()];
}

nor_config fuzz_geometry_config(const fuzz_geometry *g) {
    nor_config cfg = *nor_preset_find(g->preset);
    memset(cfg.regions, 0, sizeof cfg.regions);
    cfg.regions[0] = (nor_region){.count = g->max_pages + 2, .size = g->sector_size};
    cfg.region_count = 1;
    if (g->write_unit) {
        cfg.write_unit = g->write_unit;
        cfg.write_policy = g->policy;
        cfg.max_writes_per_unit = 0;
        cfg.ecc = g->policy == NOR_WRITES_ONCE || g->policy == NOR_WRITES_ONCE_PLUS_ZERO;
        cfg.strict = true;
    }
    if (g->erases_to_zero) cfg.erase_value = 0x00;
    cfg.wear.endurance = 0;
    return cfg;
}
