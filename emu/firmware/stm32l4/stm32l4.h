/* STM32L476 registers the board support and the board checks use (addresses and bits from the
 * reference manual RM0351): the FLASH interface (with ECCR), USART2, the RCC clock start-up and
 * enable bit. */
#ifndef FIRMWARE_STM32L4_H
#define FIRMWARE_STM32L4_H

#include <stdint.h>

#define STM32_REG(addr) (*(volatile uint32_t *)(addr))

#define FLASH_KEYR STM32_REG(0x40022008u)
#define FLASH_SR   STM32_REG(0x40022010u)
#define FLASH_CR   STM32_REG(0x40022014u)
#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu

#define FLASH_SR_EOP     (1u << 0)
#define FLASH_SR_OPERR   (1u << 1)
#define FLASH_SR_PROGERR (1u << 3)
#define FLASH_SR_WRPERR  (1u << 4)
#define FLASH_SR_PGAERR  (1u << 5)
#define FLASH_SR_SIZERR  (1u << 6)
#define FLASH_SR_PGSERR  (1u << 7)
#define FLASH_SR_BSY     (1u << 16)
#define FLASH_SR_ERRORS                                                                            \
    (FLASH_SR_OPERR | FLASH_SR_PROGERR | FLASH_SR_WRPERR | FLASH_SR_PGAERR | FLASH_SR_SIZERR |     \
     FLASH_SR_PGSERR | (1u << 8) | (1u << 9))

#define FLASH_ECCR      STM32_REG(0x40022018u)
#define FLASH_ECCR_ADDR 0x7FFFFu /* the double word's offset in its bank */
#define FLASH_ECCR_BK   (1u << 19)
#define FLASH_ECCR_ECCD (1u << 31)

#define FLASH_CR_PG     (1u << 0)
#define FLASH_CR_PER    (1u << 1)
#define FLASH_CR_PNB(n) ((uint32_t)(n) << 3)
#define FLASH_CR_BKER   (1u << 11)
#define FLASH_CR_STRT   (1u << 16)
#define FLASH_CR_LOCK   (1u << 31)

#define RCC_CR                STM32_REG(0x40021000u)
#define RCC_CFGR              STM32_REG(0x40021008u)
#define RCC_CR_HSEON          (1u << 16)
#define RCC_CR_HSERDY         (1u << 17)
#define RCC_CR_PLLON          (1u << 24)
#define RCC_CR_PLLRDY         (1u << 25)
#define RCC_CFGR_SW_PLL       3u
#define RCC_CFGR_SWS_PLL      (3u << 2)
#define RCC_APB1ENR1          STM32_REG(0x40021058u)
#define RCC_APB1ENR1_USART2EN (1u << 17)

#define USART2_CR1               STM32_REG(0x40004400u)
#define USART2_BRR               STM32_REG(0x4000440Cu)
#define USART2_ISR               STM32_REG(0x4000441Cu)
#define USART2_TDR               STM32_REG(0x40004428u)
#define USART_ISR_TXE            (1u << 7)
#define USART_CR1_UE             (1u << 0)
#define USART_CR1_TE             (1u << 3)
#define USART_BRR_115200_AT_4MHZ 35u /* 4 MHz / 115200, rounded */

#define FLASH_ORIGIN     0x08000000u
#define FLASH_PAGE_SIZE  2048u
#define FLASH_BANK_PAGES 256u

#endif
