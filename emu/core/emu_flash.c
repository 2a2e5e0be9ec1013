/* The board's flash as the CPU sees it: a view of the NOR model's stored bytes mapped
 * read-only into the CPU (loads and instruction fetches read it directly), refreshed after
 * every program and erase the flash controller applies to the model. A sector a power cut
 * tore is read through the model at each power-on until it is erased, so its weak bits read
 * as the model draws them; with ECC, word by word, and a load from a word its ECC cannot
 * correct raises the fault the board's part raises (a crash when the firmware cannot take it). */
#include "emu_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The word at `word` (in the board's flash or the storage) is one its ECC cannot correct. */
static bool word_bad(const emu *m, uint32_t word) {
    if (emu_storage_holds(m, word)) return emu_storage_word_bad(m, word);
    return m->ecc_bad[(word - m->flash_base) / m->ecc_unit];
}

/* A load from flash: a word a torn sector's ECC cannot correct is the part's ECC fault. The
 * load completes (with the stored bits); the board sets its status registers and names the
 * exception, taken at the next block when the firmware has a handler; without one the boot
 * ends here in a crash. */
static void on_flash_load(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                          void *ctx) {
    (void)uc, (void)type, (void)value;
    emu *m = ctx;
    uint32_t first = (uint32_t)addr - ((uint32_t)addr - m->flash_base) % m->ecc_unit;
    for (uint32_t word = first; word < addr + (uint32_t)size; word += m->ecc_unit)
        if (word_bad(m, word) && m->powered && !m->stopped &&
            m->test_break != EMU_BREAK_ECC_SILENT) {
            const emu_board *b = m->board;
            unsigned exception = b->ecc_error ? b->ecc_error(m, m->board_state, word) : 0;
            if (exception && emu_exceptions_handler(m, exception)) {
                emu_exceptions_pend(m, exception);
                return;
            }
            emu_fault(m, (uint32_t)addr,
                      "uncorrectable ECC error reading flash at 0x%08x (the %u-byte word at "
                      "0x%08x): the %s raises %s%s",
                      (uint32_t)addr, m->ecc_unit, word, b->name,
                      b->ecc_fault ? b->ecc_fault : "a fault",
                      exception ? ", and the firmware has no handler for it" : "");
            return;
        }
}

int emu_flash_attach(emu *m, char *why, size_t why_size) {
    m->flash_base = m->board->flash_base;
    m->flash_size = nor_size(m->flash_dev);
    m->sector_count = nor_sector_count(m->flash_dev);
    m->flash_view = malloc(m->flash_size);
    m->sector_torn = calloc(m->sector_count, 1);
    m->sector_dirty = calloc(m->sector_count, 1);
    if (!m->flash_view || !m->sector_torn || !m->sector_dirty)
        return snprintf(why, why_size, "out of memory"), -1;
    memset(m->sector_dirty, 1, m->sector_count); /* the first resync fills the whole view */
    const nor_config *cfg = nor_get_config(m->flash_dev);
    if (cfg->ecc) {
        m->ecc_unit = cfg->write_unit;
        m->ecc_bad = calloc(m->flash_size / m->ecc_unit, 1);
        if (!m->ecc_bad) return snprintf(why, why_size, "out of memory"), -1;
    }
    return 0;
}

/* The load hook that raises ECC faults, added at the first power-on that finds a word ECC cannot
 * correct and kept from then on. Not before: while any read hook exists, Unicorn 2.0.1 translates
 * every load and store of the firmware to its slow path. Code translated before the hook would
 * never call it, so every translation of flash and RAM is dropped. */
void emu_flash_watch_ecc(emu *m) {
    if (m->ecc_watched) return;
    uint64_t flash_end = (uint64_t)m->flash_base + m->flash_size + m->store_size;
    uc_hook hook;
    if (uc_hook_add(m->uc, &hook, UC_HOOK_MEM_READ, (void *)on_flash_load, m, m->flash_base,
                    flash_end - 1))
        return; /* out of memory in Unicorn: tried again at the next power-on */
    m->ecc_watched = true;
    uc_ctl_remove_cache(m->uc, m->flash_base, flash_end);
    uc_ctl_remove_cache(m->uc, m->board->ram_base,
                        (uint64_t)m->board->ram_base + m->board->ram_size);
}

void emu_flash_detach(emu *m) {
    free(m->flash_view);
    free(m->sector_torn);
    free(m->sector_dirty);
    free(m->ecc_bad);
    m->flash_view = m->sector_torn = m->sector_dirty = m->ecc_bad = NULL;
}

uint32_t emu_flash_size(const emu *m) {
    return m->flash_size + m->store_size;
}

uint32_t emu_flash_sector_size(const emu *m, uint32_t addr) {
    uint32_t index, start, size;
    if (emu_storage_holds(m, addr)) return emu_storage_sector_size(m, addr);
    if (addr < m->flash_base || addr - m->flash_base >= m->flash_size) return 0;
    if (nor_sector_at(m->flash_dev, addr - m->flash_base, &index, &start, &size)) return 0;
    return size;
}

/* Code translated from bytes that changed must be translated again: Unicorn does not see
 * host-side writes to the view. (A block already running finishes as it was translated.) */
static void forget_code(emu *m, uint32_t offset, uint32_t len) {
    uc_ctl_remove_cache(m->uc, (uint64_t)m->flash_base + offset,
                        (uint64_t)m->flash_base + offset + len);
}

static void view_refresh(emu *m, uint32_t offset, uint32_t len) {
    nor_peek(m->flash_dev, offset, m->flash_view + offset, len);
    forget_code(m, offset, len);
}

