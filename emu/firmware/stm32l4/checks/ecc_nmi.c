/* Board check: the NMI of an ECC double error, with a handler of the firmware's own. Each boot
 * loads the first double word of the storage: when its ECC cannot correct it, the NMI handler
 * reads FLASH_ECCR (the double word's offset in its bank, the bank), clears ECCD and the boot
 * prints what it saw, then erases the page; otherwise it erases the page and programs the
 * double word (the test cuts the power inside that program to leave it torn). */
#include "board.h"
#include "stm32l4.h"

extern uint8_t __storage_start[];

static volatile uint32_t nmi_eccr, nmi_count;

void nmi_handler(void) {
    nmi_eccr = FLASH_ECCR;
    nmi_count++;
    FLASH_ECCR = FLASH_ECCR_ECCD;
}

int main(void) {
    uint32_t addr = (uint32_t)__storage_start;
    uint32_t low = *(volatile const uint32_t *)addr;
    __asm volatile("dsb\n\tisb" ::: "memory");
    if (nmi_count) {
        board_print("NMI: FLASH_ECCR ");
        board_print_hex32(nmi_eccr);
        board_print(", after it ");
        board_print_hex32(FLASH_ECCR);
        board_print(", the load read ");
        board_print_hex32(low);
        board_print("\n");
        board_flash_erase(addr);
        return 0;
    }
    static const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    board_flash_erase(addr);
    board_flash_program(addr, data, sizeof data);
    board_print("programmed\n");
    return 0;
}
