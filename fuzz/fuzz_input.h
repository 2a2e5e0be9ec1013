/* Reads a fuzzer's input as a stream of small decisions (bytes, bounded numbers, byte runs).
 * Past the end every read gives zeros, so any input, even an empty one, decodes to something:
 * the same bytes always decode to the same decisions. */
#ifndef NORBENCH_FUZZ_INPUT_H
#define NORBENCH_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fuzz_input {
    const uint8_t *data;
    size_t size, pos;
} fuzz_input;

void fuzz_input_init(fuzz_input *in, const uint8_t *data, size_t size);
bool fuzz_input_done(const fuzz_input *in);
size_t fuzz_input_left(const fuzz_input *in);
uint8_t fuzz_input_u8(fuzz_input *in);
uint16_t fuzz_input_u16(fuzz_input *in); /* little-endian */
uint32_t fuzz_input_u32(fuzz_input *in); /* little-endian */
/* A number in [0, bound) (0 when bound is 0), from as few bytes as the bound needs. */
uint32_t fuzz_input_below(fuzz_input *in, uint32_t bound);
/* Copies `len` bytes (zeros past the end). */
void fuzz_input_bytes(fuzz_input *in, void *out, size_t len);
/* Fills `out` with `len` value bytes in a style the next byte picks: a run of the erased
 * value 0xFF, of 0x00, a counting pattern, or bytes taken from the input. */
void fuzz_input_value(fuzz_input *in, uint8_t *out, size_t len);

#endif
