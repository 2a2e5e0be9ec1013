/* The caches on their own: hash collisions told apart by the key on flash, overflow falling
 * back to flash (never answering "absent" from an incomplete table), entries following garbage
 * collection and remounts, the queue's head read as its data alone, its count from the unpopped
 * entries per page (check mode catching a wrong one), nbs_cache_bytes() matching
 * the formulas of SPEC.md section 8, and check mode catching a cache entry that disagrees with
 * flash. Read counts are taken with check mode off, since check mode repeats every lookup the
 * uncached way. */
#include "engine_fixture.h"

#include <criterion/criterion.h>
#include <string.h>

enum { KEY_ENTRY_BYTES = 16, HEADER_BYTES = 20, SLOTS_FOR_4_KEYS = 4 + 4 / 2 + 1 };

/* Key entry i of the fixture's cache memory and its lengths word (bytes 4..7: key length << 24 |
 * after-gap flag << 23 | value length; 0 for an empty entry), as SPEC.md section 8 lays them out.
 */
static uint8_t *key_entry(engine_fixture *f, uint32_t i) {
    return (uint8_t *)f->cache_mem + HEADER_BYTES + i * KEY_ENTRY_BYTES;
}
static uint32_t entry_lengths(const uint8_t *e) {
    uint32_t lengths;
    memcpy(&lengths, e + 4, 4);
    return lengths;
}

static void open_map(engine_fixture *f, const char *preset, uint32_t pages, uint32_t max_keys,
                     bool check) {
    nor_config cfg = ef_preset_config(preset);
    ef_options opts;
    memset(&opts, 0, sizeof opts);
    opts.kind = EF_MAP;
    opts.pages = pages;
    opts.cache = EF_CACHE_ALL;
    opts.cache_max_keys = max_keys;
    opts.seed = 11;
    ef_open(f, &cfg, &opts);
    f->config.cache.check = check;
    int rc = ef_mount(f);
    cr_assert_eq(rc, NBS_OK, "%s: mount: %s", preset, nbs_strerror(rc));
}

static void key_of(uint32_t id, uint8_t key[8]) {
    memset(key, 0, 8);
    nbs_key_u32(id, key);
}

static void store_u32(engine_fixture *f, const uint8_t key[8], uint32_t value) {
    uint8_t bytes[4];
    nbs_key_u32(value, bytes);
    int rc = nbs_map_store(&f->map, key, 8, bytes, sizeof bytes);
    cr_assert_eq(rc, NBS_OK, "store: %s", nbs_strerror(rc));
}

/* Fetches key, expecting `value` (or absence when present is false); returns the read calls. */
static uint64_t expect_fetch(engine_fixture *f, const uint8_t key[8], bool present,
                             uint32_t value) {
    uint8_t got[4] = {0};
    size_t len = 0;
    nor_stats before, after;
    ef_stats(f, &before);
    int rc = nbs_map_fetch(&f->map, key, 8, got, sizeof got, &len);
    ef_stats(f, &after);
    if (!present) {
        cr_assert_eq(rc, NBS_E_NOT_FOUND, "fetch of an absent key: %s", nbs_strerror(rc));
    } else {
        uint8_t want[4];
        nbs_key_u32(value, want);
        cr_assert_eq(rc, NBS_OK, "fetch: %s", nbs_strerror(rc));
        cr_assert_eq(len, 4);
        cr_assert_arr_eq(got, want, 4, "fetch returned the wrong value (wanted %u)", value);
    }
    return after.read_calls - before.read_calls;
}

Test(cache_unit, bytes_follow_the_documented_formulas) {
    /* header 20 + key table 16 * (K + K/2 + 1) + seeds 8 * N + ends 4 * N + queue entries 4 * N */
    cr_assert_eq(nbs_cache_bytes(0, 8, 256), 0);
    cr_assert_eq(nbs_cache_bytes(NBS_CACHE_PAGE_STATES, 8, 256), 20 + 8 * 8);
    cr_assert_eq(nbs_cache_bytes(NBS_CACHE_PAGE_POINTERS, 8, 256), 20 + 8 * 8);
    cr_assert_eq(nbs_cache_bytes(NBS_CACHE_PAGE_STATES | NBS_CACHE_PAGE_POINTERS, 8, 0),
                 20 + 16 * 8);
    cr_assert_eq(nbs_cache_bytes(NBS_CACHE_KEYS, 8, 256), 20 + 16 * (256 + 128 + 1));
    cr_assert_eq(nbs_cache_bytes(NBS_CACHE_ALL, 8, 256), 20 + 16 * 385 + 16 * 8);
    cr_assert_eq(nbs_cache_bytes(NBS_CACHE_ALL, 32767, 0), 20 + 16 + 16 * 32767u);
}

