/* The norbench storage engine (nbs): its main public header — error codes, the flash interface
 * the caller fills in, the optional RAM caches, the space figures, the map and the queue
 * (partitions and raw flash access: nbs_part.h; the key-value domains over the map: nbs_kv.h).
 * Freestanding C11: no malloc, no globals; every piece of state lives in caller-owned structs. */
#ifndef NBS_H
#define NBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Errors: 0 or one of these negative values; nbs_strerror() names each (one string for all in
 * a build with NBS_WITH_MESSAGES=0). */
enum {
    NBS_OK = 0,
    NBS_E_INVAL = -1,            /* a bad argument (NULL pointer, zero length, ...) */
    NBS_E_NOT_FOUND = -2,        /* no such key */
    NBS_E_BUFFER_TOO_SMALL = -3, /* the caller's buffer is too small; the size needed is reported */
    NBS_E_TOO_BIG = -4,          /* the item can never fit in one page of this geometry */
    NBS_E_FULL = -5,             /* the store has no room for the item now */
    NBS_E_EMPTY = -6,            /* the queue is empty */
    NBS_E_END = -7,              /* an iteration has no more items */
    NBS_E_IO = -8,               /* a flash callback failed (e.g. power off) */
    NBS_E_ECC = -9,              /* a flash read reported an ECC error that could not be avoided */
    NBS_E_CORRUPT = -10,         /* flash holds data the format does not allow */
    NBS_E_GEOMETRY = -11,        /* the flash description is not usable */
    NBS_E_WORK_BUFFER = -12,     /* the work buffer is smaller than nbs_work_bytes_min() */
    NBS_E_NOT_MOUNTED = -13,     /* the store was not mounted (or a mount failed) */
    NBS_E_CACHE_MISMATCH = -14,  /* check mode: a cached answer disagreed with flash */
    NBS_E_KEY_LEN = -15,         /* key length outside 1..NBS_KEY_MAX */
    NBS_E_CACHE_MEM = -16,       /* the cache memory is smaller than nbs_cache_bytes() */
    NBS_E_READ_ONLY = -17,       /* a write call on a store mounted read-only (or a raw write
                                    on a partition opened r, nbs_part.h): nothing changed */
    /* Partitions and raw access (nbs_part.h). */
    NBS_E_PART_OVERLAP = -18, /* two partitions share bytes */
    NBS_E_ALIGN = -19,        /* not on a sector boundary, or a raw write off the write unit */
    NBS_E_PART_NAME = -20,    /* a partition name empty, too long, repeated or unknown */
    NBS_E_RANGE = -21,        /* outside the device or the partition (or an empty partition) */
    /* Key-value domains (nbs_kv.h). */
    NBS_E_KV_TYPE = -22,    /* the value is stored in another format: never converted */
    NBS_E_KV_MODE = -23,    /* a write or delete on a domain opened read-only (mode r) */
    NBS_E_KV_CLOSED = -24,  /* the domain handle is closed (or the store was erased since) */
    NBS_E_KV_DOMAINS = -25, /* no domain id left: the store holds 255 domains */
    /* Transactions (nbs_map_txn_*): */
    NBS_E_TXN_CLOSED = -26, /* no transaction is open (never begun, committed or aborted) */
    NBS_E_TXN_BUFFER = -27, /* the transaction's staging buffer has no room for the write */
    /* The TDBStore-shaped store (nbs_tdb.h) and the Map façade (nbs_kvmap.h): */
    NBS_E_WRITE_PROTECTED = -28, /* a set or remove of a write-once key (or a second reserved
                                    area set): nothing changed */
    NBS_E_BUSY = -29,            /* an incremental set is open: other calls wait for its end */
    NBS_E_ITER_STALE = -30,      /* the store was written since the iterator was opened */
    NBS_E_KEY_CHARS = -31,       /* a key holds a character TDBStore's key rule forbids */
    NBS_E_RAM_FULL = -32,        /* the write-back variant's RAM has no room for the write */
    /* Firmware update slots (nbs_update.h): */
    NBS_E_UPDATE_INCOMPLETE = -33, /* complete: the image is not completely written */
    NBS_E_UPDATE_IMAGE = -34,      /* an image's header is bad or its CRC does not match */
    NBS_E_UPDATE_STATE = -35,      /* the update's state forbids it (a test image unconfirmed,
                                      a swap a boot must finish, nothing to confirm) */
    NBS_E_UPDATE_CLOSED = -36,     /* the update is not open (or a write after complete) */
    /* The file system (nbs_fs.h): */
    NBS_E_FS_PATH = -37,      /* a path breaks ECMA-419's subpath rules (or a name too long) */
    NBS_E_FS_EXISTS = -38,    /* the path exists already */
    NBS_E_FS_NOT_DIR = -39,   /* a directory was needed (a parent, or a directory to open) */
    NBS_E_FS_IS_DIR = -40,    /* a file was needed and the path is a directory */
    NBS_E_FS_NOT_FILE = -41,  /* a file was needed and the path is a symbolic link */
    NBS_E_FS_NOT_EMPTY = -42, /* delete of a directory that holds entries */
    NBS_E_FS_MODE = -43,      /* a read on a file opened w, a write on one opened r */
    NBS_E_FS_CLOSED = -44,    /* the file or directory handle is closed */
    NBS_E_FS_NOT_LINK = -45,  /* readLink of a path that is not a symbolic link */
};
const char *nbs_strerror(int err);

