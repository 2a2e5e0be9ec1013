/* Board check: a firmware that crashes on purpose, one way per build (FAULT_KIND): a store
 * where the nRF52840 has no memory, an undefined instruction, or a store into flash while the
 * NVMC is not enabled for writing. It prints a line first; the emulator must report the crash
 * with the PC in the function named after it. */
#include "board.h"

#include <stdint.h>

#define FAULT_UNMAPPED     1
#define FAULT_UNDEFINED    2
#define FAULT_FLASH_NO_WEN 3

extern uint8_t __storage_start[];

__attribute__((noinline)) void store_to_nowhere(volatile uint32_t *where) {
    *where = 0xDEADBEEFu;
}

__attribute__((noinline)) void undefined_instruction(void) {
    __builtin_trap();
}

__attribute__((noinline)) void store_to_flash_without_wen(volatile uint32_t *where) {
    *where = 0;
}

int main(void) {
    board_print("about to fault\n");
#if FAULT_KIND == FAULT_UNMAPPED
    store_to_nowhere((volatile uint32_t *)0x30000000u);
#elif FAULT_KIND == FAULT_UNDEFINED
    undefined_instruction();
#elif FAULT_KIND == FAULT_FLASH_NO_WEN
    store_to_flash_without_wen((volatile uint32_t *)__storage_start);
#else
#error "FAULT_KIND: 1, 2 or 3"
#endif
    board_print("still here\n");
    return 0;
}
