/* The STM32 USARTs as the boards model them, for polled output: the status register reads
 * TXE and TC set (a byte is out at once), a write to the data register sends a byte when CR1
 * has UE and TE set (else it is dropped, as on the part), CR1 reads back. BRR, CR2, CR3 and the
 * rest are left to the catch-all. The F4 and the L4 place these registers differently. */
#ifndef NORBENCH_EMU_STM32_USART_H
#define NORBENCH_EMU_STM32_USART_H

#include "emu_board.h"

#define STM32_USARTS 2 /* USART1 and USART2 */

typedef struct stm32_usart_layout {
    uint32_t base[STM32_USARTS];
    uint32_t cr1, status, data; /* offsets */
    uint32_t cr1_ue;            /* TE is bit 3 on every part */
} stm32_usart_layout;

typedef struct stm32_usart {
    const stm32_usart_layout *layout;
    uint32_t cr1[STM32_USARTS];
} stm32_usart;

/* false for addresses outside the modelled registers */
bool stm32_usart_read(const stm32_usart *u, uint32_t addr, uint32_t *value);
bool stm32_usart_write(emu *m, stm32_usart *u, uint32_t addr, uint32_t value);

#endif
