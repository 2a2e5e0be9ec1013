/* libFuzzer target "kv": key-value domains (nbs_kv.h) over a map store. The input chooses a
 * geometry, a page count and the caches like the map target's, then domain operations on four
 * handle slots: open (r or r+, one of five names), close, typed writes and reads, deletes,
 * transactions across domains, key and domain iterations, erase_all, power cuts and remounts.
 *
 * The model is the map the layer must leave on flash, encoded here from engine/SPEC.md section
 * 9.1 alone (not with the engine's codec): a directory key `00 name` holding the domain's id
 * byte, a value under `id key` holding its format byte then its bytes, a new domain taking the
 * lowest id no key carries. Every answer (values, formats, type and mode errors, closed handles,
 * whether a deleted key existed, iterations) is computed from that model, and after every cut
 * the map underneath must hold the old or the new outcome of the call in flight (the map
 * target's recovery checks).
 *
 * Input: geometry, pages, cache flags, cache max_keys (as the map target), then one opcode
 * byte per operation followed by its arguments (see run_op). */
#include "engine_check.h"
#include "fuzz_finding.h"
#include "fuzz_input.h"
#include "fuzz_powercut.h"
#include "fuzz_store.h"
#include "nbs_kv.h"
#include "ref_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET "kv"

enum { MAX_OPS = 160, HANDLES = 4, NAMES = 5, KEYS = 12, TXN_WRITES_MAX = 5 };

/* Domain names: short ones, and one as long as a name may be (its directory key may not fit a
 * small page: the open must then fail with NBS_E_TOO_BIG and write nothing). */
static size_t make_name(uint32_t index, uint8_t name[NBS_KV_NAME_MAX]) {
    static const size_t lengths[NAMES] = {1, 3, 8, 20, NBS_KV_NAME_MAX};
    index %= NAMES;
    for (size_t i = 0; i < lengths[index]; i++) name[i] = (uint8_t)('a' + (index * 7 + i) % 26);
    return lengths[index];
}

/* Keys: the empty key, 1..9 bytes, and the longest a domain key may be. */
static size_t make_key(uint32_t index, uint8_t key[NBS_KV_KEY_MAX]) {
    index %= KEYS;
    size_t len = index == KEYS - 1 ? NBS_KV_KEY_MAX : index;
    for (size_t i = 0; i < len; i++) key[i] = (uint8_t)(index * 13 + i);
    return len;
}

typedef struct handle {
    nbs_kv_domain domain;
    bool open, writable; /* the model's view */
    uint8_t id;
} handle;

typedef struct kv_run {
    fuzz_store store;
    ref_map model; /* the map as SPEC 9.1 lays the domains out */
    fuzz_input *in;
    nbs_kv kv;
    uint8_t *kv_buf;
    size_t kv_buf_size;
    handle handles[HANDLES];
    char where[160];
} kv_run;

static nbs_map *engine(kv_run *run) {
    return &run->store.f.map;
}

static const nbs_flash *flash_of(kv_run *run) {
    return &run->store.f.binding.flash;
}

/* Binds the layer again (after any mount): every handle reads as closed to the model, and is
 * forgotten by the target as a caller must forget it. */
static void bind_layer(kv_run *run) {
    int rc = nbs_kv_init(&run->kv, engine(run), run->kv_buf, run->kv_buf_size);
    FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: kv init returned %s", run->where, nbs_strerror(rc));
    for (int i = 0; i < HANDLES; i++) run->handles[i] = (handle){0};
}

/* ---- the model's encoding (SPEC 9.1) ---- */

static size_t model_key(uint8_t id, const uint8_t *key, size_t key_len, uint8_t out[NBS_KEY_MAX]) {
    out[0] = id;
    memcpy(out + 1, key, key_len);
    return key_len + 1;
}

/* The id of domain `name`, 0 when the directory has none. */
static uint8_t model_domain_id(const kv_run *run, const uint8_t *name, size_t name_len) {
    uint8_t map_key[NBS_KEY_MAX];
    const ref_item *dir = ref_map_find(&run->model, map_key, model_key(0, name, name_len, map_key));
    return dir && dir->value_len == 1 ? dir->value[0] : 0;
}

/* The lowest id no key of the model carries (a directory entry carries its value's id); 0 when
 * none is left. */