Test(cache_unit, mount_rejects_small_or_misaligned_memory) {
    engine_fixture f;
    open_map(&f, "nrf52840", 4, 16, true);
    size_t need = f.cache_bytes;
    f.config.cache.mem_size = need - 1;
    cr_assert_eq(ef_mount(&f), NBS_E_CACHE_MEM, "one byte short must be refused");
    f.config.cache.mem_size = need;
    f.config.cache.mem = NULL;
    cr_assert_eq(ef_mount(&f), NBS_E_CACHE_MEM, "no memory must be refused");
    uint32_t aligned[512];
    cr_assert_leq(need + 1, sizeof aligned);
    f.config.cache.mem = (uint8_t *)aligned + 1;
    cr_assert_eq(ef_mount(&f), NBS_E_CACHE_MEM, "memory not aligned for uint32_t must be refused");
    f.config.cache.mem = aligned;
    cr_assert_eq(ef_mount(&f), NBS_OK);
    f.config.cache.mem = f.cache_mem; /* ef_close frees the fixture's own buffer */
    ef_close(&f);
}

/* CRC-32C, written out here so that the test does not lean on the engine's own. */
static uint32_t crc32c(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
}

/* A non-zero 8-byte difference d with crc(x ^ d) == crc(x) for every 8-byte x: CRC is affine
 * in the message, so any d in the kernel of its linear part will do; Gaussian elimination over
 * the 64 unit vectors finds one. */
static uint64_t crc_kernel_difference(void) {
    uint8_t zero[8] = {0};
    uint32_t base = crc32c(zero, 8), pivot_vec[32] = {0};
    uint64_t pivot_mask[32] = {0};
    for (int i = 0; i < 64; i++) {
        uint8_t unit[8] = {0};
        unit[i / 8] = (uint8_t)(1u << (i % 8));
        uint32_t v = crc32c(unit, 8) ^ base;
        uint64_t mask = 1ull << i;
        for (int bit = 31; bit >= 0 && v; bit--) {
            if (!(v >> bit & 1)) continue;
            if (!pivot_vec[bit]) {
                pivot_vec[bit] = v, pivot_mask[bit] = mask;
                v = 0, mask = 0;
                break;
            }
            v ^= pivot_vec[bit], mask ^= pivot_mask[bit];
        }
        if (mask) return mask;
    }
    return 0;
}

Test(cache_unit, colliding_hashes_are_told_apart_by_the_key) {
    uint64_t d = crc_kernel_difference();
    cr_assert_neq(d, 0);
    uint8_t a[8] = {'c', 'o', 'l', 'l', 'i', 'd', 'e', '!'}, b[8];
    for (int i = 0; i < 8; i++) b[i] = a[i] ^ (uint8_t)(d >> (8 * i));
    cr_assert_eq(crc32c(a, 8), crc32c(b, 8), "the two keys must share their hash");
    cr_assert(memcmp(a, b, 8) != 0);

    engine_fixture f;
    open_map(&f, "nrf52840", 4, 8, true);
    store_u32(&f, a, 1);
    expect_fetch(&f, b, false, 0);
    store_u32(&f, b, 2);
    expect_fetch(&f, a, true, 1);
    expect_fetch(&f, b, true, 2);
    store_u32(&f, a, 3); /* an update must replace a's entry, not b's */
    expect_fetch(&f, a, true, 3);
    expect_fetch(&f, b, true, 2);
    cr_assert_eq(nbs_map_remove(&f.map, a, 8), NBS_OK);
    expect_fetch(&f, a, false, 0);
    expect_fetch(&f, b, true, 2);
    cr_assert_eq(ef_mount(&f), NBS_OK);
    expect_fetch(&f, a, false, 0);
    expect_fetch(&f, b, true, 2);
    ef_close(&f);
}

