/* The exception model on the host (emu/core/emu_exceptions.c, emu_systick.c) with the checks
 * of emu/firmware/cortex_m/checks/exceptions.c on the nrf52840 (64 MHz) and the stm32l4's ECC
 * NMI: SysTick's registers, its interrupt at its virtual time (on the core clock, and on the
 * stm32f4's reference clock), WFI woken by it, registers kept across an exception, nesting and
 * tail chaining by priority, the NVIC's enable and pending bits, SVC, a task on PSP, the frame's
 * 8-byte alignment, BASEPRI, PRIGROUP, WFI's wake-up rule, and the crash reports of a vector of
 * 0, an endless default handler and a bad EXC_RETURN. Each check is run once more with the
 * test-only flaw (emu_options.test_break) it must catch, and must fail there. */
#include "emu.h"
#include "emu_testing.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define NRF                "nrf52840"
#define NS_PER_CYCLE_X1000 15625u /* 64 MHz: 15.625 ns */

static emu_boot boot_check(const char *check, unsigned test_break, emu **m) {
    char name[64];
    snprintf(name, sizeof name, "exc_%s", check);
    *m = open_board_broken(NRF, firmware_path(name, NRF), 2000000, test_break);
    emu_boot b;
    cr_assert_eq(emu_boot_run(*m, &b), 0);
    return b;
}

/* True when the boot ended idle having printed exactly `uart`. */
static bool prints(const char *check, unsigned test_break, const char *uart) {
    emu *m;
    emu_boot b = boot_check(check, test_break, &m);
    bool held = b.stop == EMU_STOP_IDLE && strcmp(b.uart, uart) == 0;
    if (!held && test_break == EMU_BREAK_NONE)
        cr_log_error("%s: %s: %s, printed: %s", check, emu_stop_name(b.stop), b.reason, b.uart);
    done(m, &b);
    return held;
}

/* The check prints `uart` and ends idle; with the test-only `flaw` it does not. */
static void prints_and_catches(const char *check, const char *uart, unsigned flaw) {
    cr_assert(prints(check, EMU_BREAK_NONE, uart));
    cr_assert_not(prints(check, flaw, uart), "%s: test_break %u not caught", check, flaw);
}

/* SysTick every 1000 cycles: the 10th interrupt comes 10,000 cycles after it started, so the
 * boot ends after that, within the 1000 cycles of its set-up and its print. */
static bool ten_ticks_on_time(const char *check, unsigned test_break) {
    emu *m;
    emu_boot b = boot_check(check, test_break, &m);
    uint64_t earliest = 10000u * (uint64_t)NS_PER_CYCLE_X1000 / 1000u;
    uint64_t latest = earliest + 1000u * (uint64_t)NS_PER_CYCLE_X1000 / 1000u;
    bool held = b.stop == EMU_STOP_IDLE && strcmp(b.uart, "ticks 10\n") == 0 &&
                b.virtual_ns >= earliest && b.virtual_ns <= latest;
    if (!held && test_break == EMU_BREAK_NONE)
        cr_log_error("%s: %s %s, %llu ns, %llu instructions", check, emu_stop_name(b.stop), b.uart,
                     (unsigned long long)b.virtual_ns, (unsigned long long)b.instructions);
    done(m, &b);
    return held;
}

Test(exceptions, systick_interrupts_at_the_expected_virtual_time) {
    cr_assert(ten_ticks_on_time("systick_wfi", EMU_BREAK_NONE));
    cr_assert(ten_ticks_on_time("systick_busy", EMU_BREAK_NONE));
    cr_assert_not(ten_ticks_on_time("systick_wfi", EMU_BREAK_SYSTICK_HALF));
    cr_assert_not(ten_ticks_on_time("systick_busy", EMU_BREAK_SYSTICK_HALF));
}

/* stm32f4, CLKSOURCE = 0: 10 interrupts of 1000 ticks of HCLK/8 (2 MHz) take 5 ms. */
static bool ten_reference_ticks_on_time(unsigned test_break) {
    emu *m = open_board_broken("stm32f4", firmware_path("exc_systick_reference", "stm32f4"), 0,
                               test_break);
    emu_boot b;
    cr_assert_eq(emu_boot_run(m, &b), 0);
    uint64_t earliest = UINT64_C(5000000), latest = earliest + 1000u * UINT64_C(1000) / 16u;
    bool held = b.stop == EMU_STOP_IDLE && strcmp(b.uart, "ticks 10\n") == 0 &&
                b.virtual_ns >= earliest && b.virtual_ns <= latest;
    if (!held && test_break == EMU_BREAK_NONE)
        cr_log_error("%s %s, %llu ns", emu_stop_name(b.stop), b.uart,
                     (unsigned long long)b.virtual_ns);
    done(m, &b);
    return held;
}

Test(exceptions, systick_on_the_reference_clock) {
    cr_assert(ten_reference_ticks_on_time(EMU_BREAK_NONE));
    cr_assert_not(ten_reference_ticks_on_time(EMU_BREAK_SYSTICK_HALF));
}

