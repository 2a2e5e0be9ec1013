/* Weak cells: a program of the programmed value makes a weak bit solid (whole programs and
 * torn ones), and at every power-on weak bits settle, with a seeded chance, into solid
 * programmed or erased bits; a device without weak bits draws nothing at power-on; a random
 * state put back replays the same readings. */
#include "nor_test_util.h"

#define LEN 32

/* A metastable tear of LEN x 0x00 at address 0: about a third of the bits weak. */
static nor *weak_zeros(uint64_t seed) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, seed);
    nor_set_torn_modes(dev, NOR_TORN_PROG_METASTABLE, NOR_TORN_ERASE_NONE);
    uint8_t zeros[LEN] = {0};
    nor_arm_cut_after_ops(dev, 0);
    cr_assert_eq(nor_program(dev, 0, zeros, LEN), NOR_E_POWER_OFF);
    nor_power_on(dev);
    return dev;
}

Test(weak, program_of_zeros_makes_weak_bits_solid) {
    nor *dev = weak_zeros(1);
    cr_assert_gt(test_varying_bits(dev, 0, LEN, 32), 20);
    uint8_t zeros[LEN] = {0}, out[LEN];
    cr_assert_eq(nor_program(dev, 0, zeros, LEN), NOR_OK);
    cr_assert_eq(test_varying_bits(dev, 0, LEN, 32), 0);
    nor_read(dev, 0, out, LEN);
    cr_assert_arr_eq(out, zeros, LEN);
    nor_destroy(dev);
}

/* Only the bits the program asks for the programmed value: the others stay weak. */
Test(weak, program_of_ones_leaves_weak_bits_weak) {
    nor *dev = weak_zeros(2);
    int before = test_varying_bits(dev, 0, LEN, 32);
    uint8_t half[LEN];
    for (int i = 0; i < LEN; i++) half[i] = 0xF0; /* low nibbles asked programmed */
    nor_program(dev, 0, half, LEN);
    uint8_t varying[LEN] = {0}, first[LEN], again[LEN];
    nor_read(dev, 0, first, LEN);
    for (int r = 0; r < 32; r++) {
        nor_read(dev, 0, again, LEN);
        for (int i = 0; i < LEN; i++) varying[i] |= first[i] ^ again[i];
    }
    int high = 0;
    for (int i = 0; i < LEN; i++) {
        cr_assert_eq(varying[i] & 0x0F, 0, "byte %d: programmed low nibble is solid", i);
        high += test_popcount8(varying[i]);
    }
    cr_assert(high > 0 && high < before, "%d of %d weak bits stay", high, before);
    nor_destroy(dev);
}

/* A torn program makes the weak bits it finished solid: a late tear over them leaves at most
 * its own margin and the cells not yet done. */
Test(weak, torn_program_makes_done_weak_bits_solid) {
    int before_total = 0, after_total = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        nor *dev = weak_zeros(seed);
        before_total += test_varying_bits(dev, 0, LEN, 32);
        nor_set_torn_modes(dev, NOR_TORN_PROG_LATE, NOR_TORN_ERASE_NONE);
        uint8_t zeros[LEN] = {0};
        nor_arm_cut_after_ops(dev, 0);
        cr_assert_eq(nor_program(dev, 0, zeros, LEN), NOR_E_POWER_OFF);
        nor_power_on(dev);
        after_total += test_varying_bits(dev, 0, LEN, 32);
        nor_destroy(dev);
    }
    cr_assert_lt(after_total * 4, before_total, "%d weak bits before, %d after", before_total,
                 after_total);
}

Test(weak, full_tear_makes_weak_bits_solid) {
    nor *dev = weak_zeros(3);
    nor_set_torn_modes(dev, NOR_TORN_PROG_FULL, NOR_TORN_ERASE_NONE);
    uint8_t zeros[LEN] = {0};
    nor_arm_cut_after_ops(dev, 0);
    cr_assert_eq(nor_program(dev, 0, zeros, LEN), NOR_E_POWER_OFF);
    nor_power_on(dev);
    cr_assert_eq(test_varying_bits(dev, 0, LEN, 32), 0);
    nor_destroy(dev);
}

