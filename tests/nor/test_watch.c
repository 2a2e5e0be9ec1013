/* The tear watch: after a cut tears a program or an erase, live reads of its range say whether
 * they saw it as intended (read_complete) and whether a byte read differently from its previous
 * read (read_changed). Restarts at each cut, stops at a cut between operations, a snapshot
 * restore and an image load, ignores peeks, and stops counting once a program or erase reaches the
 * range. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include "nor_test_util.h"

#include <stdio.h>
#include <stdlib.h>

#define RECORD 16
#define AT     256

static void fill_record(uint8_t *record) {
    for (int i = 0; i < RECORD; i++) record[i] = (uint8_t)((i * 37 + 11) ^ 0x5A);
}

static nor *tear_record(const nor_config *cfg, nor_torn_program mode, uint64_t seed) {
    nor *dev = test_create(cfg, seed);
    nor_set_torn_modes(dev, mode, NOR_TORN_ERASE_NONE);
    uint8_t record[RECORD];
    fill_record(record);
    nor_arm_cut_after_ops(dev, 0);
    cr_assert_eq(nor_program(dev, AT, record, RECORD), NOR_E_POWER_OFF);
    nor_power_on(dev);
    return dev;
}

/* The watch agrees with what the reads themselves show, tear after tear. */
Test(watch, late_tear_flags_match_the_reads) {
    nor_config cfg = test_spi_config();
    uint8_t record[RECORD];
    fill_record(record);
    int complete = 0, changed = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        nor *dev = tear_record(&cfg, NOR_TORN_PROG_LATE, seed);
        nor_tear_watch w;
        nor_get_tear_watch(dev, &w);
        cr_assert(w.active);
        cr_assert_eq(w.kind, NOR_EV_PROGRAM);
        cr_assert_eq(w.addr, AT);
        cr_assert_eq(w.len, RECORD);
        cr_assert_eq(w.reads, 0);
        cr_assert_not(w.read_complete || w.read_changed);
        uint8_t first[RECORD], again[RECORD];
        bool saw_intended = false, saw_change = false;
        nor_read(dev, AT, first, RECORD);
        saw_intended = memcmp(first, record, RECORD) == 0;
        for (int r = 0; r < 7; r++) {
            nor_read(dev, AT, again, RECORD);
            saw_intended |= memcmp(again, record, RECORD) == 0;
            saw_change |= memcmp(again, first, RECORD) != 0;
            memcpy(first, again, RECORD);
        }
        nor_get_tear_watch(dev, &w);
        cr_assert_eq(w.reads, 8);
        cr_assert_eq(w.read_complete, saw_intended, "seed %d", (int)seed);
        cr_assert_eq(w.read_changed, saw_change, "seed %d", (int)seed);
        complete += w.read_complete;
        changed += w.read_changed;
        nor_destroy(dev);
    }
    cr_log_info("300 late tears: %d read complete, %d changed", complete, changed);
    cr_assert_gt(complete, 100);
    cr_assert_gt(changed, 100);
}

/* A cut in mode none writes nothing: reads are stable and never show the record. */
Test(watch, none_tear_neither_complete_nor_changed) {
    nor_config cfg = test_tiny_config();
    nor *dev = tear_record(&cfg, NOR_TORN_PROG_NONE, 1);
    uint8_t out[RECORD];
    for (int r = 0; r < 8; r++) nor_read(dev, AT, out, RECORD);
    nor_tear_watch w;
    nor_get_tear_watch(dev, &w);
    cr_assert(w.active);
    cr_assert_eq(w.reads, 8);
    cr_assert_not(w.read_complete);
    cr_assert_not(w.read_changed);
    nor_destroy(dev);

    /* And mode full: complete and stable. */
    dev = tear_record(&cfg, NOR_TORN_PROG_FULL, 1);
    for (int r = 0; r < 8; r++) nor_read(dev, AT, out, RECORD);
    nor_get_tear_watch(dev, &w);
    cr_assert(w.read_complete);
    cr_assert_not(w.read_changed);
    nor_destroy(dev);
}

