/* Board check: a mass erase (MER, STRT) erases every sector, the firmware's own code too: the
 * wait for BSY that follows runs from erased flash and must fault there (erased words are no
 * instruction), after twelve erases. */
#include "board.h"
#include "stm32f4.h"

int main(void) {
    board_print("erasing everything\n");
    FLASH_KEYR = FLASH_KEY1;
    FLASH_KEYR = FLASH_KEY2;
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_MER;
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_MER | FLASH_CR_STRT;
    while (FLASH_SR & FLASH_SR_BSY) {
    }
    board_print("still here\n");
    return 0;
}
