/* Test fixture for the storage engine on the NOR model: builds a device from a preset (with
 * optional geometry overrides), binds a page-aligned range of P pages, mounts a map or a queue
 * with a chosen cache level (check mode on) and work buffer, and cuts and restores power. */
#ifndef TESTS_ENGINE_FIXTURE_H
#define TESTS_ENGINE_FIXTURE_H

#include "nbs.h"
#include "nbs_nor.h"
#include "nor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ef_kind { EF_MAP, EF_QUEUE } ef_kind;

/* Cache levels, from none to every cache the store supports. */
typedef enum ef_cache_level {
    EF_CACHE_NONE,
    EF_CACHE_STATES,          /* page states */
    EF_CACHE_STATES_POINTERS, /* page states + page pointers */
    EF_CACHE_ALL,             /* + key locations (map only; same as the above for a queue) */
    EF_CACHE_LEVELS
} ef_cache_level;

unsigned ef_cache_flags(ef_cache_level level, ef_kind kind);
const char *ef_cache_level_name(ef_cache_level level);

/* A copy of preset `name` (the test fails when it is unknown). */
nor_config ef_preset_config(const char *name);
/* Replaces the config's sector layout with `count` equal sectors of `size` bytes. */
void ef_config_set_uniform_sectors(nor_config *cfg, uint32_t size, uint32_t count);
/* A test geometry: `count` sectors of `sector_size`, the given write unit and policy, fast
 * timing, no wear-out. */
nor_config ef_custom_config(uint32_t write_unit, uint32_t sector_size, uint32_t count,
                            nor_write_policy policy, bool strict);

typedef struct ef_options {
    ef_kind kind;
    uint32_t pages;           /* P, at least 2 */
    uint32_t page_size;       /* 0: one sector of the chosen region */
    uint32_t min_sector_size; /* choose a region whose sectors are at least this big */
    uint32_t offset;          /* bytes into the chosen region where the range starts */
    ef_cache_level cache;
    uint32_t cache_max_keys; /* key-location entries for EF_CACHE_ALL; 0: 64 */
    size_t work_extra;       /* bytes beyond nbs_work_bytes_min() in the work buffer */
    uint64_t seed;           /* the device's PRNG seed */
} ef_options;

typedef struct engine_fixture {
    nor *dev;
    bool owns_device;
    nbs_nor binding; /* binding.flash is what the engine is given */
    ef_options options;
    nbs_config config;
    void *work;
    void *cache_mem;
    size_t cache_bytes;
    nbs_map map;
    nbs_queue queue;
    uint32_t pages;
    uint32_t page_size;
    uint32_t first_sector, sector_count; /* sectors of the range */
} engine_fixture;

/* Creates a device from cfg and sets the fixture up on it (not mounted). Fails the test on a
 * bad configuration. */
void ef_open(engine_fixture *f, const nor_config *cfg, const ef_options *opts);
/* Sets a fixture up on an existing device (e.g. a second store beside another one). */
void ef_open_on(engine_fixture *f, nor *dev, const ef_options *opts);
void ef_close(engine_fixture *f);
/* A store of `pages` pages, one sector of `sector_size` bytes each, on an ef_custom_config()
 * device (strict, device seed 1), mounted with the given cache level (the test fails when the
 * mount does). */
void ef_open_custom(engine_fixture *f, ef_kind kind, uint32_t write_unit, uint32_t sector_size,
                    uint32_t pages, nor_write_policy policy, ef_cache_level cache);

/* Mounts the map or queue as after a reboot: the store struct, the work buffer and the cache
 * memory are first filled with garbage so nothing survives in RAM. Returns the engine's code. */
int ef_mount(engine_fixture *f);

/* Tears the next program or erase after `ops` more flash operations in the given modes. */
void ef_arm_cut(engine_fixture *f, uint64_t ops, nor_torn_program prog, nor_torn_erase erase);
/* Restores power and mounts again. */
int ef_power_on_and_mount(engine_fixture *f);

void ef_stats(const engine_fixture *f, nor_stats *out);
/* Smallest and largest erase count over the sectors of the store's range. */
void ef_range_erase_counts(const engine_fixture *f, uint32_t *min, uint32_t *max);

/* A one-line description of the fixture's geometry, for failure messages. */
const char *ef_describe(const engine_fixture *f, char *buf, size_t size);

#endif
