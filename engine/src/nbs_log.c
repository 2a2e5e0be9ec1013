/* The ring log shared by the map and the queue: page addressing, reading and classifying slots,
 * walking a page's effective records newest first with pins and carried records applied, the
 * room rule, and the writers (records, killed slots, items as intent + data + commit, page
 * opening). Every flash-derived answer about a page's identity or fill goes through
 * nbs_identity() and nbs_page_end(): the RAM caches sit there (nbs_cache.c), in front of the
 * flash versions below. */
#include "nbs_internal.h"

uint32_t nbs_page_addr(const nbs_log *log, uint32_t page) {
    return log->flash.start + page * log->flash.page_size;
}

uint32_t nbs_page_of(const nbs_log *log, uint32_t seq) {
    uint32_t back = (log->newest_seq - seq) % log->pages;
    return (log->newest + log->pages - back) % log->pages;
}

uint32_t nbs_live_pages(const nbs_log *log) {
    return log->empty ? 0 : log->newest_seq - log->tail_seq + 1;
}

static int flash_result(int rc) {
    return rc == NBS_E_ECC ? NBS_E_ECC : rc ? NBS_E_IO : NBS_OK;
}

int nbs_read(nbs_log *log, uint32_t addr, void *buf, uint32_t len) {
    return flash_result(log->flash.read(log->flash.ctx, addr, buf, len));
}

/* A failed program or erase (power cut, worn cell) leaves flash in a state only a mount may
 * judge, so the store must be mounted again before it is used. */
static int after_write(nbs_log *log, int rc) {
    rc = flash_result(rc);
    if (rc) log->mounted = false;
    return rc;
}

static int program(nbs_log *log, uint32_t addr, const void *data, uint32_t len) {
    return after_write(log, log->flash.program(log->flash.ctx, addr, data, len));
}

int nbs_erase(nbs_log *log, uint32_t page) {
    nbs_cache_page_erased(log, page);
    return after_write(log, log->flash.erase(log->flash.ctx, nbs_page_addr(log, page)));
}

static uint32_t slot_addr(const nbs_log *log, uint32_t page, uint32_t idx) {
    return nbs_page_addr(log, page) + log->flash.page_size - (idx + 1) * log->slot_size;
}

static uint32_t rec_seed(uint8_t type, uint32_t seq) {
    return type == REC_OPEN ? 0 : seq;
}

static bool known_type(uint8_t type) {
    switch (type) {
    case REC_OPEN:
    case REC_INTENT:
    case REC_STORE:
    case REC_REMOVE:
    case REC_CLEAR:
    case REC_PUSH:
    case REC_POP_UPTO:
    case REC_POP_ONE:
    case REC_TAIL: return true;
    default: return false;
    }
}

/* A slot reads killed when every bit of its record bytes reads programmed: what a kill writes,
 * and what no record can be (its type is never the programmed byte). Anything less may be a torn
 * write whose weak bits settle into a valid record later (a TAIL or a pop is mostly zero bytes,
 * programmed for erase value 0xFF), so the mount kills it; a kill cut short is killed again. */
static bool killed(const nbs_log *log, const uint8_t b[NBS_REC_BYTES]) {
    const uint8_t programmed = (uint8_t)(log->flash.erase_value ^ 0xFFu);
    for (unsigned i = 0; i < NBS_REC_BYTES; i++)
        if (b[i] != programmed) return false;
    return true;
}

