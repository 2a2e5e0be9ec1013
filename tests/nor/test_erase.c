/* Erases: non-uniform sectors (STM32F4), sector alignment, per-sector erase counts and erase
 * times, and the wear-out model past the rated endurance. */
#include "nor_test_util.h"

#include <stdlib.h>

Test(erase, stm32f4_non_uniform_sectors) {
    nor_config cfg = *nor_preset_find("stm32f4-1m");
    nor *dev = test_create(&cfg, 1);
    cr_assert_eq(nor_sector_count(dev), 12);
    cr_assert_eq(nor_size(dev), 1024 * 1024);
    const uint32_t starts[12] = {0,       0x4000,  0x8000,  0xC000,  0x10000, 0x20000,
                                 0x40000, 0x60000, 0x80000, 0xA0000, 0xC0000, 0xE0000};
    for (uint32_t i = 0; i < 12; i++) {
        uint32_t index, start, size;
        cr_assert_eq(nor_sector_at(dev, starts[i] + 5, &index, &start, &size), NOR_OK);
        cr_assert_eq(index, i);
        cr_assert_eq(start, starts[i]);
        cr_assert_eq(size, i < 4 ? 0x4000u : i == 4 ? 0x10000u : 0x20000u);
    }
    cr_assert_eq(nor_sector_at(dev, 1024 * 1024, NULL, NULL, NULL), NOR_E_RANGE);

    /* Fill the end of sector 4 and the start of sector 5, erase sector 4 only. */
    uint8_t data[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    cr_assert_eq(nor_program(dev, 0x20000 - 4, data, 8), NOR_OK);
    cr_assert_eq(nor_erase(dev, 0x10004), NOR_E_NOT_SECTOR);
    cr_assert_eq(nor_erase(dev, 0x20000 - 0x4000), NOR_E_NOT_SECTOR); /* inside the 64K one */
    uint64_t before = nor_time_us(dev);
    cr_assert_eq(nor_erase(dev, 0x10000), NOR_OK);
    cr_assert_eq(nor_time_us(dev) - before, 550000); /* the 64 KiB region's erase time */
    uint8_t out[8];
    nor_read(dev, 0x20000 - 4, out, 8);
    for (int i = 0; i < 4; i++) cr_assert_eq(out[i], 0xFF);
    for (int i = 4; i < 8; i++) cr_assert_eq(out[i], 0x00);
    before = nor_time_us(dev);
    cr_assert_eq(nor_erase(dev, 0x4000), NOR_OK);
    cr_assert_eq(nor_time_us(dev) - before, 250000);
    before = nor_time_us(dev);
    cr_assert_eq(nor_erase(dev, 0xE0000), NOR_OK);
    cr_assert_eq(nor_time_us(dev) - before, 1000000);
    nor_destroy(dev);
}

Test(erase, counts_per_sector_and_stats) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, 1);
    for (int i = 0; i < 3; i++) cr_assert_eq(nor_erase(dev, 256), NOR_OK);
    cr_assert_eq(nor_erase(dev, 768), NOR_OK);
    cr_assert_eq(nor_erase_count(dev, 0), 0);
    cr_assert_eq(nor_erase_count(dev, 1), 3);
    cr_assert_eq(nor_erase_count(dev, 3), 1);
    cr_assert_eq(nor_erase_count(dev, 99), 0);
    nor_stats st;
    nor_get_stats(dev, &st);
    cr_assert_eq(st.erase_calls, 4);
    cr_assert_eq(st.erase_min, 0);
    cr_assert_eq(st.erase_max, 3);
    cr_assert_float_eq(st.erase_mean, 1.0, 1e-9);
    nor_reset_stats(dev);
    nor_get_stats(dev, &st);
    cr_assert_eq(st.erase_calls, 0);
    cr_assert_eq(st.erase_max, 3); /* erase counts stay */
    cr_assert_gt(st.time_us, 0);   /* and so does the clock */
    nor_destroy(dev);
}