/* SysTick's registers without its interrupt. CALIB: NOREF (the nrf52840 has no reference
 * clock) and TENMS = 10 ms of the 64 MHz core clock less one (639,999). */
#define SYSTICK_REGS                                                                               \
    "cvr after a write 0, countflag 0; countflag seen after polls: yes, then 0; cvr <= rvr "       \
    "yes; held while disabled yes; rvr 00ffffff; calib 8009c3ff\n"

Test(exceptions, systick_registers) {
    prints_and_catches("systick_regs", SYSTICK_REGS, EMU_BREAK_STICKY_COUNTFLAG);
}

/* External interrupt 3: pending alone it waits for ISER; STIR pends it again; disabled it
 * stays pending until ICPR; its handler sees IPSR 19 (16 + 3). */
#define NVIC_STEPS                                                                                 \
    "pending, not enabled: runs 0, ISPR 00000008\n"                                                \
    "enabled: runs 1, ISPR 00000000\n"                                                             \
    "STIR: runs 2, ISPR 00000000\n"                                                                \
    "disabled, STIR: runs 2, ISPR 00000008\n"                                                      \
    "ICPR: runs 2, ISPR 00000000\n"                                                                \
    "IPSR in the handler 19\n"

Test(exceptions, nvic_enable_and_pending_bits) {
    prints_and_catches("nvic", NVIC_STEPS, EMU_BREAK_IGNORE_ISER);
}

/* In WFI the clock skips to the next interrupt: 10 interrupts cost a few hundred
 * instructions, not 10,000; with WFI not woken the boot ends idle at the first one. */
Test(exceptions, wfi_sleeps_until_systick) {
    emu *m;
    emu_boot b = boot_check("systick_wfi", EMU_BREAK_NONE, &m);
    cr_assert_lt(b.instructions, 1000);
    done(m, &b);
    cr_assert_not(prints("systick_wfi", EMU_BREAK_NO_WFI_WAKE, "ticks 10\n"));
}

#define KEPT                                                                                       \
    "r0 00000010 r1 00000011 r2 00000012 r3 00000013 r12 0000001c lr 0000001e apsr 80000000\n"

/* The handler overwrites R0-R3, R12 and the flags; the frame brings them back. */
Test(exceptions, exception_return_restores_registers) {
    prints_and_catches("registers_kept", KEPT, EMU_BREAK_NO_FRAME_PUSH);
}

/* First SysTick: PendSV (priority 0x40) preempts the SysTick handler (0x80) at once, IPSR 14
 * inside it; second: PendSV at 0xC0 waits for the SysTick handler's return (the tail chain). */
Test(exceptions, nesting_and_tail_chaining_by_priority) {
    prints_and_catches("nesting", "SP4psSsP4p\n", EMU_BREAK_NO_PRIORITIES);
}

Test(exceptions, svc_enters_the_svcall_handler) {
    prints_and_catches("svc", "V1v\n", EMU_BREAK_NO_FRAME_PUSH);
}

/* The RTOS start: SVC's handler returns to a task on PSP (EXC_RETURN 0xfffffffd sets
 * CONTROL.SPSEL), SysTick's handlers run on MSP and return to the task's stack. */
Test(exceptions, a_task_on_the_process_stack) {
    static const char uart[] = "task on PSP, CONTROL 2, handlers on MSP\n";
    prints_and_catches("psp", uart, EMU_BREAK_KEEP_SPSEL);
    cr_assert_not(prints("psp", EMU_BREAK_NO_FRAME_PUSH, uart));
}

/* PendSV taken with SP 4 mod 8: its frame 36 bytes below (a word of padding), xPSR bit 9 set,
 * and SP back where it was after the return; with SP 0 mod 8: 32 bytes below, bit 9 clear. */
#define FRAMES                                                                                     \
    "SP 4 mod 8: frame at SP-36, xPSR bit 9 1, SP kept\n"                                          \
    "SP 0 mod 8: frame at SP-32, xPSR bit 9 0, SP kept\n"

Test(exceptions, the_frame_is_aligned_to_8_bytes) {
    prints_and_catches("frame_alignment", FRAMES, EMU_BREAK_FRAME_UNALIGNED);
    cr_assert_not(prints("frame_alignment", EMU_BREAK_RETURN_NO_PADDING, FRAMES));
}

/* BASEPRI 0x80 holds back the group priorities 0x80 to 0xff; 0x40 still preempts; BASEPRI 0
 * lets the held one in. */
Test(exceptions, basepri_holds_back_lower_priorities) {
    static const char uart[] = "BASEPRI 0x80: SysTick at 0xc0 ran 0, at 0x80 0, at 0x40 1; "
                               "BASEPRI 0: the one held ran 1\n";
    prints_and_catches("basepri", uart, EMU_BREAK_IGNORE_BASEPRI);
}

/* PendSV 0x80 pended in the SysTick handler (0xc0): PRIGROUP 5 keeps bits 7-6 as the group, so
 * it preempts (S P s); PRIGROUP 6 keeps bit 7, both are group 0x80 and it waits (S s P). */
