/* The ELF loader (emu_elf.h): header and program headers checked field by field, segments
 * handed out by physical address, and the symbol table kept for naming crash addresses.
 * Fields are read byte by byte, little-endian. */
#define _POSIX_C_SOURCE 200809L /* strndup, strnlen */
#include "emu_elf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    ELF_HEADER_SIZE = 52,
    ELF_PHDR_SIZE = 32,
    ELF_SHDR_SIZE = 40,
    ELF_SYM_SIZE = 16,
    ELF_CLASS32 = 1,
    ELF_DATA_LE = 1,
    ELF_TYPE_EXEC = 2,
    ELF_MACHINE_ARM = 40,
    ELF_PT_LOAD = 1,
    ELF_SHT_SYMTAB = 2,
    ELF_STT_OBJECT = 1,
    ELF_STT_FUNC = 2,
};

static uint16_t get16(const uint8_t *p) {
    return (uint16_t)(p[0] | p[1] << 8);
}
uint32_t emu_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int fail(char *why, size_t why_size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_size, fmt, ap);
    va_end(ap);
    return -1;
}

/* True when [offset, offset + count * entry) lies inside the file. */
static bool table_fits(const emu_elf *elf, uint32_t offset, uint32_t count, uint32_t entry) {
    uint64_t end = (uint64_t)offset + (uint64_t)count * entry;
    return end <= elf->size;
}

static int read_file(emu_elf *elf, const char *path, char *why, size_t why_size) {
    FILE *f = fopen(path, "rb");
    if (!f) return fail(why, why_size, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, used = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        used += fread(buf + used, 1, cap - used, f);
        if (used < cap) break;
        uint8_t *grown = cap < (1u << 28) ? realloc(buf, cap * 2) : NULL;
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int error = ferror(f) ? errno : 0; /* a directory opens, and its read fails: EISDIR */
    fclose(f);
    if (!buf) return fail(why, why_size, "%s: too large or out of memory", path);
    if (error) {
        free(buf);
        return fail(why, why_size, "%s: cannot read: %s", path, strerror(error));
    }
    elf->bytes = buf;
    elf->size = used;
    return 0;
}

static int check_header(const emu_elf *elf, const char *path, char *why, size_t why_size) {
    const uint8_t *h = elf->bytes;
    if (elf->size < 4 || memcmp(h,
                                "\x7f"
                                "ELF",
                                4))
        return fail(why, why_size, "%s: not an ELF file (no \\x7fELF magic)", path);
    if (elf->size < ELF_HEADER_SIZE)
        return fail(why, why_size, "%s: truncated ELF header (%zu bytes)", path, elf->size);
    if (h[4] != ELF_CLASS32 || h[5] != ELF_DATA_LE)
        return fail(why, why_size, "%s: not a 32-bit little-endian ELF (class %u, data %u)", path,
                    h[4], h[5]);
    if (get16(h + 18) != ELF_MACHINE_ARM)
        return fail(why, why_size, "%s: not an ARM executable (e_machine %u, ARM is 40)", path,
                    get16(h + 18));
    if (get16(h + 16) != ELF_TYPE_EXEC)
        return fail(why, why_size, "%s: not an executable (e_type %u; link it first)", path,
                    get16(h + 16));
    uint32_t phoff = emu_le32(h + 28), phnum = get16(h + 44);
    if (phnum == 0) return fail(why, why_size, "%s: no program headers", path);
    if (get16(h + 42) != ELF_PHDR_SIZE)
        return fail(why, why_size, "%s: program header size %u, expected 32", path, get16(h + 42));
    if (!table_fits(elf, phoff, phnum, ELF_PHDR_SIZE))
        return fail(why, why_size, "%s: program headers (%u at offset %u) run past the end", path,
                    phnum, phoff);
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = h + phoff + i * ELF_PHDR_SIZE;
        if (emu_le32(ph) != ELF_PT_LOAD) continue;
        uint32_t offset = emu_le32(ph + 4), filesz = emu_le32(ph + 16), memsz = emu_le32(ph + 20);
        uint32_t paddr = emu_le32(ph + 12);
        if (filesz > memsz)
            return fail(why, why_size, "%s: segment %u: file size %u above memory size %u", path, i,
                        filesz, memsz);
        if ((uint64_t)offset + filesz > elf->size)
            return fail(why, why_size, "%s: segment %u: bytes %u..%u past the end of the file",
                        path, i, offset, offset + filesz);
        if ((uint64_t)paddr + memsz > UINT64_C(1) << 32)
            return fail(why, why_size, "%s: segment %u: 0x%08x + %u wraps the address space", path,
                        i, paddr, memsz);
    }
    return 0;
}

