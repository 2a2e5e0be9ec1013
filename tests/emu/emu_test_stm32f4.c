/* The stm32f4 board end to end with the firmware of emu/firmware: the boot counter counts
 * across boots through the FLASH interface (erases of 128 KiB sectors, BSY for the preset's
 * times), a campaign over it passes and one over the flawed in-place counter fails, the
 * interface's rules (lock, keys, PG, PSIZE, rows, STRT, erase) as a firmware sees them, a
 * wrong key sequence is a crash at the store, a mass erase takes the running code with it, the
 * option bytes write-protect a sector across boots, and USART2 prints, the clocks start. */
#include "emu.h"
#include "emu_testing.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define BOARD      "stm32f4"
#define FLASH_BASE 0x08000000u
#define STORAGE    0x080C0000u /* sector 10, the engine's first page */

Test(stm32f4, boot_counter_counts_across_boots) {
    emu *m = open_board(BOARD, firmware_path("boot_counter", BOARD), 0);
    emu_run_result r = count_boots(m, 3);
    /* The first boot erased a 128 KiB sector (1 s typical); the next ones program words
     * (16 us each) and wait on BSY for them. */
    const emu_boot *first = &r.boots[0].boot, *second = &r.boots[1].boot;
    cr_assert_eq(first->flash_erases, 1);
    cr_assert_geq(first->virtual_ns, UINT64_C(1000000000));
    cr_assert_eq(second->flash_erases, 0);
    cr_assert_gt(second->flash_programs, 0);
    cr_assert_geq(second->virtual_ns, second->flash_programs * UINT64_C(16000));
    cr_assert_lt(second->virtual_ns, second->flash_programs * UINT64_C(16000) + 2000000,
                 "more than the words' time and 2 ms of instructions");
    cr_assert_eq(second->flash_refused + second->flash_violations, 0);
    /* The words went to sector 10 of the NOR model, through the FLASH interface. */
    uint8_t magic[4];
    cr_assert_eq(nor_peek(emu_flash(m), STORAGE - FLASH_BASE, magic, 4), 0);
    cr_assert_neq(magic[0] & magic[1] & magic[2] & magic[3], 0xFF, "sector 10 is erased");
    emu_run_result_free(&r);
    emu_close(m);
}

/* Each step of the check prints a register or the word at the start of the storage. A model
 * that let a locked CR take writes, programmed without PG, ignored PSIZE, missed the row
 * rule, handed Unicorn's split bytes of an unaligned store to the interface (SR would also
 * show PGPERR), wrote over programmed bits instead of ANDing, or dropped STRT's busy state
 * would print something else. */
Test(stm32f4, flash_interface_rules) {
    emu *m;
    emu_boot b = boot_once(BOARD, firmware_path("flash_rules", BOARD), 0, &m);
    cr_assert_eq(b.stop, EMU_STOP_IDLE, "%s", b.reason);
    cr_assert_str_eq(b.uart, "CR at reset: 80000000\n"
                             "CR after a write while locked: 80000000\n"
                             "SR after a store while locked: 00000080\n"
                             "CR after KEY1, KEY2: 00000000\n"
                             "SR after a byte store with PSIZE x32: 00000040\n"
                             "SR after a word store across a row: 00000020\n"
                             "word untouched: ffffffff\n"
                             "SR after a word program: 00000000\n"
                             "SR after a second program: 00000000\n"
                             "word after two programs: 0f0f000f\n"
                             "SR after a byte program with PSIZE x8: 00000000\n"
                             "word after the byte: 000f000f\n"
                             "SR after STRT without SER: 00000080\n"
                             "CR while erasing: 00010252\n"
                             "SR after the erase: 00000000\n"
                             "word after the erase: ffffffff\n"
                             "CR after LOCK: 80000000\n");
    cr_assert_eq(b.flash_programs, 3);
    cr_assert_eq(b.flash_erases, 1);
    cr_assert_eq(b.flash_refused, 5, "the locked CR write and four error flags");
    cr_assert_eq(b.flash_violations, 1, "the second program's 0->1 bits; not the byte's");
    cr_assert_geq(b.virtual_ns, UINT64_C(1000000000), "SR read while BSY waits for the erase");
    done(m, &b);
}

Test(stm32f4, a_wrong_key_sequence_is_a_bus_error) {
    emu *m;
    emu_boot b = boot_once(BOARD, firmware_path("wrong_key", BOARD), 0, &m);
    cr_assert_eq(b.stop, EMU_STOP_CRASH);
    cr_assert(strstr(b.reason, "bus error: FLASH_KEYR written 0xcdef89ab where KEY1 0x45670123 "
                               "was due"),
              "%s", b.reason);
    cr_assert(strstr(b.reason, "FLASH_CR stays locked until reset"), "%s", b.reason);
    cr_assert(b.has_fault_addr && b.fault_addr == 0x40023C04u);
    unsigned insn = halfword_at_pc(m, &b, "write_key2_first", FLASH_BASE);
    cr_assert((insn & 0xF800u) == 0x6000u || (insn & 0xFFF0u) == 0xF8C0u,
              "0x%04x is not a STR (immediate, 16 or 32 bits)", insn);
    cr_assert_str_eq(b.uart, "about to unlock wrongly\n");
    done(m, &b);
}

