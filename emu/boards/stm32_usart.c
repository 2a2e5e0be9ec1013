/* The STM32 USARTs for polled output: see stm32_usart.h. */
#include "stm32_usart.h"

enum { SR_TC = 1u << 6, SR_TXE = 1u << 7, CR1_TE = 1u << 3 };

/* The USART and the register offset of addr; false when addr is in neither. */
static bool locate(const stm32_usart_layout *l, uint32_t addr, unsigned *index, uint32_t *offset) {
    for (unsigned i = 0; i < STM32_USARTS; i++)
        if (addr - l->base[i] < 0x400u) {
            *index = i, *offset = addr - l->base[i];
            return true;
        }
    return false;
}

bool stm32_usart_read(const stm32_usart *u, uint32_t addr, uint32_t *value) {
    unsigned i;
    uint32_t offset;
    if (!locate(u->layout, addr, &i, &offset)) return false;
    if (offset == u->layout->status)
        *value = SR_TXE | SR_TC;
    else if (offset == u->layout->cr1)
        *value = u->cr1[i];
    else
        return false;
    return true;
}

bool stm32_usart_write(emu *m, stm32_usart *u, uint32_t addr, uint32_t value) {
    unsigned i;
    uint32_t offset;
    if (!locate(u->layout, addr, &i, &offset)) return false;
    if (offset == u->layout->cr1) {
        u->cr1[i] = value;
        return true;
    }
    if (offset != u->layout->data) return false;
    uint32_t on = u->layout->cr1_ue | CR1_TE;
    uint8_t byte = (uint8_t)value;
    if ((u->cr1[i] & on) == on) emu_uart_write(m, &byte, 1);
    return true;
}