static uint32_t sector_of(emu *m, uint32_t offset, uint32_t *start, uint32_t *size) {
    uint32_t index = 0;
    nor_sector_at(m->flash_dev, offset, &index, start, size);
    return index;
}

bool emu_flash_read_words(nor *dev, uint32_t start, uint32_t size, uint32_t unit, uint8_t *view,
                          uint8_t *bad) {
    if (!unit) {
        nor_read(dev, start, view, size);
        return false;
    }
    bool uncorrectable = false;
    for (uint32_t at = 0; at < size; at += unit) {
        bad[at / unit] = nor_read(dev, start + at, view + at, unit) == NOR_E_ECC;
        uncorrectable |= bad[at / unit];
    }
    return uncorrectable;
}

/* A torn sector through the model (weak bits drawn now), each ECC word's verdict kept for the
 * loads of this boot. True when a word's ECC cannot correct it. */
static bool read_torn_sector(emu *m, uint32_t start, uint32_t size) {
    return emu_flash_read_words(m->flash_dev, start, size, m->ecc_unit, m->flash_view + start,
                                m->ecc_unit ? m->ecc_bad + start / m->ecc_unit : NULL);
}

void emu_flash_power_on(emu *m) {
    nor_power_on(m->flash_dev);
    /* Only torn sectors hold words ECC cannot correct (the flash may have gone back to a
     * snapshot since the last power-on: decide again). */
    if (m->ecc_unit) memset(m->ecc_bad, 0, m->flash_size / m->ecc_unit);
    bool uncorrectable = emu_storage_power_on(m);
    for (uint32_t i = 0, offset = 0; i < m->sector_count; i++) {
        uint32_t start, size;
        sector_of(m, offset, &start, &size);
        if (m->sector_torn[i]) {
            uncorrectable |= read_torn_sector(m, start, size);
            forget_code(m, start, size);
        }
        offset = start + size;
    }
    if (uncorrectable) emu_flash_watch_ecc(m);
    if (m->cut_armed) {
        uint64_t done = nor_op_count(m->flash_dev);
        nor_arm_cut_after_ops(m->flash_dev, m->cut_op > done ? m->cut_op - done : 0);
        m->cut_armed = false;
    }
}

void emu_arm_cut(emu *m, uint64_t op_index) {
    m->cut_armed = true;
    m->cut_op = op_index;
}

void emu_flash_resync_dirty(emu *m) {
    for (uint32_t i = 0, offset = 0; i < m->sector_count; i++) {
        uint32_t start, size;
        sector_of(m, offset, &start, &size);
        if (m->sector_dirty[i]) view_refresh(m, start, size);
        offset = start + size;
    }
}

void emu_flash_clear_dirty(emu *m) {
    memset(m->sector_dirty, 0, m->sector_count);
}

/* What the model's result means for the firmware: the power went (stop the CPU here), the
 * model refused the operation, or it went through. */
int emu_flash_settle(emu *m, nor *dev, int rc, const char *what, uint32_t addr, uint32_t len) {
    if (rc == NOR_E_POWER_OFF) {
        char reason[160];
        snprintf(reason, sizeof reason,
                 "power cut inside %s of %u bytes at 0x%08x (flash operation %llu of the boot)",
                 what, len, addr,
                 (unsigned long long)(nor_op_count(dev) -
                                      (dev == m->flash_dev ? m->boot->first_op : 0)));
        emu_stop_with(m, EMU_STOP_POWER_CUT, reason);
        m->powered = false;
        return EMU_FLASH_CUT;
    }
    return rc ? EMU_FLASH_REFUSED : 0;
}

static int settle(emu *m, int rc, uint32_t sector, const char *what, uint32_t addr, uint32_t len) {
    if (rc == NOR_E_POWER_OFF) m->sector_torn[sector] = 1;
    return emu_flash_settle(m, m->flash_dev, rc, what, addr, len);
}

int emu_flash_program(emu *m, uint32_t addr, const void *data, uint32_t len,
                      uint64_t *duration_ns) {
    if (emu_storage_holds(m, addr)) return emu_storage_program(m, addr, data, len, duration_ns);
    uint32_t offset = addr - m->flash_base, start, size;
    uint32_t sector = sector_of(m, offset, &start, &size);
    uint64_t t0 = nor_time_us(m->flash_dev);
    int rc = nor_program(m->flash_dev, offset, data, len);
    *duration_ns = (nor_time_us(m->flash_dev) - t0) * 1000;
    m->boot->flash_programs++;
    m->sector_dirty[sector] = 1;
    view_refresh(m, offset, len);
    return settle(m, rc, sector, "a program", addr, len);
}

int emu_flash_erase(emu *m, uint32_t addr, uint64_t *duration_ns) {
    if (emu_storage_holds(m, addr)) return emu_storage_erase(m, addr, duration_ns);
    uint32_t offset = addr - m->flash_base, start, size;
    uint32_t sector = sector_of(m, offset, &start, &size);
    uint64_t t0 = nor_time_us(m->flash_dev);
    int rc = nor_erase(m->flash_dev, start);
    *duration_ns = (nor_time_us(m->flash_dev) - t0) * 1000;
    m->boot->flash_erases++;
    m->sector_dirty[sector] = 1;
    if (rc == 0) m->sector_torn[sector] = 0;
    if (rc == 0 && m->ecc_unit) memset(m->ecc_bad + start / m->ecc_unit, 0, size / m->ecc_unit);
    view_refresh(m, start, size);
    return settle(m, rc, sector, "an erase", m->flash_base + start, size);
}

void emu_flash_refused(emu *m) {
    m->boot->flash_refused++;
}
