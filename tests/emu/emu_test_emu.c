/* The emulator end to end on the nrf52840 board with the firmware of emu/firmware: the boot
 * counter counts across boots with the flash kept, a campaign over it passes and one over the
 * flawed in-place counter fails, cuts by count land and reboot, crashes and runaways are
 * reported with the faulting instruction, and malformed ELF files get one clear error.
 * (Built and registered only when Unicorn and arm-none-eabi-gcc are present.) */
#define _POSIX_C_SOURCE 200809L
#include "emu.h"
#include "emu_testing.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOARD   "nrf52840"
#define COUNTER firmware_path("boot_counter", BOARD)
#define FAULT   firmware_path("fault", BOARD)
#define RULES   firmware_path("flash_rules", BOARD)
#define UARTE   firmware_path("uarte", BOARD)
#define UNDEF   firmware_path("undefined", BOARD)
#define NO_WEN  firmware_path("flash_without_wen", BOARD)
#define ERASER  firmware_path("self_erase", BOARD)
#define RAMCODE firmware_path("ram_code", BOARD)

Test(emu, boot_counter_counts_across_boots) {
    emu *m = open_board(BOARD, COUNTER, 0);
    emu_run_result r = count_boots(m, 4);
    /* The first boot found erased flash: the engine formatted a page. The firmware waits on
     * READY, which stays low for the preset's times: 85 ms per erase, 41 us per word. */
    const emu_boot *first = &r.boots[0].boot, *second = &r.boots[1].boot;
    cr_assert_gt(first->flash_erases, 0);
    cr_assert_geq(first->virtual_ns, first->flash_erases * UINT64_C(85000000));
    cr_assert_gt(second->flash_programs, 0);
    cr_assert_geq(second->virtual_ns, second->flash_programs * UINT64_C(41000));
    cr_assert_lt(second->virtual_ns, second->flash_programs * UINT64_C(41000) + 1000000,
                 "more than the words' time and 1 ms of instructions");
    /* The NVMC takes two programs per word: the engine's map there is of page version 4 (SPEC
     * 3.1, byte 0 bits 5..3; its seal is a word's second program), and no program of the four
     * boots asked a bit back to erased or a third program of a word. */
    for (uint32_t i = 0; i < 4; i++)
        cr_assert_eq(r.boots[i].boot.flash_violations, 0, "boot %u: flash rule violations", i);
    nor *flash = emu_flash(m);
    uint32_t storage = nor_size(flash) - 32 * 1024, maps = 0; /* nrf52840.ld: the last 32 KiB */
    for (uint32_t page = storage; page < nor_size(flash); page += 4096) {
        uint8_t b0 = 0xFF;
        cr_assert_eq(nor_peek(flash, page, &b0, 1), NOR_OK);
        if (b0 == 0xFF) continue;
        cr_assert_eq(b0 & 0xF8u, 0x60u, "page at 0x%x: byte 0 is 0x%02x, not a version-4 map", page,
                     b0);
        maps++;
    }
    cr_assert_gt(maps, 0, "no map page in the storage region");
    emu_run_result_free(&r);
    emu_close(m);
}

/* Stores into flash go through the NVMC to the NOR model and the CPU reads what the model
 * holds: a second write ANDs (its 0->1 bits are a counted violation), a third is refused
 * (nWRITE = 2), an erase without CONFIG = EEN is ignored and counted. A store that reached the
 * CPU's view of the flash directly would read back as written. */
Test(emu, flash_stores_follow_the_nor_rules) {
    emu *m;
    emu_boot b = boot_once(BOARD, RULES, 0, &m);
    cr_assert_eq(b.stop, EMU_STOP_IDLE, "%s", b.reason);
    cr_assert_str_eq(b.uart, "after one write: 0f0f0f0f\n"
                             "after two writes: 0f0f000f\n"
                             "after three writes: 0f0f000f\n"
                             "after an erase without EEN: 0f0f000f\n");
    cr_assert_eq(b.flash_programs, 3);
    cr_assert_eq(b.flash_erases, 1);
    cr_assert_eq(b.flash_refused, 1);
    cr_assert_eq(b.flash_violations, 2, "the 0->1 bits and the third write");
    done(m, &b);
}

/* UART0's BAUDRATE and PSEL.TXD are not modelled: the catch-all counts one write of each. */
Test(emu, unmodelled_registers_are_counted) {
    emu *m;
    emu_boot b = boot_once(BOARD, COUNTER, 0, &m);
    bool baud = false, psel = false;
    for (size_t i = 0; i < b.register_count; i++) {
        if (b.registers[i].addr == 0x40002524u)
            baud = b.registers[i].writes == 1 && b.registers[i].reads == 0;
        if (b.registers[i].addr == 0x4000250Cu) psel = b.registers[i].writes == 1;
        /* Modelled registers never reach the catch-all. */
        cr_assert_neq(b.registers[i].addr, 0x4001E504u, "NVMC CONFIG counted as unmodelled");
        cr_assert_neq(b.registers[i].addr, 0x4000251Cu, "UART0 TXD counted as unmodelled");
    }
    cr_assert(baud && psel);
    done(m, &b);
}

