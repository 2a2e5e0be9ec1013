/* The STM32F4 board (an STM32F405/407 with 1 MiB of flash): the flash at 0x08000000 with the
 * nor model's stm32f4-1m preset (sectors 0-3 of 16 KiB, 4 of 64 KiB, 5-11 of 128 KiB), 128 KiB
 * of SRAM at 0x20000000 (SRAM1 and SRAM2; the CCM RAM is not mapped), a Cortex-M4 at 16 MHz
 * (the HSI clock it runs from after reset), the FLASH interface (what STM32 parts share in
 * stm32_flash.c; here PSIZE, the programs by ordinary stores of its width while PG is set,
 * sector and mass erase, the error flags of RM0090, the option bytes' write protection through
 * OPTKEYR and OPTCR) and USART1/USART2 for polled output. Every other register is left to the
 * catch-all. */
#include "emu.h"
#include "emu_board.h"
#include "stm32_flash.h"
#include "stm32_rcc.h"
#include "stm32_usart.h"

#include <string.h>

enum {
    FLASH_BASE_ADDR = 0x08000000u,
    FLASH_IF = 0x40023C00u,
    FLASH_KEYR = FLASH_IF + 0x04u,
    FLASH_SR = FLASH_IF + 0x0Cu,
    FLASH_CR = FLASH_IF + 0x10u,
    FLASH_OPTKEYR = FLASH_IF + 0x08u,
    FLASH_OPTCR = FLASH_IF + 0x14u,
    OPT_KEY1 = 0x08192A3Bu,
    OPT_KEY2 = 0x4C5D6E7Fu,
    OPTCR_OPTLOCK = 1u << 0,
    OPTCR_OPTSTRT = 1u << 1,
    OPTCR_NWRP_SHIFT = 16,
    /* nWRP[11:0], RDP, USER, BOR_LEV; only nWRP has an effect here */
    OPTCR_OPTION_BITS = 0x0FFFFFECu,
    /* The option bytes of a new part: no sector protected, RDP level 0, BOR off */
    OPTION_BYTES_DEFAULT = 0x0FFFAAECu,
    /* How long OPTSTRT keeps BSY high: RM0090 gives no time; the model takes 16 ms */
    OPTION_PROGRAM_NS = 16000000u,

    SR_WRPERR = 1u << 4,
    SR_PGAERR = 1u << 5,
    SR_PGPERR = 1u << 6,
    SR_PGSERR = 1u << 7,
    SR_CLEARABLE = STM32_SR_EOP | STM32_SR_OPERR | SR_WRPERR | SR_PGAERR | SR_PGPERR | SR_PGSERR,

