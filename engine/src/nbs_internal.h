/* Engine-internal declarations shared by the source files (format version 3, SPEC.md): the
 * page header and item layout, flash access, walking a page's items, the writers, mount and
 * recovery, and CRC-32C. Not API. */
#ifndef NBS_INTERNAL_H
#define NBS_INTERNAL_H

#include "nbs.h"
#include "nbs_part.h"

#include <string.h>

/* Deliberately broken engines, for the power-cut campaign's own tests only (tests/powercut):
 * built with NBS_TEST_BREAK set to one of these, the engine carries one flaw of the format-3
 * design (FORMAT3-DESIGN.md, "What the first implementation taught") that only a power cut at
 * the right flash operation turns into lost, half-written or flipping data, so the tests can
 * show that a campaign catches it. NEVER set NBS_TEST_BREAK in a product build: unset, every
 * `#if NBS_TEST_BREAK == ...` block is compiled out and the engine is the real one. */
#define NBS_TEST_BREAK_SEAL_FIRST           1 /* an item's seal is programmed before header, data */
#define NBS_TEST_BREAK_SKIP_CRC             2 /* an item's CRC is not checked */
#define NBS_TEST_BREAK_GC_RELEASE_FIRST     3 /* a GC round releases the tail (DONE) before copying */
#define NBS_TEST_BREAK_GAP_ERASED           4 /* rule 2: the gap after a mount is left erased */
#define NBS_TEST_BREAK_ELIDE_GC_KEPT        5 /* GC copies a live STORE-SAME still elided */
#define NBS_TEST_BREAK_NO_KILL              6 /* a page is erased without its KILL first */
#define NBS_TEST_BREAK_TRUST_LENGTHS        7 /* lengths read from flash may reach past the page */
#define NBS_TEST_BREAK_ERASE_ALL_NO_COMMIT  8 /* erase_all erases every page with no commit */
#define NBS_TEST_BREAK_UNSEALED_KEPT        9 /* the mount leaves an unsealed last operation as read */
#define NBS_TEST_BREAK_HEADER_DONE_READ     10 /* rule 5: a page header is read with its DONE unit */
#define NBS_TEST_BREAK_NO_ERASE_BEFORE_OPEN 11 /* a free page is opened without an erase */
#define NBS_TEST_BREAK_RO_POP_BY_P          12 /* read-only: a pop counts once its P reads full */
#define NBS_TEST_BREAK_RO_STRICT_NEWEST     13 /* read-only: each read decides the newest's seals */
#define NBS_TEST_BREAK_SEAL_WITH_HEAD       14 /* version 4: S programmed with the commit header */
#define NBS_TEST_BREAK_RAW_NO_CLAMP                                                                \
    15                                   /* raw read: the count clamped to the size, not           \
                                            to the bytes left after the offset */
#define NBS_TEST_BREAK_RAW_SKIP_ALIGN 16 /* raw write: the write-unit check left out */
#define NBS_TEST_BREAK_KV_REMOVE_FIRST                                                             \
    17                                 /* kv: a write removes the old value in a write of its own */
#define NBS_TEST_BREAK_TXN_SPLIT    20 /* a commit writes its members as separate items */
#define NBS_TEST_BREAK_TXN_GC_WHOLE 21 /* GC copies a TXN whole, its dead members too */
#define NBS_TEST_BREAK_TDB_DESCRIPTOR_FIRST                                                        \
    22 /* tdb: finalize stores the descriptor before the last chunk */
#define NBS_TEST_BREAK_TDB_ONCE_IGNORED 23 /* tdb: remove does not check write-once */
#define NBS_TEST_BREAK_KVMAP_FLUSH_REMOVE_FIRST                                                    \
    24 /* kvmap write-back: a flush removes a replaced value in a write of its own first */
#define NBS_TEST_BREAK_KVMAP_HAS_TRUTHY 25 /* kvmap: has() false for an empty value */
#define NBS_TEST_BREAK_KVMAP_WB_HELD_IGNORED                                                       \
    18 /* kvmap write-back: RAM_FULL from the records' bytes only, not the bytes a key holds */
