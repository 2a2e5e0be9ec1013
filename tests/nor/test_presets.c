/* Presets and configuration checks: every preset validates, its geometry adds up to the
 * device's datasheet size, and its rules match the reference table. */
#include "nor_test_util.h"

typedef struct expected_geometry {
    const char *name;
    uint32_t total_bytes;
    uint32_t sectors;
    uint32_t write_unit;
} expected_geometry;

static const expected_geometry expected[] = {
    {"w25q128jv", 16u << 20, 4096, 1}, {"w25q16jv", 2u << 20, 512, 1},
    {"stm32f4-1m", 1u << 20, 12, 4},   {"stm32l4-1m", 1u << 20, 512, 8},
    {"stm32h7-2m", 2u << 20, 16, 32},  {"nrf52840", 1u << 20, 256, 4},
    {"samd21", 256u << 10, 1024, 4},   {"tiny", 1024, 4, 1},
};

Test(presets, all_listed_and_validate) {
    size_t n = sizeof expected / sizeof expected[0];
    cr_assert_eq(nor_preset_count(), n);
    for (size_t i = 0; i < n; i++) {
        const nor_config *cfg = nor_preset_find(expected[i].name);
        cr_assert_not_null(cfg, "%s", expected[i].name);
        cr_assert_eq(nor_preset_at(i), cfg, "presets are listed in reference order");
        cr_assert_eq(nor_config_validate(cfg), NOR_OK, "%s", cfg->name);
        cr_assert_eq(nor_config_total_bytes(cfg), expected[i].total_bytes, "%s", cfg->name);
        cr_assert_eq(nor_config_sector_count(cfg), expected[i].sectors, "%s", cfg->name);
        cr_assert_eq(cfg->write_unit, expected[i].write_unit, "%s", cfg->name);
        cr_assert_not_null(cfg->source);
        cr_assert_gt(strlen(cfg->source), 20);
        nor *dev = test_create(cfg, 1);
        cr_assert_eq(nor_size(dev), expected[i].total_bytes);
        cr_assert_eq(nor_sector_count(dev), expected[i].sectors);
        uint32_t index, start, size;
        cr_assert_eq(nor_sector_at(dev, nor_size(dev) - 1, &index, &start, &size), NOR_OK);
        cr_assert_eq(index, expected[i].sectors - 1);
        cr_assert_eq(start + size, nor_size(dev));
        nor_destroy(dev);
    }
    cr_assert_null(nor_preset_find("no-such-part"));
    cr_assert_null(nor_preset_at(n));
}

Test(presets, rules_follow_reference) {
    cr_assert_eq(nor_preset_find("w25q128jv")->page_size, 256);
    cr_assert_eq(nor_preset_find("w25q128jv")->wear.endurance, 100000);
    cr_assert_eq(nor_preset_find("stm32l4-1m")->write_policy, NOR_WRITES_ONCE_PLUS_ZERO);
    cr_assert(nor_preset_find("stm32l4-1m")->ecc);
    cr_assert_eq(nor_preset_find("stm32h7-2m")->write_policy, NOR_WRITES_ONCE);
    cr_assert(nor_preset_find("stm32h7-2m")->ecc);
    cr_assert_eq(nor_preset_find("nrf52840")->write_policy, NOR_WRITES_LIMITED);
    cr_assert_eq(nor_preset_find("nrf52840")->max_writes_per_unit, 2);
    cr_assert_eq(nor_preset_find("tiny")->wear.endurance, 0);
    const nor_config *f4 = nor_preset_find("stm32f4-1m");
    cr_assert_eq(f4->region_count, 3);
    cr_assert_eq(f4->regions[0].erase_us_typ, 250000);
    cr_assert(strstr(f4->source, "(check)") != NULL);
}

Test(presets, validate_rejects_bad_configs) {
    nor_config good = test_tiny_config(), cfg;
    cr_assert_eq(nor_config_validate(&good), NOR_OK);
    cr_assert_eq(nor_config_validate(NULL), NOR_E_CONFIG);
    cfg = good, cfg.region_count = 0;
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    cfg = good, cfg.region_count = NOR_MAX_REGIONS + 1;
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    cfg = good, cfg.write_unit = 3;
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    cfg = good, cfg.write_unit = 64;
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    cfg = good, cfg.regions[0].size = 100, cfg.write_unit = 8;
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    cfg = good, cfg.page_size = 512;
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    cfg = good, cfg.erase_value = 0x0F;
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    cfg = good, cfg.regions[0].count = 0;
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    cfg = good, cfg.regions[0] = (nor_region){0x10000, 0x10000, 0, 0}; /* 4 GiB */
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    cr_assert_eq(nor_config_total_bytes(&cfg), 0);
    cfg = good, cfg.timing.program_us_typ = 5, cfg.timing.program_us_max = 4;
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    cfg = good, cfg.regions[0].erase_us_typ = 5;
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    cfg = good, memset(cfg.name, 'x', sizeof cfg.name);
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    nor *dev = (nor *)&cfg;
    cfg = good, cfg.write_policy = (nor_write_policy)9;
    cr_assert_eq(nor_create(&dev, &cfg, 1), NOR_E_CONFIG);
    cr_assert_null(dev);
}