Test(emu, campaign_over_the_boot_counter_passes) {
    campaign_over_the_counter_passes(BOARD);
}

/* The flawed counter erases its page, then programs the new count: a cut inside either
 * loses the counts committed before, and the reboot prints a smaller one. */
Test(emu, campaign_catches_the_in_place_counter) {
    campaign_catches_the_in_place_counter(BOARD);
}

Test(emu, a_cut_by_count_lands_and_the_board_reboots) {
    emu *m = open_board(BOARD, COUNTER, 0);
    emu_expect expect;
    char why[EMU_WHY_MAX];
    cr_assert_eq(emu_expect_init(&expect, COUNT_RE, why, sizeof why), 0);
    uint64_t cuts[] = {3};
    emu_plan plan = {.boots = 1,
                     .cuts = cuts,
                     .cut_count = 1,
                     .torn_program = NOR_TORN_PROG_BITS,
                     .torn_erase = NOR_TORN_ERASE_PARTIAL};
    emu_run_result r;
    cr_assert_eq(emu_run_plan(m, &plan, &expect, &r), 0);
    cr_assert_eq(r.boot_count, 2);
    const emu_boot *cut = &r.boots[0].boot;
    cr_assert_eq(cut->stop, EMU_STOP_POWER_CUT);
    cr_assert_eq(cut->flash_programs + cut->flash_erases, 4, "three done, the fourth torn");
    cr_assert(strstr(cut->reason, "flash operation 4 of the boot"), "%s", cut->reason);
    cr_assert_not(r.boots[0].checked);
    cr_assert_eq(r.boots[1].boot.stop, EMU_STOP_IDLE);
    cr_assert_str_eq(r.boots[1].boot.uart, "boot count: 1\n");
    emu_run_result_free(&r);
    emu_expect_free(&expect);
    emu_close(m);
}

/* The fault is reported at the store itself, not at the start of its block. */
Test(emu, a_fault_is_reported_with_its_pc) {
    emu *m;
    emu_boot b = boot_once(BOARD, FAULT, 0, &m);
    cr_assert_eq(b.stop, EMU_STOP_CRASH);
    cr_assert(b.has_fault_addr);
    cr_assert_eq(b.fault_addr, 0x30000000u);
    cr_assert(strstr(b.reason, "write to unmapped address 0x30000000"), "%s", b.reason);
    cr_assert_eq(halfword_at_pc(m, &b, "store_to_nowhere", 0) & 0xF800u, 0x6000u,
                 "pc 0x%08x is not a STR (immediate)", b.regs[15]);
    cr_assert_str_eq(b.uart, "about to fault\n");
    done(m, &b);
}

Test(emu, an_undefined_instruction_is_a_crash_at_it) {
    emu *m;
    emu_boot b = boot_once(BOARD, UNDEF, 0, &m);
    cr_assert_eq(b.stop, EMU_STOP_CRASH);
    cr_assert(strstr(b.reason, "undefined instruction"), "%s", b.reason);
    cr_assert_eq(halfword_at_pc(m, &b, "undefined_instruction", 0) & 0xFF00u, 0xDE00u, "not a UDF");
    done(m, &b);
}

/* Without CONFIG = WEN the store never reaches the flash, and the boot stops there. */
Test(emu, a_flash_store_without_wen_is_a_crash) {
    emu *m;
    emu_boot b = boot_once(BOARD, NO_WEN, 0, &m);
    cr_assert_eq(b.stop, EMU_STOP_CRASH);
    cr_assert(strstr(b.reason, "while NVMC CONFIG is 0 (writes need WEN = 1)"), "%s", b.reason);
    cr_assert(b.has_fault_addr && b.fault_addr == 0x000F8000u);
    cr_assert_eq(b.flash_programs, 0);
    cr_assert_eq(halfword_at_pc(m, &b, "store_to_flash_without_wen", 0) & 0xF800u, 0x6000u,
                 "not a STR (immediate)");
    uint8_t word[4];
    cr_assert_eq(nor_peek(emu_flash(m), 0xF8000u, word, 4), 0);
    cr_assert_eq(word[0] & word[1] & word[2] & word[3], 0xFF, "the store reached the flash");
    done(m, &b);
}

/* Code the firmware erased is not run again from Unicorn's translation cache: the second call
 * lands on erased words and faults. */
