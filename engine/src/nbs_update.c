/* The update layer's writer (ECMA-419 embedded:update) and what the boot shares with it: the
 * image header's bytes, the slots' geometry, the state record kept as one map key, the check of
 * an image in a slot, and open / write / complete / close of an image into the secondary slot.
 * engine/SPEC.md section 11. */
#include "nbs_update_internal.h"

#include <string.h>

/* ---- the image header (SPEC 11.2) ---- */

enum { HEADER_CRC_AT = NBS_IMAGE_HEADER_BYTES - 4 };

void nbs_image_header_encode(const nbs_image_header *h, uint8_t out[NBS_IMAGE_HEADER_BYTES]) {
    memset(out, 0, NBS_IMAGE_HEADER_BYTES);
    nbs_put_le(out, NBS_IMAGE_MAGIC, 4);
    nbs_put_le(out + 4, NBS_IMAGE_HEADER_BYTES, 2);
    nbs_put_le(out + 8, h->size, 4);
    out[12] = h->version.major;
    out[13] = h->version.minor;
    nbs_put_le(out + 14, h->version.revision, 2);
    nbs_put_le(out + 16, h->version.build, 4);
    nbs_put_le(out + 20, h->crc, 4);
    nbs_put_le(out + HEADER_CRC_AT, nbs_crc32c(0, out, HEADER_CRC_AT), 4);
}

int nbs_image_header_decode(const uint8_t in[NBS_IMAGE_HEADER_BYTES], nbs_image_header *h) {
    if (nbs_get_le(in, 4) != NBS_IMAGE_MAGIC || nbs_get_le(in + 4, 2) != NBS_IMAGE_HEADER_BYTES ||
        nbs_get_le(in + HEADER_CRC_AT, 4) != nbs_crc32c(0, in, HEADER_CRC_AT))
        return NBS_E_UPDATE_IMAGE;
    h->size = nbs_get_le(in + 8, 4);
    h->version.major = in[12];
    h->version.minor = in[13];
    h->version.revision = (uint16_t)nbs_get_le(in + 14, 2);
    h->version.build = nbs_get_le(in + 16, 4);
    h->crc = nbs_get_le(in + 20, 4);
    return NBS_OK;
}

uint32_t nbs_image_crc(uint32_t crc, const void *data, size_t len) {
    return nbs_crc32c(crc, data, len);
}

/* ---- the slots ---- */

int nbs_slots_open(const nbs_update_slots *slots, bool writable, nbs_slot_set *set) {
    if (!slots || !slots->table || !slots->primary || !slots->secondary || !slots->scratch ||
        !slots->state || !slots->buffer || !set)
        return NBS_E_INVAL;
    int rc = nbs_raw_open(&set->primary, slots->table, slots->primary, writable);
    if (!rc) rc = nbs_raw_open(&set->secondary, slots->table, slots->secondary, writable);
    if (!rc) rc = nbs_raw_open(&set->scratch, slots->table, slots->scratch, writable);
    if (rc) return rc;
    nbs_raw_status p, s, x;
    nbs_raw_status_get(&set->primary, &p);
    nbs_raw_status_get(&set->secondary, &s);
    nbs_raw_status_get(&set->scratch, &x);
    if (slots->buffer_size < NBS_UPDATE_BUFFER_MIN || slots->buffer_size % p.write_align)
        return NBS_E_INVAL;
    if (p.size != s.size || p.block_length != s.block_length || x.block_length < p.block_length ||
        p.size < 2 * NBS_IMAGE_HEADER_BYTES)
        return NBS_E_GEOMETRY;
    set->block = p.block_length;
    set->slot_size = p.size;
    return NBS_OK;
}

int nbs_update_slots_check(const nbs_update_slots *slots) {
    nbs_slot_set set;
    return nbs_slots_open(slots, false, &set);
}

/* ---- the state record (SPEC 11.3) ---- */

static const char state_key[] = "nbs.update";
enum { STATE_KEY_LEN = sizeof state_key - 1, STATE_BYTES = 12 };

int nbs_update_state_read(const nbs_update_slots *slots, nbs_update_status *st) {
    uint8_t v[STATE_BYTES];
    size_t len = 0;
    *st = (nbs_update_status){NBS_UPDATE_IDLE, 0, 0, 0};
    int rc = nbs_map_fetch(slots->state, state_key, STATE_KEY_LEN, v, sizeof v, &len);
    if (rc == NBS_E_NOT_FOUND) return NBS_OK;
    if (rc == NBS_E_BUFFER_TOO_SMALL) return NBS_E_CORRUPT;
    if (rc) return rc;
    if (len != STATE_BYTES || v[0] > NBS_UPDATE_REVERT || v[1] > 2 || v[2] || v[3])
        return NBS_E_CORRUPT;
    st->state = (nbs_update_state)v[0];
    st->step = v[1];
    st->sectors = nbs_get_le(v + 4, 4);
    st->sector = nbs_get_le(v + 8, 4);
    bool swapping = st->state == NBS_UPDATE_INSTALL || st->state == NBS_UPDATE_REVERT;
    if ((swapping && st->sector >= st->sectors) || (st->state == NBS_UPDATE_TEST && !st->sectors))
        return NBS_E_CORRUPT;
    return NBS_OK;
}

