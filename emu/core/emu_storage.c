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
    return m->store_base;
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

int emu_storage_place(emu *m, nor *dev, char *why, size_t why_size) {
    const nor_config *board = nor_get_config(m->flash_dev), *mine = nor_get_config(dev);
    uint32_t flash_size = nor_size(m->flash_dev), size = nor_size(dev);
    if (!same_rules(board, mine))
        return snprintf(why, why_size,
                        "the scenario's flash (preset %s) does not write like the %s's flash "
                        "(preset %s): write unit, erase value and write policy must match",
                        mine->name, m->board->name, board->name),
               -1;
    if (size >= flash_size)
        return snprintf(why, why_size,
                        "the scenario's flash (%u bytes) leaves no room for the firmware in the "
                        "%s's flash (%u bytes): give it fewer sectors",
                        size, m->board->name, flash_size),
               -1;
    uint32_t offset = flash_size - size;
    for (uint32_t at = 0; at < size;) {
        uint32_t index, start, mine_size, board_start, board_size;
        nor_sector_at(dev, at, &index, &start, &mine_size);
        if (nor_sector_at(m->flash_dev, offset + at, &index, &board_start, &board_size) ||
            board_start != offset + at || board_size != mine_size)
            return snprintf(why, why_size,
                            "the scenario's flash sector at 0x%x (%u bytes) does not match a "
                            "sector of the %s's flash at 0x%08x",
                            at, mine_size, m->board->name, m->flash_base + offset + at),
                   -1;
        at += mine_size;
    }
    m->store_dev = dev;
    m->store_base = m->flash_base + offset;
    m->store_size = size;
    m->store_view = malloc(size ? size : 1);
    if (!m->store_view) return snprintf(why, why_size, "out of memory"), -1;
    nor_peek(dev, 0, m->store_view, size);
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
    free(m->mailbox);
    m->store_view = m->mailbox = NULL;
}

bool emu_storage_holds(const emu *m, uint32_t addr) {
    return m->store_dev && addr >= m->store_base && addr - m->store_base < m->store_size;
}

uint32_t emu_storage_sector_size(const emu *m, uint32_t addr) {
    uint32_t index, start, size;
    if (nor_sector_at(m->store_dev, addr - m->store_base, &index, &start, &size)) return 0;
    return size;
}

static void refresh(emu *m, uint32_t offset, uint32_t len) {
    nor_peek(m->store_dev, offset, m->store_view + offset, len);
    uc_ctl_remove_cache(m->uc, (uint64_t)m->store_base + offset,
                        (uint64_t)m->store_base + offset + len);
}

int emu_storage_program(emu *m, uint32_t addr, const void *data, uint32_t len, uint64_t *ns) {
    uint32_t offset = addr - m->store_base;
    uint64_t t0 = nor_time_us(m->store_dev);
    int rc = nor_program(m->store_dev, offset, data, len);
    *ns = (nor_time_us(m->store_dev) - t0) * 1000;
    m->boot->flash_programs++;
    refresh(m, offset, len);
    if (rc == NOR_E_POWER_OFF) m->store_torn = true;
    return emu_flash_settle(m, m->store_dev, rc, "a program", addr, len);
}

int emu_storage_erase(emu *m, uint32_t addr, uint64_t *ns) {
    uint32_t index, start, size;
    nor_sector_at(m->store_dev, addr - m->store_base, &index, &start, &size);
    uint64_t t0 = nor_time_us(m->store_dev);
    int rc = nor_erase(m->store_dev, start);
    *ns = (nor_time_us(m->store_dev) - t0) * 1000;
    m->boot->flash_erases++;
    refresh(m, start, size);
    if (rc == NOR_E_POWER_OFF) m->store_torn = true;
    return emu_flash_settle(m, m->store_dev, rc, "an erase", m->store_base + start, size);
}

/* The device's power belongs to its owner (the runner powers it on before a mount); after a
 * cut its bytes are read through the model, weak bits drawn, as the CPU will see them. */
void emu_storage_power_on(emu *m) {
    if (!m->store_dev || !m->store_torn || !nor_is_powered(m->store_dev)) return;
    nor_read(m->store_dev, 0, m->store_view, m->store_size);
    uc_ctl_remove_cache(m->uc, m->store_base, (uint64_t)m->store_base + m->store_size);
    m->store_torn = false;
}
