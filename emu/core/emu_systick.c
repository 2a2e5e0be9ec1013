/* SysTick (SYST_CSR, SYST_RVR, SYST_CVR, SYST_CALIB at 0xE000E010) on the virtual clock.
 * Nothing runs per tick: the counter is a function of time. Since base_tick (the last write
 * that changed how it counts) it counts down from cvr0 once per tick of the selected clock
 * (the core's clock, or the board's reference clock with CLKSOURCE = 0); reaching 0 sets
 * COUNTFLAG and, with TICKINT, pends the SysTick exception; the tick after a 0 reloads RVR.
 * So counts to zero happen at ticks cvr0, cvr0 + P, cvr0 + 2P, ... (P = RVR + 1; from P on
 * when cvr0 is 0, as after a CVR write: that reload raises nothing). */
#include "emu_internal.h"

enum {
    SYST_CSR = 0xE000E010u,
    SYST_RVR = 0xE000E014u,
    SYST_CVR = 0xE000E018u,
    SYST_CALIB = 0xE000E01Cu,
    CSR_ENABLE = 1u << 0,
    CSR_TICKINT = 1u << 1,
    CSR_CLKSOURCE = 1u << 2,
    CSR_COUNTFLAG = 1u << 16, /* kept here when a write re-bases the counter before a read */
    CALIB_NOREF = 1u << 31,
    COUNTER_MASK = 0xFFFFFFu,
};

#define NS_PER_S UINT64_C(1000000000)

static uint32_t clock_hz(const emu *m) {
    const emu_board *b = m->board;
    uint32_t hz =
        (m->exc.systick.csr & CSR_CLKSOURCE) || !b->systick_ref_hz ? b->cpu_hz : b->systick_ref_hz;
    return m->test_break == EMU_BREAK_SYSTICK_HALF ? hz / 2 : hz;
}

/* Whole ticks of an `hz` clock in `ns` (floor), and the first ns at which tick `t` is reached
 * (ceiling): split so that nothing overflows. */
static uint64_t ticks_at(uint64_t ns, uint32_t hz) {
    return ns / NS_PER_S * hz + ns % NS_PER_S * hz / NS_PER_S;
}

static uint64_t ns_of_tick(uint64_t tick, uint32_t hz) {
    return tick / hz * NS_PER_S + (tick % hz * NS_PER_S + hz - 1) / hz;
}

/* Ticks since base_tick (0 while disabled: the counter holds its value). */
static uint64_t elapsed(const emu *m) {
    const emu_systick *s = &m->exc.systick;
    if (!(s->csr & CSR_ENABLE)) return 0;
    uint64_t now = ticks_at(emu_exceptions_now_ns(m), clock_hz(m));
    return now > s->base_tick ? now - s->base_tick : 0;
}

static uint32_t value_after(const emu_systick *s, uint64_t k) {
    uint64_t period = (uint64_t)s->rvr + 1;
    if (k < s->cvr0) return s->cvr0 - (uint32_t)k;
    if (period == 1) return 0; /* a reload value of 0 stops the counter at 0 */
    uint64_t since_zero = k - s->cvr0;
    return (uint32_t)((period - since_zero % period) % period);
}

static uint64_t zeros_after(const emu_systick *s, uint64_t k) {
    uint64_t period = (uint64_t)s->rvr + 1, first = s->cvr0 ? 1 : 0;
    if (k < s->cvr0) return 0;
    if (period == 1) return first;
    return first + (k - s->cvr0) / period;
}

void emu_systick_reset(emu *m) {
    m->exc.systick = (emu_systick){.csr = m->board->systick_ref_hz ? 0 : CSR_CLKSOURCE};
}

void emu_systick_update(emu *m) {
    emu_systick *s = &m->exc.systick;
    if (!(s->csr & CSR_ENABLE)) return;
    uint64_t zeros = zeros_after(s, elapsed(m));
    if (zeros > s->zeros_pended && (s->csr & CSR_TICKINT)) emu_exceptions_pend(m, EMU_EXC_SYSTICK);
    if (zeros > s->zeros_pended) s->zeros_pended = zeros;
}

