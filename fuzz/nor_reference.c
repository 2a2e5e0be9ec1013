/* The plain reference of the NOR model's rules (see nor_reference.h). Written from the rules
 * in docs/nor-model.md, byte by byte and unit by unit, without the model's data structures. */
#include "nor_reference.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REF_COUNT_UNKNOWN = 1, REF_ECC_BROKEN = 2, REF_ECC_UNKNOWN = 4 };

__attribute__((format(printf, 2, 3))) static bool refuse(char *why, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(why, NOR_REFERENCE_WHY, fmt, args);
    va_end(args);
    return false;
}

bool nor_reference_init(nor_reference *r, const nor_config *cfg) {
    memset(r, 0, sizeof *r);
    r->cfg = *cfg;
    r->size = nor_config_total_bytes(cfg);
    r->unit = cfg->write_unit;
    r->erased_ones = cfg->erase_value == 0xFF;
    r->data = malloc(r->size);
    r->unknown = calloc(r->size, 1);
    r->count = calloc(r->size / r->unit, 1);
    r->flags = calloc(r->size / r->unit, 1);
    r->erase_counts = calloc(nor_config_sector_count(cfg), sizeof *r->erase_counts);
    if (!r->data || !r->unknown || !r->count || !r->flags || !r->erase_counts) {
        nor_reference_free(r);
        return false;
    }
    memset(r->data, cfg->erase_value, r->size);
    r->powered = true;
    r->torn_program = NOR_TORN_PROG_BITS;
    r->torn_erase = NOR_TORN_ERASE_PARTIAL;
    r->violations_known = true;
    return true;
}

void nor_reference_free(nor_reference *r) {
    free(r->data);
    free(r->unknown);
    free(r->count);
    free(r->flags);
    free(r->erase_counts);
    memset(r, 0, sizeof *r);
}

static void *duplicate(const void *src, size_t size) {
    void *copy = malloc(size ? size : 1);
    if (copy && size) memcpy(copy, src, size);
    return copy;
}

bool nor_reference_copy(nor_reference *dst, const nor_reference *src) {
    *dst = *src;
    size_t units = src->size / src->unit;
    dst->data = duplicate(src->data, src->size);
    dst->unknown = duplicate(src->unknown, src->size);
    dst->count = duplicate(src->count, units);
    dst->flags = duplicate(src->flags, units);
    dst->erase_counts = duplicate(src->erase_counts,
                                  nor_config_sector_count(&src->cfg) * sizeof *src->erase_counts);
    if (dst->data && dst->unknown && dst->count && dst->flags && dst->erase_counts) return true;
    nor_reference_free(dst);
    return false;
}

/* Sector index and bounds of `addr` (inside the device). */
static void locate(const nor_reference *r, uint32_t addr, uint32_t *index, uint32_t *start,
                   uint32_t *size) {
    uint32_t base = 0, first = 0;
    for (uint32_t i = 0; i < r->cfg.region_count; i++) {
        const nor_region *reg = &r->cfg.regions[i];
        if (addr < base + reg->count * reg->size) {
            uint32_t k = (addr - base) / reg->size;
            *index = first + k;
            *start = base + k * reg->size;
            *size = reg->size;
            return;
        }
        base += reg->count * reg->size;
        first += reg->count;
    }
}

/* The bits of `data` programming would have to move back to the erased value. */
static uint8_t reverse_bits(const nor_reference *r, uint8_t old, uint8_t data) {
    return (uint8_t)(r->erased_ones ? data & ~old : old & ~data);
}

/* The bits that would need the reverse transition for some value the unknown bits may hold. */
static uint8_t possible_reverse_bits(const nor_reference *r, uint32_t a, uint8_t data) {
    uint8_t stored = r->data[a], unknown = r->unknown[a];
    return (uint8_t)(r->erased_ones ? data & (~stored | unknown) : ~data & (stored | unknown));
}

