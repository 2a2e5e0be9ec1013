/* Configuration checks and the totals derived from a configuration's sector regions. */
#include "nor_internal.h"

#include <string.h>

static uint64_t total_bytes_wide(const nor_config *cfg) {
    uint64_t total = 0;
    for (uint32_t r = 0; r < cfg->region_count && r < NOR_MAX_REGIONS; r++)
        total += (uint64_t)cfg->regions[r].count * cfg->regions[r].size;
    return total;
}

uint32_t nor_config_total_bytes(const nor_config *cfg) {
    uint64_t total = total_bytes_wide(cfg);
    return total > UINT32_MAX ? 0 : (uint32_t)total;
}

uint32_t nor_config_sector_count(const nor_config *cfg) {
    uint64_t count = 0;
    for (uint32_t r = 0; r < cfg->region_count && r < NOR_MAX_REGIONS; r++)
        count += cfg->regions[r].count;
    return count > UINT32_MAX ? 0 : (uint32_t)count;
}

static bool is_write_unit(uint32_t unit) {
    return unit == 1 || unit == 2 || unit == 4 || unit == 8 || unit == 16 || unit == 32;
}

static bool times_ordered(uint32_t typ, uint32_t max) {
    return typ <= max;
}

static int validate_region(const nor_config *cfg, const nor_region *region) {
    if (region->count == 0 || region->size == 0) return NOR_E_CONFIG;
    if (region->size % cfg->write_unit) return NOR_E_CONFIG;
    if (cfg->page_size && region->size % cfg->page_size) return NOR_E_CONFIG;
    /* A region erase time is given as a pair or not at all. */
    if ((region->erase_us_typ == 0) != (region->erase_us_max == 0)) return NOR_E_CONFIG;
    if (!times_ordered(region->erase_us_typ, region->erase_us_max)) return NOR_E_CONFIG;
    return NOR_OK;
}

int nor_config_validate(const nor_config *cfg) {
    if (!cfg) return NOR_E_CONFIG;
    if (!memchr(cfg->name, '\0', sizeof cfg->name)) return NOR_E_CONFIG;
    if (cfg->region_count == 0 || cfg->region_count > NOR_MAX_REGIONS) return NOR_E_CONFIG;
    if (!is_write_unit(cfg->write_unit)) return NOR_E_CONFIG;
    if (cfg->page_size % cfg->write_unit) return NOR_E_CONFIG;
    for (uint32_t r = 0; r < cfg->region_count; r++) {
        int rc = validate_region(cfg, &cfg->regions[r]);
        if (rc) return rc;
    }
    uint64_t total = total_bytes_wide(cfg);
    if (total == 0 || total > UINT32_MAX) return NOR_E_CONFIG;
    if (cfg->erase_value != 0x00 && cfg->erase_value != 0xFF) return NOR_E_CONFIG;
    switch (cfg->write_policy) {
    case NOR_WRITES_LIMITED:
        if (cfg->max_writes_per_unit == 0 || cfg->max_writes_per_unit > NOR_MAX_WRITES_PER_UNIT)
            return NOR_E_CONFIG;
        break;
    case NOR_WRITES_UNLIMITED:
    case NOR_WRITES_ONCE:
    case NOR_WRITES_ONCE_PLUS_ZERO:
        if (cfg->max_writes_per_unit != 0) return NOR_E_CONFIG;
        break;
    default: return NOR_E_CONFIG;
    }
    const nor_timing *t = &cfg->timing;
    if (!times_ordered(t->program_us_typ, t->program_us_max) ||
        !times_ordered(t->erase_us_typ, t->erase_us_max))
        return NOR_E_CONFIG;
    if (t->mode != NOR_TIMING_TYPICAL && t->mode != NOR_TIMING_MAX && t->mode != NOR_TIMING_RANDOM)
        return NOR_E_CONFIG;
    return NOR_OK;
}
