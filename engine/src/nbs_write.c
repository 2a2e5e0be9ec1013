/* The writers of the newest page (SPEC section 5): an item as commit header, data and seal,
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

/* Programs `len` bytes of the concatenation of a and b (then erased padding up to a whole
 * unit) at page offset off, in pieces of the chunk area. */
int nbs_program_chunk(nbs_log *log, uint32_t off, uint32_t n) {
    uint32_t size, padded = nbs_round_up(n, log->unit);
    uint8_t *chunk = nbs_work_chunk(log, &size);
    memset(chunk + n, log->flash.erase_value, padded - n);
    return nbs_program(log, log->newest, off, chunk, padded);
}

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
        int rc = nbs_program_chunk(log, off + done, n);
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

/* The commit header bytes before the CRC of the item (its type, lengths and after-gap flag). */
static uint32_t head_encode(const nbs_log *log, const nbs_item *it, uint8_t *out) {
    uint32_t n = 0;
    bool flag2 = it->type == ITEM_REMOVE || (log->kind == NBS_KIND_QUEUE && it->type == ITEM_MARK);
    if (log->kind == NBS_KIND_MAP)
        out[n++] = it->type == ITEM_CLEAR  ? TK_CLEAR
                   : it->type == ITEM_MARK ? TK_MARK
                   : it->type == ITEM_TXN  ? TK_TXN
                   : it->elided            ? TK_SAME
                                           : (uint8_t)it->klen;
    return n + varint_put(out + n, nbs_length_field(log, it->vlen, flag2, it->after_gap));
}

/* The first write after a mount (SPEC section 5.1): a program that a cut stopped at its very
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
        if (nbs_read(log, log->newest, *pos - g, back, g) == NBS_OK &&
            !nbs_all_erased(log, back, g)) {
            log->mounted = true;
            return NBS_OK;
        }
    }
    return rc;
}

void nbs_item_layout(const nbs_log *log, nbs_item *it) {
    it->head_len = (uint8_t)head_encode(log, it, it->head);
    it->data = it->off + nbs_item_data_at(log, it->head_len);
    if (!it->elided) it->key_at = it->data;
    it->end = it->data + nbs_round_up(nbs_item_own_key(it) + it->vlen, log->unit);
}

int nbs_place_item(nbs_log *log, nbs_item *it) {
    nbs_item_layout(log, it);
    if (it->end > log->flash.page_size) return NBS_E_FULL;
    log->front = it->end;
    log->elide_klen = 0; /* the last item is no STORE of this writer's until nbs_append says */
    return NBS_OK;
}

void nbs_item_image(const nbs_log *log, const nbs_item *it, uint8_t *out) {
    const uint32_t at = nbs_head_at(log);
    memset(out, nbs_programmed_byte(log), at); /* the flag units (version 3), S (version 4) */
    memset(out + at, log->flash.erase_value, it->data - it->off - at);
    memcpy(out + at, it->head, it->head_len);
    nbs_put_le(out + at + it->head_len, it->crc, NBS_CRC_BYTES);
}

/* The commit header's units, from the first unit after the flag units, with S left E where it is
 * the header's first byte (version 4); or, with `seal`, S: the item's first unit full (a unit of
 * its own), or in version 4 the header's first unit again, the same bytes with S programmed, so
 * that no bit of the header moves (a program asking a programmed bit back to E is a reverse
 * transition). */
static int program_header(nbs_log *log, const nbs_item *it, bool seal) {
    uint8_t image[4 * 32]; /* flag units and rW([S] + 1 + 3 + 4): at most four units */
    const uint32_t fl = nbs_flag_bytes(log), at = nbs_head_at(log);
    nbs_item_image(log, it, image);
    if (seal) return nbs_program(log, log->newest, it->off, image, log->unit);
    if (NBS_TEST_BREAK != NBS_TEST_BREAK_SEAL_WITH_HEAD)     /* the flaw: S with the header */
        memset(image + fl, log->flash.erase_value, at - fl); /* version 4: S left E */
    return nbs_program(log, log->newest, it->off + fl, image + fl, it->data - it->off - fl);
}

int nbs_program_head(nbs_log *log, const nbs_item *it) {
    return program_header(log, it, false);
}

int nbs_program_seal(nbs_log *log, const nbs_item *it) {
    return program_header(log, it, true);
}

/* A key as the writer remembers it (nbs_log.elide_id): itself up to 8 bytes, else its CRC-32C
 * (a match then confirmed against the key on flash). */
static void elide_id_of(const nbs_payload *p, uint8_t id[8]) {
    memset(id, 0, 8);
    if (p->klen <= 8)
        memcpy(id, p->key, p->klen);
    else
        nbs_put_le(id, nbs_crc32c(0, p->key, p->klen), NBS_CRC_BYTES);
}

int nbs_can_elide(nbs_log *log, const nbs_payload *p) {
    uint8_t id[8];
    /* The gap after a mount comes first (an item behind it has after_gap set: never elided), and
     * an empty value is never elided (SPEC 3.6: the smallest live item stays NBS_NOTE_SLOT). */
    if (!log->elide_klen || log->elide_end != log->front || log->gap_pending || log->empty ||
        log->elide_klen != p->klen || !p->vlen)
        return 0;
    elide_id_of(p, id);
    if (memcmp(id, log->elide_id, sizeof id)) return 0;
    return p->klen <= 8 ? 1 : nbs_key_equal(log, log->newest, log->elide_key, p->key, p->klen);
}

