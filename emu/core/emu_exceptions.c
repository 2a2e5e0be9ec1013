/* Cortex-M exceptions on the host (see emu_exceptions.h). Unicorn 2.0.1 hands every exception
 * to the interrupt hook and never runs QEMU's v7-M entry or return; it still knows Handler
 * mode from IPSR (an EXC_RETURN value branched to in Handler mode raises its "exception exit",
 * interrupt 8) and banks MSP and PSP by mode and CONTROL.SPSEL. So the host does the rest:
 *   entry, at the start of a translated block (the block's instructions have not run): the
 *   8-word frame (R0-R3, R12, LR, the return address, xPSR) pushed on the current stack,
 *   aligned to 8 bytes (xPSR bit 9 records the padding), IPSR set (Unicorn switches to MSP),
 *   LR = EXC_RETURN, the PC from the vector table at VTOR;
 *   return, on interrupt 8: the frame popped from the stack EXC_RETURN names, CONTROL.SPSEL
 *   and the mode restored, and a pending exception then taken as a new entry (a tail chain
 *   with the same stack contents).
 * Priorities: NMI -2, HardFault -1, the others from SHPR and the NVIC's IPR with AIRCR's
 * PRIGROUP; a pending exception preempts when its group priority is below the execution
 * priority (active exceptions, PRIMASK, FAULTMASK, BASEPRI). WFI wakes for one that would
 * preempt were PRIMASK clear, or sleeps until SysTick's next interrupt if that one would. Faults
 * the CPU raises (an undefined instruction, a bus fault) stay crash reports; only the ECC NMI,
 * SVC, and the exceptions software or SysTick pends are taken. No FP context is stacked. */
#include "emu_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
    SCS_PAGE = 0xE000E000u, /* SysTick, NVIC and SCB live in this 4 KiB */
    SCS_ICTR = 0xE000E004u,
    NVIC_ISER = 0xE000E100u, /* eight words each, one bit per interrupt */
    NVIC_ICER = 0xE000E180u,
    NVIC_ISPR = 0xE000E200u,
    NVIC_ICPR = 0xE000E280u,
    NVIC_IABR = 0xE000E300u,
    NVIC_IPR = 0xE000E400u, /* one byte per interrupt */
    NVIC_STIR = 0xE000EF00u,
    SCB_ICSR = 0xE000ED04u,
    SCB_VTOR = 0xE000ED08u,
    SCB_AIRCR = 0xE000ED0Cu,
    SCB_SCR = 0xE000ED10u,
    SCB_CCR = 0xE000ED14u,
    SCB_SHPR1 = 0xE000ED18u, /* SHPR1-3: a byte per system exception 4..15 */

    ICSR_NMIPENDSET = 1u << 31,
    ICSR_PENDSVSET = 1u << 28,
    ICSR_PENDSVCLR = 1u << 27,
    ICSR_PENDSTSET = 1u << 26,
    ICSR_PENDSTCLR = 1u << 25,
    ICSR_ISRPENDING = 1u << 22,
    AIRCR_VECTKEY = 0x05FAu << 16,
    AIRCR_VECTKEYSTAT = 0xFA05u << 16,
    CCR_RESET = 0x200u, /* STKALIGN: frames aligned to 8 bytes */

    CONTROL_NPRIV = 1u << 0,
    CONTROL_SPSEL = 1u << 1,
    XPSR_ALIGNED = 1u << 9, /* the frame was padded by 4 bytes */
    XPSR_T = 1u << 24,
    XPSR_IPSR = 0x1FFu,
    XPSR_APSR = 0xF80F0000u, /* NZCVQ and GE */

    EXC_RETURN_HANDLER = 0xFFFFFFF1u,
    EXC_RETURN_THREAD_MSP = 0xFFFFFFF9u,
    EXC_RETURN_THREAD_PSP = 0xFFFFFFFDu,
    THUMB_B_SELF = 0xE7FEu, /* `b .` */
    FRAME_WORDS = 8,
    NO_PRIORITY = 256, /* above every priority: nothing active, nothing masked */
    INTR_SVC = 2,      /* Unicorn's interrupt numbers (QEMU's EXCP_*) */
    INTR_EXCEPTION_EXIT = 8,
};

