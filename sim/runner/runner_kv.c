/* Key-value domain steps of a run (kv_open, kv_close, kv_read, kv_write, kv_delete, kv_keys):
 * each call goes through the adapter's kv operations, its answer is compared with the step's
 * expectation or with the reference model, and the model follows it (in flight when a cut lands
 * inside it). The model is the run's map model holding the store in the kv_view.h form (a domain
 * is an item, a value an item keyed by domain and key whose value is its format and bytes), built
 * from the steps alone: it knows nothing of the engine's encoding, and the runner's whole-store
 * checks (settling, stability, read-only views, campaigns) observe the store through the
 * adapter's view in the same form. The open domains are the run's own table (run_kv_open). */
#include "kv_view.h"
#include "nbs_kv.h"
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert((int)SCENARIO_KV_BUFFER == (int)NBS_KV_BUFFER &&
                   (int)SCENARIO_KV_INT64 == (int)NBS_KV_INT64,
               "scenario formats are the engine's numbers");

/* The store holds at most this many domains (one id byte, 0 the directory's). */
#define KV_DOMAIN_IDS 255u

typedef struct kv_op {
    scenario_op op;
    run_bytes domain, key, value;
    scenario_kv_format format;
    bool writable;
    const scenario_expect *expect;
} kv_op;

typedef struct kv_answer {
    int rc;
    const uint8_t *value; /* kv_read: the value's bytes (without its format) */
    size_t length;
    bool existed;  /* kv_delete */
    ref_list keys; /* kv_keys: key -> empty value */
} kv_answer;

/* ---- the open domains ---- */

static int find_open(const run_state *st, const run_bytes *name) {
    const run_kv_open *t = &st->kv_open;
    for (size_t i = 0; i < t->count; i++)
        if (t->domains[i].name_len == name->length &&
            (!name->length || memcmp(t->domains[i].name, name->bytes, name->length) == 0))
            return (int)i;
    return -1;
}

static void note_open(run_state *st, const run_bytes *name, bool writable) {
    run_kv_open *t = &st->kv_open;
    int at = find_open(st, name);
    size_t i = at >= 0 ? (size_t)at : t->count++;
    memcpy(t->domains[i].name, name->bytes, name->length);
    t->domains[i].name_len = name->length;
    t->domains[i].writable = writable;
}

static void note_closed(run_state *st, const run_bytes *name) {
    run_kv_open *t = &st->kv_open;
    int at = find_open(st, name);
    if (at < 0) return;
    t->domains[at] = t->domains[--t->count];
}

void run_kv_forget_open(run_state *st) {
    st->kv_open.count = 0;
}

void run_kv_describe_item(const ref_item *item, char *out, size_t size) {
    kv_view_key k;
    char name[60], key[60], value[100];
    if (!kv_view_parse_key(item->key, item->key_len, &k)) {
        run_describe_bytes(out, size, item->key, item->key_len);
        return;
    }
    run_describe_bytes(name, sizeof name, k.name, k.name_len);
    if (k.is_domain) {
        snprintf(out, size, "domain %s", name);
        return;
    }
    run_describe_bytes(key, sizeof key, k.key, k.key_len);
    const char *format = item->value_len ? scenario_kv_format_name(item->value[0]) : "?";
    run_describe_bytes(value, sizeof value, item->value + 1,
                       item->value_len ? item->value_len - 1 : 0);
    snprintf(out, size, "%s %s = %s %s", name, key, format, value);
}

/* ---- the model ---- */

static const ref_item *model_domain(const run_state *st, const run_bytes *name) {
    uint8_t k[KV_VIEW_KEY_MAX];
    size_t n = kv_view_domain_key(name->bytes, name->length, k);
    return ref_map_find(&st->map, k, n);
}

static const ref_item *model_value(const run_state *st, const kv_op *op) {
    uint8_t k[KV_VIEW_KEY_MAX];
    size_t n =
        kv_view_value_key(op->domain.bytes, op->domain.length, op->key.bytes, op->key.length, k);
    return ref_map_find(&st->map, k, n);
}

static size_t model_domain_count(const run_state *st) {
    size_t n = 0;
    for (size_t i = 0; i < st->map.items.count; i++) {
        kv_view_key k;
        const ref_item *it = &st->map.items.items[i];
        n += kv_view_parse_key(it->key, it->key_len, &k) && k.is_domain;
    }
    return n;
}

