/* The STM32L4 board (an STM32L476 with 1 MiB of flash): the flash at 0x08000000 with the nor
 * model's stm32l4-1m preset (512 pages of 2 KiB in two banks of 256; 64-bit double words with
 * ECC, programmed once, then only with all zeros), 128 KiB of SRAM at 0x20000000 (SRAM1 and the
 * SRAM2 alias after it), a Cortex-M4 at 4 MHz (the MSI clock it runs from after reset), the
 * FLASH interface (what STM32 parts share in stm32_flash.c; here double-word programs by two
 * word stores while PG is set, page and bank erase, the error flags of RM0351: PROGERR from the
 * model's write-once rule, FLASH_ECCR and the NMI of an ECC double error) and USART1/USART2
 * for polled output. Every other register is left to
 * the catch-all. */
#include "emu.h"
#include "emu_board.h"
#include "stm32_flash.h"
#include "stm32_rcc.h"
#include "stm32_usart.h"

#include <string.h>

enum {
    FLASH_BASE_ADDR = 0x08000000u,
    FLASH_IF = 0x40022000u,
    FLASH_KEYR = FLASH_IF + 0x08u,
    FLASH_SR = FLASH_IF + 0x10u,
    FLASH_CR = FLASH_IF + 0x14u,
    FLASH_ECCR = FLASH_IF + 0x18u,

    SR_PROGERR = 1u << 3,
    SR_WRPERR = 1u << 4,
    SR_PGAERR = 1u << 5,
    SR_SIZERR = 1u << 6,
    SR_PGSERR = 1u << 7,
    SR_MISERR = 1u << 8,
    SR_FASTERR = 1u << 9,
    SR_PROGRAM_ERRORS = SR_PROGERR | SR_PGAERR | SR_SIZERR | SR_PGSERR | SR_MISERR | SR_FASTERR,
    SR_CLEARABLE = STM32_SR_EOP | STM32_SR_OPERR | SR_WRPERR | SR_PROGRAM_ERRORS,

    CR_PER = 1u << 1,
    CR_MER1 = 1u << 2,
    CR_PNB_SHIFT = 3,
    CR_PNB = 0xFFu << CR_PNB_SHIFT,
    CR_BKER = 1u << 11,
    CR_MER2 = 1u << 15,
    CR_OPTLOCK = 1u << 30,
    CR_WRITABLE = STM32_CR_PG | CR_PER | CR_MER1 | CR_PNB | CR_BKER | CR_MER2 | STM32_CR_EOPIE |
                  STM32_CR_ERRIE | CR_OPTLOCK,
    ECCR_ADDR = 0x7FFFFu, /* the double word's offset in its bank */
    ECCR_BK = 1u << 19,
    ECCR_ECCIE = 1u << 24,
    ECCR_ECCC = 1u << 30,
    ECCR_ECCD = 1u << 31, /* a double error: raises the NMI */
    EXCEPTION_NMI = 2,

    BANK_PAGES = 256,
    PAGE_BYTES = 2048,
    DOUBLE_WORD = 8,

    USART2_BASE = 0x40004400u,
    USART_CR1 = 0x00u,
    USART_ISR = 0x1Cu,
    USART_TDR = 0x28u,
    USART_ISR_TC = 1u << 6,
    USART_ISR_TXE = 1u << 7,
    USART_CR1_UE = 1u << 0,
    USART_CR1_TE = 1u << 3,

    SCB_CPUID = 0xE000ED00u,
    CPUID_CORTEX_M4_R0P1 = 0x410FC241u,
};

typedef struct stm32l4_state {
    stm32_flash flash;
    uint32_t eccr;
    bool first_word_seen; /* the first word of a double word is latched */
    uint32_t first_addr, first_word;
    stm32_usart usart;
    stm32_rcc rcc;
} stm32l4_state;

static const stm32_flash_layout flash_registers = {.keyr = FLASH_KEYR,
                                                   .sr = FLASH_SR,
                                                   .cr = FLASH_CR,
                                                   .sr_clearable = SR_CLEARABLE,
                                                   .cr_writable = CR_WRITABLE,
                                                   .cr_reset = STM32_CR_LOCK | CR_OPTLOCK};