/* A prefix tear makes the weak bits of its prefix solid (about half of them); power-on alone
 * would settle a quarter. */
Test(weak, prefix_tear_makes_weak_bits_of_its_prefix_solid) {
    int before_total = 0, after_total = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        nor *dev = weak_zeros(seed);
        before_total += test_varying_bits(dev, 0, LEN, 32);
        nor_set_torn_modes(dev, NOR_TORN_PROG_PREFIX, NOR_TORN_ERASE_NONE);
        uint8_t zeros[LEN] = {0};
        nor_arm_cut_after_ops(dev, 0);
        cr_assert_eq(nor_program(dev, 0, zeros, LEN), NOR_E_POWER_OFF);
        nor_power_on(dev);
        after_total += test_varying_bits(dev, 0, LEN, 32);
        nor_destroy(dev);
    }
    cr_assert_lt(after_total * 10, before_total * 6, "%d weak bits before, %d after", before_total,
                 after_total);
}

/* Weak bits of the whole sector 1 (a WEAK torn erase leaves 8), counted over 32 reads. */
static int weak_in_sector(nor *dev) {
    return test_varying_bits(dev, 256, 256, 32);
}

Test(weak, weak_bits_settle_over_power_ons) {
    long counts[8] = {0};
    for (uint64_t seed = 1; seed <= 40; seed++) {
        nor *dev = weak_zeros(seed);
        for (int p = 0; p < 8; p++) {
            counts[p] += test_varying_bits(dev, 0, LEN, 32);
            for (int k = 0; k < 2; k++) nor_power_on(dev);
        }
        nor_destroy(dev);
    }
    /* Each power-on keeps 3/4 of them: two keep 9/16. */
    for (int p = 1; p < 8; p++) cr_assert_lt(counts[p], counts[p - 1]);
    cr_assert_lt(counts[7] * 20, counts[0], "%ld weak bits, then %ld", counts[0], counts[7]);
    cr_assert_gt(counts[1] * 16, counts[0] * 7);
    cr_assert_lt(counts[1] * 16, counts[0] * 11);
}

/* Settled bits end up both ways: programmed or erased with equal chance. */
Test(weak, settled_bits_become_programmed_or_erased) {
    int erased = 0, programmed = 0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        nor *dev = weak_zeros(seed); /* weak bits are stored programmed (0) */
        for (int p = 0; p < 40; p++) nor_power_on(dev);
        cr_assert_eq(test_varying_bits(dev, 0, LEN, 16), 0);
        uint8_t out[LEN];
        nor_read(dev, 0, out, LEN);
        for (int i = 0; i < LEN; i++) erased += test_popcount8(out[i]);
        nor_destroy(dev);
        /* The bits that never were weak: the tear done (0) or not done (1) solidly. Compare
         * with the bits stored before any power-on through a fresh tear. */
        nor_config cfg = test_tiny_config();
        dev = test_create(&cfg, seed);
        nor_set_torn_modes(dev, NOR_TORN_PROG_METASTABLE, NOR_TORN_ERASE_NONE);
        uint8_t zeros[LEN] = {0}, stored[LEN];
        nor_arm_cut_after_ops(dev, 0);
        nor_program(dev, 0, zeros, LEN);
        nor_peek(dev, 0, stored, LEN);
        for (int i = 0; i < LEN; i++) programmed += 8 - test_popcount8(stored[i]);
        nor_destroy(dev);
    }
    /* Stored programmed before settling: done and weak (2/3 of the bits). After: the done ones
     * and half the weak ones, so more bits read erased than were stored erased (1/3). */
    int bits = 10 * LEN * 8;
    cr_assert_gt(erased, (bits - programmed) + bits / 12, "%d erased, %d stored erased", erased,
                 bits - programmed);
    cr_assert_lt(erased, (bits - programmed) + bits / 4);
}

