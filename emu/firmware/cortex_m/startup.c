/* Cortex-M startup shared by the boards: the vector table (initial stack pointer and handlers), and
 * the reset handler that copies .data from flash, clears .bss, runs main and then sleeps for good
 * (the emulator ends a boot at a WFI with nothing left to wake the core). */
#include <stdint.h>

extern uint32_t __stack_top, __data_start, __data_end, __data_load, __bss_start, __bss_end;
int main(void);
void reset_handler(void);

static void idle_forever(void) {
    for (;;) __asm volatile("wfi");
}

/* Faults spin here on hardware; the emulator reports them before they would arrive. */
static void fault_handler(void) {
    for (;;) {
    }
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(&__stack_top),
    reset_handler,
    fault_handler, /* NMI */
    fault_handler, /* HardFault */
    fault_handler, /* MemManage */
    fault_handler, /* BusFault */
    fault_handler, /* UsageFault */
};

void reset_handler(void) {
    uint32_t *src = &__data_load;
    for (uint32_t *dst = &__data_start; dst < &__data_end;) *dst++ = *src++;
    for (uint32_t *dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
    main();
    idle_forever();
}
