/* Progress tears (early, middle, late, spread): how much a cut leaves done depends on where it
 * lands, the cells at the margin read randomly, late tears of a record read as intended on
 * some reads and not on others, early ones read erased on some reads and not on others, the
 * cut's time is its point, erases move the same way (through a pre-program phase when asked),
 * and the same seed gives the same bytes. */
#include "nor_test_util.h"

#define RECORD 16
#define AT     256 /* sector 1 */

static void fill_record(uint8_t *record) {
    for (int i = 0; i < RECORD; i++) record[i] = (uint8_t)((i * 37 + 11) ^ 0x5A);
}

/* Tears a program of the record onto erased sector 1; `stored` (if given) is what the tear
 * left, peeked before power-on. The device is powered on again. */
static nor *tear_record(const nor_config *cfg, nor_torn_program mode, uint64_t seed,
                        uint8_t *stored) {
    nor *dev = test_create(cfg, seed);
    nor_set_torn_modes(dev, mode, NOR_TORN_ERASE_NONE);
    uint8_t record[RECORD];
    fill_record(record);
    nor_arm_cut_after_ops(dev, 0);
    cr_assert_eq(nor_program(dev, AT, record, RECORD), NOR_E_POWER_OFF);
    if (stored) nor_peek(dev, AT, stored, RECORD);
    nor_power_on(dev);
    return dev;
}

/* Programmed bits of the stored record, checking that only needed transitions happened. */
static int done_bits(const uint8_t *stored) {
    uint8_t record[RECORD];
    fill_record(record);
    int done = 0;
    for (int i = 0; i < RECORD; i++) {
        cr_assert_eq(stored[i] & record[i], record[i], "byte %d: %02x over %02x", i, stored[i],
                     record[i]);
        done += 8 - test_popcount8(stored[i]);
    }
    return done;
}

static int needed_bits(void) {
    uint8_t record[RECORD];
    fill_record(record);
    int n = 0;
    for (int i = 0; i < RECORD; i++) n += 8 - test_popcount8(record[i]);
    return n;
}

static double mean_done(const nor_config *cfg, nor_torn_program mode, int seeds) {
    long total = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        uint8_t stored[RECORD];
        nor_destroy(tear_record(cfg, mode, (uint64_t)seed, stored));
        total += done_bits(stored);
    }
    return (double)total / seeds;
}

static void check_monotonic(const nor_config *cfg) {
    double needed = needed_bits();
    double early = mean_done(cfg, NOR_TORN_PROG_EARLY, 200);
    double middle = mean_done(cfg, NOR_TORN_PROG_MIDDLE, 200);
    double late = mean_done(cfg, NOR_TORN_PROG_LATE, 200);
    double spread = mean_done(cfg, NOR_TORN_PROG_SPREAD, 200);
    cr_log_info("%s: %g needed, early %g, middle %g, late %g, spread %g", cfg->name, needed, early,
                middle, late, spread);
    cr_assert_lt(early, middle);
    cr_assert_lt(middle, late);
    cr_assert_lt(early, needed * 0.1, "an early cut leaves a few bits done at most");
    cr_assert(middle > needed * 0.35 && middle < needed * 0.65, "about half at the middle");
    cr_assert_gt(late, needed * 0.95, "a late cut leaves all but a few bits done");
    cr_assert(spread > early && spread < late, "a seeded point lands anywhere");
}

Test(progress, later_cuts_leave_more_bits_done_internal_flash) {
    nor_config cfg = test_tiny_config(); /* units programmed one after another */
    check_monotonic(&cfg);
}

Test(progress, later_cuts_leave_more_bits_done_spi_page) {
    nor_config cfg = test_spi_config(); /* every bit of the page at once */
    check_monotonic(&cfg);
}

/* Over 8 reads after the tear: did some read return `want` exactly, and did the reads differ? */
static void read_eight(nor *dev, const uint8_t *want, bool *some_equal, bool *some_differ) {
    uint8_t first[RECORD], again[RECORD];
    nor_read(dev, AT, first, RECORD);
    *some_equal = memcmp(first, want, RECORD) == 0;
    *some_differ = false;
    for (int r = 1; r < 8; r++) {
        nor_read(dev, AT, again, RECORD);
        *some_equal |= memcmp(again, want, RECORD) == 0;
        *some_differ |= memcmp(again, first, RECORD) != 0;
    }
}

