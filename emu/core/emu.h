/* The firmware-in-loop emulator: a user's Cortex-M firmware (an ELF) booted on an emulated
 * board whose flash is the NOR model, with the flash kept across reboots and power cuts
 * landing inside the firmware's own flash operations. This header is what the command line
 * and the tests use: open a board with a firmware, boot it (again and again), run a plan of
 * boots and cuts, or a campaign that cuts every flash operation of a boot. */
#ifndef NORBENCH_EMU_H
#define NORBENCH_EMU_H

#include "nor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EMU_WHY_MAX 320

typedef struct emu emu; /* one board with its firmware loaded and its flash */

typedef struct emu_options {
    const char *board;         /* a name of emu_board_find (emu/boards) */
    const char *elf_path;      /* the firmware */
    const char *image_path;    /* initial flash (nor_image_save format); NULL: erased */
    uint64_t seed;             /* the NOR model's PRNG (torn bits, weak reads) */
    uint64_t max_instructions; /* per boot; past it the boot is a runaway */
    /* Optional: a NOR device of the caller (the scenario's, for `run --target`) that takes the
     * place of the last nor_size(storage) bytes of the board's flash: the flash controller
     * programs and erases it there, the CPU reads it there. Its geometry must be the board's
     * and it must not overlap the firmware. Not owned: it outlives the emu. */
    nor *storage;
    /* Tests only: EMU_BREAK_NONE, or one flaw of the exception model (below). */
    unsigned test_break;
} emu_options;

/* Test-only knobs (emu_options.test_break; the exception model, emu_exceptions.c): each
 * breaks one rule so that the tests show their checks can fail. */
enum {
    EMU_BREAK_NONE = 0,
    EMU_BREAK_NO_FRAME_PUSH,     /* entry does not push the frame (the return pops garbage) */
    EMU_BREAK_SYSTICK_HALF,      /* SysTick counts at half the clock */
    EMU_BREAK_NO_WFI_WAKE,       /* WFI never wakes on SysTick: the boot ends idle there */
    EMU_BREAK_ANY_VECTOR,        /* a vector of 0 or an endless loop is entered as a handler */
    EMU_BREAK_ANY_EXC_RETURN,    /* a bad EXC_RETURN returns to Thread mode on MSP */
    EMU_BREAK_NO_PRIORITIES,     /* every pending exception preempts whatever runs */
    EMU_BREAK_ECC_SILENT,        /* an ECC double error raises nothing: the load reads on */
    EMU_BREAK_KEEP_SPSEL,        /* a return to Thread mode leaves CONTROL.SPSEL as it was */
    EMU_BREAK_STICKY_COUNTFLAG,  /* reading SYST_CSR does not clear COUNTFLAG */
    EMU_BREAK_IGNORE_ISER,       /* a pending external interrupt is taken, enabled or not */
    EMU_BREAK_FRAME_UNALIGNED,   /* the frame goes at SP - 32 as it is, xPSR bit 9 clear */
    EMU_BREAK_RETURN_NO_PADDING, /* a return ignores xPSR bit 9: SP ends 4 bytes low */
    EMU_BREAK_IGNORE_BASEPRI,    /* BASEPRI masks nothing */
    EMU_BREAK_IGNORE_PRIGROUP,   /* PRIGROUP is taken as 0: every priority bit preempts */
    EMU_BREAK_WAKE_ACTIVE_ONLY,  /* WFI wakes for what would preempt the active exceptions,
                                    BASEPRI and FAULTMASK aside */
    EMU_BREAK_WAKE_NO_WAIT,      /* WFI with something pending that cannot wake it ends the
                                    boot idle instead of sleeping to the next SysTick */
    EMU_BREAK_IGNORE_NWRP,       /* stm32f4: the option bytes' nWRP protect no sector */
};

#define EMU_DEFAULT_MAX_INSTRUCTIONS UINT64_C(100000000)

