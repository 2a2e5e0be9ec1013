/* The emulator's state, shared by the core's files (machine, flash, bus, boots, campaign).
 * Not public: the command line and tests use emu.h, boards use emu_board.h. */
#ifndef NORBENCH_EMU_INTERNAL_H
#define NORBENCH_EMU_INTERNAL_H

#include "emu.h"
#include "emu_board.h"
#include "emu_elf.h"
#include "emu_exceptions.h"

#include <unicorn/unicorn.h>

/* Instruction counts per translated block, found by decoding Thumb lengths once. */
typedef struct emu_block_entry {
    uint32_t addr, size;
    uint32_t instructions;
} emu_block_entry;
#define EMU_BLOCK_CACHE 4096u /* entries, a power of two */

/* The catch-all: unmodelled registers, read as written, each access counted. */
typedef struct emu_register {
    uint32_t addr, value;
    uint32_t reads, writes;
    bool used, written;
} emu_register;
#define EMU_REGISTERS_MAX 1024u /* a power of two; more distinct registers are not counted */

struct emu {
    const emu_board *board;
    void *board_state;
    uc_engine *uc;
    emu_elf elf;
    nor *flash_dev;
    uint64_t max_instructions;
    unsigned test_break; /* emu_options.test_break: EMU_BREAK_* (tests only) */
    emu_exceptions exc;  /* SysTick, NVIC, SCB, the active exceptions (emu_exceptions.h) */

    /* The flash as the CPU reads it: a copy of the model's stored bytes, refreshed after every
     * operation; sectors a cut tore are read through the model (weak bits drawn) at power-on. */
    uint8_t *flash_view;
    uint32_t flash_base, flash_size, sector_count;
    uint8_t *sector_torn;  /* per sector: a cut tore it and no erase has followed */
    uint8_t *sector_dirty; /* per sector: changed since the campaign's snapshot */
    uint8_t *ecc_bad;      /* with ECC: per write unit, its ECC cannot correct it (power-on) */
    uint32_t ecc_unit;     /* the ECC word: the preset's write unit; 0 without ECC */
    bool ecc_watched;      /* the loads' ECC hook is on (from the first uncorrectable word) */
    bool cut_armed;        /* emu_arm_cut: armed in the model at the next power-on */
    uint64_t cut_op;
    /* The caller's storage device (emu_options.storage), its end at the end of the flash in
     * place of the board's own sectors there; the main flash mapping stops before it. Device
     * sectors that would lie on the firmware are left out: the CPU sees the device from its
     * offset store_skip, mapped at store_base, store_size bytes (store_view). */
    nor *store_dev;
    uint32_t store_base, store_size, store_skip;
    uint8_t *store_view;
    uint8_t *store_ecc_bad; /* with ECC: per mapped write unit, its ECC cannot correct it */
    uint8_t *mailbox;       /* MBOX_SIZE bytes at MBOX_BASE (emu_mailbox.h) */
    uint8_t *ram, *ram_reset;
    bool ram_has_code; /* a block ran from RAM: RAM stores drop translations (emu_ram.c) */
    uc_context *cpu_reset;
    void *bus; /* emu_bus.c: one entry per board window */

    emu_block_entry blocks[EMU_BLOCK_CACHE];
    emu_register registers[EMU_REGISTERS_MAX];

    /* The boot in progress. */
    bool powered;
    bool stopped;
    emu_boot *boot;
    uint64_t stall_ns;
    unsigned split_bytes_left; /* bytes of an unaligned flash store Unicorn still reports */
    uint32_t split_next;
    emu_block_entry block; /* the block running now */
    bool replay_wanted;    /* a fault inside `replay_block`: find its instruction */
    emu_block_entry replay_block;
    uint32_t replay_pc;
};

/* emu_flash.c */
int emu_flash_attach(emu *m, char *why, size_t why_size);
void emu_flash_detach(emu *m);
/* Power-on: the model's power back, and torn sectors re-read through the model. */
void emu_flash_power_on(emu *m);
/* Refreshes the view of the sectors changed since the dirty marks were cleared. */
void emu_flash_resync_dirty(emu *m);
void emu_flash_clear_dirty(emu *m);
/* Reads [start, start+size) of `dev` through the model into `view` (weak bits drawn now); with
 * ECC (`unit` > 0) word by word, each word's verdict in `bad` (one byte per word of the range).
 * True when a word's ECC cannot correct it. */
bool emu_flash_read_words(nor *dev, uint32_t start, uint32_t size, uint32_t unit, uint8_t *view,
                          uint8_t *bad);
/* Adds the loads' ECC hook, once (the first time a word ECC cannot correct is found). */
void emu_flash_watch_ecc(emu *m);

/* emu_storage.c: the caller's storage device inside the flash range, and the mailbox. */
int emu_storage_place(emu *m, nor *dev, char *why, size_t why_size);
int emu_storage_map(emu *m, char *why, size_t why_size);
void emu_storage_free(emu *m);
bool emu_storage_holds(const emu *m, uint32_t addr);
/* With ECC: the storage's word at `addr` (mapped) is one its ECC cannot correct. */
bool emu_storage_word_bad(const emu *m, uint32_t addr);
int emu_storage_program(emu *m, uint32_t addr, const void *data, uint32_t len, uint64_t *ns);
int emu_storage_erase(emu *m, uint32_t addr, uint64_t *ns);
uint32_t emu_storage_sector_size(const emu *m, uint32_t addr);
/* At power-on, the device read again (true when a word's ECC cannot correct it). */
bool emu_storage_power_on(emu *m);
/* The CPU's view of the device read again from its stored bits (a restored state). */
void emu_storage_reread(emu *m);
/* emu_flash.c's verdict on a model's result, shared with the storage device. */
int emu_flash_settle(emu *m, nor *dev, int rc, const char *what, uint32_t addr, uint32_t len);

/* emu_ram.c: the RAM, mapped read-only, its stores applied by a hook (cheaper in Unicorn 2.0.1). */
int emu_ram_map(emu *m, char *why, size_t why_size);
/* The host rewrote RAM (a power-on, a restored state): translated code from it is stale. */
void emu_ram_rewritten(emu *m);

/* emu_bus.c: the peripheral windows, mapped as MMIO, with the catch-all. */
int emu_bus_attach(emu *m, char *why, size_t why_size);
void emu_bus_detach(emu *m);
void emu_bus_reset(emu *m);
/* Copies the counted registers, by address, into the boot. */
int emu_bus_report(emu *m, emu_boot *b);

/* emu_blocks.c: instruction counts of translated blocks. */
uint32_t emu_block_instructions(emu *m, uint32_t addr, uint32_t size);

/* emu_machine.c */
double emu_host_seconds(void); /* CPU seconds of this process, for the speed figures */
void emu_stop_with(emu *m, emu_stop stop, const char *reason);
/* What a CPU exception number stands for (NULL when unknown). */
const char *emu_exception_name(uint32_t intno);
bool emu_boot_text_append(emu_boot *b, const void *bytes, size_t len);

#endif