#define NBS_KEY_MAX 128u

/* How the engine reaches flash. Callbacks return 0, NBS_E_ECC for an ECC error on a read, or
 * any other negative value for a failure (reported as NBS_E_IO). Addresses are absolute. */
typedef struct nbs_flash {
    void *ctx;
    int (*read)(void *ctx, uint32_t addr, void *buf, uint32_t len);
    int (*program)(void *ctx, uint32_t addr, const void *data, uint32_t len);
    int (*erase)(void *ctx, uint32_t page_addr); /* erases one engine page */
    uint32_t start;      /* first byte of the range the store owns (page aligned) */
    uint32_t size;       /* bytes in the range: a whole number of pages, at least 2 */
    uint32_t page_size;  /* bytes per page: one or more whole erase sectors */
    uint32_t write_unit; /* 1, 2, 4, 8, 16 or 32 */
    uint8_t erase_value; /* 0xFF or 0x00 */
    /* Programs a write unit takes between erases: 0 or 1 once (ECC words: each unit is
     * programmed at most once), 2 or more (NBS_PROGRAMS_UNLIMITED: no limit). With 2 or more
     * and W >= 2 a map seals each item in its commit header's first unit, programmed a second
     * time (SPEC section 3.2, page version 4): one unit less an item. A store must be mounted
     * with the figure it was written with (another layout's pages: NBS_E_CORRUPT). */
    uint8_t programs_per_unit;
} nbs_flash;
#define NBS_PROGRAMS_UNLIMITED 255u

/* Optional RAM caches. The uncached path is the truth; with `check` set, every cached answer
 * is recomputed from flash and a disagreement returns NBS_E_CACHE_MISMATCH. */
enum {
    NBS_CACHE_PAGE_STATES = 1u << 0,   /* each page's CRC seed (its header, read once) */
    NBS_CACHE_PAGE_POINTERS = 1u << 1, /* where each page's items end; the queue's head entry */
    NBS_CACHE_KEYS = 1u << 2,          /* map only: key -> location, lengths and CRC */
    NBS_CACHE_ALL = 7u,
};
typedef struct nbs_cache_config {
    unsigned flags;
    void *mem; /* caller-owned RAM, at least nbs_cache_bytes(...) */
    size_t mem_size;
    uint32_t max_keys; /* key-location entries (NBS_CACHE_KEYS) */
    bool check;
} nbs_cache_config;
/* RAM the caches need for `pages` pages and `max_keys` keys. */
size_t nbs_cache_bytes(unsigned flags, uint32_t pages, uint32_t max_keys);

