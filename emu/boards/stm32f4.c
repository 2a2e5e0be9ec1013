/* The STM32F4 board (an STM32F405/407 with 1 MiB of flash): the flash at 0x08000000 with the
 * nor model's stm32f4-1m preset (sectors 0-3 of 16 KiB, 4 of 64 KiB, 5-11 of 128 KiB), 128 KiB
 * of SRAM at 0x20000000 (SRAM1 and SRAM2, contiguous; the CCM RAM is not mapped), a Cortex-M4 at 16
 * MHz (the HSI clock it runs from after reset), the FLASH interface (KEYR unlock, CR, SR: programs
 * by ordinary stores of the PSIZE width while PG is set, sector and mass erase, BSY for the
 * preset's times, the error flags of RM0090) and USART1/USART2 for polled output. Every other
 * register is left to the catch-all. */
#include "emu.h"
#include "emu_board.h"

#include <string.h>

enum {
    FLASH_BASE_ADDR = 0x08000000u,
    FLASH_IF = 0x40023C00u,
    FLASH_KEYR = FLASH_IF + 0x04u,
    FLASH_SR = FLASH_IF + 0x0Cu,
    FLASH_CR = FLASH_IF + 0x10u,
    KEY1 = 0x45670123u,
    KEY2 = 0xCDEF89ABu,

    SR_EOP = 1u << 0,
    SR_OPERR = 1u << 1,
    SR_WRPERR = 1u << 4,
    SR_PGAERR = 1u << 5,
    SR_PGPERR = 1u << 6,
    SR_PGSERR = 1u << 7,
    SR_BSY = 1u << 16,
    SR_CLEARABLE = SR_EOP | SR_OPERR | SR_WRPERR | SR_PGAERR | SR_PGPERR | SR_PGSERR,

    CR_PG = 1u << 0,
    CR_SER = 1u << 1,
    CR_MER = 1u << 2,
    CR_SNB_SHIFT = 3,
    CR_SNB = 0xFu << CR_SNB_SHIFT,
    CR_PSIZE_SHIFT = 8,
    CR_PSIZE = 3u << CR_PSIZE_SHIFT,
    CR_STRT = 1u << 16,
    CR_EOPIE = 1u << 24,
    CR_ERRIE = 1u << 25,
    CR_LOCK = 1u << 31,
    CR_WRITABLE = CR_PG | CR_SER | CR_MER | CR_SNB | CR_PSIZE | CR_EOPIE | CR_ERRIE,
    SECTORS = 12,   /* SNB 12..15 name no sector of a 1 MiB part */
    ROW_BYTES = 16, /* a program must fit in one 128-bit flash row (PGAERR) */

    USART1_BASE = 0x40011000u,
    USART2_BASE = 0x40004400u,
    USART_SR = 0x00u,
    USART_DR = 0x04u,
    USART_CR1 = 0x0Cu,
    USART_SR_TC = 1u << 6,
    USART_SR_TXE = 1u << 7,
    USART_CR1_TE = 1u << 3,
    USART_CR1_UE = 1u << 13,

    SCB_CPUID = 0xE000ED00u,
    CPUID_CORTEX_M4_R0P1 = 0x410FC241u,
};

typedef struct stm32f4_state {
    uint32_t cr, sr;
    bool key1_seen;         /* KEY1 written, KEY2 expected next */
    uint64_t busy_until_ns; /* BSY is high until then */
    uint32_t usart_cr1[2];
} stm32f4_state;

static void reset(emu *m, void *state) {
    (void)m;
    stm32f4_state *s = state;
    memset(s, 0, sizeof *s);
    s->cr = CR_LOCK;
}

static bool busy(emu *m, const stm32f4_state *s) {
    return emu_now_ns(m) < s->busy_until_ns;
}

/* The interface is busy for the operation's time after whatever it was doing. */
static void flash_busy(emu *m, stm32f4_state *s, uint64_t duration_ns) {
    uint64_t now = emu_now_ns(m);
    s->busy_until_ns = (s->busy_until_ns > now ? s->busy_until_ns : now) + duration_ns;
    if (s->cr & CR_EOPIE) s->sr |= SR_EOP; /* read while BSY is high, SR hides it */
}

/* A programming error: its flag, and OPERR when error interrupts are enabled. */
static void flash_error(emu *m, stm32f4_state *s, uint32_t flag) {
    s->sr |= flag;
    if (s->cr & CR_ERRIE) s->sr |= SR_OPERR;
    emu_flash_refused(m);
}

static uint32_t sector_address(emu *m, uint32_t snb) {
    uint32_t addr = FLASH_BASE_ADDR;
    for (uint32_t i = 0; i < snb; i++) addr += emu_flash_sector_size(m, addr);
    return addr;
}

/* STRT: a sector erase (SER, SNB) or a mass erase (MER). */
static void flash_start(emu *m, stm32f4_state *s) {
    uint32_t kind = s->cr & (CR_SER | CR_MER);
    uint32_t snb = (s->cr & CR_SNB) >> CR_SNB_SHIFT;
    if ((kind != CR_SER && kind != CR_MER) || (kind == CR_SER && snb >= SECTORS) ||
        (s->cr & CR_PG)) {
        flash_error(m, s, SR_PGSERR);
        return;
    }
    uint32_t first = kind == CR_SER ? snb : 0, last = kind == CR_SER ? snb : SECTORS - 1;
    emu_stall_until(m, s->busy_until_ns); /* a new request waits for the one running */
    for (uint32_t i = first; i <= last; i++) {
        uint64_t duration;
        if (emu_flash_erase(m, sector_address(m, i), &duration) == EMU_FLASH_CUT) return;
        flash_busy(m, s, duration);
    }
}

