/* What an app needs from a board: the flash range the storage engine owns, described for the
 * engine, its ECC errors, the core clock, and a way to print. Each board folder (nrf52840/)
 * implements it. */
#ifndef FIRMWARE_BOARD_H
#define FIRMWARE_BOARD_H

#include "nbs.h"

#include <stdint.h>

/* The engine's flash: the board's storage pages and its flash driver. */
void board_storage_flash(nbs_flash *flash);
/* Raw flash access for apps that keep their own records (the flawed example). */
int board_flash_program(uint32_t addr, const void *data, uint32_t len);
int board_flash_erase(uint32_t page_addr);

/* Uncorrectable ECC errors the part has reported so far (its NMI handler counts them: stm32l4/
 * ecc.c); 0 for ever on parts without ECC. */
uint32_t board_flash_ecc_errors(void);
/* The core clock after reset (the linker script's __cpu_hz), e.g. for SysTick's reload. */
uint32_t board_cpu_hz(void);

void board_print(const char *text);
void board_print_u32(uint32_t value);
void board_print_hex32(uint32_t value); /* eight lower-case digits */
/* "error: WHAT: <the engine's text for rc>" and a newline. */
void board_print_failure(const char *what, int rc);

#endif
