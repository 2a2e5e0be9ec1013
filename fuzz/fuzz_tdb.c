/* libFuzzer target "tdb": the TDBStore-shaped store (nbs_tdb.h) over a map on a fuzz geometry.
 * The input chooses the store, whether key rules apply, then a sequence of calls: set (plain,
 * sometimes write-once, sometimes too big), incremental sets fed in pieces (finalized, aborted,
 * or ended short), get at an offset with a capacity, get_info, remove, prefix iterations (and a
 * write inside one, which must make it stale), the reserved area, reset, clean remounts and
 * power cuts. Every answer is checked against a small model of the keys, their values and
 * flags, and the reserved area. After a cut the store is mounted and the layer bound again
 * (sometimes cut again inside that init's settling): the key in flight holds its old value or
 * its new one (a reset: every key or none), every other key is unchanged, and after a clean
 * init no chunk is left that no value names (SPEC 9.2).
 *
 * Input: geometry, pages, cache flags, cache max_keys (fuzz_store_start), key rules (1 byte),
 * then one opcode byte per call followed by its arguments (see run_op). */
#include "fuzz_finding.h"
#include "fuzz_input.h"
#include "fuzz_powercut.h"
#include "fuzz_store.h"
#include "nbs_tdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET "tdb"

enum { MAX_OPS = 120, KEYS = 7, MAX_VALUE = 6000, MAX_INIT_CUTS = 3 };

/* Keys with shared prefixes for the iterations; the last holds a character TDBStore forbids. */
static const char *const key_names[KEYS] = {"a", "a.b", "a.c", "b", "bb", "c-x", "c:x"};
static const char *const prefixes[] = {"", "a", "a.", "b", "c", "zz"};

typedef struct model_key {
    bool present;
    uint32_t flags, len;
    uint8_t *value; /* MAX_VALUE bytes */
} model_key;

typedef struct tdb_run {
    fuzz_store store;
    nbs_tdb tdb;
    uint8_t *buf;
    size_t buf_size;
    bool key_rules;
    bool bound;   /* the last init returned 0 */
    bool pending; /* before the write under way: an earlier write's clean-up was left open (or
                     the init's), so the write may answer that clean-up's NBS_E_FULL first */
    model_key keys[KEYS];
    bool reserved_set;
    uint8_t reserved[NBS_TDB_RESERVED_MAX];
    uint32_t reserved_len;
    fuzz_input *in;
    uint8_t *scratch; /* MAX_VALUE bytes */
    char where[160];
} tdb_run;

static const nbs_flash *flash_of(tdb_run *run) {
    return &run->store.f.binding.flash;
}

static bool key_refused(tdb_run *run, unsigned k) {
    return run->key_rules && strpbrk(key_names[k], "*/?:;\\\"|<> ") != NULL;
}

/* Whether the call was cut: the power is off, whatever the call answered (a clean-up after a
 * commit or a refusal may be what the cut stopped). */
static bool power_lost(tdb_run *run) {
    return !nor_is_powered(run->store.f.dev);
}

/* Binds the layer to the mounted map. */
static int bind(tdb_run *run) {
    int rc = nbs_tdb_init(&run->tdb, &run->store.f.map, run->buf, run->buf_size, run->key_rules);
    run->bound = rc == NBS_OK;
    return rc;
}

/* Reads key k whole into scratch: its rc and length. */
/* Reads key k whole into scratch: its rc, length and (when present) flags. */
static int read_whole(tdb_run *run, unsigned k, size_t *len, uint32_t *flags) {
    nbs_tdb_info info = {0};
    *len = 0;
    int rc =
        nbs_tdb_get(&run->tdb, key_names[k], strlen(key_names[k]), run->scratch, MAX_VALUE, len, 0);
    if (rc == NBS_OK) rc = nbs_tdb_get_info(&run->tdb, key_names[k], strlen(key_names[k]), &info);
    FUZZ_REQUIRE(TARGET, rc || info.size == *len, "%s: key %s: get_info says %u bytes, get %zu",
                 run->where, key_names[k], (unsigned)info.size, *len);
    *flags = info.flags;
    return rc;
}

