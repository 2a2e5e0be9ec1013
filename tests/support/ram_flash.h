/* A RAM flash with NOR rules for engine tests that do not need the full NOR model: programming
 * only moves bits away from the erase value, write-unit alignment, ONE program per write unit
 * between erases (or `programs_per_unit`, set after init; a program past it is refused unless it
 * programs every bit of the unit, as STM32L4 allows an all-zero overwrite), page erase, erase
 * counts, and a countdown that tears the N-th program or erase (nothing, a prefix, a random subset
 * of bits, or weak bits that read randomly until the next erase) and then keeps the power off until
 * ram_flash_power_on(). */
#ifndef TESTS_RAM_FLASH_H
#define TESTS_RAM_FLASH_H

#include "nbs.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum ram_torn {
    RAM_TORN_NONE,   /* the operation does nothing */
    RAM_TORN_PREFIX, /* program: a random prefix of bytes; erase: a random prefix erased */
    RAM_TORN_BITS,   /* a random subset of the bit changes */
    RAM_TORN_WEAK,   /* like BITS, and the other target bits read randomly until erased */
    RAM_TORN_FULL,   /* the operation completes, then the power goes */
} ram_torn;

typedef struct ram_flash {
    uint8_t *mem, *weak;       /* contents; bits that read randomly */
    uint8_t *unit_written;     /* programs of each write unit since its erase */
    uint8_t programs_per_unit; /* 1 from ram_flash_init (ECC words); the engine's figure too */
    uint32_t *erase_counts;
    uint32_t pages, page_size, write_unit;
    uint8_t erase_value;
    bool powered;
    long countdown; /* ops until the torn one; < 0: none armed */
    ram_torn torn;
    uint64_t rng;
    uint64_t reads, programs, erases, refused;
} ram_flash;

int ram_flash_init(ram_flash *rf, uint32_t pages, uint32_t page_size, uint32_t write_unit,
                   uint8_t erase_value, uint64_t seed);
void ram_flash_free(ram_flash *rf);
/* The engine's view of the whole device (start 0). */
nbs_flash ram_flash_bind(ram_flash *rf);
/* After `ops` more programs/erases, the next one is torn in `mode` and the power goes off. */
void ram_flash_arm_cut(ram_flash *rf, long ops, ram_torn mode);
void ram_flash_power_on(ram_flash *rf);

#endif
