/* The Map façade (nbs_kvmap.h) on the RAM flash, in both modes: has true for an empty value,
 * delete answering whether the key existed, clear, size, the three iterations and the errors;
 * write-back: reads that never touch flash after the load, writes that reach flash only by a
 * flush or the dirty-bytes threshold, RAM_FULL changing nothing, batches split to the staging
 * buffer, and a cut at every flash operation of a flush leaving each key old or new, the keys
 * flushed before untouched. */
#include "nbs.h"
#include "nbs_kvmap.h"
#include "ram_flash.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

typedef struct rig {
    ram_flash rf;
    nbs_config cfg;
    nbs_map map;
    nbs_kvmap kvmap;
    nbs_kvmap_wb_config wb;
    bool write_back;
    uint8_t work[1024];
    uint8_t ram[2048];
    uint8_t stage[1024];
} rig;

static void rig_reopen(rig *r) {
    memset(&r->map, 0xA5, sizeof r->map);
    cr_assert_eq(nbs_map_mount(&r->map, &r->cfg), NBS_OK);
    int rc = r->write_back ? nbs_kvmap_wb_open(&r->kvmap, &r->map, &r->wb)
                           : nbs_kvmap_open(&r->kvmap, &r->map);
    cr_assert_eq(rc, NBS_OK, "open: %s", nbs_strerror(rc));
}

/* Write-back with `ram_size` bytes of RAM (at most sizeof r->ram), a staging buffer of
 * `stage_size` bytes (0: none) and a threshold. */
static void rig_open(rig *r, bool write_back, size_t ram_size, size_t stage_size,
                     uint32_t threshold) {
    cr_assert_eq(ram_flash_init(&r->rf, 4, 1024, 1, 0xFF, 7), 0);
    memset(&r->cfg, 0, sizeof r->cfg);
    r->cfg.flash = ram_flash_bind(&r->rf);
    r->cfg.work = r->work;
    r->cfg.work_size = sizeof r->work;
    r->write_back = write_back;
    r->wb = (nbs_kvmap_wb_config){r->ram, ram_size, stage_size ? r->stage : NULL, stage_size,
                                  threshold};
    rig_reopen(r);
}

static void set_text(rig *r, const char *key, const char *value) {
    int rc = nbs_kvmap_set(&r->kvmap, key, strlen(key), value, strlen(value));
    cr_assert_eq(rc, NBS_OK, "set %s: %s", key, nbs_strerror(rc));
}

/* NULL: absent. */
static void expect_value(rig *r, const char *key, const char *value) {
    char buf[300];
    size_t len = 0;
    int rc = nbs_kvmap_get(&r->kvmap, key, strlen(key), buf, sizeof buf, &len);
    cr_assert_eq(rc, value ? NBS_OK : NBS_E_NOT_FOUND, "get %s: %s", key, nbs_strerror(rc));
    if (value)
        cr_assert(len == strlen(value) && memcmp(buf, value, len) == 0, "get %s: another value",
                  key);
}

/* Both modes, with room for everything, holding a = 1 and b = 2. */
static void open_with_two_keys(rig *r, bool write_back) {
    rig_open(r, write_back, sizeof r->ram, sizeof r->stage, 0);
    set_text(r, "a", "1");
    set_text(r, "b", "2");
}

static uint32_t size_of(rig *r) {
    uint32_t size = 0;
    cr_assert_eq(nbs_kvmap_size(&r->kvmap, &size), NBS_OK);
    return size;
}

static bool has(rig *r, const char *key) {
    bool present = true;
    cr_assert_eq(nbs_kvmap_has(&r->kvmap, key, strlen(key), &present), NBS_OK);
    return present;
}

Test(kvmap, has_is_true_for_an_empty_value_in_both_modes) {
    for (int wb = 0; wb < 2; wb++) {
        rig r;
        rig_open(&r, wb, sizeof r.ram, sizeof r.stage, 0);
        set_text(&r, "empty", "");
        cr_assert(has(&r, "empty"), "mode %d: has of a key whose value is empty", wb);
        cr_assert_not(has(&r, "other"));
        expect_value(&r, "empty", "");
        cr_assert_eq(size_of(&r), 1);
        ram_flash_free(&r.rf);
    }
}

