/* Board check (the STM32 boards, BOARD_HEADER naming the part's registers): the start-up most
 * STM32 firmware makes before anything else: switch the HSE oscillator on and wait for it to be
 * ready, the same for the PLL, select the PLL as the system clock and wait until SWS says so;
 * then print RCC_CR and RCC_CFGR. Without the RCC model the waits never end. */
#include "board.h"

#include BOARD_HEADER

int main(void) {
    RCC_CR |= RCC_CR_HSEON;
    while (!(RCC_CR & RCC_CR_HSERDY)) {
    }
    RCC_CR |= RCC_CR_PLLON;
    while (!(RCC_CR & RCC_CR_PLLRDY)) {
    }
    RCC_CFGR |= RCC_CFGR_SW_PLL;
    while ((RCC_CFGR & RCC_CFGR_SWS_PLL) != RCC_CFGR_SWS_PLL) {
    }
    board_print("RCC_CR ");
    board_print_hex32(RCC_CR);
    board_print(", RCC_CFGR ");
    board_print_hex32(RCC_CFGR);
    board_print("\n");
    return 0;
}
