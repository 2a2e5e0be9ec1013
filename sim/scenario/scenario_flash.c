/* The "flash" and "engine" sections: a NOR preset with overrides resolved into one nor_config,
 * and the engine's type, flash range, page size and caches checked against that geometry. */
#include "scenario_internal.h"

#include <stdio.h>
#include <string.h>

uint32_t flash_total_bytes(const nor_config *cfg) {
    uint64_t total = 0;
    for (uint32_t i = 0; i < cfg->region_count && i < NOR_MAX_REGIONS; i++)
        total += (uint64_t)cfg->regions[i].count * cfg->regions[i].size;
    return total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
}

bool flash_sector_at(const nor_config *cfg, uint32_t addr, uint32_t *index, uint32_t *start,
                     uint32_t *size) {
    uint64_t base = 0;
    uint32_t first = 0;
    for (uint32_t r = 0; r < cfg->region_count && r < NOR_MAX_REGIONS; r++) {
        const nor_region *region = &cfg->regions[r];
        uint64_t end = base + (uint64_t)region->count * region->size;
        if (addr < end && region->size) {
            uint32_t k = (uint32_t)((addr - base) / region->size);
            *index = first + k;
            *start = (uint32_t)(base + (uint64_t)k * region->size);
            *size = region->size;
            return true;
        }
        base = end;
        first += region->count;
    }
    return false;
}

static uint32_t sector_total(const nor_config *cfg) {
    uint32_t n = 0;
    for (uint32_t r = 0; r < cfg->region_count && r < NOR_MAX_REGIONS; r++)
        n += cfg->regions[r].count;
    return n;
}

/* Keeps only the first `sectors` sectors of the region list. */
static void keep_sectors(nor_config *cfg, uint32_t sectors) {
    uint32_t left = sectors;
    for (uint32_t r = 0; r < cfg->region_count; r++) {
        if (cfg->regions[r].count >= left) {
            cfg->regions[r].count = left;
            cfg->region_count = r + 1;
            return;
        }
        left -= cfg->regions[r].count;
    }
}

static const scenario_name flash_fields[] = {
    {"preset", FIELD_REQUIRED},
    {"sectors", FIELD_OPTIONAL},
    {"write_unit", FIELD_OPTIONAL},
    {"page_size", FIELD_OPTIONAL},
    {"erase_value", FIELD_OPTIONAL},
    {"write_policy", FIELD_OPTIONAL},
    {"max_writes_per_unit", FIELD_OPTIONAL},
    {"ecc", FIELD_OPTIONAL},
    {"strict", FIELD_OPTIONAL},
    {"erase_preprogram", FIELD_OPTIONAL},
    {"timing", FIELD_OPTIONAL},
    {"endurance", FIELD_OPTIONAL},
    {"wear_fail_ppm", FIELD_OPTIONAL},
    {"image", FIELD_OPTIONAL},
};

static const scenario_name write_policy_names[] = {
    {"unlimited", NOR_WRITES_UNLIMITED},
    {"limited", NOR_WRITES_LIMITED},
    {"once", NOR_WRITES_ONCE},
    {"once_plus_zero", NOR_WRITES_ONCE_PLUS_ZERO},
};

static const scenario_name timing_names[] = {
    {"typical", NOR_TIMING_TYPICAL}, {"max", NOR_TIMING_MAX}, {"random", NOR_TIMING_RANDOM}};

size_t preset_names(scenario_name names[PRESET_NAMES_MAX]) {
    size_t count = nor_preset_count();
    if (count > PRESET_NAMES_MAX) count = PRESET_NAMES_MAX;
    for (size_t i = 0; i < count; i++) names[i] = (scenario_name){nor_preset_at(i)->name, (int)i};
    return count;
}

static bool parse_preset(scenario_ctx *c, const pjson_node *flash, scenario *sc) {
    scenario_name names[PRESET_NAMES_MAX];
    size_t count = preset_names(names);
    int index;
    if (!field_name(c, flash, "preset", "preset", names, count, -1, &index)) return false;
    const char *instead = ctx_preset_override(c);
    const nor_config *preset = instead ? nor_preset_find(instead) : nor_preset_at((size_t)index);
    if (!preset) {
        ctx_report(c, flash->pos, "no preset named '%s'", instead);
        return false;
    }
    sc->flash = *preset;
    snprintf(sc->preset, sizeof sc->preset, "%s", preset->name);
    return true;
}