typedef struct nbs_config {
    nbs_flash flash;
    void *work;       /* caller-owned work buffer */
    size_t work_size; /* at least nbs_work_bytes_min(&flash) */
    nbs_cache_config cache;
    /* Mount read-only (a bootloader's view): the mount programs and erases nothing, whatever a
     * power cut left, and decides in RAM what a read-write mount's recovery would write (SPEC
     * section 6.5). Reads answer as after that recovery; every write call (store, remove,
     * remove_all, push, pop, iter_pop_current, erase_all) returns NBS_E_READ_ONLY and changes
     * nothing; figures (space, nbs_queue_max_push) are those of the store as read. A read-write
     * mount later makes the same decisions durable. An option of the build: an engine built
     * with NBS_WITH_READ_ONLY=0 (a product that never mounts read-only; `make size` counts
     * the option apart) refuses it with NBS_E_INVAL, and so its nbs_inspect() too. */
    bool read_only;
} nbs_config;
/* The work buffer a store of this geometry needs (SPEC section 7): a key, a chunk for one item
 * read, and notes of a bit per 8 bytes of a page or a bit per page, whichever is more. */
size_t nbs_work_bytes_min(const nbs_flash *flash);

/* Space figures, in bytes of the store's range: live + free_now + reclaimable + overhead = total.
 * An item (format 3, SPEC section 3) takes its flag units (map: the seal S; queue: S, P, A),
 * its commit header (map: a type/key byte; a varint length field of 1-3 bytes; a CRC-32C) and
 * its data (map: key and value), each padded to the write unit W; a map of page version 4 (see
 * programs_per_unit) has its S as the commit header's first byte instead of a unit. */
typedef struct nbs_space {
    uint32_t total;       /* all pages */
    uint32_t live;        /* bytes taken by live items (flag units and headers included) */
    uint32_t free_now;    /* item bytes writable without reclaiming anything: the newest page's
                             rest (less the gap the first write after a mount skips) and every
                             free page but the one kept back, each after its header */
    uint32_t reclaimable; /* held by dead items, controls and fillers in live pages: freed by
                             garbage collection (map) or when their page dies (queue) */
    uint32_t overhead; /* the rest: page headers, DONE and KILL units, the free page kept back (the
                          map's spare, the queue's recovery page), fragments at page ends */
} nbs_space;
/* Bytes of a map item beyond its key and value padded to the write unit W, for values below 32
 * bytes: the seal unit and a commit header of rW(1 + 1 + 4) (7 at W = 1, 12 at W = 4, 16 at
 * W = 8, 64 at W = 32), or, where a unit takes two programs and W >= 2, the seal byte inside the
 * commit header, rW(1 + 1 + 1 + 4) (8 at W = 2 and 4, W beyond). A value of 32 to 4095 bytes has a
 * 2-byte length field, a longer one a 3-byte field (one or two bytes more before padding). 0 for an
 * unusable geometry. */
uint32_t nbs_item_overhead(const nbs_flash *flash);

/* The ring log under the map and the queue: the RAM state of a mounted store. Private to the
 * engine (its fields are not API); nbs_map and nbs_queue embed it so the caller owns the memory.
 * Everything here is derived from flash at mount and kept in step by the writers. */

/* Pages erased during this power-on that nothing was written to since: they are opened without
 * another erase (a page erased before may hold weak cells, SPEC section 5.2). */
#define NBS_ERASED_TRACK 4