/* Whether what read_whole read is `m` (NULL or not present: absent). */
static bool state_is(tdb_run *run, const model_key *m, int rc, size_t len, uint32_t flags) {
    if (!m || !m->present) return rc == NBS_E_NOT_FOUND;
    return rc == NBS_OK && len == m->len && flags == m->flags &&
           !memcmp(run->scratch, m->value, len);
}

static void check_key(tdb_run *run, unsigned k, const char *when) {
    if (key_refused(run, k)) return;
    size_t len;
    uint32_t flags;
    int rc = read_whole(run, k, &len, &flags);
    FUZZ_REQUIRE(TARGET, state_is(run, &run->keys[k], rc, len, flags),
                 "%s: %s: key %s: get returned %s with %zu bytes (flags %u), model %s with %u "
                 "(flags %u)",
                 run->where, when, key_names[k], nbs_strerror(rc), len, (unsigned)flags,
                 run->keys[k].present ? "present" : "absent", (unsigned)run->keys[k].len,
                 (unsigned)run->keys[k].flags);
}

static void check_reserved(tdb_run *run, const char *when) {
    uint8_t got[NBS_TDB_RESERVED_MAX];
    size_t len = 0;
    int rc = nbs_tdb_reserved_get(&run->tdb, got, sizeof got, &len);
    bool ok = run->reserved_set
                  ? rc == NBS_OK && len == run->reserved_len && !memcmp(got, run->reserved, len)
                  : rc == NBS_E_NOT_FOUND;
    FUZZ_REQUIRE(TARGET, ok, "%s: %s: reserved area: %s, %zu bytes", run->where, when,
                 nbs_strerror(rc), len);
}

/* Chunk keys (namespace 02, SPEC 9.2) in the map, against the chunks the model's values need. */
static void check_no_orphans(tdb_run *run, const char *when) {
    uint32_t chunk_bytes = nbs_map_max_value(flash_of(run), 9), want = 0, found = 0;
    for (unsigned k = 0; k < KEYS; k++) {
        const model_key *m = &run->keys[k];
        if (m->present && m->len > nbs_tdb_max_value(flash_of(run), strlen(key_names[k])))
            want += (m->len + chunk_bytes - 1) / chunk_bytes;
    }
    nbs_map_iter it;
    nbs_map_iter_init(&run->store.f.map, &it);
    uint8_t key[NBS_KEY_MAX];
    size_t key_len, value_len;
    int rc;
    while ((rc = nbs_map_iter_next(&it, key, sizeof key, &key_len, run->scratch, MAX_VALUE,
                                   &value_len)) == NBS_OK)
        found += key[0] == 0x02;
    FUZZ_REQUIRE(TARGET, rc == NBS_E_END && found == want,
                 "%s: %s: %u chunks in the map, the values need %u (%s)", run->where, when,
                 (unsigned)found, (unsigned)want, nbs_strerror(rc));
}

static void check_all(tdb_run *run, const char *when) {
    for (unsigned k = 0; k < KEYS; k++) check_key(run, k, when);
    check_reserved(run, when);
}

/* Key k after an operation whose outcome is open (a cut, or a refusal that may come after
 * part of a reset): the store's value must be the model's or `next` (NULL: absent); the
 * model takes what the store holds. Returns whether it changed. */
static bool adopt(tdb_run *run, unsigned k, const model_key *next, const char *when) {
    if (key_refused(run, k)) return false;
    size_t len;
    uint32_t flags;
    int rc = read_whole(run, k, &len, &flags);
    if (state_is(run, &run->keys[k], rc, len, flags)) return false;
    FUZZ_REQUIRE(TARGET, state_is(run, next, rc, len, flags),
                 "%s: %s: key %s holds neither its old value nor the new (%s, %zu bytes)",
                 run->where, when, key_names[k], nbs_strerror(rc), len);
    model_key *m = &run->keys[k];
    m->present = next != NULL;
    if (next) {
        m->flags = next->flags, m->len = next->len;
        memcpy(m->value, next->value, next->len);
    }
    return true;
}

