/* The emulated machine: Unicorn set up as a Cortex-M4 (THUMB mode with the CORTEX_M4 model;
 * the MCLASS mode flag would make it an M33), the board's flash and RAM mapped, the hooks that
 * count instructions and turn faults into crash reports, the ELF loaded and the reset
 * snapshot (CPU context and RAM) taken once; and the services register models use (time,
 * UART, RAM for DMA, faults). Exceptions the firmware handles (SysTick, SVC, pended ones, the
 * ECC NMI) go to emu_exceptions.c; a fault the CPU raises (undefined instruction, bus fault)
 * is a crash here. Boots: emu_boot.c. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "emu_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CPU time, not wall time: the figures stay meaningful on a shared machine. */
double emu_host_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *emu_stop_name(emu_stop stop) {
    switch (stop) {
    case EMU_STOP_IDLE: return "idle";
    case EMU_STOP_POWER_CUT: return "power-cut";
    case EMU_STOP_CRASH: return "crash";
    case EMU_STOP_RUNAWAY: return "runaway";
    }
    return "?";
}

nor *emu_flash(emu *m) {
    return m->flash_dev;
}

void emu_stop_with(emu *m, emu_stop stop, const char *reason) {
    if (m->stopped) return;
    m->stopped = true;
    m->boot->stop = stop;
    snprintf(m->boot->reason, sizeof m->boot->reason, "%s", reason);
    uc_emu_stop(m->uc);
}

void emu_fault(emu *m, uint32_t addr, const char *fmt, ...) {
    char reason[sizeof m->boot->reason];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (!m->stopped) {
        m->boot->has_fault_addr = true, m->boot->fault_addr = addr;
        m->replay_block = m->block; /* the PC is the block's start: find the instruction */
        m->replay_wanted = true;
    }
    emu_stop_with(m, EMU_STOP_CRASH, reason);
}

uint64_t emu_now_ns(const emu *m) {
    uint64_t n = m->boot ? m->boot->instructions : 0, hz = m->board->cpu_hz;
    return n / hz * UINT64_C(1000000000) + n % hz * UINT64_C(1000000000) / hz + m->stall_ns;
}

void emu_stall_until(emu *m, uint64_t ns) {
    uint64_t now = emu_now_ns(m);
    if (ns > now) m->stall_ns += ns - now;
    m->exc.check_at = 0; /* time jumped: an exception may be due */
}

void emu_wait_until(emu *m, uint64_t ns) {
    uint64_t interrupt = emu_exceptions_next_interrupt_ns(m);
    emu_stall_until(m, ns < interrupt ? ns : interrupt);
}

bool emu_boot_text_append(emu_boot *b, const void *bytes, size_t len) {
    if (b->uart_len + len + 1 > b->uart_cap) { /* firmware prints a byte at a time */
        size_t cap = b->uart_cap ? b->uart_cap : 64;
        while (cap < b->uart_len + len + 1) cap *= 2;
        char *grown = realloc(b->uart, cap);
        if (!grown) return false;
        b->uart = grown;
        b->uart_cap = cap;
    }
    memcpy(b->uart + b->uart_len, bytes, len);
    b->uart_len += len;
    b->uart[b->uart_len] = '\0';
    return true;
}

void emu_uart_write(emu *m, const void *bytes, size_t len) {
    if (m->powered && m->boot) emu_boot_text_append(m->boot, bytes, len);
}

unsigned emu_test_break(const emu *m) {
    return m->test_break;
}

bool emu_ram_read(emu *m, uint32_t addr, void *out, uint32_t len) {
    const emu_board *b = m->board;
    if (addr < b->ram_base || len > b->ram_size || addr - b->ram_base > b->ram_size - len)
        return false;
    memcpy(out, m->ram + (addr - b->ram_base), len);
    return true;
}

/* ---- Hooks ------------------------------------------------------------------------------ */

static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *ctx) {
    (void)uc;
    emu *m = ctx;
    emu_boot *b = m->boot;
    /* An exception due goes first: this block has not run, it is where the handler returns. */
    if (b->instructions >= m->exc.check_at && emu_exceptions_poll(m, (uint32_t)addr)) return;
    m->block.addr = (uint32_t)addr, m->block.size = size;
    b->instructions += emu_block_instructions(m, (uint32_t)addr, size);
    if (b->instructions > m->max_instructions) {
        char reason[96];
        snprintf(reason, sizeof reason,
                 "still running after %llu instructions (--max-instructions)",
                 (unsigned long long)m->max_instructions);
        emu_stop_with(m, EMU_STOP_RUNAWAY, reason);
    }
}

const char *emu_exception_name(uint32_t intno) {
    switch (intno) {
    case 1: return "undefined instruction (UsageFault, escalated to HardFault)";
    case 2: return "SVC";
    case 3: return "instruction fetch fault (a bad branch target or exception return)";
    case 4: return "data abort (BusFault)";
    case 7: return "BKPT instruction (breakpoint)";
    case 8: return "exception return";
    case 17: return "coprocessor or FPU instruction with the FPU disabled (NOCP UsageFault)";
    case 18: return "invalid state: a branch to an ARM (even) address (INVSTATE UsageFault)";
    case 22: return "unaligned access (UNALIGNED UsageFault)";
    default: return NULL;
    }
}

