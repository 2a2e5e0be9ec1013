/* Engine-internal declarations shared by the source files: the record layout, the ring-log
 * primitives (slots, page walks, appends, page opening, mount) and CRC-32C. Not API. */
#ifndef NBS_INTERNAL_H
#define NBS_INTERNAL_H

#include "nbs_log.h"

#include <string.h>

/* Deliberately broken engines, for the power-cut campaign's own tests only (tests/powercut):
 * built with NBS_TEST_BREAK set to one of these, the engine carries one flaw that only a power
 * cut at the right flash operation turns into lost or half-written data, so the tests can show
 * that a campaign catches it. NEVER set NBS_TEST_BREAK in a product build: unset, every
 * `#if NBS_TEST_BREAK == ...` block is compiled out and the engine is the real one. */
#define NBS_TEST_BREAK_COMMIT_FIRST     1 /* an item's commit record is written before its data */
#define NBS_TEST_BREAK_SKIP_CRC         2 /* record and data CRCs are not checked when reading */
#define NBS_TEST_BREAK_GC_RELEASE_FIRST 3 /* map GC frees (TAIL) the page before copying it */
/* The four durability holes of tests/engine/FINDINGS.md (D1-D4) and the recovery flip (D5), each
 * with the engine's behaviour before its fix: */
#define NBS_TEST_BREAK_PIN_SPACING       4 /* mount skips slots instead of killing them (D1) */
#define NBS_TEST_BREAK_DOUBLE_READ       5 /* mount reads the identity and the pin slot twice (D2) */
#define NBS_TEST_BREAK_ERASE_ALL_NO_TAIL 6 /* erase_all erases a live page with no TAIL (D3) */
#define NBS_TEST_BREAK_TRUST_LENGTHS     7 /* lengths and offsets read from flash are trusted (D4) */
#define NBS_TEST_BREAK_RECOVERY_FLIP     8 /* no room to pin: the decision is not carried (D5) */
#ifndef NBS_TEST_BREAK
#define NBS_TEST_BREAK 0
#endif

enum { NBS_FORMAT_VERSION = 2, NBS_KIND_MAP = 1, NBS_KIND_QUEUE = 2 };

/* Record types: byte 0 of a slot (never 0x00 or 0xFF, so an erased slot is never a record). */
enum {
    REC_OPEN = 0x4E,
    REC_INTENT = 0x49,
    REC_STORE = 0x53,
    REC_REMOVE = 0x52,
    REC_CLEAR = 0x43,
    REC_PUSH = 0x50,
    REC_POP_UPTO = 0x44,
    REC_POP_ONE = 0x4F,
    REC_TAIL = 0x54,
};

enum {
    NBS_REC_BYTES = 16,    /* record bytes in a slot; the rest of a 32-byte slot stays erased */
    NBS_TERMINATOR = 2,    /* erased slots in a row that end a page's slot list */
    NBS_PIN_SLOTS = 3,     /* a mount's decision: two killed slots, then the pin */
    NBS_RESERVE = 5,       /* slots every writer leaves free: a mount's (3) + the terminator (2) */
    NBS_SPARE = 1,         /* one more in a queue whose pages are all live, for erase_all's TAIL */
    NBS_MAP_GC_SLOTS = 10, /* a GC round's page besides copies: OPEN, a pin (3), TAIL, reserve */
    NBS_FRESH_SLOTS = 11,  /* a fresh page: OPEN, a mount's pin (3), intent, commit, reserve */
    NBS_WORK_KEY = 64,     /* work buffer: key area of this size, then the chunk area */
    NBS_WORK_MIN = 128,
    NBS_PIN_MAX = 255, /* the largest pin distance (one byte) */
};

/* The largest page sequence number (SPEC section 3): an OPEN above it is invalid and no page is
 * opened past it, so newest + 1 never wraps and no loop over sequence numbers can run forever. */
#define NBS_SEQ_MAX 0xFFFFFF00u

/* Slot classification; errors are negative. A killed slot (every record bit reads programmed,
 * as a mount's kill of a slot it voids leaves it) is invalid; it is told apart only so that a
 * mount does not program it a second time. */
enum { SLOT_ERASED, SLOT_INVALID, SLOT_VALID, SLOT_KILLED };

/* One record as read: b[0] type, b[1] pin distance, b[2..11] payload, b[12..15] CRC. `slot` is
 * the index holding it (for a pin: the pin's own index, which takes the target's place). */
