/* nor_erase: the sector erase, whole or as a cut or wear-out leaves it (a random subset of
 * bits erased, erased with weak bits, or cut at a point of its progress, optionally in its
 * pre-program phase), and the erase count that wear-out feeds on. */
#include "nor_internal.h"

#include <stdlib.h>
#include <string.h>

#define WORD_MAX 32

/* Each bit returns to the erased value with p = 1/2; the rest keep their old data. Units that
 * end fully erased read as erased words again; with ECC, units left half way become torn
 * SECDED words whose reference is their data before the erase. */
static int erase_some_bits(nor *dev, nor_block *block) {
    uint8_t erased = dev->erased_byte;
    uint32_t unit = dev->cfg.write_unit;
    nor_random_bytes pool = {0, 0};
    int rc = NOR_OK;
    for (uint32_t offset = 0; offset < block->size; offset += unit) {
        bool changed = false, fully_erased = true;
        uint8_t before[WORD_MAX];
        for (uint32_t j = 0; j < unit; j++) {
            uint8_t old = before[j] = block->data[offset + j];
            uint8_t erase_mask = nor_random_byte(dev, &pool);
            if (block->stuck) erase_mask &= (uint8_t)~block->stuck[offset + j];
            uint8_t now = (uint8_t)((old & ~erase_mask) | (erased & erase_mask));
            block->data[offset + j] = now;
            changed |= now != old;
            fully_erased &= now == erased;
        }
        if (fully_erased)
            nor_block_reset_unit(block, offset / unit);
        else if (changed && dev->cfg.ecc && !rc)
            rc = nor_ecc_after_erase(dev, block, offset / unit, before);
    }
    return rc;
}

/* The bits of byte i that move towards the erased value (or, in the pre-program phase,
 * towards the programmed value): those not there yet, and weak ones; never stuck ones. */
static uint8_t erase_moving(const nor *dev, const nor_block *block, uint32_t i,
                            bool to_programmed) {
    uint8_t away = block->data[i] ^ dev->erased_byte; /* programmed bits */
    uint8_t moving = to_programmed ? (uint8_t)~away : away;
    if (block->weak) moving |= block->weak[i];
    if (block->stuck) moving &= (uint8_t)~block->stuck[i];
    return moving;
}

/* The margin of a progress erase: one in 2048 of the bits that move, at least one. */
static uint32_t erase_margin(const nor *dev, const nor_block *block, bool to_programmed) {
    uint64_t moving = 0;
    for (uint32_t i = 0; i < block->size; i++)
        moving += (unsigned)__builtin_popcount(erase_moving(dev, block, i, to_programmed));
    return moving / 2048 ? (uint32_t)(moving / 2048) : 1;
}

/* Moves the sector's bits as far as progress `q` of the phase; weak bits moving the same way
 * become solid when done. Marks the units that got margin bits in `weakened` (if given). */
static int move_bits(nor *dev, nor_block *block, uint64_t q, bool to_programmed,
                     uint8_t *weakened) {
    nor_progress pr;
    int rc = nor_progress_begin(&pr, dev, q, 1, erase_margin(dev, block, to_programmed));
    if (rc) return rc;
    uint32_t unit = dev->cfg.write_unit;
    for (uint32_t i = 0; i < block->size; i++) {
        uint8_t moving = erase_moving(dev, block, i, to_programmed);
        if (!moving) continue;
        uint8_t done = nor_progress_byte(&pr, block, i, 0, moving, i / unit);
        block->data[i] = to_programmed ? nor_set_programmed(dev, block->data[i], done)
                                       : nor_set_erased(dev, block->data[i], done);
        if (block->weak) block->weak[i] &= (uint8_t)~done;
    }
    rc = nor_progress_weaken(&pr);
    for (uint32_t i = 0; weakened && i < pr.margin_count; i++) weakened[pr.margin[i].tag] = 1;
    nor_progress_end(&pr);
    return rc;
}

/* The pre-program phase completed: every cell solidly programmed. */
static void preprogram_all(nor *dev, nor_block *block) {
    memset(block->data, nor_programmed_byte(dev), block->size);
    free(block->weak);
    block->weak = NULL;
}

/* After a progress erase: units that ended solidly erased forget their write count and ECC
 * state; with ECC, the others it changed become torn SECDED words. */
static int settle_units(nor *dev, nor_block *block, const uint8_t *before,
                        const uint8_t *weakened) {
    uint32_t unit = dev->cfg.write_unit;
    int rc = NOR_OK;
    for (uint32_t u = 0; u < block->units && !rc; u++) {
        bool changed = weakened[u], fully_erased = true;
        for (uint32_t j = u * unit; j < (u + 1) * unit; j++) {
            changed |= block->data[j] != before[j];
            fully_erased &= block->data[j] == dev->erased_byte && !(block->weak && block->weak[j]);
        }
        if (fully_erased)
            nor_block_reset_unit(block, u);
        else if (changed && dev->cfg.ecc)
            rc = nor_ecc_after_erase(dev, block, u, before + u * unit);
    }
    return rc;
}

/* An erase cut at `point` in a progress mode. With erase_preprogram the erase first programs
 * every cell (the first half of its time), then erases them all (the second half). */
