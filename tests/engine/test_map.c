/* The map's public API on every NOR preset: each operation, each error, the space figures,
 * iteration, a full store, and remounting. */
#include "engine_check.h"
#include "engine_fixture.h"
#include "engine_presets.h"
#include "format3_layout.h"
#include "ref_model.h"
#include "seeded_rng.h"
#include "workload.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void open_map(engine_fixture *f, const ef_preset_case *pc) {
    ef_open_preset(f, pc, EF_MAP, EF_CACHE_NONE);
    int rc = ef_mount(f);
    cr_assert_eq(rc, NBS_OK, "%s: mount of an erased range: %s", pc->preset, nbs_strerror(rc));
}

static void remount(engine_fixture *f, const ef_preset_case *pc) {
    int rc = ef_mount(f);
    cr_assert_eq(rc, NBS_OK, "%s: remount: %s", pc->preset, nbs_strerror(rc));
}

/* Stores in the engine and the model, asserting success. */
static void store(engine_fixture *f, ref_map *model, const char *key, const void *value,
                  size_t len) {
    int rc = nbs_map_store(&f->map, key, strlen(key), value, len);
    cr_assert_eq(rc, NBS_OK, "%s: store '%s' (%zu bytes): %s", nor_get_config(f->dev)->name, key,
                 len, nbs_strerror(rc));
    ref_map_store(model, key, strlen(key), value, len);
}

static void verify(engine_fixture *f, const ref_map *model, const char *when) {
    char why[EC_WHY_SIZE] = "";
    cr_assert(ec_map_verify(f, model, why), "%s, %s: %s", nor_get_config(f->dev)->name, when, why);
}

static void expect_absent(engine_fixture *f, const char *key) {
    uint8_t buf[8];
    size_t len = 12345;
    bool present = true;
    int rc = nbs_map_fetch(&f->map, key, strlen(key), buf, sizeof buf, &len);
    cr_assert_eq(rc, NBS_E_NOT_FOUND, "fetch of absent '%s': %s", key, nbs_strerror(rc));
    cr_assert_eq(nbs_map_has(&f->map, key, strlen(key), &present), NBS_OK);
    cr_assert(!present, "has('%s') says present after removal", key);
}

EF_PRESET_TEST(map, store_fetch_overwrite_remove) {
    engine_fixture f;
    ref_map model;
    ref_map_init(&model);
    open_map(&f, pc);
    verify(&f, &model, "empty after mount");
    expect_absent(&f, "alpha");

    store(&f, &model, "alpha", "first", 5);
    store(&f, &model, "beta", "b", 1);
    store(&f, &model, "gamma", "0123456789abcdef0123", 20);
    verify(&f, &model, "after three stores");

    store(&f, &model, "alpha", "second value, longer", 20);
    store(&f, &model, "beta", "B", 1);
    verify(&f, &model, "after overwrites");

    cr_assert_eq(nbs_map_remove(&f.map, "beta", 4), NBS_OK);
    ref_map_remove(&model, "beta", 4);
    expect_absent(&f, "beta");
    verify(&f, &model, "after remove");

    /* Removing an absent key succeeds and writes nothing. */
    nor_stats before, after;
    ef_stats(&f, &before);
    cr_assert_eq(nbs_map_remove(&f.map, "beta", 4), NBS_OK, "remove of a removed key");
    cr_assert_eq(nbs_map_remove(&f.map, "never", 5), NBS_OK, "remove of a never-stored key");
    ef_stats(&f, &after);
    cr_assert_eq(after.program_calls, before.program_calls,
                 "%s: removing an absent key programmed flash (%llu programs)", pc->preset,
                 (unsigned long long)(after.program_calls - before.program_calls));
    cr_assert_eq(after.erase_calls, before.erase_calls, "removing an absent key erased flash");

    remount(&f, pc);
    verify(&f, &model, "after remount");
    expect_absent(&f, "beta");
    ref_map_free(&model);
    ef_close(&f);
}