#define NBS_TEST_BREAK_UPDATE_RECORD_FIRST                                                         \
    26 /* update: a swap step's progress recorded before the copy it describes */
#define NBS_TEST_BREAK_UPDATE_NO_CRC 27 /* update: a boot installs without checking the CRC */
#define NBS_TEST_BREAK_FS_INODE_FIRST                                                              \
    28 /* fs: a write commits the file's record before storing its new blocks */
#define NBS_TEST_BREAK_FS_MOVE_TWO_STEPS                                                           \
    29 /* fs: a move removes the old entry and stores the new one in two writes, not one TXN */
#if defined(NBS_TEST_BREAK) && NBS_TEST_BREAK == 0
#error "NBS_TEST_BREAK names no flaw defined above: the broken engine would be the real one"
#endif
#ifndef NBS_TEST_BREAK
#define NBS_TEST_BREAK 0
#endif

enum { NBS_KIND_MAP = 1, NBS_KIND_QUEUE = 2 };

/* Byte 0 of a map item's commit header: 1..128 an item with that key length, else control; a
 * TXN's data holds its members (SPEC 3.4); a STORE-SAME repeats the key of the STORE before it
 * (SPEC 3.6); 0x85..0xFE are reserved: skipped by their lengths. */
enum { TK_CLEAR = 0x81, TK_MARK = 0x82, TK_TXN = 0x83, TK_SAME = 0x84, TK_LAST = 0xFE };

/* What an item is, as read. A MARK is an item with no meaning: the first item of a page that
 * has nothing else to hold (erase_all's commit in a queue, a recovery copy of a page whose items
 * are all gone), which checks the page header. */
enum { ITEM_STORE, ITEM_REMOVE, ITEM_CLEAR, ITEM_MARK, ITEM_PUSH, ITEM_TXN, ITEM_RESERVED };

enum {
    NBS_PAGE_HDR = 5,   /* page header: kind/version/generation, seq (2), tail distance (1-2) */
    NBS_CRC_BYTES = 4,  /* an item's CRC-32C */
    NBS_VARINT_MAX = 3, /* bytes of a length field (values below 2^21) */
    NBS_WORK_KEY = 128, /* work buffer: key area of this size (NBS_KEY_MAX), then chunks */
    NBS_WALK_TORN = 1,  /* nbs_item_next(): an unsealed region (the last operation of the page) */
};

/* The largest seq distance the ring uses: live pages are at most N <= 32767 apart, so 16-bit
 * sequence numbers compare by serial-number arithmetic. */
#define NBS_PAGES_MAX 32767u

/* A page header as read. */
typedef struct nbs_page_hdr {
    uint8_t b[NBS_PAGE_HDR];
    bool erased;  /* the header region reads erased */
    bool valid;   /* kind and version of this store (the first item checks the rest) */
    bool foreign; /* a header of another kind or version: NBS_E_CORRUPT */
    uint16_t seq;
    uint8_t gen;
    uint16_t tail_dist;
    bool done;   /* the DONE unit reads programmed-any (SPEC section 3.1) */
    bool killed; /* the KILL unit reads programmed-any: an erase started; nothing here counts */
} nbs_page_hdr;

/* One item as read by a walk. Offsets are within the page. */
typedef struct nbs_item {
    uint32_t off;        /* its commit header */
    uint32_t data;       /* its data (map: key then value) */
    uint32_t end;        /* the first byte after it */
    uint32_t klen, vlen; /* klen: its key's length (a STORE-SAME's: the key it resolves to) */
    uint32_t key_at;     /* map STORE/REMOVE: where its key bytes are in the page (a STORE-SAME's:
                            in the STORE its chain starts with) */
    uint32_t crc;
    uint8_t type;
    bool elided;                      /* a STORE-SAME (SPEC 3.6): no key bytes in its data */
    uint8_t head[1 + NBS_VARINT_MAX]; /* the commit header bytes before the CRC */
    uint8_t head_len;
    uint32_t read_len; /* bytes nbs_item_next read at `off` into the chunk area */
    uint32_t in_txn;   /* a member of a TXN item (SPEC 3.4): the TXN's offset + 1 (0: an item) */
    bool after_gap;
    bool sealed;      /* S reads programmed-any: the commit is solid */
    bool pop_touched; /* queue: P reads programmed-any */
    bool pop_full;    /* queue: P reads full (popped) */
    bool pop_sealed;  /* queue: A reads programmed-any: the pop's commit started */
    bool pop_done;    /* queue: A reads full */
} nbs_item;

