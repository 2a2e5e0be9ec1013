/* The partition table and raw access (engine/include/nbs_part.h) on NOR model presets: each
 * check of the table with its error and the partition it names, iteration, open modes, status,
 * reads clamped to the end, writes and erases with their argument rules, and the flash's rules
 * underneath (AND programming, an ECC word written twice). */
#include "nbs_nor.h"
#include "nbs_part.h"

#include <criterion/criterion.h>
#include <string.h>

typedef struct part_fixture {
    nor *dev;
    nbs_nor binding;
    nbs_sector_run runs[NOR_MAX_REGIONS];
    nbs_device device;
    nbs_part_table table;
} part_fixture;

static void fixture_open(part_fixture *f, const char *preset, const nbs_partition *parts,
                         uint32_t count) {
    memset(f, 0, sizeof *f);
    cr_assert_eq(nor_create(&f->dev, nor_preset_find(preset), 1), NOR_OK);
    cr_assert_eq(nbs_nor_bind_device(&f->binding, f->dev, f->runs, &f->device), NBS_OK);
    f->table = (nbs_part_table){&f->device, parts, count};
}

static nor_stats stats_of(const nor *dev) {
    nor_stats s;
    nor_get_stats(dev, &s);
    return s;
}

static void fixture_close(part_fixture *f) {
    nor_destroy(f->dev);
}

/* A device with one partition "p" of `size` bytes from 0, opened in r+. */
static void open_one(part_fixture *f, nbs_partition *p, const char *preset, uint32_t size,
                     nbs_raw *raw) {
    *p = (nbs_partition){"p", 0, size, false};
    fixture_open(f, preset, p, 1);
    cr_assert_eq(nbs_raw_open(raw, &f->table, "p", true), NBS_OK);
}

/* tiny: 4 sectors of 256 bytes. */
static int check_tiny(const nbs_partition *parts, uint32_t count, nbs_part_problem *problem) {
    part_fixture f;
    fixture_open(&f, "tiny", parts, count);
    int rc = nbs_part_check(&f.table, problem);
    fixture_close(&f);
    return rc;
}

Test(partitions, a_good_table_checks) {
    nbs_partition parts[] = {{"boot", 0, 256, true}, {"data", 256, 512, false}};
    cr_assert_eq(check_tiny(parts, 2, NULL), NBS_OK);
    cr_assert_eq(check_tiny(parts, 0, NULL), NBS_OK);
}

