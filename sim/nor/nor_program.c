/* nor_program: the program operation. Plans where the bytes land (SPI page wrap), checks the
 * write-count rule, then programs either the whole data (the fast, word-at-a-time path) or,
 * when a cut or wear-out interrupts it, only the part a torn program leaves behind. Programming
 * a weak cell to the programmed value makes it solid; torn SECDED words get a reference. */
#include "nor_internal.h"

#include <stdlib.h>
#include <string.h>

/* Where a program's bytes land: one piece, or two when an SPI page wraps. */
typedef struct program_piece {
    uint32_t addr;
    const uint8_t *src;
    uint32_t len;
} program_piece;

typedef struct program_plan {
    program_piece pieces[2];
    unsigned piece_count;
    uint32_t bytes;  /* bytes that reach the flash, in the order they are sent */
    uint32_t chunks; /* program pages or write units that the timing charges */
} program_plan;

/* A stretch of the plan inside one sector; `pos` counts bytes before it in sending order. */
typedef struct program_span {
    uint32_t sector;
    uint32_t addr;
    uint32_t offset;
    const uint8_t *src;
    uint32_t len;
    uint32_t pos;
} program_span;

typedef struct span_iter {
    const nor *dev;
    const program_plan *plan;
    unsigned piece;
    uint32_t done_in_piece;
    uint32_t pos;
} span_iter;

static span_iter span_iter_start(const nor *dev, const program_plan *plan) {
    return (span_iter){.dev = dev, .plan = plan, .piece = 0, .done_in_piece = 0, .pos = 0};
}

static bool span_next(span_iter *it, program_span *out) {
    while (it->piece < it->plan->piece_count) {
        const program_piece *piece = &it->plan->pieces[it->piece];
        if (it->done_in_piece < piece->len) {
            uint32_t addr = piece->addr + it->done_in_piece;
            uint32_t sector, start, size;
            nor_locate(it->dev, addr, &sector, &start, &size);
            uint32_t left = piece->len - it->done_in_piece;
            uint32_t n = start + size - addr < left ? start + size - addr : left;
            *out = (program_span){sector, addr,   addr - start, piece->src + it->done_in_piece,
                                  n,      it->pos};
            it->done_in_piece += n;
            it->pos += n;
            return true;
        }
        it->piece++;
        it->done_in_piece = 0;
    }
    return false;
}

static void plan_program(const nor *dev, uint32_t addr, const uint8_t *data, uint32_t len,
                         program_plan *plan) {
    uint32_t page = dev->cfg.page_size;
    if (page == 0) {
        plan->pieces[0] = (program_piece){addr, data, len};
        plan->piece_count = 1;
        plan->bytes = len;
        plan->chunks = len / dev->cfg.write_unit;
        return;
    }
    uint32_t page_start = addr - addr % page;
    uint32_t offset = addr % page;
    if (len > page) {
        /* The page buffer wraps: bytes sent later overwrite earlier ones, so only the last
         * page_size bytes count, starting where the address counter stands by then. */
        offset = (uint32_t)(((uint64_t)offset + (len - page)) % page);
        data += len - page;
        len = page;
    }
    uint32_t first = page - offset < len ? page - offset : len;
    plan->pieces[0] = (program_piece){page_start + offset, data, first};
    plan->pieces[1] = (program_piece){page_start, data + first, len - first};
    plan->piece_count = len > first ? 2 : 1;
    plan->bytes = len;
    plan->chunks = 1;
}

static int check_program_args(const nor *dev, uint32_t addr, const void *data, uint32_t len) {
    if (!dev->st.powered) return NOR_E_POWER_OFF;
    if (addr % dev->cfg.write_unit || len % dev->cfg.write_unit) return NOR_E_ALIGN;
    if (len && !data) return NOR_E_RANGE;
    /* A wrapping SPI program never leaves the page of its start address. */
    if (dev->cfg.page_size ? len && addr >= dev->total_bytes
                           : (uint64_t)addr + len > dev->total_bytes)
        return NOR_E_RANGE;
    return NOR_OK;
}

/* Bits that would have to go back to the erased value: programming cannot do that. */
static inline uint8_t reverse_bits(bool erased_ones, uint8_t old, uint8_t data) {
    return (uint8_t)(erased_ones ? data & ~old : old & ~data);
}

/* Bits the program moves from erased to programmed. */
static inline uint8_t needed_bits(bool erased_ones, uint8_t old, uint8_t data) {
    return (uint8_t)(erased_ones ? old & ~data : ~old & data);
}

