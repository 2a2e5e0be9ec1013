/* Copying an item into the newest page, as garbage collection and recovery do. The data is read
 * once: each piece is checked against the item's CRC (as it was written) and checksummed for
 * the copy (its CRC is seeded with the new page's header) as it is programmed, and only then is
 * the commit header written, with the new CRC when the data read matched, else with a CRC that
 * cannot match (the copy is then an item that is not intact, as the original read). A weak cell
 * read twice could give two answers; read once, the copy is what was decided. Data before its
 * header is safe here: a copy is made into a page that is erased whole when the copy is cut
 * (a GC round's page, a recovery copy without its DONE). */
#include "nbs_internal.h"

int nbs_copy_item(nbs_log *log, const nbs_cursor *src, const nbs_item *it, nbs_item *out) {
    const uint32_t w = log->unit;
    if (log->gap_pending) return NBS_E_CORRUPT; /* copies go to pages opened this power-on */
    *out = *it;
    out->off = log->front, out->after_gap = false, out->read_len = 0, out->in_txn = 0;
    int rc = nbs_place_item(log, out);
    if (rc) return rc;
    uint32_t old_crc = nbs_crc32c(src->seed, it->head, it->head_len);
    uint32_t new_crc = nbs_crc32c(log->newest_seed, out->head, out->head_len);
    uint32_t size, left = it->klen + it->vlen, from = it->data, to = out->data;
    uint8_t *chunk = nbs_work_chunk(log, &size);
    size = size / w * w;
    bool readable = true;
    while (left) {
        uint32_t n = left < size ? left : size;
        rc = nbs_read(log, src->page, from, chunk, n);
        if (rc == NBS_E_ECC) {
            readable = false; /* copied as it reads, checked as not intact */
        } else if (rc) {
            return rc;
        }
        old_crc = nbs_crc32c(old_crc, chunk, n);
        new_crc = nbs_crc32c(new_crc, chunk, n);
        if ((rc = nbs_program_chunk(log, to, n))) return rc;
        from += n, to += n, left -= n;
    }
    out->crc = readable && old_crc == it->crc ? new_crc : ~new_crc;
    rc = nbs_program_head(log, out);
    return rc ? rc : nbs_program_seal(log, out);
}
