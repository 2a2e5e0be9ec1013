/* SECDED ECC words (cfg.ecc). A word programmed whole carries ECC bits that match its data and
 * reads as stored; only words a tear left incomplete are modelled: each keeps a reference, the
 * contents its ECC bits were written for, and a read decodes the word as a single-error-
 * correcting, double-error-detecting code would. With d the number of bits that read
 * differently from the reference: d = 0 reads as is; d = 1 is corrected (the reference is
 * returned); an even d is detected (NOR_E_ECC); an odd d >= 3 looks like a single error to the
 * decoder, whose syndrome either names a bit (which is flipped: a miscorrection, returned
 * without error) or none (NOR_E_ECC). A hash of the error pattern stands in for the syndrome,
 * so the same bits read always decode the same way. */
#include "nor_internal.h"

#include <stdlib.h>
#include <string.h>

#define WORD_MAX 32 /* the largest write unit */

bool nor_ecc_has_ref(const nor_block *block, uint32_t unit) {
    return block->ecc_ref && block->ecc_ref[block->size + unit];
}

static int set_ref(nor_block *block, uint32_t unit, uint32_t unit_size, const uint8_t *ref) {
    if (!block->ecc_ref) {
        block->ecc_ref = calloc(1, (size_t)block->size + block->units);
        if (!block->ecc_ref) return NOR_E_NOMEM;
    }
    memcpy(block->ecc_ref + (size_t)unit * unit_size, ref, unit_size);
    if (!block->ecc_ref[block->size + unit]) {
        block->ecc_ref[block->size + unit] = 1;
        block->ecc_torn++;
    }
    return NOR_OK;
}

int nor_ecc_after_program(nor *dev, nor_block *block, uint32_t offset, const uint8_t *src,
                          uint32_t len, const bool *incomplete) {
    if (!block->units) return NOR_OK;
    uint32_t unit = dev->cfg.write_unit;
    bool erased_ones = dev->erased_byte == 0xFF;
    for (uint32_t i = 0; i < len; i += unit) {
        uint32_t u = (offset + i) / unit;
        bool has_ref = nor_ecc_has_ref(block, u);
        if (!has_ref && !(incomplete && incomplete[i / unit])) continue;
        /* A torn word's reference is its data programmed with src (old AND new); a word that
         * has one already keeps following the programming rule. */
        const uint8_t *base =
            has_ref ? block->ecc_ref + (size_t)u * unit : block->data + offset + i;
        uint8_t ref[WORD_MAX];
        for (uint32_t j = 0; j < unit; j++)
            ref[j] = (uint8_t)(erased_ones ? base[j] & src[i + j] : base[j] | src[i + j]);
        int rc = set_ref(block, u, unit, ref);
        if (rc) return rc;
    }
    return NOR_OK;
}

int nor_ecc_after_erase(nor *dev, nor_block *block, uint32_t unit, const uint8_t *before) {
    if (!block->units || nor_ecc_has_ref(block, unit)) return NOR_OK;
    return set_ref(block, unit, dev->cfg.write_unit, before);
}

static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A deterministic stand-in for the syndrome of an error pattern. */
static uint64_t error_hash(const uint8_t *error, uint32_t len) {
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    for (uint32_t i = 0; i < len; i += 8) {
        uint64_t chunk = 0;
        for (uint32_t j = 0; j < 8 && i + j < len; j++) chunk |= (uint64_t)error[i + j] << (8 * j);
        h = mix64(h ^ chunk);
    }
    return h;
}

/* Decodes one word as read. Returns true when the decoder reports an error. */
static bool decode_word(uint8_t *word, const uint8_t *ref, uint32_t unit) {
    uint8_t error[WORD_MAX];
    unsigned d = 0;
    for (uint32_t j = 0; j < unit; j++) {
        error[j] = word[j] ^ ref[j];
        d += (unsigned)__builtin_popcount(error[j]);
    }
    if (d == 0) return false;
    if (d == 1) {
        memcpy(word, ref, unit);
        return false;
    }
    if (d % 2 == 0) return true;
    uint64_t syndrome = error_hash(error, unit);
    if (!(syndrome & 1)) return true;
    uint32_t bit = (uint32_t)((syndrome >> 1) % (unit * 8));
    word[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    return false;
}

bool nor_ecc_decode(nor *dev, const nor_block *block, uint32_t offset, uint8_t *out, uint32_t len) {
    if (!block->ecc_torn || len == 0) return false;
    uint32_t unit = dev->cfg.write_unit;
    bool error = false;
    nor_random_bytes pool = {0, 0};
    for (uint32_t u = offset / unit; u <= (offset + len - 1) / unit; u++) {
        /* A broken word (programmed twice) reports NOR_E_ECC on its own. */
        if (!nor_ecc_has_ref(block, u) || (block->unit_state[u] & NOR_UNIT_ECC_BROKEN)) continue;
        uint32_t first = u * unit;
        uint8_t word[WORD_MAX];
        for (uint32_t j = 0; j < unit; j++) {
            uint32_t b = first + j;
            if (b >= offset && b < offset + len) {
                word[j] = out[b - offset];
                continue;
            }
            /* The decoder reads the whole word, also the bytes the caller did not ask for. */
            uint8_t weak = block->weak ? block->weak[b] : 0;
            word[j] = block->data[b];
            if (weak) word[j] = (uint8_t)((word[j] & ~weak) | (nor_random_byte(dev, &pool) & weak));
        }
        if (decode_word(word, block->ecc_ref + first, unit)) {
            error = true;
            continue;
        }
        for (uint32_t j = 0; j < unit; j++)
            if (first + j >= offset && first + j < offset + len) out[first + j - offset] = word[j];
    }
    return error;
}
