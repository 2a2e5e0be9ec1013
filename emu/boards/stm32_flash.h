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

/* Where a part has its registers, and which bits of SR and CR software may clear or set. */
typedef struct stm32_flash_layout {
    uint32_t keyr, sr, cr;
    uint32_t sr_clearable, cr_writable;
    uint32_t cr_reset;
} stm32_flash_layout;

typedef struct stm32_flash {
    const stm32_flash_layout *layout;
    uint32_t cr, sr;
    bool key1_seen;         /* KEY1 written, KEY2 expected next */
    uint64_t busy_until_ns; /* BSY is high until then */
} stm32_flash;

/* Power-on: CR at its reset value (locked), SR clear. */
void stm32_flash_reset(stm32_flash *f, const stm32_flash_layout *layout);
bool stm32_flash_busy(emu *m, const stm32_flash *f);
/* An operation of `duration_ns` starts when the one running ends (the caller has stalled the
 * CPU until then if the part does). */
void stm32_flash_start_busy(emu *m, stm32_flash *f, uint64_t duration_ns);
/* Error flag `flag`, and OPERR with it when ERRIE is set. */
void stm32_flash_flag(stm32_flash *f, uint32_t flag);
/* A request the interface refuses with error flag `flag` (counted as ignored). */
void stm32_flash_error(emu *m, stm32_flash *f, uint32_t flag);
/* KEYR, SR and CR as the CPU reads and writes them; false for other addresses. A CR write
 * with STRT while unlocked sets *start: the board starts its erase. */
bool stm32_flash_read(emu *m, stm32_flash *f, uint32_t addr, uint32_t *value);
bool stm32_flash_write(emu *m, stm32_flash *f, uint32_t addr, uint32_t value, bool *start);

#endif