EF_PRESET_TEST(map, iteration_returns_each_key_once_with_newest_value) {
    engine_fixture f;
    ref_map model;
    ref_map_init(&model);
    seeded_rng rng;
    seeded_rng_seed(&rng, 7);
    open_map(&f, pc);
    uint8_t key[NBS_KEY_MAX], value[12];
    for (uint32_t round = 0; round < 3; round++) {
        for (uint32_t id = 0; id < 4; id++) {
            size_t key_len = wl_key(id, key);
            size_t len = 1 + seeded_rng_below(&rng, sizeof value);
            seeded_rng_fill(&rng, value, len);
            int rc = nbs_map_store(&f.map, key, key_len, value, len);
            cr_assert_eq(rc, NBS_OK, "%s: round %u, key %u, %zu bytes: %s", pc->preset, round, id,
                         len, nbs_strerror(rc));
            ref_map_store(&model, key, key_len, value, len);
        }
    }
    verify(&f, &model, "after three rounds of four keys");
    /* An iteration over an empty map ends at once. */
    cr_assert_eq(nbs_map_remove_all(&f.map), NBS_OK);
    ref_map_remove_all(&model);
    nbs_map_iter it;
    size_t key_len, value_len;
    nbs_map_iter_init(&f.map, &it);
    int rc = nbs_map_iter_next(&it, key, sizeof key, &key_len, value, sizeof value, &value_len);
    cr_assert_eq(rc, NBS_E_END, "iteration of an empty map: %s", nbs_strerror(rc));
    ref_map_free(&model);
    ef_close(&f);
}

EF_PRESET_TEST(map, remove_all_and_erase_all) {
    engine_fixture f;
    ref_map model;
    ref_map_init(&model);
    open_map(&f, pc);
    store(&f, &model, "one", "1", 1);
    store(&f, &model, "two", "22", 2);
    store(&f, &model, "three", "333", 3);
    cr_assert_eq(nbs_map_remove_all(&f.map), NBS_OK);
    ref_map_remove_all(&model);
    verify(&f, &model, "after remove_all");
    expect_absent(&f, "two");
    store(&f, &model, "four", "4444", 4);
    verify(&f, &model, "store after remove_all");
    remount(&f, pc);
    verify(&f, &model, "remount after remove_all");

    store(&f, &model, "five", "55555", 5);
    cr_assert_eq(nbs_map_erase_all(&f.map), NBS_OK);
    ref_map_remove_all(&model);
    verify(&f, &model, "after erase_all");
    store(&f, &model, "six", "666666", 6);
    verify(&f, &model, "store after erase_all");
    remount(&f, pc);
    verify(&f, &model, "remount after erase_all");
    ref_map_free(&model);
    ef_close(&f);
}

/* Bytes an item of key_len + value_len bytes takes on flash, its seal and commit header
 * included (format 3, format3_layout.h). */
static uint32_t item_bytes(const engine_fixture *f, size_t key_len, size_t value_len) {
    return f3_item_bytes(&f->binding.flash, F3_MAP, (uint32_t)key_len, (uint32_t)value_len);
}

static nbs_space space_of(engine_fixture *f) {
    nbs_space s;
    int rc = nbs_map_space(&f->map, &s);
    cr_assert_eq(rc, NBS_OK, "nbs_map_space: %s", nbs_strerror(rc));
    char why[EC_WHY_SIZE];
    cr_assert(ec_space_consistent(&s, f->binding.flash.size, why), "%s", why);
    return s;
}