typedef struct nbs_rec {
    uint8_t b[NBS_REC_BYTES];
    uint32_t slot;
} nbs_rec;

/* A walk over one page's effective records, newest first; pos is the next index to read. A
 * page whose next page carries its last record (SPEC section 6) starts with that record, which
 * holds index `carried`, then goes on below it. */
typedef struct nbs_walk {
    uint32_t page, seq;
    int32_t pos, carried;
} nbs_walk;

/* What the identity scan of a page read (each slot once): the first valid slot `slot` from the
 * bottom and its record, whether it is the page's OPEN (or a pin of it) and the OPEN's fields,
 * and whether any slot it read was not erased. */
typedef struct nbs_ident {
    int found;    /* 1: the page has an identity */
    bool touched; /* a slot the scan read was not erased */
    int32_t slot; /* the first valid slot (-1: none) */
    uint32_t seq, tail, carry;
    nbs_rec rec;
} nbs_ident;

/* Bytes to write: from RAM when ram is set, else from flash at addr. */
typedef struct nbs_src {
    const uint8_t *ram;
    uint32_t addr, len;
} nbs_src;

uint32_t nbs_get_le(const uint8_t *p, unsigned n);
void nbs_put_le(uint8_t *p, uint32_t v, unsigned n);

/* Item records (STORE, REMOVE, PUSH) and INTENT share the data offset field. */
static inline uint32_t nbs_rec_off(const nbs_log *log, const nbs_rec *r) {
    return nbs_get_le(r->b + 2, 2) * log->unit;
}
static inline uint32_t nbs_rec_klen(const nbs_rec *r) {
    return r->b[4];
}
static inline uint32_t nbs_rec_vlen(const nbs_rec *r) {
    return nbs_get_le(r->b + 5, 3);
}
static inline uint32_t nbs_rec_crc(const nbs_rec *r) {
    return nbs_get_le(r->b + 8, 4);
}
/* The index of the record a slot stands for: its own, or a pin's target. */
static inline int32_t nbs_rec_origin(const nbs_rec *r) {
    return (int32_t)r->slot - r->b[1];
}
/* A record that stands for index 0 but is no OPEN is a carried record: it belongs to the page
 * before (SPEC section 6.5). */
static inline bool nbs_rec_carried(const nbs_rec *r) {
    return nbs_rec_origin(r) == 0 && r->b[0] != REC_OPEN;
}
static inline uint32_t nbs_round_up(uint32_t n, uint32_t unit) {
    return (n + unit - 1) / unit * unit;
}
/* Erased slots that must stay between the slot list and data ending at data_end: a page
 * without data lets its slot list run to the last slot (it ends there, SPEC section 4). */
static inline uint32_t nbs_terminator(uint32_t data_end) {
    return data_end ? NBS_TERMINATOR : 0;
}
/* Slots kept free after a write: a mount's pin, the terminator when the page holds data, and,
 * in a queue whose pages are all live, the spare, unless the write is a TAIL that frees a page
 * (SPEC section 7). */
uint32_t nbs_kept_slots(const nbs_log *log, uint32_t data_end, bool frees_page);
static inline uint8_t *nbs_work_key(nbs_log *log) {
    return log->work;
}

uint32_t nbs_crc32c(uint32_t seed, const void *data, size_t len);

/* Geometry shared by mount and the static size queries: 0 or NBS_E_GEOMETRY. */
int nbs_check_geometry(const nbs_flash *f);
uint32_t nbs_max_block(const nbs_flash *f, uint32_t headroom);

uint32_t nbs_page_addr(const nbs_log *log, uint32_t page);
uint32_t nbs_page_of(const nbs_log *log, uint32_t seq);
uint32_t nbs_live_pages(const nbs_log *log);
int nbs_read(nbs_log *log, uint32_t addr, void *buf, uint32_t len);
int nbs_erase(nbs_log *log, uint32_t page);
int nbs_read_slot(nbs_log *log, uint32_t page, uint32_t seq, uint32_t idx, nbs_rec *r);
int nbs_write_slot(nbs_log *log, uint32_t idx, const uint8_t rec[12]);
/* Programs every bit of slot idx of the newest page (SPEC section 6.4): whatever a torn write
 * left there, the slot never reads valid or erased again. */