typedef struct nbs_log {
    nbs_flash flash;
    uint8_t *work; /* caller's work buffer */
    uint32_t work_size;
    nbs_cache_config cache;
    uint32_t pages; /* N */
    uint32_t unit;  /* W */
    /* Sizes of the format's regions for this geometry and store kind (nbs_layout.c), set with
     * the geometry: page header bytes (4 or 5), the header region (where DONE starts), where
     * items start, an item's flag units programmed apart (bytes before its commit header's
     * first unit), where its commit header's bytes start, the bytes of its seal S, the gap G,
     * and the page version that names the item layout (3, or 4: S in the header's unit). */
    uint8_t hdr_len, hdr_region, items_start, flag_bytes, head_at, seal_len, gap, version;
    uint32_t newest; /* page index of the newest page */
    uint16_t newest_seq;
    uint16_t tail_seq;    /* the oldest live page's seq */
    uint32_t front;       /* newest page: where its items end */
    uint32_t newest_seed; /* newest page: the CRC seed of its items (its header's CRC) */
    uint32_t seed_page;   /* page index + 1 whose header seed_of holds (0: none); a page's
                             header changes only when it is erased */
    uint32_t seed_of;
    uint32_t head_page; /* queue: page index of the oldest unpopped entry (when head_known) */
    uint32_t head_off;  /* queue: its offset */
    uint32_t erased[NBS_ERASED_TRACK]; /* page index + 1 of pages erased this power-on; 0: none
                                          (read-write; a read-only mount keeps them all apart) */
    uint32_t fresh_from;  /* a store mounted empty: pages from this index on were never used
                             (0: none); page 0 is the one an empty store may have touched */
    uint32_t redo_page;   /* mount: page index + 1 whose recovery a cut stopped before its copy
                             was complete: rewritten whatever it reads now (0: none) */
    uint16_t release_seq; /* map: a GC round that copied nothing releases this tail page once
                             the write that needed the round is in its page (release_pending) */
    uint32_t writes;      /* map: write calls since the mount (store, remove, remove_all, a TXN
                             commit, erase_all), failed ones too: a layer's iterator goes stale
                             when it changes (nbs_tdb.h) */
    uint8_t kind;         /* 1 map, 2 queue */
    uint8_t newest_gen;   /* the newest page's generation */
    bool mounted;
    bool empty;       /* no live page */
    bool gap_pending; /* the next item starts a gap past `front` (the first write after mount) */
    bool head_known;
    bool release_pending;

    /* A store mounted read-only (SPEC section 6.5): the decisions its mount kept in RAM. */
    bool read_only;       /* erases are remembered (the page reads erased), never made */
    uint8_t *erased_bits; /* read-only: a bit per page erased in RAM (the work buffer's notes) */
    uint32_t moved_home;  /* page index + 1 whose reads go to the temporary copy moved_from (the
                             copy back a read-write mount would make; 0: none) */
    uint32_t moved_from;
    uint32_t kept_off; /* offset + 1 of the newest page's unsealed last item, kept (its CRC
                          matched at mount) as a read-write recovery would (0: none) */
    /* Map: the newest page's last item, when it is a STORE this mount wrote there and ends at
     * `front` (elide_end): its key bytes at elide_key, elide_klen of them (0: none). A STORE of
     * the same key may then be written as a STORE-SAME (SPEC 3.6). */
    uint32_t elide_key, elide_end, elide_klen;
    uint8_t elide_id[8]; /* that key (up to 8 bytes: compared with no read) or its CRC-32C */
} nbs_log;

/* The key-value map of the norbench storage engine: power-fail-safe store, fetch and removal
 * of byte-string keys (1..NBS_KEY_MAX bytes) and values on a ring of NOR flash pages. */

typedef struct nbs_map {
    nbs_log log; /* private: the page ring underneath */
} nbs_map;

/* Mounts the store on cfg->flash, repairing whatever a power cut left behind. An erased or
 * never-used range mounts as an empty store. */
int nbs_map_mount(nbs_map *map, const nbs_config *cfg);
int nbs_map_erase_all(nbs_map *map);

int nbs_map_store(nbs_map *map, const void *key, size_t key_len, const void *value,
                  size_t value_len);
