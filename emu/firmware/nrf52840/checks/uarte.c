/* Board check: UART0 in UARTE mode, after the start-up most nRF52 firmware makes (start the
 * high-frequency clock, wait for its event: an unmodelled register the catch-all must let
 * through). Sends a line through EasyDMA from RAM, waits for ENDTX, then prints how many bytes
 * TXD.AMOUNT says went out. */
#include "board.h"
#include "nrf52840.h"

static void uarte_send(const char *text, uint32_t len) {
    UART0_EVENTS_ENDTX = 0;
    UART0_TXD_PTR = (uint32_t)text;
    UART0_TXD_MAXCNT = len;
    UART0_TASKS_STARTTX = 1;
    while (!UART0_EVENTS_ENDTX) {
    }
}

#define CLOCK_TASKS_HFCLKSTART    NRF_REG(0x40000000u)
#define CLOCK_EVENTS_HFCLKSTARTED NRF_REG(0x40000100u)

int main(void) {
    CLOCK_TASKS_HFCLKSTART = 1;
    while (!CLOCK_EVENTS_HFCLKSTARTED) {
    }
    static char line[] = "hello through EasyDMA\n";
    static char report[] = "sent 00 bytes\n";
    UART0_ENABLE = UART0_ENABLE_UARTE;
    uarte_send(line, sizeof line - 1);
    uint32_t amount = UART0_TXD_AMOUNT;
    report[5] = (char)('0' + amount / 10 % 10);
    report[6] = (char)('0' + amount % 10);
    uarte_send(report, sizeof report - 1);
    return 0;
}
