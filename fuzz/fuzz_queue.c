/* libFuzzer target "queue": the input chooses a geometry, a page count, the caches, then a
 * sequence of queue operations (push with and without drop-oldest, peek, pop, iteration that
 * pops chosen entries, count, full checks, clean remounts) and power cuts with torn modes at
 * chosen flash operations. Every answer is compared with the reference model, and every push
 * with the largest fit nbs_queue_max_push announced just before it; after every cut the store
 * is remounted cold and must hold the old or the new outcome of the operation in flight.
 *
 * Input: geometry, pages, cache flags, then one opcode byte per operation followed by its
 * arguments (see run_op). */
#include "engine_check.h"
#include "fuzz_finding.h"
#include "fuzz_input.h"
#include "fuzz_powercut.h"
#include "fuzz_store.h"
#include "ref_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET "queue"

enum { MAX_OPS = 160 };

typedef struct queue_run {
    fuzz_store store;
    ref_queue model;
    fuzz_input *in;
    uint8_t *buf; /* one page: larger than any entry */
    char where[160];
} queue_run;

static nbs_queue *engine(queue_run *run) {
    return &run->store.f.queue;
}

/* The engine answered a write that power loss may have cut: recover and settle. */
static bool recovered_from_cut(queue_run *run, int rc) {
    if (!fuzz_store_power_lost(&run->store, rc)) return false;
    fuzz_cut_recover(&run->store, run->in, NULL, &run->model);
    return true;
}

static void verify(queue_run *run, const char *when) {
    char why[EC_WHY_SIZE] = "";
    FUZZ_REQUIRE(TARGET, ec_queue_verify(&run->store.f, &run->model, why), "%s: %s: %s", run->where,
                 when, why);
}

static size_t max_push(queue_run *run) {
    size_t fit = 0;
    int rc = nbs_queue_max_push(engine(run), &fit);
    FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: max_push: %s", run->where, nbs_strerror(rc));
    return fit;
}

static void op_push(queue_run *run, bool drop_oldest) {
    uint32_t max_item = nbs_queue_max_item(&run->store.f.binding.flash);
    size_t fit = max_push(run);
    FUZZ_REQUIRE(TARGET, fit <= max_item, "%s: max_push %zu above max_item %u", run->where, fit,
                 (unsigned)max_item);
    uint8_t size_choice = fuzz_input_u8(run->in);
    /* Mostly short entries; sometimes exactly the fit, or anything up to past the largest. */
    size_t len = size_choice < 192 ? size_choice % 17 : fuzz_input_below(run->in, max_item + 9);
    if (size_choice == 255) len = fit;
    if (size_choice == 254) len = fit + 1;
    fuzz_input_value(run->in, run->buf, len); /* len < page size: max_item + 9 is */
    size_t before = run->model.entries.count;
    ref_queue_begin_push(&run->model, run->buf, len, drop_oldest);
    uint64_t ops_before = nor_op_count(run->store.f.dev);
    int rc = nbs_queue_push(engine(run), run->buf, len, drop_oldest ? NBS_PUSH_DROP_OLDEST : 0);
    if (recovered_from_cut(run, rc)) return;
    if (len > max_item) {
        FUZZ_REQUIRE(TARGET, rc == NBS_E_TOO_BIG, "%s: push of %zu bytes (max_item %u): %s",
                     run->where, len, (unsigned)max_item, nbs_strerror(rc));
        ref_queue_end(&run->model, false);
        return;
    }
    FUZZ_REQUIRE(TARGET, rc == NBS_OK || rc == NBS_E_FULL, "%s: push%s of %zu bytes: %s",
                 run->where, drop_oldest ? " dropping oldest" : "", len, nbs_strerror(rc));
    /* max_push 0 also stands for "not even an empty entry fits". */
    bool fits = len <= fit && fit > 0;
    if (!drop_oldest || fits)
        FUZZ_REQUIRE(TARGET, (rc == NBS_OK) == fits || (fit == 0 && len == 0),
                     "%s: push%s of %zu bytes returned %s but max_push said %zu", run->where,
                     drop_oldest ? " dropping oldest" : "", len, nbs_strerror(rc), fit);
    uint64_t ops = nor_op_count(run->store.f.dev) - ops_before;
    FUZZ_REQUIRE(TARGET, rc == NBS_OK || ops == 0,
                 "%s: push%s of %zu bytes returned NBS_E_FULL after %llu flash programs or erases",
                 run->where, drop_oldest ? " dropping oldest" : "", len, (unsigned long long)ops);
    if (!drop_oldest || rc != NBS_OK) {
        ref_queue_end(&run->model, rc == NBS_OK);
        return;
    }
    uint32_t count = 0;
    rc = nbs_queue_count(engine(run), &count);
    FUZZ_REQUIRE(TARGET, rc == NBS_OK && count >= 1 && count <= before + 1,
                 "%s: count after a push dropping oldest: %s, %u entries (before %zu)", run->where,
                 nbs_strerror(rc), (unsigned)count, before);
    ref_queue_end_push_dropping(&run->model, before + 1 - count);
}

/* A pop refused with NBS_E_FULL is allowed only in the state SPEC.md's known limits describe
 * (mount pins used up the room kept for pops: nothing fits any more), and changes nothing. */