Test(exceptions, prigroup_makes_subpriorities_that_do_not_preempt) {
    static const char uart[] = "PRIGROUP 5|6: SPs|SsP, AIRCR fa050600\n";
    prints_and_catches("prigroup", uart, EMU_BREAK_IGNORE_PRIGROUP);
}

/* WFI wakes for what would preempt were PRIMASK clear: a PendSV BASEPRI holds back does not
 * wake it, the SysTick above BASEPRI does (S), then main goes on (w) and PendSV runs once
 * BASEPRI is 0 (P). */
Test(exceptions, wfi_sleeps_through_what_basepri_masks) {
    prints_and_catches("wfi_basepri", "SwP\n", EMU_BREAK_WAKE_ACTIVE_ONLY);
}

/* A WFI in the SVC handler (V) with a PendSV pending that cannot preempt it sleeps until the
 * SysTick that can (S), goes on (v), and PendSV follows the handler's return (P), then main. */
Test(exceptions, wfi_in_a_handler_sleeps_until_an_exception_that_can_preempt) {
    prints_and_catches("wfi_in_handler", "VSvPm\n", EMU_BREAK_WAKE_NO_WAIT);
}

/* A crash report naming `reason_part`, with the PC in `symbol` and the registers. */
static bool crashes_with(const char *check, unsigned test_break, const char *reason_part,
                         const char *symbol) {
    emu *m;
    emu_boot b = boot_check(check, test_break, &m);
    bool held = b.stop == EMU_STOP_CRASH && strstr(b.reason, reason_part) &&
                strncmp(b.pc_symbol, symbol, strlen(symbol)) == 0 && b.regs[13] != 0;
    if (!held && test_break == EMU_BREAK_NONE)
        cr_log_error("%s: %s: %s at %s", check, emu_stop_name(b.stop), b.reason, b.pc_symbol);
    done(m, &b);
    return held;
}

Test(exceptions, a_vector_of_zero_is_a_crash) {
    cr_assert(crashes_with("vector_zero", EMU_BREAK_NONE,
                           "exception 15 (SysTick) with no handler: the vector at 0x2000", ""));
    cr_assert_not(crashes_with("vector_zero", EMU_BREAK_ANY_VECTOR, "with no handler", ""));
}

/* The startup's default handler is an endless loop: reported where the interrupt came. */
Test(exceptions, an_endless_default_handler_is_a_crash) {
    cr_assert(crashes_with("no_handler", EMU_BREAK_NONE,
                           "exception 15 (SysTick) with no handler: the vector at 0x0000003c is "
                           "an endless loop",
                           "main+"));
    cr_assert_not(crashes_with("no_handler", EMU_BREAK_ANY_VECTOR, "with no handler", "main+"));
}

Test(exceptions, a_bad_exc_return_is_a_crash) {
    cr_assert(crashes_with("bad_exc_return", EMU_BREAK_NONE,
                           "exception return to EXC_RETURN 0xfffffff5", ""));
    cr_assert_not(crashes_with("bad_exc_return", EMU_BREAK_ANY_EXC_RETURN,
                               "exception return to EXC_RETURN 0xfffffff5", ""));
}

/* stm32l4: a cut inside the program of a double word leaves it with an ECC double error; the
 * next boot's load raises the NMI, whose handler reads FLASH_ECCR: ECCD and the double word's
 * offset in bank 2 (0x7c000 | BK_ECC), cleared by writing ECCD. */
static bool ecc_nmi_reported(unsigned test_break) {
    emu *m = open_board_broken("stm32l4", firmware_path("ecc_nmi", "stm32l4"), 0, test_break);
    static const uint64_t cut[] = {1};
    emu_plan plan = {.boots = 2,
                     .cuts = cut,
                     .cut_count = 1,
                     .torn_program = NOR_TORN_PROG_MIDDLE,
                     .torn_erase = NOR_TORN_ERASE_PARTIAL};
    emu_run_result r;
    emu_expect anything;
    char why[EMU_WHY_MAX];
    cr_assert_eq(emu_expect_init(&anything, NULL, why, sizeof why), 0);
    cr_assert_eq(emu_run_plan(m, &plan, &anything, &r), 0);
    emu_expect_free(&anything);
    cr_assert_eq(r.boot_count, 2);
    const emu_boot *b = &r.boots[1].boot;
    bool held = b->stop == EMU_STOP_IDLE &&
                strncmp(b->uart, "NMI: FLASH_ECCR 800fc000, after it 000fc000", 43) == 0;
    if (!held && test_break == EMU_BREAK_NONE)
        cr_log_error("%s: %s, printed %s", emu_stop_name(b->stop), b->reason, b->uart);
    emu_run_result_free(&r);
    emu_close(m);
    return held;
}

Test(exceptions, the_ecc_nmi_reaches_the_firmware_handler) {
    cr_assert(ecc_nmi_reported(EMU_BREAK_NONE));
    cr_assert_not(ecc_nmi_reported(EMU_BREAK_ECC_SILENT));
}
