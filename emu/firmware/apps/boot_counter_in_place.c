/* A flawed boot counter, for the campaign to catch: the count lives in one word of the first
 * storage page, rewritten in place (erase the page, program the word) with no log. A power
 * cut between the erase and the program loses every boot counted so far. */
#include "board.h"

extern uint8_t __storage_start[];

int main(void) {
    uint32_t addr = (uint32_t)__storage_start;
    uint32_t stored = *(volatile const uint32_t *)addr;
    uint32_t count = (stored == 0xFFFFFFFFu ? 0 : stored) + 1;
    board_flash_erase(addr);
    board_flash_program(addr, &count, sizeof count);
    board_print("boot count: ");
    board_print_u32(count);
    board_print("\n");
    return 0;
}
