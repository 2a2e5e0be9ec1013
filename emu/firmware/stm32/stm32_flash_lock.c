/* The FLASH interface's unlock, lock and busy wait for the STM32 boards' firmware. The board's
 * header (BOARD_HEADER, set by the build) names the registers and bits the same on each part. */
#include "stm32_flash_lock.h"

#include BOARD_HEADER

void stm32_flash_wait(void) {
    while (FLASH_SR & FLASH_SR_BSY) {
    }
}

void stm32_flash_unlock(void) {
    stm32_flash_wait();
    if (FLASH_CR & FLASH_CR_LOCK) {
        FLASH_KEYR = FLASH_KEY1;
        FLASH_KEYR = FLASH_KEY2;
    }
    FLASH_SR = FLASH_SR_ERRORS | FLASH_SR_EOP; /* errors left by an earlier operation */
}

int stm32_flash_lock(void) {
    stm32_flash_wait();
    uint32_t errors = FLASH_SR & FLASH_SR_ERRORS;
    FLASH_CR = FLASH_CR_LOCK;
    return errors ? -1 : 0;
}