/* A walk over one page's items, oldest first. `seed` is the CRC seed of the page's items (the
 * CRC of its header bytes); `limit` bounds the walk (the newest page: its front). */
typedef struct nbs_cursor {
    uint32_t page, seed, pos, limit;
    /* Mount and recovery: an item whose seal reads erased ends the walk (NBS_WALK_TORN), for
     * them to decide. Every other walk comes after a mount that decided each item: an item
     * there whose seal reads erased is one whose seal a cut left weak (its header and data are
     * solid), and it counts. */
    bool strict;
    uint32_t txn; /* a walk of a TXN's members: the TXN's offset + 1 (0: a page's items) */
    /* The key a STORE-SAME at chain_end would resolve to (SPEC 3.6): that of the STORE (or
     * STORE-SAME) the walk returned last, ending there: its bytes at chain_key, chain_klen of
     * them (0: none; a walk started mid-page has none unless its caller sets it). */
    uint32_t chain_end, chain_key, chain_klen;
} nbs_cursor;

/* Bytes to write: key and value (map) or the entry (queue, key empty). */
typedef struct nbs_payload {
    const uint8_t *key;
    uint32_t klen;
    const uint8_t *value;
    uint32_t vlen;
    bool elided; /* a STORE written as a STORE-SAME (SPEC 3.6): its key bytes not programmed */
} nbs_payload;

/* Bytes of an item's key in its own data: none for a STORE-SAME. */
static inline uint32_t nbs_item_own_key(const nbs_item *it) {
    return it->elided ? 0 : it->klen;
}
/* Where an item's value starts in the page. */
static inline uint32_t nbs_item_value_at(const nbs_item *it) {
    return it->data + nbs_item_own_key(it);
}

/* The read-only mount (SPEC 6.5) is an option, like the caches: a product that never mounts
 * read-only builds with NBS_WITH_READ_ONLY=0, and a mount that asks for it is refused
 * (NBS_E_INVAL). The engine asks this, never log->read_only, so that such a build compiles the
 * read-only paths out. */
#ifndef NBS_WITH_READ_ONLY
#define NBS_WITH_READ_ONLY 1
#endif
static inline bool nbs_read_only(const nbs_log *log) {
    return NBS_WITH_READ_ONLY && log->read_only;
}
/* Every write call first: NBS_E_READ_ONLY on a store mounted read-only (nothing changes). */
static inline int nbs_check_writable(const nbs_log *log) {
    return nbs_read_only(log) ? NBS_E_READ_ONLY : NBS_OK;
}
/* n rounded up to a whole number of units; unit is a power of two (a write unit). */
static inline uint32_t nbs_round_up(uint32_t n, uint32_t unit) {
    return (n + unit - 1) & ~(unit - 1);
}
static inline uint8_t nbs_programmed_byte(const nbs_log *log) {
    return (uint8_t)(log->flash.erase_value ^ 0xFFu);
}
static inline uint8_t *nbs_work_key(nbs_log *log) {
    return log->work;
}
/* The work buffer (nbs_io.c): the key area, the chunk area, then the notes: the GC notes, a bit
 * per NBS_NOTE_SLOT bytes of a page (nbs_map_room.c): no item that can be live is smaller (a
 * STORE of a 1-byte key: 1 + 1 + 4 header bytes, the seal, the key), so no two of them share a
 * bit; or, in a store mounted read-only (which runs no GC), the pages its mount erased, a bit per
 * page. The notes have room for both: a bit per slot or per page, whichever is more. */