uint64_t emu_systick_next_ns(const emu *m) {
    const emu_systick *s = &m->exc.systick;
    if ((s->csr & (CSR_ENABLE | CSR_TICKINT)) != (CSR_ENABLE | CSR_TICKINT)) return UINT64_MAX;
    uint64_t period = (uint64_t)s->rvr + 1, next = s->zeros_pended + 1, k;
    if (s->cvr0)
        k = s->cvr0 + (next - 1) * period;
    else
        k = next * period;
    if (period == 1 && !(s->cvr0 && next == 1)) return UINT64_MAX;
    return ns_of_tick(s->base_tick + k, clock_hz(m));
}

/* Before a write changes how the counter counts: the value so far becomes cvr0 at the
 * present tick of the clock `csr` selects, COUNTFLAG is kept aside. */
static void rebase(emu *m, uint32_t csr) {
    emu_systick *s = &m->exc.systick;
    emu_systick_update(m);
    uint64_t k = elapsed(m);
    if (zeros_after(s, k) > s->zeros_read) s->csr |= CSR_COUNTFLAG;
    s->cvr0 = value_after(s, k);
    s->csr = (s->csr & CSR_COUNTFLAG) | csr;
    s->base_tick = ticks_at(emu_exceptions_now_ns(m), clock_hz(m));
    s->zeros_read = s->zeros_pended = 0;
}

bool emu_systick_read(emu *m, uint32_t addr, uint32_t *value) {
    emu_systick *s = &m->exc.systick;
    uint32_t hz = m->board->systick_ref_hz ? m->board->systick_ref_hz : m->board->cpu_hz;
    switch (addr) {
    case SYST_CSR: {
        uint64_t zeros = zeros_after(s, elapsed(m));
        bool counted = (s->csr & CSR_COUNTFLAG) || zeros > s->zeros_read;
        *value = (s->csr & ~CSR_COUNTFLAG) | (counted ? CSR_COUNTFLAG : 0);
        if (m->test_break == EMU_BREAK_STICKY_COUNTFLAG) return true;
        s->csr &= ~CSR_COUNTFLAG; /* a read clears it */
        s->zeros_read = zeros;
        return true;
    }
    case SYST_RVR: *value = s->rvr; return true;
    case SYST_CVR: *value = value_after(s, elapsed(m)); return true;
    case SYST_CALIB: /* TENMS: 10 ms of the reference clock (the core's when there is none) */
        *value = (m->board->systick_ref_hz ? 0 : CALIB_NOREF) | ((hz / 100 - 1) & COUNTER_MASK);
        return true;
    default: return false;
    }
}

bool emu_systick_write(emu *m, uint32_t addr, uint32_t value) {
    emu_systick *s = &m->exc.systick;
    uint32_t keep = s->csr & (CSR_ENABLE | CSR_TICKINT | CSR_CLKSOURCE);
    switch (addr) {
    case SYST_CSR:
        value &= CSR_ENABLE | CSR_TICKINT | CSR_CLKSOURCE;
        if (!m->board->systick_ref_hz) value |= CSR_CLKSOURCE; /* no reference: RAO/WI */
        rebase(m, value);
        break;
    case SYST_RVR:
        rebase(m, keep); /* the count in progress ends as it was; the next reload takes it */
        s->rvr = value & COUNTER_MASK;
        break;
    case SYST_CVR: /* any write clears the counter and COUNTFLAG */
        rebase(m, keep);
        s->cvr0 = 0;
        s->csr &= ~CSR_COUNTFLAG;
        break;
    case SYST_CALIB: break; /* read-only */
    default: return false;
    }
    m->exc.check_at = 0; /* the next exception may be due at another time */
    return true;
}