Test(watch, only_overlapping_live_reads_count) {
    nor_config cfg = test_tiny_config();
    nor *dev = tear_record(&cfg, NOR_TORN_PROG_FULL, 1);
    uint8_t out[64];
    nor_read(dev, 0, out, 64);          /* before the range */
    nor_peek(dev, AT, out, RECORD);     /* not a live read */
    nor_read(dev, AT + RECORD, out, 8); /* just after */
    nor_tear_watch w;
    nor_get_tear_watch(dev, &w);
    cr_assert_eq(w.reads, 0);
    nor_read(dev, AT + 8, out, 16); /* half inside: its bytes of the range are as intended */
    nor_get_tear_watch(dev, &w);
    cr_assert_eq(w.reads, 1);
    cr_assert(w.read_complete);
    nor_destroy(dev);
}

Test(watch, later_program_or_erase_stops_counting) {
    nor_config cfg = test_tiny_config();
    nor *dev = tear_record(&cfg, NOR_TORN_PROG_FULL, 1); /* stable reads */
    uint8_t out[RECORD], zeros[RECORD] = {0};
    nor_read(dev, AT, out, RECORD);
    cr_assert_eq(nor_program(dev, 0, zeros, RECORD), NOR_OK); /* elsewhere: still counting */
    nor_read(dev, AT, out, RECORD);
    nor_tear_watch w;
    nor_get_tear_watch(dev, &w);
    cr_assert_eq(w.reads, 2);
    cr_assert_eq(nor_erase(dev, AT), NOR_OK); /* the torn cells are gone */
    nor_read(dev, AT, out, RECORD);
    nor_get_tear_watch(dev, &w);
    cr_assert(w.active);
    cr_assert_eq(w.reads, 2);
    cr_assert_not(w.read_changed, "the erased bytes are not a reading that changed");
    nor_destroy(dev);
}

Test(watch, restarts_at_each_cut_and_stops_at_cut_now_and_restore) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, 1);
    nor_tear_watch w;
    nor_get_tear_watch(dev, &w);
    cr_assert_not(w.active);
    nor_snapshot *snap;
    cr_assert_eq(nor_snapshot_take(dev, &snap), NOR_OK);
    uint8_t record[RECORD], out[RECORD];
    fill_record(record);
    nor_program(dev, AT, record, RECORD);
    nor_set_torn_modes(dev, NOR_TORN_PROG_NONE, NOR_TORN_ERASE_LATE);
    nor_arm_cut_after_ops(dev, 0);
    cr_assert_eq(nor_erase(dev, AT), NOR_E_POWER_OFF);
    nor_power_on(dev);
    nor_get_tear_watch(dev, &w);
    cr_assert(w.active);
    cr_assert_eq(w.kind, NOR_EV_ERASE);
    cr_assert_eq(w.addr, AT);
    cr_assert_eq(w.len, 256);
    nor_read(dev, AT, out, RECORD);
    nor_set_torn_modes(dev, NOR_TORN_PROG_FULL, NOR_TORN_ERASE_NONE);
    nor_arm_cut_after_ops(dev, 0);
    cr_assert_eq(nor_program(dev, 2 * AT, record, RECORD), NOR_E_POWER_OFF);
    nor_get_tear_watch(dev, &w);
    cr_assert_eq(w.kind, NOR_EV_PROGRAM, "a new cut restarts the watch");
    cr_assert_eq(w.addr, 2 * AT);
    cr_assert_eq(w.reads, 0);
    nor_power_on(dev);
    nor_cut_now(dev);
    nor_get_tear_watch(dev, &w);
    cr_assert_not(w.active, "a cut between operations tears nothing");
    nor_power_on(dev);
    nor_arm_cut_after_ops(dev, 0);
    nor_program(dev, 3 * AT, record, RECORD);
    nor_power_on(dev);
    cr_assert_eq(nor_snapshot_restore(dev, snap), NOR_OK);
    nor_get_tear_watch(dev, &w);
    cr_assert_not(w.active, "restoring a snapshot stops the watch");
    nor_snapshot_free(snap);
    nor_destroy(dev);
}

