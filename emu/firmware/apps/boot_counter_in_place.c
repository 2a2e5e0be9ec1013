/* A flawed boot counter, for the campaign to catch: the count lives in one word of the first
 * storage page (one write unit), rewritten in place (erase the page, program the word) with no log.
 * A power cut between the erase and the program loses every boot counted so far. It reads the
 * word with a plain load and has no NMI handler (it does not link the engine's flash reads and
 * their ECC handling, cortex_m/storage.c): on the stm32l4 a cut can leave a double word ECC
 * cannot correct, and the boot that loads it is reported as a crash. */
#include "board.h"

extern uint8_t __storage_start[], __storage_write_unit[];

int main(void) {
    uint32_t addr = (uint32_t)__storage_start;
    uint32_t stored = *(volatile const uint32_t *)addr;
    uint32_t count = (stored == 0xFFFFFFFFu ? 0 : stored) + 1;
    /* One write unit of the board's flash (a word, or the STM32L4's double word) holds it. */
    uint8_t unit[8] = {(uint8_t)count,
                       (uint8_t)(count >> 8),
                       (uint8_t)(count >> 16),
                       (uint8_t)(count >> 24),
                       0xFF,
                       0xFF,
                       0xFF,
                       0xFF};
    board_flash_erase(addr);
    board_flash_program(addr, unit, (uint32_t)__storage_write_unit);
    board_print("boot count: ");
    board_print_u32(count);
    board_print("\n");
    return 0;
}