bool nbs_rec_sane(const nbs_log *log, const uint8_t b[12], int32_t origin) {
#if NBS_TEST_BREAK == NBS_TEST_BREAK_TRUST_LENGTHS
    (void)log, (void)b, (void)origin;
    return true; /* broken on purpose: whatever a valid CRC covers is believed */
#endif
    uint64_t off = (uint64_t)nbs_get_le(b + 2, 2) * log->unit, block;
    switch (b[0]) {
    case REC_OPEN:
        /* Bounded sequence numbers: no walk over [tail, newest] can wrap around. */
        return nbs_get_le(b + 2, 4) >= 1 && nbs_get_le(b + 2, 4) <= NBS_SEQ_MAX &&
               nbs_get_le(b + 6, 2) < log->pages && nbs_get_le(b + 8, 2) <= log->slots_per_page;
    case REC_INTENT:
        /* Blocks are whole data units: an unaligned claim would leave the data front unaligned,
         * where the next item's offset (stored / U) could not name its block. */
        block = nbs_get_le(b + 4, 3);
        if (block % log->unit) return false;
        break;
    case REC_STORE:
    case REC_REMOVE:
    case REC_PUSH:
        if (b[4] > NBS_KEY_MAX) return false;
        block = nbs_round_up(b[4] + nbs_get_le(b + 5, 3), log->unit);
        break;
    default: return true;
    }
    /* The slot list grows down from the page end: the record's own slot bounds its data. */
    return origin >= 0 && (uint32_t)origin < log->slots_per_page &&
           off + block <= log->flash.page_size - ((uint64_t)origin + 1) * log->slot_size;
}

int nbs_read_slot(nbs_log *log, uint32_t page, uint32_t seq, uint32_t idx, nbs_rec *r) {
    r->slot = idx;
    int rc = nbs_read(log, slot_addr(log, page, idx), r->b, NBS_REC_BYTES);
    if (rc == NBS_E_ECC) return SLOT_INVALID; /* a torn unit of ECC flash */
    if (rc) return rc;
    unsigned erased = 0;
    for (unsigned i = 0; i < NBS_REC_BYTES; i++) erased += r->b[i] == log->flash.erase_value;
    if (erased == NBS_REC_BYTES) return SLOT_ERASED;
    if (!known_type(r->b[0]) || r->b[1] > idx || !nbs_rec_sane(log, r->b, (int32_t)(idx - r->b[1])))
        return killed(log, r->b) ? SLOT_KILLED : SLOT_INVALID;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_SKIP_CRC
    return SLOT_VALID; /* broken on purpose: no record CRC */
#endif
    if (nbs_get_le(r->b + 12, 4) != nbs_crc32c(rec_seed(r->b[0], seq), r->b, 12))
        return killed(log, r->b) ? SLOT_KILLED : SLOT_INVALID;
    return SLOT_VALID;
}

int nbs_write_slot(nbs_log *log, uint32_t idx, const uint8_t rec[12]) {
    uint8_t slot[32];
    memset(slot, log->flash.erase_value, sizeof slot);
    memcpy(slot, rec, 12);
    nbs_put_le(slot + 12, nbs_crc32c(rec_seed(rec[0], log->newest_seq), slot, 12), 4);
    if ((int32_t)idx > log->last) log->last = (int32_t)idx;
    nbs_cache_slot_written(log, idx, rec);
    return program(log, slot_addr(log, log->newest, idx), slot, log->slot_size);
}

/* Every bit programmed: ANDed (or ORed, erase value 0x00) into whatever a torn write left, the
 * result is the same, so this may go over a slot that was written before. Bits the record left
 * at the erase value are programmed solidly, so the slot can never read as a record again. */
int nbs_kill_slot(nbs_log *log, uint32_t idx) {
    uint8_t slot[32];
    memset(slot, (uint8_t)~log->flash.erase_value, sizeof slot);
    if ((int32_t)idx > log->last) log->last = (int32_t)idx;
    nbs_cache_slot_written(log, idx, slot);
    return program(log, slot_addr(log, log->newest, idx), slot, log->slot_size);
}

int nbs_append(nbs_log *log, const uint8_t rec[12]) {
    return nbs_write_slot(log, log->next_slot++, rec);
}