/* A late erase: some reads see the sector erased, and weak bits change. */
Test(watch, late_erase_reads_complete_and_changed) {
    nor_config cfg = test_tiny_config();
    int complete = 0, changed = 0;
    for (uint64_t seed = 1; seed <= 100; seed++) {
        nor *dev = test_create(&cfg, seed);
        uint8_t zeros[256] = {0}, out[256];
        nor_program(dev, AT, zeros, 256);
        nor_set_torn_modes(dev, NOR_TORN_PROG_NONE, NOR_TORN_ERASE_LATE);
        nor_arm_cut_after_ops(dev, 0);
        nor_erase(dev, AT);
        nor_power_on(dev);
        for (int r = 0; r < 8; r++) nor_read(dev, AT, out, 256);
        nor_tear_watch w;
        nor_get_tear_watch(dev, &w);
        complete += w.read_complete;
        changed += w.read_changed;
        nor_destroy(dev);
    }
    cr_assert_gt(complete, 20);
    cr_assert_gt(changed, 20);
}

/* An SPI program that wraps in its page is watched over the whole page. */
Test(watch, wrapping_program_watches_its_page) {
    nor_config cfg = test_spi_config();
    nor *dev = test_create(&cfg, 1);
    nor_set_torn_modes(dev, NOR_TORN_PROG_FULL, NOR_TORN_ERASE_NONE);
    uint8_t data[32] = {0}, out[256];
    nor_arm_cut_after_ops(dev, 0);
    nor_program(dev, AT + 240, data, 32); /* 16 bytes at the end, 16 at the start */
    nor_power_on(dev);
    nor_tear_watch w;
    nor_get_tear_watch(dev, &w);
    cr_assert_eq(w.addr, AT);
    cr_assert_eq(w.len, 256);
    nor_read(dev, AT, out, 256);
    nor_get_tear_watch(dev, &w);
    cr_assert(w.read_complete, "bytes the program did not send are not judged");
    nor_destroy(dev);
}

/* A read that reports an ECC error does not count as seeing the record intact. */
Test(watch, ecc_error_read_is_not_complete) {
    nor_config cfg = test_config(8, NOR_WRITES_ONCE, 0, true);
    nor *dev = test_create(&cfg, 1);
    uint8_t word[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8];
    nor_set_torn_modes(dev, NOR_TORN_PROG_FULL, NOR_TORN_ERASE_NONE);
    nor_program(dev, AT, word, 8);
    nor_arm_cut_after_ops(dev, 0);
    nor_program(dev, AT, word, 8); /* a second program: the word's ECC breaks */
    nor_power_on(dev);
    cr_assert_eq(nor_read(dev, AT, out, 8), NOR_E_ECC);
    cr_assert_arr_eq(out, word, 8);
    nor_tear_watch w;
    nor_get_tear_watch(dev, &w);
    cr_assert_eq(w.reads, 1);
    cr_assert_not(w.read_complete);
    nor_destroy(dev);
}

/* Loading an image replaces the torn cells: the watch stops. */
Test(watch, image_load_stops_the_watch) {
    nor_config cfg = test_tiny_config();
    nor *dev = tear_record(&cfg, NOR_TORN_PROG_FULL, 1);
    char dir[] = "/tmp/nor_watch_XXXXXX", path[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/flash.bin", dir);
    cr_assert_eq(nor_image_save(dev, path), NOR_OK);
    cr_assert_eq(nor_image_load(dev, path), NOR_OK);
    nor_tear_watch w;
    nor_get_tear_watch(dev, &w);
    cr_assert_not(w.active);
    char sidecar[80];
    snprintf(sidecar, sizeof sidecar, "%s.json", path);
    remove(path);
    remove(sidecar);
    remove(dir);
    nor_destroy(dev);
}
