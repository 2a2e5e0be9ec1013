/* Power cuts: arming by operation count, time and callback; every torn program and erase
 * mode, bit for bit; the power-off state; and determinism of the seeded tears. */
#include "nor_test_util.h"
#include "nor_prng.h"

#define SECTOR 256

/* Every byte has bit 7 to program, so every byte has a needed transition. */
static void fill_pattern(uint8_t *data) {
    for (int i = 0; i < SECTOR; i++) data[i] = (uint8_t)((i * 37) & 0x7F);
}

/* Tears a whole-sector program of the pattern onto erased sector 1; `stored` is what the tear
 * left, before power-on lets weak cells settle. */
static nor *torn_program(nor_torn_program mode, uint64_t seed, uint8_t *stored) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, seed);
    nor_set_torn_modes(dev, mode, NOR_TORN_ERASE_NONE);
    uint8_t data[SECTOR];
    fill_pattern(data);
    nor_arm_cut_after_ops(dev, 0);
    cr_assert_eq(nor_program(dev, SECTOR, data, SECTOR), NOR_E_POWER_OFF);
    cr_assert_not(nor_is_powered(dev));
    cr_assert_eq(nor_peek(dev, SECTOR, stored, SECTOR), NOR_OK);
    nor_power_on(dev);
    return dev;
}

/* Counts the programmed bits among the needed transitions, checking that nothing else moved:
 * a byte may only hold its old (erased) bits or the target's programmed bits. */
static int done_transitions(const uint8_t *stored, const uint8_t *data) {
    int done = 0;
    for (int i = 0; i < SECTOR; i++) {
        cr_assert_eq(stored[i] & data[i], data[i], "byte %d: %02x over target %02x", i, stored[i],
                     data[i]);
        done += 8 - test_popcount8(stored[i]);
    }
    return done;
}

static int needed_transitions(const uint8_t *data) {
    int n = 0;
    for (int i = 0; i < SECTOR; i++) n += 8 - test_popcount8(data[i]);
    return n;
}

Test(power, torn_program_none_leaves_old_data) {
    uint8_t stored[SECTOR];
    nor *dev = torn_program(NOR_TORN_PROG_NONE, 1, stored);
    for (int i = 0; i < SECTOR; i++) cr_assert_eq(stored[i], 0xFF);
    nor_destroy(dev);
}

Test(power, torn_program_full_leaves_new_data) {
    uint8_t stored[SECTOR], data[SECTOR];
    fill_pattern(data);
    nor *dev = torn_program(NOR_TORN_PROG_FULL, 1, stored);
    cr_assert_arr_eq(stored, data, SECTOR);
    nor_destroy(dev);
}

Test(power, torn_program_prefix_leaves_exactly_a_prefix) {
    uint8_t data[SECTOR];
    fill_pattern(data);
    int distinct_prefixes = 0, last = -1;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        uint8_t stored[SECTOR];
        nor *dev = torn_program(NOR_TORN_PROG_PREFIX, seed, stored);
        int k = 0;
        while (k < SECTOR && stored[k] == data[k]) k++;
        cr_assert_lt(k, SECTOR, "k is drawn from [0, len)");
        for (int i = k; i < SECTOR; i++)
            cr_assert_eq(stored[i], 0xFF, "seed %d byte %d", (int)seed, i);
        distinct_prefixes += k != last;
        last = k;
        nor_destroy(dev);
    }
    cr_assert_gt(distinct_prefixes, 4);
}

Test(power, torn_program_bits_leaves_subset_of_transitions) {
    uint8_t stored[SECTOR], data[SECTOR];
    fill_pattern(data);
    nor *dev = torn_program(NOR_TORN_PROG_BITS, 42, stored);
    int done = done_transitions(stored, data), needed = needed_transitions(data);
    /* Each transition with p = 1/2: about half, far from none and from all. */
    cr_assert(done > needed / 3 && done < needed * 2 / 3, "%d of %d", done, needed);
    uint8_t first[SECTOR], second[SECTOR];
    nor_read(dev, SECTOR, first, SECTOR);
    nor_read(dev, SECTOR, second, SECTOR);
    cr_assert_arr_eq(first, second, SECTOR); /* no weak bits: stable reads */
    cr_assert_arr_eq(first, stored, SECTOR);
    nor_destroy(dev);
}

