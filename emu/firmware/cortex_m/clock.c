/* The core clock the board runs at after reset, as its linker script states it (__cpu_hz). */
#include "board.h"

extern uint8_t __cpu_hz[];

uint32_t board_cpu_hz(void) {
    return (uint32_t)__cpu_hz;
}