static uint8_t programmed_byte(const nor_reference *r) {
    return r->erased_ones ? 0x00 : 0xFF;
}

static bool takes_op(nor_reference *r) {
    uint64_t index = r->op_count++;
    bool torn = r->cut_armed && index >= r->cut_op;
    if (torn) r->powered = false;
    return torn;
}

/* ---- reads ---- */

/* Whether the bytes agree with every known bit. A live read of an ECC word that a tear may
 * have left incomplete is decoded (SECDED): the decoder returns the bits read or flips exactly
 * one of them (a correction or a miscorrection), so one known bit of such a word may differ. */
static bool known_bits_match(const nor_reference *r, uint32_t addr, uint32_t len,
                             const uint8_t *bytes, bool decoded, char *why) {
    uint32_t unit_of_flip = UINT32_MAX;
    for (uint32_t i = 0; i < len; i++) {
        uint8_t known = (uint8_t)~r->unknown[addr + i];
        uint8_t wrong = (bytes[i] ^ r->data[addr + i]) & known;
        if (!wrong) continue;
        uint32_t u = (addr + i) / r->unit;
        bool one_flip_allowed = decoded && r->cfg.ecc && (r->flags[u] & REF_ECC_UNKNOWN) &&
                                unit_of_flip != u && (wrong & (wrong - 1)) == 0;
        if (one_flip_allowed) {
            unit_of_flip = u;
            continue;
        }
        return refuse(why, "byte 0x%x reads 0x%02x, the rules say 0x%02x (known bits 0x%02x)",
                      (unsigned)(addr + i), bytes[i], r->data[addr + i], known);
    }
    return true;
}

bool nor_reference_read(nor_reference *r, uint32_t addr, uint32_t len, int rc, const uint8_t *bytes,
                        char *why) {
    int expected = !r->powered                      ? NOR_E_POWER_OFF
                   : (uint64_t)addr + len > r->size ? NOR_E_RANGE
                                                    : NOR_OK;
    if (expected != NOR_OK || rc == NOR_E_RANGE || rc == NOR_E_POWER_OFF)
        return rc == expected ? true
                              : refuse(why, "read [0x%x, +%u): %s, expected %s", (unsigned)addr,
                                       (unsigned)len, nor_strerror(rc), nor_strerror(expected));
    bool broken = false, maybe = false;
    for (uint32_t u = addr / r->unit; len && u <= (addr + len - 1) / r->unit; u++) {
        broken |= (r->flags[u] & REF_ECC_BROKEN) != 0;
        maybe |= (r->flags[u] & REF_ECC_UNKNOWN) != 0;
    }
    if (rc != NOR_OK && rc != NOR_E_ECC)
        return refuse(why, "read [0x%x, +%u): %s", (unsigned)addr, (unsigned)len, nor_strerror(rc));
    if ((rc == NOR_E_ECC) != broken && !maybe)
        return refuse(why, "read [0x%x, +%u): %s, but the rules say the ECC is %s", (unsigned)addr,
                      (unsigned)len, nor_strerror(rc), broken ? "broken" : "good");
    return known_bits_match(r, addr, len, bytes, true, why);
}

bool nor_reference_peek(const nor_reference *r, uint32_t addr, uint32_t len, int rc,
                        const uint8_t *bytes, char *why) {
    int expected = (uint64_t)addr + len > r->size ? NOR_E_RANGE : NOR_OK;
    if (rc != expected)
        return refuse(why, "peek [0x%x, +%u): %s, expected %s", (unsigned)addr, (unsigned)len,
                      nor_strerror(rc), nor_strerror(expected));
    return rc != NOR_OK || known_bits_match(r, addr, len, bytes, false, why);
}

/* ---- programs ---- */

/* Where each byte a program sends lands: straight, or wrapping inside its SPI program page,
 * where only the last page_size bytes sent count. Returns how many bytes count; `*sent` is
 * where they start in the data. */