static bool has_reverse_bits(bool erased_ones, const uint8_t *old, const uint8_t *data,
                             uint32_t len) {
    uint8_t reverse = 0;
    for (uint32_t i = 0; i < len; i++) reverse |= reverse_bits(erased_ones, old[i], data[i]);
    return reverse != 0;
}

static bool all_programmed(const nor *dev, const uint8_t *data, uint32_t len) {
    uint8_t programmed = nor_programmed_byte(dev);
    for (uint32_t i = 0; i < len; i++)
        if (data[i] != programmed) return false;
    return true;
}

static int check_unit_counts(const nor *dev, const nor_block *block, const program_span *s) {
    uint32_t unit = dev->cfg.write_unit;
    for (uint32_t i = 0; i < s->len; i += unit) {
        uint32_t count = block->unit_state[(s->offset + i) / unit] & NOR_UNIT_COUNT_MASK;
        if (dev->cfg.write_policy == NOR_WRITES_LIMITED && count >= dev->cfg.max_writes_per_unit)
            return NOR_E_WRITE_COUNT;
        if (dev->cfg.write_policy == NOR_WRITES_ONCE_PLUS_ZERO && count >= 1 &&
            !all_programmed(dev, s->src + i, unit))
            return NOR_E_WRITE_COUNT;
    }
    return NOR_OK;
}

/* The checks a controller makes before it programs anything (refusal writes nothing). */
static int check_write_rules(const nor *dev, const program_plan *plan) {
    nor_write_policy policy = dev->cfg.write_policy;
    bool counts = policy == NOR_WRITES_LIMITED || policy == NOR_WRITES_ONCE_PLUS_ZERO;
    if (!counts && !dev->cfg.strict) return NOR_OK;
    bool erased_ones = dev->erased_byte == 0xFF;
    span_iter it = span_iter_start(dev, plan);
    program_span s;
    while (span_next(&it, &s)) {
        const nor_block *block = dev->blocks[s.sector];
        if (counts) {
            int rc = check_unit_counts(dev, block, &s);
            if (rc) return rc;
        }
        if (dev->cfg.strict && has_reverse_bits(erased_ones, block->data + s.offset, s.src, s.len))
            return NOR_E_VIOLATION;
    }
    return NOR_OK;
}

/* Counts one program of every unit in [offset, offset+len). Returns true when that broke the
 * ECC of a unit already programmed (NOR_WRITES_ONCE). */
static bool count_unit_programs(const nor *dev, nor_block *block, uint32_t offset, uint32_t len) {
    if (!block->unit_state) return false;
    bool broke_ecc = false;
    uint32_t unit = dev->cfg.write_unit;
    for (uint32_t u = offset / unit; u < (offset + len) / unit; u++) {
        uint32_t count = block->unit_state[u] & NOR_UNIT_COUNT_MASK;
        if (dev->cfg.write_policy == NOR_WRITES_ONCE && count >= 1) {
            nor_block_mark_ecc_broken(block, u);
            broke_ecc = true;
        }
        if (count < NOR_UNIT_COUNT_MASK) block->unit_state[u]++;
    }
    return broke_ecc;
}

/* new = old AND data (or OR for erase value 0x00), eight bytes at a time. Returns the bits
 * that needed the reverse transition, which stay as they were. */
static uint64_t program_bytes(bool erased_ones, uint8_t *dst, const uint8_t *src, uint32_t len) {
    uint64_t reverse = 0;
    uint32_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t old, data;
        memcpy(&old, dst + i, 8);
        memcpy(&data, src + i, 8);
        reverse |= erased_ones ? data & ~old : old & ~data;
        old = erased_ones ? old & data : old | data;
        memcpy(dst + i, &old, 8);
    }
    for (; i < len; i++) {
        reverse |= reverse_bits(erased_ones, dst[i], src[i]);
        dst[i] = (uint8_t)(erased_ones ? dst[i] & src[i] : dst[i] | src[i]);
    }
    return reverse;
}

/* A weak bit that a program asks for the programmed value is programmed for good. */
static void solidify_weak(const nor *dev, nor_block *block, uint32_t offset, const uint8_t *src,
                          uint32_t len) {
    if (!block->weak) return;
    for (uint32_t i = 0; i < len; i++)
        block->weak[offset + i] &= (uint8_t)~nor_programmed_bits(dev, src[i]);
}

