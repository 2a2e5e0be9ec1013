/* Programming rules: AND (or OR) semantics, violations, strict mode, alignment and range
 * errors, SPI page wrap, timing of programs and reads, and the events they emit. */
#include "nor_test_util.h"

Test(program, and_semantics_keeps_programmed_bits) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, 1);
    uint8_t first[4] = {0xF0, 0x0F, 0xAA, 0xFF};
    uint8_t second[4] = {0xCC, 0xCC, 0x55, 0x00};
    cr_assert_eq(nor_program(dev, 8, first, 4), NOR_OK);
    uint8_t out[4];
    cr_assert_eq(nor_read(dev, 8, out, 4), NOR_OK);
    cr_assert_arr_eq(out, first, 4);
    nor_stats st;
    nor_get_stats(dev, &st);
    cr_assert_eq(st.violations, 0);
    /* 0xF0 AND 0xCC: the 0->1 bits of 0xCC are kept at 0, which is a violation. */
    cr_assert_eq(nor_program(dev, 8, second, 4), NOR_OK);
    cr_assert_eq(nor_read(dev, 8, out, 4), NOR_OK);
    uint8_t expect[4] = {0xC0, 0x0C, 0x00, 0x00};
    cr_assert_arr_eq(out, expect, 4);
    nor_get_stats(dev, &st);
    cr_assert_eq(st.violations, 1);
    cr_assert_eq(st.program_calls, 2);
    cr_assert_eq(st.program_bytes, 8);
    /* A pure 1->0 program is no violation. */
    uint8_t zeros[4] = {0};
    cr_assert_eq(nor_program(dev, 8, zeros, 4), NOR_OK);
    nor_get_stats(dev, &st);
    cr_assert_eq(st.violations, 1);
    nor_destroy(dev);
}

Test(program, violation_emits_event) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, 1);
    event_log log = {0};
    nor_set_event_fn(dev, test_record_event, &log);
    uint8_t a = 0x0F, b = 0xF0;
    nor_program(dev, 0, &a, 1);
    nor_program(dev, 0, &b, 1);
    cr_assert_eq(test_count_events(&log, NOR_EV_PROGRAM), 2);
    cr_assert_eq(test_count_events(&log, NOR_EV_VIOLATION), 1);
    cr_assert_eq(log.events[0].kind, NOR_EV_PROGRAM);
    cr_assert_eq(log.events[0].op_index, 0);
    cr_assert_eq(log.events[1].kind, NOR_EV_VIOLATION);
    cr_assert_eq(log.events[1].op_index, 1);
    cr_assert_eq(log.events[2].kind, NOR_EV_PROGRAM);
    cr_assert_eq(log.events[2].op_index, 1);
    cr_assert_eq(log.events[2].result, NOR_OK);
    uint8_t out;
    nor_read(dev, 0, &out, 1);
    cr_assert_eq(out, 0x00);
    cr_assert_eq(log.events[3].kind, NOR_EV_READ);
    cr_assert_eq(log.events[3].len, 1);
    nor_destroy(dev);
}

Test(program, erase_value_zero_programs_with_or) {
    nor_config cfg = test_tiny_config();
    cfg.erase_value = 0x00;
    nor *dev = test_create(&cfg, 1);
    uint8_t out[2];
    cr_assert_eq(nor_read(dev, 0, out, 2), NOR_OK);
    cr_assert_eq(out[0], 0x00);
    uint8_t a[2] = {0x0F, 0x81};
    uint8_t b[2] = {0xF0, 0x01};
    cr_assert_eq(nor_program(dev, 0, a, 2), NOR_OK);
    cr_assert_eq(nor_program(dev, 0, b, 2), NOR_OK);
    nor_read(dev, 0, out, 2);
    cr_assert_eq(out[0], 0xFF);
    /* 0x81 then 0x01 wants bit 7 back to 0: kept at 1 and counted. */
    cr_assert_eq(out[1], 0x81);
    nor_stats st;
    nor_get_stats(dev, &st);
    cr_assert_eq(st.violations, 1);
    cr_assert_eq(nor_erase(dev, 0), NOR_OK);
    nor_read(dev, 0, out, 2);
    cr_assert_eq(out[0], 0x00);
    cr_assert_eq(out[1], 0x00);
    nor_destroy(dev);
}