static void on_interrupt(uc_engine *uc, uint32_t intno, void *ctx) {
    (void)uc;
    emu *m = ctx;
    if (emu_exceptions_on_interrupt(m, intno)) return; /* SVC, exception return */
    const char *name = emu_exception_name(intno);
    char reason[96];
    if (!name) snprintf(reason, sizeof reason, "CPU exception %u", intno), name = reason;
    emu_stop_with(m, EMU_STOP_CRASH, name);
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                        void *ctx) {
    (void)uc, (void)value;
    emu *m = ctx;
    const char *what = type == UC_MEM_FETCH_UNMAPPED   ? "instruction fetch from"
                       : type == UC_MEM_WRITE_UNMAPPED ? "write to"
                                                       : "read from";
    emu_fault(m, (uint32_t)addr, "%s unmapped address 0x%08x (%d bytes)", what, (uint32_t)addr,
              size);
    return false;
}

/* Stores into flash arrive here (the flash is mapped read-only, so the store itself is
 * discarded): the board's flash controller applies them to the NOR model. */
static bool on_flash_store(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                           void *ctx) {
    (void)uc, (void)type;
    emu *m = ctx;
    /* Unicorn 2.0.1 reports an unaligned store once whole, then once per byte as it splits it
     * into bytes: those bytes are the same store, which the board has seen already. */
    if (m->split_bytes_left && size == 1 && (uint32_t)addr == m->split_next) {
        m->split_bytes_left--, m->split_next++;
        return true;
    }
    m->split_bytes_left = size > 1 && addr % (uint64_t)size ? (unsigned)size : 0;
    m->split_next = (uint32_t)addr;
    if (m->powered && !m->stopped)
        m->board->flash_store(m, m->board_state, (uint32_t)addr, (unsigned)size, (uint32_t)value);
    return true;
}

/* ---- Loading ---------------------------------------------------------------------------- */

static int load_segment(void *ctx, uint32_t paddr, const uint8_t *data, uint32_t filesz,
                        uint32_t memsz, char *why, size_t why_size) {
    emu *m = ctx;
    const emu_board *b = m->board;
    uint64_t end = (uint64_t)paddr + memsz;
    if (paddr >= m->flash_base && end <= (uint64_t)m->flash_base + m->flash_size) {
        static const uint8_t zero = 0;
        uint32_t at = paddr - m->flash_base;
        if (nor_poke(m->flash_dev, at, data, filesz)) goto outside;
        for (uint32_t i = filesz; i < memsz; i++) nor_poke(m->flash_dev, at + i, &zero, 1);
        return 0;
    }
    if (paddr >= b->ram_base && end <= (uint64_t)b->ram_base + b->ram_size) {
        memcpy(m->ram_reset + (paddr - b->ram_base), data, filesz);
        memset(m->ram_reset + (paddr - b->ram_base) + filesz, 0, memsz - filesz);
        return 0;
    }
outside:
    snprintf(why, why_size,
             "a segment at 0x%08x (%u bytes) lies outside the %s's flash (0x%08x..0x%08x) and "
             "RAM (0x%08x..0x%08x)",
             paddr, memsz, b->name, m->flash_base, m->flash_base + m->flash_size, b->ram_base,
             b->ram_base + b->ram_size);
    return -1;
}

/* SP and the reset handler from the vector table at the start of flash. */
static int take_reset_snapshot(emu *m, const char *path, char *why, size_t why_size) {
    const emu_board *b = m->board;
    uint32_t sp = emu_le32(m->flash_view), reset = emu_le32(m->flash_view + 4);
    uint32_t ram_end = b->ram_base + b->ram_size;
    if (sp < b->ram_base || sp > ram_end || (sp & 3)) {
        snprintf(why, why_size,
                 "%s: the vector table's initial SP 0x%08x is not a word-aligned address in RAM "
                 "(0x%08x..0x%08x); is the firmware linked for the %s?",
                 path, sp, b->ram_base, ram_end, b->name);
        return -1;
    }
    bool in_flash = reset >= m->flash_base && reset - m->flash_base < m->flash_size;
    if (!in_flash) {
        snprintf(why, why_size,
                 "%s: the vector table's reset handler 0x%08x is outside the %s's flash "
                 "(0x%08x..0x%08x); is the firmware linked for the %s?",
                 path, reset, b->name, m->flash_base, m->flash_base + m->flash_size, b->name);
        return -1;
    }
    if (!(reset & 1)) {
        snprintf(why, why_size,
                 "%s: the vector table's reset handler 0x%08x is not a Thumb address (bit 0 "
                 "clear): a Cortex-M runs Thumb code only",
                 path, reset);
        return -1;
    }
    uc_reg_write(m->uc, UC_ARM_REG_SP, &sp);
    uc_reg_write(m->uc, UC_ARM_REG_PC, &reset);
    if (uc_context_alloc(m->uc, &m->cpu_reset) || uc_context_save(m->uc, m->cpu_reset)) {
        snprintf(why, why_size, "Unicorn could not save the CPU context");
        return -1;
    }
    return 0;
}

