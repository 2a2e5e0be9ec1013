/* Timing arithmetic: a program costs its chunks times program_us plus program_ns_per_byte for
 * every byte sent; a read costs read_ns_per_call plus read_ns_per_byte per byte; the SPI
 * presets carry bus figures, the internal-flash ones none. */
#include "nor_test_util.h"

static nor_config timed_config(uint32_t page_size) {
    nor_config cfg = test_config(4, NOR_WRITES_UNLIMITED, 0, false);
    cfg.page_size = page_size;
    cfg.timing = (nor_timing){.program_us_typ = 10,
                              .program_us_max = 10,
                              .erase_us_typ = 100,
                              .erase_us_max = 100,
                              .read_ns_per_byte = 250,
                              .program_ns_per_byte = 125,
                              .read_ns_per_call = 700};
    return cfg;
}

Test(timing, program_costs_chunks_and_bytes_sent) {
    nor_config cfg = timed_config(0);
    nor *dev = test_create(&cfg, 1);
    uint8_t data[300] = {0};
    cr_assert_eq(nor_program(dev, 0, data, 16), NOR_OK); /* 4 units: 40 us + 16 x 125 ns */
    cr_assert_eq(nor_time_us(dev), 42);
    cr_assert_eq(nor_program(dev, 16, data, 8), NOR_OK); /* 20 us + 1000 ns */
    cr_assert_eq(nor_time_us(dev), 63);
    nor_destroy(dev);

    /* An SPI page program: one chunk, but every byte sent costs (300 wrap to the last 256). */
    cfg = timed_config(256);
    dev = test_create(&cfg, 1);
    cr_assert_eq(nor_program(dev, 0, data, 300), NOR_OK);
    cr_assert_eq(nor_time_us(dev), 10 + 300 * 125 / 1000);
    nor_destroy(dev);
}

Test(timing, read_costs_per_call_and_per_byte) {
    nor_config cfg = timed_config(0);
    nor *dev = test_create(&cfg, 1);
    uint8_t out[16];
    cr_assert_eq(nor_read(dev, 0, out, 12), NOR_OK); /* 700 + 3000 ns */
    cr_assert_eq(nor_read(dev, 0, out, 1), NOR_OK);  /* 700 + 250 ns: 4650 ns in all */
    cr_assert_eq(nor_time_us(dev), 4);
    cr_assert_eq(nor_read(dev, 0, out, 0), NOR_OK); /* a call, no bytes: 5350 ns */
    cr_assert_eq(nor_time_us(dev), 5);
    nor_stats st;
    nor_get_stats(dev, &st);
    cr_assert_eq(st.read_calls, 3);
    cr_assert_eq(st.time_us, 5);
    nor_destroy(dev);
}

/* A torn program's cut lands at its point of the whole duration, bytes included. */
Test(timing, torn_program_stops_the_clock_at_its_point) {
    nor_config cfg = timed_config(0);
    nor *dev = test_create(&cfg, 1);
    nor_set_torn_modes(dev, NOR_TORN_PROG_MIDDLE, NOR_TORN_ERASE_NONE);
    uint8_t data[16] = {0};
    nor_arm_cut_after_ops(dev, 0);
    cr_assert_eq(nor_program(dev, 0, data, 16), NOR_E_POWER_OFF); /* 42 us long */
    cr_assert_eq(nor_time_us(dev), 21);
    nor_destroy(dev);
}

Test(timing, presets_carry_bus_figures) {
    for (size_t i = 0; i < nor_preset_count(); i++) {
        const nor_config *cfg = nor_preset_at(i);
        bool spi = cfg->page_size > 0;
        if (spi) {
            cr_assert_eq(cfg->timing.program_ns_per_byte, 60, "%s", cfg->name);
            cr_assert_eq(cfg->timing.read_ns_per_call, 150, "%s", cfg->name);
            cr_assert_not_null(strstr(cfg->source, "(check)"), "%s: estimates are marked",
                               cfg->name);
        } else {
            cr_assert_eq(cfg->timing.program_ns_per_byte, 0, "%s", cfg->name);
            cr_assert_eq(cfg->timing.read_ns_per_call, 0, "%s", cfg->name);
        }
        cr_assert_not(cfg->erase_preprogram, "%s", cfg->name);
    }
}
