/* Text output on the nRF52840's UART0 (the legacy UART: one byte per TXD write, then wait
 * for TXDRDY), set up on first use. */
#include "board.h"
#include "nrf52840.h"

static void uart_start(void) {
    static int started;
    if (started) return;
    UART0_BAUDRATE = UART0_BAUD_115200;
    UART0_PSEL_TXD = 6; /* P0.06, the TX pin of the nRF52840 DK */
    UART0_ENABLE = UART0_ENABLE_UART;
    UART0_TASKS_STARTTX = 1;
    started = 1;
}

void board_print(const char *text) {
    uart_start();
    for (; *text; text++) {
        UART0_EVENTS_TXDRDY = 0;
        UART0_TXD = (uint8_t)*text;
        while (!UART0_EVENTS_TXDRDY) {
        }
    }
}