Test(kvmap, delete_answers_whether_the_key_existed) {
    for (int wb = 0; wb < 2; wb++) {
        rig r;
        open_with_two_keys(&r, wb);
        bool existed = false;
        cr_assert_eq(nbs_kvmap_delete(&r.kvmap, "a", 1, &existed), NBS_OK);
        cr_assert(existed, "mode %d", wb);
        uint64_t programs = r.rf.programs;
        cr_assert_eq(nbs_kvmap_delete(&r.kvmap, "a", 1, &existed), NBS_OK);
        cr_assert_not(existed, "mode %d: a second delete", wb);
        cr_assert_eq(r.rf.programs, programs, "deleting an absent key writes nothing");
        expect_value(&r, "a", NULL);
        expect_value(&r, "b", "2");
        cr_assert_eq(size_of(&r), 1);
        cr_assert_eq(nbs_kvmap_clear(&r.kvmap), NBS_OK);
        cr_assert_eq(size_of(&r), 0);
        expect_value(&r, "b", NULL);
        ram_flash_free(&r.rf);
    }
}

/* Walks an iteration: the keys and values seen, each concatenated in order of return. */
static size_t walk(rig *r, nbs_kvmap_part part, char *keys, char *values) {
    nbs_kvmap_iter it;
    nbs_kvmap_iter_init(&r->kvmap, &it, part);
    char key[NBS_KEY_MAX], value[64];
    size_t key_len, len, n = 0;
    keys[0] = values[0] = '\0';
    int rc;
    while ((rc = nbs_kvmap_iter_next(&it, key, sizeof key, &key_len, value, sizeof value, &len)) ==
           NBS_OK) {
        if (part != NBS_KVMAP_VALUES) strncat(keys, key, key_len);
        if (part != NBS_KVMAP_KEYS) strncat(values, value, len);
        n++;
    }
    cr_assert_eq(rc, NBS_E_END);
    return n;
}

static void sort_chars(char *s) {
    for (size_t i = 0; s[i]; i++)
        for (size_t j = i + 1; s[j]; j++)
            if (s[j] < s[i]) {
                char t = s[i];
                s[i] = s[j], s[j] = t;
            }
}

Test(kvmap, keys_values_and_entries_return_each_live_key_once) {
    for (int wb = 0; wb < 2; wb++) {
        rig r;
        open_with_two_keys(&r, wb);
        set_text(&r, "c", "3");
        set_text(&r, "b", "4");
        bool existed;
        cr_assert_eq(nbs_kvmap_delete(&r.kvmap, "c", 1, &existed), NBS_OK);
        char keys[32], values[32];
        cr_assert_eq(walk(&r, NBS_KVMAP_KEYS, keys, values), 2);
        sort_chars(keys);
        cr_assert_str_eq(keys, "ab", "mode %d", wb);
        cr_assert_eq(walk(&r, NBS_KVMAP_VALUES, keys, values), 2);
        sort_chars(values);
        cr_assert_str_eq(values, "14", "mode %d", wb);
        cr_assert_eq(walk(&r, NBS_KVMAP_ENTRIES, keys, values), 2);
        cr_assert(strcmp(keys, "ab") ? strcmp(values, "41") == 0 : strcmp(values, "14") == 0,
                  "entries pair keys and values");
        ram_flash_free(&r.rf);
    }
}

/* A write during an iteration ends it with NBS_E_ITER_STALE in both modes (in write-back the
 * records move in RAM: an iterator left at its offset would read from the middle of one, a
 * length from a value's bytes, past the RAM's end). */
