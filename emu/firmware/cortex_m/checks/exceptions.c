/* Checks of the emulator's exception model (emu/core/emu_exceptions.c), one per build
 * (EXC_CHECK); tests/emu/emu_test_exceptions.c says what each must print or how it must stop.
 *   systick_wfi     SysTick every 1000 core cycles (with SYSTICK_REFERENCE: ticks of the
 *                   reference clock); main sleeps in WFI for 10 interrupts
 *   systick_busy    the same, main spinning instead of sleeping
 *   registers_kept  R0-R3, R12, LR and the flags of an assembly loop survive interrupts whose
 *                   handler overwrites them all
 *   nesting         priorities: a PendSV of higher priority pended inside the SysTick handler
 *                   preempts it (nested); one of lower priority runs after it (tail chain)
 *   vector_zero     SysTick pended with VTOR on a RAM table whose SysTick vector is 0
 *   no_handler      SysTick's interrupt with the startup's endless default handler
 *   bad_exc_return  a handler returning to EXC_RETURN 0xfffffff5
 *   svc             SVC #0 enters svc_handler, which sees IPSR 11
 *   systick_regs    SysTick's registers without its interrupt: CVR cleared by a write,
 *                   COUNTFLAG set by a count to 0 and cleared by the read that sees it, RVR's 24
 *                   bits, CALIB, the counter held while disabled
 *   nvic            external interrupt 3 through a vector table in RAM: pending but not
 *                   enabled it waits; ISER lets it in, STIR pends it again, ICER and ICPR
 *   psp             an RTOS's first task: the SVC handler points PSP at a frame it built and
 *                   returns with EXC_RETURN 0xfffffffd; the task runs on PSP (CONTROL.SPSEL
 *                   set), its SysTick handlers on MSP, and it keeps its stack across them
 *   frame_alignment PendSV taken with SP 4 and 0 mod 8: where its frame went, the xPSR bit 9
 *                   stacked there, and SP back where it was after the return
 *   basepri         BASEPRI 0x80 holds back a pending SysTick at 0xc0 and at 0x80, not at 0x40;
 *                   BASEPRI 0 lets it in
 *   prigroup        PendSV (0x80) pended in the SysTick handler (0xc0): with PRIGROUP 5 (group
 *                   bits 7-6) it preempts; with PRIGROUP 6 (group bit 7) both are group 0x80,
 *                   the difference is subpriority, and PendSV waits for the return
 *   wfi_basepri     a WFI with a PendSV pending that BASEPRI holds back sleeps on until a
 *                   SysTick above BASEPRI wakes it
 *   wfi_in_handler  a WFI in the SVC handler with a PendSV pending that cannot preempt it sleeps
 *                   on until a SysTick that can */
#include "board.h"

#include <stdbool.h>
#include <stdint.h>

#define EXC_systick_wfi     1
#define EXC_systick_busy    2
#define EXC_registers_kept  3
#define EXC_nesting         4
#define EXC_vector_zero     5
#define EXC_no_handler      6
#define EXC_bad_exc_return  7
#define EXC_svc             8
#define EXC_psp             9
#define EXC_systick_regs    10
#define EXC_nvic            11
#define EXC_frame_alignment 12
#define EXC_basepri         13
#define EXC_prigroup        14
#define EXC_wfi_basepri     15
#define EXC_wfi_in_handler  16

#define REG(addr)      (*(volatile uint32_t *)(addr))
#define SYST_CSR       REG(0xE000E010u)
#define SYST_RVR       REG(0xE000E014u)
#define SYST_CVR       REG(0xE000E018u)
#define SYST_CALIB     REG(0xE000E01Cu)
#define SCB_ICSR       REG(0xE000ED04u)
#define NVIC_ISER0     REG(0xE000E100u)
#define NVIC_ICER0     REG(0xE000E180u)
#define NVIC_ISPR0     REG(0xE000E200u)
#define NVIC_ICPR0     REG(0xE000E280u)
#define NVIC_STIR      REG(0xE000EF00u)
#define SCB_VTOR       REG(0xE000ED08u)
#define SCB_AIRCR      REG(0xE000ED0Cu)
#define SCB_SHPR2      REG(0xE000ED1Cu) /* SVCall priority in bits 24-31 */
#define SCB_SHPR3      REG(0xE000ED20u) /* PendSV priority in bits 16-23, SysTick 24-31 */
#define ICSR_PENDSVSET (1u << 28)
#define ICSR_PENDSTSET (1u << 26)
#ifdef SYSTICK_REFERENCE
#define SYSTICK_EVERY_1K 3u /* ENABLE, TICKINT, the reference clock (HCLK/8 on the STM32s) */
#else
#define SYSTICK_EVERY_1K 7u /* ENABLE, TICKINT, the core clock */
#endif