Test(weak, weak_erase_bits_settle_too) {
    nor_config cfg = test_tiny_config();
    long first = 0, later = 0;
    for (uint64_t seed = 1; seed <= 30; seed++) {
        nor *dev = test_create(&cfg, seed);
        nor_set_torn_modes(dev, NOR_TORN_PROG_NONE, NOR_TORN_ERASE_WEAK);
        nor_arm_cut_after_ops(dev, 0);
        nor_erase(dev, 256);
        nor_power_on(dev);
        first += weak_in_sector(dev);
        for (int p = 0; p < 10; p++) nor_power_on(dev);
        later += weak_in_sector(dev);
        nor_destroy(dev);
    }
    cr_assert_lt(later * 5, first, "%ld weak bits, %ld after 10 power-ons", first, later);
}

/* Power-on visits only blocks with weak bits: a device without any draws nothing, so its
 * later tears are the same as those of a device that never power-cycled. */
Test(weak, power_on_without_weak_bits_draws_nothing) {
    nor_config cfg = test_tiny_config();
    uint8_t a[256], b[256], data[256];
    memset(data, 0x00, sizeof data);
    for (int cycled = 0; cycled < 2; cycled++) {
        nor *dev = test_create(&cfg, 9);
        nor_program(dev, 0, data, 256);
        if (cycled) {
            nor_cut_now(dev);
            for (int p = 0; p < 5; p++) nor_power_on(dev);
        }
        nor_set_torn_modes(dev, NOR_TORN_PROG_BITS, NOR_TORN_ERASE_NONE);
        nor_arm_cut_after_ops(dev, 0);
        nor_program(dev, 256, data, 256);
        nor_peek(dev, 256, cycled ? b : a, 256);
        nor_destroy(dev);
    }
    cr_assert_arr_eq(a, b, 256);
}

/* The random stream put back (nor_get/set_random_state): the weak bits read after it read as
 * they did after it was taken, whatever was read in between. */
Test(weak, a_random_state_put_back_replays_the_same_readings) {
    nor *dev = weak_zeros(3);
    nor_random_state taken;
    nor_get_random_state(dev, &taken);
    uint8_t first[LEN], again[LEN], other[LEN];
    nor_read(dev, 0, first, LEN);
    for (int r = 0; r < 5; r++) nor_read(dev, 0, other, LEN);
    nor_set_random_state(dev, &taken);
    nor_read(dev, 0, again, LEN);
    cr_assert_arr_eq(again, first, LEN);
    nor_read(dev, 0, again, LEN);
    cr_assert(memcmp(again, first, LEN) != 0, "the stream moves on after the replay");
    nor_destroy(dev);
}

/* nor_peek_weak names the bits that read randomly: every bit seen varying is in its mask, the
 * mask is empty past the torn range, and empty once a program of zeros made the bits solid. */
Test(weak, peek_weak_names_the_varying_bits) {
    nor *dev = weak_zeros(3);
    uint8_t mask[LEN + 8], first[LEN], again[LEN], varying[LEN] = {0};
    cr_assert_eq(nor_peek_weak(dev, 0, mask, sizeof mask), NOR_OK);
    nor_read(dev, 0, first, LEN);
    for (int r = 0; r < 64; r++) {
        nor_read(dev, 0, again, LEN);
        for (int i = 0; i < LEN; i++) varying[i] |= first[i] ^ again[i];
    }
    int weak = 0;
    for (int i = 0; i < LEN; i++) {
        cr_assert_eq(varying[i] & ~mask[i], 0, "byte %d varies outside its weak mask", i);
        weak += test_popcount8(mask[i]);
    }
    cr_assert_gt(weak, 0);
    for (int i = LEN; i < LEN + 8; i++) cr_assert_eq(mask[i], 0, "byte %d past the tear", i);
    uint8_t zeros[LEN] = {0};
    cr_assert_eq(nor_program(dev, 0, zeros, LEN), NOR_OK);
    cr_assert_eq(nor_peek_weak(dev, 0, mask, LEN), NOR_OK);
    for (int i = 0; i < LEN; i++) cr_assert_eq(mask[i], 0, "byte %d still weak", i);
    cr_assert_eq(nor_peek_weak(dev, nor_size(dev) - 1, mask, 2), NOR_E_RANGE);
    nor_destroy(dev);
}
