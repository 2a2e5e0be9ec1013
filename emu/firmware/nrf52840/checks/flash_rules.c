/* Board check: the NOR rules through the NVMC. A word written twice holds the AND of both
 * values (a write cannot turn a 0 back into a 1), a third write before an erase is refused
 * (the nRF52840's nWRITE = 2), and an ERASEPAGE while CONFIG is REN is ignored. Prints the
 * word after each step. */
#include "board.h"
#include "nrf52840.h"

extern uint8_t __storage_start[];

static void show(const char *label, uint32_t addr) {
    board_print(label);
    board_print_hex32(*(volatile const uint32_t *)addr);
    board_print("\n");
}

int main(void) {
    uint32_t addr = (uint32_t)__storage_start;
    uint32_t first = 0x0F0F0F0Fu, second = 0xFFFF00FFu, third = 0;
    board_flash_erase(addr);
    board_flash_program(addr, &first, 4);
    show("after one write: ", addr);
    board_flash_program(addr, &second, 4);
    show("after two writes: ", addr);
    board_flash_program(addr, &third, 4);
    show("after three writes: ", addr);
    NVMC_CONFIG = NVMC_CONFIG_REN;
    NVMC_ERASEPAGE = addr;
    while (!NVMC_READY) {
    }
    show("after an erase without EEN: ", addr);
    return 0;
}
