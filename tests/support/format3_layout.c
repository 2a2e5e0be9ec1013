/* Format 3's figures for the tests, from the layout the format states (format3_layout.h). */
#include "format3_layout.h"

uint32_t f3_units(const nbs_flash *flash, uint32_t n) {
    uint32_t w = flash->write_unit;
    return (n + w - 1) / w * w;
}

uint32_t f3_items_start(const nbs_flash *flash) {
    uint32_t header = flash->size / flash->page_size > 256 ? 5 : 4;
    return f3_units(flash, header) + 2 * flash->write_unit; /* then DONE and KILL */
}

uint32_t f3_page_room(const nbs_flash *flash) {
    return flash->page_size - f3_items_start(flash);
}

static uint32_t varint_bytes(uint32_t v) {
    return v < (1u << 7) ? 1 : v < (1u << 14) ? 2 : 3;
}

bool f3_seal_in_header(const nbs_flash *flash, f3_kind kind) {
    return kind == F3_MAP && flash->write_unit >= 2 && flash->programs_per_unit >= 2;
}

/* Bytes in front of the commit header's type/length bytes: the flag units (S; or S, P, A), or
 * the seal byte that opens the header's first unit. */
static uint32_t before_header(const nbs_flash *flash, f3_kind kind) {
    if (f3_seal_in_header(flash, kind)) return 1;
    return (kind == F3_MAP ? 1 : 3) * flash->write_unit;
}

uint32_t f3_item_bytes(const nbs_flash *flash, f3_kind kind, uint32_t key_len, uint32_t value_len) {
    uint32_t type_byte = kind == F3_MAP ? 1 : 0;
    uint32_t field = value_len * 4 + 3 + (kind == F3_QUEUE ? 1 : 0);
    uint32_t flags_and_header =
        f3_units(flash, before_header(flash, kind) + type_byte + varint_bytes(field) + 4);
    return flags_and_header + f3_units(flash, key_len + value_len);
}

uint32_t f3_gap(const nbs_flash *flash, f3_kind kind) {
    uint32_t type_byte = kind == F3_MAP ? 1 : 0;
    return f3_units(flash, before_header(flash, kind) + type_byte + 3 + 4);
}

uint32_t f3_largest(const nbs_flash *flash, f3_kind kind, uint32_t key_len) {
    uint32_t room = f3_page_room(flash), best = 0;
    /* The item grows with the value, so walk down from the room until one fits. */
    for (uint32_t v = room + 1; v-- > 0;) {
        if (f3_item_bytes(flash, kind, key_len, v) <= room) {
            best = v;
            break;
        }
    }
    return best;
}