EF_PRESET_TEST(map, space_figures_follow_the_data) {
    engine_fixture f;
    ref_map model;
    ref_map_init(&model);
    open_map(&f, pc);
    nbs_space empty = space_of(&f);
    cr_assert_eq(empty.live, 0, "%s: an empty map has %u live bytes", pc->preset, empty.live);
    cr_assert_eq(empty.reclaimable, 0, "%s: an empty map has %u reclaimable bytes", pc->preset,
                 empty.reclaimable);
    cr_assert_gt(empty.free_now, 0, "%s: an empty map has no free space", pc->preset);

    static const char value[12] = "twelve bytes";
    store(&f, &model, "key", value, sizeof value);
    nbs_space one = space_of(&f);
    uint32_t item = item_bytes(&f, 3, sizeof value);
    cr_assert_eq(one.live, item, "%s: live %u after storing a %u-byte item", pc->preset, one.live,
                 item);
    cr_assert_eq(one.reclaimable, 0, "%s: %u reclaimable bytes with only live keys", pc->preset,
                 one.reclaimable);
    cr_assert_lt(one.free_now, empty.free_now, "%s: free space did not shrink", pc->preset);

    /* Right behind its own STORE, the overwrite is a STORE-SAME (SPEC 3.6): no key bytes. */
    store(&f, &model, "key", value, sizeof value);
    nbs_space over = space_of(&f);
    cr_assert_eq(over.live, item_bytes(&f, 0, sizeof value),
                 "%s: live %u after an overwrite that elides its key", pc->preset, over.live);
    cr_assert_eq(over.reclaimable, item, "%s: the overwritten version: %u reclaimable bytes",
                 pc->preset, over.reclaimable);

    cr_assert_eq(nbs_map_remove(&f.map, "key", 3), NBS_OK);
    nbs_space removed = space_of(&f);
    cr_assert_lt(removed.live, over.live, "%s: removal left live bytes at %u", pc->preset,
                 removed.live);
    ref_map_free(&model);
    ef_close(&f);
}

EF_PRESET_TEST(map, key_length_limits) {
    engine_fixture f;
    open_map(&f, pc);
    uint8_t key[NBS_KEY_MAX + 1], buf[4];
    memset(key, 'k', sizeof key);
    size_t len = 0;
    bool present;
    size_t bad_lengths[] = {0, NBS_KEY_MAX + 1};
    for (size_t i = 0; i < 2; i++) {
        size_t kl = bad_lengths[i];
        cr_assert_eq(nbs_map_store(&f.map, key, kl, "v", 1), NBS_E_KEY_LEN, "store, key %zu", kl);
        cr_assert_eq(nbs_map_fetch(&f.map, key, kl, buf, sizeof buf, &len), NBS_E_KEY_LEN,
                     "fetch, key %zu", kl);
        cr_assert_eq(nbs_map_remove(&f.map, key, kl), NBS_E_KEY_LEN, "remove, key %zu", kl);
        cr_assert_eq(nbs_map_has(&f.map, key, kl, &present), NBS_E_KEY_LEN, "has, key %zu", kl);
    }
    /* 1 and NBS_KEY_MAX bytes are fine. */
    cr_assert_eq(nbs_map_store(&f.map, key, 1, "a", 1), NBS_OK);
    if (nbs_map_max_value(&f.binding.flash, NBS_KEY_MAX) >= 1) {
        cr_assert_eq(nbs_map_store(&f.map, key, NBS_KEY_MAX, "b", 1), NBS_OK);
        cr_assert_eq(nbs_map_fetch(&f.map, key, NBS_KEY_MAX, buf, sizeof buf, &len), NBS_OK);
        cr_assert(len == 1 && buf[0] == 'b', "%u-byte key read back wrong", NBS_KEY_MAX);
    }
    cr_assert_eq(nbs_map_fetch(&f.map, key, 1, buf, sizeof buf, &len), NBS_OK);
    cr_assert(len == 1 && buf[0] == 'a', "1-byte key read back wrong");
    uint32_t count = 0;
    cr_assert_eq(nbs_map_count(&f.map, &count), NBS_OK);
    cr_assert_eq(count, nbs_map_max_value(&f.binding.flash, NBS_KEY_MAX) >= 1 ? 2 : 1);
    ef_close(&f);
}

