/* The stm32l4 board end to end with the firmware of emu/firmware: the boot counter counts
 * across boots through the FLASH interface (2 KiB page erases, double words, BSY for the
 * preset's times), the interface's rules (double words programmed once: PROGERR; SIZERR,
 * PGAERR, PGSERR), a bank erase, USART2 prints, the clocks start; a load from a double word a
 * cut left with an ECC uncorrectable error raises the part's NMI: a crash for a firmware
 * without a handler (the in-place counter), the engine's read failing for the boot counter. */
#include "emu.h"
#include "emu_testing.h"

#include <criterion/criterion.h>
#include <string.h>

#define BOARD "stm32l4"

Test(stm32l4, boot_counter_counts_across_boots) {
    emu *m = open_board(BOARD, firmware_path("boot_counter", BOARD), 0);
    emu_run_result r = count_boots(m, 3);
    /* The first boot erased a 2 KiB page (22 ms typical); the next ones program double words
     * (82 us each) and wait on BSY for them. */
    const emu_boot *first = &r.boots[0].boot, *second = &r.boots[1].boot;
    cr_assert_eq(first->flash_erases, 1);
    cr_assert_geq(first->virtual_ns, UINT64_C(22000000));
    cr_assert_eq(second->flash_erases, 0);
    cr_assert_gt(second->flash_programs, 0);
    cr_assert_geq(second->virtual_ns, second->flash_programs * UINT64_C(82000));
    cr_assert_eq(second->flash_refused + second->flash_violations, 0);
    emu_run_result_free(&r);
    emu_close(m);
}

/* Each step prints SR and the double word. A model that let a second program through (or
 * ANDed it), refused the all-zero overwrite, started a program with PROGERR still set, took a
 * halfword or a first word off the double-word boundary, or programmed while locked would print
 * something else. */
Test(stm32l4, flash_interface_rules) {
    emu *m;
    emu_boot b = boot_once(BOARD, firmware_path("flash_rules", BOARD), 0, &m);
    cr_assert_eq(b.stop, EMU_STOP_IDLE, "%s", b.reason);
    cr_assert_str_eq(b.uart, "first program: SR 00000000, double word 7766554433221100\n"
                             "second program: SR 00000008, double word 7766554433221100\n"
                             "zeros with PROGERR set: SR 00000088, double word 7766554433221100\n"
                             "zeros: SR 00000000, double word 0000000000000000\n"
                             "halfword store: SR 00000040, double word 0000000000000000\n"
                             "first word off the boundary: SR 00000020, double word "
                             "0000000000000000\n"
                             "page erase: SR 00000000, double word ffffffffffffffff\n"
                             "locked: SR 00000080, double word ffffffffffffffff\n");
    cr_assert_eq(b.flash_programs, 3, "the first, the refused second, the zeros");
    cr_assert_eq(b.flash_erases, 2);
    cr_assert_eq(b.flash_violations, 1, "the second program of the double word");
    cr_assert_eq(b.flash_refused, 6, "PGSERR twice, SIZERR, PGAERR, locked twice");
    done(m, &b);
}

/* MER2 erases bank 2 (the storage) page by page, 22 ms each, and leaves bank 1 (the code). */
Test(stm32l4, a_bank_erase_erases_bank_2_only) {
    emu *m;
    emu_boot b = boot_once(BOARD, firmware_path("bank_erase", BOARD), 0, &m);
    cr_assert_eq(b.stop, EMU_STOP_IDLE, "%s: %s", b.reason, b.uart);
    cr_assert_str_eq(b.uart, "programmed: 0807060504030201\n"
                             "after the bank erase: ffffffffffffffff\n");
    cr_assert_eq(b.flash_erases, 256);
    cr_assert_geq(b.virtual_ns, 256 * UINT64_C(22000000));
    done(m, &b);
}

Test(stm32l4, usart2_prints_and_the_rest_is_counted) {
    emu *m;
    emu_boot b = boot_once(BOARD, firmware_path("boot_counter", BOARD), 0, &m);
    cr_assert_str_eq(b.uart, "boot count: 1\n");
    cr_assert_eq(b.register_count, 2, "USART2_BRR and RCC_APB1ENR1");
    cr_assert(b.registers[0].addr == 0x4000440Cu && b.registers[0].writes == 1);
    cr_assert(b.registers[1].addr == 0x40021058u && b.registers[1].writes == 1);
    done(m, &b);
}

/* The in-place counter loses counts as on the other boards; besides, a cut inside its program
 * or erase can leave the double word with an ECC error the decoder cannot correct, and the
 * reboot's load of it is the part's NMI. Each failure is one of the two: a try whose state
 * leaked from an earlier try (the ECC verdicts of a flash the campaign has put back) would fail
 * otherwise. */
Test(stm32l4, campaign_catches_the_in_place_counter_and_ecc_errors) {
    campaign_catches_the_in_place_counter(BOARD);
    emu_campaign_result r = campaign(BOARD, firmware_path("boot_counter_in_place", BOARD), 3);
    size_t ecc = 0;
    for (size_t i = 0; i < r.failure_count; i++) {
        const char *why = r.failures[i].why;
        cr_assert_geq(r.failures[i].after_boot, 1, "the cut boot itself failed: %s", why);
        if (strstr(why, "the boot ended in a crash: uncorrectable ECC error reading flash at "
                        "0x080fc000 (the 8-byte word at "
                        "0x080fc000): the stm32l4 raises an NMI"))
            ecc++;
        else
            cr_assert(strstr(why, "went backwards"), "%s", why);
    }
    cr_assert_gt(ecc, 0);
    emu_campaign_result_free(&r);
}

/* HSE and PLL read ready once switched on, SWS follows SW: the start-up's waits end. */
Test(stm32l4, clocks_start) {
    boot_prints(BOARD, "clock_start", "RCC_CR 03030063, RCC_CFGR 0000000f\n");
}

/* Boot 3 of the engine's counter: cuts inside its programs leave double words ECC cannot
 * correct; the next boot's mount loads them, the NMI handler (emu/firmware/stm32l4/ecc.c)
 * makes those reads fail with NBS_E_ECC and the engine reads around them: every try holds.
 * With an exception entry that does not push its frame, the NMI's return pops garbage and
 * those reboots fail. (A silent error, torn bits read as data, would pass as well: the
 * engine's CRCs reject them; the NMI matters because the part raises it.) */
static emu_campaign_result counter_campaign(unsigned test_break) {
    return campaign_with(BOARD, firmware_path("boot_counter", BOARD), 3, COUNT_RE, test_break);
}

Test(stm32l4, campaign_over_the_counter_holds_through_ecc_errors) {
    emu_campaign_result r = counter_campaign(EMU_BREAK_NONE);
    cr_assert(r.reference_passed);
    cr_assert_gt(r.tries, 0);
    cr_assert_eq(r.failed_tries, 0, "%s", r.failure_count ? r.failures[0].why : "");
    emu_campaign_result_free(&r);
    r = counter_campaign(EMU_BREAK_NO_FRAME_PUSH);
    cr_assert_gt(r.failed_tries, 0, "the NMI's entry and return were not exercised");
    emu_campaign_result_free(&r);
}