static int erase_progress(nor *dev, nor_block *block, uint64_t point) {
    uint8_t *before = NULL, *weakened = NULL;
    if (block->units) {
        before = malloc(block->size);
        weakened = calloc(block->units, 1);
        if (!before || !weakened) {
            free(before);
            free(weakened);
            return NOR_E_NOMEM;
        }
        memcpy(before, block->data, block->size);
    }
    int rc;
    if (!dev->cfg.erase_preprogram) {
        rc = move_bits(dev, block, point, false, weakened);
    } else if (point < NOR_POINT_HALF) {
        rc = move_bits(dev, block, 2 * point, true, weakened);
    } else {
        preprogram_all(dev, block);
        rc = move_bits(dev, block, 2 * point - NOR_POINT_ONE, false, weakened);
    }
    if (!rc && block->units) rc = settle_units(dev, block, before, weakened);
    free(before);
    free(weakened);
    return rc;
}

/* About one bit in 256 (at least one) is left weakly erased: it reads randomly. */
static int erase_with_weak_bits(nor *dev, nor_block *block) {
    nor_block_erase(block, dev->erased_byte);
    uint64_t bits = (uint64_t)block->size * 8;
    uint64_t weak_count = bits / 256 ? bits / 256 : 1;
    for (uint64_t i = 0; i < weak_count; i++) {
        uint64_t bit = nor_prng_below(&dev->st.prng, bits);
        int rc = nor_block_add_weak(block, (uint32_t)(bit / 8), (uint8_t)(1u << (bit % 8)));
        if (rc) return rc;
    }
    return NOR_OK;
}

static int erase_torn(nor *dev, nor_block *block, uint64_t point) {
    switch (dev->st.torn_erase) {
    case NOR_TORN_ERASE_FULL: nor_block_erase(block, dev->erased_byte); return NOR_OK;
    case NOR_TORN_ERASE_PARTIAL: return erase_some_bits(dev, block);
    case NOR_TORN_ERASE_WEAK: return erase_with_weak_bits(dev, block);
    case NOR_TORN_ERASE_EARLY:
    case NOR_TORN_ERASE_MIDDLE:
    case NOR_TORN_ERASE_LATE:
    case NOR_TORN_ERASE_SPREAD: return erase_progress(dev, block, point);
    case NOR_TORN_ERASE_NONE:
    default: return NOR_OK;
    }
}

/* Starts the tear watch on an erase about to be torn: it means to leave the sector erased
 * (stuck bits programmed). */
static void watch_erase(nor *dev, const nor_block *block, uint32_t sector_addr) {
    nor_watch_start(dev, NOR_EV_ERASE, sector_addr, block->size);
    for (uint32_t i = 0; i < block->size; i++)
        nor_watch_intend(dev, sector_addr + i,
                         block->stuck ? nor_set_programmed(dev, dev->erased_byte, block->stuck[i])
                                      : dev->erased_byte);
}

/* A worn sector either fails verification (some bits stay programmed, NOR_E_WORN) or
 * erases but leaves one bit stuck programmed for good (returns 0: the part did not notice). */
static int erase_worn(nor *dev, nor_block *block) {
    dev->st.stats.worn_failures++;
    if (nor_prng_below(&dev->st.prng, 2) == 0) {
        int rc = erase_some_bits(dev, block);
        return rc ? rc : NOR_E_WORN;
    }
    nor_block_erase(block, dev->erased_byte);
    return nor_wear_stick_bit(dev, block);
}

static int check_erase_args(const nor *dev, uint32_t sector_addr, uint32_t *sector,
                            uint32_t *size) {
    if (!dev->st.powered) return NOR_E_POWER_OFF;
    if (sector_addr >= dev->total_bytes) return NOR_E_RANGE;
    uint32_t start;
    nor_locate(dev, sector_addr, sector, &start, size);
    return start == sector_addr ? NOR_OK : NOR_E_NOT_SECTOR;
}

int nor_erase(nor *dev, uint32_t sector_addr) {
    uint32_t sector = 0, size = 0;
    int rc = check_erase_args(dev, sector_addr, &sector, &size);
    if (rc) {
        nor_emit(dev, NOR_EV_ERASE, sector_addr, size, rc, dev->st.op_count);
        return rc;
    }
    uint64_t op_index = dev->st.op_count++;
    dev->st.stats.erase_calls++;
    uint64_t duration_ns = nor_erase_duration_ns(dev, sector);
    uint64_t point;
    bool torn = nor_cut_lands(dev, NOR_EV_ERASE, sector_addr, size, op_index, duration_ns, &point);
    if (!torn) dev->st.clock_ns += duration_ns;
    bool worn = !torn && nor_wear_fails(dev, sector);
    nor_block *block = nor_block_writable(dev, sector);
    if (!block) return NOR_E_NOMEM;
    /* Every erase pulse wears the sector, even one cut short; a cut before it began does not. */
    if (!torn || dev->st.torn_erase != NOR_TORN_ERASE_NONE) dev->erase_counts[sector]++;
    if (torn) {
        watch_erase(dev, block, sector_addr);
        rc = erase_torn(dev, block, point);
        nor_emit(dev, NOR_EV_ERASE, sector_addr, size, NOR_E_POWER_OFF, op_index);
        nor_power_cut(dev, sector_addr, size, op_index);
        return rc ? rc : NOR_E_POWER_OFF;
    }
    if (worn)
        rc = erase_worn(dev, block);
    else
        nor_block_erase(block, dev->erased_byte);
    nor_watch_write(dev, sector_addr, size);
    nor_emit(dev, NOR_EV_ERASE, sector_addr, size, rc, op_index);
    return rc;
}