/* Loads the firmware onto a fresh board (its flash bytes are written into the NOR model over
 * the image, if any) and takes the reset snapshot every boot starts from. 0, or -1 with `why`
 * naming the file and what is wrong (unknown board, unreadable or malformed ELF, a segment
 * outside the board's flash and RAM, a bad image, no Unicorn). */
int emu_open(emu **out, const emu_options *o, char *why, size_t why_size);
void emu_close(emu *m);
nor *emu_flash(emu *m);
/* Where emu_options.storage lives in the CPU's address space: the address of its byte 0 (its
 * end is the end of the board's flash). */
uint32_t emu_storage_base(const emu *m);
/* The storage's first byte the CPU can reach: its sectors on the firmware are left out. */
uint32_t emu_storage_first(const emu *m);
/* The agent mailbox's bytes (emu_mailbox.h), read and written by the host between calls. */
uint8_t *emu_mailbox(emu *m);

typedef enum emu_stop {
    EMU_STOP_IDLE,      /* WFI with nothing left to wake the core: the boot is done */
    EMU_STOP_POWER_CUT, /* the power was cut inside a flash operation */
    EMU_STOP_CRASH,     /* a fault: unmapped access, undefined instruction, bad flash access */
    EMU_STOP_RUNAWAY,   /* max_instructions ran without going idle */
} emu_stop;
const char *emu_stop_name(emu_stop stop);

/* An unmodelled peripheral register the firmware touched (read as written). */
typedef struct emu_register_use {
    uint32_t addr;
    uint32_t reads, writes;
} emu_register_use;

typedef struct emu_boot {
    emu_stop stop;
    char reason[200];        /* crash or runaway: what happened; power cut: which operation */
    uint32_t regs[16], xpsr; /* at the stop (crash, runaway, cut) */
    bool has_fault_addr;
    uint32_t fault_addr;
    char pc_symbol[96]; /* "name+0xOFF" when the ELF's symbols know the PC */
    char *uart;         /* what the firmware printed (NUL-terminated) */
    size_t uart_len, uart_cap;
    uint64_t instructions;   /* executed in this boot */
    uint64_t virtual_ns;     /* simulated time of this boot */
    uint64_t flash_programs; /* program and erase operations the firmware started */
    uint64_t flash_erases;
    uint64_t flash_refused;      /* flash controller requests ignored (not enabled, bad address) */
    uint64_t flash_violations;   /* programs the NOR model refused or counted as 0->1 */
    uint64_t first_op;           /* the NOR model's operation count at the start of the boot */
    emu_register_use *registers; /* unmodelled registers, by address */
    size_t register_count;
    double host_seconds;   /* wall-clock time of the emulation */
    double reboot_seconds; /* wall-clock time of restoring the reset snapshot */
} emu_boot;
void emu_boot_free(emu_boot *b);

/* Powers the board on (the NOR model too) from the reset snapshot, the flash as it is, and
 * runs until the firmware goes idle, crashes, runs away or a cut armed in the NOR model lands. */
int emu_boot_run(emu *m, emu_boot *out);
/* The machine between two calls (CPU, RAM, mailbox, board registers) as emu_state_size()
 * bytes, saved and restored into the same emu; a restore reads the storage device again (its
 * owner restores the device). 0, or -1 when Unicorn refuses. */
size_t emu_state_size(emu *m);
int emu_state_save(emu *m, void *out);
int emu_state_restore(emu *m, const void *in);
/* Continues a boot that went idle (a WFI) from the instruction after it, with RAM,
 * registers and peripherals as they were: the agent's next call. */
int emu_boot_resume(emu *m, emu_boot *out);
/* The next boot's power is cut inside the NOR model's operation op_index + 1 (op_index counts
 * the model's program and erase calls, nor_op_count). */
void emu_arm_cut(emu *m, uint64_t op_index);

