/* nor_erase: the sector erase, whole or as a cut or wear-out leaves it (a random subset of
 * bits erased, or erased with weak bits), and the erase count that wear-out feeds on. */
#include "nor_internal.h"

/* Each bit returns to the erased value with p = 1/2; the rest keep their old data. Units that
 * end fully erased read as erased words again; with ECC, units left half way lose their ECC. */
static void erase_some_bits(nor *dev, nor_block *block) {
    uint8_t erased = dev->erased_byte;
    uint32_t unit = dev->cfg.write_unit;
    nor_random_bytes pool = {0, 0};
    for (uint32_t offset = 0; offset < block->size; offset += unit) {
        bool changed = false, fully_erased = true;
        for (uint32_t j = 0; j < unit; j++) {
            uint8_t old = block->data[offset + j];
            uint8_t erase_mask = nor_random_byte(dev, &pool);
            if (block->stuck) erase_mask &= (uint8_t)~block->stuck[offset + j];
            uint8_t now = (uint8_t)((old & ~erase_mask) | (erased & erase_mask));
            block->data[offset + j] = now;
            changed |= now != old;
            fully_erased &= now == erased;
        }
        if (fully_erased)
            nor_block_reset_unit(block, offset / unit);
        else if (changed && dev->cfg.ecc)
            nor_block_mark_ecc_broken(block, offset / unit);
    }
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

static int erase_torn(nor *dev, nor_block *block) {
    switch (dev->st.torn_erase) {
    case NOR_TORN_ERASE_FULL: nor_block_erase(block, dev->erased_byte); return NOR_OK;
    case NOR_TORN_ERASE_PARTIAL: erase_some_bits(dev, block); return NOR_OK;
    case NOR_TORN_ERASE_WEAK: return erase_with_weak_bits(dev, block);
    case NOR_TORN_ERASE_NONE:
    default: return NOR_OK;
    }
}

/* A worn sector either fails verification (some bits stay programmed, NOR_E_WORN) or
 * erases but leaves one bit stuck programmed for good (returns 0: the part did not notice). */
static int erase_worn(nor *dev, nor_block *block) {
    dev->st.stats.worn_failures++;
    if (nor_prng_below(&dev->st.prng, 2) == 0) {
        erase_some_bits(dev, block);
        return NOR_E_WORN;
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
    bool torn = nor_cut_lands(dev, NOR_EV_ERASE, sector_addr, size, op_index, duration_ns);
    if (!torn) dev->st.clock_ns += duration_ns;
    bool worn = !torn && nor_wear_fails(dev, sector);
    nor_block *block = nor_block_writable(dev, sector);
    if (!block) return NOR_E_NOMEM;
    /* Every erase pulse wears the sector, even one cut short; a cut before it began does not. */
    if (!torn || dev->st.torn_erase != NOR_TORN_ERASE_NONE) dev->erase_counts[sector]++;
    if (torn) {
        rc = erase_torn(dev, block);
        nor_emit(dev, NOR_EV_ERASE, sector_addr, size, NOR_E_POWER_OFF, op_index);
        nor_power_cut(dev, sector_addr, size, op_index);
        return rc ? rc : NOR_E_POWER_OFF;
    }
    if (worn)
        rc = erase_worn(dev, block);
    else
        nor_block_erase(block, dev->erased_byte);
    nor_emit(dev, NOR_EV_ERASE, sector_addr, size, rc, op_index);
    return rc;
}
