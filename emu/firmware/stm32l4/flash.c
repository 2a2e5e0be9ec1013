/* The STM32L4 flash driver (under the storage engine's flash, cortex_m/storage.c): programs
 * 64-bit double words (unlock with KEY1/KEY2, PG, two word stores per double word, wait for
 * BSY, lock again), erases a 2 KiB page (PER, PNB, BKER for bank 2, STRT); an error flag in SR
 * fails the call. */
#include "board.h"
#include "stm32l4.h"
#include "stm32_flash_lock.h"

static uint32_t word_at(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int board_flash_program(uint32_t addr, const void *data, uint32_t len) {
    if ((addr | len) & 7u) return -1;
    const uint8_t *bytes = data;
    stm32_flash_unlock();
    FLASH_CR = FLASH_CR_PG;
    for (uint32_t i = 0; i < len; i += 8) {
        *(volatile uint32_t *)(addr + i) = word_at(bytes + i);
        *(volatile uint32_t *)(addr + i + 4) = word_at(bytes + i + 4);
        stm32_flash_wait();
    }
    return stm32_flash_lock();
}

int board_flash_erase(uint32_t page_addr) {
    uint32_t offset = page_addr - FLASH_ORIGIN, page = offset / FLASH_PAGE_SIZE;
    if (offset % FLASH_PAGE_SIZE || page >= 2 * FLASH_BANK_PAGES) return -1;
    uint32_t select = FLASH_CR_PER | FLASH_CR_PNB(page % FLASH_BANK_PAGES) |
                      (page >= FLASH_BANK_PAGES ? FLASH_CR_BKER : 0);
    stm32_flash_unlock();
    FLASH_CR = select;
    FLASH_CR = select | FLASH_CR_STRT;
    return stm32_flash_lock();
}