/* The defining property: a late tear leaves a record that reads exactly as intended on some
 * reads and differently on others (the record that reads valid at first boot and not later). */
static void check_late_reads_flip(const nor_config *cfg) {
    uint8_t record[RECORD];
    fill_record(record);
    int flipping = 0;
    for (int seed = 1; seed <= 1000; seed++) {
        nor *dev = tear_record(cfg, NOR_TORN_PROG_LATE, (uint64_t)seed, NULL);
        bool intended, differ;
        read_eight(dev, record, &intended, &differ);
        flipping += intended && differ;
        nor_destroy(dev);
    }
    cr_log_info("%s: %d of 1000 late tears read as intended and otherwise", cfg->name, flipping);
    cr_assert_gt(flipping, 200);
}

Test(progress, late_tears_read_intended_on_some_reads_and_not_on_others) {
    nor_config tiny = test_tiny_config(), spi = test_spi_config();
    check_late_reads_flip(&tiny);
    check_late_reads_flip(&spi);
}

static void check_early_reads_flip(const nor_config *cfg) {
    uint8_t erased[RECORD];
    memset(erased, 0xFF, RECORD);
    int flipping = 0;
    for (int seed = 1; seed <= 1000; seed++) {
        nor *dev = tear_record(cfg, NOR_TORN_PROG_EARLY, (uint64_t)seed, NULL);
        bool reads_erased, differ;
        read_eight(dev, erased, &reads_erased, &differ);
        flipping += reads_erased && differ;
        nor_destroy(dev);
    }
    cr_log_info("%s: %d of 1000 early tears read erased and otherwise", cfg->name, flipping);
    cr_assert_gt(flipping, 200);
}

Test(progress, early_tears_read_erased_on_some_reads_and_not_on_others) {
    nor_config tiny = test_tiny_config(), spi = test_spi_config();
    check_early_reads_flip(&tiny);
    check_early_reads_flip(&spi);
}

/* 1 to 3 margin bits per program: weak bits read randomly, so some vary over many reads. */
Test(progress, program_margin_is_one_to_three_weak_bits) {
    nor_config cfg = test_spi_config();
    int total = 0, most = 0;
    for (int seed = 1; seed <= 300; seed++) {
        nor *dev = tear_record(&cfg, NOR_TORN_PROG_MIDDLE, (uint64_t)seed, NULL);
        int varying = test_varying_bits(dev, AT, RECORD, 64);
        total += varying;
        if (varying > most) most = varying;
        nor_destroy(dev);
    }
    cr_assert_leq(most, 3);
    /* 2 on average, less the quarter that settles at power-on. */
    cr_assert(total > 300 && total < 600, "%d weak bits over 300 tears", total);
}

/* Internal flash programs unit after unit: at the middle of a 4-unit program the first two
 * units are done and the last two untouched, but for the margin bits at the boundary. */
Test(progress, internal_flash_units_move_one_after_another) {
    nor_config cfg = test_config(4, NOR_WRITES_UNLIMITED, 0, false);
    uint8_t record[RECORD];
    fill_record(record);
    for (int seed = 1; seed <= 50; seed++) {
        uint8_t stored[RECORD];
        nor_destroy(tear_record(&cfg, NOR_TORN_PROG_MIDDLE, (uint64_t)seed, stored));
        int wrong_early = 0, wrong_late = 0;
        for (int i = 0; i < 8; i++) wrong_early += test_popcount8(stored[i] ^ record[i]);
        for (int i = 8; i < RECORD; i++) wrong_late += test_popcount8(stored[i] ^ 0xFF);
        cr_assert_leq(wrong_early + wrong_late, 3, "seed %d: only margin bits differ", seed);
    }
}

