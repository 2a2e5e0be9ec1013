/* The STM32F4 flash driver (under the storage engine's flash, cortex_m/storage.c): programs
 * 32-bit words (unlock with KEY1/KEY2, PSIZE x32 and PG, one store per word, wait for BSY, lock
 * again), erases a sector (SER, SNB, STRT); an error flag in SR fails the call. */
#include "board.h"
#include "stm32f4.h"
#include "stm32_flash_lock.h"

int stm32f4_sector_at(uint32_t addr) {
    uint32_t offset = addr - FLASH_ORIGIN;
    if (offset < 0x10000u) return offset % 0x4000u ? -1 : (int)(offset / 0x4000u);
    if (offset < 0x20000u) return offset == 0x10000u ? 4 : -1;
    if (offset >= 0x100000u || offset % 0x20000u) return -1;
    return (int)(4 + offset / 0x20000u);
}

int board_flash_program(uint32_t addr, const void *data, uint32_t len) {
    if ((addr | len) & 3u) return -1;
    const uint8_t *bytes = data;
    stm32_flash_unlock();
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_PG;
    for (uint32_t i = 0; i < len; i += 4) {
        uint32_t word = (uint32_t)bytes[i] | (uint32_t)bytes[i + 1] << 8 |
                        (uint32_t)bytes[i + 2] << 16 | (uint32_t)bytes[i + 3] << 24;
        *(volatile uint32_t *)(addr + i) = word;
        stm32_flash_wait();
    }
    return stm32_flash_lock();
}

int board_flash_erase(uint32_t sector_addr) {
    int snb = stm32f4_sector_at(sector_addr);
    if (snb < 0) return -1;
    stm32_flash_unlock();
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_SER | FLASH_CR_SNB(snb);
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_SER | FLASH_CR_SNB(snb) | FLASH_CR_STRT;
    return stm32_flash_lock();
}

uint32_t board_flash_ecc_errors(void) {
    return 0; /* the flash has no ECC */
}
