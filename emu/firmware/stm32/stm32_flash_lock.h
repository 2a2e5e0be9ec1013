/* The FLASH interface's unlock, lock and busy wait, alike on the STM32 boards' firmware. */
#ifndef FIRMWARE_STM32_FLASH_LOCK_H
#define FIRMWARE_STM32_FLASH_LOCK_H

void stm32_flash_wait(void); /* until BSY falls */
/* Waits, unlocks with KEY1/KEY2 if locked, clears the flags an earlier operation left. */
void stm32_flash_unlock(void);
/* Waits, locks again; -1 when an error flag was raised since the unlock. */
int stm32_flash_lock(void);

#endif
