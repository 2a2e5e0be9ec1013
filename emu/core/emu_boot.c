/* Boots: power-on from the reset snapshot (CPU context, RAM, peripherals; the flash as it is),
 * the run until idle (a WFI with nothing to wake the core), crash, runaway or power cut, the
 * registers at the stop, and for a memory fault the replay that finds the faulting instruction
 * (Unicorn keeps the PC only per block). */
#include "emu_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THUMB_WFI 0xBF30u
/* A PC the firmware never reaches (odd), so uc_emu_start never stops for "until". */
#define NO_UNTIL 0xFFFFFFFFu

void emu_boot_free(emu_boot *b) {
    free(b->uart);
    free(b->registers);
    memset(b, 0, sizeof *b);
}

static void power_on(emu *m) {
    uc_context_restore(m->uc, m->cpu_reset);
    memcpy(m->ram, m->ram_reset, m->board->ram_size);
    emu_ram_rewritten(m);
    emu_bus_reset(m);
    emu_exceptions_reset(m);
    emu_flash_power_on(m);
    m->stall_ns = 0;
    m->split_bytes_left = 0; /* a split store the last boot's stop cut short */
    m->stopped = false;
    m->replay_wanted = false;
    m->powered = true;
}

static void describe_pc(emu *m, emu_boot *b) {
    const emu_elf_symbol *s = emu_elf_symbol_at(&m->elf, b->regs[15]);
    b->pc_symbol[0] = '\0';
    if (s) snprintf(b->pc_symbol, sizeof b->pc_symbol, "%s+0x%x", s->name, b->regs[15] - s->addr);
}

static void read_registers(emu *m, emu_boot *b) {
    static const int ids[16] = {UC_ARM_REG_R0,  UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,
                                UC_ARM_REG_R4,  UC_ARM_REG_R5, UC_ARM_REG_R6,  UC_ARM_REG_R7,
                                UC_ARM_REG_R8,  UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
                                UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR,  UC_ARM_REG_PC};
    for (int i = 0; i < 16; i++) uc_reg_read(m->uc, ids[i], &b->regs[i]);
    uc_reg_read(m->uc, UC_ARM_REG_XPSR, &b->xpsr);
    describe_pc(m, b);
}

static bool halted_in_wfi(emu *m, uc_err err) {
    uint32_t pc;
    uint8_t insn[2];
    uc_reg_read(m->uc, UC_ARM_REG_PC, &pc);
    return err == UC_ERR_OK && pc >= 2 && uc_mem_read(m->uc, pc - 2, insn, 2) == UC_ERR_OK &&
           (uint32_t)(insn[0] | insn[1] << 8) == THUMB_WFI;
}

/* Why uc_emu_start returned when no hook stopped it. */
static void classify_return(emu *m, uc_err err) {
    if (err == UC_ERR_OK) {
        if (halted_in_wfi(m, err)) {
            m->stopped = true;
            m->boot->stop = EMU_STOP_IDLE;
            snprintf(m->boot->reason, sizeof m->boot->reason, "WFI with no interrupt source");
            return;
        }
    }
    char reason[160];
    if (err == UC_ERR_INSN_INVALID) /* Unicorn's path for UDF and unknown encodings */
        snprintf(reason, sizeof reason, "%s", emu_exception_name(1));
    else
        snprintf(reason, sizeof reason, "the CPU stopped: %s",
                 err ? uc_strerror(err) : "halted outside a WFI");
    emu_stop_with(m, EMU_STOP_CRASH, reason);
}

static void on_replay_instruction(uc_engine *uc, uint64_t addr, uint32_t size, void *ctx) {
    (void)uc, (void)size;
    ((emu *)ctx)->replay_pc = (uint32_t)addr;
}

/* Unicorn updates the PC only at block boundaries (or for code hooks), so a memory fault
 * leaves the PC at the start of the faulting block. The boot is deterministic: run it again
 * from the flash as it was when it began, with a code hook on that one block, and the last
 * instruction the hook saw is the one that faulted. Then the flash goes back to after the
 * crash. Returns the PC, or 0 when the replay did not reach the block. */
