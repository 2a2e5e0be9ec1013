/* The engine test fixture: a NOR device, a bound range of pages, and a mounted map or queue
 * (see engine_fixture.h). Setup mistakes fail the test at once with a clear message. */
#include "engine_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a reboot leaves in RAM that the engine must not trust. */
#define GARBAGE_BYTE 0xA5

unsigned ef_cache_flags(ef_cache_level level, ef_kind kind) {
    switch (level) {
    case EF_CACHE_STATES: return NBS_CACHE_PAGE_STATES;
    case EF_CACHE_STATES_POINTERS: return NBS_CACHE_PAGE_STATES | NBS_CACHE_PAGE_POINTERS;
    case EF_CACHE_ALL:
        return kind == EF_MAP ? NBS_CACHE_ALL : NBS_CACHE_PAGE_STATES | NBS_CACHE_PAGE_POINTERS;
    default: return 0;
    }
}

const char *ef_cache_level_name(ef_cache_level level) {
    static const char *const names[EF_CACHE_LEVELS] = {"none", "states", "states+pointers", "all"};
    return level < EF_CACHE_LEVELS ? names[level] : "?";
}

nor_config ef_preset_config(const char *name) {
    const nor_config *preset = nor_preset_find(name);
    cr_assert_not_null(preset, "unknown NOR preset '%s'", name);
    return *preset;
}

void ef_config_set_uniform_sectors(nor_config *cfg, uint32_t size, uint32_t count) {
    memset(cfg->regions, 0, sizeof cfg->regions);
    cfg->regions[0] = (nor_region){.count = count, .size = size};
    cfg->region_count = 1;
}

nor_config ef_custom_config(uint32_t write_unit, uint32_t sector_size, uint32_t count,
                            nor_write_policy policy, bool strict) {
    nor_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.name, sizeof cfg.name, "custom-w%u-s%u", (unsigned)write_unit,
             (unsigned)sector_size);
    ef_config_set_uniform_sectors(&cfg, sector_size, count);
    cfg.write_unit = write_unit;
    cfg.erase_value = 0xFF;
    cfg.write_policy = policy;
    cfg.max_writes_per_unit = policy == NOR_WRITES_LIMITED ? 2 : 0;
    cfg.ecc = policy == NOR_WRITES_ONCE || policy == NOR_WRITES_ONCE_PLUS_ZERO;
    cfg.strict = strict;
    cfg.timing = (nor_timing){.program_us_typ = 10,
                              .program_us_max = 20,
                              .erase_us_typ = 1000,
                              .erase_us_max = 2000,
                              .read_ns_per_byte = 0,
                              .mode = NOR_TIMING_TYPICAL};
    cfg.source = "norbench engine tests: a synthetic geometry";
    return cfg;
}

/* The start of the first region with sectors of at least min_size that divide page_size (or,
 * when page_size is 0, that sets it) and holds offset + pages * page_size bytes. */
static bool choose_range(const nor_config *cfg, const ef_options *opts, uint32_t *start,
                         uint32_t *page_size) {
    uint32_t region_start = 0;
    for (uint32_t r = 0; r < cfg->region_count; r++) {
        const nor_region *reg = &cfg->regions[r];
        uint32_t size = opts->page_size ? opts->page_size : reg->size;
        uint64_t needed = (uint64_t)opts->offset + (uint64_t)opts->pages * size;
        if (reg->size >= opts->min_sector_size && size % reg->size == 0 &&
            needed <= (uint64_t)reg->count * reg->size && opts->offset % size == 0) {
            *start = region_start + opts->offset;
            *page_size = size;
            return true;
        }
        region_start += reg->count * reg->size;
    }
    return false;
}

static void allocate_buffers(engine_fixture *f) {
    const ef_options *o = &f->options;
    size_t work_size = nbs_work_bytes_min(&f->binding.flash) + o->work_extra;
    f->work = malloc(work_size ? work_size : 1);
    unsigned flags = ef_cache_flags(o->cache, o->kind);
    uint32_t max_keys = o->cache_max_keys ? o->cache_max_keys : 64;
    f->cache_bytes = flags ? nbs_cache_bytes(flags, f->pages, max_keys) : 0;
    f->cache_mem = malloc(f->cache_bytes ? f->cache_bytes : 1);
    cr_assert(f->work && f->cache_mem, "out of memory for the engine buffers");
    f->config = (nbs_config){
        .flash = f->binding.flash,
        .work = f->work,
        .work_size = work_size,
        .cache = {.flags = flags,
                  .mem = flags ? f->cache_mem : NULL,
                  .mem_size = f->cache_bytes,
                  .max_keys = flags & NBS_CACHE_KEYS ? max_keys : 0,
                  .check = flags != 0},
    };
}