Test(emu, erased_code_is_not_run_again) {
    emu *m;
    emu_boot b = boot_once(BOARD, ERASER, 0, &m);
    cr_assert_eq(b.stop, EMU_STOP_CRASH, "%s: %s", emu_stop_name(b.stop), b.uart);
    cr_assert(strstr(b.reason, "undefined instruction"), "%s", b.reason);
    cr_assert_str_eq(b.pc_symbol, "erased_later+0x0");
    cr_assert_str_eq(b.uart, "before: 42\nerased\n");
    done(m, &b);
}

/* Code in RAM (mapped read-only for speed, its stores applied by a hook: emu_ram.c) is
 * translated again after a store changes it, and after a reboot puts back the RAM the ELF
 * loaded: the patched function returns 8 at once, and 7 again in the next boot. */
Test(emu, code_patched_in_ram_runs_as_patched) {
    emu *m = open_board(BOARD, RAMCODE, 0);
    for (int boot = 1; boot <= 2; boot++) {
        emu_boot b;
        cr_assert_eq(emu_boot_run(m, &b), 0);
        cr_assert_eq(b.stop, EMU_STOP_IDLE, "boot %d: %s", boot, b.reason);
        cr_assert_str_eq(b.uart, "first call: 7\nafter the patch: 8\n", "boot %d", boot);
        emu_boot_free(&b);
    }
    emu_close(m);
}

/* UARTE: EasyDMA sends TXD.MAXCNT bytes from TXD.PTR, and TXD.AMOUNT says how many. Before
 * that the firmware waits for the unmodelled EVENTS_HFCLKSTARTED, which reads 1 until written. */
Test(emu, uarte_sends_from_ram) {
    emu *m;
    emu_boot b = boot_once(BOARD, UARTE, 0, &m);
    cr_assert_eq(b.stop, EMU_STOP_IDLE, "%s", b.reason);
    cr_assert_str_eq(b.uart, "hello through EasyDMA\nsent 22 bytes\n");
    cr_assert_eq(b.register_count, 2, "TASKS_HFCLKSTART and EVENTS_HFCLKSTARTED");
    cr_assert(b.registers[0].addr == 0x40000000u && b.registers[0].writes == 1);
    cr_assert(b.registers[1].addr == 0x40000100u && b.registers[1].reads == 1);
    done(m, &b);
}

Test(emu, a_runaway_stops_at_the_limit) {
    emu *m;
    emu_boot b = boot_once(BOARD, COUNTER, 2000, &m);
    cr_assert_eq(b.stop, EMU_STOP_RUNAWAY);
    cr_assert(strstr(b.reason, "2000 instructions"), "%s", b.reason);
    cr_assert_geq(b.instructions, 2000);
    cr_assert_lt(b.instructions, 2100, "stopped within a block of the limit");
    done(m, &b);
}

static emu_boot boot_printing(const char *text, emu_stop stop) {
    emu_boot b = {.stop = stop, .uart = (char *)text, .uart_len = strlen(text)};
    return b;
}

Test(emu, expectation_values_never_go_backwards) {
    emu_expect e;
    char why[EMU_WHY_MAX];
    cr_assert_eq(emu_expect_init(&e, COUNT_RE, why, sizeof why), 0);
    emu_boot two = boot_printing("boot count: 2\n", EMU_STOP_IDLE);
    emu_boot one = boot_printing("boot count: 1\n", EMU_STOP_IDLE);
    emu_boot none = boot_printing("hello\n", EMU_STOP_IDLE);
    emu_boot crash = boot_printing("boot count: 9\n", EMU_STOP_CRASH);
    emu_boot cut = boot_printing("boot count: 5\n", EMU_STOP_POWER_CUT);
    cr_assert(emu_expect_check(&e, &two, why, sizeof why));
    cr_assert(emu_expect_check(&e, &two, why, sizeof why), "equal is not backwards");
    cr_assert_not(emu_expect_check(&e, &one, why, sizeof why));
    cr_assert(strstr(why, "printed 1 after an earlier boot printed 2"), "%s", why);
    cr_assert_not(emu_expect_check(&e, &none, why, sizeof why));
    cr_assert_not(emu_expect_check(&e, &crash, why, sizeof why));
    /* A value printed before a cut was committed. */
    cr_assert(emu_expect_check(&e, &cut, why, sizeof why));
    emu_boot four = boot_printing("boot count: 4\n", EMU_STOP_IDLE);
    cr_assert_not(emu_expect_check(&e, &four, why, sizeof why));
    emu_expect_free(&e);
    cr_assert_neq(emu_expect_init(&e, "(", why, sizeof why), 0);
    cr_assert(strstr(why, "--expect-uart '('"), "%s", why);
}

/* Writes `len` bytes of `data` to a temporary file and returns its path (static buffer). */
static const char *temp_file(const void *data, size_t len) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/emu_test_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "wb");
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

