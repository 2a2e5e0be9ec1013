/* The raw flash reference model (ref_raw.h): a byte image per partition with a program count
 * and an ECC-broken flag per write unit and an unknown flag per byte, following the device's
 * documented rules (docs/nor-model.md) without calling the NOR model. */
#include "ref_raw.h"

#include "nbs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ref_raw_rules ref_raw_rules_of(const nor_config *cfg) {
    ref_raw_policy policy = REF_RAW_UNLIMITED;
    switch (cfg->write_policy) {
    case NOR_WRITES_LIMITED: policy = REF_RAW_LIMITED; break;
    case NOR_WRITES_ONCE: policy = REF_RAW_ONCE; break;
    case NOR_WRITES_ONCE_PLUS_ZERO: policy = REF_RAW_ONCE_PLUS_ZERO; break;
    default: break;
    }
    return (ref_raw_rules){.write_unit = cfg->write_unit,
                           .erase_value = cfg->erase_value,
                           .policy = policy,
                           .max_writes = cfg->max_writes_per_unit,
                           .strict = cfg->strict,
                           .program_page = cfg->page_size};
}

static uint32_t units_of(const ref_raw_rules *rules, uint32_t bytes) {
    return (bytes + rules->write_unit - 1) / rules->write_unit;
}

bool ref_raw_init(ref_raw_image *img, const ref_raw_rules *rules, uint32_t base, uint32_t size,
                  bool known) {
    uint32_t units = units_of(rules, size);
    *img = (ref_raw_image){.base = base, .size = size};
    img->bytes = malloc(size ? size : 1);
    img->unknown = malloc(size ? size : 1);
    img->programs = calloc(units ? units : 1, 1);
    img->broken = calloc(units ? units : 1, 1);
    if (!img->bytes || !img->unknown || !img->programs || !img->broken) {
        ref_raw_free(img);
        return false;
    }
    memset(img->bytes, rules->erase_value, size);
    memset(img->unknown, !known, size);
    return true;
}

void ref_raw_free(ref_raw_image *img) {
    free(img->bytes);
    free(img->unknown);
    free(img->programs);
    free(img->broken);
    memset(img, 0, sizeof *img);
}

bool ref_raw_copy(ref_raw_image *dst, const ref_raw_image *src, const ref_raw_rules *rules) {
    if (dst->size != src->size || !dst->bytes) {
        ref_raw_free(dst);
        if (!ref_raw_init(dst, rules, src->base, src->size, true)) return false;
    }
    uint32_t units = units_of(rules, src->size);
    dst->base = src->base;
    memcpy(dst->bytes, src->bytes, src->size);
    memcpy(dst->unknown, src->unknown, src->size);
    memcpy(dst->programs, src->programs, units);
    memcpy(dst->broken, src->broken, units);
    return true;
}

void ref_raw_erase(ref_raw_image *img, const ref_raw_rules *rules, uint32_t offset,
                   uint32_t length) {
    memset(img->bytes + offset, rules->erase_value, length);
    memset(img->unknown + offset, 0, length);
    uint32_t first = offset / rules->write_unit, units = units_of(rules, length);
    memset(img->programs + first, 0, units);
    memset(img->broken + first, 0, units);
}

void ref_raw_forget(ref_raw_image *img, const ref_raw_rules *rules, uint32_t offset,
                    uint32_t length) {
    /* Whole units: a torn program or a fault may leave a unit's ECC or count in any state. */
    uint32_t w = rules->write_unit;
    uint32_t from = offset - offset % w, to = offset + length;
    to = to % w ? to + (w - to % w) : to;
    if (to > img->size) to = img->size;
    memset(img->unknown + from, 1, to - from);
    /* Unknown covers an ECC word broken before: its reads may now answer anything. */
    memset(img->broken + from / w, 0, (to - from + w - 1) / w);
}

void ref_raw_forget_device(ref_raw_image *img, const ref_raw_rules *rules, uint32_t addr,
                           uint32_t length) {
    uint64_t from = addr > img->base ? addr : img->base;
    uint64_t to = (uint64_t)addr + length, end = (uint64_t)img->base + img->size;
    if (to > end) to = end;
    if (from < to) ref_raw_forget(img, rules, (uint32_t)(from - img->base), (uint32_t)(to - from));
}

