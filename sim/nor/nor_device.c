/* A simulated device: creation from a validated configuration, geometry look-ups, reads (weak
 * bits, SECDED decoding, the tear watch), raw access for fault injection, events and
 * statistics. Programs and erases live in
 * nor_program.c and nor_erase.c. */
#include "nor_internal.h"

#include <stdlib.h>
#include <string.h>

static void fill_geometry(nor *dev) {
    uint32_t base = 0, first = 0;
    for (uint32_t r = 0; r < dev->cfg.region_count; r++) {
        dev->region_base[r] = base;
        dev->region_first[r] = first;
        base += dev->cfg.regions[r].count * dev->cfg.regions[r].size;
        first += dev->cfg.regions[r].count;
    }
    dev->total_bytes = base;
    dev->sector_count = first;
}

/* Every sector of a region starts out sharing one erased block: creating a 16 MiB device
 * costs one sector of memory until sectors are written. */
static int share_erased_blocks(nor *dev) {
    for (uint32_t r = 0; r < dev->cfg.region_count; r++) {
        const nor_region *region = &dev->cfg.regions[r];
        uint32_t units = dev->track_units ? region->size / dev->cfg.write_unit : 0;
        nor_block *block = nor_block_new_erased(region->size, units, dev->erased_byte);
        if (!block) return NOR_E_NOMEM;
        block->refs = region->count;
        for (uint32_t i = 0; i < region->count; i++) dev->blocks[dev->region_first[r] + i] = block;
    }
    return NOR_OK;
}

int nor_create(nor **out, const nor_config *cfg, uint64_t seed) {
    if (!out) return NOR_E_CONFIG;
    *out = NULL;
    int rc = nor_config_validate(cfg);
    if (rc) return rc;
    nor *dev = calloc(1, sizeof *dev);
    if (!dev) return NOR_E_NOMEM;
    dev->cfg = *cfg;
    dev->erased_byte = cfg->erase_value;
    dev->track_units = cfg->write_policy != NOR_WRITES_UNLIMITED || cfg->ecc;
    fill_geometry(dev);
    dev->blocks = calloc(dev->sector_count, sizeof *dev->blocks);
    dev->erase_counts = calloc(dev->sector_count, sizeof *dev->erase_counts);
    if (!dev->blocks || !dev->erase_counts || share_erased_blocks(dev)) {
        nor_destroy(dev);
        return NOR_E_NOMEM;
    }
    nor_prng_seed(&dev->st.prng, seed);
    dev->st.powered = true;
    dev->st.torn_program = NOR_TORN_PROG_BITS;
    dev->st.torn_erase = NOR_TORN_ERASE_PARTIAL;
    *out = dev;
    return NOR_OK;
}

void nor_destroy(nor *dev) {
    if (!dev) return;
    if (dev->blocks)
        for (uint32_t s = 0; s < dev->sector_count; s++) nor_block_release(dev->blocks[s]);
    free(dev->blocks);
    free(dev->erase_counts);
    nor_watch_free(dev);
    free(dev);
}

const nor_config *nor_get_config(const nor *dev) {
    return &dev->cfg;
}
uint32_t nor_size(const nor *dev) {
    return dev->total_bytes;
}
uint32_t nor_sector_count(const nor *dev) {
    return dev->sector_count;
}

uint32_t nor_erase_count(const nor *dev, uint32_t sector_index) {
    return sector_index < dev->sector_count ? dev->erase_counts[sector_index] : 0;
}

void nor_locate(const nor *dev, uint32_t addr, uint32_t *sector, uint32_t *start, uint32_t *size) {
    uint32_t r = 0;
    while (r + 1 < dev->cfg.region_count && addr >= dev->region_base[r + 1]) r++;
    uint32_t sector_size = dev->cfg.regions[r].size;
    uint32_t in_region = (addr - dev->region_base[r]) / sector_size;
    *sector = dev->region_first[r] + in_region;
    *start = dev->region_base[r] + in_region * sector_size;
    *size = sector_size;
}

int nor_sector_at(const nor *dev, uint32_t addr, uint32_t *index, uint32_t *start, uint32_t *size) {
    if (addr >= dev->total_bytes) return NOR_E_RANGE;
    uint32_t i, s, z;
    nor_locate(dev, addr, &i, &s, &z);
    if (index) *index = i;
    if (start) *start = s;
    if (size) *size = z;
    return NOR_OK;
}

static bool range_ok(const nor *dev, uint32_t addr, const void *buf, uint32_t len) {
    return (uint64_t)addr + len <= dev->total_bytes && (buf || len == 0);
}

static bool span_has_broken_ecc(const nor *dev, const nor_block *block, uint32_t offset,
                                uint32_t len) {
    if (block->ecc_broken == 0 || len == 0) return false;
    uint32_t unit = dev->cfg.write_unit;
    for (uint32_t u = offset / unit; u <= (offset + len - 1) / unit; u++)
        if (block->unit_state[u] & NOR_UNIT_ECC_BROKEN) return true;
    return false;
}

/* Weak bits read as a fresh random bit each time: this is what makes a torn cell unstable. */
static void randomize_weak_bits(nor *dev, const nor_block *block, uint32_t offset, uint8_t *out,
                                uint32_t len) {
    nor_random_bytes pool = {0, 0};
    for (uint32_t i = 0; i < len; i++) {
        uint8_t weak = block->weak[offset + i];
        if (weak) out[i] = (uint8_t)((out[i] & ~weak) | (nor_random_byte(dev, &pool) & weak));
    }
}