static void expect_value(engine_fixture *f, const ef_preset_case *pc, const uint8_t *key,
                         size_t key_len, const uint8_t *want, size_t want_len) {
    uint8_t *back = malloc(want_len + 1);
    size_t len = 0;
    int rc = nbs_map_fetch(&f->map, key, key_len, back, want_len + 1, &len);
    cr_assert_eq(rc, NBS_OK, "%s: fetch of a %zu-byte value: %s", pc->preset, want_len,
                 nbs_strerror(rc));
    cr_assert(len == want_len && memcmp(back, want, len) == 0,
              "%s: a %zu-byte value read back wrong (%zu bytes)", pc->preset, want_len, len);
    free(back);
}

/* On an emptied store, the largest value fits exactly (and survives a remount); one byte
 * more is NBS_E_TOO_BIG. When the format cannot hold a key this long with any value (max 0: a
 * page too small for the key's item), even a 1-byte value is NBS_E_TOO_BIG. */
static void check_max_value(engine_fixture *f, const ef_preset_case *pc, size_t key_len) {
    uint8_t key[NBS_KEY_MAX];
    memset(key, 'm', key_len);
    uint32_t max = nbs_map_max_value(&f->binding.flash, key_len);
    if (max == 0) {
        cr_assert_eq(nbs_map_erase_all(&f->map), NBS_OK);
        nor_stats before, after;
        ef_stats(f, &before);
        int rc = nbs_map_store(&f->map, key, key_len, "v", 1);
        ef_stats(f, &after);
        cr_assert_eq(rc, NBS_E_TOO_BIG,
                     "%s: max value 0 for a %zu-byte key, yet a 1-byte value "
                     "gave %s",
                     pc->preset, key_len, nbs_strerror(rc));
        cr_assert(after.program_calls == before.program_calls &&
                      after.erase_calls == before.erase_calls,
                  "%s: a store that is too big wrote flash", pc->preset);
        return;
    }
    cr_assert_lt(max, f->page_size, "%s: max value %u not below the page size", pc->preset, max);
    cr_assert_eq(nbs_map_erase_all(&f->map), NBS_OK);
    uint8_t *value = malloc(max + 1);
    seeded_rng rng;
    seeded_rng_seed(&rng, key_len);
    seeded_rng_fill(&rng, value, max + 1);
    int rc = nbs_map_store(&f->map, key, key_len, value, max + 1);
    cr_assert_eq(rc, NBS_E_TOO_BIG, "%s: value of max+1 = %u bytes (key %zu): %s", pc->preset,
                 max + 1, key_len, nbs_strerror(rc));
    rc = nbs_map_store(&f->map, key, key_len, value, max);
    cr_assert_eq(rc, NBS_OK, "%s: value of exactly max = %u bytes (key %zu): %s", pc->preset, max,
                 key_len, nbs_strerror(rc));
    expect_value(f, pc, key, key_len, value, max);
    remount(f, pc);
    expect_value(f, pc, key, key_len, value, max);
    free(value);
}