static uint32_t locate_fault(emu *m, const nor_snapshot *boot_start) {
    nor_snapshot *after = NULL;
    uc_hook hook;
    emu_block_entry block = m->replay_block;
    if (nor_snapshot_take(m->flash_dev, &after)) return 0;
    if (uc_hook_add(m->uc, &hook, UC_HOOK_CODE, (void *)on_replay_instruction, m, block.addr,
                    (uint64_t)block.addr + block.size - 1)) {
        nor_snapshot_free(after);
        return 0;
    }
    /* Blocks translated before the hook existed would not call it. */
    uint64_t block_end = (uint64_t)block.addr + block.size;
    uc_ctl_remove_cache(m->uc, block.addr, block_end);
    nor_snapshot_restore(m->flash_dev, boot_start);
    emu_flash_resync_dirty(m);
    emu_boot scratch = {0};
    m->boot = &scratch;
    m->replay_pc = 0;
    power_on(m);
    uint32_t pc;
    uc_reg_read(m->uc, UC_ARM_REG_PC, &pc);
    uc_emu_start(m->uc, pc | 1u, NO_UNTIL, 0, 0);
    m->powered = false;
    uc_hook_del(m->uc, hook);
    uc_ctl_remove_cache(m->uc, block.addr, block_end);
    emu_boot_free(&scratch);
    nor_snapshot_restore(m->flash_dev, after);
    emu_flash_resync_dirty(m);
    nor_snapshot_free(after);
    return m->replay_pc;
}

/* From the PC where the CPU is, until a stop; a WFI sleeps until an exception wakes it. */
static void run_cpu(emu *m, emu_boot *out) {
    uc_err err;
    do {
        uint32_t pc;
        uc_reg_read(m->uc, UC_ARM_REG_PC, &pc);
        err = uc_emu_start(m->uc, pc | 1u, NO_UNTIL, 0, 0);
    } while (!m->stopped && halted_in_wfi(m, err) && emu_exceptions_wake(m));
    if (!m->stopped) classify_return(m, err);
    emu_exceptions_pause(m);
    m->powered = false;
    out->virtual_ns = emu_now_ns(m);
    read_registers(m, out);
}

static int finish(emu *m, emu_boot *out) {
    int rc = emu_bus_report(m, out);
    if (!out->uart && !emu_boot_text_append(out, "", 0)) rc = -1;
    m->boot = NULL;
    return rc;
}

int emu_boot_run(emu *m, emu_boot *out) {
    memset(out, 0, sizeof *out);
    m->boot = out;
    double t0 = emu_host_seconds();
    out->first_op = nor_op_count(m->flash_dev);
    nor_stats before;
    nor_get_stats(m->flash_dev, &before);
    nor_snapshot *boot_start = NULL;
    if (nor_snapshot_take(m->flash_dev, &boot_start)) return -1;
    power_on(m);
    double t1 = emu_host_seconds();
    out->reboot_seconds = t1 - t0;
    run_cpu(m, out);
    out->host_seconds = emu_host_seconds() - t1;
    if (m->replay_wanted) {
        uint32_t pc = locate_fault(m, boot_start);
        if (pc) out->regs[15] = pc;
        m->boot = out;
        describe_pc(m, out);
    }
    nor_snapshot_free(boot_start);
    nor_stats after;
    nor_get_stats(m->flash_dev, &after);
    out->flash_violations = after.violations - before.violations;
    if (out->stop != EMU_STOP_POWER_CUT && nor_is_powered(m->flash_dev)) nor_cut_now(m->flash_dev);
    return finish(m, out);
}

/* No replay here: a fault's PC stays the start of its block (a resumed call cannot be
 * replayed from a power-on). */
int emu_boot_resume(emu *m, emu_boot *out) {
    memset(out, 0, sizeof *out);
    m->boot = out;
    out->first_op = nor_op_count(m->flash_dev);
    m->stall_ns = 0;
    emu_exceptions_resume(m);
    m->stopped = false;
    m->replay_wanted = false;
    m->powered = true;
    double t0 = emu_host_seconds();
    run_cpu(m, out);
    out->host_seconds = emu_host_seconds() - t0;
    return finish(m, out);
}
