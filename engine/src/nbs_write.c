/* The writers of the newest page (SPEC-v3 section 5): an item as commit header, data and seal,
 * each its own program so that a cut leaves one of the states the mount tells apart; the gap
 * after a mount; opening the next page; a queue pop (P, then A). RAM state moves past each
 * piece before it is programmed, so a failed write never leads to a unit programmed twice. */
#include "nbs_internal.h"

static uint32_t varint_put(uint8_t *b, uint32_t v) {
    uint32_t n = 0;
    do {
        b[n] = (uint8_t)(v & 0x7Fu);
        v >>= 7;
        if (v) b[n] |= 0x80u;
        n++;
    } while (v);
    return n;
}

/* The length field of an item (SPEC-v3 section 3). */
static uint32_t length_field(const nbs_log *log, uint32_t vlen, bool flag2, bool after_gap) {
    uint32_t field = vlen * 4u + (flag2 ? 2u : 0u) + (after_gap ? 1u : 0u);
    return log->kind == NBS_KIND_QUEUE ? field + 1 : field;
}

uint32_t nbs_append_cost(const nbs_log *log, uint32_t klen, uint32_t dlen) {
    uint32_t vlen = dlen - klen;
    return (log->gap_pending ? nbs_gap(log) : 0) +
           nbs_item_bytes(log, klen, dlen, length_field(log, vlen, true, true));
}

bool nbs_fits_newest(const nbs_log *log, uint32_t bytes) {
    return !log->empty && (uint64_t)log->front + bytes <= log->flash.page_size;
}

/* Programs `len` bytes of the concatenation of a and b (then erased padding up to a whole
 * unit) at page offset off, in pieces of the chunk area. */
static int program_data(nbs_log *log, uint32_t off, const uint8_t *a, uint32_t alen,
                        const uint8_t *b, uint32_t blen) {
    uint32_t size, total = alen + blen, done = 0;
    uint8_t *chunk = nbs_work_chunk(log, &size);
    size = size / log->unit * log->unit;
    while (done < total) {
        uint32_t n = total - done < size ? total - done : size;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t k = done + i;
            chunk[i] = k < alen ? a[k] : b[k - alen];
        }
        uint32_t padded = nbs_round_up(n, log->unit);
        memset(chunk + n, log->flash.erase_value, padded - n);
        int rc = nbs_program(log, log->newest, off + done, chunk, padded);
        if (rc) return rc;
        done += n;
    }
    return NBS_OK;
}

static int program_flag(nbs_log *log, uint32_t page, uint32_t off) {
    uint8_t unit[32];
    memset(unit, nbs_programmed_byte(log), sizeof unit);
    return nbs_program(log, page, off, unit, log->unit);
}

uint32_t nbs_head_encode(const nbs_log *log, const nbs_item *it, bool after_gap, uint8_t *out) {
    uint32_t n = 0;
    bool flag2 = it->type == ITEM_REMOVE || (log->kind == NBS_KIND_QUEUE && it->type == ITEM_MARK);
    if (log->kind == NBS_KIND_MAP)
        out[n++] = it->type == ITEM_CLEAR  ? TK_CLEAR
                   : it->type == ITEM_MARK ? TK_MARK
                                           : (uint8_t)it->klen;
    return n + varint_put(out + n, length_field(log, it->vlen, flag2, after_gap));
}

/* The first write after a mount (SPEC-v3 section 5.1): a program that a cut stopped at its very
 * start may have left weak cells that read erased where the next item would go. The filler
 * programs every bit of the G bytes at the front, which makes such cells solid (a part that
 * refuses the program has a touched, non-erased region there: as good), and the item follows it
 * with its after-gap flag. Returns the item's offset. */