/* A cut by count lands at the mode's point: the clock stops there. */
Test(progress, cut_time_is_the_point_of_the_duration) {
    nor_config cfg = test_tiny_config();
    cfg.timing.program_us_typ = cfg.timing.program_us_max = 1000; /* 16 ms for the record */
    static const struct {
        nor_torn_program mode;
        uint64_t from_us, to_us;
    } cases[] = {
        {NOR_TORN_PROG_BITS, 8000, 8000}, {NOR_TORN_PROG_MIDDLE, 8000, 8000},
        {NOR_TORN_PROG_EARLY, 800, 2400}, {NOR_TORN_PROG_LATE, 13600, 15200},
        {NOR_TORN_PROG_SPREAD, 0, 16000},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int seed = 1; seed <= 20; seed++) {
            nor *dev = tear_record(&cfg, cases[c].mode, (uint64_t)seed, NULL);
            uint64_t t = nor_time_us(dev);
            cr_assert(t >= cases[c].from_us && t <= cases[c].to_us, "%s: cut at %llu us",
                      nor_torn_program_name(cases[c].mode), (unsigned long long)t);
            nor_destroy(dev);
        }
}

/* A cut armed by time lands where the time says, whatever the mode's own point. */
Test(progress, cut_by_time_uses_the_time_as_point) {
    nor_config cfg = test_tiny_config();
    cfg.timing.program_us_typ = cfg.timing.program_us_max = 1000;
    uint8_t record[RECORD];
    fill_record(record);
    for (int seed = 1; seed <= 20; seed++) {
        nor *dev = test_create(&cfg, (uint64_t)seed);
        nor_set_torn_modes(dev, NOR_TORN_PROG_LATE, NOR_TORN_ERASE_NONE);
        nor_arm_cut_at_time(dev, 100); /* in the set-up: no cell moved */
        cr_assert_eq(nor_program(dev, AT, record, RECORD), NOR_E_POWER_OFF);
        uint8_t stored[RECORD];
        nor_peek(dev, AT, stored, RECORD);
        cr_assert_eq(done_bits(stored), 0);
        nor_destroy(dev);

        dev = test_create(&cfg, (uint64_t)seed);
        nor_set_torn_modes(dev, NOR_TORN_PROG_EARLY, NOR_TORN_ERASE_NONE);
        nor_arm_cut_at_time(dev, 15900); /* in the verify: every cell done */
        cr_assert_eq(nor_program(dev, AT, record, RECORD), NOR_E_POWER_OFF);
        nor_peek(dev, AT, stored, RECORD);
        cr_assert_arr_eq(stored, record, RECORD);
        nor_destroy(dev);
    }
}

/* ---- erases ---------------------------------------------------------------------------- */

#define SECTOR 256

/* Sector 1 programmed with a pattern (every byte has programmed bits), then its erase torn;
 * `before` and `after` are the stored bits around the tear. */
static nor *tear_erase(const nor_config *cfg, nor_torn_erase mode, uint64_t seed, uint8_t *before,
                       uint8_t *after) {
    nor *dev = test_create(cfg, seed);
    uint8_t data[SECTOR];
    for (int i = 0; i < SECTOR; i++) data[i] = (uint8_t)((i * 37) & 0x7F);
    cr_assert_eq(nor_program(dev, SECTOR, data, SECTOR), NOR_OK);
    nor_peek(dev, SECTOR, before, SECTOR);
    nor_set_torn_modes(dev, NOR_TORN_PROG_NONE, mode);
    nor_arm_cut_after_ops(dev, 0);
    cr_assert_eq(nor_erase(dev, SECTOR), NOR_E_POWER_OFF);
    nor_peek(dev, SECTOR, after, SECTOR);
    nor_power_on(dev);
    return dev;
}

static int programmed_bits(const uint8_t *bytes) {
    int n = 0;
    for (int i = 0; i < SECTOR; i++) n += 8 - test_popcount8(bytes[i]);
    return n;
}

static double mean_left(const nor_config *cfg, nor_torn_erase mode) {
    long left = 0;
    for (int seed = 1; seed <= 100; seed++) {
        uint8_t before[SECTOR], after[SECTOR];
        nor_destroy(tear_erase(cfg, mode, (uint64_t)seed, before, after));
        /* Without pre-program, bits only move towards erased. */
        for (int i = 0; i < SECTOR; i++) cr_assert_eq(after[i] & before[i], before[i]);
        left += programmed_bits(after);
    }
    return (double)left / 100;
}