/* Mounts and binds after a power loss; the input may cut again inside the init's settling. */
static void power_on_and_bind(tdb_run *run) {
    for (int cuts = 0;; cuts++) {
        nor_power_on(run->store.f.dev);
        bool cut_again = cuts < MAX_INIT_CUTS && fuzz_input_u8(run->in) % 4 == 0;
        int rc = fuzz_store_mount(&run->store);
        FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: mount after a cut: %s", run->where,
                     nbs_strerror(rc));
        if (cut_again) nor_arm_cut_after_ops(run->store.f.dev, fuzz_input_below(run->in, 12));
        rc = bind(run);
        if (!nor_is_powered(run->store.f.dev)) continue;
        nor_disarm_cut(run->store.f.dev);
        FUZZ_REQUIRE(TARGET, rc == NBS_OK || rc == NBS_E_FULL, "%s: init after a cut: %s",
                     run->where, nbs_strerror(rc));
        return;
    }
}

/* After a cut in a write of key k (KEYS: a reset) whose new state is `next` (the key's model
 * entry itself: no new state is allowed). */
static void recover(tdb_run *run, unsigned k, const model_key *next) {
    power_on_and_bind(run);
    if (k < KEYS) {
        adopt(run, k, next, "after a cut");
    } else { /* a reset: every key kept, or every one gone */
        unsigned gone = 0, present = 0;
        for (unsigned i = 0; i < KEYS; i++) {
            present += run->keys[i].present && !key_refused(run, i);
            gone += adopt(run, i, NULL, "after a cut in a reset");
        }
        FUZZ_REQUIRE(TARGET, gone == 0 || gone == present, "%s: a cut reset removed %u of %u keys",
                     run->where, gone, present);
    }
    check_all(run, "after a cut");
    if (run->bound) check_no_orphans(run, "after a cut");
}

/* The end of a write of key k: a cut recovers, else rc must be one of the answers the model
 * allows (`want`, or NBS_E_FULL, which changes nothing). */
static void end_write(tdb_run *run, int rc, int want, unsigned k, const model_key *next,
                      const char *what) {
    if (power_lost(run)) {
        recover(run, k, next);
        /* A call that answered 0 committed: the new state, whatever its clean-up met. */
        const model_key *m = &run->keys[k];
        FUZZ_REQUIRE(TARGET,
                     rc != NBS_OK || (next ? m->present && m->len == next->len &&
                                                 !memcmp(m->value, next->value, m->len)
                                           : !m->present),
                     "%s: %s of key %s returned 0, then a cut in its clean-up undid it", run->where,
                     what, key_names[k]);
        return;
    }
    bool full_ok = rc == NBS_E_FULL && (want == NBS_OK || run->pending);
    FUZZ_REQUIRE(TARGET, rc == want || full_ok,
                 "%s: %s of key %s returned %s, the model expects %s", run->where, what,
                 k < KEYS ? key_names[k] : "-", nbs_strerror(rc), nbs_strerror(want));
    if (rc != NBS_OK || want != NBS_OK) return;
    model_key *m = &run->keys[k];
    m->present = next != NULL;
    if (next) {
        m->flags = next->flags, m->len = next->len;
        memcpy(m->value, next->value, next->len);
    }
}

/* The answer the model gives a write of key k before any room question; notes whether a
 * clean-up is pending (call it just before the write). */
static int expected_write(tdb_run *run, unsigned k, bool is_remove) {
    run->pending = run->tdb.journal_open || !run->bound;
    if (key_refused(run, k)) return NBS_E_KEY_CHARS;
    if (is_remove && !run->keys[k].present) return NBS_E_NOT_FOUND;
    if (run->keys[k].present && (run->keys[k].flags & NBS_TDB_WRITE_ONCE))
        return NBS_E_WRITE_PROTECTED;
    return NBS_OK;
}

static void new_value(tdb_run *run, model_key *next, uint32_t max) {
    uint8_t choice = fuzz_input_u8(run->in);
    next->len = choice < 160 ? choice % 40 : fuzz_input_below(run->in, max + 1);
    next->flags = fuzz_input_u8(run->in) % 8 == 0 ? NBS_TDB_WRITE_ONCE : 0;
    next->present = true;
    fuzz_input_value(run->in, next->value, next->len);
}