Test(kvmap, a_write_during_an_iteration_makes_it_stale) {
    for (int wb = 0; wb < 2; wb++) {
        rig r;
        rig_open(&r, wb, sizeof r.ram, 0, 0);
        set_text(&r, "a", "1");
        set_text(&r, "b", "\x01\xff\xff\xff-bravo-bravo-bravo");
        set_text(&r, "c", "3");
        nbs_kvmap_iter it;
        nbs_kvmap_iter_init(&r.kvmap, &it, NBS_KVMAP_ENTRIES);
        char key[8], value[64];
        size_t key_len, value_len;
        cr_assert_eq(
            nbs_kvmap_iter_next(&it, key, sizeof key, &key_len, value, sizeof value, &value_len),
            NBS_OK);
        set_text(&r, key[0] == 'a' ? "a" : key[0] == 'b' ? "b" : "c", "a longer value now");
        cr_assert_eq(
            nbs_kvmap_iter_next(&it, key, sizeof key, &key_len, value, sizeof value, &value_len),
            NBS_E_ITER_STALE, "mode %d", wb);
        nbs_kvmap_iter_init(&r.kvmap, &it, NBS_KVMAP_KEYS);
        cr_assert_eq(
            nbs_kvmap_iter_next(&it, key, sizeof key, &key_len, value, sizeof value, &value_len),
            NBS_OK, "a new iterator runs");
        ram_flash_free(&r.rf);
    }
}

Test(kvmap, bad_keys_and_values_change_nothing) {
    for (int wb = 0; wb < 2; wb++) {
        rig r;
        rig_open(&r, wb, sizeof r.ram, sizeof r.stage, 0);
        uint8_t big[1100] = {0}, key[NBS_KEY_MAX + 1] = {0};
        cr_assert_eq(nbs_kvmap_set(&r.kvmap, "k", 0, "v", 1), NBS_E_KEY_LEN);
        cr_assert_eq(nbs_kvmap_set(&r.kvmap, key, sizeof key, "v", 1), NBS_E_KEY_LEN);
        cr_assert_eq(nbs_kvmap_set(&r.kvmap, "k", 1, big, sizeof big), NBS_E_TOO_BIG);
        cr_assert_eq(size_of(&r), 0);
        cr_assert_eq(nbs_kvmap_dirty_bytes(&r.kvmap), 0);
        ram_flash_free(&r.rf);
    }
    nbs_kvmap closed = {0};
    cr_assert_eq(nbs_kvmap_set(&closed, "k", 1, "v", 1), NBS_E_NOT_MOUNTED);
}

Test(kvmap, write_back_reads_never_touch_flash_after_the_load) {
    rig r;
    rig_open(&r, false, 0, 0, 0);
    set_text(&r, "a", "1");
    set_text(&r, "b", "22");
    r.write_back = true;
    r.wb = (nbs_kvmap_wb_config){r.ram, sizeof r.ram, r.stage, sizeof r.stage, 0};
    rig_reopen(&r);
    uint64_t reads = r.rf.reads;
    expect_value(&r, "b", "22");
    cr_assert(has(&r, "a"));
    cr_assert_eq(size_of(&r), 2);
    char keys[32], values[32];
    cr_assert_eq(walk(&r, NBS_KVMAP_ENTRIES, keys, values), 2);
    set_text(&r, "c", "3");
    cr_assert_eq(r.rf.reads, reads, "reads and writes of write-back went to flash");
    ram_flash_free(&r.rf);
}

Test(kvmap, write_back_writes_reach_flash_only_by_a_flush) {
    rig r;
    rig_open(&r, true, sizeof r.ram, sizeof r.stage, 0);
    set_text(&r, "a", "1");
    set_text(&r, "b", "2");
    uint64_t programs = r.rf.programs;
    set_text(&r, "a", "3");
    cr_assert_eq(r.rf.programs, programs, "a set went to flash");
    cr_assert_eq(nbs_kvmap_dirty_bytes(&r.kvmap), 4);
    rig_reopen(&r); /* a reset: the writes not flushed are gone */
    cr_assert_eq(size_of(&r), 0);
    set_text(&r, "a", "1");
    set_text(&r, "b", "2");
    cr_assert_eq(nbs_kvmap_flush(&r.kvmap), NBS_OK);
    cr_assert_eq(nbs_kvmap_dirty_bytes(&r.kvmap), 0);
    bool existed;
    cr_assert_eq(nbs_kvmap_delete(&r.kvmap, "a", 1, &existed), NBS_OK);
    set_text(&r, "c", "5");
    rig_reopen(&r);
    expect_value(&r, "a", "1");
    expect_value(&r, "b", "2");
    expect_value(&r, "c", NULL);
    cr_assert_eq(nbs_kvmap_delete(&r.kvmap, "a", 1, &existed), NBS_OK);
    cr_assert_eq(nbs_kvmap_flush(&r.kvmap), NBS_OK);
    rig_reopen(&r);
    expect_value(&r, "a", NULL);
    cr_assert_eq(size_of(&r), 1);
    ram_flash_free(&r.rf);
}

