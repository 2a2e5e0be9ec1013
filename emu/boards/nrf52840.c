/* The nRF52840 board: 1 MiB of flash in 4 KiB pages at 0 (the nor model's nrf52840 preset:
 * 32-bit words, at most two writes per word between erases, 41 us per word, 85 ms per page),
 * 256 KiB of RAM at 0x20000000, a 64 MHz Cortex-M4, the NVMC (CONFIG, READY, READYNEXT,
 * ERASEPAGE, ERASEPCR0, ERASEALL; words written by ordinary stores while CONFIG is WEN) and
 * UART0 in both of its modes (UART: a byte per TXD write; UARTE: EasyDMA from RAM). Every
 * other peripheral register is left to the catch-all. */
#include "emu_board.h"

#include <string.h>

enum {
    NVMC_BASE = 0x4001E000u,
    NVMC_READY = NVMC_BASE + 0x400u,
    NVMC_READYNEXT = NVMC_BASE + 0x408u,
    NVMC_CONFIG = NVMC_BASE + 0x504u,
    NVMC_ERASEPAGE = NVMC_BASE + 0x508u, /* ERASEPCR1 is the same register */
    NVMC_ERASEALL = NVMC_BASE + 0x50Cu,
    NVMC_ERASEPCR0 = NVMC_BASE + 0x510u,
    NVMC_ERASEUICR = NVMC_BASE + 0x514u,
    CONFIG_REN = 0,
    CONFIG_WEN = 1,
    CONFIG_EEN = 2,

    UART_BASE = 0x40002000u,
    UART_TASKS_STARTTX = UART_BASE + 0x008u,
    UART_EVENTS_TXDRDY = UART_BASE + 0x11Cu,
    UART_EVENTS_ENDTX = UART_BASE + 0x120u,
    UART_EVENTS_TXSTARTED = UART_BASE + 0x150u,
    UART_ENABLE = UART_BASE + 0x500u,
    UART_TXD = UART_BASE + 0x51Cu,
    UART_TXD_PTR = UART_BASE + 0x544u,
    UART_TXD_MAXCNT = UART_BASE + 0x548u,
    UART_TXD_AMOUNT = UART_BASE + 0x54Cu,
    UART_ENABLE_UART = 4,
    UART_ENABLE_UARTE = 8,
    UARTE_MAXCNT_MAX = 0xFFFF,

    SCB_CPUID = 0xE000ED00u,
    CPUID_CORTEX_M4_R0P1 = 0x410FC241u,
};

typedef struct nrf52840_state {
    uint32_t config;
    uint64_t busy_until_ns; /* READY is low until then */
    uint32_t uart_enable, uart_ptr, uart_maxcnt, uart_amount;
    uint32_t uart_txdrdy, uart_endtx, uart_txstarted;
} nrf52840_state;

static void reset(emu *m, void *state) {
    (void)m;
    memset(state, 0, sizeof(nrf52840_state));
}

/* The NVMC is busy for the operation's time after whatever it was doing. */
static void nvmc_busy(emu *m, nrf52840_state *s, uint64_t duration_ns) {
    uint64_t now = emu_now_ns(m);
    s->busy_until_ns = (s->busy_until_ns > now ? s->busy_until_ns : now) + duration_ns;
}

static void nvmc_erase_page(emu *m, nrf52840_state *s, uint32_t addr) {
    uint32_t sector = emu_flash_sector_size(m, addr);
    if (s->config != CONFIG_EEN || sector == 0 || addr % sector) {
        emu_flash_refused(m);
        return;
    }
    uint64_t duration;
    emu_flash_erase(m, addr, &duration);
    nvmc_busy(m, s, duration);
}

static void nvmc_erase_all(emu *m, nrf52840_state *s) {
    if (s->config != CONFIG_EEN) {
        emu_flash_refused(m);
        return;
    }
    for (uint32_t addr = 0; addr < emu_flash_size(m); addr += emu_flash_sector_size(m, addr)) {
        uint64_t duration;
        if (emu_flash_erase(m, addr, &duration) == EMU_FLASH_CUT) return;
        nvmc_busy(m, s, duration);
    }
}

static void uarte_start(emu *m, nrf52840_state *s) {
    uint8_t buf[UARTE_MAXCNT_MAX];
    uint32_t n = s->uart_maxcnt & UARTE_MAXCNT_MAX;
    if (!emu_ram_read(m, s->uart_ptr, buf, n)) {
        emu_fault(m, s->uart_ptr, "UARTE0 EasyDMA: TXD.PTR 0x%08x (%u bytes) is not in RAM",
                  s->uart_ptr, n);
        return;
    }
    emu_uart_write(m, buf, n);
    s->uart_amount = n;
    s->uart_txstarted = s->uart_endtx = 1;
}

