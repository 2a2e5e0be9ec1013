/* The STM32 clock start-up: see stm32_rcc.h. */
#include "stm32_rcc.h"

enum { CFGR_SW = 3u, CFGR_SWS_SHIFT = 2, CFGR_SWS = 3u << CFGR_SWS_SHIFT };

void stm32_rcc_reset(stm32_rcc *r, const stm32_rcc_layout *layout) {
    *r = (stm32_rcc){.layout = layout, .cr = layout->cr_reset};
}

bool stm32_rcc_read(const stm32_rcc *r, uint32_t addr, uint32_t *value) {
    const stm32_rcc_layout *l = r->layout;
    if (addr == l->cr)
        *value = r->cr;
    else if (addr == l->cfgr)
        *value = r->cfgr;
    else
        return false;
    return true;
}

bool stm32_rcc_write(stm32_rcc *r, uint32_t addr, uint32_t value) {
    const stm32_rcc_layout *l = r->layout;
    if (addr == l->cr) {
        r->cr = value;
        for (unsigned i = 0; i < STM32_RCC_CLOCKS_MAX; i++) { /* ready as soon as on */
            r->cr &= ~l->clocks[i].ready;
            if (value & l->clocks[i].on) r->cr |= l->clocks[i].ready;
        }
    } else if (addr == l->cfgr) {
        r->cfgr = (value & ~CFGR_SWS) | (value & CFGR_SW) << CFGR_SWS_SHIFT;
    } else {
        return false;
    }
    return true;
}