Test(stm32f4, a_mass_erase_takes_the_running_code) {
    emu *m;
    emu_boot b = boot_once(BOARD, firmware_path("mass_erase", BOARD), 0, &m);
    cr_assert_eq(b.stop, EMU_STOP_CRASH, "%s: %s", emu_stop_name(b.stop), b.uart);
    cr_assert(strstr(b.reason, "undefined instruction"), "%s", b.reason);
    cr_assert_eq(b.flash_erases, 12, "every sector");
    cr_assert_str_eq(b.uart, "erasing everything\n");
    uint8_t vectors[8];
    cr_assert_eq(nor_peek(emu_flash(m), 0, vectors, sizeof vectors), 0);
    for (size_t i = 0; i < sizeof vectors; i++) cr_assert_eq(vectors[i], 0xFF);
    done(m, &b);
}

/* USART2's SR, DR and CR1 are modelled; BRR and the RCC enable bit are not: the catch-all
 * counts them. */
Test(stm32f4, usart2_prints_and_the_rest_is_counted) {
    emu *m;
    emu_boot b = boot_once(BOARD, firmware_path("boot_counter", BOARD), 0, &m);
    cr_assert_str_eq(b.uart, "boot count: 1\n");
    cr_assert_eq(b.register_count, 2, "RCC_APB1ENR and USART2_BRR");
    cr_assert(b.registers[0].addr == 0x40004408u && b.registers[0].writes == 1);
    cr_assert(b.registers[1].addr == 0x40023840u && b.registers[1].writes == 1);
    done(m, &b);
}

Test(stm32f4, campaign_over_the_boot_counter_passes) {
    campaign_over_the_counter_passes(BOARD);
}

/* The flawed counter erases its page, then programs the new count: a cut inside either
 * loses the counts committed before, and the reboot prints a smaller one. */
Test(stm32f4, campaign_catches_the_in_place_counter) {
    campaign_catches_the_in_place_counter(BOARD);
}

/* HSE and PLL read ready once switched on, SWS follows SW: the start-up's waits end. */
Test(stm32f4, clocks_start) {
    boot_prints(BOARD, "clock_start", "RCC_CR 03030083, RCC_CFGR 0000000a\n");
}

/* What the write_protect check prints: OPTCR at reset (bit 26, sector 10's nWRP, clear when
 * the sector is protected), then the same steps whatever it was; the word is the storage's
 * first, erased on the first boot, programmed by it for the next. */
static const char write_protect_output[] = "OPTCR at reset: %08x\n"
                                           "OPTCR after OPTKEY1, OPTKEY2: %08x\n"
                                           "OPTCR while applying: 0bffaaee\n"
                                           "OPTCR applied: 0bffaaec\n"
                                           "SR after a program of the protected sector: 00000010\n"
                                           "word untouched: %08x\n"
                                           "SR after its erase: 00000010\n"
                                           "SR after a mass erase: 00000010\n"
                                           "SR after writing 1 to WRPERR: 00000000\n"
                                           "OPTCR while applying: 0fffaaee\n"
                                           "OPTCR applied: 0fffaaec\n"
                                           "SR after a program unprotected: 00000000\n"
                                           "word programmed: 0000ffff\n"
                                           "OPTCR while applying: 0bffaaee\n"
                                           "OPTCR applied: 0bffaaec\n"
                                           "OPTCR locked: 0bffaaed\n";

/* One boot of the write_protect check; true when it ended idle printing what a protection by
 * nWRP shows (the sector protected at reset or not, as `protected_at_reset` says). */
static bool write_protect_boot(emu *m, bool protected_at_reset) {
    emu_boot b;
    cr_assert_eq(emu_boot_run(m, &b), 0);
    char expected[2048];
    uint32_t optcr = protected_at_reset ? 0x0BFFAAEDu : 0x0FFFAAEDu; /* the reset value */
    snprintf(expected, sizeof expected, write_protect_output, optcr, optcr & ~1u,
             protected_at_reset ? 0x0000FFFFu : 0xFFFFFFFFu);
    bool right = b.stop == EMU_STOP_IDLE && strcmp(b.uart, expected) == 0;
    if (!right) cr_log_info("%s: %s; printed:\n%s", emu_stop_name(b.stop), b.reason, b.uart);
    if (right) {
        cr_assert_eq(b.flash_erases, 0, "the protected sector and the mass erase erase nothing");
        cr_assert_eq(b.flash_programs, 1, "only the program once unprotected");
    }
    emu_boot_free(&b);
    return right;
}

/* The option bytes protect a sector by its nWRP bit: a program, its erase and a mass erase
 * set WRPERR and change nothing; lifted, the program goes through; the protection the first
 * boot left is there at the second boot's reset (the option bytes live like the flash). */
Test(stm32f4, option_bytes_write_protect_a_sector) {
    emu *m = open_board(BOARD, firmware_path("write_protect", BOARD), 0);
    cr_assert(write_protect_boot(m, false));
    cr_assert(write_protect_boot(m, true));
    emu_close(m);
}

/* A model that ignored nWRP would program the protected sector and run the mass erase over
 * the running code: the check catches it. */
Test(stm32f4, option_bytes_check_catches_ignored_nwrp) {
    emu *m =
        open_board_broken(BOARD, firmware_path("write_protect", BOARD), 0, EMU_BREAK_IGNORE_NWRP);
    cr_assert_not(write_protect_boot(m, false));
    emu_close(m);
}
