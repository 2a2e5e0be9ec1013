/* SECDED ECC words: a word a tear left incomplete decodes against what its ECC was written for
 * (the program's data, or the word before a torn erase): no wrong bit reads as is, one is
 * corrected, two are detected, more are detected or miscorrected as a hash of the bits read
 * (not the PRNG) decides. Words programmed whole read as stored; a second program still breaks
 * a word's ECC; an erase forgets the references. */
#include "nor_test_util.h"

#define UNIT 8

static const uint8_t WORD[UNIT] = {0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0};

static nor_config ecc_config(nor_write_policy policy) {
    return test_config(UNIT, policy, 0, true);
}

/* WORD programmed at 0 with a late tear: its margin bits are weak, so the word is torn and its
 * reference is WORD. */
static nor *torn_word(nor_write_policy policy, uint64_t seed) {
    nor_config cfg = ecc_config(policy);
    nor *dev = test_create(&cfg, seed);
    nor_set_torn_modes(dev, NOR_TORN_PROG_LATE, NOR_TORN_ERASE_NONE);
    nor_arm_cut_after_ops(dev, 0);
    cr_assert_eq(nor_program(dev, 0, WORD, UNIT), NOR_E_POWER_OFF);
    nor_power_on(dev);
    return dev;
}

/* Stores WORD with the bits of `flips` (bit numbers 0..63, -1 ends) inverted. */
static void poke_flipped(nor *dev, uint32_t addr, const int *flips, uint8_t *stored) {
    memcpy(stored, WORD, UNIT);
    for (int i = 0; flips[i] >= 0; i++) stored[flips[i] / 8] ^= (uint8_t)(1u << (flips[i] % 8));
    cr_assert_eq(nor_poke(dev, addr, stored, UNIT), NOR_OK);
}

static int bit_distance(const uint8_t *a, const uint8_t *b) {
    int d = 0;
    for (int i = 0; i < UNIT; i++) d += test_popcount8(a[i] ^ b[i]);
    return d;
}

Test(secded, no_wrong_bit_reads_as_is) {
    nor *dev = torn_word(NOR_WRITES_ONCE_PLUS_ZERO, 1);
    uint8_t stored[UNIT], out[UNIT];
    poke_flipped(dev, 0, (const int[]){-1}, stored);
    cr_assert_eq(nor_read(dev, 0, out, UNIT), NOR_OK);
    cr_assert_arr_eq(out, WORD, UNIT);
    nor_destroy(dev);
}

Test(secded, one_wrong_bit_is_corrected) {
    nor *dev = torn_word(NOR_WRITES_ONCE_PLUS_ZERO, 1);
    for (int bit = 0; bit < UNIT * 8; bit++) {
        uint8_t stored[UNIT], out[UNIT];
        poke_flipped(dev, 0, (const int[]){bit, -1}, stored);
        cr_assert_eq(nor_read(dev, 0, out, UNIT), NOR_OK, "bit %d", bit);
        cr_assert_arr_eq(out, WORD, UNIT, "bit %d corrected", bit);
        /* A read of part of the word is corrected too; the stored bits stay wrong. */
        cr_assert_eq(nor_read(dev, 4, out, 3), NOR_OK);
        cr_assert_arr_eq(out, WORD + 4, 3);
        nor_peek(dev, 0, out, UNIT);
        cr_assert_arr_eq(out, stored, UNIT);
    }
    nor_destroy(dev);
}

Test(secded, two_wrong_bits_are_detected) {
    nor *dev = torn_word(NOR_WRITES_ONCE_PLUS_ZERO, 1);
    for (int a = 0; a < UNIT * 8; a += 5) {
        int b = (a * 7 + 3) % (UNIT * 8);
        if (b == a) continue;
        uint8_t stored[UNIT], out[UNIT];
        poke_flipped(dev, 0, (const int[]){a, b, -1}, stored);
        nor_stats before, after;
        nor_get_stats(dev, &before);
        cr_assert_eq(nor_read(dev, 0, out, UNIT), NOR_E_ECC, "bits %d and %d", a, b);
        nor_get_stats(dev, &after);
        cr_assert_eq(after.ecc_errors, before.ecc_errors + 1);
        cr_assert_arr_eq(out, stored, UNIT, "the buffer holds the bits read");
    }
    nor_destroy(dev);
}

/* Three or more: an even number is always detected; an odd number is detected or miscorrected
 * (one more bit flipped, no error), the same way every time for the same bits, on any device. */
Test(secded, three_or_more_wrong_bits_detected_or_miscorrected_by_the_bits) {
    nor *dev = torn_word(NOR_WRITES_ONCE_PLUS_ZERO, 1);
    nor *other = torn_word(NOR_WRITES_ONCE_PLUS_ZERO, 99);
    int detected = 0, miscorrected = 0;
    for (int n = 3; n <= 6; n++)
        for (int first = 0; first < 40; first++) {
            int flips[8];
            for (int i = 0; i < n; i++) flips[i] = (first + i * 11) % (UNIT * 8);
            flips[n] = -1;
            uint8_t stored[UNIT], out[UNIT], again[UNIT], there[UNIT];
            poke_flipped(dev, 0, flips, stored);
            poke_flipped(other, 0, flips, stored);
            int rc = nor_read(dev, 0, out, UNIT);
            cr_assert_eq(nor_read(dev, 0, again, UNIT), rc, "the same bits decode alike");
            cr_assert_arr_eq(out, again, UNIT);
            cr_assert_eq(nor_read(other, 0, there, UNIT), rc, "whatever the device's seed");
            cr_assert_arr_eq(out, there, UNIT);
            if (n % 2 == 0) cr_assert_eq(rc, NOR_E_ECC, "%d wrong bits: detected", n);
            if (rc == NOR_E_ECC) {
                cr_assert_arr_eq(out, stored, UNIT);
                detected++;
            } else {
                cr_assert_eq(rc, NOR_OK);
                cr_assert_eq(bit_distance(out, stored), 1, "one more bit flipped");
                cr_assert_arr_neq(out, WORD, UNIT);
                miscorrected++;
            }
        }
    cr_assert_gt(miscorrected, 10);
    cr_assert_gt(detected, 80 + 10);
    nor_destroy(dev);
    nor_destroy(other);
}