/* Copies stored bits out; for a live read, weak bits are drawn, torn SECDED words decoded and
 * broken ECC reported. */
static bool copy_out(nor *dev, uint32_t addr, uint8_t *out, uint32_t len, bool live) {
    bool ecc_error = false;
    while (len) {
        uint32_t sector, start, size;
        nor_locate(dev, addr, &sector, &start, &size);
        uint32_t offset = addr - start;
        uint32_t n = size - offset < len ? size - offset : len;
        const nor_block *block = dev->blocks[sector];
        memcpy(out, block->data + offset, n);
        if (live) {
            if (block->weak) randomize_weak_bits(dev, block, offset, out, n);
            ecc_error |= span_has_broken_ecc(dev, block, offset, n);
            if (block->ecc_torn) ecc_error |= nor_ecc_decode(dev, block, offset, out, n);
        }
        addr += n;
        out += n;
        len -= n;
    }
    return ecc_error;
}

int nor_read(nor *dev, uint32_t addr, void *buf, uint32_t len) {
    int rc = NOR_OK;
    if (!dev->st.powered)
        rc = NOR_E_POWER_OFF;
    else if (!range_ok(dev, addr, buf, len))
        rc = NOR_E_RANGE;
    if (rc) {
        nor_emit(dev, NOR_EV_READ, addr, len, rc, dev->st.op_count);
        return rc;
    }
    if (copy_out(dev, addr, buf, len, true)) {
        rc = NOR_E_ECC;
        dev->st.stats.ecc_errors++;
    }
    dev->st.stats.read_calls++;
    dev->st.stats.read_bytes += len;
    dev->st.clock_ns +=
        dev->cfg.timing.read_ns_per_call + (uint64_t)dev->cfg.timing.read_ns_per_byte * len;
    nor_watch_read(dev, addr, buf, len, rc);
    nor_emit(dev, NOR_EV_READ, addr, len, rc, dev->st.op_count);
    return rc;
}

int nor_peek(const nor *dev, uint32_t addr, void *buf, uint32_t len) {
    if (!range_ok(dev, addr, buf, len)) return NOR_E_RANGE;
    /* A non-live copy neither draws from the PRNG nor changes the device. */
    copy_out((nor *)dev, addr, buf, len, false);
    return NOR_OK;
}

int nor_poke(nor *dev, uint32_t addr, const void *data, uint32_t len) {
    if (!range_ok(dev, addr, data, len)) return NOR_E_RANGE;
    const uint8_t *src = data;
    while (len) {
        uint32_t sector, start, size;
        nor_locate(dev, addr, &sector, &start, &size);
        uint32_t offset = addr - start;
        uint32_t n = size - offset < len ? size - offset : len;
        nor_block *block = nor_block_writable(dev, sector);
        if (!block) return NOR_E_NOMEM;
        memcpy(block->data + offset, src, n);
        /* Poked bytes hold exactly what was given: no weak bits left in them. */
        if (block->weak) memset(block->weak + offset, 0, n);
        addr += n;
        src += n;
        len -= n;
    }
    return NOR_OK;
}

int nor_flip_bit(nor *dev, uint32_t addr, unsigned bit) {
    if (addr >= dev->total_bytes || bit > 7) return NOR_E_RANGE;
    uint32_t sector, start, size;
    nor_locate(dev, addr, &sector, &start, &size);
    nor_block *block = nor_block_writable(dev, sector);
    if (!block) return NOR_E_NOMEM;
    block->data[addr - start] ^= (uint8_t)(1u << bit);
    return NOR_OK;
}

void nor_set_event_fn(nor *dev, nor_event_fn fn, void *ctx) {
    dev->event_fn = fn;
    dev->event_ctx = ctx;
}

void nor_emit_slow(nor *dev, nor_event_kind kind, uint32_t addr, uint32_t len, int result,
                   uint64_t op_index) {
    nor_event ev = {.kind = kind,
                    .addr = addr,
                    .len = len,
                    .time_us = dev->st.clock_ns / 1000,
                    .result = result,
                    .op_index = op_index};
    dev->event_fn(dev->event_ctx, &ev);
}

void nor_get_stats(const nor *dev, nor_stats *out) {
    *out = dev->st.stats;
    out->time_us = dev->st.clock_ns / 1000;
    uint64_t sum = 0;
    out->erase_min = UINT32_MAX;
    out->erase_max = 0;
    for (uint32_t s = 0; s < dev->sector_count; s++) {
        uint32_t c = dev->erase_counts[s];
        if (c < out->erase_min) out->erase_min = c;
        if (c > out->erase_max) out->erase_max = c;
        sum += c;
    }
    out->erase_mean = (double)sum / dev->sector_count;
}

void nor_reset_stats(nor *dev) {
    memset(&dev->st.stats, 0, sizeof dev->st.stats);
}

uint64_t nor_time_us(const nor *dev) {
    return dev->st.clock_ns / 1000;
}
void nor_advance_time(nor *dev, uint64_t us) {
    dev->st.clock_ns += us * 1000;
}
