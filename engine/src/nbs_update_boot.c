/* The update layer's boot and confirm: what a bootloader does at reset (finish a recorded swap,
 * install a pending image after checking it, revert an unconfirmed test image) and the running
 * image's confirm. The swap exchanges the slots sector by sector through the scratch sector in
 * three copies, each recorded in the state map after it is made, so that a boot cut at any flash
 * operation resumes at the copy it was in. engine/SPEC.md sections 11.4 and 11.5. */
#include "nbs_update_internal.h"

#include <string.h>

static bool all_erased(const uint8_t *p, uint32_t n, uint8_t erase_value) {
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != erase_value) return false;
    return true;
}

/* Erases the destination's block at `to_off` and copies B bytes into it; chunks that read
 * erased are left to the erase (no program). */
static int copy_block(const nbs_update_slots *slots, const nbs_slot_set *set, nbs_raw *from,
                      uint32_t from_off, nbs_raw *to, uint32_t to_off) {
    uint32_t to_block = to->flash.page_size;
    int rc = nbs_raw_erase(to, to_off / to_block, to_off / to_block + 1);
    for (uint32_t done = 0, got = 0; !rc && done < set->block; done += got) {
        uint32_t n =
            set->block - done < slots->buffer_size ? set->block - done : slots->buffer_size;
        rc = nbs_raw_read(from, from_off + done, slots->buffer, n, &got);
        if (!rc && !all_erased(slots->buffer, got, to->flash.erase_value))
            rc = nbs_raw_write(to, to_off + done, slots->buffer, got);
    }
    return rc;
}

/* Step `step` of sector `i` (SPEC 11.4): 0 primary -> scratch, 1 secondary -> primary,
 * 2 scratch -> secondary. */
static int swap_step(const nbs_update_slots *slots, nbs_slot_set *set, uint32_t i, uint8_t step) {
    uint32_t off = i * set->block;
    if (step == 0) return copy_block(slots, set, &set->primary, off, &set->scratch, 0);
    if (step == 1) return copy_block(slots, set, &set->secondary, off, &set->primary, off);
    return copy_block(slots, set, &set->scratch, 0, &set->secondary, off);
}

/* Runs the swap recorded in *st from its sector and step to the end, recording each step once
 * it is made; the last record is `final`. */
static int swap_run(const nbs_update_slots *slots, nbs_slot_set *set, nbs_update_status *st,
                    nbs_update_state final) {
    for (;;) {
        uint32_t sector = st->sector;
        uint8_t step = st->step;
        nbs_update_status next = *st;
        if (step < 2) {
            next.step++;
        } else if (sector + 1 < st->sectors) {
            next.sector++;
            next.step = 0;
        } else {
            next = (nbs_update_status){final, final == NBS_UPDATE_TEST ? st->sectors : 0, 0, 0};
        }
        int rc;
        if (NBS_TEST_BREAK == NBS_TEST_BREAK_UPDATE_RECORD_FIRST) {
            rc = nbs_update_state_write(slots, &next);
            if (!rc) rc = swap_step(slots, set, sector, step);
        } else {
            rc = swap_step(slots, set, sector, step);
            if (!rc) rc = nbs_update_state_write(slots, &next);
        }
        if (rc) return rc;
        *st = next;
        if (st->state == final) return NBS_OK;
    }
}

/* Sectors the install exchanges: those the larger of the two images covers (a primary with no
 * valid header counts as empty). */
static uint32_t sectors_to_swap(const nbs_slot_set *set, const nbs_image_header *incoming,
                                nbs_raw *primary) {
    nbs_image_header running;
    uint32_t bytes = incoming->size;
    if (nbs_slot_header_read(primary, &running) == NBS_OK && running.size > bytes)
        bytes = running.size;
    bytes += NBS_IMAGE_HEADER_BYTES;
    return (bytes + set->block - 1) / set->block;
}

/* The running image, as the boot reports it. */
static int describe_primary(const nbs_update_slots *slots, nbs_slot_set *set, nbs_boot_info *info) {
    nbs_image_header h;
    int rc = nbs_slot_header_read(&set->primary, &h);
    if (!rc) rc = nbs_slot_body_check(slots, &set->primary, &h);
    info->has_image = rc == NBS_OK;
    if (rc == NBS_OK) info->version = h.version;
    return rc == NBS_E_UPDATE_IMAGE ? NBS_OK : rc;
}

int nbs_update_boot(const nbs_update_slots *slots, nbs_boot_info *info) {
    if (!info) return NBS_E_INVAL;
    memset(info, 0, sizeof *info);
    nbs_slot_set set;
    int rc = nbs_slots_open(slots, true, &set);
    nbs_update_status st;
    if (!rc) rc = nbs_update_state_read(slots, &st);
    if (rc) return rc;
    if (st.sectors > set.slot_size / set.block) return NBS_E_CORRUPT;
    if (st.state == NBS_UPDATE_PENDING) {
        nbs_image_header incoming;
        rc = nbs_slot_header_read(&set.secondary, &incoming);
        if (!rc) rc = nbs_slot_body_check(slots, &set.secondary, &incoming);
        if (rc == NBS_E_UPDATE_IMAGE) {
            info->action = NBS_BOOT_REJECTED;
            st = (nbs_update_status){NBS_UPDATE_IDLE, 0, 0, 0};
        } else if (rc == NBS_OK) {
            st = (nbs_update_status){NBS_UPDATE_INSTALL,
                                     sectors_to_swap(&set, &incoming, &set.primary), 0, 0};
        } else {
            return rc;
        }
        rc = nbs_update_state_write(slots, &st);
    } else if (st.state == NBS_UPDATE_TEST) { /* it ran unconfirmed: the old image comes back */
        st = (nbs_update_status){NBS_UPDATE_REVERT, st.sectors, 0, 0};
        rc = nbs_update_state_write(slots, &st);
    }
    if (rc) return rc;
    if (st.state == NBS_UPDATE_INSTALL) {
        info->action = NBS_BOOT_INSTALLED;
        rc = swap_run(slots, &set, &st, NBS_UPDATE_TEST);
    } else if (st.state == NBS_UPDATE_REVERT) {
        info->action = NBS_BOOT_REVERTED;
        rc = swap_run(slots, &set, &st, NBS_UPDATE_IDLE);
    }
    if (rc) return rc;
    info->test = st.state == NBS_UPDATE_TEST;
    return describe_primary(slots, &set, info);
}

int nbs_update_confirm(const nbs_update_slots *slots) {
    if (!slots || !slots->state) return NBS_E_INVAL;
    nbs_update_status st;
    int rc = nbs_update_state_read(slots, &st);
    if (rc) return rc;
    if (st.state == NBS_UPDATE_IDLE) return NBS_OK;
    if (st.state != NBS_UPDATE_TEST) return NBS_E_UPDATE_STATE;
    return nbs_update_state_write(slots, &(nbs_update_status){NBS_UPDATE_IDLE, 0, 0, 0});
}