static const stm32_usart_layout usarts = {.base = {0x40013800u, 0x40004400u},
                                          .cr1 = 0x00u,
                                          .status = 0x1Cu,
                                          .data = 0x28u,
                                          .cr1_ue = 1u << 0};

static const stm32_rcc_layout clocks = {
    .cr = 0x40021000u,
    .cfgr = 0x40021008u,
    /* MSI, HSI16, HSE, PLL, PLLSAI1, PLLSAI2 */
    .clocks = {{1u << 0, 1u << 1},
               {1u << 8, 1u << 10},
               {1u << 16, 1u << 17},
               {1u << 24, 1u << 25},
               {1u << 26, 1u << 27},
               {1u << 28, 1u << 29}},
    .cr_reset = 0x00000063u, /* MSION, MSIRDY, MSIRANGE 6 (4 MHz) */
};

static void reset(emu *m, void *state) {
    (void)m;
    stm32l4_state *s = state;
    memset(s, 0, sizeof *s);
    stm32_flash_reset(&s->flash, &flash_registers);
    s->usart.layout = &usarts;
    stm32_rcc_reset(&s->rcc, &clocks);
}

/* Erases pages [first, first + count) (page numbers over both banks); false when the power
 * was cut inside one. */
static bool erase_pages(emu *m, stm32_flash *f, uint32_t first, uint32_t count) {
    emu_stall_until(m, f->busy_until_ns); /* a new request waits for the one running */
    for (uint32_t page = first; page < first + count; page++) {
        uint64_t duration;
        if (emu_flash_erase(m, FLASH_BASE_ADDR + page * PAGE_BYTES, &duration) == EMU_FLASH_CUT)
            return false;
        stm32_flash_start_busy(m, f, duration);
    }
    return true;
}

/* STRT: a page erase (PER, PNB, BKER) or bank erases (MER1, MER2). */
static void flash_start(emu *m, stm32_flash *f) {
    uint32_t per = f->cr & CR_PER, mer = f->cr & (CR_MER1 | CR_MER2);
    if ((per && mer) || (!per && !mer) || (f->cr & STM32_CR_PG)) {
        stm32_flash_error(m, f, SR_PGSERR);
        return;
    }
    if (per) {
        uint32_t page = (f->cr & CR_PNB) >> CR_PNB_SHIFT;
        erase_pages(m, f, page + (f->cr & CR_BKER ? BANK_PAGES : 0), 1);
        return;
    }
    bool powered = !(f->cr & CR_MER1) || erase_pages(m, f, 0, BANK_PAGES);
    if (powered && (f->cr & CR_MER2)) erase_pages(m, f, BANK_PAGES, BANK_PAGES);
}

static bool board_read(emu *m, void *state, uint32_t addr, unsigned size, uint32_t *value) {
    (void)size;
    stm32l4_state *s = state;
    if (addr == SCB_CPUID) return *value = CPUID_CORTEX_M4_R0P1, true;
    if (addr == FLASH_ECCR) return *value = s->eccr, true;
    return stm32_usart_read(&s->usart, addr, value) || stm32_rcc_read(&s->rcc, addr, value) ||
           stm32_flash_read(m, &s->flash, addr, value);
}

static bool board_write(emu *m, void *state, uint32_t addr, unsigned size, uint32_t value) {
    (void)size;
    stm32l4_state *s = state;
    bool start;
    if (addr == FLASH_ECCR) { /* ECCC and ECCD clear by writing 1; ECCIE as written */
        s->eccr =
            (s->eccr & ~(value & (ECCR_ECCC | ECCR_ECCD)) & ~ECCR_ECCIE) | (value & ECCR_ECCIE);
        return true;
    }
    if (stm32_usart_write(m, &s->usart, addr, value) || stm32_rcc_write(&s->rcc, addr, value))
        return true;
    if (!stm32_flash_write(m, &s->flash, addr, value, &start)) return false;
    if (start) flash_start(m, &s->flash);
    if (!(s->flash.cr & STM32_CR_PG)) s->first_word_seen = false;
    return true;
}

