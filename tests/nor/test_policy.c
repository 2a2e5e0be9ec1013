/* Write-count policies: unlimited, limited (nRF52 nWRITE), once with ECC (STM32H7), once plus
 * an all-zero overwrite (STM32L4), the ECC read error they lead to, and ECC broken by tears. */
#include "nor_test_util.h"

Test(policy, unlimited_allows_many_programs) {
    nor_config cfg = test_config(4, NOR_WRITES_UNLIMITED, 0, false);
    nor *dev = test_create(&cfg, 1);
    uint8_t word[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    for (int i = 0; i < 200; i++) {
        word[i % 4] = (uint8_t)(word[i % 4] << 1);
        cr_assert_eq(nor_program(dev, 0, word, 4), NOR_OK);
    }
    nor_destroy(dev);
}

Test(policy, limited_refuses_beyond_max_and_erase_resets) {
    nor_config cfg = *nor_preset_find("nrf52840");
    nor *dev = test_create(&cfg, 1);
    uint8_t a[8] = {0xFE, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF};
    uint8_t b[4] = {0xFC, 0xFF, 0xFF, 0xFF};
    uint8_t c[4] = {0xF8, 0xFF, 0xFF, 0xFF};
    cr_assert_eq(nor_program(dev, 0, a, 8), NOR_OK);
    cr_assert_eq(nor_program(dev, 0, b, 4), NOR_OK);
    cr_assert_eq(nor_program(dev, 0, c, 4), NOR_E_WRITE_COUNT);
    uint8_t out[4];
    nor_read(dev, 0, out, 4);
    cr_assert_eq(out[0], 0xFC); /* the refused third write changed nothing */
    /* A program covering a unit with writes left and one without is refused as a whole. */
    uint8_t two[8] = {0xF0, 0xFF, 0xFF, 0xFF, 0xF0, 0xFF, 0xFF, 0xFF};
    cr_assert_eq(nor_program(dev, 4, two, 8), NOR_OK); /* word 1: 2nd, word 2: 1st */
    cr_assert_eq(nor_program(dev, 4, two, 8), NOR_E_WRITE_COUNT);
    nor_read(dev, 8, out, 4);
    cr_assert_eq(out[0], 0xF0);
    nor_stats st;
    nor_get_stats(dev, &st);
    cr_assert_eq(st.violations, 2);
    cr_assert_eq(nor_erase(dev, 0), NOR_OK);
    cr_assert_eq(nor_program(dev, 0, c, 4), NOR_OK);
    cr_assert_eq(nor_program(dev, 0, c, 4), NOR_OK);
    cr_assert_eq(nor_program(dev, 0, c, 4), NOR_E_WRITE_COUNT);
    nor_destroy(dev);
}

Test(policy, once_breaks_ecc_on_second_program) {
    nor_config cfg = *nor_preset_find("stm32h7-2m");
    nor *dev = test_create(&cfg, 1);
    uint8_t word[32], out[64];
    memset(word, 0xA5, sizeof word);
    cr_assert_eq(nor_program(dev, 32, word, 32), NOR_OK);
    cr_assert_eq(nor_read(dev, 32, out, 32), NOR_OK);
    memset(word, 0x00, sizeof word);
    /* The second program is applied (AND) but the word's ECC no longer matches. */
    cr_assert_eq(nor_program(dev, 32, word, 32), NOR_OK);
    nor_stats st;
    nor_get_stats(dev, &st);
    cr_assert_eq(st.violations, 1);
    memset(out, 0x77, sizeof out);
    cr_assert_eq(nor_read(dev, 0, out, 64), NOR_E_ECC);
    for (int i = 0; i < 32; i++) cr_assert_eq(out[i], 0xFF, "buffer filled at %d", i);
    for (int i = 32; i < 64; i++) cr_assert_eq(out[i], 0x00, "buffer filled at %d", i);
    cr_assert_eq(nor_read(dev, 63, out, 1), NOR_E_ECC);
    cr_assert_eq(nor_read(dev, 0, out, 32), NOR_OK); /* neighbouring word is fine */
    cr_assert_eq(nor_read(dev, 64, out, 32), NOR_OK);
    nor_get_stats(dev, &st);
    cr_assert_eq(st.ecc_errors, 2);
    cr_assert_eq(nor_erase(dev, 0), NOR_OK);
    cr_assert_eq(nor_read(dev, 32, out, 32), NOR_OK);
    nor_destroy(dev);
}

Test(policy, once_plus_zero_accepts_only_all_zero_overwrite) {
    nor_config cfg = *nor_preset_find("stm32l4-1m");
    nor *dev = test_create(&cfg, 1);
    uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t other[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    uint8_t zero[8] = {0};
    cr_assert_eq(nor_program(dev, 0, data, 8), NOR_OK);
    cr_assert_eq(nor_program(dev, 0, other, 8), NOR_E_WRITE_COUNT);
    uint8_t out[8];
    cr_assert_eq(nor_read(dev, 0, out, 8), NOR_OK);
    cr_assert_arr_eq(out, data, 8);
    cr_assert_eq(nor_program(dev, 0, zero, 8), NOR_OK);
    cr_assert_eq(nor_read(dev, 0, out, 8), NOR_OK); /* ECC still valid */
    cr_assert_arr_eq(out, zero, 8);
    nor_stats st;
    nor_get_stats(dev, &st);
    cr_assert_eq(st.violations, 1);
    cr_assert_eq(st.ecc_errors, 0);
    /* An erased word takes any first program. */
    cr_assert_eq(nor_program(dev, 8, other, 8), NOR_OK);
    nor_destroy(dev);
}

Test(policy, torn_program_breaks_ecc_of_incomplete_words) {
    nor_config cfg = *nor_preset_find("stm32l4-1m");
    int seeds_with_incomplete_word = 0;
    for (uint64_t seed = 1; seed <= 16; seed++) {
        nor *dev = test_create(&cfg, seed);
        nor_set_torn_modes(dev, NOR_TORN_PROG_PREFIX, NOR_TORN_ERASE_NONE);
        uint8_t data[64];
        memset(data, 0x00, sizeof data);
        nor_arm_cut_after_ops(dev, 0);
        cr_assert_eq(nor_program(dev, 0, data, 64), NOR_E_POWER_OFF);
        nor_power_on(dev);
        uint8_t stored[64];
        nor_peek(dev, 0, stored, 64);
        int k = 0;
        while (k < 64 && stored[k] == 0x00) k++;
        for (int i = k; i < 64; i++) cr_assert_eq(stored[i], 0xFF);
        seeds_with_incomplete_word += k % 8 != 0;
        uint8_t out[8];
        for (int w = 0; w < 8; w++) {
            int rc = nor_read(dev, (uint32_t)w * 8, out, 8);
            bool incomplete = k > w * 8 && k < w * 8 + 8;
            cr_assert_eq(rc, incomplete ? NOR_E_ECC : NOR_OK, "word %d, prefix %d", w, k);
        }
        nor_destroy(dev);
    }
    cr_assert_gt(seeds_with_incomplete_word, 0);
}

Test(policy, config_rejects_inconsistent_counts) {
    nor_config cfg = test_config(4, NOR_WRITES_LIMITED, 0, false);
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
    cfg.max_writes_per_unit = 2;
    cr_assert_eq(nor_config_validate(&cfg), NOR_OK);
    cfg.write_policy = NOR_WRITES_ONCE;
    cr_assert_eq(nor_config_validate(&cfg), NOR_E_CONFIG);
}
