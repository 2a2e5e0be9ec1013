/* The ELF loader: reads a 32-bit little-endian ARM executable, hands each PT_LOAD segment's
 * bytes to the caller at its physical address (zero-filled past the file size), and finds
 * the symbol that holds an address (for crash reports). Every malformed field is one error
 * message naming the file and what is wrong. */
#ifndef NORBENCH_EMU_ELF_H
#define NORBENCH_EMU_ELF_H

#include <stddef.h>
#include <stdint.h>

#define EMU_ELF_WHY_MAX 256

typedef struct emu_elf_symbol {
    uint32_t addr, size;
    char *name;
} emu_elf_symbol;

typedef struct emu_elf {
    uint8_t *bytes; /* the whole file */
    size_t size;
    uint32_t entry;
    emu_elf_symbol *symbols; /* functions and objects, sorted by address */
    size_t symbol_count;
} emu_elf;

/* Reads and checks PATH. 0, or -1 with `why` saying what is wrong. */
int emu_elf_open(emu_elf *elf, const char *path, char *why, size_t why_size);
void emu_elf_close(emu_elf *elf);

/* Called per PT_LOAD segment: `memsz` bytes at physical address `paddr`, of which the first
 * `filesz` come from `data` (the rest are zero). Returns 0, or -1 with `why` filled in. */
typedef int (*emu_elf_segment_fn)(void *ctx, uint32_t paddr, const uint8_t *data, uint32_t filesz,
                                  uint32_t memsz, char *why, size_t why_size);
int emu_elf_for_each_segment(const emu_elf *elf, emu_elf_segment_fn fn, void *ctx, char *why,
                             size_t why_size);

/* The little-endian word at `p`: the ELF's fields, and the emulator's reads of words in the
 * target's memory (the vector table, exception frames). */
uint32_t emu_le32(const uint8_t *p);

/* The symbol whose [addr, addr+size) holds `addr` (Thumb bit ignored); NULL when none. */
const emu_elf_symbol *emu_elf_symbol_at(const emu_elf *elf, uint32_t addr);
/* The address of the symbol NAME; -1 when there is none. */
int emu_elf_symbol_find(const emu_elf *elf, const char *name, uint32_t *addr);

#endif
