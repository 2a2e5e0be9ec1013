/* Copy-on-write sector blocks: a sector's stored bits, write counts, ECC marks, weak and stuck
 * bits and the references of torn SECDED words in one reference-counted object, so a snapshot
 * shares every sector until one side writes to it. */
#include "nor_internal.h"

#include <stdlib.h>
#include <string.h>

static nor_block *block_alloc(uint32_t size, uint32_t units) {
    nor_block *block = malloc(sizeof *block + (size_t)size + units);
    if (!block) return NULL;
    block->refs = 1;
    block->size = size;
    block->units = units;
    block->ecc_broken = 0;
    block->unit_state = units ? block->data + size : NULL;
    block->weak = NULL;
    block->stuck = NULL;
    block->ecc_ref = NULL;
    block->ecc_torn = 0;
    return block;
}

nor_block *nor_block_new_erased(uint32_t size, uint32_t units, uint8_t erased_byte) {
    nor_block *block = block_alloc(size, units);
    if (!block) return NULL;
    memset(block->data, erased_byte, size);
    if (units) memset(block->unit_state, 0, units);
    return block;
}

static uint8_t *copy_mask(const uint8_t *mask, uint32_t size, bool *failed) {
    if (!mask) return NULL;
    uint8_t *copy = malloc(size);
    if (!copy) {
        *failed = true;
        return NULL;
    }
    return memcpy(copy, mask, size);
}

static void block_free(nor_block *block) {
    free(block->weak);
    free(block->stuck);
    free(block->ecc_ref);
    free(block);
}

void nor_block_release(nor_block *block) {
    if (block && --block->refs == 0) block_free(block);
}

static nor_block *block_copy(const nor_block *src) {
    nor_block *copy = block_alloc(src->size, src->units);
    if (!copy) return NULL;
    memcpy(copy->data, src->data, (size_t)src->size + src->units);
    copy->ecc_broken = src->ecc_broken;
    bool failed = false;
    copy->weak = copy_mask(src->weak, src->size, &failed);
    copy->stuck = copy_mask(src->stuck, src->size, &failed);
    copy->ecc_ref = copy_mask(src->ecc_ref, src->size + src->units, &failed);
    copy->ecc_torn = src->ecc_torn;
    if (failed) {
        block_free(copy);
        return NULL;
    }
    return copy;
}

nor_block *nor_block_writable(nor *dev, uint32_t sector) {
    nor_block *block = dev->blocks[sector];
    if (block->refs == 1) return block;
    nor_block *copy = block_copy(block);
    if (!copy) return NULL;
    block->refs--;
    dev->blocks[sector] = copy;
    return copy;
}

int nor_block_add_weak(nor_block *block, uint32_t offset, uint8_t mask) {
    if (!block->weak) {
        block->weak = calloc(1, block->size);
        if (!block->weak) return NOR_E_NOMEM;
    }
    block->weak[offset] |= mask;
    return NOR_OK;
}

void nor_block_reset_unit(nor_block *block, uint32_t unit) {
    if (!block->unit_state) return;
    if (block->unit_state[unit] & NOR_UNIT_ECC_BROKEN) block->ecc_broken--;
    block->unit_state[unit] = 0;
    if (block->ecc_ref && block->ecc_ref[block->size + unit]) {
        block->ecc_ref[block->size + unit] = 0;
        block->ecc_torn--;
    }
}

void nor_block_mark_ecc_broken(nor_block *block, uint32_t unit) {
    if (!block->unit_state || (block->unit_state[unit] & NOR_UNIT_ECC_BROKEN)) return;
    block->unit_state[unit] |= NOR_UNIT_ECC_BROKEN;
    block->ecc_broken++;
}

void nor_block_erase(nor_block *block, uint8_t erased_byte) {
    memset(block->data, erased_byte, block->size);
    if (block->units) memset(block->unit_state, 0, block->units);
    block->ecc_broken = 0;
    free(block->weak);
    block->weak = NULL;
    free(block->ecc_ref);
    block->ecc_ref = NULL;
    block->ecc_torn = 0;
    if (!block->stuck) return;
    for (uint32_t i = 0; i < block->size; i++) {
        /* A stuck bit stays programmed: the opposite of the erased value. */
        uint8_t stuck = block->stuck[i];
        block->data[i] = (uint8_t)((block->data[i] & ~stuck) | (~erased_byte & stuck));
    }
}