/* On NBS_E_BUFFER_TOO_SMALL, *value_len is set to the size needed. */
int nbs_map_fetch(nbs_map *map, const void *key, size_t key_len, void *value, size_t capacity,
                  size_t *value_len);
int nbs_map_remove(nbs_map *map, const void *key, size_t key_len); /* absent: 0, no write */
int nbs_map_remove_all(nbs_map *map);
int nbs_map_has(nbs_map *map, const void *key, size_t key_len, bool *present);
int nbs_map_count(nbs_map *map, uint32_t *count);
int nbs_map_space(nbs_map *map, nbs_space *space);

/* The largest value a key of key_len bytes can have on this geometry (0 if none; a store
 * above it returns NBS_E_TOO_BIG): the largest whose item fits a fresh page after its header
 * and its DONE and KILL units (SPEC sections 3 and 7). With write unit W, page size P and h = 4
 * (5 with more than 256 pages), key + value + rW(1 + F + 4) + W <= P - rW(h) - 2W, key and value
 * padded to W, F the length field's bytes (1 below 32-byte values, 2 below 4096, else 3): at W = 1
 * on a 256-byte page key + value <= 242, on a 4 KiB page 4082. */
uint32_t nbs_map_max_value(const nbs_flash *flash, size_t key_len);

/* Iteration over live items: each key once, with its newest value. The map must not be
 * changed during an iteration. Returns NBS_E_END after the last item. */
typedef struct nbs_map_iter {
    nbs_map *map;
    uint32_t page_step, slot, member, chain; /* private */
} nbs_map_iter;
void nbs_map_iter_init(nbs_map *map, nbs_map_iter *it);
int nbs_map_iter_next(nbs_map_iter *it, void *key, size_t key_capacity, size_t *key_len,
                      void *value, size_t value_capacity, size_t *value_len);

/* Multi-key transactions (SPEC section 3.4): stores and removals staged in the caller's RAM,
 * then committed as one TXN item: a power cut before its commit (the item's CRC) leaves none of
 * them, after it all of them. Readers see the staged writes only after the commit. A key staged
 * twice keeps its last write. Staging checks each write (key length, value size) and its room in
 * the buffer; the commit checks the whole: NBS_E_TOO_BIG when its item cannot fit a fresh page
 * (the transaction is not split), NBS_E_FULL when the store has no room for it even after
 * garbage collection, each before anything is written. The commit and the abort end the
 * transaction whatever they return. */
typedef struct nbs_map_txn {
    nbs_map *map;
    uint8_t *buf; /* private: the members as they will be written */
    uint32_t capacity, used;
    bool open;
} nbs_map_txn;
/* Begins a transaction staged in buf (capacity bytes, caller-owned until the commit or abort). */
int nbs_map_txn_begin(nbs_map *map, nbs_map_txn *txn, void *buf, size_t capacity);
int nbs_map_txn_store(nbs_map_txn *txn, const void *key, size_t key_len, const void *value,
                      size_t value_len);
int nbs_map_txn_remove(nbs_map_txn *txn, const void *key, size_t key_len);
int nbs_map_txn_commit(nbs_map_txn *txn);
void nbs_map_txn_abort(nbs_map_txn *txn);
/* Staging bytes one write takes (a member: laid out as a STORE or REMOVE item, seal unit and
 * commit header included): key + value + 7 at W = 1 for values below 32 bytes. 0 when the
 * geometry or the key length is not usable. */
uint32_t nbs_map_txn_member_bytes(const nbs_flash *flash, size_t key_len, size_t value_len);
/* The most staging bytes a commit accepts on this geometry (its TXN item fits a fresh page). */
uint32_t nbs_map_txn_max(const nbs_flash *flash);

/* Integer keys: little-endian, fixed width. */
static inline void nbs_key_u32(uint32_t v, uint8_t out[4]) {
    out[0] = (uint8_t)v, out[1] = (uint8_t)(v >> 8), out[2] = (uint8_t)(v >> 16),
    out[3] = (uint8_t)(v >> 24);
}

