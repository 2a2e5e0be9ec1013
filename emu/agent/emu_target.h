/* `--target BOARD`: the engine adapter whose every call runs on an emulated board, in the agent
 * firmware (emu/firmware/apps/agent.c), through the mailbox (emu_mailbox.h). The scenario's
 * flash device becomes the board's storage (the end of its flash; emu_options.storage), so the
 * runner's checks, statistics, images and power cuts are the same as on the host, while the
 * engine that programs and erases is the cross-compiled one, through the board's flash
 * controller. A mount is a reboot (the reset snapshot, the flash kept). */
#ifndef NORBENCH_EMU_TARGET_H
#define NORBENCH_EMU_TARGET_H

#include "adapter.h"

#include <stdint.h>

typedef struct emu_target {
    const char *board;         /* emu_board_find's name */
    const char *firmware;      /* the agent ELF built for that board */
    uint64_t max_instructions; /* per call; 0: EMU_DEFAULT_MAX_INSTRUCTIONS */
    /* A firmware that stops answering (crash, runaway, no hello): called with one message
     * naming the board, what happened and the PC. NULL: the call returns NBS_E_IO. */
    void (*fatal)(const char *message);
    /* A scenario flash the board cannot hold: called with the reason before the adapter's
     * creation fails with NBS_E_GEOMETRY (the runner then makes the run an ERROR). May be NULL. */
    void (*refused)(const char *message);
    unsigned test_break; /* tests only: emu_options.test_break (EMU_BREAK_*) */
} emu_target;

/* Selects the target the adapters below open (copied; the strings must outlive the runs). */
void emu_target_select(const emu_target *t);
/* runner_options.find_engine for the selected target: the agent's map or queue by type. */
const adapter_kind *emu_target_find_engine(const char *type);
/* The engine's flash reads that returned NBS_E_ECC since the adapter's last mount (an adapter
 * emu_target_find_engine made): the host's NOR model counts the same reads in ecc_errors. */
uint32_t emu_target_ecc_reads(const adapter *a);
/* Checks that the board exists and that the firmware boots and greets through the mailbox.
 * 0, or -1 with `why`. */
int emu_target_check(char *why, size_t why_size);

#endif