    CR_SER = 1u << 1,
    CR_MER = 1u << 2,
    CR_SNB_SHIFT = 3,
    CR_SNB = 0xFu << CR_SNB_SHIFT,
    CR_PSIZE_SHIFT = 8,
    CR_PSIZE = 3u << CR_PSIZE_SHIFT,
    CR_WRITABLE =
        STM32_CR_PG | CR_SER | CR_MER | CR_SNB | CR_PSIZE | STM32_CR_EOPIE | STM32_CR_ERRIE,
    SECTORS = 12,   /* SNB 12..15 name no sector of a 1 MiB part */
    ROW_BYTES = 16, /* a program must fit in one 128-bit flash row (PGAERR) */

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

/* The option bytes as programmed (kept across boots like the flash) and FLASH_OPTCR. */
typedef struct stm32f4_options {
    bool programmed;         /* false: the part's defaults, not loaded yet */
    uint32_t bytes;          /* OPTCR's option bits as last applied by OPTSTRT */
    uint32_t optcr;          /* the register: the bytes at reset, then what software wrote */
    bool key1_seen;          /* OPT_KEY1 written, OPT_KEY2 expected next */
    bool key_failed;         /* a wrong sequence: OPTCR stays locked until reset */
    uint64_t applying_until; /* OPTSTRT reads 1 until then */
} stm32f4_options;

typedef struct stm32f4_state {
    stm32_flash flash;
    stm32f4_options options;
    stm32_usart usart;
    stm32_rcc rcc;
} stm32f4_state;

static const stm32_flash_layout flash_registers = {.keyr = FLASH_KEYR,
                                                   .sr = FLASH_SR,
                                                   .cr = FLASH_CR,
                                                   .sr_clearable = SR_CLEARABLE,
                                                   .cr_writable = CR_WRITABLE,
                                                   .cr_reset = STM32_CR_LOCK};
static const stm32_usart_layout usarts = {.base = {0x40011000u, 0x40004400u},
                                          .status = 0x00u,
                                          .data = 0x04u,
                                          .cr1 = 0x0Cu,
                                          .cr1_ue = 1u << 13};

static const stm32_rcc_layout clocks = {
    .cr = 0x40023800u,
    .cfgr = 0x40023808u,
    /* HSI, HSE, PLL, PLLI2S */
    .clocks = {{1u << 0, 1u << 1},
               {1u << 16, 1u << 17},
               {1u << 24, 1u << 25},
               {1u << 26, 1u << 27}},
    .cr_reset = 0x00000083u, /* HSION, HSIRDY, HSITRIM */
};

static void reset(emu *m, void *state) {
    (void)m;
    stm32f4_state *s = state;
    uint32_t option_bytes = s->options.programmed ? s->options.bytes : OPTION_BYTES_DEFAULT;
    memset(s, 0, sizeof *s);
    s->options = (stm32f4_options){
        .programmed = true, .bytes = option_bytes, .optcr = option_bytes | OPTCR_OPTLOCK};
    stm32_flash_reset(&s->flash, &flash_registers);
    s->usart.layout = &usarts;
    stm32_rcc_reset(&s->rcc, &clocks);
}

static uint32_t sector_address(emu *m, uint32_t snb) {
    uint32_t addr = FLASH_BASE_ADDR;
    for (uint32_t i = 0; i < snb; i++) addr += emu_flash_sector_size(m, addr);
    return addr;
}

static uint32_t sector_of(emu *m, uint32_t addr) {
    uint32_t snb = 0;
    for (uint32_t start = FLASH_BASE_ADDR; start + emu_flash_sector_size(m, start) <= addr; snb++)
        start += emu_flash_sector_size(m, start);
    return snb;
}

/* Whether the applied option bytes protect sector `snb` (its nWRP bit is 0). */
static bool write_protected(emu *m, const stm32f4_options *o, uint32_t snb) {
    if (emu_test_break(m) == EMU_BREAK_IGNORE_NWRP) return false;
    return !(o->bytes >> (OPTCR_NWRP_SHIFT + snb) & 1u);
}

/* OPTKEYR: OPT_KEY1 then OPT_KEY2 clear OPTLOCK; anything else keeps OPTCR locked until reset
 * (RM0090 describes no bus error here, and the model raises none). */
static void option_key_write(emu *m, stm32f4_options *o, uint32_t value) {
    if (!(o->optcr & OPTCR_OPTLOCK)) return;
    bool expected = !o->key_failed && value == (o->key1_seen ? OPT_KEY2 : OPT_KEY1);
    if (!expected) {
        o->key_failed = true;
        emu_flash_refused(m);
    } else if (o->key1_seen) {
        o->optcr &= ~OPTCR_OPTLOCK;
    }
    o->key1_seen = expected && !o->key1_seen;
}

/* OPTCR: while unlocked software sets the option bits and OPTLOCK; OPTSTRT programs the
 * option bits into the option bytes (BSY for OPTION_PROGRAM_NS) and they apply at once. */
static void option_control_write(emu *m, stm32f4_state *s, uint32_t value) {
    stm32f4_options *o = &s->options;
    if (o->optcr & OPTCR_OPTLOCK) {
        emu_flash_refused(m);
        return;
    }
    o->optcr = value & (OPTCR_OPTION_BITS | OPTCR_OPTLOCK);
    if (!(value & OPTCR_OPTSTRT)) return;
    emu_stall_until(m, s->flash.busy_until_ns); /* waits for the operation running */
    o->bytes = o->optcr & OPTCR_OPTION_BITS;
    stm32_flash_start_busy(m, &s->flash, OPTION_PROGRAM_NS);
    o->applying_until = s->flash.busy_until_ns;
}

static bool option_read(emu *m, const stm32f4_options *o, uint32_t addr, uint32_t *value) {
    if (addr == FLASH_OPTKEYR)
        *value = 0; /* write-only */
    else if (addr == FLASH_OPTCR)
        *value = o->optcr | (emu_now_ns(m) < o->applying_until ? OPTCR_OPTSTRT : 0);
    else
        return false;
    return true;
}

/* STRT: a sector erase (SER, SNB) or a mass erase (MER). */
static void flash_start(emu *m, stm32_flash *f, const stm32f4_options *options) {
    uint32_t kind = f->cr & (CR_SER | CR_MER);
    uint32_t snb = (f->cr & CR_SNB) >> CR_SNB_SHIFT;
    if ((kind != CR_SER && kind != CR_MER) || (kind == CR_SER && snb >= SECTORS) ||
        (f->cr & STM32_CR_PG)) {
        stm32_flash_error(m, f, SR_PGSERR);
        return;
    }
    uint32_t first = kind == CR_SER ? snb : 0, last = kind == CR_SER ? snb : SECTORS - 1;
    for (uint32_t i = first; i <= last; i++) {
        if (write_protected(m, options, i)) { /* a mass erase with one: nothing erased */
            stm32_flash_error(m, f, SR_WRPERR);
            return;
        }
    }
    emu_stall_until(m, f->busy_until_ns); /* a new request waits for the one running */
    for (uint32_t i = first; i <= last; i++) {
        uint64_t duration;
        if (emu_flash_erase(m, sector_address(m, i), &duration) == EMU_FLASH_CUT) return;
        stm32_flash_start_busy(m, f, duration);
    }
}

static bool board_read(emu *m, void *state, uint32_t addr, unsigned size, uint32_t *value) {
    (void)size;
    stm32f4_state *s = state;
    if (addr == SCB_CPUID) return *value = CPUID_CORTEX_M4_R0P1, true;
    return stm32_usart_read(&s->usart, addr, value) || stm32_rcc_read(&s->rcc, addr, value) ||
           stm32_flash_read(m, &s->flash, addr, value) || option_read(m, &s->options, addr, value);
}

static bool board_write(emu *m, void *state, uint32_t addr, unsigned size, uint32_t value) {
    (void)size;
    stm32f4_state *s = state;
    bool start;
    if (stm32_usart_write(m, &s->usart, addr, value) || stm32_rcc_write(&s->rcc, addr, value))
        return true;
    if (addr == FLASH_OPTKEYR) return option_key_write(m, &s->options, value), true;
    if (addr == FLASH_OPTCR) return option_control_write(m, s, value), true;
    if (!stm32_flash_write(m, &s->flash, addr, value, &start)) return false;
    if (start) flash_start(m, &s->flash, &s->options);
    return true;
}

/* A store into flash: one program of its width while PG is set, the width PSIZE names, in one
 * 128-bit row, outside the write-protected sectors. A store that breaks a rule sets its error
 * flag and programs nothing. */
static void flash_store(emu *m, void *state, uint32_t addr, unsigned size, uint32_t value) {
    stm32f4_state *s = state;
    stm32_flash *f = &s->flash;
    unsigned width = 1u << ((f->cr & CR_PSIZE) >> CR_PSIZE_SHIFT);
    uint32_t error = 0;
    if (!(f->cr & STM32_CR_PG) || (f->cr & STM32_CR_LOCK))
        error = SR_PGSERR;
    else if (write_protected(m, &s->options, sector_of(m, addr)))
        error = SR_WRPERR;
    else if (addr % ROW_BYTES + size > ROW_BYTES)
        error = SR_PGAERR;
    else if (size != width || addr % size) /* x64 (external VPP) never matches a CPU store */
        error = SR_PGPERR;
    if (error) {
        stm32_flash_error(m, f, error);
        return;
    }
    emu_stall_until(m, f->busy_until_ns); /* the bus stalls while the interface is busy */
    /* The model's unit is the 32-bit word: a narrower store programs its bytes over the word
     * as stored, the other bytes programmed with what they hold (no change, no 0->1 attempt). */
    uint32_t word_addr = addr & ~3u;
    uint8_t bytes[4];
    nor_peek(emu_flash(m), word_addr - FLASH_BASE_ADDR, bytes, 4);
    for (unsigned i = 0; i < size; i++) bytes[(addr & 3u) + i] = (uint8_t)(value >> (8u * i));
    uint64_t duration;
    if (emu_flash_program(m, word_addr, bytes, 4, &duration) != EMU_FLASH_CUT)
        stm32_flash_start_busy(m, f, duration);
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
    .systick_ref_hz = 16000000u / 8u, /* HCLK / 8 */
    .irq_count = 82,
    .priority_bits = 4,
    .window_count = 2,
    .state_size = sizeof(stm32f4_state),
    .reset = reset,
    .read = board_read,
    .write = board_write,
    .flash_store = flash_store,
};
