/* The parts of the STM32 FLASH interfaces the boards share: see stm32_flash.h. */
#include "stm32_flash.h"

void stm32_flash_reset(stm32_flash *f, const stm32_flash_layout *layout) {
    *f = (stm32_flash){.layout = layout, .cr = layout->cr_reset};
}

bool stm32_flash_busy(emu *m, const stm32_flash *f) {
    return emu_now_ns(m) < f->busy_until_ns;
}

void stm32_flash_start_busy(emu *m, stm32_flash *f, uint64_t duration_ns) {
    uint64_t now = emu_now_ns(m);
    f->busy_until_ns = (f->busy_until_ns > now ? f->busy_until_ns : now) + duration_ns;
    if (f->cr & STM32_CR_EOPIE) f->sr |= STM32_SR_EOP; /* hidden while BSY is high */
}

void stm32_flash_flag(stm32_flash *f, uint32_t flag) {
    f->sr |= flag;
    if (f->cr & STM32_CR_ERRIE) f->sr |= STM32_SR_OPERR;
}

void stm32_flash_error(emu *m, stm32_flash *f, uint32_t flag) {
    stm32_flash_flag(f, flag);
    emu_flash_refused(m);
}

static void key_write(emu *m, stm32_flash *f, uint32_t value) {
    if (!(f->cr & STM32_CR_LOCK)) return; /* unlocked already: nothing to do */
    if (!f->key1_seen && value == STM32_FLASH_KEY1) {
        f->key1_seen = true;
        return;
    }
    if (f->key1_seen && value == STM32_FLASH_KEY2) {
        f->key1_seen = false;
        f->cr &= ~STM32_CR_LOCK;
        return;
    }
    emu_fault(m, f->layout->keyr,
              "bus error: FLASH_KEYR written 0x%08x where %s was due (a wrong unlock sequence; "
              "FLASH_CR stays locked until reset)",
              value, f->key1_seen ? "KEY2 0xcdef89ab" : "KEY1 0x45670123");
}

static uint32_t read_sr(emu *m, stm32_flash *f) {
    if (!stm32_flash_busy(m, f)) return f->sr;
    /* The poll loop would spin for the rest of the operation: skip to its end (or to the next
     * interrupt). */
    emu_wait_until(m, f->busy_until_ns);
    return (f->sr & ~STM32_SR_EOP) | STM32_SR_BSY;
}

static uint32_t read_cr(emu *m, const stm32_flash *f) {
    return f->cr | (stm32_flash_busy(m, f) ? STM32_CR_STRT : 0);
}

bool stm32_flash_read(emu *m, stm32_flash *f, uint32_t addr, uint32_t *value) {
    const stm32_flash_layout *l = f->layout;
    if (addr == l->sr)
        *value = read_sr(m, f);
    else if (addr == l->cr)
        *value = read_cr(m, f);
    else if (addr == l->keyr)
        *value = 0; /* write-only */
    else
        return false;
    return true;
}

bool stm32_flash_write(emu *m, stm32_flash *f, uint32_t addr, uint32_t value, bool *start) {
    const stm32_flash_layout *l = f->layout;
    *start = false;
    if (addr == l->keyr) {
        key_write(m, f, value);
    } else if (addr == l->sr) {
        f->sr &= ~(value & l->sr_clearable);
    } else if (addr == l->cr) {
        if (f->cr & STM32_CR_LOCK) {
            emu_flash_refused(m); /* a locked CR takes no write */
            return true;
        }
        f->cr = (value & l->cr_writable) | (value & STM32_CR_LOCK);
        *start = (value & STM32_CR_STRT) != 0;
    } else {
        return false;
    }
    return true;
}
