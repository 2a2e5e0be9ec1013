/* Board check: the STM32F4 FLASH interface's rules, step by step, printing CR or SR and the
 * word at the start of the storage after each: CR locked at reset and deaf to writes while
 * locked; a store while locked (PGSERR); the unlock; a byte store with PSIZE x32 (PGPERR); a
 * word store across a 128-bit row (PGAERR); two word programs (the second ANDs); a byte
 * program with PSIZE x8; STRT with neither SER nor MER (PGSERR); a sector erase; the lock. */
#include "board.h"
#include "stm32f4.h"

extern uint8_t __storage_start[];

static void show(const char *label, uint32_t value) {
    board_print(label);
    board_print_hex32(value);
    board_print("\n");
}

/* Prints SR (after waiting for BSY to fall) and clears its flags. */
static void show_sr(const char *label) {
    while (FLASH_SR & FLASH_SR_BSY) {
    }
    uint32_t sr = FLASH_SR;
    show(label, sr);
    FLASH_SR = sr;
}

int main(void) {
    uint32_t addr = (uint32_t)__storage_start;
    volatile uint32_t *word = (volatile uint32_t *)addr;
    show("CR at reset: ", FLASH_CR);
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_PG;
    show("CR after a write while locked: ", FLASH_CR);
    *word = 0;
    show_sr("SR after a store while locked: ");
    FLASH_KEYR = FLASH_KEY1;
    FLASH_KEYR = FLASH_KEY2;
    show("CR after KEY1, KEY2: ", FLASH_CR);
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_PG;
    *(volatile uint8_t *)addr = 0;
    show_sr("SR after a byte store with PSIZE x32: ");
    *(volatile uint32_t *)(addr + 14) = 0;
    show_sr("SR after a word store across a row: ");
    show("word untouched: ", *word);
    *word = 0x0F0F0F0Fu;
    show_sr("SR after a word program: ");
    *word = 0xFFFF00FFu;
    show_sr("SR after a second program: ");
    show("word after two programs: ", *word);
    FLASH_CR = FLASH_CR_PSIZE_X8 | FLASH_CR_PG;
    *(volatile uint8_t *)(addr + 3) = 0x00;
    show_sr("SR after a byte program with PSIZE x8: ");
    show("word after the byte: ", *word);
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_STRT;
    show_sr("SR after STRT without SER: ");
    int snb = stm32f4_sector_at(addr);
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_SER | FLASH_CR_SNB(snb);
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_SER | FLASH_CR_SNB(snb) | FLASH_CR_STRT;
    show("CR while erasing: ", FLASH_CR);
    show_sr("SR after the erase: ");
    show("word after the erase: ", *word);
    FLASH_CR = FLASH_CR_LOCK;
    show("CR after LOCK: ", FLASH_CR);
    return 0;
}