static volatile uint32_t ticks;
static char trace[16];
static volatile unsigned traced;

__attribute__((unused)) static void note(char c) {
    if (traced < sizeof trace - 1) trace[traced++] = c;
}

__attribute__((unused)) static uint32_t ipsr(void) {
    uint32_t v;
    __asm volatile("mrs %0, ipsr" : "=r"(v));
    return v;
}

/* Ends the translated block: an exception pended before it is taken before what follows. */
__attribute__((unused)) static void let_pending_in(void) {
    __asm volatile("dsb\n\tisb" ::: "memory");
}

__attribute__((unused)) static void set_basepri(uint32_t value) {
    __asm volatile("msr basepri, %0" : : "r"(value) : "memory");
}

__attribute__((unused)) static void start_systick(void) {
    SYST_RVR = 999; /* 1000 cycles per interrupt */
    SYST_CVR = 0;
    SYST_CSR = SYSTICK_EVERY_1K;
}

#if EXC_CHECK == EXC_registers_kept
/* Overwrites every register the frame holds, then returns. */
__attribute__((naked)) void systick_handler(void) {
    __asm volatile("ldr r0, =ticks\n\t"
                   "ldr r1, [r0]\n\t"
                   "adds r1, r1, #1\n\t"
                   "str r1, [r0]\n\t"
                   "mov r0, #0xdead\n\t"
                   "mov r1, r0\n\t"
                   "mov r2, r0\n\t"
                   "mov r3, r0\n\t"
                   "mov r12, r0\n\t"
                   "movs r0, #0\n\t" /* Z set, N and C clear */
                   "bx lr\n\t");
}

/* Sets R0-R3, R12, LR and N and C, spins until three interrupts came, and returns what the
 * registers then hold (out[6]: the flags). */
static void spin_with_registers(uint32_t *out) {
    __asm volatile("push {r4-r6, lr}\n\t"
                   "mov r6, %0\n\t"
                   "ldr r4, =ticks\n\t"
                   "mov r0, #0x10\n\t"
                   "mov r1, #0x11\n\t"
                   "mov r2, #0x12\n\t"
                   "mov r3, #0x13\n\t"
                   "mov r12, #0x1c\n\t"
                   "mov lr, #0x1e\n\t"
                   "1: ldr r5, [r4]\n\t"
                   "cmp r5, #3\n\t"
                   "bge 2f\n\t"
                   "mov r5, #0\n\t"
                   "subs r5, r5, #1\n\t" /* N set, C clear: every iteration */
                   "b 1b\n\t"
                   "2: mov r5, #0\n\t"
                   "subs r5, r5, #1\n\t"
                   "mrs r5, apsr\n\t"
                   "stmia r6, {r0-r3, r12, lr}\n\t"
                   "str r5, [r6, #24]\n\t"
                   "pop {r4-r6, lr}\n\t"
                   :
                   : "r"(out)
                   : "r0", "r1", "r2", "r3", "r12", "memory", "cc");
}
#elif EXC_CHECK == EXC_nesting
static unsigned pendsv_runs;

void pendsv_handler(void) {
    note('P');
    note((char)('0' + ipsr() % 10)); /* 14: PendSV */
    pendsv_runs++;
    note('p');
}

void systick_handler(void) {
    ticks++;
    note('S');
    SCB_SHPR3 = (ticks == 1 ? 0x40u : 0xC0u) << 16 | 0x80u << 24;
    SCB_ICSR = ICSR_PENDSVSET;
    note('s');
    if (ticks == 2) SYST_CSR = 0;
}
#elif EXC_CHECK == EXC_bad_exc_return
__attribute__((naked)) void systick_handler(void) {
    __asm volatile("ldr lr, =0xfffffff5\n\t"
                   "bx lr\n\t");
}
#elif EXC_CHECK == EXC_svc
void svc_handler(void) {
    note('V');
    note((char)('0' + ipsr() % 10)); /* 11: SVCall */
}
#elif EXC_CHECK == EXC_psp
static uint32_t process_stack[128] __attribute__((aligned(8)));
uint32_t *task_frame; /* read by svc_handler's assembly */
static volatile uint32_t handler_sp_in_process_stack;

