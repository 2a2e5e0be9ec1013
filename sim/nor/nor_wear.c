/* Wear-out past the rated endurance: whether an operation on a worn sector fails, and the
 * stuck bits a failed erase can leave behind for good. */
#include "nor_internal.h"

#include <stdlib.h>

#define PPM 1000000u

bool nor_wear_fails(nor *dev, uint32_t sector) {
    uint32_t endurance = dev->cfg.wear.endurance;
    uint32_t cycles = dev->erase_counts[sector];
    if (endurance == 0 || cycles <= endurance) return false;
    uint64_t fail_ppm = (uint64_t)(cycles - endurance) * dev->cfg.wear.fail_ppm_per_cycle;
    if (fail_ppm >= PPM) return true;
    return nor_prng_below(&dev->st.prng, PPM) < fail_ppm;
}

int nor_wear_stick_bit(nor *dev, nor_block *block) {
    if (!block->stuck) {
        block->stuck = calloc(1, block->size);
        if (!block->stuck) return NOR_E_NOMEM;
    }
    uint32_t bit = (uint32_t)nor_prng_below(&dev->st.prng, (uint64_t)block->size * 8);
    uint8_t mask = (uint8_t)(1u << (bit % 8));
    block->stuck[bit / 8] |= mask;
    /* Stuck means programmed: the opposite of the erased value. */
    uint8_t programmed = nor_programmed_byte(dev);
    block->data[bit / 8] = (uint8_t)((block->data[bit / 8] & ~mask) | (programmed & mask));
    return NOR_OK;
}