Test(cache_unit, complete_table_answers_in_two_reads_or_none) {
    engine_fixture f;
    uint8_t key[8];
    open_map(&f, "nrf52840", 4, 64, false);
    for (uint32_t id = 0; id < 40; id++) key_of(id, key), store_u32(&f, key, id * 7);
    for (uint32_t id = 0; id < 40; id++) {
        key_of(id, key);
        cr_assert_leq(expect_fetch(&f, key, true, id * 7), 2, "a cached key costs at most 2 reads");
    }
    key_of(1000, key);
    cr_assert_eq(expect_fetch(&f, key, false, 0), 0, "an absent key costs no read");
    ef_close(&f);
}

Test(cache_unit, overflow_falls_back_to_flash_and_never_answers_absent) {
    engine_fixture f;
    uint8_t key[8];
    open_map(&f, "nrf52840", 4, 4, false);
    for (uint32_t id = 0; id < 10; id++) key_of(id, key), store_u32(&f, key, id + 100);
    uint32_t cheap = 0;
    for (uint32_t id = 0; id < 10; id++) {
        key_of(id, key);
        cheap += expect_fetch(&f, key, true, id + 100) <= 2;
    }
    cr_assert_eq(cheap, 4, "exactly the 4 keys the table holds are cheap, not %u", cheap);
    key_of(1000, key);
    cr_assert_gt(expect_fetch(&f, key, false, 0), 0, "an incomplete table must ask flash");
    /* remove_all leaves nothing outside the table: it is complete again. */
    cr_assert_eq(nbs_map_remove_all(&f.map), NBS_OK);
    cr_assert_eq(expect_fetch(&f, key, false, 0), 0);
    key_of(3, key);
    cr_assert_eq(expect_fetch(&f, key, false, 0), 0);
    ef_close(&f);
}

/* stm32l4-1m (ECC flash): 3 pages of 2 KiB, so 300 updates turn the ring over several times. */
Test(cache_unit, entries_follow_gc_removals_and_remounts) {
    engine_fixture f;
    uint8_t key[8];
    uint32_t values[6];
    open_map(&f, "stm32l4-1m", 3, 8, true);
    for (uint32_t round = 0; round < 300; round++) {
        uint32_t id = round % 6;
        key_of(id, key);
        values[id] = round;
        store_u32(&f, key, round);
        if (round % 37 == 36) cr_assert_eq(ef_mount(&f), NBS_OK, "remount in round %u", round);
    }
    key_of(2, key);
    cr_assert_eq(nbs_map_remove(&f.map, key, 8), NBS_OK);
    /* Check mode off now: every answer must still be right and cheap. */
    f.config.cache.check = false;
    cr_assert_eq(ef_mount(&f), NBS_OK);
    for (uint32_t id = 0; id < 6; id++) {
        key_of(id, key);
        uint64_t reads = expect_fetch(&f, key, id != 2, values[id]);
        cr_assert_leq(reads, id == 2 ? 0 : 2, "key %u took %llu reads", id,
                      (unsigned long long)reads);
    }
    cr_assert_eq(nbs_map_erase_all(&f.map), NBS_OK);
    key_of(0, key);
    cr_assert_eq(expect_fetch(&f, key, false, 0), 0);
    ef_close(&f);
}

/* The documented layout (SPEC.md section 8): a 20-byte header, then 16-byte key entries whose
 * bytes 4..7 hold key length << 24 | after-gap flag << 23 | value length (0: an empty entry). */
Test(cache_unit, check_mode_catches_a_wrong_entry) {
    engine_fixture f;
    uint8_t key[8];
    open_map(&f, "nrf52840", 4, 4, true);
    key_of(7, key);
    store_u32(&f, key, 77);
    expect_fetch(&f, key, true, 77);
    uint32_t used = 0;
    for (uint32_t i = 0; i < SLOTS_FOR_4_KEYS; i++) {
        uint8_t *e = key_entry(&f, i);
        uint32_t lengths = entry_lengths(e);
        if (!lengths) continue;
        cr_assert_eq(lengths >> 24, 8, "the entry's key length");
        cr_assert_eq(lengths & 0x7FFFFF, 4, "the entry's value length");
        memset(e, 0, KEY_ENTRY_BYTES); /* the table now says the key is absent */
        used++;
    }
    cr_assert_eq(used, 1);
    uint8_t got[8];
    size_t len;
    int rc = nbs_map_fetch(&f.map, key, 8, got, sizeof got, &len);
    cr_assert_eq(rc, NBS_E_CACHE_MISMATCH, "check mode returned %s", nbs_strerror(rc));
    /* Without check mode the same table gives a wrong answer: this is what check mode is for. */
    f.map.log.cache.check = false;
    rc = nbs_map_fetch(&f.map, key, 8, got, sizeof got, &len);
    cr_assert_eq(rc, NBS_E_NOT_FOUND, "the emptied entry went unnoticed: %s", nbs_strerror(rc));
    ef_close(&f);
}

