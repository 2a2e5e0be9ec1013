/* Power: arming a cut (by operation count, by simulated time, or by a callback), deciding
 * whether and where it lands in the operation about to run, the power-off state that follows,
 * the weak cells that settle when power returns, and the random stream that tears draw from. */
#include "nor_internal.h"

#include <stdlib.h>
#include <string.h>

/* Where in an operation of `duration_ns` starting at `start_ns` the moment `cut_ns` falls. */
static uint64_t point_of(uint64_t start_ns, uint64_t cut_ns, uint64_t duration_ns) {
    if (cut_ns <= start_ns || duration_ns == 0) return 0;
    uint64_t into = cut_ns - start_ns;
    if (into >= duration_ns) return NOR_POINT_ONE - 1;
    return (uint64_t)(((unsigned __int128)into << 32) / duration_ns);
}

bool nor_cut_lands(nor *dev, nor_event_kind kind, uint32_t addr, uint32_t len, uint64_t op_index,
                   uint64_t duration_ns, uint64_t *point) {
    nor_state *st = &dev->st;
    uint64_t end_ns = st->clock_ns + duration_ns;
    if (st->cut_by_time && end_ns > st->cut_time_us * 1000) {
        /* The operation was running when the clock reached the cut time. */
        uint64_t cut_ns = st->cut_time_us * 1000;
        *point = point_of(st->clock_ns, cut_ns, duration_ns);
        if (cut_ns > st->clock_ns) st->clock_ns = cut_ns;
        return true;
    }
    bool cut = st->cut_by_ops && op_index >= st->cut_op_index;
    if (!cut && dev->cut_fn) {
        nor_event op = {.kind = kind,
                        .addr = addr,
                        .len = len,
                        .time_us = end_ns / 1000,
                        .result = NOR_OK,
                        .op_index = op_index};
        cut = dev->cut_fn(dev->cut_ctx, &op);
    }
    /* Without a cut time the torn mode places the cut: half way for the old modes. */
    if (!cut) return false;
    *point = nor_tear_point(dev, kind);
    st->clock_ns += (uint64_t)(((unsigned __int128)duration_ns * *point) >> 32);
    return true;
}

void nor_power_cut(nor *dev, uint32_t addr, uint32_t len, uint64_t op_index) {
    dev->st.powered = false;
    dev->st.cut_by_ops = false;
    dev->st.cut_by_time = false;
    dev->st.stats.cuts++;
    nor_emit(dev, NOR_EV_CUT, addr, len, NOR_E_POWER_OFF, op_index);
}

void nor_set_torn_modes(nor *dev, nor_torn_program prog, nor_torn_erase erase) {
    dev->st.torn_program = prog;
    dev->st.torn_erase = erase;
}

void nor_arm_cut_after_ops(nor *dev, uint64_t ops) {
    dev->st.cut_by_ops = true;
    dev->st.cut_op_index = dev->st.op_count + ops;
}

void nor_arm_cut_at_time(nor *dev, uint64_t time_us) {
    dev->st.cut_by_time = true;
    dev->st.cut_time_us = time_us;
}

void nor_set_cut_fn(nor *dev, nor_cut_fn fn, void *ctx) {
    dev->cut_fn = fn;
    dev->cut_ctx = ctx;
}

void nor_disarm_cut(nor *dev) {
    dev->st.cut_by_ops = false;
    dev->st.cut_by_time = false;
    dev->cut_fn = NULL;
    dev->cut_ctx = NULL;
}

void nor_cut_now(nor *dev) {
    if (!dev->st.powered) return;
    /* This cut tears nothing: the watch of an earlier tear ends. */
    nor_watch_stop(dev);
    nor_power_cut(dev, 0, 0, dev->st.op_count);
}

/* Settling: each weak bit becomes solid with p = 1/4, programmed or erased with p = 1/2 each
 * (a stuck bit stays programmed). One PRNG draw per byte holding weak bits: three bits of it
 * per weak bit. */
#define SETTLE_BITS_PER_CELL 3

static int settle_block(nor *dev, uint32_t sector) {
    nor_block *block = nor_block_writable(dev, sector);
    if (!block) return NOR_E_NOMEM;
    bool weak_left = false;
    for (uint32_t i = 0; i < block->size; i++) {
        uint8_t weak = block->weak[i];
        if (!weak) continue;
        uint64_t draw = nor_prng_next(&dev->st.prng);
        uint8_t settled = 0, programmed = 0;
        for (unsigned b = 0; b < 8; b++) {
            uint64_t cell = draw >> (SETTLE_BITS_PER_CELL * b);
            if (!(weak & (1u << b)) || (cell & 3) != 0) continue;
            settled |= (uint8_t)(1u << b);
            if (cell & 4) programmed |= (uint8_t)(1u << b);
        }
        if (block->stuck) programmed |= settled & block->stuck[i];
        uint8_t erased = settled & (uint8_t)~programmed;
        block->data[i] =
            nor_set_erased(dev, nor_set_programmed(dev, block->data[i], programmed), erased);
        block->weak[i] = weak & (uint8_t)~settled;
        weak_left |= block->weak[i] != 0;
    }
    if (!weak_left) {
        free(block->weak);
        block->weak = NULL;
    }
    return NOR_OK;
}

void nor_power_on(nor *dev) {
    dev->st.powered = true;
    dev->st.cut_by_ops = false;
    dev->st.cut_by_time = false;
    /* Only blocks with weak bits are visited: a device without any costs one test per sector.
     * Out of host memory a block just stays unsettled. */
    for (uint32_t s = 0; s < dev->sector_count; s++)
        if (dev->blocks[s]->weak) settle_block(dev, s);
    nor_emit(dev, NOR_EV_POWER_ON, 0, 0, NOR_OK, dev->st.op_count);
}

void nor_mix_seed(nor *dev, uint64_t salt) {
    nor_prng_seed(&dev->st.prng, nor_prng_next(&dev->st.prng) ^ salt);
}

void nor_get_random_state(const nor *dev, nor_random_state *out) {
    memcpy(out->s, dev->st.prng.s, sizeof out->s);
}

void nor_set_random_state(nor *dev, const nor_random_state *in) {
    memcpy(dev->st.prng.s, in->s, sizeof in->s);
}

bool nor_is_powered(const nor *dev) {
    return dev->st.powered;
}
bool nor_cut_armed(const nor *dev) {
    return dev->st.cut_by_ops || dev->st.cut_by_time;
}

uint64_t nor_op_count(const nor *dev) {
    return dev->st.op_count;
}
