/* nRF52840 registers the board support and the board checks use (addresses from the
 * product specification): the NVMC and UART0 (UART and UARTE modes). */
#ifndef FIRMWARE_NRF52840_H
#define FIRMWARE_NRF52840_H

#include <stdint.h>

#define NRF_REG(addr) (*(volatile uint32_t *)(addr))

#define NVMC_READY      NRF_REG(0x4001E400u)
#define NVMC_CONFIG     NRF_REG(0x4001E504u)
#define NVMC_ERASEPAGE  NRF_REG(0x4001E508u)
#define NVMC_CONFIG_REN 0u
#define NVMC_CONFIG_WEN 1u
#define NVMC_CONFIG_EEN 2u

#define UART0_TASKS_STARTTX NRF_REG(0x40002008u)
#define UART0_EVENTS_TXDRDY NRF_REG(0x4000211Cu)
#define UART0_ENABLE        NRF_REG(0x40002500u)
#define UART0_PSEL_TXD      NRF_REG(0x4000250Cu)
#define UART0_TXD           NRF_REG(0x4000251Cu)
#define UART0_BAUDRATE      NRF_REG(0x40002524u)
#define UART0_EVENTS_ENDTX  NRF_REG(0x40002120u)
#define UART0_TXD_PTR       NRF_REG(0x40002544u)
#define UART0_TXD_MAXCNT    NRF_REG(0x40002548u)
#define UART0_TXD_AMOUNT    NRF_REG(0x4000254Cu)
#define UART0_ENABLE_UART   4u
#define UART0_ENABLE_UARTE  8u
#define UART0_BAUD_115200   0x01D7E000u

#define FLASH_PAGE_SIZE 4096u

#endif
