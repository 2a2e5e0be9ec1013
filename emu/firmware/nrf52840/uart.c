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

void board_print_u32(uint32_t value) {
    char digits[11];
    int at = 10;
    digits[at] = '\0';
    do {
        digits[--at] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    board_print(digits + at);
}

void board_print_hex32(uint32_t value) {
    char digits[9];
    for (int i = 7; i >= 0; i--, value >>= 4) digits[i] = "0123456789abcdef"[value & 0xFu];
    digits[8] = '\0';
    board_print(digits);
}