int nbs_append(nbs_log *log, uint8_t type, const nbs_payload *p, nbs_item *out) {
    const bool elided =
        type == ITEM_STORE && p->elided && log->elide_klen == p->klen && !log->gap_pending;
    const uint32_t own = elided ? 0 : p->klen; /* key bytes programmed */
    nbs_item it = {.type = type, .klen = p->klen, .vlen = p->vlen, .elided = elided};
    if (!nbs_fits_newest(log, nbs_append_cost(log, own, own + p->vlen))) return NBS_E_FULL;
    int rc = fill_gap(log, &it.off, &it.after_gap);
    if (elided) it.key_at = log->elide_key; /* the chain's key (fill_gap: no gap was pending) */
    if (rc || (rc = nbs_place_item(log, &it))) return rc;
    /* The newest page's last item: a STORE of this key (the next may elide it), or not. */
    log->elide_klen = type == ITEM_STORE ? p->klen : 0;
    log->elide_key = it.key_at, log->elide_end = it.end;
    if (type == ITEM_STORE) elide_id_of(p, log->elide_id);
    it.crc = nbs_crc32c(log->newest_seed, it.head, it.head_len);
    it.crc = nbs_crc32c(it.crc, p->key, p->klen); /* a STORE-SAME's too: the key it resolves to */
    it.crc = nbs_crc32c(it.crc, p->value, p->vlen);
    it.sealed = true;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_SEAL_FIRST
    if ((rc = nbs_program_seal(log, &it))) return rc;
#endif
    rc = nbs_program_head(log, &it);
    if (!rc && own + p->vlen) rc = program_data(log, it.data, p->key, own, p->value, p->vlen);
#if NBS_TEST_BREAK != NBS_TEST_BREAK_SEAL_FIRST
    if (!rc) rc = nbs_program_seal(log, &it);
#endif
    if (out) *out = it;
    return rc;
}

/* 1 when the whole page reads erased, 0 when not, or an error. */
static int page_blank(nbs_log *log, uint32_t page) {
    uint32_t size;
    uint8_t *chunk = nbs_work_chunk(log, &size);
    for (uint32_t at = 0; at < log->flash.page_size; at += size) {
        uint32_t n = log->flash.page_size - at < size ? log->flash.page_size - at : size;
        int rc = nbs_read(log, page, at, chunk, n);
        if (rc == NBS_E_ECC) return 0;
        if (rc) return rc;
        if (!nbs_all_erased(log, chunk, n)) return 0;
    }
    return 1;
}

/* Makes a page ready to open: erased unless this power-on erased it, or the store was mounted
 * empty and this page was never used and reads erased whole (SPEC section 5.2: a store with no
 * live page has touched no page but page 0; the first lap over a fresh part costs no erase). */
static int make_ready(nbs_log *log, uint32_t page) {
    if (log->fresh_from && page >= log->fresh_from) {
        log->fresh_from = page + 1 < log->pages ? page + 1 : 0;
        int blank = page_blank(log, page);
        if (blank) return blank < 0 ? blank : NBS_OK;
    }
    return nbs_ensure_erased(log, page);
}

int nbs_open_next(nbs_log *log, uint16_t tail_dist) {
    uint32_t page = log->empty ? 0 : (log->newest + 1) % log->pages;
    uint16_t seq = log->empty ? 1 : (uint16_t)(log->newest_seq + 1);
    int rc = make_ready(log, page);
    if (rc) return rc;
    if (!log->empty) nbs_cache_note_end(log, log->newest, log->front);
    log->tail_seq = (uint16_t)(seq - tail_dist);
    log->empty = false;
    rc = nbs_start_page(log, page, seq, 0, tail_dist);
    nbs_cache_note_seed(log, page, log->newest_seed);
    return rc;
}

int nbs_start_page(nbs_log *log, uint32_t page, uint16_t seq, uint8_t gen, uint16_t tail_dist) {
    uint8_t hdr[32];
    memset(hdr, log->flash.erase_value, sizeof hdr);
    nbs_page_hdr_encode(log, seq, gen, tail_dist, hdr);
    log->newest = page;
    log->newest_seq = seq;
    log->newest_gen = gen;
    log->newest_seed = nbs_page_seed(log, hdr);
    log->front = nbs_items_start(log);
    log->gap_pending = false;
    log->elide_klen = 0;                                        /* a chain never crosses a page */
    return nbs_program(log, page, 0, hdr, nbs_hdr_region(log)); /* not DONE or KILL */
}

int nbs_mark_done(nbs_log *log, uint32_t page) {
    return program_flag(log, page, nbs_hdr_region(log));
}

int nbs_pop_entry(nbs_log *log, uint32_t page, const nbs_item *it) {
    int rc = program_flag(log, page, it->off + log->unit);          /* P: the pop */
    if (!rc) rc = program_flag(log, page, it->off + 2 * log->unit); /* A: its seal */
    return rc;
}