static void op_set(tdb_run *run, model_key *next) {
    unsigned k = fuzz_input_below(run->in, KEYS);
    uint32_t max = nbs_tdb_max_value(flash_of(run), strlen(key_names[k]));
    new_value(run, next, max + 4);
    int want = expected_write(run, k, false);
    if (want == NBS_OK && next->len > max) want = NBS_E_TOO_BIG;
    int rc = nbs_tdb_set(&run->tdb, key_names[k], strlen(key_names[k]), next->value, next->len,
                         next->flags);
    end_write(run, rc, want, k, next, "set");
}

/* An incremental set: start, pieces (sometimes one past the final size, refused), then a
 * finalize, an abort, or a finalize short of the size (refused, no change). */
static void op_set_incrementally(tdb_run *run, model_key *next) {
    unsigned k = fuzz_input_below(run->in, KEYS);
    new_value(run, next, MAX_VALUE);
    uint8_t ending = fuzz_input_u8(run->in);
    int want = expected_write(run, k, false);
    int rc =
        nbs_tdb_set_start(&run->tdb, key_names[k], strlen(key_names[k]), next->len, next->flags);
    if (rc != NBS_OK || want != NBS_OK) {
        end_write(run, rc, want, k, next, "set_start");
        return;
    }
    bool short_end = ending % 16 == 0 && next->len > 0;
    uint32_t fed = short_end ? next->len - 1 : next->len;
    for (uint32_t at = 0; rc == NBS_OK && at < fed;) {
        uint32_t piece = 1 + fuzz_input_below(run->in, fed - at < 1500 ? fed - at : 1500);
        rc = nbs_tdb_set_add_data(&run->tdb, next->value + at, piece);
        at += piece;
        if (rc == NBS_OK && ending % 8 == 1) { /* one byte too many: refused, the set goes on */
            int over = nbs_tdb_set_add_data(&run->tdb, next->value, next->len - at + 1);
            FUZZ_REQUIRE(TARGET, over == NBS_E_INVAL, "%s: add_data past the size returned %s",
                         run->where, nbs_strerror(over));
        }
    }
    /* Ends that change nothing: a chunk's store failed (room, or a cut), an abort, a finalize
     * short of the size (NBS_E_INVAL). */
    if (rc == NBS_OK && ending % 8 == 2)
        rc = nbs_tdb_set_abort(&run->tdb);
    else if (rc == NBS_OK && short_end)
        rc = nbs_tdb_set_finalize(&run->tdb) == NBS_E_INVAL ? NBS_OK : NBS_E_CORRUPT;
    else if (rc == NBS_OK) {
        end_write(run, nbs_tdb_set_finalize(&run->tdb), NBS_OK, k, next, "set_finalize");
        return;
    }
    if (power_lost(run)) {
        recover(run, k, &run->keys[k]);
        return;
    }
    FUZZ_REQUIRE(TARGET, rc == NBS_OK || rc == NBS_E_FULL,
                 "%s: an incremental set ended without its finalize: %s", run->where,
                 nbs_strerror(rc));
    check_key(run, k, "after an incremental set ended without a change");
}

static void op_get(tdb_run *run) {
    unsigned k = fuzz_input_below(run->in, KEYS);
    const model_key *m = &run->keys[k];
    uint32_t offset = fuzz_input_below(run->in, m->len + 3);
    uint32_t capacity = fuzz_input_below(run->in, m->len + 3);
    size_t actual = 0;
    int rc = nbs_tdb_get(&run->tdb, key_names[k], strlen(key_names[k]), run->scratch, capacity,
                         &actual, offset);
    int want = key_refused(run, k) ? NBS_E_KEY_CHARS
               : !m->present       ? NBS_E_NOT_FOUND
               : offset > m->len   ? NBS_E_INVAL
                                   : NBS_OK;
    uint32_t n = want == NBS_OK ? (m->len - offset < capacity ? m->len - offset : capacity) : 0;
    FUZZ_REQUIRE(TARGET,
                 rc == want && (rc || (actual == n && !memcmp(run->scratch, m->value + offset, n))),
                 "%s: get of %s at %u, capacity %u: %s with %zu bytes, model %s with %u",
                 run->where, key_names[k], (unsigned)offset, (unsigned)capacity, nbs_strerror(rc),
                 actual, nbs_strerror(want), (unsigned)n);
}

