/* libFuzzer target "map": the input chooses a geometry, a page count, the caches, then a
 * sequence of map operations (store, remove, remove_all, fetch, has, count, full checks,
 * clean remounts, transactions of several stores and removals) and power cuts with torn modes at
 * chosen flash operations. Every answer is
 * compared with the reference model; after every cut the store is remounted cold and must
 * hold the old or the new outcome of the operation in flight, and nothing else.
 *
 * Input: geometry, pages, cache flags, cache max_keys, then one opcode byte per operation
 * followed by its arguments (see run_op). */
#include "engine_check.h"
#include "fuzz_finding.h"
#include "fuzz_input.h"
#include "fuzz_powercut.h"
#include "fuzz_store.h"
#include "ref_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET "map"

enum { MAX_OPS = 160, KEY_IDS = 20 };

/* Key `id`: ids below 16 have 1..5 bytes, the last four 16, 32, 48 and 64 bytes (a 64-byte key
 * leaves no room for a value on a 256-byte page). */
static size_t make_key(uint32_t id, uint8_t key[NBS_KEY_MAX]) {
    static const size_t long_lengths[] = {16, 32, 48, NBS_KEY_MAX};
    id %= KEY_IDS;
    size_t len = id < 16 ? 1 + id % 5 : long_lengths[id - 16];
    key[0] = (uint8_t)id;
    for (size_t i = 1; i < len; i++) key[i] = (uint8_t)(id * 31 + i);
    return len;
}

typedef struct map_run {
    fuzz_store store;
    ref_map model;
    fuzz_input *in;
    char where[160];
} map_run;

static nbs_map *engine(map_run *run) {
    return &run->store.f.map;
}

/* The engine answered a write begun after `ops_before` flash operations: settle the model, or
 * recover from a cut that landed in it. NBS_E_FULL must come before any program or erase. */
static void end_write(map_run *run, int rc, uint64_t ops_before, const char *what) {
    if (fuzz_store_power_lost(&run->store, rc)) {
        fuzz_cut_recover(&run->store, run->in, &run->model, NULL);
        return;
    }
    FUZZ_REQUIRE(TARGET, rc == NBS_OK || rc == NBS_E_FULL, "%s: %s returned %s", run->where, what,
                 nbs_strerror(rc));
    uint64_t ops = nor_op_count(run->store.f.dev) - ops_before;
    FUZZ_REQUIRE(TARGET, rc == NBS_OK || ops == 0,
                 "%s: %s returned NBS_E_FULL after %llu flash programs or erases", run->where, what,
                 (unsigned long long)ops);
    ref_map_end(&run->model, rc == NBS_OK);
}

static void op_store(map_run *run) {
    uint8_t key[NBS_KEY_MAX];
    size_t key_len = make_key(fuzz_input_u8(run->in), key);
    uint32_t max = nbs_map_max_value(&run->store.f.binding.flash, key_len);
    uint8_t size_choice = fuzz_input_u8(run->in);
    /* Mostly short values; sometimes anything up to a little past the largest. */
    size_t len = size_choice < 192 ? size_choice % 17 : fuzz_input_below(run->in, max + 9);
    if (size_choice == 255) len = max;
    uint8_t *value = malloc(len ? len : 1);
    fuzz_input_value(run->in, value, len);
    ref_map_begin_store(&run->model, key, key_len, value, len);
    uint64_t ops_before = nor_op_count(run->store.f.dev);
    int rc = nbs_map_store(engine(run), key, key_len, value, len);
    free(value);
    if (len > max) {
        FUZZ_REQUIRE(TARGET, rc == NBS_E_TOO_BIG,
                     "%s: store of %zu bytes under a %zu-byte key (max %u) returned %s", run->where,
                     len, key_len, (unsigned)max, nbs_strerror(rc));
        ref_map_end(&run->model, false);
        return;
    }
    end_write(run, rc, ops_before, "store");
}

static void op_remove(map_run *run) {
    uint8_t key[NBS_KEY_MAX];
    size_t key_len = make_key(fuzz_input_u8(run->in), key);
    ref_map_begin_remove(&run->model, key, key_len);
    uint64_t ops_before = nor_op_count(run->store.f.dev);
    end_write(run, nbs_map_remove(engine(run), key, key_len), ops_before, "remove");
}

static void op_remove_all(map_run *run) {
    ref_map_begin_remove_all(&run->model);
    uint64_t ops_before = nor_op_count(run->store.f.dev);
    end_write(run, nbs_map_remove_all(engine(run)), ops_before, "remove_all");
}

/* A transaction of 1..6 stores and removals (opcodes 240..255): staged in the engine and the
 * model alike (a write the engine refuses to stage, too big or past the staging buffer, is left
 * out of both), then committed: all of it or none, NBS_E_TOO_BIG (past nbs_map_txn_max) and
 * NBS_E_FULL before any flash operation. */
