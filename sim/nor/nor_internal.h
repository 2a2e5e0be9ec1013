/* Declarations shared by the model's source files: the device structure, copy-on-write
 * sector blocks, and the helpers for timing, power cuts, progress tears, SECDED words, the
 * tear watch, wear-out and events. Not public. */
#ifndef NORBENCH_NOR_INTERNAL_H
#define NORBENCH_NOR_INTERNAL_H

#include "nor.h"
#include "nor_prng.h"

/* unit_state byte: programs since the last erase (saturating) and the broken-ECC mark. */
#define NOR_UNIT_COUNT_MASK 0x7Fu
#define NOR_UNIT_ECC_BROKEN 0x80u

/* One sector's physical state. Shared between the device and its snapshots; whoever writes
 * to a block with refs > 1 first takes a private copy (nor_block_writable). */
typedef struct nor_block {
    uint32_t refs;
    uint32_t size;
    uint32_t units;      /* entries of unit_state; 0 when the policy needs no tracking */
    uint32_t ecc_broken; /* units marked NOR_UNIT_ECC_BROKEN, so clean reads skip the scan */
    uint8_t *unit_state; /* per write unit, inside this allocation; NULL when untracked */
    uint8_t *weak;       /* bit mask of weak (randomly reading) bits; NULL when none */
    uint8_t *stuck;      /* bits stuck programmed by wear-out, survive erases; NULL if none */
    /* SECDED words a tear left incomplete: ecc_ref[0..size) holds each such word's intended
     * contents (what its ECC bits were written for), ecc_ref[size..size+units) one mark per
     * unit (1: the word has a reference). NULL when no word of the block has one. */
    uint8_t *ecc_ref;
    uint32_t ecc_torn; /* units marked in ecc_ref, so clean reads skip the decode */
    uint8_t data[];    /* stored bits */
} nor_block;

/* Everything a snapshot must restore besides the blocks and erase counts. */
typedef struct nor_state {
    uint64_t clock_ns;
    nor_prng prng;
    uint64_t op_count;
    bool powered;
    bool cut_by_ops, cut_by_time;
    uint64_t cut_op_index;
    uint64_t cut_time_us;
    nor_torn_program torn_program;
    nor_torn_erase torn_erase;
    nor_stats stats; /* counters; time and erase figures are filled in by nor_get_stats */
} nor_state;

/* The tear watch (nor_watch.c): the public figures, and per byte of the torn range what the
 * operation meant to leave and what the last read saw. Not part of a snapshot. */
typedef struct nor_watch {
    nor_tear_watch pub;
    bool frozen;       /* a later program or erase touched the range: reads no longer count */
    uint32_t cap;      /* bytes allocated in each array */
    uint8_t *intended; /* what the torn operation would have left */
    uint8_t *last;     /* the last value read */
    uint8_t *flags;    /* WATCH_CARE (the operation wrote this byte), WATCH_SEEN (read before) */
} nor_watch;

struct nor {
    nor_config cfg;
    uint32_t total_bytes;
    uint32_t sector_count;
    uint32_t region_base[NOR_MAX_REGIONS];  /* first address of each region */
    uint32_t region_first[NOR_MAX_REGIONS]; /* first sector index of each region */
    uint8_t erased_byte;                    /* cfg.erase_value */
    bool track_units;                       /* blocks carry unit_state */
    nor_block **blocks;
    uint32_t *erase_counts;
    nor_state st;
    nor_event_fn event_fn;
    void *event_ctx;
    nor_cut_fn cut_fn;
    void *cut_ctx;
    nor_watch watch;
};

/* Blocks (nor_block.c). */
nor_block *nor_block_new_erased(uint32_t size, uint32_t units, uint8_t erased_byte);
void nor_block_release(nor_block *block);
/* The sector's block, copied first if it is shared; NULL when out of memory. */
nor_block *nor_block_writable(nor *dev, uint32_t sector);
/* Makes the bits of `mask` in byte `offset` weak. */
int nor_block_add_weak(nor_block *block, uint32_t offset, uint8_t mask);
/* Forgets a unit's write count and ECC mark (its word reads erased again). */
void nor_block_reset_unit(nor_block *block, uint32_t unit);
void nor_block_mark_ecc_broken(nor_block *block, uint32_t unit);
/* Erases the block's stored bits: erased data, no weak bits, fresh unit state, stuck bits
 * programmed again. */