static void op_remove(tdb_run *run) {
    unsigned k = fuzz_input_below(run->in, KEYS);
    int want = expected_write(run, k, true);
    int rc = nbs_tdb_remove(&run->tdb, key_names[k], strlen(key_names[k]));
    end_write(run, rc, want, k, NULL, "remove");
}

/* The keys with a prefix, each once; sometimes a write after the first, then stale. */
static void op_iterate(tdb_run *run, model_key *next) {
    const char *prefix = prefixes[fuzz_input_below(run->in, sizeof prefixes / sizeof *prefixes)];
    bool write_inside = fuzz_input_u8(run->in) % 4 == 0;
    nbs_tdb_iter it;
    int rc = nbs_tdb_iter_open(&run->tdb, &it, prefix, strlen(prefix));
    FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: iter_open: %s", run->where, nbs_strerror(rc));
    unsigned seen = 0, want = 0;
    for (unsigned k = 0; k < KEYS; k++)
        if (run->keys[k].present && !strncmp(key_names[k], prefix, strlen(prefix))) want |= 1u << k;
    char key[NBS_TDB_KEY_MAX];
    size_t len;
    while ((rc = nbs_tdb_iter_next(&it, key, sizeof key, &len)) == NBS_OK) {
        unsigned k = 0;
        while (k < KEYS && !(strlen(key_names[k]) == len && !memcmp(key, key_names[k], len))) k++;
        FUZZ_REQUIRE(TARGET, k < KEYS && (want >> k & 1) && !(seen >> k & 1),
                     "%s: iteration of '%s' listed '%.*s' (unknown, unwanted or twice)", run->where,
                     prefix, (int)len, key);
        seen |= 1u << k;
        if (!write_inside) continue;
        unsigned w = fuzz_input_below(run->in, KEYS);
        next->len = 1 + fuzz_input_below(run->in, 8), next->flags = 0, next->present = true;
        fuzz_input_value(run->in, next->value, next->len);
        int want_rc = expected_write(run, w, false);
        rc = nbs_tdb_set(&run->tdb, key_names[w], strlen(key_names[w]), next->value, next->len, 0);
        bool wrote = rc == NBS_OK && !power_lost(run);
        end_write(run, rc, want_rc, w, next, "set inside an iteration");
        if (!wrote) return; /* refused or cut: the iteration is left */
        rc = nbs_tdb_iter_next(&it, key, sizeof key, &len);
        FUZZ_REQUIRE(TARGET, rc == NBS_E_ITER_STALE, "%s: next after a write returned %s",
                     run->where, nbs_strerror(rc));
        return;
    }
    FUZZ_REQUIRE(TARGET, rc == NBS_E_END && seen == want,
                 "%s: iteration of '%s' ended with %s, keys 0x%x of 0x%x", run->where, prefix,
                 nbs_strerror(rc), seen, want);
}

static void op_reserved(tdb_run *run) {
    uint8_t data[NBS_TDB_RESERVED_MAX + 1];
    uint32_t len = fuzz_input_below(run->in, sizeof data + 1);
    fuzz_input_value(run->in, data, len);
    run->pending = run->tdb.journal_open || !run->bound;
    int want = len < 1 || len > NBS_TDB_RESERVED_MAX ? NBS_E_INVAL
               : run->reserved_set                   ? NBS_E_WRITE_PROTECTED
                                                     : NBS_OK;
    int rc = nbs_tdb_reserved_set(&run->tdb, data, len);
    if (power_lost(run)) {
        power_on_and_bind(run);
        uint8_t got[NBS_TDB_RESERVED_MAX];
        size_t got_len = 0;
        rc = nbs_tdb_reserved_get(&run->tdb, got, sizeof got, &got_len);
        if (rc == NBS_OK && !run->reserved_set && got_len == len && !memcmp(got, data, len))
            run->reserved_set = true, run->reserved_len = len, memcpy(run->reserved, data, len);
        check_all(run, "after a cut in reserved_set");
        return;
    }
    FUZZ_REQUIRE(TARGET, rc == want || (rc == NBS_E_FULL && (want == NBS_OK || run->pending)),
                 "%s: reserved_set of %u bytes returned %s, model %s", run->where, (unsigned)len,
                 nbs_strerror(rc), nbs_strerror(want));
    if (rc == NBS_OK)
        run->reserved_set = true, run->reserved_len = len, memcpy(run->reserved, data, len);
    check_reserved(run, "after reserved_set");
}

