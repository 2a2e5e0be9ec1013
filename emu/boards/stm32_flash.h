/* What the STM32 FLASH interfaces of the boards share (RM0090 for the F4, RM0351 for the L4):
 * the KEYR unlock sequence (a wrong key is a bus error, CR locked until reset), LOCK, BSY for
 * an operation's time on the simulated clock (a poll of SR while it is high is fast-forwarded),
 * EOP with EOPIE, error flags with OPERR when ERRIE is set, flags cleared by writing 1. Each
 * board's file models the rest of its CR and SR and what a store into flash does. */
#ifndef NORBENCH_EMU_STM32_FLASH_H
#define NORBENCH_EMU_STM32_FLASH_H

#include "emu_board.h"

enum {
    STM32_FLASH_KEY1 = 0x45670123u,
    STM32_FLASH_KEY2 = 0xCDEF89ABu,
    STM32_SR_EOP = 1u << 0,
    STM32_SR_OPERR = 1u << 1,
    STM32_SR_BSY = 1u << 16,
    STM32_CR_PG = 1u << 0,
    STM32_CR_STRT = 1u << 16,
    STM32_CR_EOPIE = 1u << 24,
    STM32_CR_ERRIE = 1u << 25,
    STM32_CR_LOCK = 1u << 31,
};

typedef struct stm32_flash {
    uint32_t cr, sr;
    uint32_t keyr_addr;     /* for the crash report */
    bool key1_seen;         /* KEY1 written, KEY2 expected next */
    uint64_t busy_until_ns; /* BSY is high until then */
} stm32_flash;

/* Power-on: CR locked, SR clear. */
void stm32_flash_reset(stm32_flash *f, uint32_t keyr_addr);
bool stm32_flash_busy(emu *m, const stm32_flash *f);
/* An operation of `duration_ns` starts when the one running ends (the caller has stalled the
 * CPU until then if the part does). */
void stm32_flash_start_busy(emu *m, stm32_flash *f, uint64_t duration_ns);
/* Error flag `flag`, and OPERR with it when ERRIE is set. */
void stm32_flash_flag(stm32_flash *f, uint32_t flag);
/* A request the interface refuses with error flag `flag` (counted as ignored). */
void stm32_flash_error(emu *m, stm32_flash *f, uint32_t flag);
void stm32_flash_key(emu *m, stm32_flash *f, uint32_t value);
/* SR as read (BSY while busy, EOP hidden until then; the poll skips to the end); CR as read
 * (STRT while busy). */
uint32_t stm32_flash_read_sr(emu *m, stm32_flash *f);
uint32_t stm32_flash_read_cr(emu *m, const stm32_flash *f);
/* SR: the flags in `clearable` written 1 are cleared. */
void stm32_flash_write_sr(stm32_flash *f, uint32_t value, uint32_t clearable);
/* CR: false (counted as ignored) while locked; else CR takes `writable` bits of value and
 * LOCK when written 1. */
bool stm32_flash_write_cr(emu *m, stm32_flash *f, uint32_t value, uint32_t writable);

#endif
