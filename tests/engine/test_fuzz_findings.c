/* Regression tests for engine bugs the libFuzzer targets (fuzz/) found, one test per finding
 * of the fuzzing section of tests/engine/FINDINGS.md; each input is also kept in fuzz/corpus/. */
#include "engine_check.h"
#include "engine_fixture.h"

#include <criterion/criterion.h>
#include <string.h>

static uint64_t flash_writes(const engine_fixture *f) {
    nor_stats stats;
    ef_stats(f, &stats);
    return stats.program_calls + stats.erase_calls;
}

/* An empty queue of `pages` pages of preset `preset`, no caches, mounted. */
static void open_queue(engine_fixture *f, const char *preset, uint32_t pages) {
    nor_config cfg = ef_preset_config(preset);
    ef_options opts;
    memset(&opts, 0, sizeof opts);
    opts.kind = EF_QUEUE;
    opts.pages = pages;
    ef_open(f, &cfg, &opts);
    cr_assert_eq(ef_mount(f), NBS_OK);
}

/* FINDINGS.md F1 (fuzz/corpus/queue/finding-1-empty-push-full-writes): on 256-byte pages, once
 * every push but the last free page is used up, a zero-length push opened the last free page
 * and then returned NBS_E_FULL. SPEC.md section 5: a push that cannot fit returns NBS_E_FULL
 * without writing. */
Test(fuzz_findings, empty_push_that_cannot_fit_writes_nothing) {
    for (uint32_t pages = 2; pages <= 4; pages++) {
        engine_fixture f;
        open_queue(&f, "tiny", pages);
        uint8_t entry[256];
        memset(entry, 0x3C, sizeof entry);
        size_t fit = 0;
        uint32_t pushed = 0;
        for (; pushed < 64; pushed++) {
            cr_assert_eq(nbs_queue_max_push(&f.queue, &fit), NBS_OK);
            if (fit == 0) break;
            cr_assert_eq(nbs_queue_push(&f.queue, entry, fit, 0), NBS_OK,
                         "%u pages: push %u of %zu bytes (max_push)", pages, pushed, fit);
        }
        cr_assert_eq(fit, 0, "%u pages: the queue never filled up", pages);
        /* max_push 0: empty entries may still fit; push them until one does not. */
        int rc = NBS_OK;
        for (int empty = 0; empty < 64 && rc == NBS_OK; empty++) {
            uint64_t before = flash_writes(&f);
            rc = nbs_queue_push(&f.queue, entry, 0, 0);
            if (rc == NBS_OK) pushed++;
            cr_assert(rc == NBS_OK || flash_writes(&f) == before,
                      "%u pages: an empty push returned %s after %llu programs or erases", pages,
                      nbs_strerror(rc), (unsigned long long)(flash_writes(&f) - before));
        }
        cr_assert_eq(rc, NBS_E_FULL, "%u pages: empty pushes into a full queue: %s", pages,
                     nbs_strerror(rc));
        /* Nothing was lost, and pops still make room. */
        uint32_t count = 0;
        cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
        cr_assert_eq(count, pushed);
        size_t len = 0;
        cr_assert_eq(nbs_queue_pop(&f.queue, entry, sizeof entry, &len), NBS_OK);
        cr_assert_eq(ef_mount(&f), NBS_OK);
        ef_close(&f);
    }
}

/* Fills a tiny queue of `pages` pages with entries of up to `entry_len` bytes until max_push
 * says 0, pops one entry (a pop may open the last free page), then mounts it `mounts` more
 * times (each mount pins 2 or 3 slots of the newest page). Returns the entries left. */
static uint32_t fill_pop_remount(engine_fixture *f, uint32_t pages, size_t entry_len,
                                 unsigned mounts) {
    open_queue(f, "tiny", pages);
    uint8_t entry[64];
    memset(entry, 0x5A, sizeof entry);
    uint32_t left = 0;
    size_t fit = 0, len = 0;
    while (left < 100 && nbs_queue_max_push(&f->queue, &fit) == NBS_OK && fit > 0 &&
           nbs_queue_push(&f->queue, entry, entry_len < fit ? entry_len : fit, 0) == NBS_OK)
        left++;
    cr_assert_eq(nbs_queue_pop(&f->queue, entry, sizeof entry, &len), NBS_OK);
    for (unsigned i = 0; i < mounts; i++) cr_assert_eq(ef_mount(f), NBS_OK);
    return left - 1;
}

/* FINDINGS.md F2 (fuzz/corpus/queue/finding-3-drop-oldest-push-drops-then-full): after more
 * mounts than the room kept for pops allows (SPEC.md, Known limits: then NBS_E_FULL is the
 * answer and nothing is lost), a push with NBS_PUSH_DROP_OLDEST popped an entry and then
 * returned NBS_E_FULL: an entry lost for nothing. */