Test(kvmap, write_back_flushes_when_the_dirty_bytes_reach_the_threshold) {
    rig r;
    rig_open(&r, true, sizeof r.ram, sizeof r.stage, 10);
    set_text(&r, "a", "1234"); /* 5 dirty bytes */
    uint64_t programs = r.rf.programs;
    cr_assert_eq(nbs_kvmap_dirty_bytes(&r.kvmap), 5);
    set_text(&r, "b", "123"); /* 9 */
    cr_assert_eq(r.rf.programs, programs);
    set_text(&r, "c", ""); /* 10: reached */
    cr_assert_gt(r.rf.programs, programs, "the threshold was reached without a flush");
    cr_assert_eq(nbs_kvmap_dirty_bytes(&r.kvmap), 0);
    rig_reopen(&r);
    expect_value(&r, "a", "1234");
    expect_value(&r, "c", "");
    ram_flash_free(&r.rf);
}

Test(kvmap, write_back_ram_full_changes_nothing) {
    rig r;
    size_t ram = 2 * nbs_kvmap_wb_record_bytes(1, 4);
    rig_open(&r, true, ram, sizeof r.stage, 0);
    set_text(&r, "a", "1111");
    set_text(&r, "b", "2222");
    cr_assert_eq(nbs_kvmap_set(&r.kvmap, "c", 1, "", 0), NBS_E_RAM_FULL);
    cr_assert_eq(nbs_kvmap_set(&r.kvmap, "a", 1, "11111", 5), NBS_E_RAM_FULL);
    set_text(&r, "a", "333"); /* a shorter value fits in its record's room */
    cr_assert_eq(size_of(&r), 2);
    cr_assert_eq(nbs_kvmap_dirty_bytes(&r.kvmap), 9);
    expect_value(&r, "b", "2222");
    cr_assert_eq(nbs_kvmap_flush(&r.kvmap), NBS_OK);
    /* The store no longer fits a smaller RAM: its open is refused. */
    r.wb.ram_size = ram / 2;
    memset(&r.map, 0, sizeof r.map);
    cr_assert_eq(nbs_map_mount(&r.map, &r.cfg), NBS_OK);
    cr_assert_eq(nbs_kvmap_wb_open(&r.kvmap, &r.map, &r.wb), NBS_E_RAM_FULL);
    cr_assert_eq(nbs_kvmap_get(&r.kvmap, "a", 1, NULL, 0, NULL), NBS_E_NOT_MOUNTED);
    ram_flash_free(&r.rf);
}

/* The RAM rule (nbs_kvmap_wb_config): each key holds the larger of its record as flash holds it
 * and as the RAM holds it (3 header bytes more for a key flash holds written since). */
