/* Deterministic virtual time counts instructions, and Unicorn's block hook gives only a
 * block's address and byte size: the instructions of each block are counted once by decoding
 * Thumb instruction lengths (a first halfword 0b11101, 0b11110 or 0b11111 starts a 32-bit
 * instruction) and kept in a small direct-mapped cache. */
#include "emu_internal.h"

static uint32_t count_thumb(const uint8_t *code, uint32_t size) {
    uint32_t n = 0;
    for (uint32_t at = 0; at + 1 < size; n++) {
        unsigned top = code[at + 1] >> 3;
        at += (top == 0x1D || top == 0x1E || top == 0x1F) ? 4 : 2;
    }
    return n ? n : 1;
}

uint32_t emu_block_instructions(emu *m, uint32_t addr, uint32_t size) {
    emu_block_entry *e = &m->blocks[((addr >> 1) ^ (addr >> 13)) & (EMU_BLOCK_CACHE - 1)];
    if (e->addr == addr && e->size == size && e->instructions) return e->instructions;
    const emu_board *b = m->board;
    const uint8_t *code = NULL;
    if (addr >= m->flash_base && addr - m->flash_base < m->flash_size &&
        size <= m->flash_size - (addr - m->flash_base))
        code = m->flash_view + (addr - m->flash_base);
    else if (addr >= b->ram_base && addr - b->ram_base < b->ram_size &&
             size <= b->ram_size - (addr - b->ram_base)) {
        code = m->ram + (addr - b->ram_base);
        m->ram_has_code = true; /* its stores must now drop translations (emu_ram.c) */
    }
    uint32_t n = code ? count_thumb(code, size) : (size + 1) / 2;
    e->addr = addr, e->size = size, e->instructions = n;
    return n;
}