static void op_txn(map_run *run) {
    static uint8_t staging[4096];
    const nbs_flash *flash = &run->store.f.binding.flash;
    nbs_map_txn txn;
    int rc = nbs_map_txn_begin(engine(run), &txn, staging, sizeof staging);
    FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: txn begin returned %s", run->where, nbs_strerror(rc));
    ref_map_txn_begin(&run->model);
    uint32_t writes = 1 + fuzz_input_u8(run->in) % 6, staged = 0;
    for (uint32_t w = 0; w < writes; w++) {
        uint8_t key[NBS_KEY_MAX], value[300];
        size_t key_len = make_key(fuzz_input_u8(run->in), key);
        uint8_t choice = fuzz_input_u8(run->in);
        bool remove = choice % 4 == 0;
        size_t len = remove         ? 0
                     : choice < 200 ? choice % 17
                                    : fuzz_input_below(run->in, sizeof value);
        fuzz_input_value(run->in, value, len);
        rc = remove ? nbs_map_txn_remove(&txn, key, key_len)
                    : nbs_map_txn_store(&txn, key, key_len, value, len);
        bool too_big = len > nbs_map_max_value(flash, key_len);
        FUZZ_REQUIRE(TARGET, too_big ? rc == NBS_E_TOO_BIG : rc == NBS_OK || rc == NBS_E_TXN_BUFFER,
                     "%s: txn stage of %zu bytes returned %s", run->where, len, nbs_strerror(rc));
        if (rc) continue;
        ref_map_txn_stage(&run->model, remove, key, key_len, value, len);
        staged = txn.used;
    }
    ref_map_begin_txn_commit(&run->model);
    ref_map_txn_abort(&run->model);
    uint64_t ops_before = nor_op_count(run->store.f.dev);
    rc = nbs_map_txn_commit(&txn);
    if (staged > nbs_map_txn_max(flash)) {
        FUZZ_REQUIRE(TARGET, rc == NBS_E_TOO_BIG && nor_op_count(run->store.f.dev) == ops_before,
                     "%s: commit of %u staged bytes (max %u) returned %s", run->where,
                     (unsigned)staged, (unsigned)nbs_map_txn_max(flash), nbs_strerror(rc));
        ref_map_end(&run->model, false);
        return;
    }
    end_write(run, rc, ops_before, "txn commit");
}

static void op_fetch(map_run *run) {
    uint8_t key[NBS_KEY_MAX];
    size_t key_len = make_key(fuzz_input_u8(run->in), key);
    const ref_item *want = ref_map_find(&run->model, key, key_len);
    size_t capacity = run->store.f.page_size;
    if (want && fuzz_input_u8(run->in) % 4 == 0)
        capacity = fuzz_input_below(run->in, (uint32_t)want->value_len + 1);
    uint8_t *buf = malloc(capacity ? capacity : 1);
    size_t len = 0;
    int rc = nbs_map_fetch(engine(run), key, key_len, buf, capacity, &len);
    bool ok;
    if (!want)
        ok = rc == NBS_E_NOT_FOUND;
    else if (capacity < want->value_len)
        ok = rc == NBS_E_BUFFER_TOO_SMALL && len == want->value_len;
    else
        ok = rc == NBS_OK && len == want->value_len && (!len || !memcmp(buf, want->value, len));
    free(buf);
    FUZZ_REQUIRE(TARGET, ok,
                 "%s: fetch of key %u (%s, %zu bytes, buffer %zu) returned %s with %zu bytes",
                 run->where, (unsigned)key[0], want ? "present" : "absent",
                 want ? want->value_len : 0, capacity, nbs_strerror(rc), len);
}

static void op_has_and_count(map_run *run) {
    uint8_t key[NBS_KEY_MAX];
    size_t key_len = make_key(fuzz_input_u8(run->in), key);
    bool want = ref_map_find(&run->model, key, key_len) != NULL, present = !want;
    uint32_t count = 0;
    int rc = nbs_map_has(engine(run), key, key_len, &present);
    int count_rc = nbs_map_count(engine(run), &count);
    FUZZ_REQUIRE(TARGET, rc == NBS_OK && present == want,
                 "%s: has(key %u) returned %s, present %d, model %d", run->where, (unsigned)key[0],
                 nbs_strerror(rc), present, want);
    FUZZ_REQUIRE(TARGET, count_rc == NBS_OK && count == run->model.items.count,
                 "%s: count returned %s, %u items, model %zu", run->where, nbs_strerror(count_rc),
                 (unsigned)count, run->model.items.count);
}

static void op_verify(map_run *run) {
    char why[EC_WHY_SIZE] = "";
    FUZZ_REQUIRE(TARGET, ec_map_verify(&run->store.f, &run->model, why), "%s: %s", run->where, why);
}

/* Opcodes 0..31 (modulo 32, but 240..255: a transaction); stores come most often, remove_all
 * rarely. */
static void run_op(map_run *run, uint8_t opcode) {
    unsigned op = opcode % 32u;
    if (opcode >= 240)
        op_txn(run);
    else if (op < 12)
        op_store(run);
    else if (op < 17)
        op_remove(run);
    else if (op == 17)
        op_remove_all(run);
    else if (op < 23)
        op_fetch(run);
    else if (op < 25)
        op_has_and_count(run);
    else if (op < 27)
        op_verify(run);
    else if (op < 30)
        fuzz_cut_arm(&run->store, run->in);
    else
        fuzz_remount(&run->store, run->in, &run->model, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    map_run *run = calloc(1, sizeof *run);
    run->in = &in;
    fuzz_store_start(&run->store, TARGET, EF_MAP, &in, run->where, sizeof run->where);
    ref_map_init(&run->model);
    for (int op = 0; op < MAX_OPS && !fuzz_input_done(&in); op++) run_op(run, fuzz_input_u8(&in));
    fuzz_final_check(&run->store, &run->model, NULL);
    ref_map_free(&run->model);
    fuzz_store_close(&run->store);
    free(run);
    return 0;
}