/* The node of `key` if given, else the object itself: where a problem with it is reported. */
static pjson_pos where(const pjson_node *obj, const char *key) {
    const pjson_node *node = pjson_get(obj, key);
    return node ? node->pos : obj->pos;
}

static bool check_write_unit(scenario_ctx *c, const pjson_node *flash, nor_config *cfg) {
    bool ok = true;
    size_t mark = ctx_path_key(c, "write_unit");
    uint32_t w = cfg->write_unit;
    if (w == 0 || w > 32 || (w & (w - 1))) {
        ctx_report(c, where(flash, "write_unit"),
                   "%u is not allowed; expected 1, 2, 4, 8, 16 or 32", (unsigned)w);
        ok = false;
    }
    for (uint32_t r = 0; ok && r < cfg->region_count; r++) {
        if (cfg->regions[r].size % w) {
            ctx_report(c, where(flash, "write_unit"),
                       "%u does not divide the %u-byte sectors of preset '%s'", (unsigned)w,
                       (unsigned)cfg->regions[r].size, cfg->name);
            ok = false;
        }
    }
    ctx_path_restore(c, mark);
    if (ok && cfg->page_size % w) {
        mark = ctx_path_key(c, "page_size");
        ctx_report(c, where(flash, "page_size"),
                   "%u is not a multiple of the write unit (%u); expected 0 or a multiple",
                   (unsigned)cfg->page_size, (unsigned)w);
        ctx_path_restore(c, mark);
        ok = false;
    }
    return ok;
}

static bool check_write_policy(scenario_ctx *c, const pjson_node *flash, nor_config *cfg) {
    const pjson_node *given = pjson_get(flash, "max_writes_per_unit");
    if (cfg->write_policy == NOR_WRITES_LIMITED) {
        if (!given && cfg->max_writes_per_unit == 0) {
            ctx_report(c, where(flash, "write_policy"),
                       "write_policy 'limited' needs max_writes_per_unit (1..%u)",
                       NOR_MAX_WRITES_PER_UNIT);
            return false;
        }
        return true;
    }
    if (given) {
        size_t mark = ctx_path_key(c, "max_writes_per_unit");
        ctx_report(c, given->pos, "goes only with write_policy 'limited'");
        ctx_path_restore(c, mark);
        return false;
    }
    cfg->max_writes_per_unit = 0;
    return true;
}

bool parse_flash(scenario_ctx *c, const pjson_node *flash, scenario *sc) {
    if (!check_object(c, flash, "flash", flash_fields, NAME_COUNT(flash_fields))) return false;
    if (!parse_preset(c, flash, sc)) return false;
    nor_config *cfg = &sc->flash;
    uint32_t sectors = sector_total(cfg), erase_value = cfg->erase_value;
    int policy = (int)cfg->write_policy, timing = (int)cfg->timing.mode;
    bool ok = field_u32(c, flash, "sectors", 1, sectors, sectors, &sectors);
    ok &= field_u32(c, flash, "write_unit", 1, 32, cfg->write_unit, &cfg->write_unit);
    ok &= field_u32(c, flash, "page_size", 0, 1u << 20, cfg->page_size, &cfg->page_size);
    ok &= field_u32(c, flash, "erase_value", 0, 255, cfg->erase_value, &erase_value);
    ok &= field_name(c, flash, "write_policy", "write policy", write_policy_names,
                     NAME_COUNT(write_policy_names), policy, &policy);
    ok &= field_u32(c, flash, "max_writes_per_unit", 1, NOR_MAX_WRITES_PER_UNIT,
                    cfg->max_writes_per_unit, &cfg->max_writes_per_unit);
    ok &= field_bool(c, flash, "ecc", cfg->ecc, &cfg->ecc);
    ok &= field_bool(c, flash, "strict", cfg->strict, &cfg->strict);
    ok &= field_bool(c, flash, "erase_preprogram", cfg->erase_preprogram, &cfg->erase_preprogram);
    ok &= field_name(c, flash, "timing", "timing mode", timing_names, NAME_COUNT(timing_names),
                     timing, &timing);
    ok &=
        field_u32(c, flash, "endurance", 0, UINT32_MAX, cfg->wear.endurance, &cfg->wear.endurance);
    ok &= field_u32(c, flash, "wear_fail_ppm", 0, 1000000, cfg->wear.fail_ppm_per_cycle,
                    &cfg->wear.fail_ppm_per_cycle);
    if (!ok) return false;
    if (erase_value != 0 && erase_value != 0xFF) {
        size_t mark = ctx_path_key(c, "erase_value");
        ctx_report(c, where(flash, "erase_value"), "%u is not allowed; expected 0 or 255 (0xFF)",
                   (unsigned)erase_value);
        ctx_path_restore(c, mark);
        return false;
    }
    keep_sectors(cfg, sectors);
    cfg->erase_value = (uint8_t)erase_value;
    cfg->write_policy = (nor_write_policy)policy;
    cfg->timing.mode = (nor_timing_mode)timing;
    if (!check_write_unit(c, flash, cfg) || !check_write_policy(c, flash, cfg)) return false;
    int err = nor_config_validate(cfg);
    if (err) {
        ctx_report(c, flash->pos, "the flash configuration is inconsistent: %s", nor_strerror(err));
        return false;
    }
    return parse_image_path(c, flash, sc);
}

