/* Helpers the emu tests share: see emu_testing.h. */
#include "emu_testing.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

const char *firmware_path(const char *name, const char *board) {
    static char path[4][512]; /* a few live at once in one test */
    static unsigned next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s-%s.elf", EMU_FIRMWARE_DIR, name, board);
    return p;
}

emu *open_board(const char *board, const char *elf, uint64_t max_instructions) {
    return open_board_broken(board, elf, max_instructions, EMU_BREAK_NONE);
}

emu *open_board_broken(const char *board, const char *elf, uint64_t max_instructions,
                       unsigned test_break) {
    emu_options o = {.board = board,
                     .elf_path = elf,
                     .seed = 7,
                     .max_instructions = max_instructions,
                     .test_break = test_break};
    emu *m;
    char why[EMU_WHY_MAX];
    cr_assert_eq(emu_open(&m, &o, why, sizeof why), 0, "%s", why);
    return m;
}

emu_boot boot_once(const char *board, const char *elf, uint64_t max_instructions, emu **m) {
    *m = open_board(board, elf, max_instructions);
    emu_boot b;
    cr_assert_eq(emu_boot_run(*m, &b), 0);
    return b;
}

void done(emu *m, emu_boot *b) {
    emu_boot_free(b);
    emu_close(m);
}

void boot_prints(const char *board, const char *name, const char *uart) {
    emu *m;
    emu_boot b = boot_once(board, firmware_path(name, board), 0, &m);
    cr_assert_eq(b.stop, EMU_STOP_IDLE, "%s: %s (printed: %s)", emu_stop_name(b.stop), b.reason,
                 b.uart);
    cr_assert_str_eq(b.uart, uart);
    done(m, &b);
}

emu_run_result count_boots(emu *m, uint32_t boots) {
    emu_expect expect;
    char why[EMU_WHY_MAX];
    cr_assert_eq(emu_expect_init(&expect, COUNT_RE, why, sizeof why), 0);
    emu_plan plan = {.boots = boots};
    emu_run_result r;
    cr_assert_eq(emu_run_plan(m, &plan, &expect, &r), 0);
    emu_expect_free(&expect);
    cr_assert_eq(r.boot_count, boots);
    for (size_t i = 0; i < r.boot_count; i++) {
        char want[48];
        snprintf(want, sizeof want, "boot count: %zu\n", i + 1);
        cr_assert_eq(r.boots[i].boot.stop, EMU_STOP_IDLE, "boot %zu: %s", i + 1,
                     r.boots[i].boot.reason);
        cr_assert_str_eq(r.boots[i].boot.uart, want);
        cr_assert(r.boots[i].held);
    }
    cr_assert(r.passed);
    return r;
}

emu_campaign_result campaign(const char *board, const char *elf, uint32_t boots) {
    return campaign_with(board, elf, boots, COUNT_RE, EMU_BREAK_NONE);
}

emu_campaign_result campaign_with(const char *board, const char *elf, uint32_t boots,
                                  const char *regex, unsigned test_break) {
    emu *m = open_board_broken(board, elf, 0, test_break);
    emu_campaign_options o = {.boots = boots,
                              .after_boots = 1,
                              .torn_program = (1u << NOR_TORN_PROG_MODES) - 1,
                              .torn_erase = (1u << NOR_TORN_ERASE_MODES) - 1};
    emu_campaign_result r;
    char why[EMU_WHY_MAX];
    cr_assert_eq(emu_campaign_run(m, &o, regex, &r, why, sizeof why), 0, "%s", why);
    emu_close(m);
    return r;
}

unsigned halfword_at_pc(emu *m, const emu_boot *b, const char *symbol, uint32_t flash_base) {
    size_t n = strlen(symbol);
    cr_assert(!strncmp(b->pc_symbol, symbol, n) && b->pc_symbol[n] == '+', "%s", b->pc_symbol);
    uint8_t insn[2];
    cr_assert_eq(nor_peek(emu_flash(m), b->regs[15] - flash_base, insn, 2), 0);
    return insn[0] | (unsigned)insn[1] << 8;
}

void campaign_over_the_counter_passes(const char *board) {
    emu_campaign_result r = campaign(board, firmware_path("boot_counter", board), 2);
    cr_assert(r.reference_passed);
    cr_assert_gt(r.operations, 0);
    cr_assert_eq(r.tries, r.operations * NOR_TORN_PROG_MODES, "boot 2 only programs");
    cr_assert_eq(r.failed_tries, 0, "%s", r.failure_count ? r.failures[0].why : "");
    emu_campaign_result_free(&r);
}

void campaign_catches_the_in_place_counter(const char *board) {
    emu_campaign_result r = campaign(board, firmware_path("boot_counter_in_place", board), 3);
    cr_assert(r.reference_passed);
    cr_assert_eq(r.operations, 2, "an erase and a word program per boot");
    cr_assert_gt(r.failed_tries, 0);
    const emu_campaign_failure *f = &r.failures[0];
    cr_assert(f->is_erase && f->op == 1);
    cr_assert_str_eq(nor_torn_erase_name(f->torn), "full");
    cr_assert(strstr(f->why, "printed 1 after an earlier boot printed 2"), "%s", f->why);
    emu_campaign_result_free(&r);
}