/* The write the operation makes when it succeeds, begun in the model. */
static void model_begin(run_state *st, const kv_op *op) {
    uint8_t k[KV_VIEW_KEY_MAX];
    if (op->op == SCENARIO_OP_KV_OPEN) {
        size_t n = kv_view_domain_key(op->domain.bytes, op->domain.length, k);
        ref_map_begin_store(&st->map, k, n, "", 0);
        return;
    }
    size_t n =
        kv_view_value_key(op->domain.bytes, op->domain.length, op->key.bytes, op->key.length, k);
    if (op->op == SCENARIO_OP_KV_DELETE) {
        ref_map_begin_remove(&st->map, k, n);
        return;
    }
    uint8_t *v = malloc(op->value.length + 1);
    if (!v) return; /* the model then stays definite: a later comparison reports it */
    v[0] = (uint8_t)op->format;
    if (op->value.length) memcpy(v + 1, op->value.bytes, op->value.length);
    ref_map_begin_store(&st->map, k, n, v, op->value.length + 1);
    free(v);
}

/* What the engine answers, by the model; *writes: the call writes to flash when it succeeds. */
static void predict(const run_state *st, const kv_op *op, kv_answer *want, bool *writes) {
    *writes = false;
    int open = find_open(st, &op->domain);
    bool name_ok = op->domain.length >= 1 && op->domain.length <= NBS_KV_NAME_MAX;
    if (op->op == SCENARIO_OP_KV_OPEN) {
        bool exists = name_ok && model_domain(st, &op->domain);
        if (open < 0 && st->kv_open.count == ADAPTER_KV_OPEN_MAX)
            want->rc = NBS_E_FULL;
        else if (!name_ok)
            want->rc = NBS_E_KEY_LEN;
        else if (!exists && !op->writable)
            want->rc = NBS_E_NOT_FOUND;
        else if (!exists && model_domain_count(st) >= KV_DOMAIN_IDS)
            want->rc = NBS_E_KV_DOMAINS;
        else
            *writes = !exists;
        return;
    }
    if (open < 0) {
        want->rc = NBS_E_KV_CLOSED;
        return;
    }
    bool writable = st->kv_open.domains[open].writable;
    bool key_ok = op->key.length <= NBS_KV_KEY_MAX;
    const ref_item *item = key_ok && op->op != SCENARIO_OP_KV_KEYS ? model_value(st, op) : NULL;
    switch (op->op) {
    case SCENARIO_OP_KV_READ:
        if (!key_ok)
            want->rc = NBS_E_KEY_LEN;
        else if (!item)
            want->rc = NBS_E_NOT_FOUND;
        else if (item->value[0] != (uint8_t)op->format)
            want->rc = NBS_E_KV_TYPE;
        else
            want->value = item->value + 1, want->length = item->value_len - 1;
        break;
    case SCENARIO_OP_KV_WRITE:
    case SCENARIO_OP_KV_DELETE:
        if (!writable)
            want->rc = NBS_E_KV_MODE;
        else if (!key_ok)
            want->rc = NBS_E_KEY_LEN;
        want->existed = item != NULL;
        *writes = !want->rc && (op->op == SCENARIO_OP_KV_WRITE || item);
        break;
    case SCENARIO_OP_KV_KEYS:
        for (size_t i = 0; i < st->map.items.count; i++) {
            kv_view_key k;
            const ref_item *it = &st->map.items.items[i];
            if (kv_view_parse_key(it->key, it->key_len, &k) && !k.is_domain &&
                k.name_len == op->domain.length &&
                (!k.name_len || !memcmp(k.name, op->domain.bytes, k.name_len)))
                ref_list_append(&want->keys, k.key, k.key_len, "", 0);
        }
        break;
    default: break;
    }
}

/* ---- one call ---- */

static int collect_key(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                       size_t value_len, bool *pop_current) {
    (void)value, (void)value_len, (void)pop_current;
    ref_list_append(ctx, key, key_len, "", 0);
    return 0;
}