Test(kvmap, write_back_ram_full_counts_the_records_flash_holds) {
    size_t ram = 64, keeps = 3;
    size_t a_old = nbs_kvmap_wb_record_bytes(1, 20), b_old = nbs_kvmap_wb_record_bytes(1, 4);
    char big[40];
    memset(big, 'x', sizeof big);
    rig r;
    rig_open(&r, true, ram, sizeof r.stage, 0);
    cr_assert_eq(nbs_kvmap_set(&r.kvmap, "a", 1, big, 20), NBS_OK);
    set_text(&r, "b", "four");
    cr_assert_eq(nbs_kvmap_flush(&r.kvmap), NBS_OK);
    cr_assert_eq(nbs_kvmap_held_bytes(&r.kvmap), a_old + b_old);
    set_text(&r, "a", ""); /* its flushed 26 bytes still count, not the 9 it takes now */
    cr_assert_eq(nbs_kvmap_held_bytes(&r.kvmap), a_old + b_old);
    size_t b_most = ram - a_old - nbs_kvmap_wb_record_bytes(1, 0) - keeps;
    cr_assert_eq(nbs_kvmap_set(&r.kvmap, "b", 1, big, b_most + 1), NBS_E_RAM_FULL);
    expect_value(&r, "b", "four");
    cr_assert_eq(nbs_kvmap_set(&r.kvmap, "b", 1, big, b_most), NBS_OK);
    cr_assert_eq(nbs_kvmap_held_bytes(&r.kvmap), ram);
    cr_assert_eq(nbs_kvmap_flush(&r.kvmap), NBS_OK);
    size_t a_now = nbs_kvmap_wb_record_bytes(1, 0), b_now = nbs_kvmap_wb_record_bytes(1, b_most);
    cr_assert_eq(nbs_kvmap_held_bytes(&r.kvmap), a_now + b_now, "a flush: the records alone");
    /* A deleted key flash holds keeps its flushed record's bytes until a flush removes it. */
    bool existed = false;
    cr_assert_eq(nbs_kvmap_delete(&r.kvmap, "b", 1, &existed), NBS_OK);
    cr_assert(existed);
    cr_assert_eq(nbs_kvmap_held_bytes(&r.kvmap), a_now + b_now);
    size_t c_most = ram - a_now - b_now - nbs_kvmap_wb_record_bytes(1, 0);
    cr_assert_eq(nbs_kvmap_set(&r.kvmap, "c", 1, big, c_most + 1), NBS_E_RAM_FULL);
    cr_assert_eq(nbs_kvmap_set(&r.kvmap, "c", 1, big, c_most), NBS_OK);
    cr_assert_eq(nbs_kvmap_held_bytes(&r.kvmap), ram);
    cr_assert_eq(nbs_kvmap_clear(&r.kvmap), NBS_OK); /* never refused: it holds no more */
    cr_assert_eq(nbs_kvmap_held_bytes(&r.kvmap), a_now + b_now);
    cr_assert_eq(nbs_kvmap_flush(&r.kvmap), NBS_OK);
    cr_assert_eq(nbs_kvmap_held_bytes(&r.kvmap), 0);
    ram_flash_free(&r.rf);
}

/* The situation fuzz/corpus/kvmap/finding-open-after-cut-needs-more-ram found: a shrinks, b
 * grows as far as the RAM lets it, and a flush writes b then a, each a map write of its own (no
 * staging); a cut between the two leaves a's flushed value beside b's new one. The open after
 * every cut, with the same RAM, must load the store, each key old or new. When the RAM counted
 * only the records it took (9 + 8 + 1 + 30 <= 60), b took 30 bytes, and that cut left 26 + 36
 * bytes of records to load into 60. */
Test(kvmap, write_back_open_after_a_cut_inside_a_flush_needs_no_more_ram) {
    enum { RAM = 60, A_OLD = 20 };
    char big[40], key[2] = "?";
    memset(big, 'y', sizeof big);
    bool mixed = false;
    for (long cut = 0;; cut++) {
        rig r;
        rig_open(&r, true, RAM, 0, 0);
        cr_assert_eq(nbs_kvmap_set(&r.kvmap, "a", 1, big, A_OLD), NBS_OK);
        set_text(&r, "b", "four");
        cr_assert_eq(nbs_kvmap_flush(&r.kvmap), NBS_OK);
        set_text(&r, "a", "");
        size_t b_len = 30;
        while (nbs_kvmap_set(&r.kvmap, "b", 1, big, b_len) == NBS_E_RAM_FULL) b_len--;
        set_text(&r, "a", ""); /* again: the flush writes b first */
        ram_flash_arm_cut(&r.rf, cut, (ram_torn)(cut % 5));
        int flushed = nbs_kvmap_flush(&r.kvmap);
        bool landed = !r.rf.powered;
        r.rf.countdown = -1;
        ram_flash_power_on(&r.rf);
        memset(&r.map, 0xA5, sizeof r.map);
        cr_assert_eq(nbs_map_mount(&r.map, &r.cfg), NBS_OK);
        int rc = nbs_kvmap_wb_open(&r.kvmap, &r.map, &r.wb);
        cr_assert_eq(rc, NBS_OK, "cut %ld (b took %zu bytes): an open with the same %d bytes: %s",
                     cut, b_len, RAM, nbs_strerror(rc));
        char buf[40];
        size_t a_len = 99, got_b = 99;
        key[0] = 'a';
        cr_assert_eq(nbs_kvmap_get(&r.kvmap, key, 1, buf, sizeof buf, &a_len), NBS_OK);
        key[0] = 'b';
        cr_assert_eq(nbs_kvmap_get(&r.kvmap, key, 1, buf, sizeof buf, &got_b), NBS_OK);
        cr_assert(a_len == A_OLD || a_len == 0, "cut %ld: a neither old nor new", cut);
        cr_assert(got_b == 4 || got_b == b_len, "cut %ld: b neither old nor new", cut);
        mixed |= a_len == A_OLD && got_b == b_len;
        ram_flash_free(&r.rf);
        if (!landed) {
            cr_assert_eq(flushed, NBS_OK);
            break;
        }
    }
    cr_assert(mixed, "some cut lands between b's write and a's");
}

