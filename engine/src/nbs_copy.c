/* Copying an item into the newest page, as garbage collection and recovery do: its CRC is
 * computed anew for the new page (the seed is the page's header), so its data is read twice,
 * once for the CRC and once to copy it, in pieces of the chunk area. The copy is an item like
 * any other: commit header, data, seal. */
#include "nbs_internal.h"

/* Streams the item's data through the chunk area: to the CRC, or to the newest page at `to`. */
static int stream(nbs_log *log, const nbs_cursor *src, const nbs_item *it, uint32_t *crc,
                  uint32_t to) {
    uint32_t size, left = it->klen + it->vlen, from = it->data;
    uint8_t *chunk = nbs_work_chunk(log, &size);
    size = size / log->unit * log->unit;
    while (left) {
        uint32_t n = left < size ? left : size, padded = nbs_round_up(n, log->unit);
        int rc = nbs_read(log, nbs_page_addr(log, src->page) + from, chunk, n);
        if (rc) return rc;
        if (crc) {
            *crc = nbs_crc32c(*crc, chunk, n);
        } else {
            memset(chunk + n, log->flash.erase_value, padded - n);
            if ((rc = nbs_program(log, log->newest, to, chunk, padded))) return rc;
            to += padded;
        }
        from += n, left -= n;
    }
    return NBS_OK;
}

int nbs_copy_item(nbs_log *log, const nbs_cursor *src, const nbs_item *it) {
    const uint32_t w = log->unit;
    uint8_t head[32], unit[32];
    memset(head, log->flash.erase_value, sizeof head);
    uint32_t head_len = nbs_head_encode(log, it, false, head);
    uint32_t crc = nbs_crc32c(log->newest_seed, head, head_len);
    int rc = stream(log, src, it, &crc, 0);
    if (rc) return rc;
    nbs_put_le(head + head_len, crc, NBS_CRC_BYTES);
    uint32_t hlen = nbs_round_up(head_len + NBS_CRC_BYTES, w);
    uint32_t pos = log->front + (log->gap_pending ? nbs_gap(log) : 0);
    uint32_t data = pos + hlen + nbs_flag_units(log) * w;
    uint32_t end = data + nbs_round_up(it->klen + it->vlen, w);
    if (end > log->flash.page_size) return NBS_E_FULL;
    log->front = end;
    log->gap_pending = false;
    if ((rc = nbs_program(log, log->newest, pos, head, hlen))) return rc;
    if ((rc = stream(log, src, it, NULL, data))) return rc;
    memset(unit, nbs_programmed_byte(log), sizeof unit);
    return nbs_program(log, log->newest, pos + hlen, unit, w);
}