enum { NBS_NOTE_SLOT = 8 };
uint8_t *nbs_work_chunk(nbs_log *log, uint32_t *size);
uint8_t *nbs_work_notes(nbs_log *log, uint32_t *bytes);
/* Serial-number order of 16-bit seqs (RFC 1982): a is after b. */
static inline bool nbs_seq_after(uint16_t a, uint16_t b) {
    return (int16_t)(uint16_t)(a - b) > 0;
}

uint32_t nbs_get_le(const uint8_t *p, unsigned n);
void nbs_put_le(uint8_t *p, uint32_t v, unsigned n);
uint32_t nbs_crc32c(uint32_t seed, const void *data, size_t len);

/* nbs_io.c: geometry, flash access, erases (tracked per power-on). A failed program or erase
 * unmounts the store (only a mount may judge what it left). */
int nbs_check_geometry(const nbs_flash *f);
/* A flash callback's result as the engine reports it: 0, NBS_E_ECC, or NBS_E_IO for the rest. */
int nbs_flash_result(int rc);
/* nbs_part.c: the sector of the device holding addr (its start and size); false past the end. */
bool nbs_sector_at(const nbs_device *dev, uint32_t addr, uint32_t *start, uint32_t *size);
/* Reads and programs take a page index and an offset in it. */
int nbs_read(nbs_log *log, uint32_t page, uint32_t off, void *buf, uint32_t len);
int nbs_program(nbs_log *log, uint32_t page, uint32_t off, const void *data, uint32_t len);
/* Programs the page's KILL unit, then erases it (SPEC 5.2): a page whose erase a cut stopped
 * may read as anything, and its KILL says it is gone. */
int nbs_erase_page(nbs_log *log, uint32_t page);
/* Erases a page whose KILL already reads programmed (no second program of the unit). */
int nbs_erase_killed(nbs_log *log, uint32_t page);
/* Forgets every erase remembered (a read-only mount's start: its notes hold them). */
void nbs_erases_forget_all(nbs_log *log);
/* Erases the page unless it was erased during this power-on and not written since. */
int nbs_ensure_erased(nbs_log *log, uint32_t page);
bool nbs_all_erased(const nbs_log *log, const uint8_t *b, uint32_t len);

/* nbs_layout.c: sizes of the format's regions for this geometry and store kind. */
/* Sets the geometry, the store kind, its item layout (the page version this flash gives it) and
 * the sizes below (the flash is one nbs_check_geometry accepted). */
void nbs_layout_init(nbs_log *log, const nbs_flash *flash, uint8_t kind);
/* The same with the item layout of page version `version` (a page of another layout, read to
 * refuse it). */
void nbs_layout_as(nbs_log *log, const nbs_flash *flash, uint8_t kind, uint8_t version);
/* Whether a page header's kind and version name a store layout of the format. */
bool nbs_layout_known(uint8_t kind, uint8_t version);
static inline uint32_t nbs_page_hdr_len(const nbs_log *log) { /* 4, or 5 with > 256 pages */
    return log->hdr_len;
}
static inline uint32_t nbs_hdr_region(const nbs_log *log) { /* rW(header): where DONE starts */
    return log->hdr_region;
}
static inline uint32_t nbs_items_start(const nbs_log *log) { /* after header, DONE and KILL */
    return log->items_start;
}
static inline uint32_t nbs_gap(const nbs_log *log) { /* G: the largest commit header region */
    return log->gap;
}
/* The flag units programmed apart, first in an item: S (map, version 3) or S, P, A (queue); none
 * in version 4, whose S is byte 0 of the commit header's first unit. */