/* What a completed boot must show: its UART output matches `regex` (POSIX extended); when the
 * regex has a group holding a number, that number must never be below one printed by an
 * earlier boot (a committed value never goes backwards). */
typedef struct emu_expect {
    const char *regex; /* NULL: only "no crash, no runaway" */
    void *compiled;    /* private */
    bool has_value;
    uint64_t highest; /* the largest number seen so far */
} emu_expect;
int emu_expect_init(emu_expect *e, const char *regex, char *why, size_t why_size);
void emu_expect_free(emu_expect *e);
/* Checks a completed boot (and records its number); a cut boot only records. True when held;
 * else `why` says what failed. */
bool emu_expect_check(emu_expect *e, const emu_boot *b, char *why, size_t why_size);

/* A plan of boots: cut points count the flash operations (programs and erases) from the start
 * of the plan's first boot (cut k lands inside operation k+1: after k complete ones),
 * increasing. */
typedef struct emu_plan {
    uint32_t boots; /* at least cut_count + 1 are run */
    const uint64_t *cuts;
    size_t cut_count;
    nor_torn_program torn_program; /* how the cuts tear */
    nor_torn_erase torn_erase;
} emu_plan;

typedef struct emu_boot_report {
    emu_boot boot;
    bool checked; /* completed boots are checked against the expectation */
    bool held;
    char why[200];
} emu_boot_report;

typedef struct emu_run_result {
    emu_boot_report *boots;
    size_t boot_count;
    size_t cuts_missed;  /* cuts of the plan the boots never reached (counted as a failure) */
    uint64_t operations; /* flash operations over all the boots */
    bool passed;         /* every checked boot held, and every cut landed */
} emu_run_result;
int emu_run_plan(emu *m, const emu_plan *plan, emu_expect *expect, emu_run_result *out);
void emu_run_result_free(emu_run_result *r);

/* The campaign: `boots` boots without cuts (the reference), then for every flash operation of
 * the last of them and every selected torn mode of its kind: back to the flash as it was
 * before that boot, the boot again with the power cut inside that operation, then
 * `after_boots` reboots that must each meet the expectation. */
typedef struct emu_campaign_options {
    uint32_t boots;        /* >= 1 */
    uint32_t after_boots;  /* >= 1 */
    unsigned torn_program; /* bit m: nor_torn_program m */
    unsigned torn_erase;   /* bit m: nor_torn_erase m */
} emu_campaign_options;

typedef struct emu_campaign_failure {
    uint64_t op; /* the cut operation, counted from 1 within the boot */
    bool is_erase;
    unsigned torn;       /* a nor_torn_program or nor_torn_erase value, by is_erase */
    uint32_t after_boot; /* which reboot failed, from 1 */
    char why[240];
    char *uart; /* that reboot's output */
} emu_campaign_failure;

typedef struct emu_campaign_result {
    emu_run_result reference; /* the uncut boots */
    bool reference_passed;
    uint64_t operations; /* flash operations of the cut boot */
    uint64_t tries;      /* cut points x torn modes tried */
    uint64_t failed_tries;
    emu_campaign_failure *failures; /* the first EMU_CAMPAIGN_FAILURES_KEPT */
    size_t failure_count;
    double seconds;              /* host CPU time */
    double reboot_seconds_max;   /* the slowest reboot: CPU context, RAM, registers, flash view */
    double reboot_seconds_total; /* over `reboots` */
    uint64_t reboots;
    double restore_seconds_max; /* the slowest return of the flash to the campaign's snapshot */
    uint64_t instructions;      /* emulated over the whole campaign */
} emu_campaign_result;
#define EMU_CAMPAIGN_FAILURES_KEPT 20
int emu_campaign_run(emu *m, const emu_campaign_options *o, const char *regex,
                     emu_campaign_result *out, char *why, size_t why_size);
void emu_campaign_result_free(emu_campaign_result *r);

#endif