/* The FIFO queue of the norbench storage engine: power-fail-safe push, peek and pop of byte
 * strings on a ring of NOR flash pages, with iteration that can pop the current entry. */

typedef struct nbs_queue {
    nbs_log log; /* private: the page ring underneath */
} nbs_queue;

enum { NBS_PUSH_DROP_OLDEST = 1u << 0 }; /* when full, pop the oldest entries to make room */

int nbs_queue_mount(nbs_queue *q, const nbs_config *cfg);
int nbs_queue_erase_all(nbs_queue *q);

int nbs_queue_push(nbs_queue *q, const void *data, size_t len, unsigned flags);
/* Oldest entry; NBS_E_EMPTY when none. On NBS_E_BUFFER_TOO_SMALL *len is the size needed. */
int nbs_queue_peek(nbs_queue *q, void *buf, size_t capacity, size_t *len);
int nbs_queue_pop(nbs_queue *q, void *buf, size_t capacity, size_t *len);
int nbs_queue_count(nbs_queue *q, uint32_t *count);
/* The largest entry a push would accept now, without dropping anything (a push may open a page
 * only while another free page stays back for recovery). */
int nbs_queue_max_push(nbs_queue *q, size_t *len);
int nbs_queue_space(nbs_queue *q, nbs_space *space);
/* The largest entry this geometry can ever hold: the largest whose item (S, P and A units, a
 * commit header of rW(F + 4), F the length field's 1-3 bytes, and the entry padded to the write
 * unit W) fits a fresh page after its header and DONE unit (SPEC sections 3 and 7): at W = 1
 * on a 256-byte page 241 bytes, on a 4 KiB page 4081. */
uint32_t nbs_queue_max_item(const nbs_flash *flash);

/* Oldest to newest. nbs_queue_iter_pop_current() pops the entry last returned by _next. */
typedef struct nbs_queue_iter {
    nbs_queue *q;
    uint32_t page_step, slot; /* private */
    bool has_current;
} nbs_queue_iter;
void nbs_queue_iter_init(nbs_queue *q, nbs_queue_iter *it);
int nbs_queue_iter_next(nbs_queue_iter *it, void *buf, size_t capacity, size_t *len);
int nbs_queue_iter_pop_current(nbs_queue_iter *it);

/* Inspection (nbs_inspect.c): the engine walks its own pages from flash, uncached, and reports
 * each page's state and each item, for the visualizer and the reports (nothing outside the
 * engine parses the format). The store is mounted read-only for it (SPEC section 6.5): nothing
 * is programmed or erased, and a page whose last operation a cut left unsealed shows it torn. */
typedef enum nbs_page_state {
    NBS_PAGE_ERASED,   /* header, DONE and KILL read erased: a free page */
    NBS_PAGE_OPEN,     /* the newest live page: writes go here */
    NBS_PAGE_FULL,     /* a live page older than the newest: closed */
    NBS_PAGE_RELEASED, /* a page of this store outside the live run: dead, erased when reused */
    NBS_PAGE_KILLED,   /* its KILL unit reads programmed: an erase of it started */
    NBS_PAGE_COPY,     /* a recovery's temporary copy (odd generation) */
    NBS_PAGE_UNPLACED, /* a header of this store, but the mount failed: its place is unknown */
    NBS_PAGE_CORRUPT,  /* programmed, yet no page of this store (a cut open, garbage, foreign) */
    NBS_PAGE_STATES
} nbs_page_state;
const char *nbs_page_state_name(nbs_page_state state);

typedef struct nbs_page_info {
    uint32_t index; /* page number in the range */
    nbs_page_state state;
    uint16_t seq;       /* from its header (when the header is of this store) */
    uint8_t generation; /* 0 fresh, odd temporary copy, even >= 2 copied back */
    bool tail;          /* the oldest live page */
    bool newest;        /* the newest live page (also NBS_PAGE_OPEN) */
    bool done;          /* its DONE unit reads programmed */
    uint32_t used;      /* bytes from the page start to the end of its last item, torn included */
    uint32_t items;     /* items reported for it (fillers not counted) */
} nbs_page_info;

