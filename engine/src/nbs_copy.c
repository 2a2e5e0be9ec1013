/* Copying an item into the newest page, as garbage collection and recovery do (a STORE-SAME
 * expanded to a full STORE, or kept elided behind a copy of its chain). The data is read
 * once: each piece is checked against the item's CRC (as it was written) and checksummed for
 * the copy (its CRC is seeded with the new page's header) as it is programmed, and only then is
 * the commit header written, with the new CRC when the data read matched, else with a CRC that
 * cannot match (the copy is then an item that is not intact, as the original read). A weak cell
 * read twice could give two answers; read once, the copy is what was decided. Data before its
 * header is safe here: a copy is made into a page that is erased whole when the copy is cut
 * (a GC round's page, a recovery copy without its DONE). */
#include "nbs_internal.h"

/* Reads n bytes of the item's key-then-value stream from byte `at` on into buf: a STORE-SAME's
 * key is its chain's (SPEC 3.6), read apart from its value. NBS_E_ECC when a piece read so. */
static int read_stream(nbs_log *log, uint32_t page, const nbs_item *it, uint32_t at, uint8_t *buf,
                       uint32_t n) {
    if (!it->elided) return nbs_read(log, page, it->data + at, buf, n);
    int result = NBS_OK;
    while (n) {
        const bool key = at < it->klen;
        uint32_t from = key ? it->key_at + at : nbs_item_value_at(it) + (at - it->klen);
        uint32_t len = key && n > it->klen - at ? it->klen - at : n;
        int rc = nbs_read(log, page, from, buf, len);
        if (rc && rc != NBS_E_ECC) return rc;
        if (rc) result = rc;
        at += len, buf += len, n -= len;
    }
    return result;
}

int nbs_copy_item(nbs_log *log, const nbs_cursor *src, const nbs_item *it, bool elide,
                  nbs_item *out) {
    const uint32_t w = log->unit;
    if (log->gap_pending) return NBS_E_CORRUPT; /* copies go to pages opened this power-on */
    *out = *it;
    out->off = log->front, out->after_gap = false, out->read_len = 0, out->in_txn = 0;
    out->elided = it->elided && (elide || NBS_TEST_BREAK == NBS_TEST_BREAK_ELIDE_GC_KEPT);
    int rc = nbs_place_item(log, out);
    if (rc) return rc;
    /* Both CRCs cover the key, programmed or not (a STORE-SAME's: the one it resolves to). */
    uint32_t old_crc = nbs_crc32c(src->seed, it->head, it->head_len);
    uint32_t new_crc = nbs_crc32c(log->newest_seed, out->head, out->head_len);
    uint32_t size, total = it->klen + it->vlen, skip = out->elided ? it->klen : 0, done = 0;
    uint32_t to = out->data;
    uint8_t *chunk = nbs_work_chunk(log, &size);
    size = size / w * w;
    bool readable = true;
    while (done < total) {
        uint32_t n = total - done < size ? total - done : size;
        if (done < skip && n > skip - done) n = skip - done; /* the key, not programmed */
        rc = read_stream(log, src->page, it, done, chunk, n);
        if (rc == NBS_E_ECC) {
            readable = false; /* copied as it reads, checked as not intact */
        } else if (rc) {
            return rc;
        }
        old_crc = nbs_crc32c(old_crc, chunk, n);
        new_crc = nbs_crc32c(new_crc, chunk, n);
        if (done >= skip && (rc = nbs_program_chunk(log, to, n))) return rc;
        if (done >= skip) to += n;
        done += n;
    }
    out->crc = readable && old_crc == it->crc ? new_crc : ~new_crc;
    rc = nbs_program_head(log, out);
    return rc ? rc : nbs_program_seal(log, out);
}
