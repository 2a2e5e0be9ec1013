/* The board's RAM as the CPU writes it. Unicorn 2.0.1 marks every writable RAM page "not
 * dirty" for good (its dirty-page tracking is stubbed out), so each guest store to writable
 * RAM takes the slow path that checks the page for translated code, allocating and freeing a
 * page collection per store: most of the emulation's time on store-heavy firmware. Here the
 * RAM is mapped read-only instead, like the flash: a store runs the write-protection hook,
 * which writes the bytes into the RAM buffer (the same memory the CPU loads from), and Unicorn
 * then discards its own write. Loads and fetches keep the fast path. Code running from RAM
 * still sees its own stores: once a block from RAM was counted (emu_blocks.c), each store and
 * each host-side rewrite of RAM drops the translations of the bytes it changed. */
#include "emu_internal.h"

#include <stdio.h>
#include <string.h>

/* Unicorn reports an unaligned store once whole and then byte by byte as it splits it; the
 * bytes carry the same values, so writing them again changes nothing. */
static bool on_ram_store(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                         void *ctx) {
    (void)type;
    emu *m = ctx;
    const emu_board *b = m->board;
    uint32_t offset = (uint32_t)addr - b->ram_base, len = (uint32_t)size;
    if (len > b->ram_size - offset) len = b->ram_size - offset; /* the rest is not RAM */
    uint8_t *at = m->ram + offset;
    if (len == 4) { /* most stores: a word, aligned or not */
        uint32_t word = (uint32_t)value;
        uint8_t bytes[4] = {(uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16),
                            (uint8_t)(word >> 24)};
        memcpy(at, bytes, 4);
    } else {
        for (uint32_t i = 0; i < len; i++) at[i] = (uint8_t)((uint64_t)value >> (8 * i));
    }
    if (m->ram_has_code) uc_ctl_remove_cache(uc, addr, addr + len);
    return true;
}

int emu_ram_map(emu *m, char *why, size_t why_size) {
    const emu_board *b = m->board;
    uint64_t last = (uint64_t)b->ram_base + b->ram_size - 1;
    /* Mapped writable, then protected: uc_mem_map_ptr alone leaves the pages writable. */
    uc_err err = uc_mem_map_ptr(m->uc, b->ram_base, b->ram_size, UC_PROT_ALL, m->ram);
    if (!err) err = uc_mem_protect(m->uc, b->ram_base, b->ram_size, UC_PROT_READ | UC_PROT_EXEC);
    uc_hook h;
    if (!err)
        err = uc_hook_add(m->uc, &h, UC_HOOK_MEM_WRITE_PROT, (void *)on_ram_store, m, b->ram_base,
                          last);
    if (err) return snprintf(why, why_size, "Unicorn: mapping RAM: %s", uc_strerror(err)), -1;
    return 0;
}

void emu_ram_rewritten(emu *m) {
    if (m->ram_has_code)
        uc_ctl_remove_cache(m->uc, m->board->ram_base,
                            (uint64_t)m->board->ram_base + m->board->ram_size);
}
