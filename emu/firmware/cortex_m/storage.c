/* The storage engine's flash on every board: the linker script's STORAGE region (its start,
 * end, page size, write unit and programs per unit are the script's symbols), read straight from
 * the memory map, programmed and erased through the board's flash driver (board_flash_program and
 * board_flash_erase in the board's flash.c); a read during which the part reported an ECC
 * error fails with NBS_E_ECC. */
#include "board.h"

#include <string.h>

extern uint8_t __storage_start[], __storage_end[], __storage_page_size[], __storage_write_unit[],
    __storage_programs_per_unit[];

/* A load from a double word ECC cannot correct raises the part's NMI (the stm32l4), whose
 * handler counts it: the read fails as the host's NOR model's would, and the engine reads
 * around it. The ISB makes sure the NMI has been taken before the count is looked at. */
static int flash_read(void *ctx, uint32_t addr, void *buf, uint32_t len) {
    (void)ctx;
    uint32_t errors = board_flash_ecc_errors();
    memcpy(buf, (const void *)addr, len);
    __asm volatile("dsb\n\tisb" ::: "memory");
    return board_flash_ecc_errors() != errors ? NBS_E_ECC : 0;
}

static int flash_program(void *ctx, uint32_t addr, const void *data, uint32_t len) {
    (void)ctx;
    return board_flash_program(addr, data, len);
}

static int flash_erase(void *ctx, uint32_t page_addr) {
    (void)ctx;
    return board_flash_erase(page_addr);
}

void board_storage_flash(nbs_flash *flash) {
    *flash = (nbs_flash){
        .read = flash_read,
        .program = flash_program,
        .erase = flash_erase,
        .start = (uint32_t)__storage_start,
        .size = (uint32_t)(__storage_end - __storage_start),
        .page_size = (uint32_t)__storage_page_size,
        .write_unit = (uint32_t)__storage_write_unit,
        .erase_value = 0xFF,
        .programs_per_unit = (uint8_t)(uintptr_t)__storage_programs_per_unit,
    };
}