Test(progress, later_erase_cuts_leave_fewer_bits_programmed) {
    nor_config cfg = test_tiny_config();
    uint8_t before[SECTOR], after[SECTOR];
    nor_destroy(tear_erase(&cfg, NOR_TORN_ERASE_FULL, 1, before, after));
    double programmed = programmed_bits(before);
    double early = mean_left(&cfg, NOR_TORN_ERASE_EARLY);
    double middle = mean_left(&cfg, NOR_TORN_ERASE_MIDDLE);
    double late = mean_left(&cfg, NOR_TORN_ERASE_LATE);
    cr_log_info("%g programmed; left: early %g, middle %g, late %g", programmed, early, middle,
                late);
    cr_assert_gt(early, programmed * 0.9, "an early cut erases a few bits at most");
    cr_assert(middle > programmed * 0.35 && middle < programmed * 0.65);
    cr_assert_lt(late, programmed * 0.05, "a late cut leaves all but a few bits erased");
}

/* A late erase of a sector reads erased on some reads and differently on others. */
Test(progress, late_erase_reads_erased_on_some_reads_and_not_on_others) {
    nor_config cfg = test_tiny_config();
    int flipping = 0;
    for (int seed = 1; seed <= 300; seed++) {
        uint8_t before[SECTOR], after[SECTOR], first[SECTOR], again[SECTOR];
        nor *dev = tear_erase(&cfg, NOR_TORN_ERASE_LATE, (uint64_t)seed, before, after);
        bool some_erased = false, differ = false;
        nor_read(dev, SECTOR, first, SECTOR);
        for (int r = 0; r < 8; r++) {
            nor_read(dev, SECTOR, again, SECTOR);
            differ |= memcmp(first, again, SECTOR) != 0;
            bool erased = true;
            for (int i = 0; i < SECTOR; i++) erased &= again[i] == 0xFF;
            some_erased |= erased;
        }
        flipping += some_erased && differ;
        nor_destroy(dev);
    }
    cr_assert_gt(flipping, 60, "%d of 300", flipping);
}

/* The margin of an erase: one bit in 2048 of those that move, at least one. */
Test(progress, erase_margin_scales_with_the_bits_that_move) {
    nor_config cfg = *nor_preset_find("w25q16jv");
    int most = 0;
    long total = 0;
    for (int seed = 1; seed <= 20; seed++) {
        nor *dev = test_create(&cfg, (uint64_t)seed);
        uint8_t zeros[256] = {0};
        for (uint32_t a = 0; a < 4096; a += 256) nor_program(dev, a, zeros, 256);
        nor_set_torn_modes(dev, NOR_TORN_PROG_NONE, NOR_TORN_ERASE_LATE);
        nor_arm_cut_after_ops(dev, 0);
        nor_erase(dev, 0);
        nor_power_on(dev);
        int weak = 0;
        for (uint32_t a = 0; a < 4096; a += 256) weak += test_varying_bits(dev, a, 256, 32);
        total += weak;
        if (weak > most) most = weak;
        nor_destroy(dev);
    }
    /* 32768 bits move: 16 margin bits, a quarter of which settle at power-on. */
    cr_assert_leq(most, 16);
    cr_assert_gt(total, 20 * 8, "%ld weak bits over 20 tears", total);
}

Test(progress, preprogram_early_cut_leaves_more_bits_programmed) {
    nor_config cfg = test_tiny_config();
    cfg.erase_preprogram = true;
    long gained = 0;
    for (int seed = 1; seed <= 50; seed++) {
        uint8_t before[SECTOR], after[SECTOR];
        nor_destroy(tear_erase(&cfg, NOR_TORN_ERASE_EARLY, (uint64_t)seed, before, after));
        /* The pre-program phase only programs: nothing erased yet. */
        for (int i = 0; i < SECTOR; i++) cr_assert_eq(after[i] & before[i], after[i]);
        gained += programmed_bits(after) - programmed_bits(before);
    }
    cr_assert_gt(gained, 50 * 10, "%ld bits programmed by 50 early cuts", gained);
}

