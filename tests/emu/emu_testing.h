/* Helpers the emu tests share (one Criterion executable, a file per board): open a board with
 * a firmware of emu/firmware, boot it once, run a campaign, read the instruction at a crash. */
#ifndef NORBENCH_EMU_TESTING_H
#define NORBENCH_EMU_TESTING_H

#include "emu.h"

#define COUNT_RE "boot count: ([0-9]+)"

/* EMU_FIRMWARE_DIR "/NAME-BOARD.elf" */
const char *firmware_path(const char *name, const char *board);
emu *open_board(const char *board, const char *elf, uint64_t max_instructions);
/* The same with a test-only flaw of the exception model (EMU_BREAK_*, emu_exceptions.h). */
emu *open_board_broken(const char *board, const char *elf, uint64_t max_instructions,
                       unsigned test_break);
/* One boot on a fresh board; the board stays open (for nor_peek) until done(). */
emu_boot boot_once(const char *board, const char *elf, uint64_t max_instructions, emu **m);
void done(emu *m, emu_boot *b);
/* One boot of firmware NAME on BOARD must end idle having printed exactly `uart`. */
void boot_prints(const char *board, const char *name, const char *uart);
/* `boots` boots of the boot counter without cuts: each must end idle and print its count
 * (1, 2, ...). The caller frees the result. */
emu_run_result count_boots(emu *m, uint32_t boots);
/* A campaign over ELF whose boot `boots` is cut, every torn mode, one reboot after each cut. */
emu_campaign_result campaign(const char *board, const char *elf, uint32_t boots);
/* The same with the expectation `regex` and a test-only flaw (EMU_BREAK_NONE: none). */
emu_campaign_result campaign_with(const char *board, const char *elf, uint32_t boots,
                                  const char *regex, unsigned test_break);
/* The board's campaigns over the two counters: the engine's holds (boot 2 only programs), the
 * in-place one loses counts at a full cut inside its erase (the first failure). */
void campaign_over_the_counter_passes(const char *board);
void campaign_catches_the_in_place_counter(const char *board);
/* The halfword at the crash's PC, which must lie in function `symbol` (flash_base: where the
 * board's flash starts). */
unsigned halfword_at_pc(emu *m, const emu_boot *b, const char *symbol, uint32_t flash_base);

#endif