int nbs_update_state_write(const nbs_update_slots *slots, const nbs_update_status *st) {
    uint8_t v[STATE_BYTES] = {(uint8_t)st->state, st->step, 0, 0};
    nbs_put_le(v + 4, st->sectors, 4);
    nbs_put_le(v + 8, st->sector, 4);
    return nbs_map_store(slots->state, state_key, STATE_KEY_LEN, v, sizeof v);
}

int nbs_update_status_get(const nbs_update_slots *slots, nbs_update_status *status) {
    if (!slots || !slots->state || !status) return NBS_E_INVAL;
    return nbs_update_state_read(slots, status);
}

const char *nbs_update_state_name(nbs_update_state state) {
    switch (state) {
    case NBS_UPDATE_IDLE: return "idle";
    case NBS_UPDATE_PENDING: return "pending";
    case NBS_UPDATE_INSTALL: return "install";
    case NBS_UPDATE_TEST: return "test";
    case NBS_UPDATE_REVERT: return "revert";
    }
    return "unknown";
}

/* ---- an image in a slot ---- */

int nbs_slot_header_read(nbs_raw *slot, nbs_image_header *h) {
    uint8_t head[NBS_IMAGE_HEADER_BYTES];
    uint32_t got;
    int rc = nbs_raw_read(slot, 0, head, sizeof head, &got);
    if (rc) return rc;
    rc = nbs_image_header_decode(head, h);
    if (rc) return rc;
    return h->size > slot->flash.size - NBS_IMAGE_HEADER_BYTES ? NBS_E_UPDATE_IMAGE : NBS_OK;
}

int nbs_slot_body_check(const nbs_update_slots *slots, nbs_raw *slot, const nbs_image_header *h) {
    if (NBS_TEST_BREAK == NBS_TEST_BREAK_UPDATE_NO_CRC) return NBS_OK;
    uint32_t crc = 0, got;
    for (uint32_t done = 0; done < h->size; done += got) {
        uint32_t n = h->size - done < slots->buffer_size ? h->size - done : slots->buffer_size;
        int rc = nbs_raw_read(slot, NBS_IMAGE_HEADER_BYTES + done, slots->buffer, n, &got);
        if (rc) return rc;
        crc = nbs_crc32c(crc, slots->buffer, got);
    }
    return crc == h->crc ? NBS_OK : NBS_E_UPDATE_IMAGE;
}

/* ---- the writer ---- */

int nbs_update_open(nbs_update *u, const nbs_update_slots *slots, char mode, uint32_t byte_length) {
    if (!u) return NBS_E_INVAL;
    u->open = false;
    if ((mode != 'a' && mode != 'w') || (mode == 'w' && byte_length == 0)) return NBS_E_INVAL;
    nbs_slot_set set;
    int rc = nbs_slots_open(slots, false, &set);
    if (rc) return rc;
    if (byte_length > set.slot_size) return NBS_E_RANGE;
    rc = nbs_raw_open(&u->raw, slots->table, slots->secondary, true);
    if (rc) return rc;
    nbs_update_status st;
    rc = nbs_update_state_read(slots, &st);
    if (rc) return rc;
    if (st.state != NBS_UPDATE_IDLE && st.state != NBS_UPDATE_PENDING) return NBS_E_UPDATE_STATE;
    /* A pending image is withdrawn before its slot is touched: never installed half-written. */
    if (st.state == NBS_UPDATE_PENDING) {
        rc = nbs_update_state_write(slots, &(nbs_update_status){NBS_UPDATE_IDLE, 0, 0, 0});
        if (rc) return rc;
    }
    uint32_t span = byte_length ? byte_length : set.slot_size;
    rc = nbs_raw_erase(&u->raw, 0, (span + set.block - 1) / set.block);
    if (rc) return rc;
    u->slots = slots;
    u->byte_length = byte_length;
    u->written = u->offset = u->unit_fill = 0;
    u->append = mode == 'a';
    u->completed = u->ended = false;
    u->open = true;
    return NBS_OK;
}