static int by_address(const void *a, const void *b) {
    const emu_elf_symbol *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Function and object symbols with a size; a malformed table only loses the names. */
static void read_symbols(emu_elf *elf) {
    const uint8_t *h = elf->bytes;
    uint32_t shoff = emu_le32(h + 32), shnum = get16(h + 48);
    if (get16(h + 46) != ELF_SHDR_SIZE || !table_fits(elf, shoff, shnum, ELF_SHDR_SIZE)) return;
    for (uint32_t i = 0; i < shnum; i++) {
        const uint8_t *sh = h + shoff + i * ELF_SHDR_SIZE;
        if (emu_le32(sh + 4) != ELF_SHT_SYMTAB) continue;
        uint32_t off = emu_le32(sh + 16), size = emu_le32(sh + 20), link = emu_le32(sh + 24);
        if (link >= shnum || !table_fits(elf, off, size / ELF_SYM_SIZE, ELF_SYM_SIZE)) return;
        const uint8_t *strsh = h + shoff + link * ELF_SHDR_SIZE;
        uint32_t stroff = emu_le32(strsh + 16), strsize = emu_le32(strsh + 20);
        if (!table_fits(elf, stroff, strsize, 1)) return;
        uint32_t count = size / ELF_SYM_SIZE;
        elf->symbols = calloc(count ? count : 1, sizeof *elf->symbols);
        if (!elf->symbols) return;
        for (uint32_t s = 0; s < count; s++) {
            const uint8_t *sym = h + off + s * ELF_SYM_SIZE;
            unsigned type = sym[12] & 0xF;
            uint32_t name = emu_le32(sym);
            if ((type != ELF_STT_FUNC && type != ELF_STT_OBJECT) || name >= strsize) continue;
            const char *text = (const char *)h + stroff + name;
            size_t len = strnlen(text, strsize - name);
            if (len == 0 || len == strsize - name) continue;
            emu_elf_symbol *out = &elf->symbols[elf->symbol_count];
            out->name = strndup(text, len);
            if (!out->name) break;
            out->addr = emu_le32(sym + 4) & ~1u;
            out->size = emu_le32(sym + 8);
            elf->symbol_count++;
        }
        qsort(elf->symbols, elf->symbol_count, sizeof *elf->symbols, by_address);
        return;
    }
}

int emu_elf_open(emu_elf *elf, const char *path, char *why, size_t why_size) {
    memset(elf, 0, sizeof *elf);
    if (read_file(elf, path, why, why_size) || check_header(elf, path, why, why_size)) {
        emu_elf_close(elf);
        return -1;
    }
    elf->entry = emu_le32(elf->bytes + 24);
    read_symbols(elf);
    return 0;
}

void emu_elf_close(emu_elf *elf) {
    for (size_t i = 0; i < elf->symbol_count; i++) free(elf->symbols[i].name);
    free(elf->symbols);
    free(elf->bytes);
    memset(elf, 0, sizeof *elf);
}

int emu_elf_for_each_segment(const emu_elf *elf, emu_elf_segment_fn fn, void *ctx, char *why,
                             size_t why_size) {
    const uint8_t *h = elf->bytes;
    uint32_t phoff = emu_le32(h + 28), phnum = get16(h + 44);
    unsigned loaded = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = h + phoff + i * ELF_PHDR_SIZE;
        if (emu_le32(ph) != ELF_PT_LOAD || emu_le32(ph + 20) == 0) continue;
        if (fn(ctx, emu_le32(ph + 12), h + emu_le32(ph + 4), emu_le32(ph + 16), emu_le32(ph + 20),
               why, why_size))
            return -1;
        loaded++;
    }
    if (!loaded) return fail(why, why_size, "no loadable (PT_LOAD) segment");
    return 0;
}

const emu_elf_symbol *emu_elf_symbol_at(const emu_elf *elf, uint32_t addr) {
    addr &= ~1u;
    for (size_t i = elf->symbol_count; i-- > 0;) {
        const emu_elf_symbol *s = &elf->symbols[i];
        if (s->addr <= addr) {
            if (addr - s->addr < (s->size ? s->size : 1)) return s;
            if (s->size) return NULL;
        }
    }
    return NULL;
}

int emu_elf_symbol_find(const emu_elf *elf, const char *name, uint32_t *addr) {
    for (size_t i = 0; i < elf->symbol_count; i++)
        if (!strcmp(elf->symbols[i].name, name)) return *addr = elf->symbols[i].addr, 0;
    return -1;
}
