/* norbench_engine.h: the public, versioned interface through which a storage engine of your own
 * plugs into norbench as a shared object. The one header a plugin includes; it needs nothing
 * else of norbench. docs/plugins.md walks through a plugin from an empty file to a campaign.
 *
 * A plugin exports one function, norbench_engine_v1(), that returns its operations. norbench
 * loads the library with dlopen (`--engine-lib PATH`, or a scenario's engine type "plugin"),
 * checks the version and the operations, then drives the engine as it drives its own: every
 * flash call the engine makes goes through `norbench_flash`, which norbench backs with its NOR
 * flash model (AND-only programming, write-unit and write-count rules, ECC words, wear, torn
 * programs and erases at power cuts).
 *
 * Your engine keeps everything it holds in RAM inside the `state` block norbench gives it
 * (state_size bytes; no globals, no malloc), because a power-cut campaign copies that block to
 * resume a run from a snapshot, and a mount finds it filled with garbage, as after a reset. */
#ifndef NORBENCH_ENGINE_H
#define NORBENCH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The interface version this header describes; ops->version must be this number. A change
 * that breaks plugins built against an older header bumps it (and the symbol's suffix). */
#define NORBENCH_ENGINE_VERSION 1
/* The symbol norbench looks up in the library. */
#define NORBENCH_ENGINE_SYMBOL "norbench_engine_v1"

/* Results: 0 or one of these negative values. They are the names scenario expectations use
 * ("not_found", "full", ...), so return the one that says what happened. */
enum {
    NORBENCH_OK = 0,
    NORBENCH_E_INVAL = -1,            /* a bad argument */
    NORBENCH_E_NOT_FOUND = -2,        /* no such key */
    NORBENCH_E_BUFFER_TOO_SMALL = -3, /* set *len to the size needed */
    NORBENCH_E_TOO_BIG = -4,          /* the item can never fit */
    NORBENCH_E_FULL = -5,             /* no room for the item now */
    NORBENCH_E_EMPTY = -6,            /* the queue is empty */
    NORBENCH_E_IO = -8,               /* a flash call failed (return what it returned) */
    NORBENCH_E_ECC = -9,              /* a flash read reported an uncorrectable ECC error */
    NORBENCH_E_CORRUPT = -10,         /* flash holds something your format does not allow */
    NORBENCH_E_GEOMETRY = -11,        /* your engine cannot use this flash range */
    NORBENCH_E_NOT_MOUNTED = -13,     /* called before a successful mount */
    NORBENCH_E_KEY_LEN = -15,         /* a key length your engine does not take */
};

/* The flash your engine owns: `size` bytes from `start`, erased a page at a time. Addresses
 * are absolute. Each call returns 0, NORBENCH_E_ECC (read only) or NORBENCH_E_IO (for example
 * after a power cut: every call fails until norbench powers the device on and mounts again). */
typedef struct norbench_flash {
    void *ctx; /* pass it back to the calls below */
    int (*read)(void *ctx, uint32_t addr, void *buf, uint32_t len);
    /* Programming moves bits from the erase value only (with 0xFF: new = old AND data). addr
     * and len are multiples of write_unit. */
    int (*program)(void *ctx, uint32_t addr, const void *data, uint32_t len);
    int (*erase)(void *ctx, uint32_t page_addr); /* erases the page starting at page_addr */
    uint32_t start;                              /* first byte of the range (a page start) */
    uint32_t size;                               /* a whole number of pages, at least 2 */
    uint32_t page_size;  /* the erase unit your engine is given: one or more flash sectors */
    uint32_t write_unit; /* 1, 2, 4, 8, 16 or 32 bytes */
    uint32_t max_programs_per_unit; /* programs of one unit between erases; 0: any number */
    uint8_t erase_value;            /* 0xFF or 0x00 */
} norbench_flash;

/* What an engine provides. */
enum { NORBENCH_CAN_MAP = 1u << 0, NORBENCH_CAN_QUEUE = 1u << 1 };

/* Flags of push(). */
enum { NORBENCH_PUSH_DROP_OLDEST = 1u << 0 };

/* Called by iterate() for each item, oldest first for a queue (key NULL). Set *pop_current to
 * pop the entry just visited (queues). A non-zero return stops iterate(), which returns it. */
typedef int (*norbench_visit_fn)(void *visit_ctx, const uint8_t *key, size_t key_len,
                                 const uint8_t *value, size_t value_len, bool *pop_current);

/* The operations. Each takes the state block first. Mandatory: version, name, capabilities,
 * state_size, mount, format, iterate; for a map store, fetch and remove; for a queue push,
 * peek and pop. The rest may be NULL: norbench then answers has() with fetch(), count() and
 * remove_all() with iterate() (and remove()). */
typedef struct norbench_engine_ops {
    uint32_t version;      /* NORBENCH_ENGINE_VERSION */
    const char *name;      /* shown in tables and messages */
    unsigned capabilities; /* NORBENCH_CAN_MAP and/or NORBENCH_CAN_QUEUE */

    /* The bytes of RAM state your engine needs on this flash (may be 0). */
    size_t (*state_size)(const norbench_flash *flash);
    /* Optional: the largest value or entry your engine ever returns (0 or NULL: page_size). */
    uint32_t (*max_value_size)(const norbench_flash *flash);

    /* Mounts the store as after a reset: `state` holds garbage, `flash` stays valid until the
     * next mount. Keep the flash pointer in your state. */
    int (*mount)(void *state, const norbench_flash *flash);
    /* Erases the whole store and leaves it mounted and empty. */
    int (*format)(void *state);

    int (*store)(void *state, const void *key, size_t key_len, const void *value, size_t len);
    /* On NORBENCH_E_BUFFER_TOO_SMALL set *len to the value's size. */
    int (*fetch)(void *state, const void *key, size_t key_len, void *buf, size_t capacity,
                 size_t *len);
    int (*remove)(void *state, const void *key, size_t key_len);
    int (*remove_all)(void *state);
    int (*has)(void *state, const void *key, size_t key_len, bool *present);

    int (*push)(void *state, const void *data, size_t len, unsigned flags);
    int (*peek)(void *state, void *buf, size_t capacity, size_t *len);
    int (*pop)(void *state, void *buf, size_t capacity, size_t *len);

    int (*count)(void *state, uint32_t *count);
    int (*iterate)(void *state, norbench_visit_fn visit, void *visit_ctx);
} norbench_engine_ops;

/* The one symbol a plugin exports (NORBENCH_ENGINE_SYMBOL). */
const norbench_engine_ops *norbench_engine_v1(void);

#endif