static void pop_refused(queue_run *run, const char *what) {
    ref_queue_end(&run->model, false);
    size_t fit = max_push(run);
    FUZZ_REQUIRE(TARGET, fit == 0, "%s: %s returned NBS_E_FULL while a push of %zu bytes fits",
                 run->where, what, fit);
    verify(run, "after a pop refused with NBS_E_FULL");
}

static void op_take(queue_run *run, bool pop) {
    const ref_item *front = ref_queue_at(&run->model, 0);
    size_t capacity = run->store.f.page_size, len = 0;
    if (front && fuzz_input_u8(run->in) % 4 == 0)
        capacity = fuzz_input_below(run->in, (uint32_t)front->value_len + 1);
    if (pop && front) ref_queue_begin_pop_at(&run->model, 0);
    int rc = pop ? nbs_queue_pop(engine(run), run->buf, capacity, &len)
                 : nbs_queue_peek(engine(run), run->buf, capacity, &len);
    if (pop && front && recovered_from_cut(run, rc)) return;
    if (pop && front && rc == NBS_E_FULL) {
        pop_refused(run, "pop");
        return;
    }
    bool ok;
    if (!front)
        ok = rc == NBS_E_EMPTY;
    else if (capacity < front->value_len)
        ok = rc == NBS_E_BUFFER_TOO_SMALL && len == front->value_len;
    else
        ok = rc == NBS_OK && len == front->value_len &&
             (!len || !memcmp(run->buf, front->value, len));
    FUZZ_REQUIRE(TARGET, ok, "%s: %s (%zu entries, front %zu bytes, buffer %zu): %s, %zu bytes",
                 run->where, pop ? "pop" : "peek", run->model.entries.count,
                 front ? front->value_len : 0, capacity, nbs_strerror(rc), len);
    /* A pop into a small buffer pops nothing. */
    if (pop && front) ref_queue_end(&run->model, rc == NBS_OK);
}

/* Iterates over the whole queue, popping the entries whose bit is set in a 32-bit mask. */
static void op_iterate_popping(queue_run *run) {
    uint32_t mask = fuzz_input_u32(run->in);
    nbs_queue_iter it;
    nbs_queue_iter_init(engine(run), &it);
    size_t position = 0, index = 0; /* position in the iteration, index in the model */
    for (;; position++) {
        size_t len = 0;
        int rc = nbs_queue_iter_next(&it, run->buf, run->store.f.page_size, &len);
        const ref_item *want = ref_queue_at(&run->model, index);
        if (!want) {
            FUZZ_REQUIRE(TARGET, rc == NBS_E_END, "%s: iteration past %zu entries: %s", run->where,
                         index, nbs_strerror(rc));
            return;
        }
        FUZZ_REQUIRE(TARGET,
                     rc == NBS_OK && len == want->value_len &&
                         (!len || !memcmp(run->buf, want->value, len)),
                     "%s: iteration entry %zu: %s, %zu bytes, model %zu bytes", run->where, index,
                     nbs_strerror(rc), len, want->value_len);
        if (position >= 32 || !(mask >> position & 1)) {
            index++;
            continue;
        }
        ref_queue_begin_pop_at(&run->model, index);
        rc = nbs_queue_iter_pop_current(&it);
        if (recovered_from_cut(run, rc)) return;
        if (rc == NBS_E_FULL) {
            pop_refused(run, "iteration pop");
            return;
        }
        FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: iteration pop of entry %zu: %s", run->where, index,
                     nbs_strerror(rc));
        ref_queue_end(&run->model, true);
    }
}

static void op_count(queue_run *run) {
    uint32_t count = 0;
    int rc = nbs_queue_count(engine(run), &count);
    FUZZ_REQUIRE(TARGET, rc == NBS_OK && count == run->model.entries.count,
                 "%s: count: %s, %u entries, model %zu", run->where, nbs_strerror(rc),
                 (unsigned)count, run->model.entries.count);
}

/* Opcodes 0..31; pushes come most often. */
static void run_op(queue_run *run, uint8_t opcode) {
    unsigned op = opcode % 32u;
    if (op < 10)
        op_push(run, false);
    else if (op < 14)
        op_push(run, true);
    else if (op < 19)
        op_take(run, true);
    else if (op < 21)
        op_take(run, false);
    else if (op < 24)
        op_iterate_popping(run);
    else if (op < 25)
        op_count(run);
    else if (op < 27)
        verify(run, "check");
    else if (op < 30)
        fuzz_cut_arm(&run->store, run->in);
    else
        fuzz_remount(&run->store, run->in, NULL, &run->model);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    queue_run *run = calloc(1, sizeof *run);
    run->in = &in;
    fuzz_store_start(&run->store, TARGET, EF_QUEUE, &in, run->where, sizeof run->where);
    run->buf = malloc(run->store.f.page_size);
    ref_queue_init(&run->model);
    for (int op = 0; op < MAX_OPS && !fuzz_input_done(&in); op++) run_op(run, fuzz_input_u8(&in));
    fuzz_final_check(&run->store, NULL, &run->model);
    ref_queue_free(&run->model);
    free(run->buf);
    fuzz_store_close(&run->store);
    free(run);
    return 0;
}
