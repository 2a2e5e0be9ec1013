/* Snapshots: a restore brings back contents, write counts, ECC marks and references, weak bits,
 * erase counts, clock, PRNG, op counter, power state and statistics, so the operations that follow
 * behave identically; snapshots survive later writes and can be restored many times. */
#include "nor_test_util.h"

#define LEN 1024

typedef struct trace {
    int rc[16];
    uint8_t contents[LEN];
    nor_stats stats;
    uint64_t time_us, ops;
} trace;

/* Operations that consume the PRNG (tears, weak reads, random timing) after the snapshot. */
static void run_after(nor *dev, trace *t) {
    uint8_t data[256], out[256];
    for (int i = 0; i < 256; i++) data[i] = (uint8_t)(i * 13);
    int n = 0;
    t->rc[n++] = nor_read(dev, 256, out, 256); /* weak bits from before: random reads */
    t->rc[n++] = nor_program(dev, 512, data, 256);
    nor_arm_cut_after_ops(dev, 1);
    t->rc[n++] = nor_erase(dev, 0);
    t->rc[n++] = nor_program(dev, 0, data, 256); /* torn */
    nor_power_on(dev);
    t->rc[n++] = nor_read(dev, 0, out, 256);
    memcpy(t->contents + LEN - 256, out, 256);
    nor_peek(dev, 0, t->contents, LEN - 256);
    nor_get_stats(dev, &t->stats);
    t->time_us = nor_time_us(dev);
    t->ops = nor_op_count(dev);
}

static nor *prepared_device(void) {
    nor_config cfg = test_tiny_config();
    cfg.timing.mode = NOR_TIMING_RANDOM;
    nor *dev = test_create(&cfg, 77);
    nor_set_torn_modes(dev, NOR_TORN_PROG_METASTABLE, NOR_TORN_ERASE_WEAK);
    uint8_t data[256];
    memset(data, 0x0F, sizeof data);
    nor_arm_cut_after_ops(dev, 0);
    nor_program(dev, 256, data, 256); /* weak bits in sector 1 */
    nor_power_on(dev);
    nor_erase(dev, 768);
    return dev;
}

static void assert_same_trace(const trace *a, const trace *b) {
    cr_assert_arr_eq(a->rc, b->rc, sizeof a->rc);
    cr_assert_arr_eq(a->contents, b->contents, LEN);
    cr_assert_eq(a->time_us, b->time_us);
    cr_assert_eq(a->ops, b->ops);
    cr_assert_eq(a->stats.read_calls, b->stats.read_calls);
    cr_assert_eq(a->stats.program_bytes, b->stats.program_bytes);
    cr_assert_eq(a->stats.violations, b->stats.violations);
    cr_assert_eq(a->stats.cuts, b->stats.cuts);
    cr_assert_eq(a->stats.erase_max, b->stats.erase_max);
}

Test(snapshot, restore_replays_identically_many_times) {
    nor *dev = prepared_device();
    nor_snapshot *snap;
    cr_assert_eq(nor_snapshot_take(dev, &snap), NOR_OK);
    trace first = {0}, second = {0}, third = {0};
    run_after(dev, &first);
    cr_assert_eq(nor_snapshot_restore(dev, snap), NOR_OK);
    run_after(dev, &second);
    cr_assert_eq(nor_snapshot_restore(dev, snap), NOR_OK);
    run_after(dev, &third);
    assert_same_trace(&first, &second);
    assert_same_trace(&first, &third);
    nor_snapshot_free(snap);
    nor_destroy(dev);
}

Test(snapshot, equals_a_device_that_never_branched) {
    nor *branched = prepared_device();
    nor *straight = prepared_device();
    nor_snapshot *snap;
    cr_assert_eq(nor_snapshot_take(branched, &snap), NOR_OK);
    uint8_t zeros[256] = {0};
    nor_program(branched, 0, zeros, 256);
    nor_erase(branched, 512);
    nor_cut_now(branched);
    cr_assert_eq(nor_snapshot_restore(branched, snap), NOR_OK);
    cr_assert(nor_is_powered(branched));
    cr_assert_eq(nor_erase_count(branched, 2), 0);
    trace a = {0}, b = {0};
    run_after(branched, &a);
    run_after(straight, &b);
    assert_same_trace(&a, &b);
    nor_snapshot_free(snap);
    nor_destroy(branched);
    nor_destroy(straight);
}