void nor_block_erase(nor_block *block, uint8_t erased_byte);

/* Geometry (nor_device.c): sector of an address known to be inside the device. */
void nor_locate(const nor *dev, uint32_t addr, uint32_t *sector, uint32_t *start, uint32_t *size);

/* Timing (nor_timing.c): durations in nanoseconds, drawn per the timing mode. A program sends
 * `bytes` over the bus and programs `chunks` pages or write units. */
uint64_t nor_program_duration_ns(nor *dev, uint32_t chunks, uint32_t bytes);
uint64_t nor_erase_duration_ns(nor *dev, uint32_t sector);

/* Points of an operation's duration, as fractions in fixed point: NOR_POINT_ONE is the end. */
#define NOR_POINT_ONE  (UINT64_C(1) << 32)
#define NOR_POINT_HALF (NOR_POINT_ONE / 2)

/* Power (nor_power.c). */
/* Decides whether the cut lands in the operation about to run (op_index, duration). When it
 * does, the clock is moved to the moment of the cut and *point says where it fell (a cut by
 * time: where the time says; by count or callback: where the torn mode places it). */
bool nor_cut_lands(nor *dev, nor_event_kind kind, uint32_t addr, uint32_t len, uint64_t op_index,
                   uint64_t duration_ns, uint64_t *point);
/* Turns the power off after a torn operation (or between operations: addr = len = 0). */
void nor_power_cut(nor *dev, uint32_t addr, uint32_t len, uint64_t op_index);

/* Progress tears (nor_progress.c): the cut lands at a point p of the operation; every bit
 * that moves gets a threshold inside the operation's cell phase (one after another by slot
 * when the operation works unit by unit), is done when its threshold is before p, and the
 * bits nearest to p, the margin, are left weak. */
bool nor_program_mode_is_progress(nor_torn_program mode);
bool nor_erase_mode_is_progress(nor_torn_erase mode);
/* Where a cut by count or callback falls in the current torn mode of `kind` (old modes: half
 * way; early, late and spread draw from the PRNG). */
uint64_t nor_tear_point(nor *dev, nor_event_kind kind);
/* Whether the cells of slot `slot` of `slots` had started to move at `point`. */
bool nor_progress_reached(uint64_t point, uint64_t slot, uint64_t slots);

/* A bit of the margin: where it is, how far its threshold lies from the cut, and the
 * caller's tag (the write unit, in sending order, of a program). */
typedef struct nor_margin_bit {
    uint64_t distance;
    nor_block *block;
    uint32_t offset;
    uint32_t tag;
    uint8_t mask;
} nor_margin_bit;

typedef struct nor_progress {
    nor *dev;
    uint64_t point;
    uint64_t slots; /* 1: every cell moves in parallel */
    uint64_t pool;  /* 32-bit uniforms drawn two at a time */
    bool pool_full;
    nor_margin_bit *margin; /* a max-heap on distance: the `want` nearest bits offered so far */
    uint32_t margin_count, margin_want;
} nor_progress;

int nor_progress_begin(nor_progress *pr, nor *dev, uint64_t point, uint64_t slots,
                       uint32_t margin_bits);
/* The bits of `moving` (one byte) whose thresholds in slot `slot` are before the point; every
 * moving bit is offered to the margin. */
uint8_t nor_progress_byte(nor_progress *pr, nor_block *block, uint32_t offset, uint64_t slot,
                          uint8_t moving, uint32_t tag);
/* Makes the margin's bits weak (their stored values stay as decided); pr->margin stays
 * readable until nor_progress_end. */
int nor_progress_weaken(nor_progress *pr);
void nor_progress_end(nor_progress *pr);