static uint8_t model_free_id(const kv_run *run) {
    bool used[256] = {true};
    for (size_t i = 0; i < run->model.items.count; i++) {
        const ref_item *item = &run->model.items.items[i];
        used[item->key[0] == 0 && item->value_len == 1 ? item->value[0] : item->key[0]] = true;
    }
    for (unsigned id = 1; id < 256; id++)
        if (!used[id]) return (uint8_t)id;
    return 0;
}

/* The engine answered a write begun after `ops_before` flash operations: settle the model, or
 * recover from a cut that landed in it (the layer is bound again after the mount). */
static void end_write(kv_run *run, int rc, uint64_t ops_before, const char *what) {
    if (fuzz_store_power_lost(&run->store, rc)) {
        fuzz_cut_recover(&run->store, run->in, &run->model, NULL);
        bind_layer(run);
        return;
    }
    FUZZ_REQUIRE(TARGET, rc == NBS_OK || rc == NBS_E_FULL, "%s: %s returned %s", run->where, what,
                 nbs_strerror(rc));
    uint64_t ops = nor_op_count(run->store.f.dev) - ops_before;
    FUZZ_REQUIRE(TARGET, rc == NBS_OK || ops == 0, "%s: %s returned %s after %llu flash writes",
                 run->where, what, nbs_strerror(rc), (unsigned long long)ops);
    ref_map_end(&run->model, rc == NBS_OK);
}

/* ---- operations ---- */

static void op_open(kv_run *run) {
    handle *h = &run->handles[fuzz_input_u8(run->in) % HANDLES];
    uint8_t name[NBS_KV_NAME_MAX], map_key[NBS_KEY_MAX];
    size_t name_len = make_name(fuzz_input_u8(run->in), name);
    bool writable = fuzz_input_u8(run->in) & 1u;
    uint8_t id = model_domain_id(run, name, name_len);
    uint64_t ops_before = nor_op_count(run->store.f.dev);
    int rc = nbs_kv_open(&run->kv, &h->domain, name, name_len, writable);
    h->open = false;
    if (id == 0 && writable) { /* a creation: one map store of the directory key */
        uint8_t new_id = model_free_id(run);
        size_t key_len = model_key(0, name, name_len, map_key);
        if (new_id == 0 || nbs_map_max_value(flash_of(run), key_len) < 1) {
            int want = new_id == 0 ? NBS_E_KV_DOMAINS : NBS_E_TOO_BIG;
            FUZZ_REQUIRE(TARGET, rc == want && nor_op_count(run->store.f.dev) == ops_before,
                         "%s: open r+ of a new domain (%zu-byte name) returned %s, model %s",
                         run->where, name_len, nbs_strerror(rc), nbs_strerror(want));
            return;
        }
        ref_map_begin_store(&run->model, map_key, key_len, &new_id, 1);
        end_write(run, rc, ops_before, "open r+ (creating the domain)");
        if (rc == NBS_OK) *h = (handle){h->domain, true, true, new_id};
        return;
    }
    int want = id ? NBS_OK : NBS_E_NOT_FOUND;
    FUZZ_REQUIRE(TARGET, rc == want && nor_op_count(run->store.f.dev) == ops_before,
                 "%s: open (%s) of a domain the model %s returned %s", run->where,
                 writable ? "r+" : "r", id ? "holds" : "lacks", nbs_strerror(rc));
    if (rc == NBS_OK) *h = (handle){h->domain, true, writable, id};
}

static void op_close(kv_run *run) {
    handle *h = &run->handles[fuzz_input_u8(run->in) % HANDLES];
    int rc = nbs_kv_close(&h->domain), want = h->open ? NBS_OK : NBS_E_KV_CLOSED;
    FUZZ_REQUIRE(TARGET, rc == want, "%s: close returned %s, model %s", run->where,
                 nbs_strerror(rc), nbs_strerror(want));
    h->open = false;
}

/* A value for `format`: an integer of its width (a wrong width, sometimes), or up to a little
 * past the largest a key of key_len bytes may hold. */
static size_t make_value(kv_run *run, nbs_kv_format format, size_t key_len, uint8_t *value,
                         size_t capacity) {
    uint32_t width = nbs_kv_format_width(format);
    uint8_t choice = fuzz_input_u8(run->in);
    size_t len;
    if (width)
        len = choice < 240 ? width : choice % 9;
    else if (choice < 200)
        len = choice % 24;
    else
        len = fuzz_input_below(run->in, nbs_kv_max_value(flash_of(run), key_len) + 6);
    if (len > capacity) len = capacity;
    fuzz_input_value(run->in, value, len);
    return len;
}