static void call_adapter(run_state *st, const kv_op *op, kv_answer *got) {
    const adapter_kv_ops *kv = st->engine.kv;
    void *ctx = st->engine.ctx;
    const void *name = op->domain.bytes, *key = op->key.bytes;
    size_t name_len = op->domain.length, key_len = op->key.length;
    int stored = 0;
    if (!run_call_mounted(st, &got->rc)) return;
    switch (op->op) {
    case SCENARIO_OP_KV_OPEN: got->rc = kv->open(ctx, name, name_len, op->writable); break;
    case SCENARIO_OP_KV_CLOSE: got->rc = kv->close(ctx, name, name_len); break;
    case SCENARIO_OP_KV_READ:
        got->rc = kv->read(ctx, name, name_len, key, key_len, (int)op->format, st->read_buffer,
                           st->read_buffer_size, &got->length, &stored);
        got->value = st->read_buffer;
        break;
    case SCENARIO_OP_KV_WRITE:
        got->rc = kv->write(ctx, name, name_len, key, key_len, (int)op->format, op->value.bytes,
                            op->value.length);
        run_count_user_bytes(st, key_len + op->value.length, got->rc);
        break;
    case SCENARIO_OP_KV_DELETE:
        got->rc = kv->remove(ctx, name, name_len, key, key_len, &got->existed);
        break;
    case SCENARIO_OP_KV_KEYS:
        got->rc = kv->keys(ctx, name, name_len, collect_key, &got->keys);
        break;
    default: got->rc = NBS_E_INVAL; break;
    }
}

static bool answers_agree(scenario_op op, const kv_answer *want, const kv_answer *got) {
    if (want->rc != got->rc) return false;
    if (got->rc) return true;
    if (op == SCENARIO_OP_KV_READ)
        return want->length == got->length &&
               (!got->length || memcmp(want->value, got->value, got->length) == 0);
    if (op == SCENARIO_OP_KV_DELETE) return want->existed == got->existed;
    if (op == SCENARIO_OP_KV_KEYS) return ref_map_lists_match(&want->keys, &got->keys);
    return true;
}

static void describe(char *out, size_t size, scenario_op op, const kv_answer *a) {
    if (a->rc) {
        snprintf(out, size, "error %s", scenario_error_short_name(a->rc));
    } else if (op == SCENARIO_OP_KV_READ) {
        run_describe_bytes(out, size, a->value, a->length);
    } else if (op == SCENARIO_OP_KV_DELETE) {
        snprintf(out, size, "existed %s", a->existed ? "true" : "false");
    } else if (op == SCENARIO_OP_KV_KEYS) {
        run_describe_keys(out, size, &a->keys);
    } else {
        snprintf(out, size, "success");
    }
}

static int fail_disagreement(run_state *st, const kv_op *op, const char *source,
                             const kv_answer *want, const kv_answer *got) {
    char expected[300], actual[300];
    describe(expected, sizeof expected, op->op, want);
    describe(actual, sizeof actual, op->op, got);
    return run_fail_answer(st, scenario_op_name(op->op), expected, source, actual, want->rc,
                           got->rc);
}

/* The answer the step's expectation asks for. */
static int expected_answer(run_state *st, const kv_op *op, run_bytes *bytes, kv_answer *out) {
    const scenario_expect *e = op->expect;
    switch (e->kind) {
    case SCENARIO_EXPECT_ERROR: out->rc = e->error; break;
    case SCENARIO_EXPECT_ABSENT: out->rc = NBS_E_NOT_FOUND; break;
    case SCENARIO_EXPECT_BOOL: out->existed = e->boolean; break;
    case SCENARIO_EXPECT_BYTES:
        if (run_value_get(st, &e->bytes, bytes)) return run_fail_nomem(st);
        out->value = bytes->bytes;
        out->length = bytes->length;
        break;
    case SCENARIO_EXPECT_ITEMS: return run_expected_keys(st, e, &out->keys);
    default: break;
    }
    return RUNNER_OK;
}

/* Errors after which the store is untouched: refused before anything was written. */
static bool refused_unwritten(int rc) {
    return rc == NBS_E_NOT_FOUND || rc == NBS_E_KEY_LEN || rc == NBS_E_INVAL ||
           rc == NBS_E_TOO_BIG || rc == NBS_E_FULL || rc == NBS_E_NOT_MOUNTED ||
           rc == NBS_E_KV_MODE || rc == NBS_E_KV_CLOSED || rc == NBS_E_KV_DOMAINS ||
           rc == NBS_E_READ_ONLY;
}

