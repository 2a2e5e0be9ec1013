/* The event log example (emu/firmware/apps/event_log.c: the engine's queue, SysTick time
 * stamps) on every board: boots with power cuts between them keep every committed event (the
 * sequence numbers it prints never go back, and each boot logs the next), its time stamps
 * come from SysTick interrupts taken while it sleeps in WFI and while it waits on the flash,
 * and a campaign over its third boot holds. Without WFI waking on SysTick it never logs. */
#include "emu.h"
#include "emu_testing.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define EVENT_RE "logged event ([0-9]+) at [0-9]+ ms"

/* Five boots with cuts inside flash operations 3 and 14 (counted from the first boot): every
 * boot that completes logs an event, and the last one has logged at least 3. */
static bool logs_across_cuts(const char *board, unsigned test_break) {
    emu *m = open_board_broken(board, firmware_path("event_log", board), 0, test_break);
    emu_expect expect;
    char why[EMU_WHY_MAX];
    cr_assert_eq(emu_expect_init(&expect, EVENT_RE, why, sizeof why), 0);
    static const uint64_t cuts[] = {3, 14};
    emu_plan plan = {.boots = 5,
                     .cuts = cuts,
                     .cut_count = 2,
                     .torn_program = NOR_TORN_PROG_SPREAD,
                     .torn_erase = NOR_TORN_ERASE_WEAK};
    emu_run_result r;
    cr_assert_eq(emu_run_plan(m, &plan, &expect, &r), 0);
    bool held = r.passed && r.boot_count == 5 && expect.has_value && expect.highest >= 3;
    if (!held && test_break == EMU_BREAK_NONE)
        for (size_t i = 0; i < r.boot_count; i++)
            cr_log_error("%s boot %zu: %s %s: %s", board, i + 1,
                         emu_stop_name(r.boots[i].boot.stop), r.boots[i].why, r.boots[i].boot.uart);
    emu_expect_free(&expect);
    emu_run_result_free(&r);
    emu_close(m);
    return held;
}

Test(event_log, keeps_its_events_across_power_cuts) {
    static const char *const boards[] = {"nrf52840", "stm32f4", "stm32l4"};
    for (size_t i = 0; i < 3; i++) {
        cr_assert(logs_across_cuts(boards[i], EMU_BREAK_NONE), "%s", boards[i]);
        cr_assert_not(logs_across_cuts(boards[i], EMU_BREAK_NO_WFI_WAKE), "%s", boards[i]);
    }
}

/* The first boot's push erases a page (85 ms on the nrf52840): the SysTick interrupts go on
 * while the driver polls READY, so the push ends 85 ms or more after the event's stamp. */
Test(event_log, systick_counts_through_the_flash_wait) {
    emu *m;
    emu_boot b = boot_once("nrf52840", firmware_path("event_log", "nrf52840"), 0, &m);
    unsigned at = 0, stored = 0;
    cr_assert_eq(
        sscanf(b.uart, "events before: 0, logged event 1 at %u ms, stored by %u ms", &at, &stored),
        2, "%s", b.uart);
    cr_assert_eq(at, 3, "the 3 ms it waits in WFI");
    cr_assert_eq(b.flash_erases, 1);
    cr_assert_geq(stored, at + 85, "%s", b.uart);
    cr_assert_leq(stored * UINT64_C(1000000), b.virtual_ns);
    done(m, &b);
}

Test(event_log, campaign_over_the_third_boot_holds) {
    static const char *const boards[] = {"nrf52840", "stm32l4"};
    for (size_t i = 0; i < 2; i++) {
        emu_campaign_result r = campaign_with(boards[i], firmware_path("event_log", boards[i]), 3,
                                              EVENT_RE, EMU_BREAK_NONE);
        cr_assert(r.reference_passed, "%s", boards[i]);
        cr_assert_gt(r.tries, 0);
        cr_assert_eq(r.failed_tries, 0, "%s: %s", boards[i],
                     r.failure_count ? r.failures[0].why : "");
        emu_campaign_result_free(&r);
    }
}