/* ---- engine ---------------------------------------------------------------------------- */

static const scenario_name engine_fields[] = {
    {"type", FIELD_REQUIRED},        {"start", FIELD_OPTIONAL},
    {"size", FIELD_OPTIONAL},        {"page_size", FIELD_OPTIONAL},
    {"cache", FIELD_OPTIONAL},       {"cache_max_keys", FIELD_OPTIONAL},
    {"cache_check", FIELD_OPTIONAL}, {"library", FIELD_OPTIONAL},
    {"api", FIELD_OPTIONAL},         {"partition", FIELD_OPTIONAL},
    {"write_back", FIELD_OPTIONAL},  {"key_rules", FIELD_OPTIONAL},
};

/* The engines a scenario can name. A new adapter adds a line here and one in the runner. A
 * plugin's capability is its "api" (the runner checks that the library provides it). */
#define ENGINE_PLUGIN (-1)
static const scenario_name engine_types[] = {
    {"map", SCENARIO_CAN_MAP}, {"queue", SCENARIO_CAN_QUEUE},
    {"kv", SCENARIO_CAN_KV},   {"naive-map", SCENARIO_CAN_MAP},
    {"plugin", ENGINE_PLUGIN}, {"kvmap", SCENARIO_CAN_MAP | SCENARIO_CAN_KVMAP},
    {"tdb", SCENARIO_CAN_TDB}, {"fs", SCENARIO_CAN_FS},
};

void scenario_engine_types_for(unsigned capabilities, char *out, size_t size) {
    size_t used = 0;
    if (size) out[0] = '\0';
    for (unsigned bit = 1; bit && bit <= capabilities; bit <<= 1) {
        if (!(capabilities & bit)) continue;
        for (size_t i = 0; i < NAME_COUNT(engine_types); i++) {
            if (engine_types[i].value == ENGINE_PLUGIN || !(engine_types[i].value & (int)bit))
                continue;
            if (used < size)
                used += (size_t)snprintf(out + used, size - used, "%s%s", used ? " or " : "",
                                         engine_types[i].name);
            break;
        }
    }
}

static const scenario_name plugin_apis[] = {
    {"map", SCENARIO_CAN_MAP},
    {"queue", SCENARIO_CAN_QUEUE},
};

/* "library" and "api": required and allowed with type "plugin" only. */
static bool parse_plugin(scenario_ctx *c, const pjson_node *engine, scenario_engine *e,
                         bool is_plugin) {
    const char *fields[] = {"library", "api"};
    for (size_t i = 0; !is_plugin && i < 2; i++) {
        const pjson_node *node = pjson_get(engine, fields[i]);
        if (!node) continue;
        size_t mark = ctx_path_key(c, fields[i]);
        ctx_report(c, node->pos, "'%s' is for engine type \"plugin\"; this engine is '%s'",
                   fields[i], e->type);
        ctx_path_restore(c, mark);
        return false;
    }
    if (!is_plugin) return true;
    if (!pjson_get(engine, "library")) {
        ctx_report(c, engine->pos,
                   "engine type \"plugin\" needs \"library\": the path of the shared object "
                   "(relative to this file's folder)");
        return false;
    }
    pjson_pos where;
    int api = SCENARIO_CAN_MAP;
    bool ok = field_file_path(c, engine, "library",
                              "the path of an engine plugin's shared object (a non-empty string)",
                              &e->library, &where);
    ok &= field_name(c, engine, "api", "plugin api", plugin_apis, NAME_COUNT(plugin_apis),
                     SCENARIO_CAN_MAP, &api);
    e->capabilities = (unsigned)api;
    return ok;
}

