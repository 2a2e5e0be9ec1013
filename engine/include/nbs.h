/* The norbench storage engine (nbs): shared definitions of its public API — error codes, the
 * flash interface the caller fills in, the optional RAM caches and the space figures.
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
    NBS_E_READ_ONLY = -17,       /* a write call on a store mounted read-only: nothing changed */
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
    uint32_t write_unit; /* 1, 2, 4, 8, 16 or 32; each unit is programmed at most once */
    uint8_t erase_value; /* 0xFF or 0x00 */
} nbs_flash;

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
     * mount later makes the same decisions durable. */
    bool read_only;
} nbs_config;
size_t nbs_work_bytes_min(const nbs_flash *flash);

/* Space figures, in bytes of the store's range: live + free_now + reclaimable + overhead = total.
 * An item (format 3, SPEC section 3) takes its flag units (map: the seal S; queue: S, P, A),
 * its commit header (map: a type/key byte; a varint length field of 1-3 bytes; a CRC-32C) and
 * its data (map: key and value), each padded to the write unit W. */
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
 * W = 8, 64 at W = 32). A value of 32 to 4095 bytes has a 2-byte length field, a longer one a
 * 3-byte field (one or two bytes more before padding). 0 for an unusable geometry. */
uint32_t nbs_item_overhead(const nbs_flash *flash);

#endif