int nbs_append_marker(nbs_log *log, uint8_t type, uint32_t seq, uint32_t slot) {
    uint8_t rec[12] = {type};
    nbs_put_le(rec + 2, seq, 4);
    nbs_put_le(rec + 6, slot, 2);
    return nbs_append(log, rec);
}

/* A page is identified by its OPEN in slot 0 or, when slot 0 has gone bad since a mount read it,
 * by that mount's pin of it: the first slot from the bottom that validates as an OPEN (OPENs are
 * checksummed with seed 0, the page's other records with its seq, which is never 0). The scan
 * reads each slot once and stops at the list end. */
int nbs_identity_scan(nbs_log *log, uint32_t page, nbs_ident *id) {
    memset(id, 0, sizeof *id);
    id->slot = -1;
    for (uint32_t i = 0, run = 0; i < log->slots_per_page && run < NBS_TERMINATOR; i++) {
        int st = nbs_read_slot(log, page, 0, i, &id->rec);
        if (st < 0) return st;
        run = st == SLOT_ERASED ? run + 1 : 0;
        if (st == SLOT_ERASED) continue;
        id->touched = true;
        if (st != SLOT_VALID) continue;
        id->slot = (int32_t)i;
        if (id->rec.b[0] != REC_OPEN || nbs_rec_origin(&id->rec) != 0) return NBS_OK;
        if (id->rec.b[10] != log->kind || id->rec.b[11] != NBS_FORMAT_VERSION) return NBS_E_CORRUPT;
        id->seq = nbs_get_le(id->rec.b + 2, 4);
        id->tail = id->seq - nbs_get_le(id->rec.b + 6, 2);
        id->carry = nbs_get_le(id->rec.b + 8, 2);
        id->found = 1;
        return NBS_OK;
    }
    return NBS_OK;
}

int nbs_identity_flash(nbs_log *log, uint32_t page, uint32_t *seq, uint32_t *tail) {
    nbs_ident id;
    int rc = nbs_identity_scan(log, page, &id);
    if (rc < 0) return rc;
    if (id.found) *seq = id.seq, *tail = id.tail;
    return id.found;
}

/* The OPEN carry of page seq + 1: 0 when it carries nothing of page seq. */
static int next_carry(nbs_log *log, uint32_t seq, uint32_t *carry) {
    *carry = 0;
    if (log->empty || seq >= log->newest_seq || seq + 1 < log->tail_seq) return NBS_OK;
    if (seq + 1 == log->newest_seq) {
        *carry = log->carry;
        return NBS_OK;
    }
    nbs_ident id;
    int rc = nbs_identity_scan(log, nbs_page_of(log, seq + 1), &id);
    if (rc < 0) return rc;
    if (id.found && id.seq == seq + 1) *carry = id.carry;
    return NBS_OK;
}

/* Every slot between records is written (skipped slots are killed), so only a torn record that
 * settled to erased leaves a hole, of one slot; writers keep NBS_TERMINATOR erased slots between
 * the last record and the data, so the list ends at the first run of NBS_TERMINATOR erased
 * slots. A page whose last record the next page carries ends just below that record. */
int nbs_page_end_flash(nbs_log *log, uint32_t page, uint32_t seq, int32_t *last, int32_t *carried) {
    uint32_t carry;
    *carried = -1;
    if (!log->empty && page == log->newest) {
        *last = log->last;
        return NBS_OK;
    }
    int rc = next_carry(log, seq, &carry);
    if (rc) return rc;
    if (carry) {
        *carried = carry > 1 ? (int32_t)carry - 1 : -1;
        *last = (int32_t)carry - 2;
        return NBS_OK;
    }
    int32_t found = -1;
    for (uint32_t i = 0, run = 0; i < log->slots_per_page && run < NBS_TERMINATOR; i++) {
        nbs_rec r;
        int st = nbs_read_slot(log, page, seq, i, &r);
        if (st < 0) return st;
        run = st == SLOT_ERASED ? run + 1 : 0;
        if (st != SLOT_ERASED) found = (int32_t)i;
    }
    *last = found;
    return NBS_OK;
}

