/* The STM32 reset and clock control as far as start-up code needs it to go on: in RCC_CR each
 * oscillator or PLL reads ready as soon as it is switched on, and RCC_CFGR's SWS reads the clock SW
 * selected. The clock itself stays the board's cpu_hz (the simulated time does not follow a PLL).
 * Other RCC registers are left to the catch-all. */
#ifndef NORBENCH_EMU_STM32_RCC_H
#define NORBENCH_EMU_STM32_RCC_H

#include "emu_board.h"

#define STM32_RCC_CLOCKS_MAX 6

typedef struct stm32_rcc_layout {
    uint32_t cr, cfgr; /* addresses */
    struct {
        uint32_t on, ready; /* CR bits: the ready bit follows the on bit */
    } clocks[STM32_RCC_CLOCKS_MAX];
    uint32_t cr_reset; /* CR after reset, ready bits included */
} stm32_rcc_layout;

typedef struct stm32_rcc {
    const stm32_rcc_layout *layout;
    uint32_t cr, cfgr;
} stm32_rcc;

void stm32_rcc_reset(stm32_rcc *r, const stm32_rcc_layout *layout);
/* false for addresses other than CR and CFGR */
bool stm32_rcc_read(const stm32_rcc *r, uint32_t addr, uint32_t *value);
bool stm32_rcc_write(stm32_rcc *r, uint32_t addr, uint32_t value);

#endif