static int single_op(run_state *st, const kv_op *op) {
    if (st->read_buffer_size < st->engine.max_value_size) {
        uint8_t *grown = realloc(st->read_buffer, st->engine.max_value_size);
        if (!grown) return run_fail_nomem(st);
        st->read_buffer = grown;
        st->read_buffer_size = st->engine.max_value_size;
    }
    kv_answer want = {0}, got = {0};
    ref_list_init(&want.keys);
    ref_list_init(&got.keys);
    bool writes = false, predicted = run_model_definite(st);
    predict(st, op, &want, &writes);
    if (writes && st->read_only) want.rc = NBS_E_READ_ONLY, writes = false;
    uint8_t *predicted_value;
    int rc = run_keep_prediction(st, &want.value, want.length, &predicted_value);
    if (rc) return rc;
    bool tracked = writes && predicted;
    if (tracked) model_begin(st, op);
    bool powered_before = nor_is_powered(st->dev);
    call_adapter(st, op, &got);
    bool cut_in_call = powered_before && !nor_is_powered(st->dev);
    if (tracked) run_end_tracked(st, got.rc == NBS_OK, cut_in_call, refused_unwritten(got.rc));
    if (got.rc == NBS_OK && op->op == SCENARIO_OP_KV_OPEN) note_open(st, &op->domain, op->writable);
    if (got.rc == NBS_OK && op->op == SCENARIO_OP_KV_CLOSE) note_closed(st, &op->domain);

    /* A planned cut in this call: run_kv_op recovers and checks. */
    run_answer_check check = run_answer_check_for(
        st, op->expect, got.rc, cut_in_call, predicted && !(got.rc == NBS_OK && !powered_before));
    if (check == RUN_CHECK_EXPECTATION) {
        kv_answer asked = {0};
        run_bytes bytes = {0};
        ref_list_init(&asked.keys);
        rc = expected_answer(st, op, &bytes, &asked);
        if (!rc && !answers_agree(op->op, &asked, &got))
            rc = fail_disagreement(st, op, "the step's expectation", &asked, &got);
        run_bytes_free(&bytes);
        ref_list_free(&asked.keys);
    } else if (check == RUN_CHECK_MODEL && !answers_agree(op->op, &want, &got)) {
        rc = fail_disagreement(st, op, "the reference model", &want, &got);
    }
    free(predicted_value);
    ref_list_free(&want.keys);
    ref_list_free(&got.keys);
    return rc;
}

static int run_kv_op(run_state *st, const kv_op *op) {
    int rc = run_sync_model_before_call(st);
    if (!rc) rc = single_op(st, op);
    if (rc || !st->plan.recovery_pending || nor_is_powered(st->dev)) return rc;
    if ((rc = run_recover(st))) return rc;
    /* Not applied: run it again, as firmware would after its reboot (an open always: the
     * recovery's mount closed every domain, and reopened only those open before it). */
    if (op->op == SCENARIO_OP_KV_OPEN || !st->plan.applied) return run_kv_op(st, op);
    return RUNNER_OK;
}

int run_kv_reopen(run_state *st) {
    run_kv_open was = st->kv_open;
    run_kv_forget_open(st);
    for (size_t i = 0; i < was.count; i++) {
        kv_op op = {.op = SCENARIO_OP_KV_OPEN,
                    .domain = {.bytes = was.domains[i].name, .length = was.domains[i].name_len},
                    .writable = was.domains[i].writable};
        int rc = single_op(st, &op);
        if (rc) return rc;
    }
    return RUNNER_OK;
}

int run_kv_step(run_state *st, const scenario_step *step) {
    const scenario_kv_args *a = &step->args.kv;
    kv_op op = {
        .op = step->op, .format = a->format, .writable = a->writable, .expect = &step->expect};
    int rc = RUNNER_OK;
    if (run_value_get(st, &a->domain, &op.domain) || run_value_get(st, &a->key, &op.key) ||
        run_value_get(st, &a->value, &op.value))
        rc = run_fail_nomem(st);
    if (!rc && !st->engine.kv)
        rc = run_fail(st, "%s: the %s engine has no key-value domains", scenario_op_name(step->op),
                      st->engine.name);
    if (!rc) rc = run_kv_op(st, &op);
    run_bytes_free(&op.domain);
    run_bytes_free(&op.key);
    run_bytes_free(&op.value);
    return rc;
}
