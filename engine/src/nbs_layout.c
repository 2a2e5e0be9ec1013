/* Where things are in a page of format 3 (SPEC section 3): the page header, the item layout
 * (page version 3 or 4) and the size of an item's regions for this write unit and store kind, the
 * gap, and which page holds a seq. */
#include "nbs_internal.h"

static uint32_t type_bytes(const nbs_log *log) {
    return log->kind == NBS_KIND_MAP ? 1 : 0;
}

/* The page version that names a store's item layout (SPEC 3.1, 3.2): 4, the map's seal S as
 * the first byte of its commit header's first unit, where that unit can take the seal as a
 * second program and has room beside it (W >= 2; at W = 1 both layouts are the same bytes);
 * else 3, S in a unit of its own. The queue's P and A take programs of their own (SPEC 5.4), so
 * it keeps version 3. */
static uint8_t layout_version(const nbs_flash *flash, uint8_t kind) {
    return kind == NBS_KIND_MAP && flash->write_unit >= 2 && flash->programs_per_unit >= 2 ? 4 : 3;
}

bool nbs_layout_known(uint8_t kind, uint8_t version) {
    return (kind == NBS_KIND_MAP && (version == 3 || version == 4)) ||
           (kind == NBS_KIND_QUEUE && version == 3);
}

void nbs_layout_init(nbs_log *log, const nbs_flash *flash, uint8_t kind) {
    nbs_layout_as(log, flash, kind, layout_version(flash, kind));
}

void nbs_layout_as(nbs_log *log, const nbs_flash *flash, uint8_t kind, uint8_t version) {
    const uint32_t w = flash->write_unit;
    const bool shared = version == 4;
    log->flash = *flash;
    log->unit = w;
    log->kind = kind;
    log->version = version;
    log->pages = flash->size / flash->page_size;
    log->hdr_len = log->pages > 256 ? 5 : 4;
    log->hdr_region = (uint8_t)nbs_round_up(log->hdr_len, w);
    log->items_start = (uint8_t)(log->hdr_region + 2 * w);
    log->flag_bytes = (uint8_t)(shared ? 0 : (kind == NBS_KIND_MAP ? 1 : 3) * w);
    log->head_at = (uint8_t)(shared ? 1 : log->flag_bytes);
    log->seal_len = (uint8_t)(shared ? 1 : w);
    log->gap =
        (uint8_t)nbs_round_up(log->head_at + type_bytes(log) + NBS_VARINT_MAX + NBS_CRC_BYTES, w);
}

/* The length field: the value length times 4, then a flag (REMOVE; a queue's MARK) and the
 * after-gap bit; a queue's is one more, so that it is never 0 (SPEC section 3). */
uint32_t nbs_length_field(const nbs_log *log, uint32_t vlen, bool flag2, bool after_gap) {
    uint32_t field = vlen * 4u + (flag2 ? 2u : 0u) + (after_gap ? 1u : 0u);
    return log->kind == NBS_KIND_QUEUE ? field + 1 : field;
}

static uint32_t varint_len(uint32_t v) {
    return v < 0x80 ? 1 : v < 0x4000 ? 2 : 3;
}

/* `field` is the item's length field value (SPEC section 3). */
uint32_t nbs_item_bytes(const nbs_log *log, uint32_t dlen, uint32_t field) {
    return nbs_item_data_at(log, type_bytes(log) + varint_len(field)) +
           nbs_round_up(dlen, log->unit);
}

uint32_t nbs_item_data_at(const nbs_log *log, uint32_t head_len) {
    return nbs_round_up(log->head_at + head_len + NBS_CRC_BYTES, log->unit);
}

uint32_t nbs_page_seed(const nbs_log *log, const uint8_t hdr[NBS_PAGE_HDR]) {
    return nbs_crc32c(0, hdr, nbs_page_hdr_len(log));
}

/* Byte 0: kind (bits 7..6: 01 map, 10 queue), version (bits 5..3), generation (bits 2..0). */
static uint8_t kind_version(uint8_t kind, uint8_t version) {
    return (uint8_t)((kind << 3 | version) << 3);
}