static int fill_gap(nbs_log *log, uint32_t *pos, bool *after_gap) {
    *pos = log->front;
    *after_gap = log->gap_pending;
    if (!log->gap_pending) return NBS_OK;
    uint32_t g = nbs_gap(log); /* at most 3 flag units and a header unit of 32 bytes */
    uint8_t fill[128];
    memset(fill, nbs_programmed_byte(log), sizeof fill);
    log->front += g;
    log->gap_pending = false;
    *pos = log->front;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_GAP_ERASED
    return NBS_OK;
#endif
    int rc = nbs_program(log, log->newest, *pos - g, fill, g);
    if (rc == NBS_E_IO) { /* refused, or the power went: a read tells them apart */
        uint8_t back[128];
        if (nbs_read(log, nbs_page_addr(log, log->newest) + *pos - g, back, g) == NBS_OK &&
            !nbs_all_erased(log, back, g)) {
            log->mounted = true;
            return NBS_OK;
        }
    }
    return rc;
}

int nbs_append(nbs_log *log, uint8_t type, const nbs_payload *p) {
    const uint32_t w = log->unit;
    uint32_t pos;
    bool after_gap;
    uint8_t head[32];
    memset(head, log->flash.erase_value, sizeof head);
    nbs_item desc = {.type = type, .klen = p->klen, .vlen = p->vlen};
    if (!nbs_fits_newest(log, nbs_append_cost(log, p->klen, p->klen + p->vlen))) return NBS_E_FULL;
    int rc = fill_gap(log, &pos, &after_gap);
    if (rc) return rc;
    uint32_t n = nbs_head_encode(log, &desc, after_gap, head);
    uint32_t crc = nbs_crc32c(log->newest_seed, head, n);
    crc = nbs_crc32c(crc, p->key, p->klen);
    crc = nbs_crc32c(crc, p->value, p->vlen);
    nbs_put_le(head + n, crc, NBS_CRC_BYTES);
    uint32_t hlen = nbs_round_up(n + NBS_CRC_BYTES, w), fl = nbs_flag_units(log) * w;
    uint32_t data = pos + fl + hlen;
    uint32_t end = data + nbs_round_up(p->klen + p->vlen, w);
    if (end > log->flash.page_size) return NBS_E_FULL;
    log->front = end;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_SEAL_FIRST
    if ((rc = program_flag(log, log->newest, pos))) return rc;
#endif
    rc = nbs_program(log, log->newest, pos + fl, head, hlen);
    if (!rc && p->klen + p->vlen) rc = program_data(log, data, p->key, p->klen, p->value, p->vlen);
#if NBS_TEST_BREAK != NBS_TEST_BREAK_SEAL_FIRST
    if (!rc) rc = program_flag(log, log->newest, pos); /* the seal: the first unit */
#endif
    return rc;
}

int nbs_open_next(nbs_log *log, uint16_t tail_dist) {
    uint32_t page = log->empty ? 0 : (log->newest + 1) % log->pages;
    uint16_t seq = log->empty ? 1 : (uint16_t)(log->newest_seq + 1);
    int rc = nbs_ensure_erased(log, page);
    if (rc) return rc;
    uint8_t hdr[32];
    memset(hdr, log->flash.erase_value, sizeof hdr);
    nbs_page_hdr_encode(log, seq, 0, tail_dist, hdr);
    log->newest = page;
    log->newest_seq = seq;
    log->newest_gen = 0;
    log->newest_seed = nbs_page_seed(log, hdr);
    log->tail_seq = (uint16_t)(seq - tail_dist);
    log->front = nbs_items_start(log);
    log->gap_pending = false;
    log->empty = false;
    return nbs_program(log, page, 0, hdr, nbs_items_start(log) - log->unit); /* not DONE */
}

int nbs_mark_done(nbs_log *log, uint32_t page) {
    return program_flag(log, page, nbs_items_start(log) - log->unit);
}

int nbs_pop_entry(nbs_log *log, uint32_t page, const nbs_item *it) {
    int rc = program_flag(log, page, it->off + log->unit);          /* P: the pop */
    if (!rc) rc = program_flag(log, page, it->off + 2 * log->unit); /* A: its seal */
    return rc;
}