static const char *exception_name(unsigned n) {
    static const char *const names[16] = {
        [2] = "NMI",     [3] = "HardFault", [4] = "MemManage", [5] = "BusFault", [6] = "UsageFault",
        [11] = "SVCall", [12] = "DebugMon", [14] = "PendSV",   [15] = "SysTick"};
    return n < 16 ? (names[n] ? names[n] : "reserved") : "IRQ";
}

static unsigned exception_count(const emu *m) {
    return EMU_EXC_IRQ0 + (m->board->irq_count ? m->board->irq_count : 32);
}

static uint32_t reg(emu *m, int id) {
    uint32_t v = 0;
    uc_reg_read(m->uc, id, &v);
    return v;
}

static void set_reg(emu *m, int id, uint32_t v) {
    uc_reg_write(m->uc, id, &v);
}

/* Unicorn caches Handler mode in its translation flags and rebuilds them only when a write
 * goes through the CPSR path: writing the flags back unchanged does that. */
static void refresh_mode(emu *m) {
    set_reg(m, UC_ARM_REG_APSR_NZCV, reg(m, UC_ARM_REG_XPSR) & 0xF0000000u);
}

void emu_exceptions_reset(emu *m) {
    memset(&m->exc, 0, sizeof m->exc); /* the clock starts again at power-on */
    m->exc.ccr = CCR_RESET;
    emu_systick_reset(m);
}

uint64_t emu_exceptions_now_ns(const emu *m) {
    return m->exc.epoch_ns + emu_now_ns(m);
}

void emu_exceptions_pause(emu *m) {
    m->exc.paused_ns = emu_now_ns(m);
}

void emu_exceptions_resume(emu *m) {
    m->exc.epoch_ns += m->exc.paused_ns;
    m->exc.paused_ns = 0;
    m->exc.check_at = 0;
}

void emu_exceptions_pend(emu *m, unsigned number) {
    if (number >= exception_count(m)) return;
    m->exc.pending[number] = 1;
    m->exc.check_at = 0;
}

static int priority_of(const emu *m, unsigned n) {
    if (n == EMU_EXC_NMI) return -2;
    if (n == EMU_EXC_HARDFAULT) return -1;
    return m->exc.priority[n];
}

/* The group priority: the subpriority bits PRIGROUP names do not preempt. */
static int group_of(const emu *m, int priority) {
    unsigned prigroup = m->test_break == EMU_BREAK_IGNORE_PRIGROUP ? 0 : m->exc.prigroup;
    if (priority < 0) return priority;
    return priority & (int)((0xFFu << (prigroup + 1)) & 0xFFu);
}

/* The highest (lowest-numbered) group priority of the active exceptions. */
static int active_priority(const emu *m) {
    int p = NO_PRIORITY;
    for (uint32_t i = 0; i < m->exc.depth; i++) {
        int g = group_of(m, priority_of(m, m->exc.nest[i]));
        if (g < p) p = g;
    }
    return p;
}

/* ARMv7-M ExecutionPriority: the active exceptions, BASEPRI, FAULTMASK and, when `primask`,
 * PRIMASK. Without PRIMASK it is the level WFI's wake-up compares with (emu_exceptions_wake). */
static int execution_priority_of(emu *m, bool primask) {
    if (m->test_break == EMU_BREAK_NO_PRIORITIES) return NO_PRIORITY;
    int p = active_priority(m);
    uint32_t basepri = reg(m, UC_ARM_REG_BASEPRI) & 0xFFu;
    if (m->test_break == EMU_BREAK_IGNORE_BASEPRI) basepri = 0;
    if (basepri && group_of(m, (int)basepri) < p) p = group_of(m, (int)basepri);
    if (primask && (reg(m, UC_ARM_REG_PRIMASK) & 1) && p > 0) p = 0;
    if ((reg(m, UC_ARM_REG_FAULTMASK) & 1) && p > -1) p = -1;
    return p;
}

static int execution_priority(emu *m) {
    return execution_priority_of(m, true);
}