/* "key_rules": a boolean, for engine type "tdb" only. */
static bool parse_key_rules(scenario_ctx *c, const pjson_node *engine, scenario_engine *e) {
    const pjson_node *node = pjson_get(engine, "key_rules");
    if (node && e->capabilities != SCENARIO_CAN_TDB) {
        size_t mark = ctx_path_key(c, "key_rules");
        ctx_report(c, node->pos, "'key_rules' is for engine type \"tdb\"; this engine is '%s'",
                   e->type);
        ctx_path_restore(c, mark);
        return false;
    }
    return field_bool(c, engine, "key_rules", false, &e->key_rules);
}

static const scenario_name cache_names[] = {
    {"page_states", SCENARIO_CACHE_PAGE_STATES},
    {"page_pointers", SCENARIO_CACHE_PAGE_POINTERS},
    {"keys", SCENARIO_CACHE_KEYS},
};

/* Engines over a map, which have the key cache. */
#define KEYED (SCENARIO_CAN_MAP | SCENARIO_CAN_KV | SCENARIO_CAN_TDB | SCENARIO_CAN_FS)

#define CACHE_EXPECTED "\"all\", \"none\" or an array of page_states, page_pointers, keys"

static bool parse_cache(scenario_ctx *c, const pjson_node *engine, scenario_engine *out) {
    const pjson_node *node = pjson_get(engine, "cache");
    if (!node) return true;
    size_t mark = ctx_path_key(c, "cache");
    bool ok = true;
    if (node->type == PJSON_STRING) {
        static const scenario_name levels[] = {{"none", 0}, {"all", 7}};
        int flags = 0;
        ok = node_name(c, node, "cache level", levels, NAME_COUNT(levels), &flags);
        /* "all" is every cache this engine has: a queue has no key cache. */
        if (!(out->capabilities & KEYED)) flags &= ~(int)SCENARIO_CACHE_KEYS;
        out->cache_flags = (unsigned)flags;
    } else if (node->type == PJSON_ARRAY) {
        for (size_t i = 0; ok && i < node->count; i++) {
            size_t item_mark = ctx_path_index(c, i);
            int flag = 0;
            ok = node_name(c, node->items[i], "cache", cache_names, NAME_COUNT(cache_names), &flag);
            if (ok && (out->cache_flags & (unsigned)flag)) {
                ctx_report(c, node->items[i]->pos, "cache '%s' is listed twice",
                           node->items[i]->string);
                ok = false;
            }
            out->cache_flags |= (unsigned)flag;
            ctx_path_restore(c, item_mark);
        }
    } else {
        report_type(c, node, CACHE_EXPECTED);
        ok = false;
    }
    if (ok && (out->cache_flags & SCENARIO_CACHE_KEYS) && !(out->capabilities & KEYED)) {
        ctx_report(c, node->pos,
                   "the 'keys' cache needs a map, kv or tdb engine; this engine is '%s'",
                   out->type);
        ok = false;
    }
    ctx_path_restore(c, mark);
    return ok;
}

/* A page of `page_size` bytes at `page` is whole sectors of one size. */
static bool page_is_whole(const nor_config *cfg, uint32_t page, uint32_t page_size) {
    uint32_t addr = page, index, start, size, first_size = 0;
    while (addr - page < page_size) {
        if (!flash_sector_at(cfg, addr, &index, &start, &size) || start != addr ||
            (first_size && size != first_size) || size > page_size - (addr - page))
            return false;
        first_size = size;
        addr += size;
    }
    return true;
}

/* The field a range problem is reported at: `key`, or `partition` when the range is a partition
 * and `key` is not given (its default comes from the partition, which the user named). */
static const char *range_field(const pjson_node *engine, const scenario_engine *e,
                               const char *key) {
    return e->partition[0] && !pjson_get(engine, key) ? "partition" : key;
}

/* Every page of the range must be whole sectors of one size. */
static bool check_pages(scenario_ctx *c, const pjson_node *engine, const nor_config *cfg,
                        const scenario_engine *e) {
    for (uint32_t page = e->start; page < e->start + e->size; page += e->page_size) {
        if (!page_is_whole(cfg, page, e->page_size)) {
            const char *field = range_field(engine, e, "page_size");
            size_t mark = ctx_path_key(c, field);
            ctx_report(c, where(engine, field),
                       "a page of %u bytes at 0x%X is not made of whole sectors of one size%s%s%s",
                       (unsigned)e->page_size, (unsigned)page,
                       e->partition[0] ? " (the engine's pages over partition '" : "", e->partition,
                       e->partition[0] ? "')" : "");
            ctx_path_restore(c, mark);
            return false;
        }
    }
    return true;
}

