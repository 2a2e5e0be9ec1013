/* Text output on the STM32F4's USART2 (the Nucleo boards' virtual COM port), set up on first
 * use: clock enabled, 115200 baud from the 16 MHz HSI, transmitter on; a byte per DR write
 * once TXE says the register is free. */
#include "board.h"
#include "stm32f4.h"

static void uart_start(void) {
    static int started;
    if (started) return;
    RCC_APB1ENR |= RCC_APB1ENR_USART2EN;
    USART2_BRR = USART_BRR_115200_AT_16MHZ;
    USART2_CR1 = USART_CR1_UE | USART_CR1_TE;
    started = 1;
}

void board_print(const char *text) {
    uart_start();
    for (; *text; text++) {
        while (!(USART2_SR & USART_SR_TXE)) {
        }
        USART2_DR = (uint8_t)*text;
    }
}