static int program_whole(nor *dev, const program_plan *plan, bool *violation) {
    bool erased_ones = dev->erased_byte == 0xFF;
    uint64_t reverse = 0;
    span_iter it = span_iter_start(dev, plan);
    program_span s;
    while (span_next(&it, &s)) {
        nor_block *block = nor_block_writable(dev, s.sector);
        if (!block) return NOR_E_NOMEM;
        reverse |= program_bytes(erased_ones, block->data + s.offset, s.src, s.len);
        solidify_weak(dev, block, s.offset, s.src, s.len);
        *violation |= count_unit_programs(dev, block, s.offset, s.len);
        if (block->ecc_torn) {
            int rc = nor_ecc_after_program(dev, block, s.offset, s.src, s.len, NULL);
            if (rc) return rc;
        }
    }
    *violation |= reverse != 0;
    return NOR_OK;
}

/* The bits a program moves in one byte: the needed transitions, and the weak bits it asks for
 * the programmed value (programmed again, they become solid). */
static uint8_t moving_bits(const nor *dev, const nor_block *block, uint32_t offset, uint8_t data) {
    uint8_t moving = needed_bits(dev->erased_byte == 0xFF, block->data[offset], data);
    if (block->weak) moving |= block->weak[offset] & nor_programmed_bits(dev, data);
    return moving;
}

/* The moving bits of a byte that a tear did: programmed, and solid. */
static void apply_done(const nor *dev, nor_block *block, uint32_t offset, uint8_t done) {
    block->data[offset] = nor_set_programmed(dev, block->data[offset], done);
    if (block->weak) block->weak[offset] &= (uint8_t)~done;
}

/* How an interrupted program chooses which moving bits happened (PREFIX, BITS, METASTABLE). */
typedef struct tear {
    nor_torn_program mode;
    uint32_t prefix_bytes;
    nor_random_bytes pool;
} tear;

static uint8_t torn_done_bits(nor *dev, tear *t, uint32_t pos, uint8_t moving, uint8_t *weak) {
    *weak = 0;
    switch (t->mode) {
    case NOR_TORN_PROG_PREFIX: return pos < t->prefix_bytes ? moving : 0;
    case NOR_TORN_PROG_BITS: return moving & nor_random_byte(dev, &t->pool);
    case NOR_TORN_PROG_METASTABLE: {
        uint8_t done = 0;
        for (unsigned bit = 0; bit < 8; bit++) {
            uint8_t mask = (uint8_t)(1u << bit);
            if (!(moving & mask)) continue;
            /* done, not done, or weak (stored as done, reads randomly): one third each */
            uint64_t fate = nor_prng_below(&dev->st.prng, 3);
            if (fate != 1) done |= mask;
            if (fate == 2) *weak |= mask;
        }
        return done;
    }
    default: return 0;
    }
}

/* Programs one write unit the way a torn program leaves it. Returns true when the unit is
 * incomplete: some moving bits done and some not, or weak bits left by the tear. */
static bool tear_unit(nor *dev, tear *t, nor_block *block, uint32_t offset, const uint8_t *src,
                      uint32_t pos, uint8_t *reverse, int *rc) {
    bool erased_ones = dev->erased_byte == 0xFF;
    bool some_done = false, some_missed = false, some_weak = false;
    for (uint32_t j = 0; j < dev->cfg.write_unit; j++) {
        uint8_t moving = moving_bits(dev, block, offset + j, src[j]);
        *reverse |= reverse_bits(erased_ones, block->data[offset + j], src[j]);
        uint8_t weak;
        uint8_t done = torn_done_bits(dev, t, pos + j, moving, &weak);
        apply_done(dev, block, offset + j, done);
        if (weak && nor_block_add_weak(block, offset + j, weak)) *rc = NOR_E_NOMEM;
        some_done |= done != 0;
        some_missed |= (moving & ~done) != 0;
        some_weak |= weak != 0;
    }
    return some_weak || (some_done && some_missed);
}

/* A program interrupted by a cut in an old mode (PREFIX, BITS, METASTABLE) or failing from wear
 * (BITS). */