Test(erase, erase_restores_erased_value_and_write_counts) {
    nor_config cfg = test_config(4, NOR_WRITES_LIMITED, 1, false);
    nor *dev = test_create(&cfg, 1);
    uint8_t word[4] = {0x12, 0x34, 0x56, 0x78};
    cr_assert_eq(nor_program(dev, 260, word, 4), NOR_OK);
    cr_assert_eq(nor_program(dev, 260, word, 4), NOR_E_WRITE_COUNT);
    cr_assert_eq(nor_erase(dev, 256), NOR_OK);
    uint8_t out[256];
    nor_read(dev, 256, out, 256);
    for (int i = 0; i < 256; i++) cr_assert_eq(out[i], 0xFF);
    cr_assert_eq(nor_program(dev, 260, word, 4), NOR_OK);
    nor_destroy(dev);
}

static nor_config worn_config(uint32_t fail_ppm) {
    nor_config cfg = test_tiny_config();
    cfg.wear = (nor_wear){.endurance = 10, .fail_ppm_per_cycle = fail_ppm};
    return cfg;
}

Test(erase, no_wear_out_within_endurance) {
    nor_config cfg = worn_config(1000000);
    nor *dev = test_create(&cfg, 1);
    uint8_t zero[16] = {0};
    for (int i = 0; i < 11; i++) {
        cr_assert_eq(nor_program(dev, 0, zero, 16), NOR_OK);
        cr_assert_eq(nor_erase(dev, 0), NOR_OK, "erase %d", i);
    }
    nor_stats st;
    nor_get_stats(dev, &st);
    cr_assert_eq(st.worn_failures, 0);
    nor_destroy(dev);
}

Test(erase, wear_out_past_endurance_always_fails_at_certainty) {
    /* 11 erases: count 11 > endurance 10, probability (11-10)*1e6 ppm = 1. */
    nor_config cfg = worn_config(1000000);
    nor *dev = test_create(&cfg, 3);
    for (int i = 0; i < 11; i++) nor_erase(dev, 0);
    nor_stats st;
    nor_get_stats(dev, &st);
    cr_assert_eq(st.worn_failures, 0);
    uint8_t zero[256] = {0};
    cr_assert_eq(nor_program(dev, 0, zero, 256), NOR_E_WORN);
    uint8_t stored[256];
    nor_peek(dev, 0, stored, 256);
    int programmed = 0;
    for (int i = 0; i < 256; i++) programmed += 8 - test_popcount8(stored[i]);
    cr_assert(programmed > 0 && programmed < 2048, "a strict subset: %d bits", programmed);
    int worn_erases = 0, stuck_erases = 0;
    for (int i = 0; i < 20; i++) {
        int rc = nor_erase(dev, 0);
        nor_peek(dev, 0, stored, 256);
        int zeros = 0;
        for (int j = 0; j < 256; j++) zeros += 8 - test_popcount8(stored[j]);
        if (rc == NOR_E_WORN)
            worn_erases++;
        else {
            cr_assert_eq(rc, NOR_OK);
            stuck_erases++;
            /* Every earlier stuck bit stays programmed: at least one bit reads programmed. */
            cr_assert_geq(zeros, 1);
        }
    }
    cr_assert_gt(worn_erases, 0);
    cr_assert_gt(stuck_erases, 0);
    nor_get_stats(dev, &st);
    cr_assert_eq(st.worn_failures, 21);
    /* Other sectors are not worn. */
    cr_assert_eq(nor_program(dev, 256, zero, 256), NOR_OK);
    nor_destroy(dev);
}

Test(erase, wear_out_probability_grows_with_cycles) {
    /* 100000 ppm per cycle: 10% failure chance at count 11, 60% at count 16. */
    nor_config cfg = worn_config(100000);
    nor *dev = test_create(&cfg, 11);
    for (int i = 0; i < 11; i++) nor_erase(dev, 0);
    for (int i = 0; i < 16; i++) nor_erase(dev, 512);
    cr_assert_eq(nor_erase_count(dev, 0), 11);
    cr_assert_eq(nor_erase_count(dev, 2), 16);
    uint8_t zero[1] = {0};
    int low = 0, high = 0;
    for (int i = 0; i < 400; i++) {
        low += nor_program(dev, (uint32_t)(i % 256), zero, 1) == NOR_E_WORN;
        high += nor_program(dev, 512 + (uint32_t)(i % 256), zero, 1) == NOR_E_WORN;
    }
    cr_assert(low > 15 && low < 70, "count 11: %d of 400", low);
    cr_assert(high > 200 && high < 280, "count 16: %d of 400", high);
    nor_destroy(dev);
}
