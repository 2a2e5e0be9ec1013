/* Steps of the TDBStore-shaped store (engine type "tdb"): tdb_set, tdb_get, tdb_info, tdb_remove,
 * tdb_reset, the incremental set (tdb_set_start, tdb_set_add, tdb_set_finalize, tdb_set_abort),
 * tdb_iter (with an optional set between two of its steps), tdb_reserved_set and
 * tdb_reserved_get: their fields, creation flags by name or number, and tdb_info's expectation. */
#include "scenario_internal.h"

#include <stdio.h>
#include <string.h>

static const scenario_name flag_names[] = {{"none", 0}, {"write_once", SCENARIO_TDB_WRITE_ONCE}};

static const scenario_name set_fields[] = {
    {"key", FIELD_REQUIRED}, {"value", FIELD_REQUIRED}, {"flags", FIELD_OPTIONAL}};
static const scenario_name get_fields[] = {
    {"key", FIELD_REQUIRED}, {"offset", FIELD_OPTIONAL}, {"size", FIELD_OPTIONAL}};
static const scenario_name key_fields[] = {{"key", FIELD_REQUIRED}};
static const scenario_name start_fields[] = {
    {"key", FIELD_REQUIRED}, {"size", FIELD_REQUIRED}, {"flags", FIELD_OPTIONAL}};
static const scenario_name value_fields[] = {{"value", FIELD_REQUIRED}};
static const scenario_name iter_fields[] = {{"prefix", FIELD_OPTIONAL}, {"set", FIELD_OPTIONAL}};
static const scenario_name iter_set_fields[] = {{"after", FIELD_REQUIRED},
                                                {"key", FIELD_REQUIRED},
                                                {"value", FIELD_REQUIRED},
                                                {"flags", FIELD_OPTIONAL}};
static const scenario_name info_fields[] = {{"size", FIELD_REQUIRED}, {"flags", FIELD_OPTIONAL}};

/* `key` of obj: creation flags, a name of flag_names or any 32-bit number (other bits are the
 * engine's to refuse with inval). Absent: 0. */
static bool field_flags(scenario_ctx *c, const pjson_node *obj, const char *key, uint32_t *out) {
    const pjson_node *node = pjson_get(obj, key);
    *out = 0;
    if (!node) return true;
    size_t mark = ctx_path_key(c, key);
    bool ok;
    if (node->type == PJSON_NUMBER) {
        uint64_t bits = 0;
        ok = node_u64(c, node, 0, UINT32_MAX, &bits);
        *out = (uint32_t)bits;
    } else {
        int bits = 0;
        ok = node_name(c, node, "creation flag", flag_names, NAME_COUNT(flag_names), &bits);
        *out = (uint32_t)bits;
    }
    ctx_path_restore(c, mark);
    return ok;
}

static bool parse_iter_set(scenario_ctx *c, const pjson_node *set, scenario_tdb_args *a) {
    if (!check_object(c, set, "'set'", iter_set_fields, NAME_COUNT(iter_set_fields))) return false;
    a->has_set = true;
    bool ok = field_u32(c, set, "after", 0, UINT32_MAX, 0, &a->set_after);
    ok &= field_value(c, set, "key", 0, SCENARIO_TDB_KEY_MAX, &a->set_key);
    ok &= field_value(c, set, "value", 0, SCENARIO_MAX_VALUE_BYTES, &a->value);
    ok &= field_flags(c, set, "flags", &a->flags);
    return ok;
}

bool parse_tdb_step(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    scenario_tdb_args *a = &step->args.tdb;
    const scenario_name *fields = NULL;
    size_t count = 0;
    switch (step->op) {
    case SCENARIO_OP_TDB_SET: fields = set_fields, count = NAME_COUNT(set_fields); break;
    case SCENARIO_OP_TDB_GET: fields = get_fields, count = NAME_COUNT(get_fields); break;
    case SCENARIO_OP_TDB_INFO:
    case SCENARIO_OP_TDB_REMOVE: fields = key_fields, count = NAME_COUNT(key_fields); break;
    case SCENARIO_OP_TDB_SET_START: fields = start_fields, count = NAME_COUNT(start_fields); break;
    case SCENARIO_OP_TDB_SET_ADD:
    case SCENARIO_OP_TDB_RESERVED_SET:
        fields = value_fields, count = NAME_COUNT(value_fields);
        break;
    case SCENARIO_OP_TDB_ITER: fields = iter_fields, count = NAME_COUNT(iter_fields); break;
    default: break; /* no arguments: {} */
    }
    char what[40];
    snprintf(what, sizeof what, "'%s'", scenario_op_name(step->op));
    if (!check_object(c, args, what, fields, count)) return false;
    bool ok = field_value(c, args, "key", 0, SCENARIO_TDB_KEY_MAX, &a->key);
    if (step->op == SCENARIO_OP_TDB_ITER)
        ok &= field_value(c, args, "prefix", 0, SCENARIO_TDB_KEY_MAX, &a->key);
    ok &= field_value(c, args, "value", 0, SCENARIO_MAX_VALUE_BYTES, &a->value);
    ok &= field_flags(c, args, "flags", &a->flags);
    ok &= field_u32(c, args, "offset", 0, UINT32_MAX, 0, &a->offset);
    a->has_size = pjson_get(args, "size") != NULL;
    ok &= field_u32(c, args, "size", 0, SCENARIO_MAX_VALUE_BYTES, 0, &a->size);
    const pjson_node *set = pjson_get(args, "set");
    if (set) {
        size_t mark = ctx_path_key(c, "set");
        ok &= parse_iter_set(c, set, a);
        ctx_path_restore(c, mark);
    }
    return ok;
}

bool parse_tdb_info_expect(scenario_ctx *c, const pjson_node *node, scenario_expect *e) {
    if (!check_object(c, node, "tdb_info's value {\"size\": N, \"flags\": F}", info_fields,
                      NAME_COUNT(info_fields)))
        return false;
    bool ok = field_u32(c, node, "size", 0, UINT32_MAX, 0, &e->tdb_info.size);
    return ok && field_flags(c, node, "flags", &e->tdb_info.flags);
}

void tdb_args_free(scenario_tdb_args *a) {
    value_free(&a->key);
    value_free(&a->value);
    value_free(&a->set_key);
}