/* The carried record sits in page seq + 1 as the first valid slot above its OPEN: at slot 1, or,
 * when slot 1 has gone bad since a mount read it, that mount's pin of it. */
int nbs_read_carried(nbs_log *log, uint32_t seq, int32_t carried, nbs_rec *r) {
    uint32_t page = nbs_page_of(log, seq + 1);
    for (uint32_t i = 1, run = 0; i < log->slots_per_page && run < NBS_TERMINATOR; i++) {
        int st = nbs_read_slot(log, page, seq + 1, i, r);
        if (st < 0) return st;
        run = st == SLOT_ERASED ? run + 1 : 0;
        if (st != SLOT_VALID) continue;
        if (!nbs_rec_carried(r) || !nbs_rec_sane(log, r->b, carried)) return NBS_E_END;
        r->b[1] = 0;
        r->slot = (uint32_t)carried;
        return NBS_OK;
    }
    return NBS_E_END;
}

int nbs_walk_start(nbs_log *log, uint32_t seq, nbs_walk *w) {
    w->seq = seq;
    w->page = nbs_page_of(log, seq);
    return nbs_page_end(log, w->page, seq, &w->pos, &w->carried);
}

/* A valid pin at index i with distance d stands for the record at i - d and voids every slot
 * in between, so the walk continues below the target. Records a page carries for the page
 * before it are that page's, not this one's. */
int nbs_walk_prev(nbs_log *log, nbs_walk *w, nbs_rec *r) {
    if (w->carried >= 0) {
        int32_t at = w->carried;
        w->carried = -1;
        int rc = nbs_read_carried(log, w->seq, at, r);
        if (rc != NBS_E_END) return rc;
    }
    while (w->pos >= 0) {
        int st = nbs_read_slot(log, w->page, w->seq, (uint32_t)w->pos, r);
        if (st < 0) return st;
        w->pos--;
        if (st == SLOT_VALID) {
            w->pos -= r->b[1];
            if (!nbs_rec_carried(r)) return NBS_OK;
        }
    }
    return NBS_E_END;
}

/* A record's claim is sane: its block lies inside the page and its key fits the key area (a
 * corrupted image can carry a valid-CRC record with any key length). */
bool nbs_rec_in_page(const nbs_log *log, const nbs_rec *r) {
    return nbs_rec_klen(r) <= NBS_KEY_MAX &&
           (uint64_t)nbs_rec_off(log, r) + nbs_rec_klen(r) + nbs_rec_vlen(r) <=
               log->flash.page_size;
}

uint32_t nbs_item_addr(const nbs_log *log, uint32_t seq, const nbs_rec *r) {
    return nbs_page_addr(log, nbs_page_of(log, seq)) + nbs_rec_off(log, r);
}

static uint32_t chunk_size(const nbs_log *log) {
    return (log->work_size - NBS_WORK_KEY) / log->unit * log->unit;
}

int nbs_body_crc(nbs_log *log, uint32_t addr, uint32_t len, uint32_t seed, uint32_t *crc) {
    uint8_t *buf = log->work + NBS_WORK_KEY;
    for (uint32_t n; len; addr += n, len -= n) {
        n = len < chunk_size(log) ? len : chunk_size(log);
        int rc = nbs_read(log, addr, buf, n);
        if (rc) return rc;
        seed = nbs_crc32c(seed, buf, n);
    }
    *crc = seed;
    return NBS_OK;
}

int nbs_item_intact(nbs_log *log, uint32_t seq, const nbs_rec *r) {
    if (!nbs_rec_in_page(log, r)) return 0;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_SKIP_CRC
    return 1; /* broken on purpose: torn data counts as intact */
#endif
    uint32_t crc;
    int rc =
        nbs_body_crc(log, nbs_item_addr(log, seq, r), nbs_rec_klen(r) + nbs_rec_vlen(r), seq, &crc);
    if (rc == NBS_E_ECC) return 0;
    return rc ? rc : crc == nbs_rec_crc(r);
}