Test(power, torn_program_metastable_reads_vary_until_erase) {
    uint8_t stored[SECTOR], data[SECTOR];
    fill_pattern(data);
    nor *dev = torn_program(NOR_TORN_PROG_METASTABLE, 9, stored);
    int done = done_transitions(stored, data), needed = needed_transitions(data);
    /* Done or weak (stored as done): two thirds. */
    cr_assert(done > needed / 2 && done < needed * 5 / 6, "%d of %d", done, needed);
    uint8_t first[SECTOR], again[SECTOR];
    nor_read(dev, SECTOR, first, SECTOR);
    bool differs = false;
    for (int r = 0; r < 4 && !differs; r++) {
        nor_read(dev, SECTOR, again, SECTOR);
        differs = memcmp(first, again, SECTOR) != 0;
    }
    cr_assert(differs, "weak bits read randomly");
    /* Only bits that were needed transitions can be weak: the target's 1s never flip. */
    for (int i = 0; i < SECTOR; i++) cr_assert_eq(again[i] & data[i], data[i]);
    cr_assert_eq(nor_erase(dev, SECTOR), NOR_OK);
    nor_read(dev, SECTOR, first, SECTOR);
    nor_read(dev, SECTOR, again, SECTOR);
    cr_assert_arr_eq(first, again, SECTOR);
    for (int i = 0; i < SECTOR; i++) cr_assert_eq(first[i], 0xFF);
    nor_destroy(dev);
}

/* Programs the pattern onto sector 1, then tears its erase; `stored` as for torn_program. */
static nor *torn_erase(nor_torn_erase mode, uint64_t seed, uint8_t *stored) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, seed);
    uint8_t data[SECTOR];
    fill_pattern(data);
    cr_assert_eq(nor_program(dev, SECTOR, data, SECTOR), NOR_OK);
    nor_set_torn_modes(dev, NOR_TORN_PROG_NONE, mode);
    nor_arm_cut_after_ops(dev, 0);
    cr_assert_eq(nor_erase(dev, SECTOR), NOR_E_POWER_OFF);
    nor_peek(dev, SECTOR, stored, SECTOR);
    nor_power_on(dev);
    return dev;
}

Test(power, torn_erase_none_and_full) {
    uint8_t stored[SECTOR], data[SECTOR];
    fill_pattern(data);
    nor *dev = torn_erase(NOR_TORN_ERASE_NONE, 1, stored);
    cr_assert_arr_eq(stored, data, SECTOR);
    cr_assert_eq(nor_erase_count(dev, 1), 0);
    nor_destroy(dev);
    dev = torn_erase(NOR_TORN_ERASE_FULL, 1, stored);
    for (int i = 0; i < SECTOR; i++) cr_assert_eq(stored[i], 0xFF);
    cr_assert_eq(nor_erase_count(dev, 1), 1);
    nor_destroy(dev);
}

Test(power, torn_erase_partial_erases_a_subset) {
    uint8_t stored[SECTOR], data[SECTOR];
    fill_pattern(data);
    nor *dev = torn_erase(NOR_TORN_ERASE_PARTIAL, 5, stored);
    /* Bits only move towards erased: every 1 of the old data is still 1. */
    int still_programmed = done_transitions(stored, data);
    int programmed = needed_transitions(data);
    cr_assert(still_programmed > programmed / 3 && still_programmed < programmed * 2 / 3,
              "%d of %d still programmed", still_programmed, programmed);
    cr_assert_eq(nor_erase_count(dev, 1), 1);
    nor_destroy(dev);
}

Test(power, torn_erase_weak_reads_erased_but_unstable) {
    uint8_t stored[SECTOR];
    nor *dev = torn_erase(NOR_TORN_ERASE_WEAK, 3, stored);
    for (int i = 0; i < SECTOR; i++) cr_assert_eq(stored[i], 0xFF);
    uint8_t reads[8][SECTOR];
    int unstable_bytes = 0;
    for (int r = 0; r < 8; r++) nor_read(dev, SECTOR, reads[r], SECTOR);
    for (int i = 0; i < SECTOR; i++) {
        bool varies = false;
        for (int r = 1; r < 8; r++) varies |= reads[r][i] != reads[0][i];
        unstable_bytes += varies;
    }
    /* 2048 bits / 256 = 8 weak bits (fewer bytes if two share one). */
    cr_assert(unstable_bytes >= 1 && unstable_bytes <= 8, "%d unstable bytes", unstable_bytes);
    cr_assert_eq(nor_erase(dev, SECTOR), NOR_OK);
    nor_read(dev, SECTOR, reads[0], SECTOR);
    for (int i = 0; i < SECTOR; i++) cr_assert_eq(reads[0][i], 0xFF);
    nor_destroy(dev);
}