/* A value whose entry's lengths were changed no longer checks against the CRC the entry holds:
 * the lookup goes to flash and the answer stays right, check mode or not. */
Test(cache_unit, an_entry_that_fails_its_crc_falls_back_to_flash) {
    engine_fixture f;
    uint8_t key[8];
    open_map(&f, "nrf52840", 4, 4, false);
    key_of(9, key);
    store_u32(&f, key, 99);
    for (uint32_t i = 0; i < SLOTS_FOR_4_KEYS; i++) {
        uint8_t *e = key_entry(&f, i);
        uint32_t lengths = entry_lengths(e);
        if (lengths) lengths += 1, memcpy(e + 4, &lengths, 4);
    }
    cr_assert_gt(expect_fetch(&f, key, true, 99), 1, "the flash path must have answered");
    ef_close(&f);
}

static void open_queue(engine_fixture *f, bool check) {
    nor_config cfg = ef_preset_config("tiny");
    ef_options opts;
    memset(&opts, 0, sizeof opts);
    opts.kind = EF_QUEUE;
    opts.pages = 4;
    opts.cache = EF_CACHE_ALL;
    opts.seed = 5;
    ef_open(f, &cfg, &opts);
    f->config.cache.check = check;
    cr_assert_eq(ef_mount(f), NBS_OK);
}

/* sequential-storage's queue loop: with the head cache, peek and pop read the entry's data
 * alone (one read each) and an empty queue is known without a read, across page changes. */
Test(cache_unit, queue_head_reads_only_the_data) {
    engine_fixture f;
    open_queue(&f, false);
    uint8_t in[32], out[32];
    size_t len;
    uint64_t reads = 0, bytes = 0, data = 0;
    for (uint32_t i = 0; i < 300; i++) {
        size_t n = i % 20 + 1;
        memset(in, (int)(i & 0xFF), n);
        cr_assert_eq(nbs_queue_push(&f.queue, in, n, NBS_PUSH_DROP_OLDEST), NBS_OK);
        nor_stats before, after;
        ef_stats(&f, &before);
        cr_assert_eq(nbs_queue_peek(&f.queue, out, sizeof out, &len), NBS_OK);
        cr_assert(len == n && !memcmp(in, out, n), "peek %u", i);
        cr_assert_eq(nbs_queue_pop(&f.queue, out, sizeof out, &len), NBS_OK);
        cr_assert(len == n && !memcmp(in, out, n), "pop %u", i);
        cr_assert_eq(nbs_queue_peek(&f.queue, out, sizeof out, &len), NBS_E_EMPTY);
        ef_stats(&f, &after);
        if (i) reads += after.read_calls - before.read_calls; /* the first peek reads flash */
        if (i) bytes += after.read_bytes - before.read_bytes, data += 2 * n;
    }
    cr_assert_eq(reads, 2 * 299, "peek and pop: one read each, the empty peek none (%llu)",
                 (unsigned long long)reads);
    cr_assert_eq(bytes, data, "only the entries' data is read (%llu of %llu)",
                 (unsigned long long)bytes, (unsigned long long)data);
    ef_close(&f);
}

/* A head entry whose cached length is wrong fails the CRC the cache holds: the flash path
 * answers, and the answer is right. */
