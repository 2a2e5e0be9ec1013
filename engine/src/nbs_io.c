/* Flash access of the ring log: the geometry a store accepts, reads, programs and page erases.
 * A failed program or erase (a power cut, a worn cell) leaves flash that only a mount may judge,
 * so it unmounts the store. Erases are tracked for this power-on: a page erased now and not
 * written since is opened without another erase (SPEC section 5.2). A store mounted read-only
 * programs nothing and erases nothing: its erases are only remembered, every one of them, in a
 * bit per page of the work buffer's notes (unused by a store that cannot write), and reads see
 * the page erased (SPEC section 6.5). */
#include "nbs_internal.h"

int nbs_check_geometry(const nbs_flash *f) {
    uint32_t w = f ? f->write_unit : 0;
    if (!f || !f->read || !f->program || !f->erase || w == 0 || (w & (w - 1)) || w > 32 ||
        (f->erase_value != 0xFF && f->erase_value != 0x00))
        return NBS_E_GEOMETRY;
    if (f->page_size < 64 || f->page_size % w || f->page_size > (1u << 19) || f->size == 0 ||
        f->size % f->page_size || f->size / f->page_size < 2 ||
        f->size / f->page_size > NBS_PAGES_MAX || f->start % w)
        return NBS_E_GEOMETRY;
    return NBS_OK;
}

/* A bit per note slot of a page (the last slot may be partial), or a bit per page when there are
 * more pages (a read-only mount's erases). */
static uint32_t notes_bytes(const nbs_flash *f) {
    uint32_t slots = f->page_size / NBS_NOTE_SLOT,
             pages = f->page_size ? f->size / f->page_size : 0;
    return (slots > pages ? slots : pages) / 8 + 1;
}

/* The key area, a chunk that holds an item's largest commit header, its flag units and some
 * data (SPEC section 4: one read per item), then the notes (GC, or a read-only mount's erases). */
size_t nbs_work_bytes_min(const nbs_flash *flash) {
    uint32_t w = flash && flash->write_unit ? flash->write_unit : 1;
    uint32_t notes = flash ? notes_bytes(flash) : 0;
    return NBS_WORK_KEY + nbs_round_up(1 + NBS_VARINT_MAX + NBS_CRC_BYTES, w) + 4u * w + 32u +
           notes;
}

uint8_t *nbs_work_chunk(nbs_log *log, uint32_t *size) {
    *size = log->work_size - NBS_WORK_KEY - notes_bytes(&log->flash);
    return log->work + NBS_WORK_KEY;
}

uint8_t *nbs_work_notes(nbs_log *log, uint32_t *bytes) {
    *bytes = notes_bytes(&log->flash);
    return log->work + log->work_size - *bytes;
}

static uint32_t page_addr(const nbs_log *log, uint32_t page) {
    return log->flash.start + page * log->flash.page_size;
}

int nbs_flash_result(int rc) {
    return rc == NBS_E_ECC ? NBS_E_ECC : rc ? NBS_E_IO : NBS_OK;
}

void nbs_erases_forget_all(nbs_log *log) {
    uint32_t bytes;
    uint8_t *notes = nbs_work_notes(log, &bytes);
    if (!nbs_read_only(log)) return;
    log->erased_bits = notes;
    memset(notes, 0, bytes);
}

static bool erased_now(const nbs_log *log, uint32_t page) {
    if (log->erased_bits) return log->erased_bits[page / 8] & (1u << (page % 8));
    for (unsigned i = 0; i < NBS_ERASED_TRACK; i++)
        if (log->erased[i] == page + 1) return true;
    return false;
}

int nbs_read(nbs_log *log, uint32_t page, uint32_t off, void *buf, uint32_t len) {
    if (nbs_read_only(
            log)) { /* flash as a read-write mount's erases and copies back would leave it */
        if (page + 1 == log->moved_home) {
            page = log->moved_from - 1;
        } else if (erased_now(log, page)) {
            memset(buf, log->flash.erase_value, len);
            return NBS_OK;
        }
    }
    return nbs_flash_result(log->flash.read(log->flash.ctx, page_addr(log, page) + off, buf, len));
}

static int after_write(nbs_log *log, int rc) {
    rc = nbs_flash_result(rc);
    if (rc) log->mounted = false;
    return rc;
}

static void forget_erased(nbs_log *log, uint32_t page) {
    for (unsigned i = 0; i < NBS_ERASED_TRACK; i++)
        if (log->erased[i] == page + 1) log->erased[i] = 0;
}

int nbs_program(nbs_log *log, uint32_t page, uint32_t off, const void *data, uint32_t len) {
    if (nbs_read_only(log)) return NBS_E_READ_ONLY;
    forget_erased(log, page);
    return after_write(log,
                       log->flash.program(log->flash.ctx, page_addr(log, page) + off, data, len));
}

int nbs_erase_page(nbs_log *log, uint32_t page) {
    /* KILL first: an erase a cut stops may leave the page reading as anything (an erase that
     * pre-programs its cells can make DONE read programmed over an intact first item), and a
     * page whose KILL reads programmed is gone. A failed KILL program is the erase's to report:
     * the power is off (the erase fails too) or the unit refused it (the erase still runs). */
    uint8_t unit[32];
    memset(unit, nbs_programmed_byte(log), sizeof unit);
    if (NBS_TEST_BREAK != NBS_TEST_BREAK_NO_KILL && !nbs_read_only(log))
        (void)log->flash.program(log->flash.ctx,
                                 page_addr(log, page) + nbs_hdr_region(log) + log->unit, unit,
                                 log->unit);
    return nbs_erase_killed(log, page);
}

int nbs_erase_killed(nbs_log *log, uint32_t page) {
    forget_erased(log, page);
    if (log->head_known && log->head_page == page) log->head_known = false; /* a stale hint */
    if (log->seed_page == page + 1) log->seed_page = 0;
    nbs_cache_page_erased(log, page);
    if (nbs_read_only(log)) { /* the page reads erased from now on (nbs_read); flash keeps it */
        log->erased_bits[page / 8] |= (uint8_t)(1u << (page % 8));
        return NBS_OK;
    }
    int rc = after_write(log, log->flash.erase(log->flash.ctx, page_addr(log, page)));
    if (rc) return rc;
    unsigned slot = 0;
    for (unsigned i = 0; i < NBS_ERASED_TRACK; i++)
        if (!log->erased[i]) slot = i;
    if (log->erased[slot]) { /* full: forget the oldest */
        for (slot = 0; slot + 1 < NBS_ERASED_TRACK; slot++)
            log->erased[slot] = log->erased[slot + 1];
    }
    log->erased[slot] = page + 1;
    return NBS_OK;
}

int nbs_ensure_erased(nbs_log *log, uint32_t page) {
    if (NBS_TEST_BREAK == NBS_TEST_BREAK_NO_ERASE_BEFORE_OPEN || erased_now(log, page))
        return NBS_OK;
    return nbs_erase_page(log, page);
}

bool nbs_all_erased(const nbs_log *log, const uint8_t *b, uint32_t len) {
    for (uint32_t i = 0; i < len; i++)
        if (b[i] != log->flash.erase_value) return false;
    return true;
}