static bool board_read(emu *m, void *state, uint32_t addr, unsigned size, uint32_t *value) {
    (void)size;
    nrf52840_state *s = state;
    switch (addr) {
    case NVMC_READY:
    case NVMC_READYNEXT:
        *value = emu_now_ns(m) >= s->busy_until_ns;
        /* The poll loop would spin for the rest of the operation: skip to its end. */
        if (!*value) emu_wait_until(m, s->busy_until_ns);
        return true;
    case NVMC_CONFIG: *value = s->config; return true;
    case UART_ENABLE: *value = s->uart_enable; return true;
    case UART_EVENTS_TXDRDY: *value = s->uart_txdrdy; return true;
    case UART_EVENTS_ENDTX: *value = s->uart_endtx; return true;
    case UART_EVENTS_TXSTARTED: *value = s->uart_txstarted; return true;
    case UART_TXD_PTR: *value = s->uart_ptr; return true;
    case UART_TXD_MAXCNT: *value = s->uart_maxcnt; return true;
    case UART_TXD_AMOUNT: *value = s->uart_amount; return true;
    case SCB_CPUID: *value = CPUID_CORTEX_M4_R0P1; return true;
    default: return false;
    }
}

static bool board_write(emu *m, void *state, uint32_t addr, unsigned size, uint32_t value) {
    (void)size;
    nrf52840_state *s = state;
    switch (addr) {
    case NVMC_CONFIG: s->config = value & 3u; return true;
    case NVMC_ERASEPAGE:
    case NVMC_ERASEPCR0: nvmc_erase_page(m, s, value); return true;
    case NVMC_ERASEALL:
        if (value & 1u) nvmc_erase_all(m, s);
        return true;
    case NVMC_ERASEUICR: emu_flash_refused(m); return true; /* UICR is not modelled */
    case UART_ENABLE: s->uart_enable = value & 0xFu; return true;
    case UART_TXD:
        if (s->uart_enable == UART_ENABLE_UART) {
            uint8_t byte = (uint8_t)value;
            emu_uart_write(m, &byte, 1);
            s->uart_txdrdy = 1;
        }
        return true;
    case UART_TASKS_STARTTX:
        if ((value & 1u) && s->uart_enable == UART_ENABLE_UARTE) uarte_start(m, s);
        return true;
    case UART_EVENTS_TXDRDY: s->uart_txdrdy = value & 1u; return true;
    case UART_EVENTS_ENDTX: s->uart_endtx = value & 1u; return true;
    case UART_EVENTS_TXSTARTED: s->uart_txstarted = value & 1u; return true;
    case UART_TXD_PTR: s->uart_ptr = value; return true;
    case UART_TXD_MAXCNT: s->uart_maxcnt = value; return true;
    default: return false;
    }
}

static void flash_store(emu *m, void *state, uint32_t addr, unsigned size, uint32_t value) {
    nrf52840_state *s = state;
    if (s->config != CONFIG_WEN) {
        emu_fault(m, addr, "store to flash at 0x%08x while NVMC CONFIG is %u (writes need WEN = 1)",
                  addr, s->config);
        return;
    }
    if (size != 4 || (addr & 3u)) {
        emu_fault(m, addr,
                  "%u-byte store to flash at 0x%08x: the NVMC writes only aligned 32-bit words",
                  size, addr);
        return;
    }
    uint8_t word[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
                       (uint8_t)(value >> 24)};
    uint64_t duration;
    if (emu_flash_program(m, addr, word, 4, &duration) != EMU_FLASH_CUT) nvmc_busy(m, s, duration);
}

/* Unmodelled registers before any write: EVENTS_* (offsets 0x100..0x1FC of a peripheral)
 * read 1, so that a wait for an event (a clock started, a conversion done) ends. */
static uint32_t peripheral_unwritten(uint32_t addr) {
    uint32_t offset = addr & 0xFFFu;
    return offset >= 0x100u && offset < 0x200u;
}

/* FICR and UICR read erased. */
static uint32_t info_unwritten(uint32_t addr) {
    (void)addr;
    return 0xFFFFFFFFu;
}

const emu_board emu_board_nrf52840 = {
    .name = "nrf52840",
    .summary = "Nordic nRF52840: Cortex-M4 at 64 MHz, 1 MiB flash (NVMC), 256 KiB RAM, UART0",
    .nor_preset = "nrf52840",
    .flash_base = 0x00000000u,
    .ram_base = 0x20000000u,
    .ram_size = 256u * 1024u,
    .cpu_hz = 64000000u,
    .windows = {{0x10000000u, 0x2000u, info_unwritten},
                {0x40000000u, 0x20000000u, peripheral_unwritten},
                {0xE0000000u, 0x100000u, NULL}},
    .irq_count = 48,
    .priority_bits = 3,
    .window_count = 3,
    .state_size = sizeof(nrf52840_state),
    .reset = reset,
    .read = board_read,
    .write = board_write,
    .flash_store = flash_store,
};
