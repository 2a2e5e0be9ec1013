/* Declarations shared by the model's source files: the device structure, copy-on-write
 * sector blocks, and the helpers for timing, power cuts, wear-out and events. Not public. */
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
    uint8_t data[];      /* stored bits */
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

/* Timing (nor_timing.c): durations in nanoseconds, drawn per the timing mode. */
uint64_t nor_program_duration_ns(nor *dev, uint32_t chunks);
uint64_t nor_erase_duration_ns(nor *dev, uint32_t sector);

/* Power (nor_power.c). */
/* Decides whether the cut lands in the operation about to run (op_index, duration). When it
 * does, the clock is moved to the moment of the cut. */
bool nor_cut_lands(nor *dev, nor_event_kind kind, uint32_t addr, uint32_t len, uint64_t op_index,
                   uint64_t duration_ns);
/* Turns the power off after a torn operation (or between operations: addr = len = 0). */
void nor_power_cut(nor *dev, uint32_t addr, uint32_t len, uint64_t op_index);

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

#endif