/* The error a write of `len` bytes in `format` under `key_len` bytes must get before anything
 * is written (0: none), the handle being open and writable. */
static int write_refusal(kv_run *run, nbs_kv_format format, size_t key_len, size_t len) {
    uint32_t width = nbs_kv_format_width(format);
    if (format < NBS_KV_BUFFER || format >= NBS_KV_FORMATS || (width && len != width))
        return NBS_E_INVAL;
    return len > nbs_kv_max_value(flash_of(run), key_len) ? NBS_E_TOO_BIG : 0;
}

static int handle_refusal(const handle *h, bool writing) {
    if (!h->open) return NBS_E_KV_CLOSED;
    return writing && !h->writable ? NBS_E_KV_MODE : 0;
}

static void op_write(kv_run *run) {
    handle *h = &run->handles[fuzz_input_u8(run->in) % HANDLES];
    uint8_t key[NBS_KV_KEY_MAX], map_key[NBS_KEY_MAX];
    size_t key_len = make_key(fuzz_input_u8(run->in), key);
    nbs_kv_format format = (nbs_kv_format)(fuzz_input_u8(run->in) % (NBS_KV_FORMATS + 1));
    size_t capacity = run->store.f.page_size + 8;
    uint8_t *stored = malloc(capacity + 1);
    size_t len = make_value(run, format, key_len, stored + 1, capacity);
    int want = handle_refusal(h, true);
    if (!want) want = write_refusal(run, format, key_len, len);
    uint64_t ops_before = nor_op_count(run->store.f.dev);
    int rc = nbs_kv_write(&h->domain, key, key_len, format, stored + 1, len);
    if (want) {
        FUZZ_REQUIRE(TARGET, rc == want && nor_op_count(run->store.f.dev) == ops_before,
                     "%s: write of %zu bytes in format %d returned %s, model %s", run->where, len,
                     (int)format, nbs_strerror(rc), nbs_strerror(want));
    } else {
        stored[0] = (uint8_t)format;
        ref_map_begin_store(&run->model, map_key, model_key(h->id, key, key_len, map_key), stored,
                            len + 1);
        end_write(run, rc, ops_before, "write");
    }
    free(stored);
}

static void op_read(kv_run *run) {
    handle *h = &run->handles[fuzz_input_u8(run->in) % HANDLES];
    uint8_t key[NBS_KV_KEY_MAX], map_key[NBS_KEY_MAX];
    size_t key_len = make_key(fuzz_input_u8(run->in), key);
    nbs_kv_format format = (nbs_kv_format)(fuzz_input_u8(run->in) % NBS_KV_FORMATS);
    const ref_item *item =
        h->open ? ref_map_find(&run->model, map_key, model_key(h->id, key, key_len, map_key))
                : NULL;
    size_t want_len = item ? item->value_len - 1 : 0;
    size_t capacity = run->store.f.page_size;
    if (item && fuzz_input_u8(run->in) % 4 == 0)
        capacity = fuzz_input_below(run->in, (uint32_t)want_len + 1);
    int want = handle_refusal(h, false);
    if (!want && !item) want = NBS_E_NOT_FOUND;
    if (!want && format != NBS_KV_ANY && format != item->value[0]) want = NBS_E_KV_TYPE;
    if (!want && capacity < want_len) want = NBS_E_BUFFER_TOO_SMALL;
    uint8_t *buf = malloc(capacity ? capacity : 1);
    size_t len = 0;
    nbs_kv_format found = NBS_KV_ANY;
    int rc = nbs_kv_read(&h->domain, key, key_len, format, buf, capacity, &len, &found);
    bool ok = rc == want && (!item || found == item->value[0]);
    if (ok && want == NBS_OK) ok = len == want_len && (!len || !memcmp(buf, item->value + 1, len));
    if (ok && want == NBS_E_BUFFER_TOO_SMALL) ok = len == want_len;
    free(buf);
    FUZZ_REQUIRE(TARGET, ok,
                 "%s: read (format %d, buffer %zu) of a key the model %s returned %s (%zu bytes, "
                 "format %d), model %s",
                 run->where, (int)format, capacity, item ? "holds" : "lacks", nbs_strerror(rc), len,
                 (int)found, nbs_strerror(want));
}

