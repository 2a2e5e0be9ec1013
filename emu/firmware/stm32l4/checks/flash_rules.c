/* Board check: the STM32L4 FLASH interface's rules, printing SR and the double word at the
 * start of the storage after each step: a double word programmed by two word stores; a second
 * program of it (PROGERR: the write-once rule), refused; a program with PROGERR still set
 * (PGSERR); an all-zero overwrite (allowed); a halfword store (SIZERR); a first word off the
 * double-word boundary (PGAERR); a page erase; the lock. */
#include "board.h"
#include "stm32l4.h"

extern uint8_t __storage_start[];

static volatile uint32_t *word;

static void show_sr(const char *label) {
    while (FLASH_SR & FLASH_SR_BSY) {
    }
    uint32_t sr = FLASH_SR;
    board_print(label);
    board_print_hex32(sr);
    board_print(", double word ");
    board_print_hex32(word[1]);
    board_print_hex32(word[0]);
    board_print("\n");
}

static void clear_sr(void) {
    FLASH_SR = FLASH_SR;
}

static void program(uint32_t low, uint32_t high) {
    word[0] = low;
    word[1] = high;
}

int main(void) {
    word = (volatile uint32_t *)__storage_start;
    uint32_t page = ((uint32_t)__storage_start - FLASH_ORIGIN) / FLASH_PAGE_SIZE;
    board_flash_erase((uint32_t)__storage_start);
    FLASH_KEYR = FLASH_KEY1;
    FLASH_KEYR = FLASH_KEY2;
    FLASH_CR = FLASH_CR_PG;
    program(0x33221100u, 0x77665544u);
    show_sr("first program: SR ");
    program(0x03020100u, 0x07060504u);
    show_sr("second program: SR ");
    program(0, 0);
    show_sr("zeros with PROGERR set: SR ");
    clear_sr();
    program(0, 0);
    show_sr("zeros: SR ");
    *(volatile uint16_t *)(word + 2) = 0;
    show_sr("halfword store: SR ");
    clear_sr();
    word[3] = 0;
    show_sr("first word off the boundary: SR ");
    clear_sr();
    uint32_t select = FLASH_CR_PER | FLASH_CR_PNB(page % FLASH_BANK_PAGES) |
                      (page >= FLASH_BANK_PAGES ? FLASH_CR_BKER : 0);
    FLASH_CR = select;
    FLASH_CR = select | FLASH_CR_STRT;
    show_sr("page erase: SR ");
    FLASH_CR = FLASH_CR_LOCK;
    program(0, 0);
    show_sr("locked: SR ");
    return 0;
}