static inline uint32_t nbs_flag_bytes(const nbs_log *log) {
    return log->flag_bytes;
}
/* Where an item's commit header bytes (tk, length field, CRC) start, from the item's offset. */
static inline uint32_t nbs_head_at(const nbs_log *log) {
    return log->head_at;
}
/* Bytes of an item's seal S at its offset: its unit (version 3) or its byte (version 4). */
static inline uint32_t nbs_seal_len(const nbs_log *log) {
    return log->seal_len;
}
uint32_t nbs_length_field(const nbs_log *log, uint32_t vlen, bool flag2, bool after_gap);
/* Bytes of an item whose length field is `field` and data (key and value) dlen bytes. */
uint32_t nbs_item_bytes(const nbs_log *log, uint32_t dlen, uint32_t field);
/* Where an item's data starts, from its offset, when its commit header bytes before the CRC
 * (tk and length field) are head_len. */
uint32_t nbs_item_data_at(const nbs_log *log, uint32_t head_len);
uint32_t nbs_page_seed(const nbs_log *log, const uint8_t hdr[NBS_PAGE_HDR]);
void nbs_page_hdr_encode(const nbs_log *log, uint16_t seq, uint8_t gen, uint16_t tail_dist,
                         uint8_t out[NBS_PAGE_HDR]);
int nbs_page_hdr_read(nbs_log *log, uint32_t page, nbs_page_hdr *h);
/* Generations: 0 a page opened afresh; odd a recovery's temporary copy; even >= 2 a page copied
 * back home. Never back to 0 (a gen-0 page's DONE means its GC round released the tail). */
static inline uint8_t nbs_gen_next(uint8_t g) {
    return g == 7 ? 2 : (uint8_t)(g + 1);
}
/* Programs the page's DONE unit. */
int nbs_mark_done(nbs_log *log, uint32_t page);
/* The page of a live seq (live pages sit at consecutive addresses ending at the newest). */
uint32_t nbs_page_of(const nbs_log *log, uint16_t seq);
uint32_t nbs_live_pages(const nbs_log *log);
/* How many pages before the newest a page is (0: the newest): a page is live when this is below
 * nbs_live_pages(). */
uint32_t nbs_pages_back(const nbs_log *log, uint32_t page);

/* nbs_walk.c: a page's items, oldest first. nbs_item_next returns NBS_OK (an item, sealed, its
 * regions read), NBS_E_END (no more items), NBS_WALK_TORN (an unsealed region at cur->pos: *it
 * holds what could be parsed, it->end = 0 when nothing could) or an error. Each item is read
 * into the work buffer's chunk area with `extra` data bytes (a key to compare) when its length
 * field takes one byte (a longer one leaves the last of them unread), and at least G bytes. */
int nbs_cursor_start(nbs_log *log, uint32_t page, nbs_cursor *cur);
/* Decodes the item whose bytes (n of them, read or built in RAM) are at `pos`; false when they
 * are no item (SPEC 3.2). */
bool nbs_item_parse(nbs_log *log, const uint8_t *b, uint32_t n, uint32_t pos, nbs_item *it);
int nbs_item_next(nbs_log *log, nbs_cursor *cur, nbs_item *it, uint32_t extra);
/* A strict walk of the whole page (mount and recovery) seeded by its header as `h` read it: every
 * decision about a page comes from one reading. */
void nbs_cursor_read_as(const nbs_log *log, uint32_t page, const nbs_page_hdr *h, nbs_cursor *cur);
/* Chunk area: the bytes nbs_item_next read at it->off (header, flags, first data bytes). */
const uint8_t *nbs_item_read_bytes(nbs_log *log, const nbs_item *it, uint32_t *len);
/* A caller's buffer for `need` bytes: reports `need` in *len (when given), then
 * NBS_E_BUFFER_TOO_SMALL, NBS_E_INVAL (no buffer) or NBS_OK. */
int nbs_out_buffer(const void *buf, size_t capacity, size_t *len, uint32_t need);
/* Whether the walk's read held the item whole (then the chunk area still holds it, until the
 * next read). */