Test(partitions, each_problem_has_its_code_and_partition) {
    struct {
        nbs_partition second;
        int rc;
        uint32_t other;
    } cases[] = {
        {{"", 256, 256, false}, NBS_E_PART_NAME, 1},
        {{"a name", 256, 256, false}, NBS_E_PART_NAME, 1},
        {{"seventeen-bytes-x", 256, 256, false}, NBS_E_PART_NAME, 1},
        {{"boot", 256, 256, false}, NBS_E_PART_NAME, 0},
        {{"data", 256, 0, false}, NBS_E_RANGE, 1},
        {{"data", 768, 512, false}, NBS_E_RANGE, 1},
        {{"data", 300, 212, false}, NBS_E_ALIGN, 1},
        {{"data", 256, 200, false}, NBS_E_ALIGN, 1},
        {{"data", 0, 512, false}, NBS_E_PART_OVERLAP, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        nbs_partition parts[] = {{"boot", 0, 256, true}, cases[i].second};
        nbs_part_problem problem = {99, 99};
        cr_expect_eq(check_tiny(parts, 2, &problem), cases[i].rc, "case %zu: %d", i,
                     check_tiny(parts, 2, NULL));
        cr_expect_eq(problem.index, 1, "case %zu", i);
        cr_expect_eq(problem.other, cases[i].other, "case %zu", i);
    }
}

Test(partitions, a_bad_device_is_a_geometry_error) {
    part_fixture f;
    fixture_open(&f, "tiny", NULL, 0);
    f.device.flash.size += 256; /* the runs no longer add up */
    cr_expect_eq(nbs_part_check(&f.table, NULL), NBS_E_GEOMETRY);
    f.device.flash.size -= 256;
    f.device.flash.write_unit = 3;
    cr_expect_eq(nbs_part_check(&f.table, NULL), NBS_E_GEOMETRY);
    f.device.flash.write_unit = 1;
    f.device.flash.start = 256; /* the device starts at 0 */
    cr_expect_eq(nbs_part_check(&f.table, NULL), NBS_E_GEOMETRY);
    f.device.flash.start = 0;
    cr_expect_eq(nbs_part_check(&f.table, NULL), NBS_OK);
    f.device.flash.write_unit = 512; /* a power of two, but over 32 (and over a sector) */
    cr_expect_eq(nbs_part_check(&f.table, NULL), NBS_E_GEOMETRY);
    f.device.flash.write_unit = 1;
    uint32_t runs = f.device.sector_runs;
    f.device.sector_runs = 0;
    cr_expect_eq(nbs_part_check(&f.table, NULL), NBS_E_GEOMETRY);
    f.device.sector_runs = runs;
    fixture_close(&f);
}

Test(partitions, iteration_in_table_order_and_lookup) {
    nbs_partition parts[] = {{"b", 512, 256, false}, {"a", 0, 256, false}};
    part_fixture f;
    fixture_open(&f, "tiny", parts, 2);
    uint32_t cursor = 0;
    const nbs_partition *p;
    cr_assert_eq(nbs_part_next(&f.table, &cursor, &p), NBS_OK);
    cr_expect_str_eq(p->name, "b");
    cr_assert_eq(nbs_part_next(&f.table, &cursor, &p), NBS_OK);
    cr_expect_str_eq(p->name, "a");
    cr_expect_eq(nbs_part_next(&f.table, &cursor, &p), NBS_E_END);
    cr_expect_eq(nbs_part_find(&f.table, "a", &p), NBS_OK);
    cr_expect_eq(p->start, 0);
    cr_expect_eq(nbs_part_find(&f.table, "c", &p), NBS_E_PART_NAME);
    fixture_close(&f);
}

Test(partitions, open_modes_and_status) {
    /* stm32f4: 4 x 16 KiB, 64 KiB, 7 x 128 KiB. */
    nbs_partition parts[] = {{"small", 0, 64 * 1024, true},
                             {"mixed", 64 * 1024, 192 * 1024, false},
                             {"big", 256 * 1024, 256 * 1024, false}};
    part_fixture f;
    fixture_open(&f, "stm32f4-1m", parts, 3);
    cr_assert_eq(nbs_part_check(&f.table, NULL), NBS_OK);
    nbs_raw raw;
    nbs_raw_status st;
    cr_expect_eq(nbs_raw_open(&raw, &f.table, "nope", false), NBS_E_PART_NAME);
    cr_expect_eq(nbs_raw_open(&raw, &f.table, "small", true), NBS_E_READ_ONLY);
    cr_expect_eq(nbs_raw_open(&raw, &f.table, "mixed", false), NBS_E_GEOMETRY);
    cr_expect_eq(nbs_raw_status_get(&raw, &st), NBS_E_INVAL, "a failed open leaves it closed");
    cr_assert_eq(nbs_raw_open(&raw, &f.table, "small", false), NBS_OK);
    cr_assert_eq(nbs_raw_status_get(&raw, &st), NBS_OK);
    cr_expect_eq(st.size, 64 * 1024);
    cr_expect_eq(st.block_length, 16 * 1024);
    cr_expect_eq(st.blocks, 4);
    cr_expect_eq(st.erase_value, 0xFF);
    cr_expect_eq(st.write_align, 4);
    cr_assert_eq(nbs_raw_open(&raw, &f.table, "big", true), NBS_OK);
    cr_assert_eq(nbs_raw_status_get(&raw, &st), NBS_OK);
    cr_expect_eq(st.block_length, 128 * 1024);
    cr_expect_eq(st.blocks, 2);
    nbs_raw_close(&raw);
    uint32_t got;
    f.device.flash.erase = NULL; /* a table that is only checked may have no callbacks */
    cr_expect_eq(nbs_part_check(&f.table, NULL), NBS_OK);
    cr_expect_eq(nbs_raw_open(&raw, &f.table, "big", true), NBS_E_INVAL);
    cr_expect_eq(nbs_raw_read(&raw, 0, &got, 0, &got), NBS_E_INVAL, "closed");
    fixture_close(&f);
}

Test(partitions, reads_clamp_to_the_end) {
    nbs_partition parts[] = {{"p", 256, 256, false}, {"q", 512, 256, false}};
    part_fixture f;
    fixture_open(&f, "tiny", parts, 2);
    nbs_raw raw;
    cr_assert_eq(nbs_raw_open(&raw, &f.table, "p", true), NBS_OK);
    uint8_t data[4] = {1, 2, 3, 4}, buf[64];
    cr_assert_eq(nbs_raw_write(&raw, 252, data, 4), NBS_OK);
    uint32_t got = 99;
    cr_expect_eq(nbs_raw_read(&raw, 250, buf, 64, &got), NBS_OK);
    cr_expect_eq(got, 6);
    cr_expect_eq(buf[0], 0xFF);
    cr_expect_eq(memcmp(buf + 2, data, 4), 0);
    cr_expect_eq(nbs_raw_read(&raw, 256, buf, 64, &got), NBS_OK);
    cr_expect_eq(got, 0);
    cr_expect_eq(nbs_raw_read(&raw, 257, buf, 64, &got), NBS_E_RANGE);
    fixture_close(&f);
}

Test(partitions, write_rules) {
    nbs_partition part;
    part_fixture f;
    nbs_raw raw;
    open_one(&f, &part, "stm32f4-1m", 64 * 1024, &raw);
    uint8_t data[8] = {0xF0, 0xF0, 0xF0, 0xF0, 0x0F, 0x0F, 0x0F, 0x0F}, buf[8];
    cr_assert_eq(nbs_raw_open(&raw, &f.table, "p", false), NBS_OK);
    cr_expect_eq(nbs_raw_write(&raw, 0, data, 4), NBS_E_READ_ONLY);
    cr_expect_eq(nbs_raw_erase(&raw, 0, 1), NBS_E_READ_ONLY);
    cr_assert_eq(nbs_raw_open(&raw, &f.table, "p", true), NBS_OK);
    cr_expect_eq(nbs_raw_write(&raw, 64 * 1024 - 4, data, 8), NBS_E_RANGE);
    cr_expect_eq(nbs_raw_write(&raw, 2, data, 4), NBS_E_ALIGN);
    cr_expect_eq(nbs_raw_write(&raw, 0, data, 6), NBS_E_ALIGN);
    cr_expect_eq(stats_of(f.dev).program_calls, 0, "refusals write nothing");
    /* Programming ANDs: F0 then 0F reads 00. */
    cr_assert_eq(nbs_raw_write(&raw, 0, data, 4), NBS_OK);
    cr_assert_eq(nbs_raw_write(&raw, 0, data + 4, 4), NBS_OK);
    uint32_t got;
    cr_assert_eq(nbs_raw_read(&raw, 0, buf, 4, &got), NBS_OK);
    cr_expect_eq(buf[0], 0x00);
    cr_expect_eq(buf[3], 0x00);
    fixture_close(&f);
}

Test(partitions, erase_argument_rules) {
    nbs_partition parts[] = {{"p", 256, 512, false}};
    part_fixture f;
    fixture_open(&f, "tiny", parts, 1);
    nbs_raw raw;
    cr_assert_eq(nbs_raw_open(&raw, &f.table, "p", true), NBS_OK);
    cr_expect_eq(nbs_raw_erase(&raw, -1, 1), NBS_E_RANGE);
    cr_expect_eq(nbs_raw_erase(&raw, 2, 3), NBS_E_RANGE);
    cr_expect_eq(nbs_raw_erase(&raw, 1, 1), NBS_E_RANGE);
    cr_expect_eq(nbs_raw_erase(&raw, 0, 3), NBS_E_RANGE);
    cr_expect_eq(stats_of(f.dev).erase_calls, 0);
    uint8_t zero[4] = {0}, buf[4];
    cr_assert_eq(nbs_raw_write(&raw, 256, zero, 4), NBS_OK);
    cr_assert_eq(nbs_raw_erase(&raw, 1, 2), NBS_OK);
    uint32_t got;
    cr_assert_eq(nbs_raw_read(&raw, 256, buf, 4, &got), NBS_OK);
    cr_expect_eq(buf[0], 0xFF);
    cr_expect_eq(nor_erase_count(f.dev, 2), 1, "block 1 of p is sector 2");
    cr_assert_eq(nbs_raw_erase(&raw, 0, 2), NBS_OK);
    cr_expect_eq(nor_erase_count(f.dev, 1), 1);
    cr_expect_eq(nor_erase_count(f.dev, 2), 2);
    cr_expect_eq(nor_erase_count(f.dev, 3), 0);
    fixture_close(&f);
}

Test(partitions, an_ecc_word_written_twice_reads_an_ecc_error) {
    nbs_partition part;
    part_fixture f;
    nbs_raw raw;
    open_one(&f, &part, "stm32h7-2m", 128 * 1024, &raw);
    uint8_t word[32], buf[32];
    memset(word, 0x5A, sizeof word);
    uint32_t got;
    cr_assert_eq(nbs_raw_write(&raw, 32, word, 32), NBS_OK);
    cr_expect_eq(nbs_raw_read(&raw, 32, buf, 32, &got), NBS_OK);
    cr_assert_eq(nbs_raw_write(&raw, 32, word, 32), NBS_OK);
    cr_expect_eq(nbs_raw_read(&raw, 32, buf, 32, &got), NBS_E_ECC);
    cr_expect_eq(nbs_raw_read(&raw, 0, buf, 32, &got), NBS_OK, "the word before is intact");
    cr_assert_eq(nbs_raw_erase(&raw, 0, 1), NBS_OK);
    cr_expect_eq(nbs_raw_read(&raw, 32, buf, 32, &got), NBS_OK, "an erase mends it");
    fixture_close(&f);
}

Test(partitions, each_error_has_its_own_message) {
    cr_expect_str_eq(nbs_strerror(NBS_E_PART_OVERLAP), "partitions overlap");
    cr_expect_str_eq(nbs_strerror(NBS_E_ALIGN), "not aligned to a sector or the write unit");
    cr_expect_str_eq(nbs_strerror(NBS_E_PART_NAME), "partition name bad, repeated or unknown");
    cr_expect_str_eq(nbs_strerror(NBS_E_RANGE), "outside the partition or the device");
}
