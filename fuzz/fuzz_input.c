/* The fuzz input reader (see fuzz_input.h). */
#include "fuzz_input.h"

#include <string.h>

void fuzz_input_init(fuzz_input *in, const uint8_t *data, size_t size) {
    in->data = data;
    in->size = data ? size : 0;
    in->pos = 0;
}

bool fuzz_input_done(const fuzz_input *in) {
    return in->pos >= in->size;
}

size_t fuzz_input_left(const fuzz_input *in) {
    return in->pos < in->size ? in->size - in->pos : 0;
}

uint8_t fuzz_input_u8(fuzz_input *in) {
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

uint16_t fuzz_input_u16(fuzz_input *in) {
    uint16_t low = fuzz_input_u8(in);
    return (uint16_t)(low | (uint16_t)fuzz_input_u8(in) << 8);
}

uint32_t fuzz_input_u32(fuzz_input *in) {
    uint32_t low = fuzz_input_u16(in);
    return low | (uint32_t)fuzz_input_u16(in) << 16;
}

uint32_t fuzz_input_below(fuzz_input *in, uint32_t bound) {
    if (bound <= 1) return 0;
    uint32_t raw = bound <= 0x100     ? fuzz_input_u8(in)
                   : bound <= 0x10000 ? fuzz_input_u16(in)
                                      : fuzz_input_u32(in);
    return raw % bound;
}

void fuzz_input_bytes(fuzz_input *in, void *out, size_t len) {
    size_t available = fuzz_input_left(in) < len ? fuzz_input_left(in) : len;
    if (available) memcpy(out, in->data + in->pos, available);
    memset((uint8_t *)out + available, 0, len - available);
    in->pos += available;
}

void fuzz_input_value(fuzz_input *in, uint8_t *out, size_t len) {
    uint8_t style = fuzz_input_u8(in);
    switch (style % 4) {
    case 0: memset(out, 0xFF, len); break;
    case 1: memset(out, 0x00, len); break;
    case 2:
        for (size_t i = 0; i < len; i++) out[i] = (uint8_t)(style + i);
        break;
    default: fuzz_input_bytes(in, out, len); break;
    }
}
