/* Private helpers shared by the update layer's files (nbs_update.c: the writer; nbs_update_boot.c:
 * boot, swap and confirm): the slots opened for raw access, the state record in the map, and the
 * check of an image in a slot. */
#ifndef NBS_UPDATE_INTERNAL_H
#define NBS_UPDATE_INTERNAL_H

#include "nbs_internal.h"
#include "nbs_update.h"

/* The three partitions, opened r+ (or r), and the sector size B of the slots. */
typedef struct nbs_slot_set {
    nbs_raw primary, secondary, scratch;
    uint32_t block; /* B */
    uint32_t slot_size;
} nbs_slot_set;
int nbs_slots_open(const nbs_update_slots *slots, bool writable, nbs_slot_set *set);

/* The state record (SPEC 11.3): read (a map without the key: IDLE) and stored (one map STORE). */
int nbs_update_state_read(const nbs_update_slots *slots, nbs_update_status *status);
int nbs_update_state_write(const nbs_update_slots *slots, const nbs_update_status *status);

/* The header of the image at the start of `slot` (NBS_E_UPDATE_IMAGE: it does not decode, or its
 * body would not fit the slot); then whether the body's CRC-32C, read through slots->buffer, is
 * the header's (NBS_E_UPDATE_IMAGE if not). */
int nbs_slot_header_read(nbs_raw *slot, nbs_image_header *header);
int nbs_slot_body_check(const nbs_update_slots *slots, nbs_raw *slot,
                        const nbs_image_header *header);

#endif
