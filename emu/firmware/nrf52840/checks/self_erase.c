/* Board check: code that changes under the CPU. A function on a page of its own runs once,
 * then the firmware erases that page and calls it again: the erased words (0xFFFF) are no
 * instruction, so the second call must fault there, not run the old code again. */
#include "board.h"

#define PAGE_SIZE 4096u

__attribute__((noinline, section(".erasable"), aligned(PAGE_SIZE))) unsigned erased_later(void) {
    return 42;
}

int main(void) {
    /* Through a volatile pointer: the compiler must call it twice, not reuse the first result. */
    unsigned (*volatile call)(void) = erased_later;
    board_print("before: ");
    board_print_u32(call());
    board_print("\n");
    board_flash_erase((uint32_t)erased_later & ~(PAGE_SIZE - 1u));
    board_print("erased\n");
    board_print_u32(call());
    board_print("still here\n");
    return 0;
}