Test(secded, words_programmed_whole_read_as_stored) {
    nor *dev = torn_word(NOR_WRITES_ONCE_PLUS_ZERO, 1);
    cr_assert_eq(nor_program(dev, UNIT, WORD, UNIT), NOR_OK);
    uint8_t stored[UNIT], out[UNIT];
    poke_flipped(dev, UNIT, (const int[]){9, -1}, stored);
    cr_assert_eq(nor_read(dev, UNIT, out, UNIT), NOR_OK);
    cr_assert_arr_eq(out, stored, UNIT, "no reference: nothing to correct against");
    nor_destroy(dev);
}

Test(secded, second_program_of_a_torn_word_breaks_its_ecc) {
    nor *dev = torn_word(NOR_WRITES_ONCE, 1);
    cr_assert_eq(nor_program(dev, 0, WORD, UNIT), NOR_OK);
    uint8_t stored[UNIT], out[UNIT];
    poke_flipped(dev, 0, (const int[]){-1}, stored);
    cr_assert_eq(nor_read(dev, 0, out, UNIT), NOR_E_ECC);
    nor_destroy(dev);
}

Test(secded, zero_overwrite_of_a_torn_word_reads_zero) {
    nor *dev = torn_word(NOR_WRITES_ONCE_PLUS_ZERO, 1);
    uint8_t zeros[UNIT] = {0}, out[UNIT];
    cr_assert_eq(nor_program(dev, 0, zeros, UNIT), NOR_OK);
    for (int r = 0; r < 16; r++) {
        cr_assert_eq(nor_read(dev, 0, out, UNIT), NOR_OK);
        cr_assert_arr_eq(out, zeros, UNIT);
    }
    nor_destroy(dev);
}

/* A torn erase: the reference of a word it left half way is the word before the erase. */
Test(secded, partial_erase_reference_is_the_word_before) {
    nor_config cfg = ecc_config(NOR_WRITES_ONCE_PLUS_ZERO);
    int tried = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        nor *dev = test_create(&cfg, seed);
        cr_assert_eq(nor_program(dev, 256, WORD, UNIT), NOR_OK);
        nor_set_torn_modes(dev, NOR_TORN_PROG_NONE, NOR_TORN_ERASE_PARTIAL);
        nor_arm_cut_after_ops(dev, 0);
        nor_erase(dev, 256);
        nor_power_on(dev);
        uint8_t now[UNIT], erased[UNIT], stored[UNIT], out[UNIT];
        memset(erased, 0xFF, UNIT);
        nor_peek(dev, 256, now, UNIT);
        if (!memcmp(now, WORD, UNIT) || !memcmp(now, erased, UNIT)) {
            nor_destroy(dev);
            continue;
        }
        tried++;
        cr_assert_eq(nor_read(dev, 256, out, UNIT) == NOR_OK && !memcmp(out, now, UNIT), false,
                     "a word half erased does not read as stored without error");
        poke_flipped(dev, 256, (const int[]){17, -1}, stored);
        cr_assert_eq(nor_read(dev, 256, out, UNIT), NOR_OK);
        cr_assert_arr_eq(out, WORD, UNIT);
        /* A word the erase finished reads erased, no reference left. */
        nor_erase(dev, 256);
        poke_flipped(dev, 256, (const int[]){17, -1}, stored);
        nor_read(dev, 256, out, UNIT);
        cr_assert_arr_eq(out, stored, UNIT);
        nor_destroy(dev);
    }
    cr_assert_gt(tried, 10);
}

/* Progress tears of a program: a late tear leaves words whose reads are corrected to the
 * intended data far more often than the raw bits show it. */
Test(secded, late_torn_words_mostly_read_corrected) {
    nor_config plain = test_config(UNIT, NOR_WRITES_ONCE_PLUS_ZERO, 0, false);
    nor_config ecc = ecc_config(NOR_WRITES_ONCE_PLUS_ZERO);
    int intended[2] = {0, 0};
    for (int with_ecc = 0; with_ecc < 2; with_ecc++)
        for (uint64_t seed = 1; seed <= 200; seed++) {
            nor *dev = test_create(with_ecc ? &ecc : &plain, seed);
            nor_set_torn_modes(dev, NOR_TORN_PROG_LATE, NOR_TORN_ERASE_NONE);
            nor_arm_cut_after_ops(dev, 0);
            nor_program(dev, 0, WORD, UNIT);
            nor_power_on(dev);
            uint8_t out[UNIT];
            for (int r = 0; r < 4; r++)
                intended[with_ecc] +=
                    nor_read(dev, 0, out, UNIT) == NOR_OK && !memcmp(out, WORD, UNIT);
            nor_destroy(dev);
        }
    cr_log_info("reads as intended: %d without ECC, %d with", intended[0], intended[1]);
    cr_assert_gt(intended[1], intended[0] + 100);
}
