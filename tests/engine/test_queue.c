/* The queue's public API on every NOR preset: FIFO order, empty and full, too-small buffers,
 * dropping the oldest entries, iteration with pops in the middle, max_push, count, space,
 * erase_all, and remounting. */
#include "engine_check.h"
#include "engine_fixture.h"
#include "engine_presets.h"
#include "ref_model.h"
#include "seeded_rng.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void open_queue(engine_fixture *f, const ef_preset_case *pc) {
    ef_open_preset(f, pc, EF_QUEUE, EF_CACHE_NONE);
    int rc = ef_mount(f);
    cr_assert_eq(rc, NBS_OK, "%s: mount of an erased range: %s", pc->preset, nbs_strerror(rc));
}

static void remount(engine_fixture *f, const ef_preset_case *pc) {
    int rc = ef_mount(f);
    cr_assert_eq(rc, NBS_OK, "%s: remount: %s", pc->preset, nbs_strerror(rc));
}

static void verify(engine_fixture *f, const ref_queue *model, const char *when) {
    char why[EC_WHY_SIZE] = "";
    cr_assert(ec_queue_verify(f, model, why), "%s, %s: %s", nor_get_config(f->dev)->name, when,
              why);
}

/* Room for any entry these tests push. */
#define ENTRY_BUF 2048

/* Entry number n: its length and bytes follow from n so any entry can be recognised. Entries
 * grow with the page size so a queue holds a few hundred of them at most. */
static size_t entry_bytes(const engine_fixture *f, uint32_t n, uint8_t *buf) {
    size_t len = 4 + n % 13 + f->page_size / 128;
    if (len > ENTRY_BUF) len = ENTRY_BUF;
    for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)(n * 31 + i);
    nbs_key_u32(n, buf);
    return len;
}

static int push_entry(engine_fixture *f, ref_queue *model, uint32_t n, unsigned flags) {
    uint8_t buf[ENTRY_BUF];
    size_t len = entry_bytes(f, n, buf);
    int rc = nbs_queue_push(&f->queue, buf, len, flags);
    if (rc == NBS_OK && model && !(flags & NBS_PUSH_DROP_OLDEST)) ref_queue_push(model, buf, len);
    return rc;
}