Test(program, strict_mode_refuses_and_writes_nothing) {
    nor_config cfg = test_tiny_config();
    cfg.strict = true;
    nor *dev = test_create(&cfg, 1);
    uint8_t a[2] = {0x00, 0xF0}, b[2] = {0x00, 0x0F};
    cr_assert_eq(nor_program(dev, 0, a, 2), NOR_OK);
    cr_assert_eq(nor_program(dev, 0, b, 2), NOR_E_VIOLATION);
    uint8_t out[2];
    nor_read(dev, 0, out, 2);
    cr_assert_arr_eq(out, a, 2);
    nor_stats st;
    nor_get_stats(dev, &st);
    cr_assert_eq(st.violations, 1);
    nor_destroy(dev);
}

Test(program, alignment_and_range_errors) {
    nor_config cfg = test_config(4, NOR_WRITES_UNLIMITED, 0, false);
    nor *dev = test_create(&cfg, 1);
    uint8_t data[8] = {0};
    cr_assert_eq(nor_program(dev, 2, data, 4), NOR_E_ALIGN);
    cr_assert_eq(nor_program(dev, 4, data, 6), NOR_E_ALIGN);
    cr_assert_eq(nor_program(dev, 1024, data, 4), NOR_E_RANGE);
    cr_assert_eq(nor_program(dev, 1020, data, 8), NOR_E_RANGE);
    cr_assert_eq(nor_program(dev, 1020, data, 4), NOR_OK);
    cr_assert_eq(nor_program(dev, 16, data, 0), NOR_OK);
    cr_assert_eq(nor_read(dev, 1020, data, 5), NOR_E_RANGE);
    cr_assert_eq(nor_read(dev, 3, data, 5), NOR_OK); /* reads need no alignment */
    cr_assert_eq(nor_erase(dev, 1024), NOR_E_RANGE);
    cr_assert_eq(nor_op_count(dev), 1);
    uint8_t out[4];
    nor_peek(dev, 16, out, 4);
    cr_assert_eq(out[0], 0xFF); /* the len 0 program did nothing */
    nor_destroy(dev);
}

Test(program, spans_sectors_without_page) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, 1);
    uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8];
    cr_assert_eq(nor_program(dev, 252, data, 8), NOR_OK);
    nor_read(dev, 252, out, 8);
    cr_assert_arr_eq(out, data, 8);
    nor_destroy(dev);
}

Test(program, spi_page_wraps_inside_page) {
    nor_config cfg = *nor_preset_find("w25q16jv");
    nor *dev = test_create(&cfg, 1);
    uint8_t data[16];
    for (int i = 0; i < 16; i++) data[i] = (uint8_t)i;
    /* 16 bytes at page offset 248: 8 land at the end of the page, 8 wrap to its start. */
    cr_assert_eq(nor_program(dev, 256 + 248, data, 16), NOR_OK);
    uint8_t out[16];
    nor_read(dev, 256 + 248, out, 8);
    cr_assert_arr_eq(out, data, 8);
    nor_read(dev, 256, out, 8);
    cr_assert_arr_eq(out, data + 8, 8);
    nor_read(dev, 512, out, 8); /* the next page is untouched */
    for (int i = 0; i < 8; i++) cr_assert_eq(out[i], 0xFF);
    nor_destroy(dev);
}