bool ref_raw_any_unknown(const ref_raw_image *img, uint32_t offset, uint32_t length) {
    for (uint32_t i = 0; i < length; i++)
        if (img->unknown[offset + i]) return true;
    return false;
}

static uint8_t programmed_byte(const ref_raw_rules *rules) {
    return (uint8_t)~rules->erase_value;
}

/* Whether the rules refuse programming `data` over unit u (nothing is written then). */
static bool unit_refused(const ref_raw_image *img, const ref_raw_rules *rules, uint32_t u,
                         const uint8_t *data) {
    uint32_t w = rules->write_unit;
    uint8_t count = img->programs[u];
    if (rules->policy == REF_RAW_LIMITED && count >= rules->max_writes) return true;
    if (rules->policy == REF_RAW_ONCE_PLUS_ZERO && count >= 1)
        for (uint32_t j = 0; j < w; j++)
            if (data[j] != programmed_byte(rules)) return true;
    if (rules->strict)
        for (uint32_t j = 0; j < w; j++) {
            uint8_t old = img->bytes[u * w + j];
            /* erased 0xFF: a 0 -> 1 move; erased 0x00: a 1 -> 0 move */
            uint8_t back =
                rules->erase_value ? (uint8_t)(data[j] & ~old) : (uint8_t)(old & ~data[j]);
            if (back) return true;
        }
    return false;
}

static void program_unit(ref_raw_image *img, const ref_raw_rules *rules, uint32_t u,
                         const uint8_t *data) {
    uint32_t w = rules->write_unit;
    for (uint32_t j = 0; j < w; j++) {
        uint8_t *b = &img->bytes[u * w + j];
        *b = rules->erase_value ? (uint8_t)(*b & data[j]) : (uint8_t)(*b | data[j]);
    }
    if (rules->policy == REF_RAW_ONCE && img->programs[u] >= 1) img->broken[u] = 1;
    if (img->programs[u] < UINT8_MAX) img->programs[u]++;
}

ref_raw_outcome ref_raw_write(ref_raw_image *img, const ref_raw_rules *rules, uint32_t offset,
                              const uint8_t *data, uint32_t length) {
    uint32_t w = rules->write_unit, page = rules->program_page;
    uint32_t at = offset;
    while (at < offset + length) {
        /* One program call: up to the end of the SPI page holding the device address. */
        uint32_t addr = img->base + at;
        uint32_t chunk = offset + length - at;
        if (page && chunk > page - addr % page) chunk = page - addr % page;
        if (ref_raw_any_unknown(img, at, chunk)) {
            ref_raw_forget(img, rules, at, offset + length - at);
            return (ref_raw_outcome){NBS_OK, true};
        }
        const uint8_t *src = data + (at - offset);
        for (uint32_t i = 0; i < chunk; i += w)
            if (unit_refused(img, rules, (at + i) / w, src + i))
                return (ref_raw_outcome){NBS_E_IO, false};
        for (uint32_t i = 0; i < chunk; i += w) program_unit(img, rules, (at + i) / w, src + i);
        at += chunk;
    }
    return (ref_raw_outcome){NBS_OK, false};
}

const char *ref_raw_check_read(const ref_raw_image *img, const ref_raw_rules *rules,
                               uint32_t offset, uint32_t length, int rc, const uint8_t *got,
                               char *why, size_t why_size) {
    uint32_t w = rules->write_unit;
    bool unknown = ref_raw_any_unknown(img, offset, length), broken = false;
    for (uint32_t u = offset / w; length && u <= (offset + length - 1) / w; u++)
        broken |= img->broken[u] != 0;
    if (rc == NBS_E_ECC && (broken || unknown)) return NULL;
    if (broken) {
        snprintf(why, why_size, "error ecc (a write unit in the range was programmed twice)");
        return why;
    }
    if (rc != NBS_OK) {
        snprintf(why, why_size, "success");
        return why;
    }
    for (uint32_t i = 0; i < length; i++) {
        if (img->unknown[offset + i] || got[i] == img->bytes[offset + i]) continue;
        snprintf(why, why_size, "byte %u (offset %u) 0x%02X, read 0x%02X", (unsigned)i,
                 (unsigned)(offset + i), img->bytes[offset + i], got[i]);
        return why;
    }
    return NULL;
}