Test(power, everything_fails_until_power_on) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, 1);
    event_log log = {0};
    nor_set_event_fn(dev, test_record_event, &log);
    uint8_t byte = 0x00;
    nor_cut_now(dev);
    cr_assert_not(nor_is_powered(dev));
    cr_assert_eq(log.events[0].kind, NOR_EV_CUT);
    cr_assert_eq(nor_read(dev, 0, &byte, 1), NOR_E_POWER_OFF);
    cr_assert_eq(nor_program(dev, 0, &byte, 1), NOR_E_POWER_OFF);
    cr_assert_eq(nor_erase(dev, 0), NOR_E_POWER_OFF);
    cr_assert_eq(nor_op_count(dev), 0);
    nor_power_on(dev);
    cr_assert_eq(log.events[log.count - 1].kind, NOR_EV_POWER_ON);
    cr_assert_eq(nor_program(dev, 0, &byte, 1), NOR_OK);
    nor_stats st;
    nor_get_stats(dev, &st);
    cr_assert_eq(st.cuts, 1);
    nor_destroy(dev);
}

Test(power, cut_after_ops_tears_the_nth_operation) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, 1);
    event_log log = {0};
    nor_set_event_fn(dev, test_record_event, &log);
    nor_set_torn_modes(dev, NOR_TORN_PROG_NONE, NOR_TORN_ERASE_NONE);
    uint8_t byte = 0x00, out;
    nor_arm_cut_after_ops(dev, 2);
    cr_assert_eq(nor_program(dev, 0, &byte, 1), NOR_OK);
    cr_assert_eq(nor_read(dev, 0, &out, 1), NOR_OK); /* reads are not cut points */
    cr_assert_eq(nor_erase(dev, 256), NOR_OK);
    cr_assert_eq(nor_program(dev, 1, &byte, 1), NOR_E_POWER_OFF);
    const nor_event *cut = &log.events[log.count - 1];
    cr_assert_eq(cut->kind, NOR_EV_CUT);
    cr_assert_eq(cut->op_index, 2);
    cr_assert_eq(cut->addr, 1);
    cr_assert_eq(nor_program(dev, 1, &byte, 1), NOR_E_POWER_OFF);
    nor_power_on(dev);
    /* Power-on disarms: nothing else is torn. */
    for (int i = 0; i < 5; i++) cr_assert_eq(nor_program(dev, 2, &byte, 1), NOR_OK);
    nor_destroy(dev);
}

Test(power, cut_at_time_tears_the_running_operation) {
    nor_config cfg = test_tiny_config(); /* program 1 us per byte */
    nor *dev = test_create(&cfg, 1);
    uint8_t data[10] = {0};
    nor_arm_cut_at_time(dev, 25);
    cr_assert_eq(nor_program(dev, 0, data, 10), NOR_OK);  /* ends at 10 */
    cr_assert_eq(nor_program(dev, 10, data, 10), NOR_OK); /* ends at 20 */
    cr_assert_eq(nor_program(dev, 20, data, 10), NOR_E_POWER_OFF);
    cr_assert_eq(nor_time_us(dev), 25);
    nor_destroy(dev);
}

static bool cut_second_erase(void *ctx, const nor_event *op) {
    int *erases = ctx;
    return op->kind == NOR_EV_ERASE && ++*erases == 2;
}

Test(power, cut_fn_decides_per_operation) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, 1);
    int erases = 0;
    nor_set_cut_fn(dev, cut_second_erase, &erases);
    uint8_t byte = 0;
    cr_assert_eq(nor_erase(dev, 0), NOR_OK);
    cr_assert_eq(nor_program(dev, 0, &byte, 1), NOR_OK);
    cr_assert_eq(nor_erase(dev, 256), NOR_E_POWER_OFF);
    nor_power_on(dev);
    nor_disarm_cut(dev);
    cr_assert_eq(nor_erase(dev, 256), NOR_OK);
    cr_assert_eq(erases, 2);
    nor_destroy(dev);
}

