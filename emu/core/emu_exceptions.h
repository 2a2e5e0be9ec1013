/* The Cortex-M exception model done on the host (Unicorn 2.0.1 delivers no exception of an M
 * profile core by itself: with an interrupt hook installed it hands each one to the hook and
 * never runs QEMU's v7-M entry): the SysTick timer on the virtual clock (emu_systick.c), a
 * minimal NVIC and the SCB registers a firmware touches, exception entry (the 8-word frame on
 * the current stack, the handler from the vector table at VTOR, EXC_RETURN in LR) and return
 * (emu_exceptions.c). Its state is plain bytes, saved with the machine (emu_state.c). */
#ifndef NORBENCH_EMU_EXCEPTIONS_H
#define NORBENCH_EMU_EXCEPTIONS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct emu emu;

enum {
    EMU_EXC_NMI = 2,
    EMU_EXC_HARDFAULT = 3,
    EMU_EXC_SVCALL = 11,
    EMU_EXC_PENDSV = 14,
    EMU_EXC_SYSTICK = 15,
    EMU_EXC_IRQ0 = 16,
    EMU_IRQ_MAX = 240, /* external interrupts the NVIC can hold; a board uses irq_count */
    EMU_EXC_COUNT = EMU_EXC_IRQ0 + EMU_IRQ_MAX,
    EMU_EXC_NEST_MAX = 64,
};

/* SysTick: the counter is a function of the virtual clock; nothing runs per tick. */
typedef struct emu_systick {
    uint32_t csr; /* ENABLE, TICKINT, CLKSOURCE as written (COUNTFLAG is computed) */
    uint32_t rvr;
    uint32_t cvr0;         /* the counter's value at base_tick */
    uint64_t base_tick;    /* ticks of the selected clock since the clock's origin */
    uint64_t zeros_read;   /* counts to zero seen when COUNTFLAG was last cleared */
    uint64_t zeros_pended; /* counts to zero that have pended the exception */
} emu_systick;

typedef struct emu_exceptions {
    uint8_t pending[EMU_EXC_COUNT];
    uint8_t enabled[EMU_EXC_COUNT]; /* external interrupts (NVIC ISER) */
    uint8_t priority[EMU_EXC_COUNT];
    uint8_t nest[EMU_EXC_NEST_MAX]; /* the active exceptions, innermost last */
    uint32_t depth;
    uint32_t vtor, prigroup, scr, ccr;
    emu_systick systick;
    uint64_t epoch_ns;  /* virtual time before this run (a resumed agent call restarts at 0) */
    uint64_t paused_ns; /* virtual time of the run when it last stopped */
    uint64_t check_at;  /* instructions at which the block hook next looks for an exception */
    bool entered;       /* an exception was taken or returned from: the CPU goes on elsewhere */
} emu_exceptions;

/* ---- emu_exceptions.c ------------------------------------------------------------------- */
void emu_exceptions_reset(emu *m);
/* Virtual time as the exception model counts it: the run's time plus what came before. */
uint64_t emu_exceptions_now_ns(const emu *m);
/* From the block hook, before the block at `pc` runs, once the instructions reach check_at:
 * takes the exception due, if any (true: the CPU goes to its handler instead of `pc`). */
bool emu_exceptions_poll(emu *m, uint32_t pc);
/* The interrupt hook: true when `intno` was an exception return it handled. */
bool emu_exceptions_on_interrupt(emu *m, uint32_t intno);
/* The run's time (as emu_now_ns) at which an exception will next interrupt the CPU: now when
 * one can be taken, SysTick's next count to zero when it could preempt, else UINT64_MAX. */
uint64_t emu_exceptions_next_interrupt_ns(emu *m);
/* The CPU halted in a WFI: moves the virtual time to the next event that wakes it and takes
 * it. False when nothing can wake the core (the boot is idle). */
bool emu_exceptions_wake(emu *m);
/* The address of the handler of `number`, or 0 when the vector table has none (0, or an
 * endless `b .` loop as in the default handlers of CMSIS startup files). */
uint32_t emu_exceptions_handler(emu *m, unsigned number);
/* Run boundaries: a stop records the time, a resumed call continues the clock from it. */
void emu_exceptions_pause(emu *m);
void emu_exceptions_resume(emu *m);
/* System Control Space registers (SysTick, NVIC, SCB): false when not modelled here. */
bool emu_exceptions_read(emu *m, uint32_t addr, uint32_t *value);
bool emu_exceptions_write(emu *m, uint32_t addr, uint32_t value);

/* ---- emu_systick.c ---------------------------------------------------------------------- */
void emu_systick_reset(emu *m);
/* Pends the SysTick exception for counts to zero since the last call (with TICKINT). */
void emu_systick_update(emu *m);
/* The virtual time of the next count to zero that pends the exception; UINT64_MAX: none. */
uint64_t emu_systick_next_ns(const emu *m);
bool emu_systick_read(emu *m, uint32_t addr, uint32_t *value);
bool emu_systick_write(emu *m, uint32_t addr, uint32_t value);

#endif
