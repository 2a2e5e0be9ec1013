/* Raw access to one partition (nbs_part.h, ECMA-419 embedded:storage/flash): open by name in
 * mode r or r+, the status figures, reads clamped to the end, writes checked for mode, range and
 * write-unit alignment, erases of whole blocks (sectors) with eraseBlock's argument rules. Every
 * byte goes through the device's flash callbacks, so the flash's own rules apply underneath. */
#include "nbs_internal.h"

/* The one sector size of [start, start+size), or 0 when the sectors differ. */
static uint32_t uniform_sector(const nbs_device *dev, uint32_t start, uint32_t size) {
    uint32_t first = 0;
    for (uint32_t addr = start; addr < start + size;) {
        uint32_t s_start, s_size;
        if (!nbs_sector_at(dev, addr, &s_start, &s_size)) return 0;
        if (first && s_size != first) return 0;
        first = s_size;
        addr = s_start + s_size;
    }
    return first;
}

int nbs_raw_open(nbs_raw *raw, const nbs_part_table *table, const char *name, bool writable) {
    if (!raw) return NBS_E_INVAL;
    raw->open = false;
    const nbs_flash *f = table ? &table->device->flash : NULL;
    if (!f || !f->read || !f->program || !f->erase) return NBS_E_INVAL;
    const nbs_partition *p;
    int rc = nbs_part_find(table, name, &p);
    if (rc) return rc;
    if (writable && p->read_only) return NBS_E_READ_ONLY;
    uint32_t block = uniform_sector(table->device, p->start, p->size);
    if (!block) return NBS_E_GEOMETRY;
    raw->flash = table->device->flash;
    raw->flash.start = p->start;
    raw->flash.size = p->size;
    raw->flash.page_size = block;
    raw->writable = writable;
    raw->open = true;
    return NBS_OK;
}

void nbs_raw_close(nbs_raw *raw) {
    if (raw) raw->open = false;
}

int nbs_raw_status_get(const nbs_raw *raw, nbs_raw_status *status) {
    if (!raw || !raw->open || !status) return NBS_E_INVAL;
    const nbs_flash *f = &raw->flash;
    *status = (nbs_raw_status){.size = f->size,
                               .block_length = f->page_size,
                               .blocks = f->size / f->page_size,
                               .erase_value = f->erase_value,
                               .write_align = f->write_unit};
    return NBS_OK;
}

int nbs_raw_read(nbs_raw *raw, uint32_t offset, void *buf, uint32_t count, uint32_t *got) {
    if (!raw || !raw->open || !got || (count && !buf)) return NBS_E_INVAL;
    *got = 0;
    const nbs_flash *f = &raw->flash;
    if (offset > f->size) return NBS_E_RANGE;
    uint32_t left = f->size - offset;
    if (NBS_TEST_BREAK == NBS_TEST_BREAK_RAW_NO_CLAMP) left = f->size;
    uint32_t n = count < left ? count : left;
    if (n) {
        int rc = nbs_flash_result(f->read(f->ctx, f->start + offset, buf, n));
        if (rc) return rc;
    }
    *got = n;
    return NBS_OK;
}

int nbs_raw_write(nbs_raw *raw, uint32_t offset, const void *data, uint32_t count) {
    if (!raw || !raw->open || (count && !data)) return NBS_E_INVAL;
    const nbs_flash *f = &raw->flash;
    if (!raw->writable) return NBS_E_READ_ONLY;
    if (offset > f->size || count > f->size - offset) return NBS_E_RANGE;
    if (NBS_TEST_BREAK != NBS_TEST_BREAK_RAW_SKIP_ALIGN &&
        (offset % f->write_unit || count % f->write_unit))
        return NBS_E_ALIGN;
    if (count == 0) return NBS_OK;
    return nbs_flash_result(f->program(f->ctx, f->start + offset, data, count));
}

int nbs_raw_erase(nbs_raw *raw, int64_t from, int64_t to) {
    if (!raw || !raw->open) return NBS_E_INVAL;
    const nbs_flash *f = &raw->flash;
    if (!raw->writable) return NBS_E_READ_ONLY;
    int64_t blocks = f->size / f->page_size;
    if (from < 0 || from >= blocks || to <= from || to > blocks) return NBS_E_RANGE;
    for (int64_t b = from; b < to; b++) {
        int rc = f->erase(f->ctx, f->start + (uint32_t)b * f->page_size);
        if (rc) return nbs_flash_result(rc);
    }
    return NBS_OK;
}