static uint32_t plan_landing(const nor_reference *r, uint32_t addr, uint32_t len, uint32_t *where,
                             uint32_t *sent) {
    uint32_t page = r->cfg.page_size;
    *sent = 0;
    if (!page) {
        for (uint32_t i = 0; i < len; i++) where[i] = addr + i;
        return len;
    }
    uint32_t page_start = addr - addr % page;
    if (len > page) *sent = len - page;
    uint32_t n = len - *sent;
    for (uint32_t i = 0; i < n; i++) where[i] = page_start + (addr % page + *sent + i) % page;
    return n;
}

typedef struct refusal {
    bool count_surely, count_maybe;   /* the write-count rule refuses */
    bool strict_surely, strict_maybe; /* strict mode refuses a 0->1 transition */
} refusal;

static refusal judge_program(const nor_reference *r, const uint32_t *where, const uint8_t *src,
                             uint32_t n) {
    refusal f = {false, false, false, false};
    nor_write_policy policy = r->cfg.write_policy;
    for (uint32_t i = 0; i < n; i += r->unit) {
        uint32_t u = where[i] / r->unit;
        bool count_unknown = r->flags[u] & REF_COUNT_UNKNOWN;
        bool at_limit = policy == NOR_WRITES_LIMITED && r->count[u] >= r->cfg.max_writes_per_unit;
        bool all_zero = true;
        for (uint32_t j = 0; j < r->unit; j++) all_zero &= src[i + j] == programmed_byte(r);
        bool rewrite_refused = policy == NOR_WRITES_ONCE_PLUS_ZERO && !all_zero;
        bool may_refuse = policy == NOR_WRITES_LIMITED || rewrite_refused;
        if (count_unknown && may_refuse)
            f.count_maybe = true;
        else if (at_limit || (rewrite_refused && r->count[u] >= 1))
            f.count_surely = true;
    }
    for (uint32_t i = 0; r->cfg.strict && i < n; i++) {
        uint8_t reverse = reverse_bits(r, r->data[where[i]], src[i]);
        if (reverse & ~r->unknown[where[i]]) f.strict_surely = true;
        if (possible_reverse_bits(r, where[i], src[i])) f.strict_maybe = true;
    }
    return f;
}

/* A unit programmed once more: its count, and the ECC a second program breaks (ONCE). */
static void count_program(nor_reference *r, uint32_t u, bool surely) {
    bool count_unknown = (r->flags[u] & REF_COUNT_UNKNOWN) || !surely;
    if (r->cfg.write_policy == NOR_WRITES_ONCE && !(r->flags[u] & REF_ECC_BROKEN)) {
        if (r->count[u] >= 1 && !(r->flags[u] & REF_COUNT_UNKNOWN) && surely)
            r->flags[u] = (uint8_t)((r->flags[u] | REF_ECC_BROKEN) & ~REF_ECC_UNKNOWN);
        else if (count_unknown || r->count[u] >= 1)
            r->flags[u] |= REF_ECC_UNKNOWN;
    }
    if (r->count[u] < 255) r->count[u]++;
    if (count_unknown) r->flags[u] |= REF_COUNT_UNKNOWN;
}

/* Applies the whole program; `surely` false when it may not have happened at all. */
static void apply_program(nor_reference *r, const uint32_t *where, const uint8_t *src, uint32_t n,
                          bool surely) {
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = where[i];
        uint8_t after = r->erased_ones ? r->data[a] & src[i] : r->data[a] | src[i];
        if (!surely) r->unknown[a] |= r->data[a] ^ after;
        r->data[a] = after;
    }
    for (uint32_t i = 0; i < n; i += r->unit) count_program(r, where[i] / r->unit, surely);
}

/* A program cut short (PREFIX, BITS, METASTABLE, and the progress modes EARLY..SPREAD): every
 * needed transition may or may not have happened (or be weak), ECC words left half way decode
 * as torn SECDED words, and the write counts follow the mode. */