uint32_t nbs_kept_slots(const nbs_log *log, uint32_t data_end, bool frees_page) {
    bool spare = log->kind == NBS_KIND_QUEUE && !frees_page && nbs_live_pages(log) >= log->pages;
    return NBS_PIN_SLOTS + nbs_terminator(data_end) + (spare ? NBS_SPARE : 0);
}

bool nbs_room(const nbs_log *log, uint32_t from_slot, uint32_t records, uint32_t bytes,
              uint32_t kept) {
    uint64_t slots = (uint64_t)from_slot + records + kept;
    return log->front + (uint64_t)bytes + slots * log->slot_size <= log->flash.page_size;
}

static bool fits(const nbs_log *log, uint32_t records, uint32_t bytes, bool frees_page) {
    uint32_t live = nbs_live_pages(log);
    if (log->empty || live == 0) return false; /* a dead newest page takes no more records */
    uint32_t kept = nbs_kept_slots(log, log->front + bytes, frees_page);
    return nbs_room(log, log->next_slot, records, bytes, kept);
}

bool nbs_fits(const nbs_log *log, uint32_t records, uint32_t bytes, uint32_t headroom) {
    return fits(log, records + headroom, bytes, false);
}

bool nbs_fits_tail(const nbs_log *log) {
    return fits(log, 1, 0, true);
}

/* Erase before open: a free page is never trusted to be erased, since an interrupted erase can
 * read as erased while holding weak bits. `carry` is 0, or 1 + the index of the record of the
 * page before that this page will carry. */
static int open_page(nbs_log *log, bool tail_self, uint32_t carry) {
    if (!log->empty && nbs_live_pages(log) >= log->pages) return NBS_E_FULL;
    if (!log->empty && log->newest_seq >= NBS_SEQ_MAX) return NBS_E_FULL; /* no seq left */
    uint32_t page = log->empty ? 0 : (log->newest + 1) % log->pages;
    uint32_t seq = log->empty ? 1 : log->newest_seq + 1;
    uint32_t tail = log->empty || tail_self || log->tail_seq > seq ? seq : log->tail_seq;
    uint8_t rec[12] = {REC_OPEN};
    nbs_put_le(rec + 2, seq, 4);
    nbs_put_le(rec + 6, seq - tail, 2);
    nbs_put_le(rec + 8, carry, 2);
    rec[10] = log->kind;
    rec[11] = NBS_FORMAT_VERSION;
    log->empty = false;
    log->newest = page;
    log->newest_seq = seq;
    log->tail_seq = tail;
    log->last = -1;
    log->next_slot = 0;
    log->front = 0;
    log->store_bytes = 0;
    log->carry = carry;
    int rc = nbs_erase(log, page);
    return rc ? rc : nbs_append(log, rec);
}

int nbs_open_next(nbs_log *log, bool tail_self) {
    return open_page(log, tail_self, 0);
}

/* The carried record goes to slot 1 with pin distance 1: it stands for index 0 of this page,
 * which marks it as the page before's (nbs_rec_carried). A page whose decided record is its OPEN
 * holds nothing else: carry 1 alone says so. */
int nbs_open_carry(nbs_log *log, const uint8_t rec[12], uint32_t origin) {
    uint8_t carried[12];
    memcpy(carried, rec, sizeof carried);
    carried[1] = 1;
    int rc = open_page(log, false, origin + 1);
    return rc || !origin ? rc : nbs_append(log, carried);
}

