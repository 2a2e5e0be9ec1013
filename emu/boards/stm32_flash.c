/* The parts of the STM32 FLASH interfaces the boards share: see stm32_flash.h. */
#include "stm32_flash.h"

void stm32_flash_reset(stm32_flash *f, uint32_t keyr_addr) {
    *f = (stm32_flash){.cr = STM32_CR_LOCK, .keyr_addr = keyr_addr};
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

void stm32_flash_key(emu *m, stm32_flash *f, uint32_t value) {
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
    emu_fault(m, f->keyr_addr,
              "bus error: FLASH_KEYR written 0x%08x where %s was due (a wrong unlock sequence; "
              "FLASH_CR stays locked until reset)",
              value, f->key1_seen ? "KEY2 0xcdef89ab" : "KEY1 0x45670123");
}

uint32_t stm32_flash_read_sr(emu *m, stm32_flash *f) {
    if (!stm32_flash_busy(m, f)) return f->sr;
    /* The poll loop would spin for the rest of the operation: skip to its end. */
    emu_stall_until(m, f->busy_until_ns);
    return (f->sr & ~STM32_SR_EOP) | STM32_SR_BSY;
}

uint32_t stm32_flash_read_cr(emu *m, const stm32_flash *f) {
    return f->cr | (stm32_flash_busy(m, f) ? STM32_CR_STRT : 0);
}

void stm32_flash_write_sr(stm32_flash *f, uint32_t value, uint32_t clearable) {
    f->sr &= ~(value & clearable);
}

bool stm32_flash_write_cr(emu *m, stm32_flash *f, uint32_t value, uint32_t writable) {
    if (f->cr & STM32_CR_LOCK) {
        emu_flash_refused(m);
        return false;
    }
    f->cr = (value & writable) | (value & STM32_CR_LOCK);
    return true;
}