static void put_word(uint8_t *out, uint32_t word) {
    for (unsigned i = 0; i < 4; i++) out[i] = (uint8_t)(word >> (8u * i));
}

/* A store into flash while PG is set: the first word of a double word is latched, the second
 * (the next word) programs both. A store that breaks a rule sets its error flag and programs
 * nothing; a double word the model refuses (programmed already, and the new value is not all
 * zeros) sets PROGERR. */
static void flash_store(emu *m, void *state, uint32_t addr, unsigned size, uint32_t value) {
    stm32l4_state *s = state;
    stm32_flash *f = &s->flash;
    uint32_t error = 0;
    if (!(f->cr & STM32_CR_PG) || (f->cr & STM32_CR_LOCK))
        error = SR_PGSERR;
    else if (size != 4)
        error = SR_SIZERR;
    else if (!s->first_word_seen && (f->sr & SR_PROGRAM_ERRORS))
        error = SR_PGSERR; /* the flags of an earlier error were not cleared */
    else if (s->first_word_seen ? addr != s->first_addr + 4 : addr % DOUBLE_WORD != 0)
        error = SR_PGAERR;
    if (error) {
        s->first_word_seen = false;
        stm32_flash_error(m, f, error);
        return;
    }
    if (!s->first_word_seen) {
        s->first_word_seen = true, s->first_addr = addr, s->first_word = value;
        return;
    }
    s->first_word_seen = false;
    emu_stall_until(m, f->busy_until_ns); /* the bus stalls while the interface is busy */
    uint8_t bytes[DOUBLE_WORD];
    put_word(bytes, s->first_word);
    put_word(bytes + 4, value);
    uint64_t duration;
    int rc = emu_flash_program(m, s->first_addr, bytes, DOUBLE_WORD, &duration);
    if (rc == EMU_FLASH_REFUSED) /* counted by the model as a violation */
        stm32_flash_flag(f, SR_PROGERR);
    else if (rc == 0)
        stm32_flash_start_busy(m, f, duration);
}

/* RM0351 3.3.8: a double error sets ECCD, the address and bank (kept while ECCC or ECCD is
 * set) and raises the NMI. */
static unsigned ecc_error(emu *m, void *state, uint32_t addr) {
    (void)m;
    stm32l4_state *s = state;
    if (!(s->eccr & (ECCR_ECCC | ECCR_ECCD))) {
        uint32_t offset = addr - FLASH_BASE_ADDR, bank_bytes = BANK_PAGES * PAGE_BYTES;
        s->eccr = (s->eccr & ECCR_ECCIE) | (offset % bank_bytes & ECCR_ADDR) |
                  (offset >= bank_bytes ? ECCR_BK : 0);
    }
    s->eccr |= ECCR_ECCD;
    return EXCEPTION_NMI;
}

const emu_board emu_board_stm32l4 = {
    .name = "stm32l4",
    .summary = "ST STM32L476: Cortex-M4 at 4 MHz (MSI), 1 MiB flash in 2 KiB pages with ECC "
               "(FLASH interface), 128 KiB SRAM, USART1 and USART2",
    .nor_preset = "stm32l4-1m",
    .flash_base = FLASH_BASE_ADDR,
    .ram_base = 0x20000000u,
    .ram_size = 128u * 1024u,
    .cpu_hz = 4000000u,
    .windows = {{0x40000000u, 0x20000000u, NULL}, {0xE0000000u, 0x100000u, NULL}},
    .systick_ref_hz = 4000000u / 8u, /* HCLK / 8 */
    .irq_count = 82,
    .priority_bits = 4,
    .window_count = 2,
    .state_size = sizeof(stm32l4_state),
    .reset = reset,
    .read = board_read,
    .write = board_write,
    .flash_store = flash_store,
    .ecc_fault = "an NMI (FLASH_ECCR ECCD: a double error detected)",
    .ecc_error = ecc_error,
};