static void apply_tear(nor_reference *r, const uint32_t *where, const uint8_t *src, uint32_t n,
                       bool surely_counted) {
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = where[i];
        uint8_t after = r->erased_ones ? r->data[a] & src[i] : r->data[a] | src[i];
        r->unknown[a] |= r->data[a] ^ after;
    }
    for (uint32_t i = 0; i < n; i += r->unit) {
        uint32_t u = where[i] / r->unit;
        count_program(r, u, surely_counted);
        if (r->cfg.ecc && !(r->flags[u] & REF_ECC_BROKEN)) r->flags[u] |= REF_ECC_UNKNOWN;
    }
}

/* BITS and METASTABLE count every unit of a torn program; PREFIX and the progress modes only
 * those the program reached (unit after unit on internal flash). */
static bool counts_every_unit(nor_torn_program mode) {
    return mode == NOR_TORN_PROG_BITS || mode == NOR_TORN_PROG_METASTABLE;
}

/* What the write of a program that passed its argument checks leaves behind. */
static bool follow_program(nor_reference *r, const uint32_t *where, const uint8_t *src, uint32_t n,
                           bool torn, int rc, char *why) {
    refusal f = judge_program(r, where, src, n);
    bool strict = r->cfg.strict;
    bool must_refuse = f.count_surely || (strict && f.strict_surely);
    bool may_refuse = must_refuse || f.count_maybe || (strict && f.strict_maybe);
    /* A violation: a 0->1 transition, or a second program of a ONCE unit (it breaks the ECC). */
    bool violation_surely = false, violation_maybe = false;
    for (uint32_t i = 0; i < n; i++) {
        violation_surely |= (reverse_bits(r, r->data[where[i]], src[i]) & ~r->unknown[where[i]]);
        violation_maybe |= possible_reverse_bits(r, where[i], src[i]) != 0;
    }
    for (uint32_t i = 0; r->cfg.write_policy == NOR_WRITES_ONCE && i < n; i += r->unit) {
        uint32_t u = where[i] / r->unit;
        bool count_unknown = r->flags[u] & REF_COUNT_UNKNOWN;
        violation_surely |= !count_unknown && r->count[u] >= 1;
        violation_maybe |= count_unknown || r->count[u] >= 1;
    }
    if (torn) {
        if (rc != NOR_E_POWER_OFF)
            return refuse(why, "torn program returned %s, expected %s", nor_strerror(rc),
                          nor_strerror(NOR_E_POWER_OFF));
        if (must_refuse || r->torn_program == NOR_TORN_PROG_NONE) {
            if (must_refuse) r->violations++;
            if (!must_refuse && may_refuse) r->violations_known = false;
            return true;
        }
        if (r->torn_program == NOR_TORN_PROG_FULL)
            apply_program(r, where, src, n, !may_refuse);
        else
            apply_tear(r, where, src, n, !may_refuse && counts_every_unit(r->torn_program));
        if (may_refuse || violation_maybe != violation_surely ||
            r->torn_program != NOR_TORN_PROG_FULL)
            r->violations_known = false;
        else if (violation_surely)
            r->violations++;
        return true;
    }
    bool refused = rc == NOR_E_WRITE_COUNT || rc == NOR_E_VIOLATION;
    if (refused) {
        bool possible = rc == NOR_E_WRITE_COUNT ? f.count_surely || f.count_maybe
                                                : strict && (f.strict_surely || f.strict_maybe);
        if (!possible)
            return refuse(why, "program refused with %s: no rule refuses it", nor_strerror(rc));
        r->violations++;
        return true;
    }
    if (rc != NOR_OK) return refuse(why, "program returned %s", nor_strerror(rc));
    if (must_refuse)
        return refuse(why, "program accepted, but the %s rule refuses it",
                      f.count_surely ? "write-count" : "strict 0->1");
    apply_program(r, where, src, n, true);
    if (violation_maybe != violation_surely)
        r->violations_known = false;
    else if (violation_surely)
        r->violations++;
    return true;
}