static uint32_t current_sp(void) {
    uint32_t sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

static bool in_process_stack(uint32_t sp) {
    return sp >= (uint32_t)process_stack && sp <= (uint32_t)(process_stack + 128);
}

void systick_handler(void) {
    ticks++;
    handler_sp_in_process_stack |= in_process_stack(current_sp());
}

__attribute__((naked)) void svc_handler(void) {
    __asm volatile("ldr r0, =task_frame\n\t"
                   "ldr r0, [r0]\n\t"
                   "msr psp, r0\n\t"
                   "ldr lr, =0xfffffffd\n\t"
                   "bx lr\n\t");
}

static void task(void) {
    uint32_t control;
    __asm volatile("mrs %0, control" : "=r"(control));
    start_systick();
    while (ticks < 3) {
    }
    SYST_CSR = 0;
    board_print(in_process_stack(current_sp()) ? "task on PSP" : "task not on PSP");
    board_print(", CONTROL ");
    board_print_u32(control);
    board_print(handler_sp_in_process_stack ? ", a handler on PSP\n" : ", handlers on MSP\n");
    for (;;) __asm volatile("wfi");
}
#elif EXC_CHECK == EXC_nvic
static volatile uint32_t irq3_runs, irq3_ipsr;

static void irq3_handler(void) {
    irq3_runs++;
    irq3_ipsr = ipsr();
}

static void show(const char *step) {
    board_print(step);
    board_print(": runs ");
    board_print_u32(irq3_runs);
    board_print(", ISPR ");
    board_print_hex32(NVIC_ISPR0);
    board_print("\n");
}
#elif EXC_CHECK == EXC_frame_alignment
uint32_t frame_seen, xpsr_seen; /* written by pendsv_handler's assembly */

/* Notes its SP at entry (where the frame is) and the xPSR stacked there, and returns. */
__attribute__((naked)) void pendsv_handler(void) {
    __asm volatile("mov r1, sp\n\t"
                   "ldr r0, =frame_seen\n\t"
                   "str r1, [r0]\n\t"
                   "ldr r1, [sp, #28]\n\t"
                   "ldr r0, =xpsr_seen\n\t"
                   "str r1, [r0]\n\t"
                   "bx lr\n\t");
}

/* Moves SP to `sp` (free stack below the caller's), pends PendSV, ends the block so that it is
 * taken there, and returns SP as the exception return left it. */
__attribute__((naked)) static uint32_t sp_after_pendsv_at(uint32_t sp) {
    (void)sp;
    __asm volatile("push {r4, lr}\n\t"
                   "mov r4, sp\n\t"
                   "mov sp, r0\n\t"
                   "ldr r1, =0xE000ED04\n\t" /* ICSR */
                   "mov r2, #0x10000000\n\t" /* PENDSVSET */
                   "str r2, [r1]\n\t"
                   "b 1f\n\t"
                   "1: mov r0, sp\n\t"
                   "mov sp, r4\n\t"
                   "pop {r4, pc}\n\t");
}

static void show_frame_at(uint32_t sp) {
    uint32_t after = sp_after_pendsv_at(sp);
    board_print("SP ");
    board_print_u32(sp % 8);
    board_print(" mod 8: frame at SP-");
    board_print_u32(sp - frame_seen);
    board_print(", xPSR bit 9 ");
    board_print_u32(xpsr_seen >> 9 & 1);
    board_print(after == sp ? ", SP kept\n" : ", SP moved\n");
}
#elif EXC_CHECK == EXC_basepri
static volatile uint32_t systick_runs;

void systick_handler(void) {
    systick_runs++;
}

/* SysTick at `priority`, pended: how many times it ran before the next block. */
static uint32_t runs_at(uint32_t priority) {
    uint32_t before = systick_runs;
    SCB_SHPR3 = priority << 24;
    SCB_ICSR = ICSR_PENDSTSET;
    let_pending_in();
    return systick_runs - before;
}
#elif EXC_CHECK == EXC_prigroup
void pendsv_handler(void) {
    note('P');
}

void systick_handler(void) {
    note('S');
    SCB_ICSR = ICSR_PENDSVSET;
    let_pending_in();
    note('s');
}

static void round_with_prigroup(uint32_t prigroup) {
    SCB_AIRCR = 0x05FA0000u | prigroup << 8; /* VECTKEY */
    SCB_ICSR = ICSR_PENDSTSET;
    let_pending_in();
}
#elif EXC_CHECK == EXC_wfi_basepri || EXC_CHECK == EXC_wfi_in_handler
void systick_handler(void) {
    note('S');
    SYST_CSR = 0; /* one is enough */
}

void pendsv_handler(void) {
    note('P');
}

#if EXC_CHECK == EXC_wfi_in_handler
void svc_handler(void) {
    note('V');
    SCB_ICSR = ICSR_PENDSVSET; /* 0xc0 under SVCall's 0x80: pending, it cannot preempt */
    start_systick();           /* 0x40: its interrupt can */
    __asm volatile("wfi");
    note('v');
}
#endif
#elif EXC_CHECK != EXC_no_handler && EXC_CHECK != EXC_vector_zero
void systick_handler(void) {
    ticks++;
}
#endif

int main(void) {
#if EXC_CHECK == EXC_systick_wfi || EXC_CHECK == EXC_systick_busy
    start_systick();
    while (ticks < 10) {
#if EXC_CHECK == EXC_systick_wfi
        __asm volatile("wfi");
#endif
    }
    SYST_CSR = 0;
    board_print("ticks ");
    board_print_u32(ticks);
    board_print("\n");
#elif EXC_CHECK == EXC_registers_kept
    uint32_t after[7];
    start_systick();
    spin_with_registers(after);
    SYST_CSR = 0;
    board_print("r0 ");
    board_print_hex32(after[0]);
    board_print(" r1 ");
    board_print_hex32(after[1]);
    board_print(" r2 ");
    board_print_hex32(after[2]);
    board_print(" r3 ");
    board_print_hex32(after[3]);
    board_print(" r12 ");
    board_print_hex32(after[4]);
    board_print(" lr ");
    board_print_hex32(after[5]);
    board_print(" apsr ");
    board_print_hex32(after[6]);
    board_print("\n");
#elif EXC_CHECK == EXC_nesting
    start_systick();
    while (ticks < 2 || pendsv_runs < 2) __asm volatile("wfi");
    board_print(trace);
    board_print("\n");
#elif EXC_CHECK == EXC_vector_zero
    static uint32_t table[32] __attribute__((aligned(128)));
    const uint32_t *reset_table = (const uint32_t *)SCB_VTOR;
    table[0] = reset_table[0];
    table[1] = reset_table[1];
    SCB_VTOR = (uint32_t)table;
    board_print("pending SysTick\n");
    SCB_ICSR = ICSR_PENDSTSET;
    board_print("still here\n");
#elif EXC_CHECK == EXC_no_handler || EXC_CHECK == EXC_bad_exc_return
    board_print("starting SysTick\n");
    start_systick();
    while (!ticks) {
    }
    board_print("still here\n");
#elif EXC_CHECK == EXC_psp
    task_frame = process_stack + 128 - 8; /* R0-R3, R12, LR, PC, xPSR */
    task_frame[6] = (uint32_t)task & ~1u;
    task_frame[7] = 1u << 24; /* Thumb */
    __asm volatile("svc #0");
    board_print("the task returned\n");
#elif EXC_CHECK == EXC_systick_regs
    const uint32_t countflag = 1u << 16;
    SYST_RVR = 999;
    SYST_CVR = 12345; /* any write clears it */
    uint32_t cleared = SYST_CVR, flag_after_clear = SYST_CSR & countflag;
    SYST_CSR = 5; /* ENABLE, the core clock, no interrupt */
    uint32_t polls = 0;
    while (!(SYST_CSR & countflag)) polls++;
    uint32_t flag_again = SYST_CSR & countflag, in_range = SYST_CVR <= 999;
    SYST_CSR = 0;
    uint32_t held = SYST_CVR;
    for (volatile int i = 0; i < 100; i++) {
    }
    uint32_t still = SYST_CVR;
    SYST_RVR = 0xFFFFFFFFu;
    board_print("cvr after a write ");
    board_print_u32(cleared);
    board_print(", countflag ");
    board_print_u32(flag_after_clear >> 16);
    board_print("; countflag seen after polls: ");
    board_print(polls ? "yes" : "no");
    board_print(", then ");
    board_print_u32(flag_again >> 16);
    board_print("; cvr <= rvr ");
    board_print(in_range ? "yes" : "no");
    board_print("; held while disabled ");
    board_print(held == still ? "yes" : "no");
    board_print("; rvr ");
    board_print_hex32(SYST_RVR);
    board_print("; calib ");
    board_print_hex32(SYST_CALIB);
    board_print("\n");
#elif EXC_CHECK == EXC_nvic
    static uint32_t table[64] __attribute__((aligned(256)));
    const uint32_t *reset_table = (const uint32_t *)SCB_VTOR;
    for (int i = 0; i < 16; i++) table[i] = reset_table[i];
    table[16 + 3] = (uint32_t)irq3_handler;
    SCB_VTOR = (uint32_t)table;
    NVIC_ISPR0 = 1u << 3;
    show("pending, not enabled");
    NVIC_ISER0 = 1u << 3;
    show("enabled");
    NVIC_STIR = 3;
    show("STIR");
    NVIC_ICER0 = 1u << 3;
    NVIC_STIR = 3;
    show("disabled, STIR");
    NVIC_ICPR0 = 1u << 3;
    show("ICPR");
    board_print("IPSR in the handler ");
    board_print_u32(irq3_ipsr);
    board_print("\n");
#elif EXC_CHECK == EXC_svc
    __asm volatile("svc #0");
    note('v');
    board_print(trace);
    board_print("\n");
#elif EXC_CHECK == EXC_frame_alignment
    uint32_t sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    uint32_t below = (sp - 256) & ~7u; /* room for the frame, clear of main's stack */
    show_frame_at(below + 4);
    show_frame_at(below);
#elif EXC_CHECK == EXC_basepri
    set_basepri(0x80);
    uint32_t at_c0 = runs_at(0xC0), at_80 = runs_at(0x80), at_40 = runs_at(0x40);
    SCB_SHPR3 = 0xC0u << 24;
    SCB_ICSR = ICSR_PENDSTSET;
    let_pending_in();
    uint32_t held = systick_runs;
    set_basepri(0);
    let_pending_in();
    board_print("BASEPRI 0x80: SysTick at 0xc0 ran ");
    board_print_u32(at_c0);
    board_print(", at 0x80 ");
    board_print_u32(at_80);
    board_print(", at 0x40 ");
    board_print_u32(at_40);
    board_print("; BASEPRI 0: the one held ran ");
    board_print_u32(systick_runs - held);
    board_print("\n");
#elif EXC_CHECK == EXC_prigroup
    SCB_SHPR3 = 0x80u << 16 | 0xC0u << 24; /* PendSV 0x80, SysTick 0xc0 */
    round_with_prigroup(5);
    note('|');
    round_with_prigroup(6);
    board_print("PRIGROUP 5|6: ");
    board_print(trace);
    board_print(", AIRCR ");
    board_print_hex32(SCB_AIRCR);
    board_print("\n");
#elif EXC_CHECK == EXC_wfi_basepri
    SCB_SHPR3 = 0xC0u << 16 | 0x40u << 24; /* PendSV 0xc0, SysTick 0x40 */
    set_basepri(0x80);
    SCB_ICSR = ICSR_PENDSVSET; /* held back by BASEPRI */
    start_systick();
    __asm volatile("wfi");
    note('w');
    set_basepri(0);
    let_pending_in();
    board_print(trace);
    board_print("\n");
#elif EXC_CHECK == EXC_wfi_in_handler
    SCB_SHPR2 = 0x80u << 24;               /* SVCall 0x80 */
    SCB_SHPR3 = 0xC0u << 16 | 0x40u << 24; /* PendSV 0xc0, SysTick 0x40 */
    __asm volatile("svc #0");
    note('m');
    board_print(trace);
    board_print("\n");
#else
#error "EXC_CHECK: one of the EXC_* above"
#endif
    return 0;
}