Test(fuzz_findings, drop_oldest_push_that_fails_drops_nothing) {
    for (uint32_t pages = 2; pages <= 4; pages++) {
        for (size_t entry_len = 4; entry_len <= 24; entry_len += 4) {
            for (unsigned mounts = 0; mounts <= 8; mounts++) {
                engine_fixture f;
                uint32_t left = fill_pop_remount(&f, pages, entry_len, mounts);
                uint8_t entry[2] = {1, 2};
                int rc = nbs_queue_push(&f.queue, entry, sizeof entry, NBS_PUSH_DROP_OLDEST);
                uint32_t count = 0;
                cr_assert_eq(nbs_queue_count(&f.queue, &count), NBS_OK);
                cr_assert(rc == NBS_OK || (rc == NBS_E_FULL && count == left),
                          "%u pages, %zu-byte entries, %u mounts: push dropping oldest returned "
                          "%s with %u of %u entries left",
                          pages, entry_len, mounts, nbs_strerror(rc), count, left);
                ef_close(&f);
            }
        }
    }
}

/* FINDINGS.md F3 (fuzz/corpus/queue/finding-4-empty-entries-space-overflow): the space figures
 * counted every queue entry as its data plus 2 slots, but an empty entry is one commit record.
 * nrf52840, 2 pages: one largest entry, then enough empty ones, and live + free_now exceeded
 * the total (overhead wrapped around to about 4 GiB). Format 3 keeps one free page back for
 * recovery, so the empty entries after the largest one need a second page in use: 3 pages. */
Test(fuzz_findings, space_figures_add_up_with_empty_entries) {
    engine_fixture f;
    open_queue(&f, "nrf52840", 3);
    static uint8_t entry[4096];
    uint32_t max_item = nbs_queue_max_item(&f.binding.flash);
    cr_assert_eq(nbs_queue_push(&f.queue, entry, max_item, 0), NBS_OK);
    for (int i = 0; i < 40; i++) {
        cr_assert_eq(nbs_queue_push(&f.queue, entry, 0, 0), NBS_OK, "empty push %d", i);
        nbs_space space;
        char why[EC_WHY_SIZE] = "";
        cr_assert_eq(nbs_queue_space(&f.queue, &space), NBS_OK);
        cr_assert(ec_space_consistent(&space, f.binding.flash.size, why),
                  "after %d empty pushes: %s", i + 1, why);
    }
    ef_close(&f);
}

/* FINDINGS.md F4 (fuzz/corpus/queue/finding-5-max-push-after-tail): 2 pages; an entry, a push
 * cut after its INTENT (the page's room stays claimed), a pop that has to open the second page,
 * then empty entries there. max_push counted on one release pop for the page it frees with a
 * TAIL, but after that TAIL every entry of the oldest page is a release pop, so pushing what
 * max_push announced returned NBS_E_FULL. */
Test(fuzz_findings, max_push_agrees_with_push_after_a_tail) {
    static const char *const presets[] = {"tiny", "samd21", "stm32l4-1m", "nrf52840"};
    for (size_t p = 0; p < sizeof presets / sizeof *presets; p++) {
        for (unsigned empties = 0; empties <= 30; empties++) {
            engine_fixture f;
            open_queue(&f, presets[p], 2);
            static uint8_t entry[4096];
            size_t fit = 0, len = 0;
            cr_assert_eq(nbs_queue_push(&f.queue, entry, 4, 0), NBS_OK);
            cr_assert_eq(nbs_queue_max_push(&f.queue, &fit), NBS_OK);
            ef_arm_cut(&f, 1, NOR_TORN_PROG_NONE, NOR_TORN_ERASE_NONE);
            cr_assert_eq(nbs_queue_push(&f.queue, entry, fit, 0), NBS_E_IO);
            cr_assert_eq(ef_power_on_and_mount(&f), NBS_OK);
            cr_assert_eq(nbs_queue_pop(&f.queue, entry, sizeof entry, &len), NBS_OK);
            int rc = NBS_OK;
            for (unsigned i = 0; i < empties && rc == NBS_OK; i++) {
                rc = nbs_queue_push(&f.queue, entry, 0, 0);
                cr_assert(rc == NBS_OK || rc == NBS_E_FULL, "empty push: %s", nbs_strerror(rc));
            }
            cr_assert_eq(nbs_queue_max_push(&f.queue, &fit), NBS_OK);
            rc = fit ? nbs_queue_push(&f.queue, entry, fit, 0) : NBS_OK;
            cr_assert_eq(rc, NBS_OK, "%s, %u empty entries: push of %zu bytes (max_push): %s",
                         presets[p], empties, fit, nbs_strerror(rc));
            ef_close(&f);
        }
    }
}