static void key_write(emu *m, stm32f4_state *s, uint32_t value) {
    if (!(s->cr & CR_LOCK)) return; /* unlocked already: nothing to do */
    if (!s->key1_seen && value == KEY1) {
        s->key1_seen = true;
        return;
    }
    if (s->key1_seen && value == KEY2) {
        s->key1_seen = false;
        s->cr &= ~CR_LOCK;
        return;
    }
    emu_fault(m, FLASH_KEYR,
              "bus error: FLASH_KEYR written 0x%08x where %s was due (a wrong unlock sequence; "
              "FLASH_CR stays locked until reset)",
              value, s->key1_seen ? "KEY2 0xcdef89ab" : "KEY1 0x45670123");
}

static void cr_write(emu *m, stm32f4_state *s, uint32_t value) {
    if (s->cr & CR_LOCK) { /* a locked CR takes no write */
        emu_flash_refused(m);
        return;
    }
    s->cr = (value & CR_WRITABLE) | (value & CR_LOCK);
    if (value & CR_STRT) flash_start(m, s);
}

static bool usart_register(uint32_t addr, unsigned *index, uint32_t *offset) {
    if (addr - USART1_BASE < 0x20u)
        *index = 0, *offset = addr - USART1_BASE;
    else if (addr - USART2_BASE < 0x20u)
        *index = 1, *offset = addr - USART2_BASE;
    else
        return false;
    return true;
}

static bool board_read(emu *m, void *state, uint32_t addr, unsigned size, uint32_t *value) {
    (void)size;
    stm32f4_state *s = state;
    unsigned usart;
    uint32_t offset;
    if (usart_register(addr, &usart, &offset)) {
        if (offset == USART_SR) return *value = USART_SR_TXE | USART_SR_TC, true;
        if (offset == USART_CR1) return *value = s->usart_cr1[usart], true;
        return false;
    }
    switch (addr) {
    case FLASH_SR:
        if (busy(m, s)) {
            *value = (s->sr & ~SR_EOP) | SR_BSY;
            /* The poll loop would spin for the rest of the operation: skip to its end. */
            emu_stall_until(m, s->busy_until_ns);
        } else {
            *value = s->sr;
        }
        return true;
    case FLASH_CR: *value = s->cr | (busy(m, s) ? CR_STRT : 0); return true;
    case FLASH_KEYR: *value = 0; return true;
    case SCB_CPUID: *value = CPUID_CORTEX_M4_R0P1; return true;
    default: return false;
    }
}

static bool board_write(emu *m, void *state, uint32_t addr, unsigned size, uint32_t value) {
    (void)size;
    stm32f4_state *s = state;
    unsigned usart;
    uint32_t offset;
    if (usart_register(addr, &usart, &offset)) {
        if (offset == USART_CR1) return s->usart_cr1[usart] = value, true;
        if (offset != USART_DR) return false;
        uint32_t on = USART_CR1_UE | USART_CR1_TE;
        uint8_t byte = (uint8_t)value;
        if ((s->usart_cr1[usart] & on) == on) emu_uart_write(m, &byte, 1);
        return true;
    }
    switch (addr) {
    case FLASH_KEYR: key_write(m, s, value); return true;
    case FLASH_SR: s->sr &= ~(value & SR_CLEARABLE); return true;
    case FLASH_CR: cr_write(m, s, value); return true;
    default: return false;
    }
}

/* A store into flash: one program of its width while PG is set, the width PSIZE names, in one
 * 128-bit row. A store that breaks a rule sets its error flag and programs nothing. */
static void flash_store(emu *m, void *state, uint32_t addr, unsigned size, uint32_t value) {
    stm32f4_state *s = state;
    unsigned width = 1u << ((s->cr & CR_PSIZE) >> CR_PSIZE_SHIFT);
    uint32_t error = 0;
    if (!(s->cr & CR_PG) || (s->cr & CR_LOCK))
        error = SR_PGSERR;
    else if (addr % ROW_BYTES + size > ROW_BYTES)
        error = SR_PGAERR;
    else if (size != width || addr % size) /* x64 (external VPP) never matches a CPU store */
        error = SR_PGPERR;
    if (error) {
        flash_error(m, s, error);
        return;
    }
    emu_stall_until(m, s->busy_until_ns); /* the bus stalls while the interface is busy */
    /* The model's unit is the 32-bit word: a narrower store programs its bytes over the word
     * as stored, the other bytes programmed with what they hold (no change, no 0->1 attempt). */
    uint32_t word_addr = addr & ~3u;
    uint8_t bytes[4];
    nor_peek(emu_flash(m), word_addr - FLASH_BASE_ADDR, bytes, 4);
    for (unsigned i = 0; i < size; i++) bytes[(addr & 3u) + i] = (uint8_t)(value >> (8u * i));
    uint64_t duration;
    if (emu_flash_program(m, word_addr, bytes, 4, &duration) != EMU_FLASH_CUT)
        flash_busy(m, s, duration);
}

const emu_board emu_board_stm32f4 = {
    .name = "stm32f4",
    .summary = "ST STM32F405/407: Cortex-M4 at 16 MHz (HSI), 1 MiB flash in 12 sectors "
               "(FLASH interface), 128 KiB SRAM, USART1 and USART2",
    .nor_preset = "stm32f4-1m",
    .flash_base = FLASH_BASE_ADDR,
    .ram_base = 0x20000000u,
    .ram_size = 128u * 1024u,
    .cpu_hz = 16000000u,
    .windows = {{0x40000000u, 0x20000000u, NULL}, {0xE0000000u, 0x100000u, NULL}},
    .window_count = 2,
    .state_size = sizeof(stm32f4_state),
    .reset = reset,
    .read = board_read,
    .write = board_write,
    .flash_store = flash_store,
};