static void op_delete(kv_run *run) {
    handle *h = &run->handles[fuzz_input_u8(run->in) % HANDLES];
    uint8_t key[NBS_KV_KEY_MAX], map_key[NBS_KEY_MAX];
    size_t key_len = make_key(fuzz_input_u8(run->in), key);
    int want = handle_refusal(h, true);
    size_t map_key_len = model_key(h->id, key, key_len, map_key);
    bool present = !want && ref_map_find(&run->model, map_key, map_key_len);
    bool existed = !present;
    uint64_t ops_before = nor_op_count(run->store.f.dev);
    int rc = nbs_kv_delete(&h->domain, key, key_len, &existed);
    if (want || !present) {
        FUZZ_REQUIRE(TARGET,
                     rc == want && nor_op_count(run->store.f.dev) == ops_before &&
                         (want || !existed),
                     "%s: delete of a key the model lacks returned %s (existed %d), model %s",
                     run->where, nbs_strerror(rc), existed, nbs_strerror(want));
        return;
    }
    FUZZ_REQUIRE(TARGET, rc != NBS_OK || existed,
                 "%s: delete of a present key said it did not exist", run->where);
    ref_map_begin_remove(&run->model, map_key, map_key_len);
    end_write(run, rc, ops_before, "delete");
}

/* A transaction of 1..TXN_WRITES_MAX writes and deletes through the open writable handles,
 * committed (or, 1 time in 8, aborted): all of it or none. */
static void op_txn(kv_run *run) {
    uint8_t staging[2048];
    nbs_map_txn txn;
    int rc = nbs_map_txn_begin(engine(run), &txn, staging, sizeof staging);
    FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: txn begin returned %s", run->where, nbs_strerror(rc));
    ref_map_txn_begin(&run->model);
    unsigned writes = 1 + fuzz_input_u8(run->in) % TXN_WRITES_MAX;
    for (unsigned i = 0; i < writes; i++) {
        handle *h = &run->handles[fuzz_input_u8(run->in) % HANDLES];
        uint8_t key[NBS_KV_KEY_MAX], map_key[NBS_KEY_MAX], value[33];
        size_t key_len = make_key(fuzz_input_u8(run->in) % (KEYS - 1), key);
        bool remove = fuzz_input_u8(run->in) % 4 == 0;
        nbs_kv_format format = (nbs_kv_format)(1 + fuzz_input_u8(run->in) % (NBS_KV_FORMATS - 1));
        size_t len = nbs_kv_format_width(format) ? nbs_kv_format_width(format)
                                                 : fuzz_input_below(run->in, sizeof value - 1);
        fuzz_input_value(run->in, value + 1, len);
        int want = handle_refusal(h, true);
        rc = remove ? nbs_kv_txn_delete(&h->domain, &txn, key, key_len)
                    : nbs_kv_txn_write(&h->domain, &txn, key, key_len, format, value + 1, len);
        FUZZ_REQUIRE(TARGET, want ? rc == want : rc == NBS_OK || rc == NBS_E_TXN_BUFFER,
                     "%s: txn %s returned %s, model %s", run->where, remove ? "delete" : "write",
                     nbs_strerror(rc), nbs_strerror(want));
        if (rc) continue;
        value[0] = (uint8_t)format;
        ref_map_txn_stage(&run->model, remove, map_key, model_key(h->id, key, key_len, map_key),
                          value, len + 1);
    }
    if (fuzz_input_u8(run->in) % 8 == 0) {
        nbs_map_txn_abort(&txn);
        ref_map_txn_abort(&run->model);
        FUZZ_REQUIRE(TARGET, nbs_map_txn_commit(&txn) == NBS_E_TXN_CLOSED,
                     "%s: a commit after the abort did not say the transaction was closed",
                     run->where);
        return;
    }
    uint32_t staged = txn.used;
    ref_map_begin_txn_commit(&run->model);
    ref_map_txn_abort(&run->model);
    uint64_t ops_before = nor_op_count(run->store.f.dev);
    rc = nbs_map_txn_commit(&txn);
    if (staged > nbs_map_txn_max(flash_of(run))) {
        FUZZ_REQUIRE(TARGET, rc == NBS_E_TOO_BIG && nor_op_count(run->store.f.dev) == ops_before,
                     "%s: commit of %u staged bytes (max %u) returned %s", run->where,
                     (unsigned)staged, (unsigned)nbs_map_txn_max(flash_of(run)), nbs_strerror(rc));
        ref_map_end(&run->model, false);
        return;
    }
    end_write(run, rc, ops_before, "txn commit");
}

