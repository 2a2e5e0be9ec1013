/* A firmware that crashes on purpose: it prints a line, then stores to an address where the
 * nRF52840 has no memory (the emulator must report the fault with the PC in
 * store_to_nowhere). */
#include "board.h"

__attribute__((noinline)) void store_to_nowhere(volatile uint32_t *where) {
    *where = 0xDEADBEEFu;
}

int main(void) {
    board_print("about to fault\n");
    store_to_nowhere((volatile uint32_t *)0x30000000u);
    board_print("still here\n");
    return 0;
}