Test(power, disarm_cancels_armed_cut) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, 1);
    nor_arm_cut_after_ops(dev, 0);
    nor_arm_cut_at_time(dev, 0);
    nor_disarm_cut(dev);
    cr_assert_eq(nor_erase(dev, 0), NOR_OK);
    cr_assert(nor_is_powered(dev));
    nor_destroy(dev);
}

/* A fixed script of tears; returns the whole stored contents. */
static void run_script(uint64_t seed, uint8_t *contents) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, seed);
    uint8_t data[SECTOR];
    fill_pattern(data);
    const nor_torn_program progs[] = {NOR_TORN_PROG_BITS, NOR_TORN_PROG_PREFIX,
                                      NOR_TORN_PROG_METASTABLE};
    for (int i = 0; i < 3; i++) {
        nor_set_torn_modes(dev, progs[i], NOR_TORN_ERASE_PARTIAL);
        nor_arm_cut_after_ops(dev, 0);
        nor_program(dev, (uint32_t)i * SECTOR, data, SECTOR);
        nor_power_on(dev);
    }
    nor_program(dev, 3 * SECTOR, data, SECTOR);
    nor_arm_cut_after_ops(dev, 0);
    nor_erase(dev, 3 * SECTOR);
    nor_power_on(dev);
    nor_peek(dev, 0, contents, 4 * SECTOR);
    nor_destroy(dev);
}

Test(power, same_seed_same_bytes_different_seed_different_tears) {
    static uint8_t a[4 * SECTOR], b[4 * SECTOR], c[4 * SECTOR];
    run_script(1234, a);
    run_script(1234, b);
    run_script(1235, c);
    cr_assert_arr_eq(a, b, sizeof a);
    cr_assert_arr_neq(a, c, sizeof a);
}

/* The tears recomputed from the rules with the model's PRNG: the first draws after a cut by
 * operation count (typical timing draws nothing) decide every byte. */
Test(power, torn_bytes_match_rules_bit_for_bit) {
    const uint64_t seed = 2024;
    uint8_t data[SECTOR], stored[SECTOR], expect[SECTOR];
    fill_pattern(data);

    nor_prng prng;
    nor_prng_seed(&prng, seed);
    uint32_t k = (uint32_t)nor_prng_below(&prng, SECTOR);
    for (uint32_t i = 0; i < SECTOR; i++) expect[i] = i < k ? data[i] : 0xFF;
    nor *dev = torn_program(NOR_TORN_PROG_PREFIX, seed, stored);
    cr_assert_arr_eq(stored, expect, SECTOR, "prefix of %u bytes", k);
    nor_destroy(dev);

    nor_prng_seed(&prng, seed);
    uint64_t bits = 0;
    for (uint32_t i = 0; i < SECTOR; i++) {
        if (i % 8 == 0) bits = nor_prng_next(&prng);
        uint8_t needed = (uint8_t)~data[i];
        expect[i] = (uint8_t)(0xFF ^ (needed & (uint8_t)(bits >> (8 * (i % 8)))));
    }
    dev = torn_program(NOR_TORN_PROG_BITS, seed, stored);
    cr_assert_arr_eq(stored, expect, SECTOR);
    nor_destroy(dev);

    nor_prng_seed(&prng, seed);
    for (uint32_t i = 0; i < SECTOR; i++) {
        uint8_t needed = (uint8_t)~data[i], done = 0;
        for (unsigned b = 0; b < 8; b++)
            if (needed & (1u << b) && nor_prng_below(&prng, 3) != 1) done |= (uint8_t)(1u << b);
        expect[i] = (uint8_t)(0xFF ^ done);
    }
    dev = torn_program(NOR_TORN_PROG_METASTABLE, seed, stored);
    cr_assert_arr_eq(stored, expect, SECTOR);
    nor_destroy(dev);

    nor_prng_seed(&prng, seed);
    for (uint32_t i = 0; i < SECTOR; i++) {
        if (i % 8 == 0) bits = nor_prng_next(&prng);
        expect[i] = (uint8_t)(data[i] | (uint8_t)(bits >> (8 * (i % 8))));
    }
    dev = torn_erase(NOR_TORN_ERASE_PARTIAL, seed, stored);
    cr_assert_arr_eq(stored, expect, SECTOR);
    nor_destroy(dev);
}
