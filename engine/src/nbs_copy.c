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
    uint8_t head[32], unit[32];
    memset(head, log->flash.erase_value, sizeof head);
    uint32_t head_len = nbs_head_encode(log, it, false, head);
    uint32_t hlen = nbs_round_up(head_len + NBS_CRC_BYTES, w), fl = nbs_flag_units(log) * w;
    if (log->gap_pending) return NBS_E_CORRUPT; /* copies go to pages opened this power-on */
    uint32_t pos = log->front;
    uint32_t data = pos + fl + hlen;
    uint32_t end = data + nbs_round_up(it->klen + it->vlen, w);
    if (end > log->flash.page_size) return NBS_E_FULL;
    log->front = end;
    uint32_t old_crc = nbs_crc32c(src->seed, it->head, it->head_len);
    uint32_t new_crc = nbs_crc32c(log->newest_seed, head, head_len);
    uint32_t size, left = it->klen + it->vlen, from = it->data, to = data;
    uint8_t *chunk = nbs_work_chunk(log, &size);
    size = size / w * w;
    bool readable = true;
    while (left) {
        uint32_t n = left < size ? left : size, padded = nbs_round_up(n, w);
        int rc = nbs_read(log, src->page, from, chunk, n);
        if (rc == NBS_E_ECC) {
            readable = false; /* copied as it reads, checked as not intact */
        } else if (rc) {
            return rc;
        }
        old_crc = nbs_crc32c(old_crc, chunk, n);
        new_crc = nbs_crc32c(new_crc, chunk, n);
        memset(chunk + n, log->flash.erase_value, padded - n);
        if ((rc = nbs_program(log, log->newest, to, chunk, padded))) return rc;
        from += n, to += padded, left -= n;
    }
    bool intact = readable && old_crc == it->crc;
    nbs_put_le(head + head_len, intact ? new_crc : ~new_crc, NBS_CRC_BYTES);
    *out = *it;
    out->off = pos, out->data = data, out->end = end, out->after_gap = false;
    out->crc = intact ? new_crc : ~new_crc, out->read_len = 0;
    memcpy(out->head, head, head_len);
    out->head_len = (uint8_t)head_len;
    int rc = nbs_program(log, log->newest, pos + fl, head, hlen);
    if (rc) return rc;
    memset(unit, nbs_programmed_byte(log), sizeof unit);
    return nbs_program(log, log->newest, pos, unit, w); /* the seal */
}
