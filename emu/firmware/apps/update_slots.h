/* The update slots of the firmware update example (the bootloader and the images it boots):
 * the partition table of the board's update_layout.h over the board's flash, and the state map
 * mounted on its "update" partition. */
#ifndef FIRMWARE_UPDATE_SLOTS_H
#define FIRMWARE_UPDATE_SLOTS_H

#include "nbs_update.h"

/* Fills *slots (its table, map and copy buffer are static: one set per firmware) and mounts the
 * state map. NBS_E_GEOMETRY when the linker script's storage is not the layout's state
 * partition; otherwise what nbs_part_check, nbs_map_mount or nbs_update_slots_check answer. */
int update_slots_open(nbs_update_slots *slots);

#endif
