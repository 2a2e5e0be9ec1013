/* Values of a run: bytes given in the scenario, random bytes from the scenario seed (a stream
 * for plain `random`, a fixed function of the seeds for `random` + `seed`), and short
 * human-readable descriptions of bytes for failure messages. */
#include "runner_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Mixes a purpose into the scenario seed so the streams of one run are independent. */
void run_seed_stream(nor_prng *prng, uint64_t seed, uint64_t purpose) {
    nor_prng_seed(prng, seed ^ (purpose * 0x9E3779B97F4A7C15ull));
}

void run_random_fill(nor_prng *prng, uint8_t *out, size_t length) {
    for (size_t i = 0; i < length; i += 8) {
        uint64_t word = nor_prng_next(prng);
        for (size_t b = 0; b < 8 && i + b < length; b++) out[i + b] = (uint8_t)(word >> (8 * b));
    }
}

/* Purpose tag of fixed-seed values; kept apart from the run's own streams. */
#define FIXED_VALUE_PURPOSE 0x66697865645f7631ull

int run_value_get(run_state *st, const scenario_value *v, run_bytes *out) {
    memset(out, 0, sizeof *out);
    out->length = v->length;
    if (v->kind == SCENARIO_VALUE_BYTES) {
        out->bytes = v->bytes;
        return RUNNER_OK;
    }
    out->owned = malloc(v->length ? v->length : 1);
    if (!out->owned) return RUNNER_E_NOMEM;
    if (v->fixed_seed) {
        nor_prng fixed;
        run_seed_stream(&fixed, st->result->seed ^ v->seed, FIXED_VALUE_PURPOSE);
        run_random_fill(&fixed, out->owned, v->length);
    } else {
        run_random_fill(&st->value_stream, out->owned, v->length);
    }
    out->bytes = out->owned;
    return RUNNER_OK;
}

int run_value_get_fixed(run_state *st, const scenario_value *v, run_bytes *out) {
    if (v->kind != SCENARIO_VALUE_RANDOM || v->fixed_seed) return run_value_get(st, v, out);
    scenario_value fixed = *v;
    fixed.fixed_seed = true;
    fixed.seed = (uint64_t)st->step->line << 32 | st->step->column;
    return run_value_get(st, &fixed, out);
}

int run_expected_keys(run_state *st, const scenario_expect *e, ref_list *out) {
    for (size_t i = 0; i < e->item_count; i++) {
        run_bytes key;
        if (run_value_get(st, &e->items[i].value, &key)) return run_fail_nomem(st);
        ref_list_append(out, key.bytes, key.length, "", 0);
        run_bytes_free(&key);
    }
    return RUNNER_OK;
}

void run_bytes_free(run_bytes *b) {
    free(b->owned);
    memset(b, 0, sizeof *b);
}

#define DESCRIBE_TEXT_MAX 40
#define DESCRIBE_HEX_MAX  16

void run_describe_bytes(char *out, size_t size, const void *bytes, size_t length) {
    const uint8_t *p = bytes;
    if (length == 0) {
        snprintf(out, size, "empty (0 bytes)");
        return;
    }
    bool printable = length > 0 && length <= DESCRIBE_TEXT_MAX;
    for (size_t i = 0; printable && i < length; i++) printable = isprint(p[i]) && p[i] != '"';
    if (printable) {
        snprintf(out, size, "\"%.*s\" (%zu %s)", (int)length, (const char *)p, length,
                 run_plural(length, "byte", "bytes"));
        return;
    }
    size_t used = (size_t)snprintf(out, size, "hex ");
    size_t shown = length < DESCRIBE_HEX_MAX ? length : DESCRIBE_HEX_MAX;
    for (size_t i = 0; i < shown && used + 3 < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%02x", p[i]);
    if (used < size)
        snprintf(out + used, size - used, "%s (%zu %s)", shown < length ? "..." : "", length,
                 run_plural(length, "byte", "bytes"));
}

void run_describe_keys(char *out, size_t size, const ref_list *keys) {
    size_t used =
        (size_t)snprintf(out, size, "%zu %s", keys->count, run_plural(keys->count, "key", "keys"));
    for (size_t i = 0; i < keys->count && i < 4 && used < size; i++) {
        char k[60];
        run_describe_bytes(k, sizeof k, keys->items[i].key, keys->items[i].key_len);
        used += (size_t)snprintf(out + used, size - used, "%s %s", i ? "," : ":", k);
    }
}

int run_grow_read_buffer(run_state *st, size_t at_least) {
    size_t want = st->engine.max_value_size > at_least ? st->engine.max_value_size : at_least;
    if (st->read_buffer_size >= want) return RUNNER_OK;
    uint8_t *grown = realloc(st->read_buffer, want);
    if (!grown) return run_fail_nomem(st);
    st->read_buffer = grown;
    st->read_buffer_size = want;
    return RUNNER_OK;
}

/* The refusals a correct engine gives for want of room, which the model cannot predict: a
 * scenario that drives the engine to them expects them. Any other error is the engine's to
 * explain, and gets no hint to expect it. */
static bool room_refusal(int rc) {
    return rc == NBS_E_FULL || rc == NBS_E_TOO_BIG || rc == NBS_E_RAM_FULL;
}

int run_fail_answer(run_state *st, const char *name, const char *expected, const char *source,
                    const char *actual, int want_rc, int got_rc) {
    static const char model[] = "the reference model";
    char hint[120] = "";
    if (strncmp(source, model, sizeof model - 1) == 0 && want_rc >= 0 && room_refusal(got_rc))
        snprintf(hint, sizeof hint,
                 "; if the engine may refuse it, expect that: \"expect\": "
                 "{\"error\": \"%s\"}",
                 scenario_error_short_name(got_rc));
    return run_fail(st, "%s: expected %s (%s), got %s%s", name, expected, source, actual, hint);
}