/* The entry number an entry read back carries (see entry_bytes). */
static uint32_t entry_number(const uint8_t *buf) {
    return (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
           (uint32_t)buf[3] << 24;
}

EF_PRESET_TEST(queue, push_peek_pop_in_order) {
    engine_fixture f;
    ref_queue model;
    ref_queue_init(&model);
    open_queue(&f, pc);
    uint8_t buf[ENTRY_BUF];
    size_t len = 0;
    cr_assert_eq(nbs_queue_peek(&f.queue, buf, sizeof buf, &len), NBS_E_EMPTY, "peek of empty");
    cr_assert_eq(nbs_queue_pop(&f.queue, buf, sizeof buf, &len), NBS_E_EMPTY, "pop of empty");
    for (uint32_t n = 0; n < 8; n++)
        cr_assert_eq(push_entry(&f, &model, n, 0), NBS_OK, "%s: push %u", pc->preset, n);
    verify(&f, &model, "after 8 pushes");
    remount(&f, pc);
    verify(&f, &model, "after remount");
    for (uint32_t n = 0; n < 8; n++) {
        uint8_t want[ENTRY_BUF];
        size_t want_len = entry_bytes(&f, n, want);
        int rc = nbs_queue_peek(&f.queue, buf, sizeof buf, &len);
        cr_assert(rc == NBS_OK && len == want_len && !memcmp(buf, want, len),
                  "%s: peek before pop %u: %s, %zu bytes", pc->preset, n, nbs_strerror(rc), len);
        rc = nbs_queue_pop(&f.queue, buf, sizeof buf, &len);
        cr_assert(rc == NBS_OK && len == want_len && !memcmp(buf, want, len),
                  "%s: pop %u: %s, %zu bytes", pc->preset, n, nbs_strerror(rc), len);
        ref_queue_pop_at(&model, 0);
    }
    cr_assert_eq(nbs_queue_pop(&f.queue, buf, sizeof buf, &len), NBS_E_EMPTY, "pop after all");
    verify(&f, &model, "after popping everything");
    remount(&f, pc);
    verify(&f, &model, "remount after popping everything");
    ref_queue_free(&model);
    ef_close(&f);
}

EF_PRESET_TEST(queue, buffer_too_small_keeps_the_entry) {
    engine_fixture f;
    open_queue(&f, pc);
    static const char entry[10] = "0123456789";
    cr_assert_eq(nbs_queue_push(&f.queue, entry, sizeof entry, 0), NBS_OK);
    uint8_t buf[16];
    size_t len = 0;
    int rc = nbs_queue_peek(&f.queue, buf, 9, &len);
    cr_assert_eq(rc, NBS_E_BUFFER_TOO_SMALL, "%s: peek into 9 bytes: %s", pc->preset,
                 nbs_strerror(rc));
    cr_assert_eq(len, 10, "%s: peek reports %zu bytes needed, not 10", pc->preset, len);
    len = 0;
    rc = nbs_queue_pop(&f.queue, buf, 9, &len);
    cr_assert_eq(rc, NBS_E_BUFFER_TOO_SMALL, "%s: pop into 9 bytes: %s", pc->preset,
                 nbs_strerror(rc));
    cr_assert_eq(len, 10, "%s: pop reports %zu bytes needed, not 10", pc->preset, len);
    uint32_t count = 0;
    cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
    cr_assert_eq(count, 1, "%s: a pop into a too-small buffer removed the entry", pc->preset);
    rc = nbs_queue_pop(&f.queue, buf, 10, &len);
    cr_assert(rc == NBS_OK && len == 10 && !memcmp(buf, entry, 10), "exact buffer: %s",
              nbs_strerror(rc));
    ef_close(&f);
}

/* Pushes numbered entries until the queue is full; returns how many fit. */
static uint32_t fill_queue(engine_fixture *f, const ef_preset_case *pc, ref_queue *model) {
    uint32_t n = 0;
    int rc = NBS_OK;
    while (n < 200000) {
        rc = push_entry(f, model, n, 0);
        if (rc != NBS_OK) break;
        n++;
    }
    cr_assert_eq(rc, NBS_E_FULL, "%s: filling stopped after %u entries with %s", pc->preset, n,
                 nbs_strerror(rc));
    cr_assert_geq(n, 2, "%s: only %u entries fit", pc->preset, n);
    return n;
}

EF_PRESET_TEST(queue, full_queue_refuses_and_keeps_everything) {
    engine_fixture f;
    ref_queue model;
    ref_queue_init(&model);
    open_queue(&f, pc);
    uint32_t n = fill_queue(&f, pc, &model);
    verify(&f, &model, "when full");
    size_t max_push = 99;
    cr_assert_eq(nbs_queue_max_push(&f.queue, &max_push), NBS_OK);
    uint8_t refused[ENTRY_BUF];
    cr_assert_lt(max_push, entry_bytes(&f, n, refused), "%s: full, yet max_push is %zu", pc->preset,
                 max_push);
    remount(&f, pc);
    verify(&f, &model, "remount when full");
    /* A pop makes room for at least the entry popped... eventually: pop until a push fits. */
    uint8_t buf[ENTRY_BUF];
    size_t len;
    int rc = NBS_E_FULL;
    for (uint32_t pops = 0; pops < n && rc == NBS_E_FULL; pops++) {
        cr_assert_eq(nbs_queue_pop(&f.queue, buf, sizeof buf, &len), NBS_OK);
        ref_queue_pop_at(&model, 0);
        rc = push_entry(&f, &model, n, 0);
    }
    cr_assert_eq(rc, NBS_OK, "%s: popping everything did not make room", pc->preset);
    verify(&f, &model, "after making room");
    ref_queue_free(&model);
    ef_close(&f);
}

EF_PRESET_TEST(queue, max_push_agrees_with_push) {
    engine_fixture f;
    open_queue(&f, pc);
    uint32_t max_item = nbs_queue_max_item(&f.binding.flash);
    cr_assert_gt(max_item, 0, "%s: no entry fits", pc->preset);
    cr_assert_lt(max_item, f.page_size, "%s: max item %u not below the page", pc->preset, max_item);
    size_t max_push = 0;
    cr_assert_eq(nbs_queue_max_push(&f.queue, &max_push), NBS_OK);
    cr_assert_eq(max_push, max_item, "%s: an empty queue takes %zu, max item is %u", pc->preset,
                 max_push, max_item);
    uint8_t *buf = malloc(max_item + 1);
    memset(buf, 0x5A, max_item + 1);
    int rc = nbs_queue_push(&f.queue, buf, max_item + 1, 0);
    cr_assert_eq(rc, NBS_E_TOO_BIG, "%s: push of max_item+1: %s", pc->preset, nbs_strerror(rc));
    rc = nbs_queue_push(&f.queue, buf, max_item + 1, NBS_PUSH_DROP_OLDEST);
    cr_assert_eq(rc, NBS_E_TOO_BIG, "%s: dropping push of max_item+1: %s", pc->preset,
                 nbs_strerror(rc));
    /* Alternate small pushes and a push of exactly max_push until it reaches 0. */
    uint32_t pushed = 0, count = 0;
    for (int round = 0; round < 400; round++) {
        cr_assert_eq(nbs_queue_max_push(&f.queue, &max_push), NBS_OK);
        if (max_push == 0) break;
        if (round % 2) {
            rc = nbs_queue_push(&f.queue, buf, max_push + 1, 0);
            cr_assert(rc == NBS_E_FULL || (rc == NBS_E_TOO_BIG && max_push == max_item),
                      "%s: push of max_push+1 = %zu: %s", pc->preset, max_push + 1,
                      nbs_strerror(rc));
            rc = nbs_queue_push(&f.queue, buf, max_push, 0);
            cr_assert_eq(rc, NBS_OK, "%s: push of exactly max_push = %zu: %s", pc->preset, max_push,
                         nbs_strerror(rc));
        } else {
            size_t small = max_push < 20 ? max_push : 20;
            rc = nbs_queue_push(&f.queue, buf, small, 0);
            cr_assert_eq(rc, NBS_OK, "%s: push of %zu (max_push %zu): %s", pc->preset, small,
                         max_push, nbs_strerror(rc));
        }
        pushed++;
        cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
        cr_assert_eq(count, pushed, "%s: count %u after %u pushes", pc->preset, count, pushed);
    }
    cr_assert_eq(max_push, 0, "%s: max_push still %zu after %u pushes", pc->preset, max_push,
                 pushed);
    rc = nbs_queue_push(&f.queue, buf, 1, 0);
    cr_assert_eq(rc, NBS_E_FULL, "%s: push of 1 byte with max_push 0: %s", pc->preset,
                 nbs_strerror(rc));
    free(buf);
    ef_close(&f);
}

/* The queue holds exactly entries first .. end-1, in order. */
static void expect_entries(engine_fixture *f, const ef_preset_case *pc, uint32_t first,
                           uint32_t end) {
    nbs_queue_iter it;
    uint8_t buf[ENTRY_BUF];
    size_t len;
    uint32_t expect = first;
    int rc;
    nbs_queue_iter_init(&f->queue, &it);
    while ((rc = nbs_queue_iter_next(&it, buf, sizeof buf, &len)) == NBS_OK) {
        cr_assert_eq(entry_number(buf), expect, "%s: the queue holds entry %u where %u belongs",
                     pc->preset, entry_number(buf), expect);
        expect++;
    }
    cr_assert_eq(rc, NBS_E_END, "%s: iteration: %s", pc->preset, nbs_strerror(rc));
    cr_assert_eq(expect, end, "%s: the queue ends at entry %u, not %u", pc->preset, expect, end);
}

EF_PRESET_TEST(queue, drop_oldest_drops_exactly_the_oldest) {
    engine_fixture f;
    open_queue(&f, pc);
    uint32_t n = fill_queue(&f, pc, NULL);
    uint32_t next = n;
    uint32_t oldest = 0; /* the number of the oldest entry the queue should hold */
    int full_checks = 0;
    for (uint32_t i = 0; i < 3 * n && i < 600; i++) {
        int rc = push_entry(&f, NULL, next, NBS_PUSH_DROP_OLDEST);
        cr_assert_eq(rc, NBS_OK, "%s: dropping push %u when full: %s", pc->preset, i,
                     nbs_strerror(rc));
        next++;
        /* What was dropped is a run of the oldest entries: the oldest left follows it. */
        uint8_t buf[ENTRY_BUF];
        size_t len;
        cr_assert_eq(nbs_queue_peek(&f.queue, buf, sizeof buf, &len), NBS_OK);
        uint32_t now_oldest = entry_number(buf);
        cr_assert(now_oldest >= oldest && now_oldest < next,
                  "%s: after dropping push %u the oldest entry is %u (was %u, newest %u)",
                  pc->preset, i, now_oldest, oldest, next - 1);
        if (now_oldest != oldest && full_checks < 4) {
            full_checks++;
            expect_entries(&f, pc, now_oldest, next);
        }
        oldest = now_oldest;
    }
    cr_assert_gt(oldest, 0, "%s: nothing was ever dropped", pc->preset);
    expect_entries(&f, pc, oldest, next);
    remount(&f, pc);
    expect_entries(&f, pc, oldest, next);
    ef_close(&f);
}

EF_PRESET_TEST(queue, iteration_pops_middle_entries) {
    engine_fixture f;
    ref_queue model;
    ref_queue_init(&model);
    open_queue(&f, pc);
    /* Up to 12 entries (small pages hold fewer); pop the first, two neighbours in the middle,
     * one more in the middle and the last during one pass. */
    uint32_t total = 0;
    while (total < 12 && push_entry(&f, &model, total, 0) == NBS_OK) total++;
    cr_assert_geq(total, 6, "%s: only %u entries fit", pc->preset, total);
    bool pop_it[12] = {false};
    pop_it[0] = pop_it[total / 3] = pop_it[total / 3 + 1] = pop_it[2 * total / 3] = true;
    pop_it[total - 1] = true;
    nbs_queue_iter it;
    uint8_t buf[ENTRY_BUF];
    size_t len;
    nbs_queue_iter_init(&f.queue, &it);
    uint32_t model_index = 0;
    for (uint32_t n = 0; n < total; n++) {
        int rc = nbs_queue_iter_next(&it, buf, sizeof buf, &len);
        cr_assert_eq(rc, NBS_OK, "%s: iteration at entry %u: %s", pc->preset, n, nbs_strerror(rc));
        cr_assert_eq(entry_number(buf), n, "%s: iteration returned %u for %u", pc->preset,
                     entry_number(buf), n);
        if (pop_it[n]) {
            rc = nbs_queue_iter_pop_current(&it);
            cr_assert_eq(rc, NBS_OK, "%s: pop_current of %u: %s", pc->preset, n, nbs_strerror(rc));
            ref_queue_pop_at(&model, model_index);
        } else {
            model_index++;
        }
    }
    cr_assert_eq(nbs_queue_iter_next(&it, buf, sizeof buf, &len), NBS_E_END);
    verify(&f, &model, "after popping during iteration");
    remount(&f, pc);
    verify(&f, &model, "after remount");
    /* Plain pops go on with the remaining entries in order. */
    while (ref_queue_count(&model)) {
        int rc = nbs_queue_pop(&f.queue, buf, sizeof buf, &len);
        const ref_item *front = ref_queue_at(&model, 0);
        cr_assert(rc == NBS_OK && len == front->value_len && !memcmp(buf, front->value, len),
                  "%s: pop after the iteration: %s", pc->preset, nbs_strerror(rc));
        ref_queue_pop_at(&model, 0);
    }
    cr_assert_eq(nbs_queue_pop(&f.queue, buf, sizeof buf, &len), NBS_E_EMPTY);
    ref_queue_free(&model);
    ef_close(&f);
}

EF_PRESET_TEST(queue, count_space_and_erase_all) {
    engine_fixture f;
    ref_queue model;
    ref_queue_init(&model);
    open_queue(&f, pc);
    nbs_space empty, some, popped;
    char why[EC_WHY_SIZE];
    cr_assert_eq(nbs_queue_space(&f.queue, &empty), NBS_OK);
    cr_assert(ec_space_consistent(&empty, f.binding.flash.size, why), "%s", why);
    cr_assert_eq(empty.live, 0, "%s: empty queue has %u live bytes", pc->preset, empty.live);
    for (uint32_t n = 0; n < 5; n++) cr_assert_eq(push_entry(&f, &model, n, 0), NBS_OK);
    cr_assert_eq(nbs_queue_space(&f.queue, &some), NBS_OK);
    cr_assert(ec_space_consistent(&some, f.binding.flash.size, why), "%s", why);
    cr_assert_gt(some.live, 5 * 4, "%s: 5 entries take %u live bytes", pc->preset, some.live);
    cr_assert_lt(some.free_now, empty.free_now);
    uint8_t buf[ENTRY_BUF];
    size_t len;
    cr_assert_eq(nbs_queue_pop(&f.queue, buf, sizeof buf, &len), NBS_OK);
    ref_queue_pop_at(&model, 0);
    cr_assert_eq(nbs_queue_space(&f.queue, &popped), NBS_OK);
    cr_assert(ec_space_consistent(&popped, f.binding.flash.size, why), "%s", why);
    cr_assert_lt(popped.live, some.live, "%s: a pop left live bytes at %u", pc->preset,
                 popped.live);
    verify(&f, &model, "after a pop");

    cr_assert_eq(nbs_queue_erase_all(&f.queue), NBS_OK);
    ref_queue_clear(&model);
    verify(&f, &model, "after erase_all");
    remount(&f, pc);
    verify(&f, &model, "remount after erase_all");
    cr_assert_eq(push_entry(&f, &model, 77, 0), NBS_OK);
    verify(&f, &model, "push after erase_all");
    ref_queue_free(&model);
    ef_close(&f);
}

/* The seq a page's header names, or -1 when its header reads erased (SPEC 3.1: byte 0 of a
 * queue page is never the erase value). */
static int32_t page_seq(const engine_fixture *f, uint32_t page) {
    uint8_t b[3];
    const nbs_flash *fl = &f->binding.flash;
    cr_assert_eq(nor_peek(f->dev, fl->start + page * fl->page_size, b, sizeof b), NOR_OK);
    return b[0] == fl->erase_value ? -1 : (int32_t)(b[1] | b[2] << 8);
}

/* Pushes and pops one entry at a time, each read back, until every page of the range names a
 * seq it did not name at the start: the ring came round once, every page opened once. Returns
 * the erases that took. */
static uint64_t push_pop_one_lap(engine_fixture *f, const ef_preset_case *pc, uint32_t *n) {
    int32_t start[64];
    bool opened[64] = {false};
    uint32_t pages = f->pages, left = f->pages;
    cr_assert_leq(pages, 64, "%s: %u pages", pc->preset, pages);
    for (uint32_t p = 0; p < pages; p++) start[p] = page_seq(f, p);
    nor_stats before, after;
    ef_stats(f, &before);
    for (uint32_t steps = 0; left; steps++, ++*n) {
        cr_assert_lt(steps, 200000, "%s: the ring did not come round", pc->preset);
        cr_assert_eq(push_entry(f, NULL, *n, 0), NBS_OK, "%s: push %u", pc->preset, *n);
        uint8_t want[ENTRY_BUF], got[ENTRY_BUF];
        size_t want_len = entry_bytes(f, *n, want), len = 0;
        int rc = nbs_queue_pop(&f->queue, got, sizeof got, &len);
        cr_assert(rc == NBS_OK && len == want_len && !memcmp(got, want, len), "%s: pop %u: %s",
                  pc->preset, *n, nbs_strerror(rc));
        for (uint32_t p = 0; p < pages; p++)
            if (!opened[p] && page_seq(f, p) != start[p]) opened[p] = true, left--;
    }
    ef_stats(f, &after);
    return after.erase_calls - before.erase_calls;
}

/* Pages whose entries are all popped are dead once a newer page names a later tail, and stay as
 * they are until the ring comes back to them (SPEC 5.4): the open that reuses a page erases it,
 * once. So the first lap over a fresh range erases page 0 alone, a mount leaves the dead pages
 * (a clean mount writes nothing), their popped entries stay popped, and every later lap costs
 * one erase per page, a reboot included. Erasing dead pages as soon as they die costs N - 1
 * more erases at the first lap and again after every reboot. */
EF_PRESET_TEST(queue, dead_pages_are_erased_once_when_reused) {
    engine_fixture f;
    open_queue(&f, pc);
    uint32_t n = 0;
    uint64_t erases = push_pop_one_lap(&f, pc, &n);
    cr_assert_eq(erases, 1, "%s: the first lap over a fresh range erased %llu pages, not 1",
                 pc->preset, (unsigned long long)erases);
    for (uint32_t p = 0; p < f.pages; p++)
        cr_assert_neq(page_seq(&f, p), -1, "%s: dead page %u was erased before its reuse",
                      pc->preset, p);
    nor_stats before, after;
    ef_stats(&f, &before);
    remount(&f, pc);
    ef_stats(&f, &after);
    cr_assert(after.program_calls == before.program_calls &&
                  after.erase_calls == before.erase_calls,
              "%s: the mount of a clean queue with dead pages wrote %llu programs, %llu erases",
              pc->preset, (unsigned long long)(after.program_calls - before.program_calls),
              (unsigned long long)(after.erase_calls - before.erase_calls));
    uint32_t count = 99;
    cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
    cr_assert_eq(count, 0, "%s: %u popped entries came back at the mount", pc->preset, count);
    erases = push_pop_one_lap(&f, pc, &n);
    cr_assert_eq(erases, f.pages, "%s: a lap over %u pages after a reboot erased %llu", pc->preset,
                 f.pages, (unsigned long long)erases);
    ef_close(&f);
}

/* An uncached count walks every page; it leaves the memo of the last page header read (the
 * head's) as it found it, so a peek after a count reads the entry alone, as before it. */
Test(queue, a_count_leaves_the_head_page_memo) {
    const ef_preset_case tiny = {"tiny", 4, 0};
    engine_fixture f;
    open_queue(&f, &tiny);
    uint8_t in[24] = {0}, out[24];
    size_t len;
    uint32_t count;
    for (int i = 0; i < 16; i++) cr_assert_eq(nbs_queue_push(&f.queue, in, sizeof in, 0), NBS_OK);
    cr_assert_eq(nbs_queue_pop(&f.queue, out, sizeof out, &len), NBS_OK);
    cr_assert_eq(nbs_queue_peek(&f.queue, out, sizeof out, &len), NBS_OK);
    cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
    cr_assert_eq(count, 15);
    cr_assert_gt(f.queue.log.newest_seq - f.queue.log.tail_seq, 1, "the entries span 3 pages");
    nor_stats before, after;
    ef_stats(&f, &before);
    cr_assert_eq(nbs_queue_peek(&f.queue, out, sizeof out, &len), NBS_OK);
    ef_stats(&f, &after);
    cr_assert_eq(after.read_calls - before.read_calls, 1, "peek after count: %llu read calls",
                 (unsigned long long)(after.read_calls - before.read_calls));
    ef_close(&f);
}

/* A full queue refuses a push (NBS_E_FULL) without a read when the page-pointer cache knows that
 * the head hint's page still holds an entry: that page is the tail the push would have to keep
 * (SPEC section 8). In check mode the same refusal reads the head from flash and agrees. */
Test(queue, a_full_queue_refuses_a_push_without_a_read_when_the_cache_knows_the_head_page) {
    const ef_preset_case tiny = {"tiny", 4, 0};
    for (int check = 0; check < 2; check++) {
        engine_fixture f;
        ef_open_preset(&f, &tiny, EF_QUEUE, EF_CACHE_STATES_POINTERS);
        f.config.cache.check = check;
        cr_assert_eq(ef_mount(&f), NBS_OK);
        uint8_t in[24] = {0}, out[24];
        size_t len;
        int rc, pushed = 0;
        while ((rc = nbs_queue_push(&f.queue, in, sizeof in, 0)) == NBS_OK) pushed++;
        cr_assert_eq(rc, NBS_E_FULL, "filling: %s", nbs_strerror(rc));
        cr_assert_eq(nbs_queue_pop(&f.queue, out, sizeof out, &len), NBS_OK);
        nor_stats before, after;
        ef_stats(&f, &before);
        cr_assert_eq(nbs_queue_push(&f.queue, in, sizeof in, 0), NBS_E_FULL);
        ef_stats(&f, &after);
        uint64_t reads = after.read_calls - before.read_calls;
        if (check)
            cr_assert_gt(reads, 0, "check mode reads the head to confirm the cache");
        else
            cr_assert_eq(reads, 0, "a refused push read %llu times", (unsigned long long)reads);
        uint32_t count;
        cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
        cr_assert_eq(count, (uint32_t)pushed - 1);
        ef_close(&f);
    }
}
