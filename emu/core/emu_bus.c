/* The peripheral bus: each of the board's windows is mapped as MMIO; an access goes to the
 * board's register models first, and what they do not model falls to the catch-all, which
 * reads back what was written (or the window's power-on value) and counts every access so
 * the report can name the registers a firmware relied on that nothing models. The System
 * Control Space's SysTick, NVIC and SCB registers go to the exception model first. */
#include "emu_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct bus_window {
    emu *m;
    const emu_window *window;
} bus_window;

static emu_register *find_register(emu *m, uint32_t addr) {
    uint32_t slot = (addr >> 2) * 2654435761u;
    for (uint32_t probe = 0; probe < EMU_REGISTERS_MAX; probe++) {
        emu_register *r = &m->registers[(slot + probe) & (EMU_REGISTERS_MAX - 1)];
        if (!r->used) {
            r->used = true;
            r->addr = addr;
            return r;
        }
        if (r->addr == addr) return r;
    }
    return NULL; /* the table is full: the access is still served, only not counted */
}

static uint64_t bus_read(uc_engine *uc, uint64_t offset, unsigned size, void *ctx) {
    (void)uc;
    bus_window *bw = ctx;
    emu *m = bw->m;
    uint32_t addr = bw->window->base + (uint32_t)offset, value = 0;
    if (!m->powered) return 0;
    if (emu_exceptions_read(m, addr, &value)) return value;
    if (m->board->read(m, m->board_state, addr, size, &value)) return value;
    emu_register *r = find_register(m, addr);
    if (r && r->written)
        value = r->value;
    else if (bw->window->unwritten)
        value = bw->window->unwritten(addr);
    if (r) r->reads++;
    return value;
}

static void bus_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *ctx) {
    (void)uc;
    bus_window *bw = ctx;
    emu *m = bw->m;
    uint32_t addr = bw->window->base + (uint32_t)offset;
    if (!m->powered) return;
    if (emu_exceptions_write(m, addr, (uint32_t)value)) return;
    if (m->board->write(m, m->board_state, addr, size, (uint32_t)value)) return;
    emu_register *r = find_register(m, addr);
    if (r) r->value = (uint32_t)value, r->written = true, r->writes++;
}

int emu_bus_attach(emu *m, char *why, size_t why_size) {
    const emu_board *b = m->board;
    m->bus = calloc(b->window_count ? b->window_count : 1, sizeof(bus_window));
    if (!m->bus) return snprintf(why, why_size, "out of memory"), -1;
    bus_window *windows = m->bus;
    for (size_t i = 0; i < b->window_count; i++) {
        windows[i].m = m;
        windows[i].window = &b->windows[i];
        uc_err err = uc_mmio_map(m->uc, b->windows[i].base, b->windows[i].size, bus_read,
                                 &windows[i], bus_write, &windows[i]);
        if (err) {
            snprintf(why, why_size, "Unicorn: mapping registers at 0x%08x: %s", b->windows[i].base,
                     uc_strerror(err));
            return -1;
        }
    }
    return 0;
}

void emu_bus_detach(emu *m) {
    free(m->bus);
    m->bus = NULL;
}

void emu_bus_reset(emu *m) {
    memset(m->registers, 0, sizeof m->registers);
    if (m->board->reset) m->board->reset(m, m->board_state);
}

static int by_address(const void *a, const void *b) {
    const emu_register_use *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int emu_bus_report(emu *m, emu_boot *b) {
    size_t n = 0;
    for (uint32_t i = 0; i < EMU_REGISTERS_MAX; i++) n += m->registers[i].used;
    b->registers = calloc(n ? n : 1, sizeof *b->registers);
    if (!b->registers) return -1;
    for (uint32_t i = 0; i < EMU_REGISTERS_MAX; i++) {
        const emu_register *r = &m->registers[i];
        if (!r->used) continue;
        b->registers[b->register_count++] =
            (emu_register_use){.addr = r->addr, .reads = r->reads, .writes = r->writes};
    }
    qsort(b->registers, b->register_count, sizeof *b->registers, by_address);
    return 0;
}