static void op_reset(tdb_run *run) {
    int rc = nbs_tdb_reset(&run->tdb);
    if (power_lost(run)) {
        recover(run, KEYS, NULL);
        return;
    }
    /* A refusal for room may come part way: each key is as before or gone. */
    FUZZ_REQUIRE(TARGET, rc == NBS_OK || rc == NBS_E_FULL, "%s: reset returned %s", run->where,
                 nbs_strerror(rc));
    for (unsigned k = 0; k < KEYS; k++) adopt(run, k, NULL, "after a reset");
    if (rc == NBS_OK)
        for (unsigned k = 0; k < KEYS; k++)
            FUZZ_REQUIRE(TARGET, !run->keys[k].present, "%s: key %s after a reset", run->where,
                         key_names[k]);
    check_reserved(run, "after a reset");
}

/* A clean reboot: mount and init (a cut may land in their repairs: then again). */
static void op_remount(tdb_run *run) {
    int rc = fuzz_store_mount(&run->store);
    if (!power_lost(run)) rc = rc ? rc : bind(run);
    if (power_lost(run)) {
        power_on_and_bind(run);
        rc = run->bound ? NBS_OK : NBS_E_FULL;
    }
    FUZZ_REQUIRE(TARGET, rc == NBS_OK || rc == NBS_E_FULL, "%s: remount and init: %s", run->where,
                 nbs_strerror(rc));
    check_all(run, "after a remount");
    if (run->bound) check_no_orphans(run, "after a remount");
}

/* Opcodes modulo 32: sets and incremental sets most often, reset rarely. */
static void run_op(tdb_run *run, uint8_t opcode, model_key *next) {
    unsigned op = opcode % 32u;
    if (op < 7)
        op_set(run, next);
    else if (op < 12)
        op_set_incrementally(run, next);
    else if (op < 17)
        op_get(run);
    else if (op < 19)
        check_key(run, fuzz_input_below(run->in, KEYS), "a check");
    else if (op < 22)
        op_remove(run);
    else if (op < 24)
        op_iterate(run, next);
    else if (op < 26)
        op_reserved(run);
    else if (op == 26)
        op_reset(run);
    else if (op < 30)
        fuzz_cut_arm(&run->store, run->in);
    else
        op_remount(run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    tdb_run *run = calloc(1, sizeof *run);
    run->in = &in;
    fuzz_store_start(&run->store, TARGET, EF_MAP, &in, run->where, sizeof run->where);
    run->key_rules = fuzz_input_u8(&in) % 2 == 1;
    run->buf_size = nbs_tdb_buffer_bytes(flash_of(run));
    run->buf = malloc(run->buf_size);
    run->scratch = malloc(MAX_VALUE);
    model_key next = {.value = malloc(MAX_VALUE)};
    for (unsigned k = 0; k < KEYS; k++) run->keys[k].value = malloc(MAX_VALUE);
    int rc = bind(run);
    FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: init: %s", run->where, nbs_strerror(rc));
    for (int op = 0; op < MAX_OPS && !fuzz_input_done(&in); op++)
        run_op(run, fuzz_input_u8(&in), &next);
    nor_disarm_cut(run->store.f.dev);
    check_all(run, "at the end");
    op_remount(run);
    for (unsigned k = 0; k < KEYS; k++) free(run->keys[k].value);
    free(next.value);
    free(run->scratch);
    free(run->buf);
    fuzz_store_close(&run->store);
    free(run);
    return 0;
}
