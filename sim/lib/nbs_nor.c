/* Engine flash callbacks backed by the NOR model: reads pass through; a program is split at
 * SPI program pages (the model wraps inside one, as the chip does); an erase of an engine page
 * erases every sector in it. The whole device for a partition table erases one sector a call. */
#include "nbs_nor.h"

int nbs_nor_error(int nor_err) {
    if (nor_err == NOR_OK) return NBS_OK;
    return nor_err == NOR_E_ECC ? NBS_E_ECC : NBS_E_IO;
}

static int flash_read(void *ctx, uint32_t addr, void *buf, uint32_t len) {
    return nbs_nor_error(nor_read(((nbs_nor *)ctx)->dev, addr, buf, len));
}

static int flash_peek(void *ctx, uint32_t addr, void *buf, uint32_t len) {
    return nbs_nor_error(nor_peek(((nbs_nor *)ctx)->dev, addr, buf, len));
}

nbs_flash nbs_nor_peek_flash(const nbs_nor *binding) {
    nbs_flash flash = binding->flash;
    flash.read = flash_peek;
    return flash;
}

/* A SPI NOR program wraps inside its program page, so a driver sends one program per page
 * touched, as real drivers do. */
static int flash_program(void *ctx, uint32_t addr, const void *data, uint32_t len) {
    nor *dev = ((nbs_nor *)ctx)->dev;
    uint32_t page = nor_get_config(dev)->page_size;
    const uint8_t *bytes = data;
    while (page && len > page - addr % page) {
        uint32_t first = page - addr % page;
        int rc = nor_program(dev, addr, bytes, first);
        if (rc) return nbs_nor_error(rc);
        addr += first, bytes += first, len -= first;
    }
    return nbs_nor_error(nor_program(dev, addr, bytes, len));
}

static int flash_erase(void *ctx, uint32_t page_addr) {
    nbs_nor *b = ctx;
    for (uint32_t a = page_addr; a < page_addr + b->flash.page_size;) {
        uint32_t index, start, size;
        int rc = nor_sector_at(b->dev, a, &index, &start, &size);
        if (!rc) rc = nor_erase(b->dev, start);
        if (rc) return nbs_nor_error(rc);
        a = start + size;
    }
    return NBS_OK;
}

/* The engine's programs_per_unit from the part's write policy: ECC words take one program, a
 * limited part its limit, any other part no limit. */
static uint8_t programs_per_unit(const nor_config *cfg) {
    switch (cfg->write_policy) {
    case NOR_WRITES_ONCE:
    case NOR_WRITES_ONCE_PLUS_ZERO: return 1;
    case NOR_WRITES_LIMITED:
        return cfg->max_writes_per_unit && cfg->max_writes_per_unit < NBS_PROGRAMS_UNLIMITED
                   ? (uint8_t)cfg->max_writes_per_unit
                   : (uint8_t)NBS_PROGRAMS_UNLIMITED;
    default: return (uint8_t)NBS_PROGRAMS_UNLIMITED;
    }
}

static void bind_range(nbs_nor *b, nor *dev, uint32_t start, uint32_t size, uint32_t page_size,
                       int (*erase)(void *ctx, uint32_t addr)) {
    const nor_config *cfg = nor_get_config(dev);
    b->dev = dev;
    b->flash = (nbs_flash){
        .ctx = b,
        .read = flash_read,
        .program = flash_program,
        .erase = erase,
        .start = start,
        .size = size,
        .page_size = page_size,
        .write_unit = cfg->write_unit,
        .erase_value = cfg->erase_value,
        .programs_per_unit = programs_per_unit(cfg),
    };
}

static int flash_erase_sector(void *ctx, uint32_t sector_addr) {
    return nbs_nor_error(nor_erase(((nbs_nor *)ctx)->dev, sector_addr));
}

int nbs_nor_bind(nbs_nor *b, nor *dev, uint32_t start, uint32_t size, uint32_t page_size) {
    if (!b || !dev || page_size == 0 || size % page_size || size / page_size < 2 ||
        (uint64_t)start + size > nor_size(dev))
        return NBS_E_GEOMETRY;
    for (uint32_t a = start; a < start + size;) {
        uint32_t index, s_start, s_size;
        if (nor_sector_at(dev, a, &index, &s_start, &s_size) || s_start != a ||
            page_size % s_size || (a - start) % page_size + s_size > page_size)
            return NBS_E_GEOMETRY;
        a += s_size;
    }
    bind_range(b, dev, start, size, page_size, flash_erase);
    return NBS_OK;
}

int nbs_nor_bind_device(nbs_nor *b, nor *dev, nbs_sector_run runs[NOR_MAX_REGIONS],
                        nbs_device *out) {
    if (!b || !dev || !runs || !out) return NBS_E_INVAL;
    bind_range(b, dev, 0, nor_size(dev), 0, flash_erase_sector);
    const nor_config *cfg = nor_get_config(dev);
    for (uint32_t r = 0; r < cfg->region_count; r++)
        runs[r] = (nbs_sector_run){cfg->regions[r].count, cfg->regions[r].size};
    *out = (nbs_device){.flash = b->flash, .sectors = runs, .sector_runs = cfg->region_count};
    return NBS_OK;
}