static uint8_t *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    cr_assert(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    uint8_t *bytes = malloc(*len);
    cr_assert_eq(fread(bytes, 1, *len, f), *len);
    fclose(f);
    return bytes;
}

static void expect_open_error(const void *data, size_t len, const char *phrase) {
    const char *path = temp_file(data, len);
    emu_options o = {.board = "nrf52840", .elf_path = path};
    emu *m = NULL;
    char why[EMU_WHY_MAX] = "";
    cr_assert_neq(emu_open(&m, &o, why, sizeof why), 0, "opened: %s", phrase);
    cr_assert_null(m);
    cr_assert(strstr(why, path), "no file name in: %s", why);
    cr_assert(strstr(why, phrase), "expected '%s' in: %s", phrase, why);
    remove(path);
}

Test(emu, malformed_elf_files_get_one_clear_error) {
    size_t len;
    uint8_t *elf = read_all(COUNTER, &len);
    expect_open_error("hello", 5, "not an ELF file");
    expect_open_error(elf, 30, "truncated ELF header");
    uint8_t *copy = malloc(len);
    memcpy(copy, elf, len);
    copy[4] = 2; /* ELFCLASS64 */
    expect_open_error(copy, len, "not a 32-bit little-endian ELF");
    memcpy(copy, elf, len);
    copy[18] = 62; /* EM_X86_64 */
    expect_open_error(copy, len, "not an ARM executable");
    /* Headers only: the segments' bytes are missing. */
    expect_open_error(elf, 52 + 32 * 3, "past the end of the file");
    free(copy);
    free(elf);
}

/* The counter with word `index` of its vector table (at flash address 0) set to `value`. */
static void expect_vector_error(unsigned index, uint32_t value, const char *phrase) {
    size_t len;
    uint8_t *elf = read_all(COUNTER, &len);
    uint32_t phoff = elf[28] | elf[29] << 8 | elf[30] << 16 | (uint32_t)elf[31] << 24;
    unsigned phnum = elf[44] | elf[45] << 8;
    bool patched = false;
    for (unsigned i = 0; i < phnum && !patched; i++) {
        const uint8_t *ph = elf + phoff + 32 * i;
        uint32_t type = ph[0], offset = ph[4] | ph[5] << 8 | ph[6] << 16 | (uint32_t)ph[7] << 24;
        uint32_t paddr = ph[12] | ph[13] << 8 | ph[14] << 16 | (uint32_t)ph[15] << 24;
        if (type != 1 || paddr != 0) continue; /* PT_LOAD at the start of the flash */
        for (int b = 0; b < 4; b++) elf[offset + 4 * index + b] = (uint8_t)(value >> (8 * b));
        patched = true;
    }
    cr_assert(patched, "no segment at address 0 in %s", COUNTER);
    expect_open_error(elf, len, phrase);
    free(elf);
}

/* A vector table that cannot start the core is refused before anything runs, saying why. */
Test(emu, a_vector_table_that_cannot_boot_is_refused) {
    expect_vector_error(0, 0x50000000u,
                        "the vector table's initial SP 0x50000000 is not a word-aligned address "
                        "in RAM (0x20000000..0x20040000)");
    expect_vector_error(1, 0x30000001u,
                        "the vector table's reset handler 0x30000001 is outside the nrf52840's "
                        "flash (0x00000000..0x00100000)");
    expect_vector_error(1, 0x00000100u,
                        "the vector table's reset handler 0x00000100 is not a Thumb address");
}

/* A directory where the ELF should be opens, and its read fails: one message with the reason. */
Test(emu, a_directory_for_the_elf_says_so) {
    emu_options o = {.board = "nrf52840", .elf_path = EMU_FIRMWARE_DIR};
    emu *m = NULL;
    char why[EMU_WHY_MAX];
    cr_assert_neq(emu_open(&m, &o, why, sizeof why), 0);
    cr_assert(strstr(why, EMU_FIRMWARE_DIR ": cannot read: Is a directory"), "%s", why);
}

Test(emu, unknown_board_and_missing_file) {
    emu_options o = {.board = "nrf9999", .elf_path = COUNTER};
    emu *m;
    char why[EMU_WHY_MAX];
    cr_assert_neq(emu_open(&m, &o, why, sizeof why), 0);
    cr_assert(strstr(why, "unknown board 'nrf9999'; boards: nrf52840 stm32f4 stm32l4"), "%s", why);
    o.board = "nrf52840";
    o.elf_path = "/nonexistent/firmware.elf";
    cr_assert_neq(emu_open(&m, &o, why, sizeof why), 0);
    cr_assert(strstr(why, "/nonexistent/firmware.elf: cannot open"), "%s", why);
}
