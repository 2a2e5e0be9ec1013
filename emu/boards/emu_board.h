/* What a board is to the emulator core: its memory map, the NOR preset behind its flash, its
 * peripheral windows, and the functions that model its registers (flash controller, UART).
 * One file per board implements one emu_board; boards.c lists them. Below the struct, the
 * services the core offers a board's register models. */
#ifndef NORBENCH_EMU_BOARD_H
#define NORBENCH_EMU_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct emu emu;

/* An address range of peripheral registers. Reads of a register the board does not model
 * return what was last written, or `unwritten(addr)` before that. */
typedef struct emu_window {
    uint32_t base, size;
    uint32_t (*unwritten)(uint32_t addr);
} emu_window;

#define EMU_BOARD_WINDOWS_MAX 4

typedef struct emu_board {
    const char *name;
    const char *summary;
    const char *nor_preset; /* sim/nor preset of the on-chip flash */
    uint32_t flash_base;
    uint32_t ram_base, ram_size;
    uint32_t cpu_hz; /* one instruction per cycle at this clock */
    emu_window windows[EMU_BOARD_WINDOWS_MAX];
    size_t window_count;
    size_t state_size; /* bytes of register state the core allocates for the board */
    void (*reset)(emu *m, void *state); /* power-on values */
    /* A register access inside a window; false when the board does not model it. */
    bool (*read)(emu *m, void *state, uint32_t addr, unsigned size, uint32_t *value);
    bool (*write)(emu *m, void *state, uint32_t addr, unsigned size, uint32_t value);
    /* What the part raises when a CPU load hits a flash word its ECC cannot correct (for the
     * crash report; only boards whose NOR preset has ECC). */
    const char *ecc_fault;
    /* The part's answer to that double error at `addr` (the ECC word's start): sets its status
     * registers and returns the exception it raises (the core enters its handler), or 0. When
     * the firmware has no handler for it the boot ends in a crash naming ecc_fault. */
    unsigned (*ecc_error)(emu *m, void *state, uint32_t addr);
    /* The exception model (emu/core/emu_exceptions.h): SysTick's reference clock for
     * CLKSOURCE = 0 (0: none, CLKSOURCE reads 1), the NVIC's external interrupts and the
     * priority bits the part implements (the top ones of each byte). */
    uint32_t systick_ref_hz;
    uint16_t irq_count;
    uint8_t priority_bits;
    /* A store by the CPU into the flash range (addr absolute, size 1, 2 or 4 bytes). */
    void (*flash_store)(emu *m, void *state, uint32_t addr, unsigned size, uint32_t value);
} emu_board;

size_t emu_board_count(void);
const emu_board *emu_board_at(size_t index);
const emu_board *emu_board_find(const char *name); /* NULL when unknown */

/* ---- Services of the core for register models ---------------------------------------- */

/* Simulated time since the boot began (instructions at cpu_hz, plus stalls). */
uint64_t emu_now_ns(const emu *m);
/* The CPU waits until `ns`: the bus stalls (a store while the flash is busy), nothing runs. */
void emu_stall_until(emu *m, uint64_t ns);
/* A busy-wait on a status register fast-forwarded: time moves to `ns`, or to the moment an
 * exception will interrupt the loop if that comes first (its handler runs, then the loop
 * reads the register again). */
void emu_wait_until(emu *m, uint64_t ns);

/* Flash operations through the NOR model; addresses absolute. Return 0, EMU_FLASH_REFUSED
 * (the model refused it: counted as a violation, nothing changed beyond what the model did),
 * or EMU_FLASH_CUT (the power was cut inside it: the core stops the CPU). *duration_ns is
 * the operation's datasheet time. */
enum { EMU_FLASH_REFUSED = 1, EMU_FLASH_CUT = 2 };
int emu_flash_program(emu *m, uint32_t addr, const void *data, uint32_t len, uint64_t *duration_ns);
int emu_flash_erase(emu *m, uint32_t addr, uint64_t *duration_ns);
uint32_t emu_flash_size(const emu *m);
uint32_t emu_flash_sector_size(const emu *m, uint32_t addr); /* 0 outside the flash */
/* A request the flash controller ignored (not enabled, bad address): counted per boot. */
void emu_flash_refused(emu *m);

/* emu_options.test_break (EMU_BREAK_*): a register model's test-only flaw. */
unsigned emu_test_break(const emu *m);

/* Bytes the firmware sent through a UART. */
void emu_uart_write(emu *m, const void *bytes, size_t len);
/* DMA reads of RAM; false when [addr, addr+len) is not RAM. */
bool emu_ram_read(emu *m, uint32_t addr, void *out, uint32_t len);

/* Sets exception `number` pending (16 + n: external interrupt n); the core takes it when its
 * priority allows, at the next translated block. */
void emu_exceptions_pend(emu *m, unsigned number);

/* Stops the CPU with a crash report ("what happened" in printf form) naming `addr`. */
void emu_fault(emu *m, uint32_t addr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
