/* STM32F405/407 registers the board support and the board checks use (addresses and bits
 * from the reference manual RM0090): the FLASH interface, USART2, the RCC clock start-up and enable
 * bit. */
#ifndef FIRMWARE_STM32F4_H
#define FIRMWARE_STM32F4_H

#include <stdint.h>

#define STM32_REG(addr) (*(volatile uint32_t *)(addr))

#define FLASH_KEYR    STM32_REG(0x40023C04u)
#define FLASH_SR      STM32_REG(0x40023C0Cu)
#define FLASH_CR      STM32_REG(0x40023C10u)
#define FLASH_OPTKEYR STM32_REG(0x40023C08u)
#define FLASH_OPTCR   STM32_REG(0x40023C14u)
#define FLASH_KEY1    0x45670123u
#define FLASH_KEY2    0xCDEF89ABu

#define FLASH_SR_EOP    (1u << 0)
#define FLASH_SR_WRPERR (1u << 4)
#define FLASH_SR_PGAERR (1u << 5)
#define FLASH_SR_PGPERR (1u << 6)
#define FLASH_SR_PGSERR (1u << 7)
#define FLASH_SR_BSY    (1u << 16)
#define FLASH_SR_ERRORS (FLASH_SR_WRPERR | FLASH_SR_PGAERR | FLASH_SR_PGPERR | FLASH_SR_PGSERR)

#define FLASH_CR_PG        (1u << 0)
#define FLASH_CR_SER       (1u << 1)
#define FLASH_CR_SNB(n)    ((uint32_t)(n) << 3)
#define FLASH_CR_PSIZE_X8  (0u << 8)
#define FLASH_CR_PSIZE_X16 (1u << 8)
#define FLASH_CR_PSIZE_X32 (2u << 8)
#define FLASH_CR_STRT      (1u << 16)
#define FLASH_CR_MER       (1u << 2)
#define FLASH_CR_LOCK      (1u << 31)

#define FLASH_OPTKEY1       0x08192A3Bu
#define FLASH_OPTKEY2       0x4C5D6E7Fu
#define FLASH_OPTCR_OPTLOCK (1u << 0)
#define FLASH_OPTCR_OPTSTRT (1u << 1)
#define FLASH_OPTCR_NWRP(n) (1u << (16 + (n))) /* 0: sector n write-protected */

#define RCC_CR               STM32_REG(0x40023800u)
#define RCC_CFGR             STM32_REG(0x40023808u)
#define RCC_CR_HSEON         (1u << 16)
#define RCC_CR_HSERDY        (1u << 17)
#define RCC_CR_PLLON         (1u << 24)
#define RCC_CR_PLLRDY        (1u << 25)
#define RCC_CFGR_SW_PLL      2u
#define RCC_CFGR_SWS_PLL     (2u << 2)
#define RCC_APB1ENR          STM32_REG(0x40023840u)
#define RCC_APB1ENR_USART2EN (1u << 17)

#define USART2_SR                 STM32_REG(0x40004400u)
#define USART2_DR                 STM32_REG(0x40004404u)
#define USART2_BRR                STM32_REG(0x40004408u)
#define USART2_CR1                STM32_REG(0x4000440Cu)
#define USART_SR_TXE              (1u << 7)
#define USART_CR1_TE              (1u << 3)
#define USART_CR1_UE              (1u << 13)
#define USART_BRR_115200_AT_16MHZ 0x8Bu /* 16 MHz / (16 x 8.6875) */

#define FLASH_ORIGIN 0x08000000u

/* The sector number (SNB) of the sector starting at addr, or -1 when no sector starts there:
 * sectors 0-3 are 16 KiB, 4 is 64 KiB, 5-11 are 128 KiB. */
int stm32f4_sector_at(uint32_t addr);

#endif
