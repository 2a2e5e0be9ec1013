/* Values in scenario files: keys, stored values, queue entries and corrupt bytes. A JSON
 * string is text; an object gives exactly one form: text, hex, a little-endian integer of a
 * stated width (u8..u64, i8..i64) or `random` bytes generated from the scenario seed. */
#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>

static const scenario_name value_fields[] = {
    {"text", FIELD_OPTIONAL}, {"hex", FIELD_OPTIONAL},    {"u8", FIELD_OPTIONAL},
    {"u16", FIELD_OPTIONAL},  {"u32", FIELD_OPTIONAL},    {"u64", FIELD_OPTIONAL},
    {"i8", FIELD_OPTIONAL},   {"i16", FIELD_OPTIONAL},    {"i32", FIELD_OPTIONAL},
    {"i64", FIELD_OPTIONAL},  {"random", FIELD_OPTIONAL}, {"seed", FIELD_OPTIONAL},
};
/* The forms: every value field but "seed". */
#define VALUE_FORM_COUNT (NAME_COUNT(value_fields) - 1)

#define VALUE_EXPECTED                                                                             \
    "a value: a string, or an object with one of text, hex, u8, u16, u32, u64, i8, i16, i32, "     \
    "i64, random"

static bool set_bytes(scenario_ctx *c, scenario_value *out, const void *bytes, size_t length) {
    out->kind = SCENARIO_VALUE_BYTES;
    out->length = (uint32_t)length;
    out->bytes = NULL;
    if (length == 0) return true;
    out->bytes = malloc(length);
    if (!out->bytes) {
        ctx_out_of_memory(c);
        return false;
    }
    memcpy(out->bytes, bytes, length);
    return true;
}

static int hex_value(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static bool parse_hex(scenario_ctx *c, const pjson_node *node, scenario_value *out) {
    if (node->type != PJSON_STRING) {
        report_type(c, node, "a string of hex digits, e.g. \"de ad be ef\"");
        return false;
    }
    uint8_t *bytes = malloc(node->length / 2 + 1);
    if (!bytes) {
        ctx_out_of_memory(c);
        return false;
    }
    size_t digits = 0;
    for (size_t i = 0; i < node->length; i++) {
        char ch = node->string[i];
        if (ch == ' ' || ch == '\t' || ch == '\n') continue;
        int v = hex_value(ch);
        if (v < 0) {
            char quoted[16];
            quote_for_message(&node->string[i], 1, quoted, sizeof quoted);
            ctx_report(c, node->pos,
                       "invalid hex digit '%s' at character %zu; expected 0-9, a-f, A-F or spaces",
                       quoted, i + 1);
            free(bytes);
            return false;
        }
        if (digits % 2 == 0)
            bytes[digits / 2] = (uint8_t)(v << 4);
        else
            bytes[digits / 2] |= (uint8_t)v;
        digits++;
    }
    if (digits % 2) {
        ctx_report(c, node->pos, "odd number of hex digits (%zu); expected two per byte", digits);
        free(bytes);
        return false;
    }
    bool ok = set_bytes(c, out, bytes, digits / 2);
    free(bytes);
    return ok;
}

bool parse_integer_form(scenario_ctx *c, const pjson_node *node, const char *form,
                        scenario_value *out) {
    unsigned width = (unsigned)atoi(form + 1) / 8;
    uint64_t bits;
    if (form[0] == 'u') {
        uint64_t max = width == 8 ? UINT64_MAX : (UINT64_C(1) << (width * 8)) - 1;
        if (!node_u64(c, node, 0, max, &bits)) return false;
    } else {
        int64_t max = width == 8 ? INT64_MAX : (INT64_C(1) << (width * 8 - 1)) - 1;
        int64_t v;
        if (!node_i64(c, node, -max - 1, max, &v)) return false;
        bits = (uint64_t)v;
    }
    uint8_t le[8];
    for (unsigned i = 0; i < width; i++) le[i] = (uint8_t)(bits >> (8 * i));
    return set_bytes(c, out, le, width);
}

static bool parse_value_object(scenario_ctx *c, const pjson_node *node, scenario_value *out) {
    if (!check_object(c, node, "a value", value_fields, NAME_COUNT(value_fields))) return false;
    const pjson_member *form = NULL;
    for (size_t i = 0; i < node->count; i++) {
        const pjson_member *m = &node->members[i];
        if (strcmp(m->key, "seed") == 0) continue;
        if (form) {
            ctx_report(c, m->key_pos, "a value has one form, got both '%s' and '%s'", form->key,
                       m->key);
            return false;
        }
        form = m;
    }
    const pjson_node *seed = pjson_get(node, "seed");
    if (!form) {
        ctx_report(c, node->pos, "expected %s", VALUE_EXPECTED);
        return false;
    }
    if (seed && strcmp(form->key, "random") != 0) {
        ctx_report(c, node->pos, "'seed' goes only with 'random'");
        return false;
    }
    size_t mark = ctx_path_key(c, form->key);
    bool ok;
    const pjson_node *v = form->value;
    if (strcmp(form->key, "text") == 0) {
        ok = v->type == PJSON_STRING;
        if (!ok)
            report_type(c, v, "a string");
        else
            ok = set_bytes(c, out, v->string, v->length);
    } else if (strcmp(form->key, "hex") == 0) {
        ok = parse_hex(c, v, out);
    } else if (strcmp(form->key, "random") == 0) {
        uint64_t length;
        ok = node_u64(c, v, 0, SCENARIO_MAX_VALUE_BYTES, &length);
        out->kind = SCENARIO_VALUE_RANDOM;
        out->length = (uint32_t)length;
    } else {
        ok = parse_integer_form(c, v, form->key, out);
    }
    ctx_path_restore(c, mark);
    if (ok && seed) {
        out->fixed_seed = true;
        ok = field_u64(c, node, "seed", 0, UINT64_MAX, 0, &out->seed);
    }
    return ok;
}

bool parse_value(scenario_ctx *c, const pjson_node *node, uint32_t min_length, uint32_t max_length,
                 scenario_value *out) {
    memset(out, 0, sizeof *out);
    bool ok;
    if (node->type == PJSON_STRING)
        ok = set_bytes(c, out, node->string, node->length);
    else if (node->type == PJSON_OBJECT)
        ok = parse_value_object(c, node, out);
    else {
        report_type(c, node, VALUE_EXPECTED);
        ok = false;
    }
    if (ok && (out->length < min_length || out->length > max_length)) {
        ctx_report(c, node->pos, "a length of %u is out of range; expected %u..%u bytes",
                   (unsigned)out->length, (unsigned)min_length, (unsigned)max_length);
        ok = false;
    }
    if (!ok) value_free(out);
    return ok;
}

bool field_value(scenario_ctx *c, const pjson_node *obj, const char *key, uint32_t min_length,
                 uint32_t max_length, scenario_value *out) {
    const pjson_node *node = pjson_get(obj, key);
    if (!node) {
        memset(out, 0, sizeof *out);
        return true;
    }
    size_t mark = ctx_path_key(c, key);
    bool ok = parse_value(c, node, min_length, max_length, out);
    ctx_path_restore(c, mark);
    return ok;
}

void value_free(scenario_value *v) {
    free(v->bytes);
    memset(v, 0, sizeof *v);
}