Test(program, spi_page_keeps_last_page_size_bytes) {
    nor_config cfg = *nor_preset_find("w25q16jv");
    nor *dev = test_create(&cfg, 1);
    uint8_t data[300];
    for (int i = 0; i < 300; i++) data[i] = (uint8_t)(i < 44 ? 0x00 : i);
    /* 300 bytes from offset 0: bytes 256..299 overwrite positions 0..43 in the buffer. */
    cr_assert_eq(nor_program(dev, 0, data, 300), NOR_OK);
    uint8_t page[256];
    nor_read(dev, 0, page, 256);
    for (int i = 0; i < 44; i++) cr_assert_eq(page[i], (uint8_t)(256 + i), "at %d", i);
    for (int i = 44; i < 256; i++) cr_assert_eq(page[i], (uint8_t)i, "at %d", i);
    uint8_t next;
    nor_read(dev, 256, &next, 1);
    cr_assert_eq(next, 0xFF);
    /* One page program, whatever the length, plus 60 ns per byte sent; 150 ns per read call. */
    cr_assert_eq(nor_time_us(dev), 400 + (300 * 60 + 2 * 150 + 256 * 15 + 1 * 15) / 1000);
    nor_destroy(dev);
}

Test(program, timing_modes_advance_clock) {
    nor_config cfg = test_config(4, NOR_WRITES_UNLIMITED, 0, false);
    cfg.timing = (nor_timing){.program_us_typ = 10,
                              .program_us_max = 30,
                              .erase_us_typ = 100,
                              .erase_us_max = 300,
                              .read_ns_per_byte = 250};
    nor *dev = test_create(&cfg, 1);
    uint8_t data[16] = {0};
    nor_program(dev, 0, data, 16); /* 4 write units at 10 us */
    cr_assert_eq(nor_time_us(dev), 40);
    nor_read(dev, 0, data, 6); /* 1500 ns */
    nor_read(dev, 0, data, 2); /* 500 ns: together 2 us exactly */
    cr_assert_eq(nor_time_us(dev), 42);
    nor_erase(dev, 0);
    cr_assert_eq(nor_time_us(dev), 142);
    nor_destroy(dev);

    cfg.timing.mode = NOR_TIMING_MAX;
    dev = test_create(&cfg, 1);
    nor_program(dev, 0, data, 16);
    nor_erase(dev, 256);
    cr_assert_eq(nor_time_us(dev), 4 * 30 + 300);
    nor_destroy(dev);

    cfg.timing.mode = NOR_TIMING_RANDOM;
    dev = test_create(&cfg, 7);
    bool varied = false;
    uint64_t last = 0;
    for (int i = 0; i < 20; i++) {
        uint64_t before = nor_time_us(dev);
        nor_erase(dev, 512);
        uint64_t took = nor_time_us(dev) - before;
        cr_assert(took >= 100 && took <= 300, "erase took %llu us", (unsigned long long)took);
        if (i && took != last) varied = true;
        last = took;
    }
    cr_assert(varied);
    nor_destroy(dev);
}

Test(program, peek_poke_flip_are_raw) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, 1);
    uint8_t data[3] = {0x12, 0xFF, 0x00};
    cr_assert_eq(nor_poke(dev, 10, data, 3), NOR_OK);
    cr_assert_eq(nor_flip_bit(dev, 11, 0), NOR_OK);
    cr_assert_eq(nor_flip_bit(dev, 11, 8), NOR_E_RANGE);
    uint8_t out[3];
    cr_assert_eq(nor_peek(dev, 10, out, 3), NOR_OK);
    cr_assert_eq(out[0], 0x12);
    cr_assert_eq(out[1], 0xFE);
    cr_assert_eq(out[2], 0x00);
    nor_stats st;
    nor_get_stats(dev, &st);
    cr_assert_eq(st.program_calls + st.read_calls, 0);
    cr_assert_eq(nor_op_count(dev), 0);
    nor_destroy(dev);
}

Test(program, strerror_names_every_error) {
    for (int e = NOR_OK; e >= NOR_E_IMAGE; e--) {
        cr_assert_not_null(nor_strerror(e));
        cr_assert_str_neq(nor_strerror(e), nor_strerror(1));
    }
}
