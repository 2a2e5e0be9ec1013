/* Cortex-M startup shared by the boards: the vector table (initial stack pointer and the system
 * exceptions' handlers: each a weak alias of an endless loop that an app or board overrides by
 * defining it, e.g. systick_handler), and the reset handler that copies .data from flash, clears
 * .bss, runs main and then stops SysTick and sleeps for good (the emulator ends a boot at a WFI
 * with nothing left to wake the core). */
#include <stdint.h>

extern uint32_t __stack_top, __data_start, __data_end, __data_load, __bss_start, __bss_end;
int main(void);
void reset_handler(void);

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)

static void idle_forever(void) {
    SYST_CSR = 0; /* a counting SysTick would wake the core again */
    for (;;) __asm volatile("wfi");
}

/* An exception nobody handles spins here on hardware; the emulator reports the entry into an
 * endless loop as a crash. */
static void fault_handler(void) {
    for (;;) {
    }
}

#define WEAK_HANDLER(name) void name(void) __attribute__((weak, alias("fault_handler")))
WEAK_HANDLER(nmi_handler);
WEAK_HANDLER(hardfault_handler);
WEAK_HANDLER(memmanage_handler);
WEAK_HANDLER(busfault_handler);
WEAK_HANDLER(usagefault_handler);
WEAK_HANDLER(svc_handler);
WEAK_HANDLER(pendsv_handler);
WEAK_HANDLER(systick_handler);

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(&__stack_top),
    reset_handler,
    nmi_handler,
    hardfault_handler,
    memmanage_handler,
    busfault_handler,
    usagefault_handler,
    [11] = svc_handler,
    [14] = pendsv_handler,
    [15] = systick_handler,
};

void reset_handler(void) {
    uint32_t *src = &__data_load;
    for (uint32_t *dst = &__data_start; dst < &__data_end;) *dst++ = *src++;
    for (uint32_t *dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
    main();
    idle_forever();
}