/* The pending exception to take next: the lowest priority, then the lowest number. 0: none. */
static unsigned most_urgent(emu *m) {
    unsigned best = 0, count = exception_count(m);
    for (unsigned n = 2; n < count; n++) {
        bool enabled =
            n < EMU_EXC_IRQ0 || m->exc.enabled[n] || m->test_break == EMU_BREAK_IGNORE_ISER;
        if (!m->exc.pending[n] || !enabled) continue;
        if (!best || priority_of(m, n) < priority_of(m, best)) best = n;
    }
    return best;
}

/* The word at `addr` in the target's memory; *ok false (and 0) where nothing is mapped. */
static uint32_t word_at(emu *m, uint32_t addr, bool *ok) {
    uint8_t b[4] = {0};
    *ok = uc_mem_read(m->uc, addr, b, 4) == UC_ERR_OK;
    return emu_le32(b);
}

/* VTOR resets to 0, where the parts boot from: the nRF52840's flash, the STM32s' boot alias of
 * theirs (BOOT0 low). Reading the table at the flash's start covers both. */
static uint32_t vector_address(const emu *m, unsigned number) {
    return (m->exc.vtor ? m->exc.vtor : m->flash_base) + 4 * number;
}

uint32_t emu_exceptions_handler(emu *m, unsigned number) {
    bool ok;
    uint32_t handler = word_at(m, vector_address(m, number), &ok);
    if (!ok) return 0;
    if (m->test_break == EMU_BREAK_ANY_VECTOR) return handler | 1u; /* 0: runs from address 0 */
    uint8_t insn[2];
    if (!handler || (uc_mem_read(m->uc, handler & ~1u, insn, 2) == UC_ERR_OK &&
                     (uint32_t)(insn[0] | insn[1] << 8) == THUMB_B_SELF))
        return 0;
    return handler;
}

static bool in_ram(const emu *m, uint32_t addr, uint32_t len) {
    const emu_board *b = m->board;
    return addr >= b->ram_base && len <= b->ram_size && addr - b->ram_base <= b->ram_size - len;
}