EF_PRESET_TEST(map, largest_value_fits_and_one_more_is_too_big) {
    engine_fixture f;
    open_map(&f, pc);
    cr_assert_geq(nbs_map_max_value(&f.binding.flash, 1),
                  nbs_map_max_value(&f.binding.flash, NBS_KEY_MAX),
                  "a longer key allows a longer value");
    /* The largest value is the largest whose item (seal, commit header, key and value, each
     * padded to the write unit) fits a fresh page after its header and DONE unit. */
    size_t key_lens[] = {1, 17, NBS_KEY_MAX};
    for (size_t i = 0; i < 3; i++) {
        uint32_t want = f3_largest(&f.binding.flash, F3_MAP, (uint32_t)key_lens[i]);
        cr_assert_eq(nbs_map_max_value(&f.binding.flash, key_lens[i]), want,
                     "%s: max value for a %zu-byte key is %u, the layout gives %u", pc->preset,
                     key_lens[i], nbs_map_max_value(&f.binding.flash, key_lens[i]), want);
    }
    /* The overhead of an item with a value below 32 bytes (a 1-byte length field). */
    uint32_t w = f.binding.flash.write_unit;
    cr_assert_eq(nbs_item_overhead(&f.binding.flash), f3_item_bytes(&f.binding.flash, F3_MAP, 0, 0),
                 "%s: item overhead", pc->preset);
    if (f3_seal_in_header(&f.binding.flash, F3_MAP))
        cr_assert_eq(nbs_item_overhead(&f.binding.flash), (1 + 1 + 1 + 4 + w - 1) / w * w,
                     "%s: item overhead is not a 7-byte commit header with its seal", pc->preset);
    else
        cr_assert_eq(nbs_item_overhead(&f.binding.flash), w + (1 + 1 + 4 + w - 1) / w * w,
                     "%s: item overhead is not a seal unit and a 6-byte commit header", pc->preset);
    /* Every geometry holds a short key with some value. */
    cr_assert_gt(nbs_map_max_value(&f.binding.flash, 17), 0, "%s: no value fits a 17-byte key",
                 pc->preset);
    /* The limit is the same for every key length: key + value <= max_value(1) + 1. */
    cr_assert_eq(nbs_map_max_value(&f.binding.flash, 1) + 1,
                 nbs_map_max_value(&f.binding.flash, 17) + 17, "%s: key + value limit differs",
                 pc->preset);
    check_max_value(&f, pc, 1);
    check_max_value(&f, pc, 17);
    check_max_value(&f, pc, NBS_KEY_MAX);
    ef_close(&f);
}

EF_PRESET_TEST(map, buffer_too_small_reports_the_size_needed) {
    engine_fixture f;
    open_map(&f, pc);
    static const char value[10] = "0123456789";
    cr_assert_eq(nbs_map_store(&f.map, "k", 1, value, sizeof value), NBS_OK);
    uint8_t buf[16];
    size_t len = 0;
    int rc = nbs_map_fetch(&f.map, "k", 1, buf, 9, &len);
    cr_assert_eq(rc, NBS_E_BUFFER_TOO_SMALL, "%s: fetch into 9 bytes: %s", pc->preset,
                 nbs_strerror(rc));
    cr_assert_eq(len, 10, "%s: size needed reported as %zu, not 10", pc->preset, len);
    rc = nbs_map_fetch(&f.map, "k", 1, buf, 10, &len);
    cr_assert(rc == NBS_OK && len == 10 && !memcmp(buf, value, 10), "exact buffer: %s",
              nbs_strerror(rc));
    /* Iteration reports a too-small value buffer too. */
    nbs_map_iter it;
    uint8_t key[NBS_KEY_MAX];
    size_t key_len = 0;
    len = 0;
    nbs_map_iter_init(&f.map, &it);
    rc = nbs_map_iter_next(&it, key, sizeof key, &key_len, buf, 9, &len);
    cr_assert_eq(rc, NBS_E_BUFFER_TOO_SMALL, "%s: iteration into 9 bytes: %s", pc->preset,
                 nbs_strerror(rc));
    ef_close(&f);
}