static int map_memory(emu *m, char *why, size_t why_size) {
    const emu_board *b = m->board;
    m->ram = calloc(1, b->ram_size);
    m->ram_reset = calloc(1, b->ram_size);
    if (!m->ram || !m->ram_reset) return snprintf(why, why_size, "out of memory"), -1;
    uc_err err = uc_mem_map_ptr(m->uc, m->flash_base, m->flash_size, UC_PROT_READ | UC_PROT_EXEC,
                                m->flash_view);
    /* uc_mem_map_ptr leaves the region writable whatever the permissions say; protecting it
     * again marks it read-only, so that a store runs the write-protection hook and is then
     * discarded instead of landing in the view. */
    if (!err)
        err = uc_mem_protect(m->uc, m->flash_base, m->flash_size, UC_PROT_READ | UC_PROT_EXEC);
    if (err) return snprintf(why, why_size, "Unicorn: mapping memory: %s", uc_strerror(err)), -1;
    if (emu_ram_map(m, why, why_size)) return -1;
    uc_hook h;
    err = uc_hook_add(m->uc, &h, UC_HOOK_BLOCK, (void *)on_block, m, 1, 0);
    if (!err) err = uc_hook_add(m->uc, &h, UC_HOOK_INTR, (void *)on_interrupt, m, 1, 0);
    if (!err) err = uc_hook_add(m->uc, &h, UC_HOOK_MEM_UNMAPPED, (void *)on_unmapped, m, 1, 0);
    if (!err)
        err =
            uc_hook_add(m->uc, &h, UC_HOOK_MEM_WRITE_PROT, (void *)on_flash_store, m, m->flash_base,
                        (uint64_t)m->flash_base + m->flash_size + m->store_size - 1);
    if (err) return snprintf(why, why_size, "Unicorn: adding hooks: %s", uc_strerror(err)), -1;
    return 0;
}

int emu_open(emu **out, const emu_options *o, char *why, size_t why_size) {
    *out = NULL;
    const emu_board *b = emu_board_find(o->board);
    if (!b) {
        size_t used = (size_t)snprintf(why, why_size, "unknown board '%s'; boards:", o->board);
        for (size_t i = 0; i < emu_board_count() && used < why_size; i++)
            used += (size_t)snprintf(why + used, why_size - used, " %s", emu_board_at(i)->name);
        return -1;
    }
    emu *m = calloc(1, sizeof *m);
    if (!m) return snprintf(why, why_size, "out of memory"), -1;
    m->board = b;
    m->max_instructions = o->max_instructions ? o->max_instructions : EMU_DEFAULT_MAX_INSTRUCTIONS;
    m->test_break = o->test_break;
    m->board_state = calloc(1, b->state_size ? b->state_size : 1);
    char inner[EMU_WHY_MAX];
    if (!m->board_state || emu_elf_open(&m->elf, o->elf_path, why, why_size)) goto fail;
    nor_config cfg = *nor_preset_find(b->nor_preset);
    if (nor_create(&m->flash_dev, &cfg, o->seed)) {
        snprintf(why, why_size, "the NOR model of preset %s could not be made", b->nor_preset);
        goto fail;
    }
    if (o->image_path &&
        nor_image_load_explained(m->flash_dev, o->image_path, inner, sizeof inner)) {
        snprintf(why, why_size, "--image %s", inner);
        goto fail;
    }
    uc_err err = uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &m->uc);
    if (!err) err = uc_ctl_set_cpu_model(m->uc, UC_CPU_ARM_CORTEX_M4);
    if (err) {
        snprintf(why, why_size, "Unicorn: cannot make a Cortex-M4: %s", uc_strerror(err));
        goto fail;
    }
    if (emu_flash_attach(m, why, why_size) ||
        (o->storage && emu_storage_place(m, o->storage, why, why_size)))
        goto fail;
    if (m->store_dev) m->flash_size = m->store_base - m->flash_base; /* the rest is the storage */
    if (map_memory(m, why, why_size) || emu_storage_map(m, why, why_size) ||
        emu_bus_attach(m, why, why_size))
        goto fail;
    if (emu_elf_for_each_segment(&m->elf, load_segment, m, inner, sizeof inner)) {
        snprintf(why, why_size, "%s: %s", o->elf_path, inner);
        goto fail;
    }
    nor_reset_stats(m->flash_dev);
    emu_flash_resync_dirty(m);
    emu_flash_clear_dirty(m);
    if (take_reset_snapshot(m, o->elf_path, why, why_size)) goto fail;
    *out = m;
    return 0;
fail:
    emu_close(m);
    return -1;
}

void emu_close(emu *m) {
    if (!m) return;
    if (m->cpu_reset) uc_context_free(m->cpu_reset);
    if (m->uc) uc_close(m->uc);
    emu_flash_detach(m);
    emu_storage_free(m);
    emu_bus_detach(m);
    if (m->flash_dev) nor_destroy(m->flash_dev);
    emu_elf_close(&m->elf);
    free(m->ram);
    free(m->ram_reset);
    free(m->board_state);
    free(m);
}
