/* Datasheet timing: how long a program (per chunk, plus the bytes sent over the bus) or an
 * erase takes in the configured timing mode. The clock runs in nanoseconds so that per-byte
 * times add up exactly. */
#include "nor_internal.h"

static uint64_t draw_us(nor *dev, uint32_t typ, uint32_t max) {
    switch (dev->cfg.timing.mode) {
    case NOR_TIMING_MAX: return max;
    case NOR_TIMING_RANDOM: return typ + nor_prng_below(&dev->st.prng, (uint64_t)max - typ + 1);
    case NOR_TIMING_TYPICAL:
    default: return typ;
    }
}

uint64_t nor_program_duration_ns(nor *dev, uint32_t chunks, uint32_t bytes) {
    const nor_timing *t = &dev->cfg.timing;
    return draw_us(dev, t->program_us_typ, t->program_us_max) * chunks * 1000 +
           (uint64_t)t->program_ns_per_byte * bytes;
}

uint64_t nor_erase_duration_ns(nor *dev, uint32_t sector) {
    uint32_t r = 0;
    while (r + 1 < dev->cfg.region_count && sector >= dev->region_first[r + 1]) r++;
    const nor_region *region = &dev->cfg.regions[r];
    if (region->erase_us_typ || region->erase_us_max)
        return draw_us(dev, region->erase_us_typ, region->erase_us_max) * 1000;
    return draw_us(dev, dev->cfg.timing.erase_us_typ, dev->cfg.timing.erase_us_max) * 1000;
}
