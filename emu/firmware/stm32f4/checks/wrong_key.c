/* Board check: a wrong unlock sequence (KEY2 before KEY1) is a bus error on the part, and
 * FLASH_CR stays locked until reset; the emulator must stop the boot with a crash that says so,
 * at the store in the function named after it. */
#include "board.h"
#include "stm32f4.h"

__attribute__((noinline)) void write_key2_first(void) {
    FLASH_KEYR = FLASH_KEY2;
}

int main(void) {
    board_print("about to unlock wrongly\n");
    write_key2_first();
    board_print("still here\n");
    return 0;
}
