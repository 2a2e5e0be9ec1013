/* The preset table of the engine tests (see engine_presets.h). */
#include "engine_presets.h"

#include <string.h>

ef_preset_case ef_preset_cases[] = {
    {"w25q128jv", 4, 0},  {"w25q16jv", 4, 0},   {"stm32f4-1m", 3, 128 * 1024},
    {"stm32l4-1m", 4, 0}, {"stm32h7-2m", 3, 0}, {"nrf52840", 4, 0},
    {"samd21", 4, 0},     {"tiny", 4, 0},
};
const size_t ef_preset_case_count = sizeof ef_preset_cases / sizeof ef_preset_cases[0];

void ef_open_preset(engine_fixture *f, const ef_preset_case *pc, ef_kind kind,
                    ef_cache_level cache) {
    nor_config cfg = ef_preset_config(pc->preset);
    ef_options opts;
    memset(&opts, 0, sizeof opts);
    opts.kind = kind;
    opts.pages = pc->pages;
    opts.min_sector_size = pc->min_sector_size;
    opts.cache = cache;
    opts.seed = 1;
    ef_open(f, &cfg, &opts);
}
