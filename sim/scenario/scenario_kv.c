/* Key-value domain steps (kv_open, kv_close, kv_read, kv_write, kv_delete, kv_keys): their
 * fields, the format names, and values checked against their format (an integer must fit it:
 * 300 is no uint8). */
#include "scenario_internal.h"

#include <stdio.h>
#include <string.h>

/* In scenario_kv_format order, from SCENARIO_KV_BUFFER; the integer forms of scenario values. */
static const scenario_name kv_format_names[] = {
    {"buffer", SCENARIO_KV_BUFFER}, {"string", SCENARIO_KV_STRING}, {"uint8", SCENARIO_KV_UINT8},
    {"int8", SCENARIO_KV_INT8},     {"uint16", SCENARIO_KV_UINT16}, {"int16", SCENARIO_KV_INT16},
    {"uint32", SCENARIO_KV_UINT32}, {"int32", SCENARIO_KV_INT32},   {"uint64", SCENARIO_KV_UINT64},
    {"int64", SCENARIO_KV_INT64},
};
static const char *const integer_forms[] = {"u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64"};

const char *scenario_kv_format_name(scenario_kv_format format) {
    size_t index = (size_t)format - SCENARIO_KV_BUFFER;
    return index < NAME_COUNT(kv_format_names) ? kv_format_names[index].name : "?";
}

static const scenario_name mode_names[] = {{"r", 0}, {"r+", 1}};

static const scenario_name open_fields[] = {{"domain", FIELD_REQUIRED}, {"mode", FIELD_OPTIONAL}};
static const scenario_name domain_fields[] = {{"domain", FIELD_REQUIRED}};
static const scenario_name read_fields[] = {
    {"domain", FIELD_REQUIRED}, {"key", FIELD_REQUIRED}, {"format", FIELD_REQUIRED}};
static const scenario_name write_fields[] = {{"domain", FIELD_REQUIRED},
                                             {"key", FIELD_REQUIRED},
                                             {"value", FIELD_REQUIRED},
                                             {"format", FIELD_REQUIRED}};
static const scenario_name delete_fields[] = {{"domain", FIELD_REQUIRED}, {"key", FIELD_REQUIRED}};

bool parse_kv_value(scenario_ctx *c, const pjson_node *node, scenario_kv_format format,
                    scenario_value *out) {
    if (format == SCENARIO_KV_BUFFER || format == SCENARIO_KV_STRING)
        return parse_value(c, node, 0, SCENARIO_MAX_VALUE_BYTES, out);
    if (node->type != PJSON_NUMBER) {
        char expected[64];
        snprintf(expected, sizeof expected, "an integer (the format is %s)",
                 scenario_kv_format_name(format));
        report_type(c, node, expected);
        return false;
    }
    return parse_integer_form(c, node, integer_forms[format - SCENARIO_KV_UINT8], out);
}

bool parse_kv_step(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    scenario_kv_args *a = &step->args.kv;
    const scenario_name *fields = domain_fields;
    size_t count = NAME_COUNT(domain_fields);
    switch (step->op) {
    case SCENARIO_OP_KV_OPEN: fields = open_fields, count = NAME_COUNT(open_fields); break;
    case SCENARIO_OP_KV_READ: fields = read_fields, count = NAME_COUNT(read_fields); break;
    case SCENARIO_OP_KV_WRITE: fields = write_fields, count = NAME_COUNT(write_fields); break;
    case SCENARIO_OP_KV_DELETE: fields = delete_fields, count = NAME_COUNT(delete_fields); break;
    default: break;
    }
    char what[32];
    snprintf(what, sizeof what, "'%s'", scenario_op_name(step->op));
    if (!check_object(c, args, what, fields, count)) return false;
    bool ok = field_value(c, args, "domain", 0, SCENARIO_KV_NAME_MAX, &a->domain);
    if (pjson_get(args, "key")) ok &= field_value(c, args, "key", 0, SCENARIO_KV_NAME_MAX, &a->key);
    int mode = 1, format = SCENARIO_KV_BUFFER;
    ok &= field_open_mode(c, args, "domain mode", mode_names, NAME_COUNT(mode_names), 1, &mode);
    a->writable = mode == 1;
    bool format_ok = field_name(c, args, "format", "value format", kv_format_names,
                                NAME_COUNT(kv_format_names), SCENARIO_KV_BUFFER, &format);
    a->format = (scenario_kv_format)format;
    const pjson_node *value = pjson_get(args, "value");
    if (format_ok && value) {
        size_t mark = ctx_path_key(c, "value");
        ok &= parse_kv_value(c, value, a->format, &a->value);
        ctx_path_restore(c, mark);
    }
    return ok && format_ok;
}

void kv_args_free(scenario_kv_args *a) {
    value_free(&a->domain);
    value_free(&a->key);
    value_free(&a->value);
}
