/* Board check: write protection through the option bytes. It prints OPTCR as this boot found
 * it, protects the storage's sector (OPTKEYR, nWRP, OPTSTRT), tries a program, a sector erase
 * and a mass erase there (WRPERR each, nothing changed), clears WRPERR by writing 1, lifts the
 * protection, programs the word, and protects the sector again for the next boot to find. */
#include "board.h"
#include "stm32f4.h"

extern uint8_t __storage_start[];

static void show(const char *label, uint32_t value) {
    board_print(label);
    board_print_hex32(value);
    board_print("\n");
}

static void wait_while_busy(void) {
    while (FLASH_SR & FLASH_SR_BSY) {
    }
}

/* Writes nWRP with sector `snb`'s bit as `protect` asks and applies it with OPTSTRT. */
static void set_protection(int snb, int protect) {
    uint32_t optcr = FLASH_OPTCR & ~FLASH_OPTCR_OPTLOCK;
    optcr = protect ? optcr & ~FLASH_OPTCR_NWRP(snb) : optcr | FLASH_OPTCR_NWRP(snb);
    FLASH_OPTCR = optcr;
    FLASH_OPTCR = optcr | FLASH_OPTCR_OPTSTRT;
    show("OPTCR while applying: ", FLASH_OPTCR);
    wait_while_busy();
    show("OPTCR applied: ", FLASH_OPTCR);
}

/* Shows SR, then writes 1 to its WRPERR and shows it again. */
static void show_and_clear_wrperr(const char *label) {
    wait_while_busy();
    show(label, FLASH_SR);
    FLASH_SR = FLASH_SR_WRPERR;
}

int main(void) {
    uint32_t addr = (uint32_t)__storage_start;
    volatile uint32_t *word = (volatile uint32_t *)addr;
    int snb = stm32f4_sector_at(addr);
    show("OPTCR at reset: ", FLASH_OPTCR);
    FLASH_KEYR = FLASH_KEY1;
    FLASH_KEYR = FLASH_KEY2;
    FLASH_OPTKEYR = FLASH_OPTKEY1;
    FLASH_OPTKEYR = FLASH_OPTKEY2;
    show("OPTCR after OPTKEY1, OPTKEY2: ", FLASH_OPTCR);
    set_protection(snb, 1);
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_PG;
    *word = 0x0000FFFFu;
    show_and_clear_wrperr("SR after a program of the protected sector: ");
    show("word untouched: ", *word);
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_SER | FLASH_CR_SNB(snb) | FLASH_CR_STRT;
    show_and_clear_wrperr("SR after its erase: ");
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_MER | FLASH_CR_STRT;
    show_and_clear_wrperr("SR after a mass erase: ");
    show("SR after writing 1 to WRPERR: ", FLASH_SR);
    set_protection(snb, 0);
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_PG;
    *word = 0x0000FFFFu;
    wait_while_busy();
    show("SR after a program unprotected: ", FLASH_SR);
    show("word programmed: ", *word);
    set_protection(snb, 1);
    FLASH_OPTCR = FLASH_OPTCR | FLASH_OPTCR_OPTLOCK;
    FLASH_CR = FLASH_CR_LOCK;
    show("OPTCR locked: ", FLASH_OPTCR);
    return 0;
}