static int program_torn_old(nor *dev, const program_plan *plan, nor_torn_program mode,
                            bool *violation) {
    tear t = {.mode = mode, .prefix_bytes = 0, .pool = {0, 0}};
    if (mode == NOR_TORN_PROG_PREFIX)
        t.prefix_bytes = (uint32_t)nor_prng_below(&dev->st.prng, plan->bytes);
    uint32_t unit = dev->cfg.write_unit;
    uint8_t reverse = 0;
    int rc = NOR_OK;
    span_iter it = span_iter_start(dev, plan);
    program_span s;
    while (span_next(&it, &s)) {
        nor_block *block = nor_block_writable(dev, s.sector);
        if (!block) return NOR_E_NOMEM;
        for (uint32_t i = 0; i < s.len; i += unit) {
            uint32_t offset = s.offset + i;
            bool incomplete =
                tear_unit(dev, &t, block, offset, s.src + i, s.pos + i, &reverse, &rc);
            bool reached = mode != NOR_TORN_PROG_PREFIX || s.pos + i < t.prefix_bytes;
            if (reached) *violation |= count_unit_programs(dev, block, offset, unit);
            if (dev->cfg.ecc && !rc)
                rc = nor_ecc_after_program(dev, block, offset, s.src + i, unit, &incomplete);
        }
    }
    *violation |= reverse != 0;
    return rc;
}

/* What a progress tear did to each write unit, in sending order. */
enum { UNIT_DONE = 1, UNIT_MISSED = 2, UNIT_WEAK = 4 };

static bool unit_incomplete(uint8_t state) {
    return (state & UNIT_WEAK) || ((state & UNIT_DONE) && (state & UNIT_MISSED));
}

/* Gives the SECDED words a progress tear left incomplete their reference. */
static int note_torn_words(nor *dev, const program_plan *plan, const uint8_t *state) {
    uint32_t unit = dev->cfg.write_unit;
    span_iter it = span_iter_start(dev, plan);
    program_span s;
    while (span_next(&it, &s)) {
        nor_block *block = nor_block_writable(dev, s.sector);
        if (!block) return NOR_E_NOMEM;
        for (uint32_t i = 0; i < s.len; i += unit) {
            bool incomplete = unit_incomplete(state[(s.pos + i) / unit]);
            int rc = nor_ecc_after_program(dev, block, s.offset + i, s.src + i, unit, &incomplete);
            if (rc) return rc;
        }
    }
    return NOR_OK;
}

/* Moves the bits of a progress tear: unit after unit in sending order on internal flash
 * (page_size 0), all at once in an SPI page program. Records what happened to each unit. */
static int progress_bits(nor *dev, const program_plan *plan, nor_progress *pr, uint8_t *state,
                         bool *violation) {
    bool erased_ones = dev->erased_byte == 0xFF;
    uint32_t unit = dev->cfg.write_unit;
    bool parallel = dev->cfg.page_size > 0;
    uint8_t reverse = 0;
    span_iter it = span_iter_start(dev, plan);
    program_span s;
    while (span_next(&it, &s)) {
        nor_block *block = nor_block_writable(dev, s.sector);
        if (!block) return NOR_E_NOMEM;
        for (uint32_t i = 0; i < s.len; i++) {
            uint32_t k = (s.pos + i) / unit;
            uint8_t moving = moving_bits(dev, block, s.offset + i, s.src[i]);
            reverse |= reverse_bits(erased_ones, block->data[s.offset + i], s.src[i]);
            if (!moving) continue;
            uint8_t done = nor_progress_byte(pr, block, s.offset + i, parallel ? 0 : k, moving, k);
            apply_done(dev, block, s.offset + i, done);
            state[k] |= (uint8_t)((done ? UNIT_DONE : 0) | (moving & ~done ? UNIT_MISSED : 0));
        }
        /* A unit counts as programmed once its cells began to move. */
        for (uint32_t i = 0; i < s.len; i += unit) {
            uint64_t k = (s.pos + i) / unit;
            if (nor_progress_reached(pr->point, parallel ? 0 : k, pr->slots))
                *violation |= count_unit_programs(dev, block, s.offset + i, unit);
        }
    }
    *violation |= reverse != 0;
    return NOR_OK;
}

/* A program cut at `point` in a progress mode (EARLY, MIDDLE, LATE, SPREAD): 1 to 3 margin
 * bits are left weak. */
static int program_progress(nor *dev, const program_plan *plan, uint64_t point, bool *violation) {
    uint32_t units = plan->bytes / dev->cfg.write_unit;
    uint32_t margin = 1 + (uint32_t)nor_prng_below(&dev->st.prng, 3);
    nor_progress pr;
    int rc = nor_progress_begin(&pr, dev, point, dev->cfg.page_size ? 1 : units, margin);
    uint8_t *state = rc ? NULL : calloc(units, 1);
    if (!state) {
        nor_progress_end(&pr);
        return NOR_E_NOMEM;
    }
    rc = progress_bits(dev, plan, &pr, state, violation);
    if (!rc) rc = nor_progress_weaken(&pr);
    for (uint32_t i = 0; i < pr.margin_count; i++) state[pr.margin[i].tag] |= UNIT_WEAK;
    if (!rc && dev->cfg.ecc) rc = note_torn_words(dev, plan, state);
    free(state);
    nor_progress_end(&pr);
    return rc;
}

