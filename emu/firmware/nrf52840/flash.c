/* The nRF52840 flash driver (under the storage engine's flash, cortex_m/storage.c): programs
 * 32-bit words through the NVMC (CONFIG = WEN, one store per word, wait for READY), erases
 * 4 KiB pages (CONFIG = EEN, ERASEPAGE). */
#include "board.h"
#include "nrf52840.h"

static void nvmc_wait(void) {
    while (!NVMC_READY) {
    }
}

int board_flash_program(uint32_t addr, const void *data, uint32_t len) {
    if ((addr | len) & 3u) return -1;
    const uint8_t *bytes = data;
    NVMC_CONFIG = NVMC_CONFIG_WEN;
    nvmc_wait();
    for (uint32_t i = 0; i < len; i += 4) {
        uint32_t word = (uint32_t)bytes[i] | (uint32_t)bytes[i + 1] << 8 |
                        (uint32_t)bytes[i + 2] << 16 | (uint32_t)bytes[i + 3] << 24;
        *(volatile uint32_t *)(addr + i) = word;
        nvmc_wait();
    }
    NVMC_CONFIG = NVMC_CONFIG_REN;
    nvmc_wait();
    return 0;
}

int board_flash_erase(uint32_t page_addr) {
    if (page_addr % FLASH_PAGE_SIZE) return -1;
    NVMC_CONFIG = NVMC_CONFIG_EEN;
    nvmc_wait();
    NVMC_ERASEPAGE = page_addr;
    nvmc_wait();
    NVMC_CONFIG = NVMC_CONFIG_REN;
    nvmc_wait();
    return 0;
}

uint32_t board_flash_ecc_errors(void) {
    return 0; /* the flash has no ECC */
}