void ef_open_on(engine_fixture *f, nor *dev, const ef_options *opts) {
    memset(f, 0, sizeof *f);
    f->dev = dev;
    f->options = *opts;
    const nor_config *cfg = nor_get_config(dev);
    uint32_t start = 0, page_size = 0;
    cr_assert(opts->pages >= 2, "a store needs at least 2 pages, not %u", (unsigned)opts->pages);
    cr_assert(choose_range(cfg, opts, &start, &page_size),
              "device '%s' has no run of equal sectors for %u pages of %u bytes at offset %u",
              cfg->name, (unsigned)opts->pages, (unsigned)opts->page_size, (unsigned)opts->offset);
    f->pages = opts->pages;
    f->page_size = page_size;
    int rc = nbs_nor_bind(&f->binding, dev, start, opts->pages * page_size, page_size);
    cr_assert_eq(rc, NBS_OK, "nbs_nor_bind(start %u, %u pages of %u) failed: %s", (unsigned)start,
                 (unsigned)opts->pages, (unsigned)page_size, nbs_strerror(rc));
    uint32_t index, sector_start, sector_size, last;
    cr_assert_eq(nor_sector_at(dev, start, &index, &sector_start, &sector_size), NOR_OK);
    cr_assert_eq(
        nor_sector_at(dev, start + opts->pages * page_size - 1, &last, &sector_start, &sector_size),
        NOR_OK);
    f->first_sector = index;
    f->sector_count = last - index + 1;
    allocate_buffers(f);
}

void ef_open(engine_fixture *f, const nor_config *cfg, const ef_options *opts) {
    int rc = nor_config_validate(cfg);
    cr_assert_eq(rc, NOR_OK, "NOR config '%s' is invalid: %s", cfg->name, nor_strerror(rc));
    nor *dev = NULL;
    rc = nor_create(&dev, cfg, opts->seed);
    cr_assert_eq(rc, NOR_OK, "nor_create('%s') failed: %s", cfg->name, nor_strerror(rc));
    ef_open_on(f, dev, opts);
    f->owns_device = true;
}

void ef_open_custom(engine_fixture *f, ef_kind kind, uint32_t write_unit, uint32_t sector_size,
                    uint32_t pages, nor_write_policy policy, ef_cache_level cache) {
    nor_config cfg = ef_custom_config(write_unit, sector_size, pages, policy, true);
    ef_options opts;
    memset(&opts, 0, sizeof opts);
    opts.kind = kind;
    opts.pages = pages;
    opts.cache = cache;
    opts.seed = 1;
    ef_open(f, &cfg, &opts);
    int rc = ef_mount(f);
    cr_assert_eq(rc, NBS_OK, "%s: mount of an erased range: %s", cfg.name, nbs_strerror(rc));
}

void ef_close(engine_fixture *f) {
    free(f->work);
    free(f->cache_mem);
    if (f->owns_device) nor_destroy(f->dev);
    memset(f, 0, sizeof *f);
}

int ef_mount(engine_fixture *f) {
    memset(f->work, GARBAGE_BYTE, f->config.work_size);
    if (f->cache_bytes) memset(f->cache_mem, GARBAGE_BYTE, f->cache_bytes);
    if (f->options.kind == EF_MAP) {
        memset(&f->map, GARBAGE_BYTE, sizeof f->map);
        return nbs_map_mount(&f->map, &f->config);
    }
    memset(&f->queue, GARBAGE_BYTE, sizeof f->queue);
    return nbs_queue_mount(&f->queue, &f->config);
}

void ef_arm_cut(engine_fixture *f, uint64_t ops, nor_torn_program prog, nor_torn_erase erase) {
    nor_set_torn_modes(f->dev, prog, erase);
    nor_arm_cut_after_ops(f->dev, ops);
}

int ef_power_on_and_mount(engine_fixture *f) {
    nor_power_on(f->dev);
    return ef_mount(f);
}

void ef_stats(const engine_fixture *f, nor_stats *out) {
    nor_get_stats(f->dev, out);
}

void ef_range_erase_counts(const engine_fixture *f, uint32_t *min, uint32_t *max) {
    *min = UINT32_MAX;
    *max = 0;
    for (uint32_t s = f->first_sector; s < f->first_sector + f->sector_count; s++) {
        uint32_t n = nor_erase_count(f->dev, s);
        if (n < *min) *min = n;
        if (n > *max) *max = n;
    }
}

const char *ef_describe(const engine_fixture *f, char *buf, size_t size) {
    const nor_config *cfg = nor_get_config(f->dev);
    snprintf(buf, size, "%s %s: %u pages of %u bytes at 0x%x, write unit %u, cache %s", cfg->name,
             f->options.kind == EF_MAP ? "map" : "queue", (unsigned)f->pages,
             (unsigned)f->page_size, (unsigned)f->binding.flash.start, (unsigned)cfg->write_unit,
             ef_cache_level_name(f->options.cache));
    return buf;
}