bool nor_reference_program(nor_reference *r, uint32_t addr, const uint8_t *data, uint32_t len,
                           int rc, char *why) {
    int expected = NOR_OK;
    if (!r->powered)
        expected = NOR_E_POWER_OFF;
    else if (addr % r->unit || len % r->unit)
        expected = NOR_E_ALIGN;
    else if (r->cfg.page_size ? len && addr >= r->size : (uint64_t)addr + len > r->size)
        expected = NOR_E_RANGE;
    if (expected != NOR_OK || len == 0) {
        if (rc == expected) return true;
        return refuse(why, "program [0x%x, +%u): %s, expected %s", (unsigned)addr, (unsigned)len,
                      nor_strerror(rc), nor_strerror(expected));
    }
    r->program_calls++;
    bool torn = takes_op(r);
    uint32_t *where = malloc(len * sizeof *where), sent = 0;
    if (!where) abort();
    uint32_t n = plan_landing(r, addr, len, where, &sent);
    bool ok = follow_program(r, where, data + sent, n, torn, rc, why);
    free(where);
    return ok;
}

/* ---- erases ---- */

static void erase_sector(nor_reference *r, uint32_t start, uint32_t size) {
    memset(r->data + start, r->cfg.erase_value, size);
    memset(r->unknown + start, 0, size);
    memset(r->count + start / r->unit, 0, size / r->unit);
    memset(r->flags + start / r->unit, 0, size / r->unit);
}

/* A torn PARTIAL erase (or a progress erase without pre-program): each programmed bit may have
 * returned to the erased value. A unit that ends fully erased forgets its count and ECC mark,
 * so a unit not surely erased before knows neither any more. */
static void erase_some_bits(nor_reference *r, uint32_t start, uint32_t size) {
    for (uint32_t u = start / r->unit; u < (start + size) / r->unit; u++) {
        bool surely_erased = true;
        for (uint32_t a = u * r->unit; a < (u + 1) * r->unit; a++) {
            surely_erased &= r->data[a] == r->cfg.erase_value && r->unknown[a] == 0;
            r->unknown[a] |= r->data[a] ^ r->cfg.erase_value;
        }
        if (surely_erased) {
            r->count[u] = 0;
            r->flags[u] = 0;
        } else {
            bool ecc_in_doubt = r->cfg.ecc || (r->flags[u] & (REF_ECC_BROKEN | REF_ECC_UNKNOWN));
            r->flags[u] = (uint8_t)(REF_COUNT_UNKNOWN | (ecc_in_doubt ? REF_ECC_UNKNOWN : 0));
        }
    }
}

/* A progress erase cut in a pre-programming erase: the pre-program phase may have programmed
 * any bit, the erase phase erased any, so every bit is unknown, and so are counts and ECC. */
static void erase_any_bits(nor_reference *r, uint32_t start, uint32_t size) {
    memset(r->unknown + start, 0xFF, size);
    for (uint32_t u = start / r->unit; u < (start + size) / r->unit; u++) {
        bool ecc_in_doubt = r->cfg.ecc || (r->flags[u] & (REF_ECC_BROKEN | REF_ECC_UNKNOWN));
        r->flags[u] = (uint8_t)(REF_COUNT_UNKNOWN | (ecc_in_doubt ? REF_ECC_UNKNOWN : 0));
    }
}

static bool erase_mode_is_progress(nor_torn_erase mode) {
    return mode == NOR_TORN_ERASE_EARLY || mode == NOR_TORN_ERASE_MIDDLE ||
           mode == NOR_TORN_ERASE_LATE || mode == NOR_TORN_ERASE_SPREAD;
}