bool nbs_item_in_chunk(const nbs_item *it);
/* Whether the item's CRC matches its header and this key and value (as read once, in RAM). */
bool nbs_item_matches(uint32_t seed, const nbs_item *it, const void *key, const void *value);
/* 1 when the item's CRC matches its header and data, 0 when not, or an error. */
int nbs_item_intact(nbs_log *log, const nbs_cursor *cur, const nbs_item *it);
/* The same, a STORE-SAME's key given by a caller that matched its chain's key (SPEC 3.6) rather
 * than read again (NULL: read). */
int nbs_item_intact_as(nbs_log *log, const nbs_cursor *cur, const nbs_item *it, const uint8_t *key);

/* nbs_room.c: the one owner of room (SPEC section 7). */
uint32_t nbs_fresh_room(const nbs_log *log); /* a fresh page's bytes for items */
/* Bytes an item of this payload takes (sized for the longest length field of its value). */
uint32_t nbs_item_cost(const nbs_log *log, uint32_t klen, uint32_t dlen);
/* Bytes it takes in the newest page now (with the gap when one is pending). */
uint32_t nbs_append_cost(const nbs_log *log, uint32_t klen, uint32_t dlen);
bool nbs_fits_newest(const nbs_log *log, uint32_t bytes);
/* Bytes a GC copy of the item takes: its own, or a STORE-SAME's as the full STORE it becomes
 * (SPEC 3.6: at most its own bytes and its dead chain head's together). */
uint32_t nbs_copy_cost(const nbs_log *log, const nbs_item *it);
/* The space figures, given the bytes of the live items (the store kind's to count). */
int nbs_space_figures(nbs_log *log, uint32_t live, nbs_space *space);

/* nbs_write.c: the writers of the newest page. */
/* Fills it->head, head_len, data and end of an item at it->off from its type, lengths and
 * after-gap flag (the layout a writer gives it). */
void nbs_item_layout(const nbs_log *log, nbs_item *it);
/* Programs the chunk area's first n bytes at `off` of the newest page, padded with erased bytes
 * to whole units (n is a whole number of units unless it ends the item). */
int nbs_program_chunk(nbs_log *log, uint32_t off, uint32_t n);
/* Lays the item out at it->off (nbs_item_layout) and moves the newest page's front past it:
 * NBS_E_FULL when it would reach past the page. */
int nbs_place_item(nbs_log *log, nbs_item *it);
/* Programs a placed item's commit header (head bytes and it->crc), or its seal, in the newest
 * page. */
int nbs_program_head(nbs_log *log, const nbs_item *it);
/* The bytes of a laid-out item before its data as a sealed item holds them: its flag units
 * programmed (S; a queue's P and A too) or in version 4 its S byte, then the commit header (head
 * bytes, it->crc, padding E).
 * Used for the commit header's program and for a TXN's members built in RAM. */
void nbs_item_image(const nbs_log *log, const nbs_item *it, uint8_t *out);
int nbs_program_seal(nbs_log *log, const nbs_item *it);
/* Appends an item of type ITEM_* with this payload (control items: the payload's value); *out
 * (when not NULL) is the item as written. */
int nbs_append(nbs_log *log, uint8_t type, const nbs_payload *p, nbs_item *out);
/* Appends a copy of the item `it` of the page `src` walks (nbs_copy.c); *out is the copy as
 * written (out->crc does not match when the data read did not). A STORE-SAME is copied elided
 * when `elide` (the newest page's last item is a copy of its chain), else as a full STORE. */
int nbs_copy_item(nbs_log *log, const nbs_cursor *src, const nbs_item *it, bool elide,
                  nbs_item *out);
/* Whether a STORE of this payload may be written as a STORE-SAME now: the newest page's last
 * item is a STORE of the same key that this mount wrote there (SPEC 3.6). 1, 0 or an error. */
int nbs_can_elide(nbs_log *log, const nbs_payload *p);
/* Opens the page after the newest (erasing it when needed) with this generation and tail
 * distance; the caller's next append checks its header. */