EF_PRESET_TEST(map, full_store_keeps_data_and_frees_room_on_removal) {
    engine_fixture f;
    ref_map model;
    ref_map_init(&model);
    seeded_rng rng;
    seeded_rng_seed(&rng, 99);
    open_map(&f, pc);
    uint8_t key[NBS_KEY_MAX];
    size_t value_len = nbs_map_max_value(&f.binding.flash, 8) / 5;
    if (value_len > 1000) value_len = 1000;
    /* A map whose live items leave every page a fragment smaller than a REMOVE cannot remove a
     * key when full (SPEC, Known limits; FINDINGS M1): the value length is chosen so that a page
     * of these items (keys of 2 to 8 bytes) holds the same number of them whatever the keys and
     * leaves room for a REMOVE of an 8-byte key. */
    uint32_t room = f3_page_room(&f.binding.flash), removal = item_bytes(&f, 8, 0);
    for (; value_len > 1; value_len--) {
        uint32_t largest = item_bytes(&f, 8, value_len), smallest = item_bytes(&f, 2, value_len);
        uint32_t per_page = room / largest;
        if (room - per_page * largest >= removal && (per_page + 1) * smallest > room) break;
    }
    cr_assert_gt(value_len, 1, "%s: no value length leaves room for a REMOVE", pc->preset);
    uint8_t *value = malloc(value_len);
    int rc = NBS_OK;
    uint32_t stored = 0;
    while (rc == NBS_OK && stored < 100000) {
        size_t key_len = wl_key(stored, key);
        seeded_rng_fill(&rng, value, value_len);
        rc = nbs_map_store(&f.map, key, key_len, value, value_len);
        if (rc == NBS_OK) {
            ref_map_store(&model, key, key_len, value, value_len);
            stored++;
        }
    }
    cr_assert_eq(rc, NBS_E_FULL, "%s: filling stopped after %u items with %s", pc->preset, stored,
                 nbs_strerror(rc));
    cr_assert_geq(stored, 3, "%s: only %u items of %zu bytes fit", pc->preset, stored, value_len);
    verify(&f, &model, "when full");
    /* Every key is live: nothing is reclaimable, and the refused item fits no free space. */
    nbs_space s = space_of(&f);
    uint32_t item = item_bytes(&f, wl_key(stored, key), value_len);
    cr_assert_eq(s.reclaimable, 0,
                 "%s: store says FULL with %u reclaimable bytes (%u items stored, all live, "
                 "%u live bytes)",
                 pc->preset, s.reclaimable, stored, s.live);
    cr_assert_lt(s.free_now, item, "%s: store says FULL with %u bytes free (item %u)", pc->preset,
                 s.free_now, item);
    /* Remove one item from the middle; an item of the same size fits again. */
    size_t key_len = wl_key(stored / 2, key);
    rc = nbs_map_remove(&f.map, key, key_len);
    cr_assert_eq(rc, NBS_OK, "%s: remove when full: %s", pc->preset, nbs_strerror(rc));
    ref_map_remove(&model, key, key_len);
    key_len = wl_key(60000, key);
    seeded_rng_fill(&rng, value, value_len);
    rc = nbs_map_store(&f.map, key, key_len, value, value_len);
    cr_assert_eq(rc, NBS_OK, "%s: store after removing one of %u items: %s", pc->preset, stored,
                 nbs_strerror(rc));
    ref_map_store(&model, key, key_len, value, value_len);
    verify(&f, &model, "after making room");
    remount(&f, pc);
    verify(&f, &model, "after remount of a full store");
    cr_assert_eq(nbs_map_remove(&f.map, key, key_len), NBS_OK);
    ref_map_remove(&model, key, key_len);
    /* Fill again, then the space figures must agree with the FULL answer. */
    for (rc = NBS_OK; rc == NBS_OK && stored < 200000; stored++) {
        key_len = wl_key(stored, key);
        rc = nbs_map_store(&f.map, key, key_len, value, value_len);
    }
    cr_assert_eq(rc, NBS_E_FULL, "%s: refilling ended with %s", pc->preset, nbs_strerror(rc));
    s = space_of(&f);
    item = item_bytes(&f, key_len, value_len);
    cr_assert_lt(s.free_now, item, "%s: store says FULL with %u bytes free (item %u)", pc->preset,
                 s.free_now, item);

    /* A store that cannot fit is refused before any erase or program: no wear. */
    nor_stats before, after;
    ef_stats(&f, &before);
    for (uint32_t i = 0; i < 50; i++) {
        rc = nbs_map_store(&f.map, key, key_len, value, value_len);
        cr_assert_eq(rc, NBS_E_FULL, "%s: failed store %u: %s", pc->preset, i, nbs_strerror(rc));
    }
    ef_stats(&f, &after);
    cr_assert_eq(after.erase_calls, before.erase_calls,
                 "%s: 50 stores refused as full cost %llu erases", pc->preset,
                 (unsigned long long)(after.erase_calls - before.erase_calls));
    cr_assert_eq(after.program_calls, before.program_calls,
                 "%s: 50 stores refused as full cost %llu programs", pc->preset,
                 (unsigned long long)(after.program_calls - before.program_calls));

    free(value);
    ref_map_free(&model);
    ef_close(&f);
}