Test(progress, preprogram_middle_cut_finds_every_bit_programmed) {
    nor_config cfg = test_tiny_config();
    cfg.erase_preprogram = true;
    for (int seed = 1; seed <= 20; seed++) {
        uint8_t before[SECTOR], after[SECTOR];
        nor_destroy(tear_erase(&cfg, NOR_TORN_ERASE_MIDDLE, (uint64_t)seed, before, after));
        /* Half way: the pre-program is over, the erase not begun (one margin bit). */
        cr_assert_geq(programmed_bits(after), SECTOR * 8 - 1);
    }
    cfg.erase_preprogram = false;
    uint8_t before[SECTOR], after[SECTOR];
    nor_destroy(tear_erase(&cfg, NOR_TORN_ERASE_MIDDLE, 1, before, after));
    cr_assert_lt(programmed_bits(after), programmed_bits(before));
}

Test(progress, preprogram_late_cut_erases_from_all_programmed) {
    nor_config cfg = test_tiny_config();
    cfg.erase_preprogram = true;
    double late = 0;
    for (int seed = 1; seed <= 50; seed++) {
        uint8_t before[SECTOR], after[SECTOR];
        nor_destroy(tear_erase(&cfg, NOR_TORN_ERASE_LATE, (uint64_t)seed, before, after));
        late += programmed_bits(after);
    }
    late /= 50;
    /* Late (0.85..0.95) is 0.7..0.9 of the erase phase: most of all 2048 bits erased. */
    cr_assert(late > 2048 * 0.02 && late < 2048 * 0.3, "%g bits left programmed", late);
}

/* The old modes keep their behaviour: none of them moves because of erase_preprogram. */
Test(progress, preprogram_leaves_old_erase_modes_alone) {
    nor_config plain = test_tiny_config(), pre = test_tiny_config();
    pre.erase_preprogram = true;
    for (int mode = NOR_TORN_ERASE_NONE; mode <= NOR_TORN_ERASE_WEAK; mode++) {
        uint8_t b1[SECTOR], a1[SECTOR], b2[SECTOR], a2[SECTOR];
        nor_destroy(tear_erase(&plain, (nor_torn_erase)mode, 5, b1, a1));
        nor_destroy(tear_erase(&pre, (nor_torn_erase)mode, 5, b2, a2));
        cr_assert_arr_eq(a1, a2, SECTOR, "mode %s", nor_torn_erase_name((nor_torn_erase)mode));
    }
}

/* ---- determinism ----------------------------------------------------------------------- */

/* Every progress mode, programs and erases, with reads in between; returns the contents and
 * the bytes the reads returned. */
static void run_script(uint64_t seed, bool preprogram, uint8_t *contents, uint8_t *reads) {
    nor_config cfg = test_spi_config();
    cfg.erase_preprogram = preprogram;
    nor *dev = test_create(&cfg, seed);
    uint8_t record[RECORD];
    fill_record(record);
    for (int m = 0; m < 4; m++) {
        nor_set_torn_modes(dev, (nor_torn_program)(NOR_TORN_PROG_EARLY + m),
                           (nor_torn_erase)(NOR_TORN_ERASE_EARLY + m));
        nor_program(dev, 3 * SECTOR, record, RECORD);
        nor_arm_cut_after_ops(dev, 0);
        nor_program(dev, (uint32_t)m * RECORD, record, RECORD);
        nor_power_on(dev);
        nor_arm_cut_after_ops(dev, 0);
        nor_erase(dev, 3 * SECTOR);
        nor_power_on(dev);
        nor_read(dev, 0, reads + m * 2 * RECORD, RECORD);
        nor_read(dev, 3 * SECTOR, reads + (m * 2 + 1) * RECORD, RECORD);
    }
    nor_peek(dev, 0, contents, 4 * SECTOR);
    nor_destroy(dev);
}

Test(progress, same_seed_same_bytes) {
    static uint8_t a[4 * SECTOR], b[4 * SECTOR], c[4 * SECTOR];
    uint8_t ra[8 * RECORD], rb[8 * RECORD], rc[8 * RECORD];
    for (int pre = 0; pre < 2; pre++) {
        run_script(77, pre, a, ra);
        run_script(77, pre, b, rb);
        run_script(78, pre, c, rc);
        cr_assert_arr_eq(a, b, sizeof a);
        cr_assert_arr_eq(ra, rb, sizeof ra);
        cr_assert(memcmp(a, c, sizeof a) != 0 || memcmp(ra, rc, sizeof ra) != 0);
    }
}