int nbs_open_next(nbs_log *log, uint16_t tail_dist);
/* Makes `page` the newest page (its items start empty) and programs its header, with this seq,
 * generation and tail distance (not its DONE or KILL unit). */
int nbs_start_page(nbs_log *log, uint32_t page, uint16_t seq, uint8_t gen, uint16_t tail_dist);
/* Queue: programs the entry's P full, then its A. */
int nbs_pop_entry(nbs_log *log, uint32_t page, const nbs_item *it);

/* nbs_mount.c */
int nbs_log_mount(nbs_log *log, const nbs_config *cfg, uint8_t kind);
int nbs_log_erase_all(nbs_log *log);

/* nbs_recover.c: rewrites a page with every operation decided (SPEC section 6.2). */
int nbs_rewrite_page(nbs_log *log, uint32_t page, const nbs_page_hdr *h, uint16_t tail_dist);
/* Copies a complete temporary copy back to its home page, then erases it. `h` is the header as
 * the mount read it (every decision about a page comes from one reading). */
int nbs_move_back(nbs_log *log, uint32_t temp, const nbs_page_hdr *h, uint32_t home);

/* Map internals shared by its files (nbs_map.c, nbs_map_room.c). */
typedef struct nbs_found {
    uint16_t seq;
    nbs_cursor cur;
    nbs_item it;
    bool in_chunk; /* the chunk area holds its key and value (read by the key cache) */
} nbs_found;
/* The key's newest intact STORE (NBS_OK) or NBS_E_NOT_FOUND: from the key cache when it can
 * answer (checked against flash in check mode), else from flash. */
int nbs_map_find(nbs_log *log, const uint8_t *key, uint32_t klen, nbs_found *f);
/* 1 when the key stored at `off` of `page` equals `key`, 0 when not, or an error (read in pieces
 * through the chunk area, which `key` may not be in). */
int nbs_key_equal(nbs_log *log, uint32_t page, uint32_t off, const uint8_t *key, uint32_t klen);
int nbs_map_is_newest(nbs_log *log, uint16_t seq, const nbs_item *it);
/* The seq of a live page. */
uint16_t nbs_seq_of(const nbs_log *log, uint32_t page);
int nbs_map_make_room(nbs_log *log, uint32_t klen, uint32_t dlen);
/* Writes an item of this type (STORE, REMOVE, CLEAR, TXN) to the map: room made, the item
 * appended, the key cache and a GC round that waited for it finished. */
int nbs_map_write(nbs_log *log, uint8_t type, const nbs_payload *p);

/* nbs_txn.c: transactions (SPEC 3.4). The members of the TXN `txn` read by the walk `cur`: 1 when
 * its CRC matches (*in then walks its members), 0 when not, or an error. */
int nbs_txn_members(nbs_log *log, const nbs_cursor *cur, const nbs_item *txn, nbs_cursor *in);
/* A member is checked by a CRC of its own seeded with 0, not with the page header: a recovery
 * copies a TXN item whole into a page of another generation. */
enum { NBS_TXN_MEMBER_SEED = 0 };
/* The next member of the walk `in` (it->in_txn set), NBS_E_END or an error. */
int nbs_txn_member_next(nbs_log *log, nbs_cursor *in, nbs_item *it, uint32_t extra);
/* The map's entries of one page in log order: its items, with an intact TXN's members in place
 * of the TXN (a TXN whose CRC does not match counts nothing); `in` starts with txn = 0. A member
 * is read with `in`, an item with `cur`. Returns as nbs_item_next. */
int nbs_map_walk_next(nbs_log *log, nbs_cursor *cur, nbs_cursor *in, nbs_item *it, uint32_t extra);
/* The key cache follows each member of the TXN just written (its members in RAM). */
void nbs_txn_written(nbs_log *log, const nbs_item *written, const uint8_t *members);
int nbs_map_finish_round(nbs_log *log); /* after the write a round was run for */
int nbs_map_tally(nbs_log *log, uint32_t *count, uint32_t *live);

#include "nbs_cache.h"

#endif