/* SECDED words (nor_ecc.c). */
bool nor_ecc_has_ref(const nor_block *block, uint32_t unit);
/* After a program of [offset, offset+len) of a block (bytes src): references follow the
 * programming rule, and a unit the program left `incomplete` (torn) gets one if it had none:
 * its stored bits programmed with src. `incomplete` may be NULL (a whole program). */
int nor_ecc_after_program(nor *dev, nor_block *block, uint32_t offset, const uint8_t *src,
                          uint32_t len, const bool *incomplete);
/* A torn erase left `unit` incomplete: its reference is its data before the erase. */
int nor_ecc_after_erase(nor *dev, nor_block *block, uint32_t unit, const uint8_t *before);
/* Decodes the torn words that [offset, offset+len) of a live read touches; `out` holds the
 * bits read (weak bits drawn). Corrects or miscorrects `out`; returns true for NOR_E_ECC. */
bool nor_ecc_decode(nor *dev, const nor_block *block, uint32_t offset, uint8_t *out, uint32_t len);

/* The tear watch (nor_watch.c). */
void nor_watch_start(nor *dev, nor_event_kind kind, uint32_t addr, uint32_t len);
void nor_watch_intend(nor *dev, uint32_t addr, uint8_t byte);
void nor_watch_stop(nor *dev);
void nor_watch_free(nor *dev);
void nor_watch_read_slow(nor *dev, uint32_t addr, const uint8_t *bytes, uint32_t len, int rc);
void nor_watch_write_slow(nor *dev, uint32_t addr, uint32_t len);
static inline void nor_watch_read(nor *dev, uint32_t addr, const uint8_t *bytes, uint32_t len,
                                  int rc) {
    if (dev->watch.pub.active && !dev->watch.frozen) nor_watch_read_slow(dev, addr, bytes, len, rc);
}
/* A program or erase that reached [addr, addr+len): the watched cells hold something else now. */
static inline void nor_watch_write(nor *dev, uint32_t addr, uint32_t len) {
    if (dev->watch.pub.active && !dev->watch.frozen) nor_watch_write_slow(dev, addr, len);
}

/* Wear-out (nor_wear.c). */
bool nor_wear_fails(nor *dev, uint32_t sector);
/* Sticks one random bit of the block programmed, now and after every later erase. */
int nor_wear_stick_bit(nor *dev, nor_block *block);
/* A random byte mask drawn from the device PRNG, 8 at a time. */
typedef struct nor_random_bytes {
    uint64_t bits;
    unsigned left;
} nor_random_bytes;
static inline uint8_t nor_random_byte(nor *dev, nor_random_bytes *pool) {
    if (pool->left == 0) {
        pool->bits = nor_prng_next(&dev->st.prng);
        pool->left = 8;
    }
    uint8_t byte = (uint8_t)pool->bits;
    pool->bits >>= 8;
    pool->left--;
    return byte;
}

/* Events (nor_device.c). */
void nor_emit_slow(nor *dev, nor_event_kind kind, uint32_t addr, uint32_t len, int result,
                   uint64_t op_index);
static inline void nor_emit(nor *dev, nor_event_kind kind, uint32_t addr, uint32_t len, int result,
                            uint64_t op_index) {
    if (dev->event_fn) nor_emit_slow(dev, kind, addr, len, result, op_index);
}

/* Programmed-bit arithmetic for both polarities. */
static inline uint8_t nor_programmed_byte(const nor *dev) {
    return (uint8_t)~dev->erased_byte;
}

/* The bits of `data` that ask for the programmed value. */
static inline uint8_t nor_programmed_bits(const nor *dev, uint8_t data) {
    return (uint8_t)(dev->erased_byte == 0xFF ? ~data : data);
}

/* `old` with the bits of `mask` set to the programmed (or the erased) value. */
static inline uint8_t nor_set_programmed(const nor *dev, uint8_t old, uint8_t mask) {
    return (uint8_t)((old & ~mask) | (nor_programmed_byte(dev) & mask));
}
static inline uint8_t nor_set_erased(const nor *dev, uint8_t old, uint8_t mask) {
    return (uint8_t)((old & ~mask) | (dev->erased_byte & mask));
}

#endif
