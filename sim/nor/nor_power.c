/* Power: arming a cut (by operation count, by simulated time, or by a callback), deciding
 * whether it lands in the operation about to run, and the power-off state that follows. */
#include "nor_internal.h"

bool nor_cut_lands(nor *dev, nor_event_kind kind, uint32_t addr, uint32_t len, uint64_t op_index,
                   uint64_t duration_ns) {
    nor_state *st = &dev->st;
    uint64_t end_ns = st->clock_ns + duration_ns;
    if (st->cut_by_time && end_ns > st->cut_time_us * 1000) {
        /* The operation was running when the clock reached the cut time. */
        uint64_t cut_ns = st->cut_time_us * 1000;
        if (cut_ns > st->clock_ns) st->clock_ns = cut_ns;
        return true;
    }
    bool cut = st->cut_by_ops && op_index >= st->cut_op_index;
    if (!cut && dev->cut_fn) {
        nor_event op = {.kind = kind,
                        .addr = addr,
                        .len = len,
                        .time_us = end_ns / 1000,
                        .result = NOR_OK,
                        .op_index = op_index};
        cut = dev->cut_fn(dev->cut_ctx, &op);
    }
    /* Without a cut time the cut is placed half way through the operation. */
    if (cut) st->clock_ns += duration_ns / 2;
    return cut;
}

void nor_power_cut(nor *dev, uint32_t addr, uint32_t len, uint64_t op_index) {
    dev->st.powered = false;
    dev->st.cut_by_ops = false;
    dev->st.cut_by_time = false;
    dev->st.stats.cuts++;
    nor_emit(dev, NOR_EV_CUT, addr, len, NOR_E_POWER_OFF, op_index);
}

void nor_set_torn_modes(nor *dev, nor_torn_program prog, nor_torn_erase erase) {
    dev->st.torn_program = prog;
    dev->st.torn_erase = erase;
}

void nor_arm_cut_after_ops(nor *dev, uint64_t ops) {
    dev->st.cut_by_ops = true;
    dev->st.cut_op_index = dev->st.op_count + ops;
}

void nor_arm_cut_at_time(nor *dev, uint64_t time_us) {
    dev->st.cut_by_time = true;
    dev->st.cut_time_us = time_us;
}

void nor_set_cut_fn(nor *dev, nor_cut_fn fn, void *ctx) {
    dev->cut_fn = fn;
    dev->cut_ctx = ctx;
}

void nor_disarm_cut(nor *dev) {
    dev->st.cut_by_ops = false;
    dev->st.cut_by_time = false;
    dev->cut_fn = NULL;
    dev->cut_ctx = NULL;
}

void nor_cut_now(nor *dev) {
    if (dev->st.powered) nor_power_cut(dev, 0, 0, dev->st.op_count);
}

void nor_power_on(nor *dev) {
    dev->st.powered = true;
    dev->st.cut_by_ops = false;
    dev->st.cut_by_time = false;
    nor_emit(dev, NOR_EV_POWER_ON, 0, 0, NOR_OK, dev->st.op_count);
}

void nor_mix_seed(nor *dev, uint64_t salt) {
    nor_prng_seed(&dev->st.prng, nor_prng_next(&dev->st.prng) ^ salt);
}

bool nor_is_powered(const nor *dev) {
    return dev->st.powered;
}
bool nor_cut_armed(const nor *dev) {
    return dev->st.cut_by_ops || dev->st.cut_by_time;
}

uint64_t nor_op_count(const nor *dev) {
    return dev->st.op_count;
}

void nor_get_tear_watch(const nor *dev, nor_tear_watch *out) {
    (void)dev;
    *out = (nor_tear_watch){.active = false};
}