static int program_torn(nor *dev, const program_plan *plan, nor_torn_program mode, uint64_t point,
                        bool *violation) {
    if (mode == NOR_TORN_PROG_NONE) return NOR_OK;
    if (mode == NOR_TORN_PROG_FULL) return program_whole(dev, plan, violation);
    if (nor_program_mode_is_progress(mode)) return program_progress(dev, plan, point, violation);
    return program_torn_old(dev, plan, mode, violation);
}

/* The range a program's bytes land in: its one piece, or the whole page when it wraps. */
static void plan_range(const nor *dev, const program_plan *plan, uint32_t *addr, uint32_t *len) {
    *addr = plan->pieces[0].addr;
    *len = plan->pieces[0].len;
    if (plan->piece_count == 2) {
        *addr = plan->pieces[1].addr;
        *len = dev->cfg.page_size;
    }
}

/* Starts the tear watch on a program about to be torn: what it means to leave behind. */
static void watch_program(nor *dev, const program_plan *plan) {
    uint32_t addr, len;
    plan_range(dev, plan, &addr, &len);
    nor_watch_start(dev, NOR_EV_PROGRAM, addr, len);
    bool erased_ones = dev->erased_byte == 0xFF;
    span_iter it = span_iter_start(dev, plan);
    program_span s;
    while (span_next(&it, &s)) {
        const uint8_t *old = dev->blocks[s.sector]->data + s.offset;
        for (uint32_t i = 0; i < s.len; i++)
            nor_watch_intend(dev, s.addr + i,
                             (uint8_t)(erased_ones ? old[i] & s.src[i] : old[i] | s.src[i]));
    }
}

static void note_violation(nor *dev, uint32_t addr, uint32_t len, int rc, uint64_t op_index) {
    dev->st.stats.violations++;
    nor_emit(dev, NOR_EV_VIOLATION, addr, len, rc, op_index);
}

int nor_program(nor *dev, uint32_t addr, const void *data, uint32_t len) {
    int rc = check_program_args(dev, addr, data, len);
    if (rc) {
        nor_emit(dev, NOR_EV_PROGRAM, addr, len, rc, dev->st.op_count);
        return rc;
    }
    if (len == 0) return NOR_OK;
    program_plan plan;
    plan_program(dev, addr, data, len, &plan);
    uint64_t op_index = dev->st.op_count++;
    dev->st.stats.program_calls++;
    dev->st.stats.program_bytes += len;
    uint64_t duration_ns = nor_program_duration_ns(dev, plan.chunks, len);
    uint64_t point;
    bool torn = nor_cut_lands(dev, NOR_EV_PROGRAM, addr, len, op_index, duration_ns, &point);
    int refused = check_write_rules(dev, &plan);
    bool violation = false;
    if (torn) {
        watch_program(dev, &plan);
        /* A program the controller would refuse writes nothing, torn or not. */
        rc = refused ? NOR_OK : program_torn(dev, &plan, dev->st.torn_program, point, &violation);
        if (violation || refused) note_violation(dev, addr, len, NOR_E_POWER_OFF, op_index);
        nor_emit(dev, NOR_EV_PROGRAM, addr, len, NOR_E_POWER_OFF, op_index);
        nor_power_cut(dev, addr, len, op_index);
        return rc ? rc : NOR_E_POWER_OFF;
    }
    if (refused) {
        note_violation(dev, addr, len, refused, op_index);
        nor_emit(dev, NOR_EV_PROGRAM, addr, len, refused, op_index);
        return refused;
    }
    dev->st.clock_ns += duration_ns;
    uint32_t sector, start, size;
    nor_locate(dev, plan.pieces[0].addr, &sector, &start, &size);
    if (nor_wear_fails(dev, sector)) {
        dev->st.stats.worn_failures++;
        rc = program_torn_old(dev, &plan, NOR_TORN_PROG_BITS, &violation);
        if (!rc) rc = NOR_E_WORN;
    } else {
        rc = program_whole(dev, &plan, &violation);
    }
    uint32_t range_addr, range_len;
    plan_range(dev, &plan, &range_addr, &range_len);
    nor_watch_write(dev, range_addr, range_len);
    if (violation) note_violation(dev, addr, len, rc, op_index);
    nor_emit(dev, NOR_EV_PROGRAM, addr, len, rc, op_index);
    return rc;
}