EF_PRESET_TEST(map, remount_keeps_a_random_workload) {
    engine_fixture f;
    ref_map model;
    ref_map_init(&model);
    seeded_rng rng;
    seeded_rng_seed(&rng, 2024);
    open_map(&f, pc);
    workload w;
    wl_init(&w, &f, &rng, &model, NULL);
    w.value_max = 48;
    char why[EC_WHY_SIZE] = "";
    for (int i = 0; i < 300; i++) {
        wl_result r = wl_step(&w, why);
        cr_assert_eq(r, WL_OK, "%s, step %d: %s", pc->preset, i, why);
    }
    verify(&f, &model, "after the workload");
    remount(&f, pc);
    verify(&f, &model, "after remount");
    ref_map_free(&model);
    ef_close(&f);
}

EF_PRESET_TEST(map, mount_rejects_bad_buffers_and_geometry) {
    engine_fixture f;
    ef_open_preset(&f, pc, EF_MAP, EF_CACHE_NONE);
    nbs_config cfg = f.config;
    nbs_map map;
    memset(&map, 0, sizeof map);
    cfg.work_size = nbs_work_bytes_min(&cfg.flash) - 1;
    int rc = nbs_map_mount(&map, &cfg);
    cr_assert_eq(rc, NBS_E_WORK_BUFFER, "%s: work buffer one byte short: %s", pc->preset,
                 nbs_strerror(rc));
    uint8_t buf[4];
    size_t len;
    rc = nbs_map_fetch(&map, "k", 1, buf, sizeof buf, &len);
    cr_assert_eq(rc, NBS_E_NOT_MOUNTED, "%s: fetch after a failed mount: %s", pc->preset,
                 nbs_strerror(rc));

    cfg = f.config;
    size_t cache_bytes = nbs_cache_bytes(NBS_CACHE_ALL, f.pages, 8);
    if (cache_bytes > 0) {
        void *mem = malloc(cache_bytes);
        cfg.cache = (nbs_cache_config){.flags = NBS_CACHE_ALL,
                                       .mem = mem,
                                       .mem_size = cache_bytes - 1,
                                       .max_keys = 8,
                                       .check = true};
        rc = nbs_map_mount(&map, &cfg);
        cr_assert_eq(rc, NBS_E_CACHE_MEM, "%s: cache memory one byte short: %s", pc->preset,
                     nbs_strerror(rc));
        free(mem);
    }

    cfg = f.config;
    cfg.flash.size = cfg.flash.page_size; /* one page */
    rc = nbs_map_mount(&map, &cfg);
    cr_assert_eq(rc, NBS_E_GEOMETRY, "%s: a single page: %s", pc->preset, nbs_strerror(rc));
    cfg = f.config;
    cfg.flash.write_unit = 3;
    rc = nbs_map_mount(&map, &cfg);
    cr_assert_eq(rc, NBS_E_GEOMETRY, "%s: write unit 3: %s", pc->preset, nbs_strerror(rc));
    ef_close(&f);
}