Test(cache_unit, a_wrong_head_falls_back_to_flash) {
    engine_fixture f;
    open_queue(&f, false);
    uint8_t in[4] = {1, 2, 3, 4}, out[8];
    size_t len;
    cr_assert_eq(nbs_queue_push(&f.queue, in, 4, 0), NBS_OK);
    cr_assert_eq(nbs_queue_push(&f.queue, in, 3, 0), NBS_OK);
    cr_assert_eq(nbs_queue_peek(&f.queue, out, sizeof out, &len), NBS_OK);
    uint8_t *h = (uint8_t *)f.cache_mem;
    uint32_t lengths;
    memcpy(&lengths, h + 12, 4);
    cr_assert_eq(lengths & 0x7FFFFF, 4, "the head's value length is at bytes 12..15");
    lengths = (lengths & ~0x7FFFFFu) | 3;
    memcpy(h + 12, &lengths, 4);
    cr_assert_eq(nbs_queue_peek(&f.queue, out, sizeof out, &len), NBS_OK);
    cr_assert(len == 4 && !memcmp(out, in, 4), "the CRC must send the read to flash (%zu)", len);
    ef_close(&f);
}

/* The queue's count with page pointers: each page's unpopped entries are kept in the cache (by
 * push, pop, drop-oldest and the iterator's pop), so a count reads nothing once every page was
 * counted, whatever the fill; after a remount the first count walks the pages once. */
Test(cache_unit, queue_count_reads_nothing_once_pages_are_counted) {
    engine_fixture f;
    open_queue(&f, false);
    uint8_t in[24] = {0}, out[24];
    size_t len;
    uint32_t count, held = 0;
    nor_stats before, after;
    for (uint32_t i = 0; i < 200; i++) {
        in[0] = (uint8_t)i;
        cr_assert_eq(nbs_queue_push(&f.queue, in, i % 24 + 1, NBS_PUSH_DROP_OLDEST), NBS_OK);
        if (i % 3 == 2) cr_assert_eq(nbs_queue_pop(&f.queue, out, sizeof out, &len), NBS_OK);
        if (i % 7 == 0) {
            nbs_queue_iter it;
            nbs_queue_iter_init(&f.queue, &it);
            if (nbs_queue_iter_next(&it, out, sizeof out, &len) == NBS_OK &&
                nbs_queue_iter_next(&it, out, sizeof out, &len) == NBS_OK)
                cr_assert_eq(nbs_queue_iter_pop_current(&it), NBS_OK);
        }
        ef_stats(&f, &before);
        cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
        ef_stats(&f, &after);
        cr_assert_eq(after.read_calls, before.read_calls, "count %u read flash (%llu calls)", i,
                     (unsigned long long)(after.read_calls - before.read_calls));
        held = count;
    }
    /* The truth: a remount empties the cache, and the first count walks flash. */
    cr_assert_eq(ef_mount(&f), NBS_OK);
    ef_stats(&f, &before);
    cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
    ef_stats(&f, &after);
    cr_assert_eq(count, held, "the cached count %u, flash says %u", held, count);
    cr_assert_gt(after.read_calls, before.read_calls, "after a mount the pages are walked");
    ef_stats(&f, &before);
    cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
    ef_stats(&f, &after);
    cr_assert_eq(after.read_calls, before.read_calls, "then noted: the next count reads nothing");
    ef_close(&f);
}

/* Check mode compares the per-page count with flash: a page's figure one too high is caught. */
Test(cache_unit, check_mode_catches_a_wrong_page_count) {
    engine_fixture f;
    open_queue(&f, true);
    uint8_t in[8] = {7};
    uint32_t count;
    for (int i = 0; i < 3; i++) cr_assert_eq(nbs_queue_push(&f.queue, in, sizeof in, 0), NBS_OK);
    cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
    cr_assert_eq(count, 3);
    /* header 20, seeds 8 x 4, ends 4 x 4, then the entries per page + 1 (0: unknown) */
    uint8_t *entries = (uint8_t *)f.cache_mem + HEADER_BYTES + 8 * 4 + 4 * 4;
    uint32_t total = 0, word;
    for (int page = 0; page < 4; page++) {
        memcpy(&word, entries + 4 * page, 4);
        if (word) total += word - 1;
    }
    cr_assert_eq(total, 3, "the entries per page sit after the page ends (SPEC section 8)");
    for (int page = 0; page < 4; page++) {
        memcpy(&word, entries + 4 * page, 4);
        if (word > 1) word++, memcpy(entries + 4 * page, &word, 4);
    }
    cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_E_CACHE_MISMATCH);
    ef_close(&f);
}