typedef enum nbs_item_kind {
    NBS_ITEM_STORE,    /* map: a key and its value */
    NBS_ITEM_REMOVE,   /* map: a key's removal */
    NBS_ITEM_CLEAR,    /* map: everything before it is gone (remove_all) */
    NBS_ITEM_MARK,     /* a first item with no meaning (erase_all, an empty recovery copy) */
    NBS_ITEM_ENTRY,    /* queue: an entry */
    NBS_ITEM_FILLER,   /* the bytes a power-on's first write skips (SPEC 5.1) */
    NBS_ITEM_UNPARSED, /* bytes that are no item: the page's torn last operation */
    NBS_ITEM_TXN,      /* map: a transaction's writes (live while one of its members is) */
    NBS_ITEM_RESERVED, /* map: an item of a reserved kind (SPEC section 9), skipped */
    NBS_ITEM_KINDS
} nbs_item_kind;
typedef enum nbs_item_state {
    NBS_ITEM_LIVE,       /* counts: a key's newest value, an unpopped entry */
    NBS_ITEM_SUPERSEDED, /* a store a newer store, removal or clear of its key replaced */
    NBS_ITEM_REMOVED,    /* a removal or clear (what it removes is gone), or a popped entry */
    NBS_ITEM_CONTROL,    /* a MARK or a filler */
    NBS_ITEM_DEAD,       /* in a page outside the live run */
    NBS_ITEM_TORN,       /* the page's unsealed last operation */
    NBS_ITEM_INVALID,    /* sealed, but its CRC does not match: counts nothing */
    NBS_ITEM_STATES
} nbs_item_state;
const char *nbs_item_kind_name(nbs_item_kind kind);
const char *nbs_item_state_name(nbs_item_state state);

typedef struct nbs_item_info {
    uint32_t page;   /* page number in the range */
    uint32_t offset; /* where the item starts in its page (its seal) */
    uint32_t length; /* bytes it takes (0 for an unparsed region: its end is unknown) */
    nbs_item_kind kind;
    nbs_item_state state;
    const uint8_t *key; /* map: its key bytes (valid during the call), else NULL */
    uint32_t key_len;
    uint32_t value_len;
    bool sealed; /* its seal unit reads programmed */
    bool crc_ok; /* its CRC matches its header and data */
    bool elided; /* map: a STORE-SAME (its key, resolved, is the STORE's before it) */
} nbs_item_info;

/* Called per item of a page (item NULL: pages only), then for the page. Returning non-zero
 * stops the inspection, which returns that value. */
typedef struct nbs_inspect_visitor {
    void *ctx;
    int (*page)(void *ctx, const nbs_page_info *page);
    int (*item)(void *ctx, const nbs_item_info *item);
} nbs_inspect_visitor;

typedef struct nbs_inspect_summary {
    int mount_result; /* the read-only mount's result (pages are still reported when it fails) */
    uint32_t pages, live_pages;
    uint32_t tail, newest; /* page numbers (when live_pages > 0) */
} nbs_inspect_summary;

/* Inspects pages first..first+count-1 (clipped to the range) of the map (queue = false) or
 * queue on cfg->flash, with cfg's work buffer (caches and read_only are ignored: it mounts
 * read-only without caches). `log` is caller memory for the mount. Returns 0, the visitor's
 * value, NBS_E_GEOMETRY / NBS_E_WORK_BUFFER / NBS_E_INVAL, or a flash error. */
int nbs_inspect(nbs_log *log, const nbs_config *cfg, bool queue, uint32_t first, uint32_t count,
                const nbs_inspect_visitor *visitor, nbs_inspect_summary *summary);

#endif