static void crash(emu *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void crash(emu *m, const char *fmt, ...) {
    char reason[sizeof m->boot->reason];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    emu_stop_with(m, EMU_STOP_CRASH, reason);
}

/* The frame's first six words in order (the return address and xPSR follow): pushed at entry,
 * popped at return. */
static const int frame_registers[6] = {UC_ARM_REG_R0, UC_ARM_REG_R1,  UC_ARM_REG_R2,
                                       UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR};

/* Exception entry (ARMv7-M ExceptionEntry): false when it could not be done (a crash). */
static bool enter(emu *m, unsigned n, uint32_t return_pc) {
    emu_exceptions *e = &m->exc;
    uint32_t handler = emu_exceptions_handler(m, n);
    if (!handler) {
        bool ok;
        uint32_t vector = vector_address(m, n), value = word_at(m, vector, &ok);
        crash(m, "exception %u (%s) with no handler: the vector at 0x%08x is %s0x%08x", n,
              exception_name(n), vector, value ? "an endless loop at " : "", value);
        return false;
    }
    if (!(handler & 1)) {
        crash(m, "exception %u (%s): its vector 0x%08x is not a Thumb address (INVSTATE)", n,
              exception_name(n), handler);
        return false;
    }
    if (e->depth == EMU_EXC_NEST_MAX) {
        crash(m, "exception %u (%s): more than %u nested exceptions", n, exception_name(n),
              EMU_EXC_NEST_MAX);
        return false;
    }
    uint32_t sp = reg(m, UC_ARM_REG_SP), xpsr = reg(m, UC_ARM_REG_XPSR);
    uint32_t control = reg(m, UC_ARM_REG_CONTROL);
    uint32_t frame = (sp - 4 * FRAME_WORDS) & ~7u; /* SP is word-aligned: 4 bytes of padding */
    if (m->test_break == EMU_BREAK_FRAME_UNALIGNED) frame = sp - 4 * FRAME_WORDS;
    bool padded = frame != sp - 4 * FRAME_WORDS;
    uint8_t bytes[4 * FRAME_WORDS];
    uint32_t words[FRAME_WORDS];
    for (int i = 0; i < 6; i++) words[i] = reg(m, frame_registers[i]);
    words[6] = return_pc & ~1u;
    words[7] = (xpsr & ~XPSR_ALIGNED) | (padded ? XPSR_ALIGNED : 0);
    for (int i = 0; i < 4 * FRAME_WORDS; i++) bytes[i] = (uint8_t)(words[i / 4] >> (8 * (i % 4)));
    if (!in_ram(m, frame, sizeof bytes)) {
        crash(m,
              "exception %u (%s): its frame at 0x%08x (SP 0x%08x) is not in RAM (a stack "
              "overflow?)",
              n, exception_name(n), frame, sp);
        return false;
    }
    if (m->test_break != EMU_BREAK_NO_FRAME_PUSH) uc_mem_write(m->uc, frame, bytes, sizeof bytes);
    uint32_t exc_return = e->depth                    ? EXC_RETURN_HANDLER
                          : (control & CONTROL_SPSEL) ? EXC_RETURN_THREAD_PSP
                                                      : EXC_RETURN_THREAD_MSP;
    set_reg(m, UC_ARM_REG_SP, frame); /* the stack in use; IPSR's write then selects MSP */
    set_reg(m, UC_ARM_REG_XPSR_NZCVQG, (xpsr & XPSR_APSR) | XPSR_T | n);
    refresh_mode(m);
    set_reg(m, UC_ARM_REG_LR, exc_return);
    set_reg(m, UC_ARM_REG_PC, handler); /* Unicorn leaves the block and goes on from here */
    e->pending[n] = 0;
    e->nest[e->depth++] = (uint8_t)n;
    e->check_at = 0;
    return true;
}

/* Back to Thread mode with CONTROL.SPSEL from EXC_RETURN. v7-M ignores SPSEL writes in
 * Handler mode, and an unprivileged Thread mode takes none: drop nPRIV in Handler mode, leave
 * it, set SPSEL and nPRIV as they were. */
static void return_to_thread(emu *m, uint32_t xpsr, bool psp) {
    uint32_t control = reg(m, UC_ARM_REG_CONTROL);
    bool spsel = (control & CONTROL_SPSEL) != 0;
    if (m->test_break == EMU_BREAK_KEEP_SPSEL) psp = spsel;
    if (spsel != psp) set_reg(m, UC_ARM_REG_CONTROL, control & ~CONTROL_NPRIV);
    set_reg(m, UC_ARM_REG_XPSR_NZCVQG, xpsr);
    if (spsel != psp)
        set_reg(m, UC_ARM_REG_CONTROL, (control & ~CONTROL_SPSEL) | (psp ? CONTROL_SPSEL : 0));
}

/* Exception return (ARMv7-M ExceptionReturn) for the EXC_RETURN value branched to. */
static void exception_return(emu *m, uint32_t exc_return) {
    emu_exceptions *e = &m->exc;
    bool valid = exc_return == EXC_RETURN_HANDLER || exc_return == EXC_RETURN_THREAD_MSP ||
                 exc_return == EXC_RETURN_THREAD_PSP;
    if (!valid && m->test_break == EMU_BREAK_ANY_EXC_RETURN) exc_return = EXC_RETURN_THREAD_MSP;
    bool to_thread = exc_return == EXC_RETURN_THREAD_MSP || exc_return == EXC_RETURN_THREAD_PSP;
    if (!to_thread && exc_return != EXC_RETURN_HANDLER) {
        crash(m,
              "exception return to EXC_RETURN 0x%08x: not 0xfffffff1, 0xfffffff9 or "
              "0xfffffffd (an FP frame, or a corrupted LR)",
              exc_return);
        return;
    }
    if (e->depth == 0 || (to_thread && e->depth != 1) || (!to_thread && e->depth < 2)) {
        crash(m, "exception return to EXC_RETURN 0x%08x with %u exception(s) active (INVPC)",
              exc_return, e->depth);
        return;
    }
    bool psp = exc_return == EXC_RETURN_THREAD_PSP;
    uint32_t sp = reg(m, psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP);
    if (!in_ram(m, sp, 4 * FRAME_WORDS)) {
        crash(m, "exception return: the frame at 0x%08x is not in RAM", sp);
        return;
    }
    uint32_t w[FRAME_WORDS];
    for (int i = 0; i < FRAME_WORDS; i++) {
        bool ok;
        w[i] = word_at(m, sp + 4 * (uint32_t)i, &ok);
    }
    uint32_t xpsr = w[7], ipsr = xpsr & XPSR_IPSR;
    unsigned returning_to = to_thread ? 0 : e->nest[e->depth - 2];
    if (ipsr != returning_to || !(xpsr & XPSR_T)) {
        crash(m,
              "exception return from %s: the stacked xPSR 0x%08x (at 0x%08x) %s (a "
              "corrupted frame)",
              exception_name(e->nest[e->depth - 1]), xpsr, sp + 28,
              !(xpsr & XPSR_T) ? "has no Thumb bit (INVSTATE)" : "names another mode (INVPC)");
        return;
    }
    for (int i = 0; i < 6; i++) set_reg(m, frame_registers[i], w[i]);
    bool padded = (xpsr & XPSR_ALIGNED) && m->test_break != EMU_BREAK_RETURN_NO_PADDING;
    uint32_t new_sp = sp + 4 * FRAME_WORDS + (padded ? 4 : 0);
    set_reg(m, psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP, new_sp); /* still privileged here */
    e->depth--;
    xpsr &= ~XPSR_ALIGNED;
    if (to_thread)
        return_to_thread(m, xpsr, psp);
    else
        set_reg(m, UC_ARM_REG_XPSR_NZCVQG, xpsr);
    refresh_mode(m);
    set_reg(m, UC_ARM_REG_PC, w[6] | 1u);
    e->check_at = 0; /* something pending may now preempt (the tail chain) */
}

bool emu_exceptions_poll(emu *m, uint32_t pc) {
    emu_exceptions *e = &m->exc;
    if (m->stopped) return false;
    emu_systick_update(m);
    unsigned n = most_urgent(m);
    if (n && group_of(m, priority_of(m, n)) < execution_priority(m)) return enter(m, n, pc);
    if (n) {
        e->check_at = 0; /* masked: look again at every block until it can be taken */
        return false;
    }
    uint64_t next = emu_systick_next_ns(m), now = emu_exceptions_now_ns(m);
    if (next == UINT64_MAX) {
        e->check_at = UINT64_MAX;
        return false;
    }
    /* Instructions are the clock between stalls; a stall sets check_at to 0. */
    uint64_t wait = next > now ? next - now : 0;
    uint64_t cycles =
        wait / 1000000000u * m->board->cpu_hz + wait % 1000000000u * m->board->cpu_hz / 1000000000u;
    e->check_at = m->boot->instructions + cycles;
    return false;
}

bool emu_exceptions_on_interrupt(emu *m, uint32_t intno) {
    if (m->stopped) return intno == INTR_EXCEPTION_EXIT || intno == INTR_SVC;
    uint32_t pc = reg(m, UC_ARM_REG_PC);
    if (intno == INTR_EXCEPTION_EXIT) {
        exception_return(m, pc | 1u);
        return true;
    }
    if (intno == INTR_SVC) { /* synchronous: taken now, or escalated (a crash here) */
        if (group_of(m, priority_of(m, EMU_EXC_SVCALL)) >= execution_priority(m)) {
            crash(m, "SVC while SVCall cannot preempt (escalated to HardFault)");
            return true;
        }
        enter(m, EMU_EXC_SVCALL, pc);
        return true;
    }
    return false;
}

uint64_t emu_exceptions_next_interrupt_ns(emu *m) {
    emu_systick_update(m);
    int level = execution_priority(m);
    unsigned n = most_urgent(m);
    if (n && group_of(m, priority_of(m, n)) < level) return emu_now_ns(m);
    if (group_of(m, priority_of(m, EMU_EXC_SYSTICK)) >= level) return UINT64_MAX;
    uint64_t next = emu_systick_next_ns(m);
    return next == UINT64_MAX ? next : next - m->exc.epoch_ns;
}

/* A WFI wake-up event (the ARMv7-M ARM's "Wait For Interrupt"): exception `n` (0: none) pending at
 * a priority that would preempt were PRIMASK clear. BASEPRI and FAULTMASK still hold it back. */
static bool wakes(emu *m, unsigned n) {
    int level = m->test_break == EMU_BREAK_WAKE_ACTIVE_ONLY ? active_priority(m)
                                                            : execution_priority_of(m, false);
    return n && group_of(m, priority_of(m, n)) < level;
}

bool emu_exceptions_wake(emu *m) {
    emu_exceptions *e = &m->exc;
    if (m->test_break == EMU_BREAK_NO_WFI_WAKE) return false;
    emu_systick_update(m);
    if (!wakes(m, most_urgent(m))) {
        /* Nothing pending can wake the core (what is pending stays so): asleep until SysTick's
         * next count to 0, when its interrupt would. Nothing else moves while the core sleeps. */
        uint64_t next = emu_systick_next_ns(m);
        if (next == UINT64_MAX || !wakes(m, EMU_EXC_SYSTICK)) return false;
        if (m->test_break == EMU_BREAK_WAKE_NO_WAIT && most_urgent(m)) return false;
        emu_stall_until(m, next - e->epoch_ns);
        emu_systick_update(m);
        if (!wakes(m, most_urgent(m))) return false;
    }
    unsigned n = most_urgent(m);
    if (group_of(m, priority_of(m, n)) < execution_priority(m))
        return enter(m, n, reg(m, UC_ARM_REG_PC));
    e->check_at = 0;
    return true; /* PRIMASK: on after the WFI, taken once the firmware unmasks it */
}

/* ---- Registers ------------------------------------------------------------------------- */

static uint32_t icsr(emu *m) {
    emu_exceptions *e = &m->exc;
    uint32_t v = e->depth ? e->nest[e->depth - 1] : 0;
    unsigned n = most_urgent(m);
    v |= (uint32_t)n << 12; /* VECTPENDING */
    if (n >= EMU_EXC_IRQ0) v |= ICSR_ISRPENDING;
    if (e->pending[EMU_EXC_NMI]) v |= ICSR_NMIPENDSET;
    if (e->pending[EMU_EXC_PENDSV]) v |= ICSR_PENDSVSET;
    if (e->pending[EMU_EXC_SYSTICK]) v |= ICSR_PENDSTSET;
    if (e->depth <= 1) v |= 1u << 11; /* RETTOBASE */
    return v;
}

static void write_icsr(emu *m, uint32_t v) {
    emu_exceptions *e = &m->exc;
    if (v & ICSR_NMIPENDSET) e->pending[EMU_EXC_NMI] = 1;
    if (v & ICSR_PENDSVSET) e->pending[EMU_EXC_PENDSV] = 1;
    if (v & ICSR_PENDSVCLR) e->pending[EMU_EXC_PENDSV] = 0;
    if (v & ICSR_PENDSTSET) e->pending[EMU_EXC_SYSTICK] = 1;
    if (v & ICSR_PENDSTCLR) e->pending[EMU_EXC_SYSTICK] = 0;
}

static uint8_t priority_mask(const emu *m) {
    unsigned bits = m->board->priority_bits ? m->board->priority_bits : 8;
    return (uint8_t)(0xFFu << (8 - bits));
}

/* A bit per external interrupt: ISER/ICER (enabled), ISPR/ICPR (pending), IABR (active). */
static bool nvic_bits(emu *m, uint32_t addr, uint32_t *value, bool write) {
    uint32_t bank = addr & ~0x7Fu, first = EMU_EXC_IRQ0 + (addr & 0x1Cu) * 8;
    if ((addr & 0x60u) || (bank != NVIC_ISER && bank != NVIC_ICER && bank != NVIC_ISPR &&
                           bank != NVIC_ICPR && bank != NVIC_IABR))
        return false;
    uint8_t *bits = bank == NVIC_ISER || bank == NVIC_ICER   ? m->exc.enabled
                    : bank == NVIC_ISPR || bank == NVIC_ICPR ? m->exc.pending
                                                             : NULL;
    unsigned count = exception_count(m);
    if (!write) {
        uint32_t v = 0;
        for (unsigned i = 0; i < 32 && first + i < count; i++) {
            bool on = false;
            if (bits)
                on = bits[first + i];
            else
                for (uint32_t d = 0; d < m->exc.depth; d++) on |= m->exc.nest[d] == first + i;
            v |= (uint32_t)on << i;
        }
        *value = v;
        return true;
    }
    if (!bits) return true; /* IABR is read-only */
    bool set = bank == NVIC_ISER || bank == NVIC_ISPR;
    for (unsigned i = 0; i < 32 && first + i < count; i++)
        if (*value >> i & 1) bits[first + i] = set;
    return true;
}

bool emu_exceptions_read(emu *m, uint32_t addr, uint32_t *value) {
    emu_exceptions *e = &m->exc;
    if ((addr & ~0xFFFu) != SCS_PAGE) return false;
    if (emu_systick_read(m, addr, value) || nvic_bits(m, addr, value, false)) return true;
    unsigned count = exception_count(m);
    if (addr >= NVIC_IPR && addr < NVIC_IPR + count - EMU_EXC_IRQ0) {
        uint32_t first = EMU_EXC_IRQ0 + (addr & ~3u) - NVIC_IPR, v = 0;
        for (uint32_t i = 0; i < 4 && first + i < count; i++)
            v |= (uint32_t)e->priority[first + i] << (8 * i);
        *value = v;
        return true;
    }
    if (addr >= SCB_SHPR1 && addr < SCB_SHPR1 + 12) {
        uint32_t first = 4 + (addr & ~3u) - SCB_SHPR1, v = 0;
        for (uint32_t i = 0; i < 4; i++) v |= (uint32_t)e->priority[first + i] << (8 * i);
        *value = v;
        return true;
    }
    switch (addr) {
    case SCS_ICTR: *value = (count - EMU_EXC_IRQ0 - 1) / 32; return true;
    case SCB_ICSR: *value = icsr(m); return true;
    case SCB_VTOR: *value = e->vtor; return true;
    case SCB_AIRCR: *value = AIRCR_VECTKEYSTAT | e->prigroup << 8; return true;
    case SCB_SCR: *value = e->scr; return true;
    case SCB_CCR: *value = e->ccr; return true;
    default: return false;
    }
}

bool emu_exceptions_write(emu *m, uint32_t addr, uint32_t value) {
    emu_exceptions *e = &m->exc;
    unsigned count = exception_count(m);
    bool handled = true;
    if ((addr & ~0xFFFu) != SCS_PAGE) return false;
    if (emu_systick_write(m, addr, value)) return true;
    if (nvic_bits(m, addr, &value, true)) {
    } else if (addr >= NVIC_IPR && addr < NVIC_IPR + count - EMU_EXC_IRQ0) {
        uint32_t first = EMU_EXC_IRQ0 + (addr & ~3u) - NVIC_IPR;
        for (uint32_t i = 0; i < 4 && first + i < count; i++)
            e->priority[first + i] = (uint8_t)(value >> (8 * i)) & priority_mask(m);
    } else if (addr >= SCB_SHPR1 && addr < SCB_SHPR1 + 12) {
        uint32_t first = 4 + (addr & ~3u) - SCB_SHPR1;
        for (uint32_t i = 0; i < 4; i++)
            e->priority[first + i] = (uint8_t)(value >> (8 * i)) & priority_mask(m);
    } else if (addr == NVIC_STIR) {
        if ((value & 0x1FFu) + EMU_EXC_IRQ0 < count)
            e->pending[EMU_EXC_IRQ0 + (value & 0x1FFu)] = 1;
    } else if (addr == SCB_ICSR) {
        write_icsr(m, value);
    } else if (addr == SCB_VTOR) {
        e->vtor = value & ~0x7Fu;
    } else if (addr == SCB_AIRCR) {
        if ((value & 0xFFFF0000u) == AIRCR_VECTKEY) e->prigroup = (value >> 8) & 7u;
    } else if (addr == SCB_SCR) {
        e->scr = value & 0x16u; /* SLEEPONEXIT, SLEEPDEEP, SEVONPEND: kept, not acted on */
    } else if (addr == SCB_CCR) {
        e->ccr = (value & 0x31Bu) | CCR_RESET; /* STKALIGN stays set */
    } else {
        handled = false;
    }
    if (handled) e->check_at = 0;
    return handled;
}