Test(snapshot, keeps_write_counts_and_ecc_marks) {
    nor_config cfg = *nor_preset_find("stm32h7-2m");
    nor *dev = test_create(&cfg, 1);
    uint8_t word[32] = {0};
    nor_program(dev, 0, word, 32);
    nor_snapshot *clean, *broken;
    cr_assert_eq(nor_snapshot_take(dev, &clean), NOR_OK);
    nor_program(dev, 0, word, 32);
    cr_assert_eq(nor_snapshot_take(dev, &broken), NOR_OK);
    uint8_t out[32];
    cr_assert_eq(nor_read(dev, 0, out, 32), NOR_E_ECC);
    nor_snapshot_restore(dev, clean);
    cr_assert_eq(nor_read(dev, 0, out, 32), NOR_OK);
    nor_program(dev, 0, word, 32); /* the count came back too: this breaks ECC again */
    cr_assert_eq(nor_read(dev, 0, out, 32), NOR_E_ECC);
    nor_erase(dev, 0);
    nor_snapshot_restore(dev, broken);
    cr_assert_eq(nor_read(dev, 0, out, 32), NOR_E_ECC);
    nor_snapshot_free(clean);
    nor_snapshot_free(broken);
    nor_destroy(dev);
}

/* The SECDED references of torn words live in the sector block: a copy-on-write copy and a
 * restored snapshot keep them (a one-bit error is still corrected to the intended word). */
Test(snapshot, copies_torn_word_references) {
    nor_config cfg = test_config(8, NOR_WRITES_ONCE_PLUS_ZERO, 0, true);
    nor *dev = test_create(&cfg, 1);
    const uint8_t word[8] = {0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0};
    nor_set_torn_modes(dev, NOR_TORN_PROG_LATE, NOR_TORN_ERASE_NONE);
    nor_arm_cut_after_ops(dev, 0);
    cr_assert_eq(nor_program(dev, 0, word, 8), NOR_E_POWER_OFF);
    nor_power_on(dev);
    nor_snapshot *snap;
    cr_assert_eq(nor_snapshot_take(dev, &snap), NOR_OK);
    uint8_t one_off[8], out[8];
    memcpy(one_off, word, 8);
    one_off[5] ^= 0x10;
    /* The device's first write to the shared sector copies the block. */
    cr_assert_eq(nor_poke(dev, 0, one_off, 8), NOR_OK);
    cr_assert_eq(nor_read(dev, 0, out, 8), NOR_OK);
    cr_assert_arr_eq(out, word, 8);
    cr_assert_eq(nor_erase(dev, 0), NOR_OK);
    cr_assert_eq(nor_snapshot_restore(dev, snap), NOR_OK);
    cr_assert_eq(nor_poke(dev, 0, one_off, 8), NOR_OK);
    cr_assert_eq(nor_read(dev, 0, out, 8), NOR_OK);
    cr_assert_arr_eq(out, word, 8);
    nor_snapshot_free(snap);
    nor_destroy(dev);
}

Test(snapshot, outlives_writes_and_can_be_freed_after_device) {
    nor_config cfg = test_tiny_config();
    nor *dev = test_create(&cfg, 1);
    uint8_t a = 0xAA, b = 0x00, out;
    nor_program(dev, 5, &a, 1);
    nor_snapshot *snap;
    cr_assert_eq(nor_snapshot_take(dev, &snap), NOR_OK);
    nor_program(dev, 5, &b, 1);
    nor_read(dev, 5, &out, 1);
    cr_assert_eq(out, 0x00);
    nor_snapshot_restore(dev, snap);
    nor_read(dev, 5, &out, 1);
    cr_assert_eq(out, 0xAA);
    nor_destroy(dev);
    nor_snapshot_free(snap); /* blocks are reference counted: no leak, no double free */
}

Test(snapshot, refuses_other_geometry) {
    nor_config tiny = test_tiny_config();
    nor_config other = *nor_preset_find("samd21");
    nor *a = test_create(&tiny, 1), *b = test_create(&other, 1);
    nor_snapshot *snap;
    cr_assert_eq(nor_snapshot_take(a, &snap), NOR_OK);
    cr_assert_eq(nor_snapshot_restore(b, snap), NOR_E_CONFIG);
    nor_snapshot_free(snap);
    nor_destroy(a);
    nor_destroy(b);
}
