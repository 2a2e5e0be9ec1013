/* The update slots of the firmware update example: the board's flash as one nbs_part.h device
 * (the storage driver's callbacks, from address 0 over the whole flash), the partitions of
 * update_layout.h, and the state map on the "update" partition, which the linker script names
 * as the storage region (checked here, so that the script and the layout cannot drift apart). */
#include "update_slots.h"

#include "board.h"
#include "update_layout.h"

static const nbs_sector_run runs[] = {{UPDATE_FLASH_SIZE / UPDATE_SECTOR_SIZE, UPDATE_SECTOR_SIZE}};
static const nbs_partition partitions[UPDATE_PARTITION_COUNT] = UPDATE_PARTITIONS;
static nbs_device device;
static nbs_part_table table;
static nbs_map state;
static uint8_t work[512];
static uint8_t copy_buffer[1024];

int update_slots_open(nbs_update_slots *slots) {
    nbs_config cfg = {.work = work, .work_size = sizeof work};
    board_storage_flash(&cfg.flash);
    if (cfg.flash.start != UPDATE_STATE_START || cfg.flash.size != UPDATE_STATE_SIZE)
        return NBS_E_GEOMETRY;
    device = (nbs_device){cfg.flash, runs, 1};
    device.flash.start = 0;
    device.flash.size = UPDATE_FLASH_SIZE;
    table = (nbs_part_table){&device, partitions, UPDATE_PARTITION_COUNT};
    int rc = nbs_part_check(&table, NULL);
    if (!rc) rc = nbs_map_mount(&state, &cfg);
    *slots = UPDATE_SLOTS(&table, &state, copy_buffer, sizeof copy_buffer);
    return rc ? rc : nbs_update_slots_check(slots);
}