static int write_body(nbs_log *log, uint32_t dst, const nbs_src parts[2], uint32_t *crc) {
    uint8_t *buf = log->work + NBS_WORK_KEY;
    uint32_t cap = chunk_size(log), fill = 0, c = log->newest_seq;
    int rc = NBS_OK;
    for (int i = 0; i < 2; i++) {
        for (uint32_t pos = 0, n; pos < parts[i].len; pos += n) {
            n = parts[i].len - pos < cap - fill ? parts[i].len - pos : cap - fill;
            if (parts[i].ram)
                memcpy(buf + fill, parts[i].ram + pos, n);
            else if ((rc = nbs_read(log, parts[i].addr + pos, buf + fill, n)))
                return rc;
            c = nbs_crc32c(c, buf + fill, n);
            fill += n;
            if (fill == cap) {
                if ((rc = program(log, dst, buf, cap))) return rc;
                dst += cap;
                fill = 0;
            }
        }
    }
    if (fill) {
        uint32_t padded = nbs_round_up(fill, log->unit);
        memset(buf + fill, log->flash.erase_value, padded - fill);
        rc = program(log, dst, buf, padded);
    }
    *crc = c;
    return rc;
}

#if NBS_TEST_BREAK == NBS_TEST_BREAK_COMMIT_FIRST
/* Broken on purpose, for tests only: INTENT, then the commit record (its data CRC computed from
 * the sources), then the data, so a cut in the data leaves a commit over half-written data. */
static int append_item_commit_first(nbs_log *log, uint8_t type, uint32_t klen, uint32_t vlen,
                                    const nbs_src parts[2], uint8_t rec[12]) {
    uint32_t block = nbs_round_up(klen + vlen, log->unit), crc = log->newest_seq, written;
    uint32_t addr = nbs_page_addr(log, log->newest) + log->front;
    int rc = NBS_OK;
    for (int i = 0; i < 2 && !rc; i++)
        if (parts[i].ram)
            crc = nbs_crc32c(crc, parts[i].ram, parts[i].len);
        else
            rc = nbs_body_crc(log, parts[i].addr, parts[i].len, crc, &crc);
    log->front += block;
    if (rc || (rc = nbs_append(log, rec))) return rc;
    if (type == REC_STORE) log->store_bytes += block + 2 * log->slot_size;
    rec[0] = type;
    rec[4] = (uint8_t)klen;
    nbs_put_le(rec + 5, vlen, 3);
    nbs_put_le(rec + 8, crc, 4);
    return (rc = nbs_append(log, rec)) ? rc : write_body(log, addr, parts, &written);
}
#endif

/* An item is an INTENT claiming its data block, the data, read back, then the commit record.
 * RAM state moves past each piece before it is written, so nothing is ever programmed twice
 * even when a write fails half way. */
int nbs_append_item(nbs_log *log, uint8_t type, uint32_t klen, uint32_t vlen,
                    const nbs_src parts[2]) {
    uint32_t body = klen + vlen, block = nbs_round_up(body, log->unit), off = log->front;
    uint32_t addr = nbs_page_addr(log, log->newest) + off, crc = log->newest_seq, check;
    uint8_t rec[12] = {REC_INTENT};
    nbs_put_le(rec + 2, off / log->unit, 2);
    nbs_put_le(rec + 4, block, 3);
#if NBS_TEST_BREAK == NBS_TEST_BREAK_COMMIT_FIRST
    if (block) return append_item_commit_first(log, type, klen, vlen, parts, rec);
#endif
    int rc = NBS_OK;
    if (block) {
        log->front += block;
        if ((rc = nbs_append(log, rec)) || (rc = write_body(log, addr, parts, &crc)) ||
            (rc = nbs_body_crc(log, addr, body, log->newest_seq, &check)))
            return rc;
        if (check != crc) return NBS_E_IO;
    }
    if (type == REC_STORE) log->store_bytes += block + 2 * log->slot_size;
    rec[0] = type;
    rec[4] = (uint8_t)klen;
    nbs_put_le(rec + 5, vlen, 3);
    nbs_put_le(rec + 8, crc, 4);
    return nbs_append(log, rec);
}
