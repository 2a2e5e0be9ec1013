/* The caller's storage device inside the board's flash (emu_options.storage: the scenario's
 * device for `run --target`), and the agent mailbox. The device takes the place of the last
 * bytes of the flash: the CPU reads a view of it there, and the board's flash controller
 * programs and erases it through emu_flash_program/erase, which hand those addresses here.
 * The mailbox is plain memory at MBOX_BASE (emu_mailbox.h), the same on every board. */
#include "emu_internal.h"
#include "emu_mailbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t emu_storage_base(const emu *m) {
    return m->store_base - m->store_skip;
}

uint32_t emu_storage_first(const emu *m) {
    return m->store_skip;
}

uint8_t *emu_mailbox(emu *m) {
    return m->mailbox;
}

/* The device must behave like the board's own flash where it sits: same write rules, same
 * sectors. */
static bool same_rules(const nor_config *a, const nor_config *b) {
    return a->write_unit == b->write_unit && a->erase_value == b->erase_value &&
           a->write_policy == b->write_policy && a->max_writes_per_unit == b->max_writes_per_unit &&
           a->ecc == b->ecc;
}

/* Where the firmware's flash ends: its segments in the board's flash, from the ELF. */
static int note_firmware_end(void *ctx, uint32_t paddr, const uint8_t *data, uint32_t filesz,
                             uint32_t memsz, char *why, size_t why_size) {
    (void)data, (void)filesz, (void)why, (void)why_size;
    emu *m = ctx;
    uint64_t end = (uint64_t)paddr + memsz, flash_end = (uint64_t)m->flash_base + m->flash_size;
    if (paddr >= m->flash_base && paddr < flash_end && end > m->store_base)
        m->store_base = end > flash_end ? (uint32_t)flash_end : (uint32_t)end;
    return 0;
}

/* The device's end sits at the end of the board's flash; its sectors up to the end of the
 * firmware are left out (the engine's range must avoid them: emu_storage_first); the others
 * must be sectors of the board's flash. */
int emu_storage_place(emu *m, nor *dev, char *why, size_t why_size) {
    const nor_config *board = nor_get_config(m->flash_dev), *mine = nor_get_config(dev);
    uint32_t flash_size = nor_size(m->flash_dev), size = nor_size(dev);
    if (!same_rules(board, mine))
        return snprintf(why, why_size,
                        "the scenario's flash (preset %s) does not write like the %s's flash "
                        "(preset %s): write unit, erase value and write policy must match",
                        mine->name, m->board->name, board->name),
               -1;
    if (size > flash_size)
        return snprintf(why, why_size,
                        "the scenario's flash (%u bytes) is larger than the %s's flash (%u "
                        "bytes): give it fewer sectors",
                        size, m->board->name, flash_size),
               -1;
    uint32_t offset = flash_size - size, device_at = m->flash_base + offset;
    m->store_base = device_at; /* moved past the firmware's last byte, if it lies above */
    char inner[EMU_WHY_MAX];
    emu_elf_for_each_segment(&m->elf, note_firmware_end, m, inner, sizeof inner);
    uint32_t skip = 0;
    while (skip < size && device_at + skip < m->store_base) {
        uint32_t index, start, sector_size;
        nor_sector_at(dev, skip, &index, &start, &sector_size);
        skip = start + sector_size;
    }
    if (skip >= size)
        return snprintf(why, why_size,
                        "the scenario's flash (%u bytes, placed at 0x%08x, the end of the %s's "
                        "flash) leaves no room for the firmware, which ends at 0x%08x: give it "
                        "fewer sectors",
                        size, device_at, m->board->name, m->store_base),
               -1;
    for (uint32_t at = skip; at < size;) {
        uint32_t index, start, mine_size, board_start, board_size;
        nor_sector_at(dev, at, &index, &start, &mine_size);
        if (nor_sector_at(m->flash_dev, offset + at, &index, &board_start, &board_size) ||
            board_start != offset + at || board_size != mine_size)
            return snprintf(why, why_size,
                            "the scenario's flash sector at 0x%x (%u bytes) does not match a "
                            "sector of the %s's flash at 0x%08x: the scenario's flash must end "
                            "with the board's last sectors (with unequal sectors: all of them)",
                            at, mine_size, m->board->name, device_at + at),
                   -1;
        at += mine_size;
    }
    m->store_dev = dev;
    m->store_skip = skip;
    m->store_base = device_at + skip;
    m->store_size = size - skip;
    m->store_view = malloc(m->store_size);
    if (mine->ecc) m->store_ecc_bad = calloc(m->store_size / mine->write_unit, 1);
    if (!m->store_view || (mine->ecc && !m->store_ecc_bad))
        return snprintf(why, why_size, "out of memory"), -1;
    nor_peek(dev, skip, m->store_view, m->store_size);
    return 0;
}