/* The default size: the pages from `start` up to the first one that is not whole sectors of
 * one size (on STM32F4's 16/64/128 KiB sectors, the four 16 KiB ones from 0). */
static uint32_t default_size(const nor_config *cfg, const scenario_engine *e, uint32_t total) {
    uint32_t size = 0;
    while (e->page_size <= total - e->start - size &&
           page_is_whole(cfg, e->start + size, e->page_size))
        size += e->page_size;
    return size;
}

static bool check_range(scenario_ctx *c, const pjson_node *engine, const nor_config *cfg,
                        scenario_engine *e) {
    uint32_t total = flash_total_bytes(cfg), index = 0, start = 0, size = 0;
    size_t mark = ctx_path_key(c, "start");
    bool ok = e->start < total;
    if (!ok)
        ctx_report(c, where(engine, "start"), "%u is past the end of the flash (%u bytes)",
                   (unsigned)e->start, (unsigned)total);
    else if (flash_sector_at(cfg, e->start, &index, &start, &size) && start != e->start) {
        ctx_report(c, where(engine, "start"),
                   "%u is not the start of a sector; sector %u starts at %u", (unsigned)e->start,
                   (unsigned)index, (unsigned)start);
        ok = false;
    }
    ctx_path_restore(c, mark);
    if (!ok) return false;
    if (!pjson_get(engine, "page_size")) e->page_size = size;
    if (!pjson_get(engine, "size") && !e->partition[0]) {
        e->size = default_size(cfg, e, total);
        if (e->size / e->page_size >= 2) return true;
        ctx_report(c, engine->pos,
                   "the default range (the whole pages of %u bytes from address %u, each of "
                   "sectors of one size) holds %u page%s; at least 2 are needed: set "
                   "engine.page_size or engine.size, or give the flash more sectors",
                   (unsigned)e->page_size, (unsigned)e->start, (unsigned)(e->size / e->page_size),
                   e->size / e->page_size == 1 ? "" : "s");
        return false;
    }
    const char *size_field = range_field(engine, e, "size");
    mark = ctx_path_key(c, size_field);
    if ((uint64_t)e->start + e->size > total) {
        ctx_report(c, where(engine, size_field),
                   "%u bytes from address %u run past the end of the flash (%u bytes)",
                   (unsigned)e->size, (unsigned)e->start, (unsigned)total);
        ok = false;
    } else if (e->size % e->page_size || e->size / e->page_size < 2) {
        ctx_report(c, where(engine, size_field),
                   "%u bytes%s%s%s is not a whole number (at least 2) of %u-byte pages",
                   (unsigned)e->size, e->partition[0] ? " (partition '" : "", e->partition,
                   e->partition[0] ? "')" : "", (unsigned)e->page_size);
        ok = false;
    }
    ctx_path_restore(c, mark);
    return ok && check_pages(c, engine, cfg, e);
}

bool parse_engine(scenario_ctx *c, const pjson_node *engine, scenario *sc) {
    scenario_engine *e = &sc->engine;
    if (!check_object(c, engine, "engine", engine_fields, NAME_COUNT(engine_fields))) return false;
    int capabilities;
    if (!field_name(c, engine, "type", "engine type", engine_types, NAME_COUNT(engine_types), 0,
                    &capabilities))
        return false;
    e->capabilities = (unsigned)capabilities;
    snprintf(e->type, sizeof e->type, "%s", pjson_get(engine, "type")->string);
    if (!parse_plugin(c, engine, e, capabilities == ENGINE_PLUGIN)) return false;
    bool ok = field_u32(c, engine, "start", 0, UINT32_MAX, 0, &e->start);
    ok &= field_u32(c, engine, "size", 1, UINT32_MAX, 0, &e->size);
    ok &= field_u32(c, engine, "page_size", 1, UINT32_MAX, 0, &e->page_size);
    ok &= parse_cache(c, engine, e);
    ok &= field_u32(c, engine, "cache_max_keys", 1, 1000000, 64, &e->cache_max_keys);
    ok &= field_bool(c, engine, "cache_check", false, &e->cache_check);
    ok &= parse_key_rules(c, engine, e);
    ok &= resolve_engine_partition(c, engine, e);
    ok &= parse_write_back(c, engine, e);
    if (!ok) return false;
    if (!c->flash_ok) return true; /* types are fine; the range cannot be checked */
    return check_range(c, engine, &sc->flash, e);
}
