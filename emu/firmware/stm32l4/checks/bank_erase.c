/* Board check: a bank erase (MER2, STRT) erases the 256 pages of bank 2, where the storage is,
 * and leaves bank 1, where the code runs, alone: the double word programmed at the start of
 * the storage reads erased afterwards and the firmware goes on. */
#include "board.h"
#include "stm32l4.h"

#define FLASH_CR_MER2 (1u << 15)

extern uint8_t __storage_start[];

static void show(const char *label) {
    volatile const uint32_t *word = (volatile const uint32_t *)__storage_start;
    board_print(label);
    board_print_hex32(word[1]);
    board_print_hex32(word[0]);
    board_print("\n");
}

int main(void) {
    static const uint8_t bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    board_flash_program((uint32_t)__storage_start, bytes, sizeof bytes);
    show("programmed: ");
    FLASH_KEYR = FLASH_KEY1;
    FLASH_KEYR = FLASH_KEY2;
    FLASH_CR = FLASH_CR_MER2;
    FLASH_CR = FLASH_CR_MER2 | FLASH_CR_STRT;
    while (FLASH_SR & FLASH_SR_BSY) {
    }
    show("after the bank erase: ");
    return 0;
}