int emu_storage_map(emu *m, char *why, size_t why_size) {
    m->mailbox = calloc(1, MBOX_SIZE);
    if (!m->mailbox) return snprintf(why, why_size, "out of memory"), -1;
    uc_err err =
        uc_mem_map_ptr(m->uc, MBOX_BASE, MBOX_SIZE, UC_PROT_READ | UC_PROT_WRITE, m->mailbox);
    if (!err && m->store_dev && m->store_size) {
        err = uc_mem_map_ptr(m->uc, m->store_base, m->store_size, UC_PROT_READ | UC_PROT_EXEC,
                             m->store_view);
        /* Read-only, so that stores reach the flash controller (see map_memory). */
        if (!err)
            err = uc_mem_protect(m->uc, m->store_base, m->store_size, UC_PROT_READ | UC_PROT_EXEC);
    }
    if (err) return snprintf(why, why_size, "Unicorn: mapping storage: %s", uc_strerror(err)), -1;
    return 0;
}

void emu_storage_free(emu *m) {
    free(m->store_view);
    free(m->store_ecc_bad);
    free(m->mailbox);
    m->store_view = m->store_ecc_bad = m->mailbox = NULL;
}

bool emu_storage_holds(const emu *m, uint32_t addr) {
    return m->store_dev && addr >= m->store_base && addr - m->store_base < m->store_size;
}

uint32_t emu_storage_sector_size(const emu *m, uint32_t addr) {
    uint32_t index, start, size;
    if (nor_sector_at(m->store_dev, addr - m->store_base + m->store_skip, &index, &start, &size))
        return 0;
    return size;
}

static uint32_t ecc_unit(const emu *m) {
    const nor_config *cfg = nor_get_config(m->store_dev);
    return cfg->ecc ? cfg->write_unit : 0;
}

bool emu_storage_word_bad(const emu *m, uint32_t addr) {
    return m->store_ecc_bad && m->store_ecc_bad[(addr - m->store_base) / ecc_unit(m)];
}

/* The view of [at, at+len) (mapped offsets) from the stored bits, Unicorn's code from it dropped.
 * A program leaves the words it touched whose ECC could not correct them decided again (a word
 * programmed to all zeros over a torn one reads clean on the host too); an erase clears them. */
static void refresh(emu *m, uint32_t at, uint32_t len, bool erased) {
    nor_peek(m->store_dev, m->store_skip + at, m->store_view + at, len);
    uint32_t unit = ecc_unit(m);
    for (uint32_t w = unit ? at / unit : 0; unit && w * unit < at + len; w++)
        if (erased)
            m->store_ecc_bad[w] = 0;
        else if (m->store_ecc_bad[w])
            emu_flash_read_words(m->store_dev, m->store_skip + w * unit, unit, unit,
                                 m->store_view + w * unit, m->store_ecc_bad + w);
    uc_ctl_remove_cache(m->uc, (uint64_t)m->store_base + at, (uint64_t)m->store_base + at + len);
}

int emu_storage_program(emu *m, uint32_t addr, const void *data, uint32_t len, uint64_t *ns) {
    uint32_t at = addr - m->store_base;
    uint64_t t0 = nor_time_us(m->store_dev);
    int rc = nor_program(m->store_dev, m->store_skip + at, data, len);
    *ns = (nor_time_us(m->store_dev) - t0) * 1000;
    m->boot->flash_programs++;
    refresh(m, at, len, false);
    return emu_flash_settle(m, m->store_dev, rc, "a program", addr, len);
}

int emu_storage_erase(emu *m, uint32_t addr, uint64_t *ns) {
    uint32_t index, start, size;
    nor_sector_at(m->store_dev, addr - m->store_base + m->store_skip, &index, &start, &size);
    uint64_t t0 = nor_time_us(m->store_dev);
    int rc = nor_erase(m->store_dev, start);
    *ns = (nor_time_us(m->store_dev) - t0) * 1000;
    m->boot->flash_erases++;
    refresh(m, start - m->store_skip, size, rc == 0);
    return emu_flash_settle(m, m->store_dev, rc, "an erase", m->store_base + start - m->store_skip,
                            size);
}

/* The device's power belongs to its owner (the runner powers it on before a mount), and so do
 * its bytes: a cut, or the owner's own writes (a scenario's fault injection), may have changed
 * them since the last boot. At each power-on they are read through the model, weak bits drawn,
 * as the CPU will see them, and with ECC word by word, as the host engine's reads decode them. */
bool emu_storage_power_on(emu *m) {
    if (!m->store_dev || !nor_is_powered(m->store_dev)) return false;
    bool uncorrectable = emu_flash_read_words(m->store_dev, m->store_skip, m->store_size,
                                              ecc_unit(m), m->store_view, m->store_ecc_bad);
    uc_ctl_remove_cache(m->uc, m->store_base, (uint64_t)m->store_base + m->store_size);
    return uncorrectable;
}

void emu_storage_reread(emu *m) {
    if (!m->store_dev) return;
    nor_peek(m->store_dev, m->store_skip, m->store_view, m->store_size);
    uc_ctl_remove_cache(m->uc, m->store_base, (uint64_t)m->store_base + m->store_size);
}
