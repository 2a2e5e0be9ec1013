/* The firmware update example's flash layout on the nRF52840 (1 MiB, 256 pages of 4 KiB): the
 * bootloader, the primary slot (the image that runs), the secondary slot (the image received),
 * the scratch sector of a swap and the update's state map, as partitions of nbs_part.h over the
 * whole flash (device addresses are the CPU's: the flash starts at 0). Included by the
 * bootloader and the apps (apps/update_slots.c) and by the host tool that builds their flash
 * image (tests/emu/update_flash_image.c): one layout for both sides. The linker scripts
 * nrf52840/bootloader.ld and nrf52840/update_app.ld repeat its addresses (a linker script reads
 * no C header); the firmware checks they agree at run time. */
#ifndef FIRMWARE_NRF52840_UPDATE_LAYOUT_H
#define FIRMWARE_NRF52840_UPDATE_LAYOUT_H

#define UPDATE_FLASH_SIZE  0x100000u
#define UPDATE_SECTOR_SIZE 0x1000u

#define UPDATE_BOOTLOADER_START 0x00000u
#define UPDATE_BOOTLOADER_SIZE  0x10000u
#define UPDATE_PRIMARY_START    0x10000u
#define UPDATE_SECONDARY_START  0x20000u
#define UPDATE_SLOT_SIZE        0x10000u
#define UPDATE_SCRATCH_START    0x30000u
#define UPDATE_SCRATCH_SIZE     0x1000u
#define UPDATE_STATE_START      0x31000u
#define UPDATE_STATE_SIZE       0x2000u /* two pages: the state map */

/* An image's vector table sits this far into its slot: after the 32-byte header (SPEC 11.2),
 * padded to the table's alignment (VTOR takes multiples of 128 bytes; a table of the
 * nRF52840's 64 vectors needs 256). */
#define UPDATE_VECTORS_OFFSET 0x100u

/* The RAM an image's initial stack pointer may name (the bootloader checks it before jumping). */
#define UPDATE_RAM_START 0x20000000u
#define UPDATE_RAM_END   0x20040000u

/* The partition table (nbs_partition initializers: name, start, size, read-only). */
/* clang-format off */
#define UPDATE_PARTITIONS {                                                     \
    {"bootloader", UPDATE_BOOTLOADER_START, UPDATE_BOOTLOADER_SIZE, true},      \
    {"primary", UPDATE_PRIMARY_START, UPDATE_SLOT_SIZE, false},                 \
    {"secondary", UPDATE_SECONDARY_START, UPDATE_SLOT_SIZE, false},             \
    {"scratch", UPDATE_SCRATCH_START, UPDATE_SCRATCH_SIZE, false},              \
    {"update", UPDATE_STATE_START, UPDATE_STATE_SIZE, false},                   \
}
/* clang-format on */
#define UPDATE_PARTITION_COUNT 5u

/* nbs_update.h's slots over a table of these partitions: the state map, the copy buffer. */
#define UPDATE_SLOTS(table_, state_, buffer_, buffer_size_)                                        \
    ((nbs_update_slots){.table = (table_),                                                         \
                        .primary = "primary",                                                      \
                        .secondary = "secondary",                                                  \
                        .scratch = "scratch",                                                      \
                        .state = (state_),                                                         \
                        .buffer = (buffer_),                                                       \
                        .buffer_size = (buffer_size_)})

#endif
