/* A RAM flash with NOR rules for engine tests; see ram_flash.h. */
#include "ram_flash.h"

#include <stdlib.h>
#include <string.h>

static uint32_t next_random(ram_flash *rf) {
    rf->rng ^= rf->rng << 13, rf->rng ^= rf->rng >> 7, rf->rng ^= rf->rng << 17;
    return (uint32_t)(rf->rng >> 16);
}

int ram_flash_init(ram_flash *rf, uint32_t pages, uint32_t page_size, uint32_t write_unit,
                   uint8_t erase_value, uint64_t seed) {
    uint32_t size = pages * page_size;
    memset(rf, 0, sizeof *rf);
    rf->mem = malloc(size);
    rf->weak = calloc(size, 1);
    rf->unit_written = calloc(size / write_unit, 1);
    rf->erase_counts = calloc(pages, sizeof *rf->erase_counts);
    if (!rf->mem || !rf->weak || !rf->unit_written || !rf->erase_counts) return -1;
    memset(rf->mem, erase_value, size);
    rf->pages = pages, rf->page_size = page_size, rf->write_unit = write_unit;
    rf->erase_value = erase_value;
    rf->programs_per_unit = 1;
    rf->powered = true;
    rf->countdown = -1;
    rf->rng = seed * 2654435761u + 88172645463325252ull;
    return 0;
}

void ram_flash_free(ram_flash *rf) {
    free(rf->mem), free(rf->weak), free(rf->unit_written), free(rf->erase_counts);
    memset(rf, 0, sizeof *rf);
}

void ram_flash_arm_cut(ram_flash *rf, long ops, ram_torn mode) {
    rf->countdown = ops;
    rf->torn = mode;
}

void ram_flash_power_on(ram_flash *rf) {
    rf->powered = true;
    rf->countdown = -1;
}

/* True when this operation is the torn one (the power then goes off). */
static bool tears_now(ram_flash *rf) {
    if (rf->countdown < 0) return false;
    if (rf->countdown-- > 0) return false;
    rf->powered = false;
    return true;
}

static int flash_read(void *ctx, uint32_t addr, void *buf, uint32_t len) {
    ram_flash *rf = ctx;
    if (!rf->powered) return NBS_E_IO;
    if ((uint64_t)addr + len > (uint64_t)rf->pages * rf->page_size) return NBS_E_INVAL;
    uint8_t *out = buf;
    for (uint32_t i = 0; i < len; i++)
        out[i] = rf->mem[addr + i] ^ (uint8_t)(rf->weak[addr + i] & next_random(rf));
    rf->reads++;
    return 0;
}

/* A unit may be programmed once more with every bit programmed (STM32L4's all-zero overwrite;
 * the engine's kill, SPEC section 6.4): that needs no bit to return to the erase value. */
static bool all_programmed(const ram_flash *rf, const uint8_t *unit) {
    for (uint32_t i = 0; i < rf->write_unit; i++)
        if ((uint8_t)(unit[i] ^ rf->erase_value) != 0xFF) return false;
    return true;
}

static int flash_program(void *ctx, uint32_t addr, const void *data, uint32_t len) {
    ram_flash *rf = ctx;
    const uint8_t *in = data;
    uint8_t e = rf->erase_value;
    if (!rf->powered) return NBS_E_IO;
    if (addr % rf->write_unit || len % rf->write_unit ||
        (uint64_t)addr + len > (uint64_t)rf->pages * rf->page_size)
        return NBS_E_INVAL;
    for (uint32_t u = addr / rf->write_unit; u < (addr + len) / rf->write_unit; u++)
        if (rf->unit_written[u] >= rf->programs_per_unit &&
            !all_programmed(rf, in + (u * rf->write_unit - addr))) {
            rf->refused++;
            return NBS_E_IO;
        }
    bool torn = tears_now(rf);
    ram_torn mode = torn ? rf->torn : RAM_TORN_FULL;
    uint32_t prefix = mode == RAM_TORN_PREFIX ? next_random(rf) % (len + 1) : len;
    if (mode == RAM_TORN_NONE) prefix = 0;
    for (uint32_t i = 0; i < len; i++) {
        uint8_t target = (uint8_t)((in[i] ^ e) & ~(rf->mem[addr + i] ^ e)); /* bits to flip */
        uint8_t done = target;
        if (i >= prefix) done = 0;
        if (mode == RAM_TORN_BITS || mode == RAM_TORN_WEAK) done &= (uint8_t)next_random(rf);
        rf->mem[addr + i] ^= done;
        rf->weak[addr + i] &= (uint8_t)~done;
        if (mode == RAM_TORN_WEAK) rf->weak[addr + i] |= target & (uint8_t)~done;
    }
    /* Units the program reached count as programmed, torn or not (NONE reaches none). */
    uint32_t reached = mode == RAM_TORN_PREFIX || mode == RAM_TORN_NONE ? prefix : len;
    for (uint32_t u = addr / rf->write_unit; u * rf->write_unit < addr + reached; u++)
        if (rf->unit_written[u] < 255) rf->unit_written[u]++;
    rf->programs++;
    return torn ? NBS_E_IO : 0;
}

static int flash_erase(void *ctx, uint32_t page_addr) {
    ram_flash *rf = ctx;
    if (!rf->powered) return NBS_E_IO;
    if (page_addr % rf->page_size || page_addr / rf->page_size >= rf->pages) return NBS_E_INVAL;
    bool torn = tears_now(rf);
    ram_torn mode = torn ? rf->torn : RAM_TORN_FULL;
    uint32_t n = rf->page_size, prefix = mode == RAM_TORN_PREFIX ? next_random(rf) % (n + 1) : n;
    if (mode == RAM_TORN_NONE) prefix = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *b = &rf->mem[page_addr + i];
        if (mode == RAM_TORN_BITS || mode == RAM_TORN_WEAK)
            *b ^= (uint8_t)((*b ^ rf->erase_value) & next_random(rf));
        else if (i < prefix)
            *b = rf->erase_value;
        if (mode == RAM_TORN_WEAK) rf->weak[page_addr + i] = (uint8_t)(*b ^ rf->erase_value);
        if (mode == RAM_TORN_WEAK)
            *b = rf->erase_value;
        else if (i < prefix || mode != RAM_TORN_NONE)
            rf->weak[page_addr + i] = 0;
    }
    if (mode == RAM_TORN_FULL) /* only a complete erase makes units programmable again */
        for (uint32_t u = page_addr / rf->write_unit; u < (page_addr + n) / rf->write_unit; u++)
            rf->unit_written[u] = 0;
    rf->erase_counts[page_addr / rf->page_size]++;
    rf->erases++;
    return torn ? NBS_E_IO : 0;
}

nbs_flash ram_flash_bind(ram_flash *rf) {
    return (nbs_flash){
        .ctx = rf,
        .read = flash_read,
        .program = flash_program,
        .erase = flash_erase,
        .start = 0,
        .size = rf->pages * rf->page_size,
        .page_size = rf->page_size,
        .write_unit = rf->write_unit,
        .erase_value = rf->erase_value,
        .programs_per_unit = rf->programs_per_unit,
    };
}