void nbs_page_hdr_encode(const nbs_log *log, uint16_t seq, uint8_t gen, uint16_t tail_dist,
                         uint8_t out[NBS_PAGE_HDR]) {
    memset(out, log->flash.erase_value, NBS_PAGE_HDR);
    out[0] = (uint8_t)(kind_version(log->kind, log->version) | (gen & 7u));
    nbs_put_le(out + 1, seq, 2);
    nbs_put_le(out + 3, tail_dist, nbs_page_hdr_len(log) - 3);
}

/* Reads one unit of a page's header region (DONE or KILL): *touched when it reads programmed-any
 * (an ECC error too: a torn unit of ECC flash). */
static int read_flag(nbs_log *log, uint32_t page, uint32_t off, uint8_t *buf, bool *touched) {
    int rc = nbs_read(log, page, off, buf, log->unit);
    if (rc == NBS_E_ECC) {
        *touched = true;
        return NBS_OK;
    }
    /* A failed read (power off) leaves buf unset: it tells nothing. */
    *touched = rc == NBS_OK && !nbs_all_erased(log, buf, log->unit);
    return rc;
}

int nbs_page_hdr_read(nbs_log *log, uint32_t page, nbs_page_hdr *h) {
    memset(h, 0, sizeof *h);
    uint32_t len = nbs_page_hdr_len(log), hr = nbs_hdr_region(log), w = log->unit;
    uint8_t b[3 * 32]; /* header region, DONE and KILL: at most 32 bytes each */
    /* The header, its DONE and its KILL units are programmed apart: read apart, so that a torn
     * unit of ECC flash (which reads as touched) hides none of the others. */
    const bool apart = NBS_TEST_BREAK != NBS_TEST_BREAK_HEADER_DONE_READ;
    int rc = read_flag(log, page, hr + w, b + hr + w, &h->killed);
    if (rc) return rc;
    rc = nbs_read(log, page, 0, b, apart ? hr : hr + w);
    if (rc == NBS_E_ECC) return NBS_OK; /* a torn unit of ECC flash: neither erased nor valid */
    if (rc || (apart && (rc = read_flag(log, page, hr, b + hr, &h->done)))) return rc;
    if (!apart) h->done = !nbs_all_erased(log, b + hr, w);
    memset(h->b, log->flash.erase_value, NBS_PAGE_HDR);
    memcpy(h->b, b, len);
    h->erased = !h->done && !h->killed && nbs_all_erased(log, b, hr);
    h->valid = (h->b[0] & 0xF8u) == kind_version(log->kind, log->version);
    /* foreign: another kind or item layout the format knows (mount checks its first item) */
    h->foreign = !h->valid && nbs_layout_known(h->b[0] >> 6, (h->b[0] >> 3) & 7u);
    h->seq = (uint16_t)nbs_get_le(h->b + 1, 2);
    h->gen = h->b[0] & 7u;
    /* Read-only: a temporary copy read at its home reads as the copy back there would. */
    if (nbs_read_only(log) && page + 1 == log->moved_home) h->gen = nbs_gen_next(h->gen);
    h->tail_dist = (uint16_t)nbs_get_le(h->b + 3, len - 3);
    return NBS_OK;
}

uint32_t nbs_page_of(const nbs_log *log, uint16_t seq) {
    uint32_t back = (uint16_t)(log->newest_seq - seq) % log->pages;
    return (log->newest + log->pages - back) % log->pages;
}

uint32_t nbs_pages_back(const nbs_log *log, uint32_t page) {
    return (log->newest + log->pages - page) % log->pages;
}

uint16_t nbs_seq_of(const nbs_log *log, uint32_t page) {
    return (uint16_t)(log->newest_seq - nbs_pages_back(log, page));
}

uint32_t nbs_live_pages(const nbs_log *log) {
    return log->empty ? 0 : (uint32_t)(uint16_t)(log->newest_seq - log->tail_seq) + 1;
}