static uint32_t limit_of(const nbs_update *u) {
    return u->byte_length ? u->byte_length : u->raw.flash.size;
}

/* Programs the unit being gathered, padded with the erase value. */
static int flush_unit(nbs_update *u) {
    uint32_t w = u->raw.flash.write_unit;
    if (!u->unit_fill) return NBS_OK;
    memset(u->unit + u->unit_fill, u->raw.flash.erase_value, w - u->unit_fill);
    int rc = nbs_raw_write(&u->raw, u->offset - u->unit_fill, u->unit, w);
    u->unit_fill = 0;
    return rc;
}

int nbs_update_write(nbs_update *u, const void *data, uint32_t count) {
    if (!u || (count && !data)) return NBS_E_INVAL;
    if (!u->open || u->completed || u->ended) return NBS_E_UPDATE_CLOSED;
    if (!u->append) return NBS_E_INVAL;
    if (count > limit_of(u) - u->offset) return NBS_E_RANGE;
    const uint8_t *p = data;
    uint32_t w = u->raw.flash.write_unit;
    while (count) {
        int rc;
        if (u->unit_fill || count < w) { /* gather a unit */
            uint32_t n = w - u->unit_fill < count ? w - u->unit_fill : count;
            memcpy(u->unit + u->unit_fill, p, n);
            u->unit_fill += n;
            u->offset += n;
            u->written += n;
            p += n;
            count -= n;
            rc = u->unit_fill == w ? flush_unit(u) : NBS_OK;
        } else { /* whole units straight from the caller's bytes */
            uint32_t n = count - count % w;
            rc = nbs_raw_write(&u->raw, u->offset, p, n);
            u->offset += n;
            u->written += n;
            p += n;
            count -= n;
        }
        if (rc) return rc;
    }
    return NBS_OK;
}

int nbs_update_write_at(nbs_update *u, uint32_t offset, const void *data, uint32_t count) {
    if (!u || (count && !data)) return NBS_E_INVAL;
    if (!u->open || u->completed) return NBS_E_UPDATE_CLOSED;
    if (u->append) return NBS_E_INVAL;
    if (offset > u->byte_length || count > u->byte_length - offset) return NBS_E_RANGE;
    uint32_t w = u->raw.flash.write_unit, tail = count % w;
    if (offset % w || (tail && offset + count != u->byte_length)) return NBS_E_ALIGN;
    int rc = nbs_raw_write(&u->raw, offset, data, count - tail);
    if (!rc && tail) {
        memcpy(u->unit, (const uint8_t *)data + count - tail, tail);
        memset(u->unit + tail, u->raw.flash.erase_value, w - tail);
        rc = nbs_raw_write(&u->raw, offset + count - tail, u->unit, w);
    }
    if (!rc) u->written += count;
    return rc;
}

int nbs_update_progress(const nbs_update *u, uint32_t *written, uint32_t *byte_length) {
    if (!u || !written || !byte_length) return NBS_E_INVAL;
    if (!u->open) return NBS_E_UPDATE_CLOSED;
    *written = u->written;
    *byte_length = u->byte_length;
    return NBS_OK;
}

int nbs_update_complete(nbs_update *u) {
    if (!u) return NBS_E_INVAL;
    if (!u->open || u->completed) return NBS_E_UPDATE_CLOSED;
    /* Short of byte_length: refused before the last unit is programmed, so writing may go on. */
    if (u->byte_length && u->written != u->byte_length) return NBS_E_UPDATE_INCOMPLETE;
    /* Otherwise the end of the image: its last unit is programmed (padded) and no byte can
     * follow it into that unit, so an append update takes no more writes, whatever the answer. */
    u->ended = u->append;
    int rc = u->append ? flush_unit(u) : NBS_OK;
    if (rc) return rc;
    if (u->written < NBS_IMAGE_HEADER_BYTES) return NBS_E_UPDATE_INCOMPLETE;
    nbs_image_header h;
    rc = nbs_slot_header_read(&u->raw, &h);
    if (rc) return rc;
    /* A header that promises more or fewer bytes than were written: the image is not whole. */
    if ((uint64_t)h.size + NBS_IMAGE_HEADER_BYTES != u->written) return NBS_E_UPDATE_INCOMPLETE;
    rc = nbs_slot_body_check(u->slots, &u->raw, &h);
    if (rc) return rc;
    rc = nbs_update_state_write(u->slots, &(nbs_update_status){NBS_UPDATE_PENDING, 0, 0, 0});
    if (rc) return rc;
    u->completed = true;
    return NBS_OK;
}

void nbs_update_close(nbs_update *u) {
    if (!u) return;
    nbs_raw_close(&u->raw);
    u->open = false;
}