bool nor_reference_erase(nor_reference *r, uint32_t addr, int rc, char *why) {
    uint32_t index = 0, start = 0, size = 0;
    int expected = NOR_OK;
    if (!r->powered)
        expected = NOR_E_POWER_OFF;
    else if (addr >= r->size)
        expected = NOR_E_RANGE;
    else if (locate(r, addr, &index, &start, &size), start != addr)
        expected = NOR_E_NOT_SECTOR;
    if (expected != NOR_OK) {
        if (rc == expected) return true;
        return refuse(why, "erase 0x%x: %s, expected %s", (unsigned)addr, nor_strerror(rc),
                      nor_strerror(expected));
    }
    r->erase_calls++;
    bool torn = takes_op(r);
    if (rc != (torn ? NOR_E_POWER_OFF : NOR_OK))
        return refuse(why, "%serase 0x%x returned %s", torn ? "torn " : "", (unsigned)addr,
                      nor_strerror(rc));
    if (!torn || r->torn_erase != NOR_TORN_ERASE_NONE) r->erase_counts[index]++;
    if (!torn || r->torn_erase == NOR_TORN_ERASE_FULL) {
        erase_sector(r, start, size);
    } else if (r->torn_erase == NOR_TORN_ERASE_PARTIAL) {
        erase_some_bits(r, start, size);
    } else if (r->torn_erase == NOR_TORN_ERASE_WEAK) {
        /* Reads erased, but some bits (which, the rules do not say) read randomly. */
        erase_sector(r, start, size);
        memset(r->unknown + start, 0xFF, size);
    } else if (erase_mode_is_progress(r->torn_erase)) {
        if (r->cfg.erase_preprogram)
            erase_any_bits(r, start, size);
        else
            erase_some_bits(r, start, size);
    }
    return true;
}

/* ---- raw access and power ---- */

bool nor_reference_poke(nor_reference *r, uint32_t addr, const uint8_t *data, uint32_t len, int rc,
                        char *why) {
    int expected = (uint64_t)addr + len > r->size ? NOR_E_RANGE : NOR_OK;
    if (rc != expected)
        return refuse(why, "poke [0x%x, +%u): %s, expected %s", (unsigned)addr, (unsigned)len,
                      nor_strerror(rc), nor_strerror(expected));
    if (rc == NOR_OK && len) {
        memcpy(r->data + addr, data, len);
        memset(r->unknown + addr, 0, len);
    }
    return true;
}

void nor_reference_arm_cut(nor_reference *r, uint64_t ops) {
    r->cut_armed = true;
    r->cut_op = r->op_count + ops;
}

void nor_reference_cut_now(nor_reference *r) {
    r->powered = false;
}

void nor_reference_power_on(nor_reference *r) {
    r->powered = true;
    r->cut_armed = false;
}

void nor_reference_set_torn_modes(nor_reference *r, nor_torn_program prog, nor_torn_erase erase) {
    r->torn_program = prog;
    r->torn_erase = erase;
}

bool nor_reference_check_counters(const nor_reference *r, nor *dev, char *why) {
    for (uint32_t s = 0; s < nor_config_sector_count(&r->cfg); s++)
        if (nor_erase_count(dev, s) != r->erase_counts[s])
            return refuse(why, "sector %u erased %u times, the rules count %u", (unsigned)s,
                          (unsigned)nor_erase_count(dev, s), (unsigned)r->erase_counts[s]);
    nor_stats stats;
    nor_get_stats(dev, &stats);
    if (stats.program_calls != r->program_calls || stats.erase_calls != r->erase_calls)
        return refuse(why, "%llu programs and %llu erases counted, the rules count %llu and %llu",
                      (unsigned long long)stats.program_calls,
                      (unsigned long long)stats.erase_calls, (unsigned long long)r->program_calls,
                      (unsigned long long)r->erase_calls);
    if (r->violations_known && stats.violations != r->violations)
        return refuse(why, "%llu violations counted, the rules count %llu",
                      (unsigned long long)stats.violations, (unsigned long long)r->violations);
    return true;
}
