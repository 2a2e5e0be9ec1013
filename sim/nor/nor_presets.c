/* Built-in device presets. Figures come from vendor datasheets and reference manuals; each
 * preset's `source` names the document and flags the figures still to be checked against it
 * "(check)". Read times and the SPI parts' bus times (per read call, per
 * program byte) are not in the reference: they are estimates. The internal-flash presets
 * charge nothing per read call or per program byte (no datasheet figure); none pre-programs
 * before an erase (no datasheet in the reference says so). */
#include "nor.h"

#include <string.h>

#define KIB                1024u
#define FAIL_PPM_PER_CYCLE 100u /* past endurance: +0.01% failure chance per extra erase */

static const nor_config presets[] = {
    {
        .name = "w25q128jv",
        .regions = {{4096, 4 * KIB, 0, 0}},
        .region_count = 1,
        .write_unit = 1,
        .page_size = 256,
        .erase_value = 0xFF,
        .write_policy = NOR_WRITES_UNLIMITED,
        .timing = {.program_us_typ = 400,
                   .program_us_max = 3000,
                   .erase_us_typ = 45000,
                   .erase_us_max = 400000,
                   .read_ns_per_byte = 15,
                   .program_ns_per_byte = 60,
                   .read_ns_per_call = 150},
        .wear = {.endurance = 100000, .fail_ppm_per_cycle = FAIL_PPM_PER_CYCLE},
        .source = "Winbond W25Q128JV datasheet: 16 MiB, 4 KiB sector erase 45/400 ms, 256-byte "
                  "page program 0.4/3 ms (some revisions 0.7 ms typ), page wrap, 100k cycles. "
                  "Bus times are estimates (check), not in the reference: read 15 ns/byte (quad "
                  "I/O at 133 MHz) plus 150 ns per read (instruction, address, mode and dummy "
                  "clocks, chip-select high time); program data 60 ns/byte (Page Program 02h, "
                  "one bit per clock at 133 MHz).",
    },
    {
        .name = "w25q16jv",
        .regions = {{512, 4 * KIB, 0, 0}},
        .region_count = 1,
        .write_unit = 1,
        .page_size = 256,
        .erase_value = 0xFF,
        .write_policy = NOR_WRITES_UNLIMITED,
        .timing = {.program_us_typ = 400,
                   .program_us_max = 3000,
                   .erase_us_typ = 45000,
                   .erase_us_max = 400000,
                   .read_ns_per_byte = 15,
                   .program_ns_per_byte = 60,
                   .read_ns_per_call = 150},
        .wear = {.endurance = 100000, .fail_ppm_per_cycle = FAIL_PPM_PER_CYCLE},
        .source = "Winbond W25Q16JV datasheet (RP2040 boards' external flash): 2 MiB, timing and "
                  "rules as W25Q128JV. Bus times are estimates (check) as for W25Q128JV: read 15 "
                  "ns/byte plus 150 ns per read, program data 60 ns/byte.",
    },
    {
        .name = "stm32f4-1m",
        .regions = {{4, 16 * KIB, 250000, 500000},
                    {1, 64 * KIB, 550000, 1100000},
                    {7, 128 * KIB, 1000000, 2000000}},
        .region_count = 3,
        .write_unit = 4,
        .page_size = 0,
        .erase_value = 0xFF,
        .write_policy = NOR_WRITES_UNLIMITED,
        .timing = {.program_us_typ = 16,
                   .program_us_max = 100,
                   .erase_us_typ = 1000000,
                   .erase_us_max = 2000000,
                   .read_ns_per_byte = 2},
        .wear = {.endurance = 10000, .fail_ppm_per_cycle = FAIL_PPM_PER_CYCLE},
        .source = "STM32F405/407 reference manual (RM0090) and datasheet: sectors 4x16K, 1x64K, "
                  "7x128K; x32 word program 16/100 us; 128 KiB erase 1/2 s; 16 KiB erase "
                  "250/500 ms (check); 64 KiB erase 550/1100 ms (check); no ECC; 10k cycles. "
                  "Read 2 ns/byte is an estimate.",
    },
    {
        .name = "stm32l4-1m",
        .regions = {{512, 2 * KIB, 0, 0}},
        .region_count = 1,
        .write_unit = 8,
        .page_size = 0,
        .erase_value = 0xFF,
        .write_policy = NOR_WRITES_ONCE_PLUS_ZERO,
        .ecc = true,
        .timing = {.program_us_typ = 82,
                   .program_us_max = 82,
                   .erase_us_typ = 22000,
                   .erase_us_max = 24500,
                   .read_ns_per_byte = 2},
        .wear = {.endurance = 10000, .fail_ppm_per_cycle = FAIL_PPM_PER_CYCLE},
        .source = "STM32L476 reference manual (RM0351) and datasheet: 2 KiB pages, 64-bit double "
                  "word with 8 ECC bits programmed once, then only an all-zero overwrite "
                  "(PROGERR otherwise); double-word program 81.7 us (check; no maximum given, "
                  "typical used for both); page erase 22.0/24.5 ms; 10k cycles. Read 2 ns/byte "
                  "is an estimate.",
    },
    {
        .name = "stm32h7-2m",
        .regions = {{16, 128 * KIB, 0, 0}},
        .region_count = 1,
        .write_unit = 32,
        .page_size = 0,
        .erase_value = 0xFF,
        .write_policy = NOR_WRITES_ONCE,
        .ecc = true,
        .timing = {.program_us_typ = 16,
                   .program_us_max = 16,
                   .erase_us_typ = 2000000,
                   .erase_us_max = 4000000,
                   .read_ns_per_byte = 1},
        .wear = {.endurance = 10000, .fail_ppm_per_cycle = FAIL_PPM_PER_CYCLE},
        .source = "STM32H743 reference manual (RM0433) and datasheet: 2 MiB in 2 banks of 8 x "
                  "128 KiB sectors; 256-bit flash word with 10 ECC bits, programmed once; "
                  "flash-word program 16 us (check; no maximum given); sector erase 2/4 s "
                  "(check); 10k cycles. Read 1 ns/byte is an estimate.",
    },
    {
        .name = "nrf52840",
        .regions = {{256, 4 * KIB, 0, 0}},
        .region_count = 1,
        .write_unit = 4,
        .page_size = 0,
        .erase_value = 0xFF,
        .write_policy = NOR_WRITES_LIMITED,
        .max_writes_per_unit = 2,
        .timing = {.program_us_typ = 41,
                   .program_us_max = 41,
                   .erase_us_typ = 85000,
                   .erase_us_max = 85000,
                   .read_ns_per_byte = 4},
        .wear = {.endurance = 10000, .fail_ppm_per_cycle = FAIL_PPM_PER_CYCLE},
        .source = "Nordic nRF52840 product specification (NVMC): 4 KiB pages, 32-bit "
                  "word-aligned writes, nWRITE = 2 writes per word between erases; word write "
                  "41 us max and page erase 85 ms max (only maxima given, used as typical too; "
                  "Zephyr uses 89.7 ms); 10k cycles. Read 4 ns/byte is an estimate.",
    },
    {
        .name = "samd21",
        .regions = {{1024, 256, 0, 0}},
        .region_count = 1,
        .write_unit = 4,
        .page_size = 0,
        .erase_value = 0xFF,
        .write_policy = NOR_WRITES_LIMITED,
        .max_writes_per_unit = 8,
        .timing = {.program_us_typ = 157,
                   .program_us_max = 157,
                   .erase_us_typ = 6000,
                   .erase_us_max = 6000,
                   .read_ns_per_byte = 10},
        .wear = {.endurance = 25000, .fail_ppm_per_cycle = FAIL_PPM_PER_CYCLE},
        .source = "Microchip SAM D21 datasheet (NVMCTRL): 256 KiB, rows of 4 x 64-byte pages "
                  "(the row is the erase unit), page write through a page buffer, at most 8 "
                  "writes per row between erases. The model counts writes per 4-byte unit, not "
                  "per row, so LIMITED 8 is the strictest per-unit rule that never refuses what "
                  "the part accepts; it misses 9+ writes spread over one row. Page write 2.5 ms "
                  "is charged as 157 us per 4-byte unit (2.5 ms / 16 words); row erase 6 ms; "
                  "25k cycles (check). Read 10 ns/byte is an estimate.",
    },
    {
        .name = "tiny",
        .regions = {{4, 256, 0, 0}},
        .region_count = 1,
        .write_unit = 1,
        .page_size = 0,
        .erase_value = 0xFF,
        .write_policy = NOR_WRITES_UNLIMITED,
        .timing = {.program_us_typ = 1,
                   .program_us_max = 2,
                   .erase_us_typ = 10,
                   .erase_us_max = 20,
                   .read_ns_per_byte = 1},
        .wear = {.endurance = 0, .fail_ppm_per_cycle = 0},
        .source = "Test geometry, no real part: 4 x 256-byte sectors, byte writes, rewrites "
                  "allowed, fast made-up timing, no wear-out.",
    },
};

size_t nor_preset_count(void) {
    return sizeof presets / sizeof presets[0];
}

const nor_config *nor_preset_at(size_t index) {
    return index < nor_preset_count() ? &presets[index] : NULL;
}

const nor_config *nor_preset_find(const char *name) {
    if (!name) return NULL;
    for (size_t i = 0; i < nor_preset_count(); i++)
        if (strcmp(presets[i].name, name) == 0) return &presets[i];
    return NULL;
}