int nbs_kill_slot(nbs_log *log, uint32_t idx);
/* Cache points, read from flash: a page's identity (1 and its seq and tail, 0 when it has
 * none) and where its slot list ends: the index of its last non-erased slot (-1 for none), or,
 * when the next page carries its last record, that record's index in `carried` (else -1).
 * Callers use nbs_identity() and nbs_page_end() (nbs_cache.h), which put the caches in front
 * of these. */
int nbs_identity_scan(nbs_log *log, uint32_t page, nbs_ident *id);
int nbs_identity_flash(nbs_log *log, uint32_t page, uint32_t *seq, uint32_t *tail);
int nbs_page_end_flash(nbs_log *log, uint32_t page, uint32_t seq, int32_t *last, int32_t *carried);
/* The carried record of page `seq` (held in page seq + 1), standing at index `carried`:
 * NBS_OK, or NBS_E_END when the next page holds none. */
int nbs_read_carried(nbs_log *log, uint32_t seq, int32_t carried, nbs_rec *r);

int nbs_walk_start(nbs_log *log, uint32_t seq, nbs_walk *w);
int nbs_walk_prev(nbs_log *log, nbs_walk *w, nbs_rec *r); /* NBS_OK or NBS_E_END */

/* A record's claim read from flash is sane (SPEC section 3): an INTENT's or an item's block lies
 * in the data area below the slot of the record it stands for (index `origin`), and an item's
 * key fits the key area. A record that claims more is invalid. */
bool nbs_rec_sane(const nbs_log *log, const uint8_t b[12], int32_t origin);
bool nbs_rec_in_page(const nbs_log *log, const nbs_rec *r);
uint32_t nbs_item_addr(const nbs_log *log, uint32_t seq, const nbs_rec *r);
int nbs_body_crc(nbs_log *log, uint32_t addr, uint32_t len, uint32_t seed, uint32_t *crc);
int nbs_item_intact(nbs_log *log, uint32_t seq, const nbs_rec *r); /* 1, 0 or an error */

/* The one room rule of the newest page: `records` more slots from `from_slot` and `bytes` more
 * data leave `kept` slots free between the slot list and the data. Writers ask through
 * nbs_fits() and nbs_fits_tail(); the mount asks for its pin and erase_all for its TAIL. */
bool nbs_room(const nbs_log *log, uint32_t from_slot, uint32_t records, uint32_t bytes,
              uint32_t kept);
bool nbs_fits(const nbs_log *log, uint32_t records, uint32_t bytes, uint32_t headroom);
/* Room for one TAIL that frees a page (it may use the spare). */
bool nbs_fits_tail(const nbs_log *log);
int nbs_open_next(nbs_log *log, bool tail_self);
/* Opens the next page carrying record `rec` of the newest page, which stands for index `origin`
 * there (SPEC section 6.5). */
int nbs_open_carry(nbs_log *log, const uint8_t rec[12], uint32_t origin);
int nbs_append(nbs_log *log, const uint8_t rec[12]);
int nbs_append_item(nbs_log *log, uint8_t type, uint32_t klen, uint32_t vlen,
                    const nbs_src parts[2]);
int nbs_append_marker(nbs_log *log, uint8_t type, uint32_t seq, uint32_t slot);

int nbs_log_mount(nbs_log *log, const nbs_config *cfg, uint8_t kind);
int nbs_log_erase_all(nbs_log *log);
void nbs_log_space(const nbs_log *log, uint32_t live, uint32_t headroom, nbs_space *space);
/* Space figures from measured item bytes: `newest_free` in the newest page, `fresh` per free
 * page beyond the one kept back; overhead is the rest of the range. */
void nbs_space_fill(const nbs_log *log, uint32_t live, uint32_t reclaimable, uint32_t newest_free,
                    uint32_t fresh, nbs_space *space);

/* Map internals shared with its garbage collector; lookups go through nbs_map_find(). */
int nbs_map_find_flash(nbs_log *log, const uint8_t *key, uint32_t klen, nbs_rec *found,
                       uint32_t *found_seq);
/* 1 when the item of record r in page seq is the newest intact version of its key (its key is
 * then in the work buffer's key area), 0 when not, or an error. */
int nbs_map_is_newest(nbs_log *log, uint32_t seq, const nbs_rec *r);
/* Makes room for `records` slots and `bytes` of data in the newest page; `copy` is the bytes a
 * later GC round may copy (a STORE's block and slots), 0 for other writes. */
int nbs_map_make_room(nbs_log *log, uint32_t records, uint32_t bytes, uint32_t copy);

#include "nbs_cache.h"

#endif
