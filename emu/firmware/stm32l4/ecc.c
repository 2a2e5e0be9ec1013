/* The STM32L4's ECC double errors (RM0351 3.3.8): a load from a double word its ECC cannot
 * correct sets FLASH_ECCR.ECCD with the address and raises the NMI. This NMI handler notes the
 * double word, counts the error and clears ECCD, so that the engine's read during which it
 * came fails with NBS_E_ECC (cortex_m/storage.c) and the mount reads around it, as it does on
 * the host. An app that never reads through the engine does not link this file: its NMI is the
 * startup's endless loop, and the emulator reports the ECC error as a crash. */
#include "board.h"
#include "stm32l4.h"

static volatile uint32_t ecc_errors, ecc_last_address;

void nmi_handler(void) {
    uint32_t eccr = FLASH_ECCR;
    if (!(eccr & FLASH_ECCR_ECCD)) return;
    ecc_last_address = FLASH_ORIGIN + (eccr & FLASH_ECCR_ADDR) +
                       (eccr & FLASH_ECCR_BK ? FLASH_BANK_PAGES * FLASH_PAGE_SIZE : 0);
    ecc_errors++;
    FLASH_ECCR = FLASH_ECCR_ECCD; /* write 1 to clear */
}

uint32_t board_flash_ecc_errors(void) {
    return ecc_errors;
}
