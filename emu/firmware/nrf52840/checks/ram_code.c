/* Board check: code that runs from RAM. A function the ELF loads into RAM (.ramcode) returns 7;
 * the firmware calls it, patches its first instruction (MOVS r0, #7) to return 8 with a store
 * and calls it again, which must print 8: the store dropped the old translation. The next boot
 * starts from the RAM the ELF loaded, so its first call prints 7 again. */
#include "board.h"

#define MOVS_R0_7 0x2007u /* the Thumb encoding of MOVS r0, #7 */
#define MOVS_R0_8 0x2008u

__attribute__((noinline, section(".ramcode"))) unsigned in_ram(void) {
    return 7;
}

int main(void) {
    unsigned (*volatile call)(void) = in_ram;
    volatile uint16_t *first = (volatile uint16_t *)((uintptr_t)in_ram & ~(uintptr_t)1);
    board_print("first call: ");
    board_print_u32(call());
    if (*first != MOVS_R0_7) {
        board_print("\nunexpected code in RAM: ");
        board_print_hex32(*first);
        board_print("\n");
        return 0;
    }
    *first = MOVS_R0_8;
    __asm volatile("dsb\n\tisb" ::: "memory");
    board_print("\nafter the patch: ");
    board_print_u32(call());
    board_print("\n");
    return 0;
}