/* Whether `found` (count keys, each NBS_KEY_MAX bytes apart, lengths in found_lens) is exactly
 * the set the model's keys with first byte `id` make, their bytes after the id byte (or, for
 * the directory, the names). */
static bool same_key_set(const kv_run *run, uint8_t id, const uint8_t *found,
                         const size_t *found_lens, size_t count) {
    size_t want = 0;
    for (size_t i = 0; i < run->model.items.count; i++) {
        const ref_item *item = &run->model.items.items[i];
        if (item->key[0] != id) continue;
        want++;
        size_t hits = 0;
        for (size_t j = 0; j < count; j++)
            hits += found_lens[j] == item->key_len - 1 &&
                    !memcmp(found + j * NBS_KEY_MAX, item->key + 1, item->key_len - 1);
        if (hits != 1) return false;
    }
    return want == count;
}

static void op_iterate(kv_run *run) {
    uint8_t choice = fuzz_input_u8(run->in);
    handle *h = &run->handles[choice % HANDLES];
    bool domains = choice & 0x80u;
    nbs_kv_iter it;
    if (!domains) {
        int rc = nbs_kv_keys_init(&h->domain, &it), want = handle_refusal(h, false);
        FUZZ_REQUIRE(TARGET, rc == want, "%s: keys_init returned %s, model %s", run->where,
                     nbs_strerror(rc), nbs_strerror(want));
        if (rc) return;
    } else {
        nbs_kv_domains_init(&run->kv, &it);
    }
    size_t limit = run->model.items.count + 1, count = 0, *lens = calloc(limit, sizeof *lens);
    uint8_t *found = malloc(limit * NBS_KEY_MAX);
    int rc = NBS_E_END;
    while (count < limit) {
        rc = domains
                 ? nbs_kv_domains_next(&it, found + count * NBS_KEY_MAX, NBS_KEY_MAX, &lens[count])
                 : nbs_kv_keys_next(&it, found + count * NBS_KEY_MAX, NBS_KEY_MAX, &lens[count]);
        if (rc) break;
        count++;
    }
    bool ok = rc == NBS_E_END && same_key_set(run, domains ? 0 : h->id, found, lens, count);
    free(found);
    free(lens);
    FUZZ_REQUIRE(TARGET, ok, "%s: %s iteration ended with %s after %zu keys, not the model's",
                 run->where, domains ? "domain" : "key", nbs_strerror(rc), count);
}

static void op_erase_all(kv_run *run) {
    ref_map_begin_erase_all(&run->model);
    uint64_t ops_before = nor_op_count(run->store.f.dev);
    int rc = nbs_kv_erase_all(&run->kv);
    for (int i = 0; i < HANDLES; i++) run->handles[i].open = false;
    end_write(run, rc, ops_before, "erase_all");
}

static void op_remount(kv_run *run) {
    fuzz_remount(&run->store, run->in, &run->model, NULL);
    bind_layer(run);
}

/* Opcodes (modulo 32): opens and writes most often, erase_all rarely. */
static void run_op(kv_run *run, uint8_t opcode) {
    unsigned op = opcode % 32u;
    if (op < 5)
        op_open(run);
    else if (op < 7)
        op_close(run);
    else if (op < 14)
        op_write(run);
    else if (op < 18)
        op_read(run);
    else if (op < 21)
        op_delete(run);
    else if (op < 23)
        op_txn(run);
    else if (op < 25)
        op_iterate(run);
    else if (op == 25)
        op_erase_all(run);
    else if (op < 29)
        fuzz_cut_arm(&run->store, run->in);
    else
        op_remount(run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    kv_run *run = calloc(1, sizeof *run);
    run->in = &in;
    fuzz_store_start(&run->store, TARGET, EF_MAP, &in, run->where, sizeof run->where);
    run->kv_buf_size = nbs_kv_buffer_bytes(flash_of(run));
    run->kv_buf = malloc(run->kv_buf_size);
    ref_map_init(&run->model);
    bind_layer(run);
    for (int op = 0; op < MAX_OPS && !fuzz_input_done(&in); op++) run_op(run, fuzz_input_u8(&in));
    fuzz_final_check(&run->store, &run->model, NULL);
    ref_map_free(&run->model);
    fuzz_store_close(&run->store);
    free(run->kv_buf);
    free(run);
    return 0;
}