Test(kvmap, write_back_flush_splits_batches_to_the_staging_buffer) {
    for (size_t stage = 0; stage <= 200; stage += 40) {
        rig r;
        rig_open(&r, true, sizeof r.ram, stage, 0);
        char key[16], value[40];
        for (int i = 0; i < 20; i++) {
            snprintf(key, sizeof key, "k%d", i);
            snprintf(value, sizeof value, "value-%d-%0*d", i, i, 0);
            set_text(&r, key, value);
        }
        cr_assert_eq(nbs_kvmap_flush(&r.kvmap), NBS_OK, "stage %zu", stage);
        rig_reopen(&r);
        cr_assert_eq(size_of(&r), 20, "stage %zu", stage);
        for (int i = 0; i < 20; i++) {
            snprintf(key, sizeof key, "k%d", i);
            snprintf(value, sizeof value, "value-%d-%0*d", i, i, 0);
            expect_value(&r, key, value);
        }
        ram_flash_free(&r.rf);
    }
}

/* A flush cut at every flash operation: each key written since the last flush reads old or
 * new, the key flushed before and untouched since keeps its value, whatever the torn mode. */
Test(kvmap, write_back_flush_cut_anywhere_leaves_each_key_old_or_new) {
    static const char *const old[] = {"o0", "o1", "o2", NULL}; /* k3: absent before */
    static const char *const new[] = {"n0", NULL, "o2", "n3"}; /* k1 deleted, k2 untouched */
    bool mixed = false;
    for (long cut = 0;; cut++) {
        rig r;
        rig_open(&r, true, sizeof r.ram, 20, 0); /* 20 bytes: two members a batch */
        char key[16];
        for (int i = 0; i < 3; i++)
            set_text(&r, (snprintf(key, sizeof key, "k%d", i), key), old[i]);
        cr_assert_eq(nbs_kvmap_flush(&r.kvmap), NBS_OK);
        set_text(&r, "k0", "n0");
        bool existed;
        cr_assert_eq(nbs_kvmap_delete(&r.kvmap, "k1", 2, &existed), NBS_OK);
        set_text(&r, "k3", "n3");
        ram_flash_arm_cut(&r.rf, cut, (ram_torn)(cut % 5));
        int rc = nbs_kvmap_flush(&r.kvmap);
        bool landed = !r.rf.powered;
        r.rf.countdown = -1; /* a cut that did not land in the flush lands nowhere */
        ram_flash_power_on(&r.rf);
        rig_reopen(&r);
        int news = 0;
        for (int i = 0; i < 4; i++) {
            snprintf(key, sizeof key, "k%d", i);
            char buf[8];
            size_t len = 0;
            int got = nbs_kvmap_get(&r.kvmap, key, 2, buf, sizeof buf, &len);
            bool is_old = old[i] ? got == NBS_OK && len == 2 && memcmp(buf, old[i], 2) == 0
                                 : got == NBS_E_NOT_FOUND;
            bool is_new = new[i] ? got == NBS_OK &&len == 2 && memcmp(buf, new[i], 2) == 0
                                 : got == NBS_E_NOT_FOUND;
            cr_assert(is_old || is_new, "cut %ld: %s neither old nor new", cut, key);
            news += is_new && !is_old;
        }
        mixed |= news > 0 && news < 3;
        ram_flash_free(&r.rf);
        if (!landed) {
            cr_assert_eq(rc, NBS_OK);
            cr_assert_eq(news, 3, "an uncut flush wrote everything");
            break;
        }
    }
    cr_assert(mixed, "two batches: some cut lands between them");
}
