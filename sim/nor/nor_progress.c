/* Progress tears (torn modes early, middle, late, spread): where in an operation a cut lands,
 * and which cells it finds done. An operation spends its first tenth setting up (command,
 * address, charge pumps) and its last tenth verifying; in between, the cell phase, each bit
 * that moves crosses its threshold at a uniformly drawn moment: anywhere in the cell phase
 * when all cells move in parallel (SPI page program, erase), or inside its unit's slot when
 * units are programmed one after another (internal flash). A bit whose threshold is before
 * the cut is done; the few bits whose thresholds lie nearest to the cut are left weak. */
#include "nor_internal.h"

#include <stdlib.h>

/* The cell phase: [0.10, 0.90) of the operation. */
#define PHASE_START (NOR_POINT_ONE / 10)
#define PHASE_END   (NOR_POINT_ONE * 9 / 10)
#define PHASE_WIDTH (PHASE_END - PHASE_START)

/* Where early and late cuts fall: uniformly in [0.05, 0.15) and [0.85, 0.95), so that half of
 * them land in the set-up (or the verify) and half in the first (or last) 1/16 of the cell
 * phase. */
#define EARLY_FROM (NOR_POINT_ONE * 5 / 100)
#define LATE_FROM  (NOR_POINT_ONE * 85 / 100)
#define EDGE_WIDTH (NOR_POINT_ONE / 10)

typedef enum point_kind {
    POINT_HALF,
    POINT_EARLY,
    POINT_MIDDLE,
    POINT_LATE,
    POINT_SPREAD
} point_kind;

bool nor_program_mode_is_progress(nor_torn_program mode) {
    return mode >= NOR_TORN_PROG_EARLY && mode <= NOR_TORN_PROG_SPREAD;
}

bool nor_erase_mode_is_progress(nor_torn_erase mode) {
    return mode >= NOR_TORN_ERASE_EARLY && mode <= NOR_TORN_ERASE_SPREAD;
}

static point_kind mode_point(const nor *dev, nor_event_kind kind) {
    if (kind == NOR_EV_ERASE) {
        nor_torn_erase mode = dev->st.torn_erase;
        return nor_erase_mode_is_progress(mode)
                   ? (point_kind)(POINT_EARLY + (mode - NOR_TORN_ERASE_EARLY))
                   : POINT_HALF;
    }
    nor_torn_program mode = dev->st.torn_program;
    return nor_program_mode_is_progress(mode)
               ? (point_kind)(POINT_EARLY + (mode - NOR_TORN_PROG_EARLY))
               : POINT_HALF;
}

uint64_t nor_tear_point(nor *dev, nor_event_kind kind) {
    switch (mode_point(dev, kind)) {
    case POINT_EARLY: return EARLY_FROM + nor_prng_below(&dev->st.prng, EDGE_WIDTH);
    case POINT_LATE: return LATE_FROM + nor_prng_below(&dev->st.prng, EDGE_WIDTH);
    case POINT_SPREAD: return nor_prng_below(&dev->st.prng, NOR_POINT_ONE);
    case POINT_MIDDLE:
    case POINT_HALF:
    default: return NOR_POINT_HALF;
    }
}

/* The first moment of slot `slot` of `slots` in the cell phase. */
static uint64_t slot_start(uint64_t slot, uint64_t slots) {
    return PHASE_START + PHASE_WIDTH * slot / slots;
}

bool nor_progress_reached(uint64_t point, uint64_t slot, uint64_t slots) {
    return point > slot_start(slot, slots);
}

int nor_progress_begin(nor_progress *pr, nor *dev, uint64_t point, uint64_t slots,
                       uint32_t margin_bits) {
    *pr = (nor_progress){.dev = dev, .point = point, .slots = slots ? slots : 1};
    pr->margin_want = margin_bits;
    if (margin_bits == 0) return NOR_OK;
    pr->margin = malloc(margin_bits * sizeof *pr->margin);
    return pr->margin ? NOR_OK : NOR_E_NOMEM;
}

void nor_progress_end(nor_progress *pr) {
    free(pr->margin);
    pr->margin = NULL;
}

static uint64_t uniform32(nor_progress *pr) {
    if (!pr->pool_full) {
        pr->pool = nor_prng_next(&pr->dev->st.prng);
        pr->pool_full = true;
        return pr->pool >> 32;
    }
    pr->pool_full = false;
    return pr->pool & 0xFFFFFFFFu;
}

/* A moment inside slot `slot`, uniformly. Products stay below 2^64: both factors are < 2^32. */
static uint64_t threshold(nor_progress *pr, uint64_t slot) {
    uint64_t inside = (PHASE_WIDTH * uniform32(pr)) >> 32;
    return PHASE_START + (PHASE_WIDTH * slot + inside) / pr->slots;
}

static void heap_swap(nor_margin_bit *a, nor_margin_bit *b) {
    nor_margin_bit t = *a;
    *a = *b;
    *b = t;
}

/* Keeps the margin_want bits nearest to the cut: a max-heap whose top is the farthest kept. */
static void margin_offer(nor_progress *pr, const nor_margin_bit *bit) {
    nor_margin_bit *heap = pr->margin;
    uint32_t i;
    if (pr->margin_count < pr->margin_want) {
        i = pr->margin_count++;
        heap[i] = *bit;
        while (i > 0 && heap[(i - 1) / 2].distance < heap[i].distance) {
            heap_swap(&heap[(i - 1) / 2], &heap[i]);
            i = (i - 1) / 2;
        }
        return;
    }
    if (pr->margin_count == 0 || bit->distance >= heap[0].distance) return;
    heap[0] = *bit;
    i = 0;
    for (;;) {
        uint32_t largest = i, l = 2 * i + 1, r = 2 * i + 2;
        if (l < pr->margin_count && heap[l].distance > heap[largest].distance) largest = l;
        if (r < pr->margin_count && heap[r].distance > heap[largest].distance) largest = r;
        if (largest == i) return;
        heap_swap(&heap[i], &heap[largest]);
        i = largest;
    }
}

uint8_t nor_progress_byte(nor_progress *pr, nor_block *block, uint32_t offset, uint64_t slot,
                          uint8_t moving, uint32_t tag) {
    uint8_t done = 0;
    for (unsigned b = 0; b < 8; b++) {
        uint8_t mask = (uint8_t)(1u << b);
        if (!(moving & mask)) continue;
        uint64_t t = threshold(pr, slot);
        if (t < pr->point) done |= mask;
        if (pr->margin_want == 0) continue;
        nor_margin_bit bit = {.distance = t < pr->point ? pr->point - t : t - pr->point,
                              .block = block,
                              .offset = offset,
                              .tag = tag,
                              .mask = mask};
        margin_offer(pr, &bit);
    }
    return done;
}

int nor_progress_weaken(nor_progress *pr) {
    for (uint32_t i = 0; i < pr->margin_count; i++) {
        const nor_margin_bit *bit = &pr->margin[i];
        int rc = nor_block_add_weak(bit->block, bit->offset, bit->mask);
        if (rc) return rc;
    }
    return NOR_OK;
}
