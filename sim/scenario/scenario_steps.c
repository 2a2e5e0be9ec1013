/* Steps: each a JSON object with exactly one operation key (whose value holds the operation's
 * arguments), an optional "expect" and an optional "comment". Checks every operation's
 * arguments, that the engine provides it, and that its expectation fits what it returns. */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TIMES 1000000000u /* repeat counts and workload lengths */

typedef bool (*args_parser)(scenario_ctx *c, const pjson_node *args, scenario_step *step);

typedef struct op_spec {
    const char *name;
    scenario_op op;
    unsigned needs;    /* SCENARIO_CAN_*, one of which the engine must provide (0: any engine) */
    bool takes_expect; /* an engine call: "expect": {"error": ...} allowed */
    scenario_expect_kind value_kind; /* what "expect": {"value": ...} is, NONE if not allowed */
    bool absent_ok, items_ok;
    args_parser parse;
    const scenario_name *fields; /* for check_object; NULL: the parser checks its argument */
    size_t field_count;
} op_spec;

/* ---- argument parsers ------------------------------------------------------------------ */

/* Exactly one of two alternative fields; `a_help`/`b_help` say what each means. */
static bool exactly_one_of(scenario_ctx *c, const pjson_node *args, const char *a,
                           const char *a_help, const char *b, const char *b_help) {
    bool has_a = pjson_get(args, a) != NULL, has_b = pjson_get(args, b) != NULL;
    if (has_a != has_b) return true;
    ctx_report(c, args->pos, "give one of '%s' (%s) or '%s' (%s)%s", a, a_help, b, b_help,
               has_a ? ", not both" : "");
    return false;
}

bool parse_no_args(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    if (args->type == PJSON_OBJECT && args->count == 0) return true;
    char expected[64];
    snprintf(expected, sizeof expected, "{} ('%s' takes no arguments)", scenario_op_name(step->op));
    report_type(c, args, expected);
    return false;
}

static bool parse_mount(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    return field_bool(c, args, "read_only", false, &step->args.read_only);
}

static bool parse_item(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    scenario_item_args *a = &step->args.item;
    bool ok = field_value(c, args, "key", 1, SCENARIO_KEY_MAX, &a->key);
    ok &= field_value(c, args, "value", 0, SCENARIO_MAX_VALUE_BYTES, &a->value);
    a->has_capacity = pjson_get(args, "capacity") != NULL;
    ok &= field_u32(c, args, "capacity", 0, SCENARIO_MAX_VALUE_BYTES, 0, &a->capacity);
    ok &= field_bool(c, args, "drop_oldest", false, &a->drop_oldest);
    return ok;
}

static bool parse_iterate(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    const pjson_node *pop = pjson_get(args, "pop");
    if (!pop) return true;
    size_t mark = ctx_path_key(c, "pop");
    bool ok = true;
    if (c->engine_ok && !(c->sc->engine.capabilities & SCENARIO_CAN_QUEUE)) {
        ctx_report(c, pop->pos, "popping while iterating needs a queue engine; this engine is '%s'",
                   c->sc->engine.type);
        ok = false;
    } else if (pop->type != PJSON_ARRAY) {
        report_type(c, pop, "an array of entry positions (integers, ascending)");
        ok = false;
    } else if (pop->count) {
        scenario_iterate_args *a = &step->args.iterate;
        a->pop_at = calloc(pop->count, sizeof *a->pop_at);
        if (!a->pop_at) {
            ctx_out_of_memory(c);
            ok = false;
        }
        for (size_t i = 0; ok && i < pop->count; i++) {
            size_t item_mark = ctx_path_index(c, i);
            uint64_t v;
            ok = node_u64(c, pop->items[i], 0, UINT32_MAX, &v);
            if (ok && i > 0 && v <= a->pop_at[i - 1]) {
                ctx_report(c, pop->items[i]->pos,
                           "%llu is not after %u; expected ascending positions",
                           (unsigned long long)v, (unsigned)a->pop_at[i - 1]);
                ok = false;
            }
            if (ok) a->pop_at[a->pop_count++] = (uint32_t)v;
            ctx_path_restore(c, item_mark);
        }
    }
    ctx_path_restore(c, mark);
    return ok;
}

static bool parse_repeat(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    bool ok = field_u64(c, args, "times", 1, MAX_TIMES, 1, &step->args.repeat.times);
    size_t mark = ctx_path_key(c, "steps");
    ok &= parse_steps(c, pjson_get(args, "steps"), &step->args.repeat.steps);
    ctx_path_restore(c, mark);
    return ok;
}

static const scenario_name mix_names[] = {
    {"store", SCENARIO_MIX_STORE}, {"fetch", SCENARIO_MIX_FETCH}, {"remove", SCENARIO_MIX_REMOVE},
    {"has", SCENARIO_MIX_HAS},     {"push", SCENARIO_MIX_PUSH},   {"peek", SCENARIO_MIX_PEEK},
    {"pop", SCENARIO_MIX_POP},
};

static unsigned mix_needs(scenario_mix_op op) {
    return op >= SCENARIO_MIX_PUSH ? SCENARIO_CAN_QUEUE : SCENARIO_CAN_MAP;
}

static bool parse_mix(scenario_ctx *c, const pjson_node *mix, scenario_random_ops_args *a) {
    if (!check_keys(c, mix, "'mix'", mix_names, NAME_COUNT(mix_names))) return false;
    uint64_t sum = 0;
    for (size_t i = 0; i < mix->count; i++) {
        const pjson_member *m = &mix->members[i];
        int op = find_name(m->key, m->key_length, mix_names, NAME_COUNT(mix_names))->value;
        if (c->engine_ok && (mix_needs((scenario_mix_op)op) & ~c->sc->engine.capabilities)) {
            ctx_report(c, m->key_pos, "'%s' needs a %s engine; this engine is '%s'", m->key,
                       mix_needs((scenario_mix_op)op) == SCENARIO_CAN_MAP ? "map" : "queue",
                       c->sc->engine.type);
            return false;
        }
        if (!field_u32(c, mix, m->key, 0, 1000000, 0, &a->weights[op])) return false;
        sum += a->weights[op];
    }
    if (sum == 0) {
        ctx_report(c, mix->pos, "every weight is 0; expected at least one positive weight");
        return false;
    }
    return true;
}

static bool parse_random_ops(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    scenario_random_ops_args *a = &step->args.random_ops;
    bool ok = field_u64(c, args, "ops", 1, MAX_TIMES, 1, &a->ops);
    ok &= field_u32(c, args, "keys", 1, 1000000, 16, &a->keys);
    ok &= field_duration(c, args, "every", 0, &a->every_us);
    snprintf(a->key_prefix, sizeof a->key_prefix, "k");
    const pjson_node *prefix = pjson_get(args, "key_prefix");
    if (prefix) {
        size_t mark = ctx_path_key(c, "key_prefix");
        if (prefix->type != PJSON_STRING) {
            report_type(c, prefix, "a string of at most 16 bytes");
            ok = false;
        } else if (prefix->length > 16 || strlen(prefix->string) != prefix->length) {
            ctx_report(c, prefix->pos, "expected a key prefix of at most 16 bytes, got %zu",
                       prefix->length);
            ok = false;
        } else {
            memcpy(a->key_prefix, prefix->string, prefix->length + 1);
        }
        ctx_path_restore(c, mark);
    }
    ok &= field_range(c, args, "value_size", (scenario_range){1, 32}, &a->value_size);
    const pjson_node *mix = pjson_get(args, "mix");
    if (mix) {
        size_t mark = ctx_path_key(c, "mix");
        ok &= parse_mix(c, mix, a);
        ctx_path_restore(c, mark);
    } else if (c->engine_ok && (c->sc->engine.capabilities & SCENARIO_CAN_MAP)) {
        a->weights[SCENARIO_MIX_STORE] = 50, a->weights[SCENARIO_MIX_FETCH] = 30;
        a->weights[SCENARIO_MIX_REMOVE] = 10, a->weights[SCENARIO_MIX_HAS] = 10;
    } else {
        a->weights[SCENARIO_MIX_PUSH] = 50, a->weights[SCENARIO_MIX_POP] = 40;
        a->weights[SCENARIO_MIX_PEEK] = 10;
    }
    return ok;
}

static bool parse_config_updates(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    scenario_config_updates_args *a = &step->args.config_updates;
    uint64_t duration = 0;
    bool ok = field_value(c, args, "key", 1, SCENARIO_KEY_MAX, &a->key);
    ok &= field_duration(c, args, "every", 0, &a->every_us);
    ok &= field_u64(c, args, "count", 1, MAX_TIMES, 0, &a->count);
    ok &= field_duration(c, args, "for", 0, &duration);
    ok &= field_range(c, args, "value_size", (scenario_range){4, 32}, &a->value_size);
    if (!ok) return false;
    if (a->every_us == 0) {
        size_t mark = ctx_path_key(c, "every");
        ctx_report(c, pjson_get(args, "every")->pos, "expected a duration above 0");
        ctx_path_restore(c, mark);
        return false;
    }
    const pjson_node *for_node = pjson_get(args, "for");
    if (!exactly_one_of(c, args, "count", "updates", "for", "a duration")) return false;
    if (for_node) {
        a->count = duration / a->every_us;
        if (a->count == 0 || a->count > MAX_TIMES) {
            size_t mark = ctx_path_key(c, "for");
            ctx_report(c, for_node->pos, "gives %llu updates; expected 1..%u",
                       (unsigned long long)a->count, MAX_TIMES);
            ctx_path_restore(c, mark);
            return false;
        }
    }
    return true;
}

static bool parse_log_appends(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    scenario_log_appends_args *a = &step->args.log_appends;
    bool ok = field_u64(c, args, "count", 1, MAX_TIMES, 1, &a->count);
    ok &= field_duration(c, args, "every", 0, &a->every_us);
    ok &= field_bool(c, args, "drop_oldest", false, &a->drop_oldest);
    ok &= field_range(c, args, "size", (scenario_range){0, 0}, &a->size); /* required */
    return ok;
}

static bool parse_sleep(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    return node_duration(c, args, &step->args.sleep_us);
}

static bool parse_power_cut(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    scenario_power_cut_args *a = &step->args.power_cut;
    bool ok = field_u64(c, args, "after_ops", 0, UINT64_C(1) << 62, 0, &a->after_ops);
    ok &= field_torn_modes(c, args, &a->torn_program, &a->torn_erase);
    static const char *const triggers[] = {"after_ops", "at", "in"};
    const char *given = NULL;
    for (int i = 0; i < 3; i++) {
        const pjson_node *node = pjson_get(args, triggers[i]);
        if (!node) continue;
        if (given) {
            ctx_report(c, node->pos, "a power cut has one trigger, got both '%s' and '%s'", given,
                       triggers[i]);
            return false;
        }
        given = triggers[i];
        a->trigger = (scenario_cut_trigger)(SCENARIO_CUT_AFTER_OPS + i);
        if (i > 0) ok &= field_duration(c, args, triggers[i], 0, &a->time_us);
    }
    return ok;
}

static bool check_address(scenario_ctx *c, const pjson_node *args, const char *key,
                          uint32_t address, uint32_t length) {
    uint32_t total = flash_total_bytes(&c->sc->flash);
    if (!c->flash_ok || (uint64_t)address + length <= total) return true;
    size_t mark = ctx_path_key(c, key);
    pjson_pos pos = pjson_get(args, key)->pos;
    if (length > 1 && address < total)
        ctx_report(c, pos, "%u bytes at %u run past the end of the flash (%u bytes)",
                   (unsigned)length, (unsigned)address, (unsigned)total);
    else
        ctx_report(c, pos, "%u is past the end of the flash; expected an address below %u",
                   (unsigned)address, (unsigned)total);
    ctx_path_restore(c, mark);
    return false;
}

static bool parse_flip_bit(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    scenario_flip_bit_args *a = &step->args.flip_bit;
    uint32_t bit;
    bool ok = field_u32(c, args, "address", 0, UINT32_MAX, 0, &a->address);
    ok &= field_u32(c, args, "bit", 0, 7, 0, &bit);
    a->bit = bit;
    return ok && check_address(c, args, "address", a->address, 1);
}

static bool parse_corrupt(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    scenario_corrupt_args *a = &step->args.corrupt;
    uint32_t length;
    bool ok = field_u32(c, args, "address", 0, UINT32_MAX, 0, &a->address);
    ok &= field_u32(c, args, "length", 1, SCENARIO_MAX_VALUE_BYTES, 0, &length);
    ok &= field_value(c, args, "value", 1, SCENARIO_MAX_VALUE_BYTES, &a->value);
    if (!ok) return false;
    if (!exactly_one_of(c, args, "length", "random bytes", "value", "these bytes")) return false;
    if (pjson_get(args, "length"))
        a->value = (scenario_value){.kind = SCENARIO_VALUE_RANDOM, .length = length};
    return check_address(c, args, "address", a->address, a->value.length);
}

static bool parse_erase_sector(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    scenario_erase_sector_args *a = &step->args.erase_sector;
    const pjson_node *sector = pjson_get(args, "sector"), *address = pjson_get(args, "address");
    bool ok = field_u32(c, args, "sector", 0, UINT32_MAX, 0, &a->sector);
    ok &= field_u32(c, args, "address", 0, UINT32_MAX, 0, &a->address);
    if (!ok) return false;
    if (!exactly_one_of(c, args, "sector", "an index", "address", "its first byte")) return false;
    if (!c->flash_ok) return true;
    const nor_config *cfg = &c->sc->flash;
    uint32_t index, start, size, sectors = 0;
    for (uint32_t r = 0; r < cfg->region_count; r++) sectors += cfg->regions[r].count;
    size_t mark = ctx_path_key(c, sector ? "sector" : "address");
    if (sector) {
        ok = a->sector < sectors;
        if (!ok)
            ctx_report(c, sector->pos, "%u is out of range; expected 0..%u", (unsigned)a->sector,
                       (unsigned)sectors - 1);
        /* Find the sector's address by walking up from 0. */
        for (uint32_t addr = 0; ok && flash_sector_at(cfg, addr, &index, &start, &size);
             addr = start + size)
            if (index == a->sector) {
                a->address = start;
                break;
            }
    } else if (!flash_sector_at(cfg, a->address, &index, &start, &size) || start != a->address) {
        ctx_report(c, address->pos, "%u is not the start of a sector", (unsigned)a->address);
        ok = false;
    } else {
        a->sector = index;
    }
    ctx_path_restore(c, mark);
    return ok;
}

static bool parse_stat_bound(scenario_ctx *c, const pjson_node *node, scenario_stat stat,
                             uint64_t *out) {
    if (stat == SCENARIO_STAT_TIME) return node_duration(c, node, out);
    return node_u64(c, node, 0, UINT64_MAX, out);
}

static bool add_stat_check(scenario_ctx *c, scenario_stats_args *a, scenario_stat stat,
                           scenario_compare cmp, const pjson_node *bound) {
    scenario_stat_check *grown = realloc(a->checks, (a->count + 1) * sizeof *grown);
    if (!grown) {
        ctx_out_of_memory(c);
        return false;
    }
    a->checks = grown;
    scenario_stat_check *check = &a->checks[a->count];
    *check = (scenario_stat_check){stat, cmp, 0, bound->pos.line, bound->pos.column};
    if (!parse_stat_bound(c, bound, stat, &check->value)) return false;
    a->count++;
    return true;
}

static bool parse_expect_stats(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    scenario_stats_args *a = &step->args.stats;
    if (!check_keys(c, args, "'expect_stats'", scenario_stat_names, SCENARIO_STAT_KIND_COUNT))
        return false;
    if (args->count == 0) {
        ctx_report(c, args->pos,
                   "expected at least one statistic, e.g. {\"erase_max\": {\"<=\": 10}}");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < args->count; i++) {
        const pjson_member *m = &args->members[i];
        scenario_stat stat = (scenario_stat)find_name(m->key, m->key_length, scenario_stat_names,
                                                      SCENARIO_STAT_KIND_COUNT)
                                 ->value;
        size_t mark = ctx_path_key(c, m->key);
        const pjson_node *v = m->value;
        /* A bound on refusals of an operation the engine never makes would always hold. */
        unsigned needs = stat == SCENARIO_STAT_REFUSED_STORE  ? SCENARIO_CAN_MAP
                         : stat == SCENARIO_STAT_REFUSED_PUSH ? SCENARIO_CAN_QUEUE
                                                              : 0;
        if (c->engine_ok && needs & ~c->sc->engine.capabilities) {
            ctx_report(c, m->key_pos,
                       "'%s' counts refused %s, which this scenario's '%s' engine never makes; "
                       "expected '%s' or 'refused'",
                       scenario_stat_name(stat), needs == SCENARIO_CAN_MAP ? "stores" : "pushes",
                       c->sc->engine.type,
                       needs == SCENARIO_CAN_MAP ? "refused_push" : "refused_store");
            ok = false;
        } else if (v->type != PJSON_OBJECT) {
            ok &= add_stat_check(c, a, stat, SCENARIO_CMP_EQ, v);
        } else if (!check_keys(c, v, "a comparison", scenario_compare_names, 6)) {
            ok = false;
        } else if (v->count == 0) {
            ctx_report(c, v->pos, "expected at least one comparison: ==, !=, <, <=, >, >=");
            ok = false;
        } else {
            for (size_t j = 0; j < v->count; j++) {
                const pjson_member *cm = &v->members[j];
                int cmp = find_name(cm->key, cm->key_length, scenario_compare_names, 6)->value;
                size_t cmp_mark = ctx_path_key(c, cm->key);
                ok &= add_stat_check(c, a, stat, (scenario_compare)cmp, cm->value);
                ctx_path_restore(c, cmp_mark);
            }
        }
        ctx_path_restore(c, mark);
    }
    return ok;
}

/* ---- the operation table --------------------------------------------------------------- */

#define FIELDS(table) table, NAME_COUNT(table)
static const scenario_name store_fields[] = {{"key", FIELD_REQUIRED}, {"value", FIELD_REQUIRED}};
static const scenario_name fetch_fields[] = {{"key", FIELD_REQUIRED}, {"capacity", FIELD_OPTIONAL}};
static const scenario_name key_fields[] = {{"key", FIELD_REQUIRED}};
static const scenario_name iterate_fields[] = {{"pop", FIELD_OPTIONAL}};
static const scenario_name push_fields[] = {{"value", FIELD_REQUIRED},
                                            {"drop_oldest", FIELD_OPTIONAL}};
static const scenario_name read_fields[] = {{"capacity", FIELD_OPTIONAL}};
static const scenario_name repeat_fields[] = {{"times", FIELD_REQUIRED}, {"steps", FIELD_REQUIRED}};
static const scenario_name random_ops_fields[] = {
    {"ops", FIELD_REQUIRED},        {"keys", FIELD_OPTIONAL}, {"key_prefix", FIELD_OPTIONAL},
    {"value_size", FIELD_OPTIONAL}, {"mix", FIELD_OPTIONAL},  {"every", FIELD_OPTIONAL}};
static const scenario_name config_updates_fields[] = {{"key", FIELD_REQUIRED},
                                                      {"every", FIELD_REQUIRED},
                                                      {"count", FIELD_OPTIONAL},
                                                      {"for", FIELD_OPTIONAL},
                                                      {"value_size", FIELD_OPTIONAL}};
static const scenario_name log_appends_fields[] = {{"count", FIELD_REQUIRED},
                                                   {"size", FIELD_REQUIRED},
                                                   {"every", FIELD_OPTIONAL},
                                                   {"drop_oldest", FIELD_OPTIONAL}};
static const scenario_name power_cut_fields[] = {{"after_ops", FIELD_OPTIONAL},
                                                 {"at", FIELD_OPTIONAL},
                                                 {"in", FIELD_OPTIONAL},
                                                 {"torn_program", FIELD_OPTIONAL},
                                                 {"torn_erase", FIELD_OPTIONAL}};
static const scenario_name mount_fields[] = {{"read_only", FIELD_OPTIONAL}};
static const scenario_name flip_bit_fields[] = {{"address", FIELD_REQUIRED},
                                                {"bit", FIELD_REQUIRED}};
static const scenario_name corrupt_fields[] = {
    {"address", FIELD_REQUIRED}, {"length", FIELD_OPTIONAL}, {"value", FIELD_OPTIONAL}};
static const scenario_name erase_sector_fields[] = {{"sector", FIELD_OPTIONAL},
                                                    {"address", FIELD_OPTIONAL}};

enum {
    MAP = SCENARIO_CAN_MAP,
    QUEUE = SCENARIO_CAN_QUEUE,
    KV = SCENARIO_CAN_KV,
    KVMAP = SCENARIO_CAN_KVMAP,
    TDB = SCENARIO_CAN_TDB,
    FS = SCENARIO_CAN_FS
};
#define NONE  SCENARIO_EXPECT_NONE
#define BYTES SCENARIO_EXPECT_BYTES

/* In scenario_op order. */
static const op_spec op_specs[] = {
    {"store", SCENARIO_OP_STORE, MAP, true, NONE, false, false, parse_item, FIELDS(store_fields)},
    {"fetch", SCENARIO_OP_FETCH, MAP, true, BYTES, true, false, parse_item, FIELDS(fetch_fields)},
    {"remove", SCENARIO_OP_REMOVE, MAP, true, NONE, false, false, parse_item, FIELDS(key_fields)},
    {"remove_all", SCENARIO_OP_REMOVE_ALL, MAP, true, NONE, false, false, parse_no_args, NULL, 0},
    {"has", SCENARIO_OP_HAS, MAP, true, SCENARIO_EXPECT_BOOL, true, false, parse_item,
     FIELDS(key_fields)},
    {"txn", SCENARIO_OP_TXN, MAP | KV, true, NONE, false, false, scenario_parse_txn, NULL, 0},
    {"count", SCENARIO_OP_COUNT, MAP | QUEUE, true, SCENARIO_EXPECT_NUMBER, false, false,
     parse_no_args, NULL, 0},
    {"iterate", SCENARIO_OP_ITERATE, MAP | QUEUE, true, NONE, false, true, parse_iterate,
     FIELDS(iterate_fields)},
    {"erase_all", SCENARIO_OP_ERASE_ALL, 0, true, NONE, false, false, parse_no_args, NULL, 0},
    {"push", SCENARIO_OP_PUSH, QUEUE, true, NONE, false, false, parse_item, FIELDS(push_fields)},
    {"peek", SCENARIO_OP_PEEK, QUEUE, true, BYTES, true, false, parse_item, FIELDS(read_fields)},
    {"pop", SCENARIO_OP_POP, QUEUE, true, BYTES, true, false, parse_item, FIELDS(read_fields)},
    {"repeat", SCENARIO_OP_REPEAT, 0, false, NONE, false, false, parse_repeat,
     FIELDS(repeat_fields)},
    {"random_ops", SCENARIO_OP_RANDOM_OPS, MAP | QUEUE, false, NONE, false, false, parse_random_ops,
     FIELDS(random_ops_fields)},
    {"config_updates", SCENARIO_OP_CONFIG_UPDATES, MAP, false, NONE, false, false,
     parse_config_updates, FIELDS(config_updates_fields)},
    {"log_appends", SCENARIO_OP_LOG_APPENDS, QUEUE, false, NONE, false, false, parse_log_appends,
     FIELDS(log_appends_fields)},
    {"sleep", SCENARIO_OP_SLEEP, 0, false, NONE, false, false, parse_sleep, NULL, 0},
    {"power_cut", SCENARIO_OP_POWER_CUT, 0, false, NONE, false, false, parse_power_cut,
     FIELDS(power_cut_fields)},
    {"power_on", SCENARIO_OP_POWER_ON, 0, true, NONE, false, false, parse_mount,
     FIELDS(mount_fields)},
    {"reboot", SCENARIO_OP_REBOOT, 0, true, NONE, false, false, parse_mount, FIELDS(mount_fields)},
    {"flip_bit", SCENARIO_OP_FLIP_BIT, MAP | QUEUE, false, NONE, false, false, parse_flip_bit,
     FIELDS(flip_bit_fields)},
    {"corrupt", SCENARIO_OP_CORRUPT, MAP | QUEUE, false, NONE, false, false, parse_corrupt,
     FIELDS(corrupt_fields)},
    {"erase_sector", SCENARIO_OP_ERASE_SECTOR, MAP | QUEUE, false, NONE, false, false,
     parse_erase_sector, FIELDS(erase_sector_fields)},
    {"expect_stats", SCENARIO_OP_EXPECT_STATS, 0, false, NONE, false, false, parse_expect_stats,
     NULL, 0},
    {"check", SCENARIO_OP_CHECK, 0, false, NONE, false, false, parse_no_args, NULL, 0},
    {"partitions", SCENARIO_OP_PARTITIONS, 0, true, SCENARIO_EXPECT_NAMES, false, false,
     parse_no_args, NULL, 0},
    {"raw_open", SCENARIO_OP_RAW_OPEN, 0, true, NONE, false, false, parse_raw_step, NULL, 0},
    {"raw_close", SCENARIO_OP_RAW_CLOSE, 0, false, NONE, false, false, parse_raw_step, NULL, 0},
    {"raw_status", SCENARIO_OP_RAW_STATUS, 0, true, SCENARIO_EXPECT_RAW_STATUS, false, false,
     parse_raw_step, NULL, 0},
    {"raw_read", SCENARIO_OP_RAW_READ, 0, true, BYTES, false, false, parse_raw_step, NULL, 0},
    {"raw_write", SCENARIO_OP_RAW_WRITE, 0, true, NONE, false, false, parse_raw_step, NULL, 0},
    {"raw_erase", SCENARIO_OP_RAW_ERASE, 0, true, NONE, false, false, parse_raw_step, NULL, 0},
    {"kv_open", SCENARIO_OP_KV_OPEN, KV, true, NONE, false, false, parse_kv_step, NULL, 0},
    {"kv_close", SCENARIO_OP_KV_CLOSE, KV, true, NONE, false, false, parse_kv_step, NULL, 0},
    {"kv_read", SCENARIO_OP_KV_READ, KV, true, BYTES, true, false, parse_kv_step, NULL, 0},
    {"kv_write", SCENARIO_OP_KV_WRITE, KV, true, NONE, false, false, parse_kv_step, NULL, 0},
    {"kv_delete", SCENARIO_OP_KV_DELETE, KV, true, SCENARIO_EXPECT_BOOL, false, false,
     parse_kv_step, NULL, 0},
    {"kv_keys", SCENARIO_OP_KV_KEYS, KV, true, NONE, false, true, parse_kv_step, NULL, 0},
    {"map_get", SCENARIO_OP_MAP_GET, KVMAP, true, BYTES, true, false, parse_item,
     FIELDS(fetch_fields)},
    {"map_set", SCENARIO_OP_MAP_SET, KVMAP, true, NONE, false, false, parse_item,
     FIELDS(store_fields)},
    {"map_has", SCENARIO_OP_MAP_HAS, KVMAP, true, SCENARIO_EXPECT_BOOL, false, false, parse_item,
     FIELDS(key_fields)},
    {"map_delete", SCENARIO_OP_MAP_DELETE, KVMAP, true, SCENARIO_EXPECT_BOOL, false, false,
     parse_item, FIELDS(key_fields)},
    {"map_clear", SCENARIO_OP_MAP_CLEAR, KVMAP, true, NONE, false, false, parse_no_args, NULL, 0},
    {"map_size", SCENARIO_OP_MAP_SIZE, KVMAP, true, SCENARIO_EXPECT_NUMBER, false, false,
     parse_no_args, NULL, 0},
    {"map_keys", SCENARIO_OP_MAP_KEYS, KVMAP, true, NONE, false, true, parse_no_args, NULL, 0},
    {"map_values", SCENARIO_OP_MAP_VALUES, KVMAP, true, NONE, false, true, parse_no_args, NULL, 0},
    {"map_entries", SCENARIO_OP_MAP_ENTRIES, KVMAP, true, NONE, false, true, parse_no_args, NULL,
     0},
    {"map_flush", SCENARIO_OP_MAP_FLUSH, KVMAP, true, NONE, false, false, parse_no_args, NULL, 0},
    {"update_open", SCENARIO_OP_UPDATE_OPEN, 0, true, NONE, false, false, parse_update_step, NULL,
     0},
    {"update_write", SCENARIO_OP_UPDATE_WRITE, 0, true, NONE, false, false, parse_update_step, NULL,
     0},
    {"update_complete", SCENARIO_OP_UPDATE_COMPLETE, 0, true, NONE, false, false, parse_update_step,
     NULL, 0},
    {"update_close", SCENARIO_OP_UPDATE_CLOSE, 0, false, NONE, false, false, parse_update_step,
     NULL, 0},
    {"boot", SCENARIO_OP_BOOT, 0, true, NONE, false, false, parse_update_step, NULL, 0},
    {"confirm", SCENARIO_OP_CONFIRM, 0, true, NONE, false, false, parse_update_step, NULL, 0},
    {"expect_image", SCENARIO_OP_EXPECT_IMAGE, 0, false, NONE, false, false, parse_update_step,
     NULL, 0},
    {"tdb_set", SCENARIO_OP_TDB_SET, TDB, true, NONE, false, false, parse_tdb_step, NULL, 0},
    {"tdb_get", SCENARIO_OP_TDB_GET, TDB, true, BYTES, true, false, parse_tdb_step, NULL, 0},
    {"tdb_info", SCENARIO_OP_TDB_INFO, TDB, true, SCENARIO_EXPECT_TDB_INFO, true, false,
     parse_tdb_step, NULL, 0},
    {"tdb_remove", SCENARIO_OP_TDB_REMOVE, TDB, true, NONE, false, false, parse_tdb_step, NULL, 0},
    {"tdb_reset", SCENARIO_OP_TDB_RESET, TDB, true, NONE, false, false, parse_no_args, NULL, 0},
    {"tdb_set_start", SCENARIO_OP_TDB_SET_START, TDB, true, NONE, false, false, parse_tdb_step,
     NULL, 0},
    {"tdb_set_add", SCENARIO_OP_TDB_SET_ADD, TDB, true, NONE, false, false, parse_tdb_step, NULL,
     0},
    {"tdb_set_finalize", SCENARIO_OP_TDB_SET_FINALIZE, TDB, true, NONE, false, false, parse_no_args,
     NULL, 0},
    {"tdb_set_abort", SCENARIO_OP_TDB_SET_ABORT, TDB, true, NONE, false, false, parse_no_args, NULL,
     0},
    {"tdb_iter", SCENARIO_OP_TDB_ITER, TDB, true, NONE, false, true, parse_tdb_step, NULL, 0},
    {"tdb_reserved_set", SCENARIO_OP_TDB_RESERVED_SET, TDB, true, NONE, false, false,
     parse_tdb_step, NULL, 0},
    {"tdb_reserved_get", SCENARIO_OP_TDB_RESERVED_GET, TDB, true, BYTES, true, false, parse_no_args,
     NULL, 0},
    {"fs_mkdir", SCENARIO_OP_FS_MKDIR, FS, true, SCENARIO_EXPECT_BOOL, false, false, parse_fs_step,
     NULL, 0},
    {"fs_delete", SCENARIO_OP_FS_DELETE, FS, true, SCENARIO_EXPECT_BOOL, false, false,
     parse_fs_step, NULL, 0},
    {"fs_move", SCENARIO_OP_FS_MOVE, FS, true, NONE, false, false, parse_fs_step, NULL, 0},
    {"fs_status", SCENARIO_OP_FS_STATUS, FS, true, SCENARIO_EXPECT_FS_STATUS, false, false,
     parse_fs_step, NULL, 0},
    {"fs_link", SCENARIO_OP_FS_LINK, FS, true, NONE, false, false, parse_fs_step, NULL, 0},
    {"fs_readlink", SCENARIO_OP_FS_READLINK, FS, true, BYTES, false, false, parse_fs_step, NULL, 0},
    {"fs_scan", SCENARIO_OP_FS_SCAN, FS, true, SCENARIO_EXPECT_FS_ENTRIES, false, false,
     parse_fs_step, NULL, 0},
    {"fs_open", SCENARIO_OP_FS_OPEN, FS, true, NONE, false, false, parse_fs_step, NULL, 0},
    {"fs_read", SCENARIO_OP_FS_READ, FS, true, BYTES, false, false, parse_fs_step, NULL, 0},
    {"fs_write", SCENARIO_OP_FS_WRITE, FS, true, NONE, false, false, parse_fs_step, NULL, 0},
    {"fs_file_status", SCENARIO_OP_FS_FILE_STATUS, FS, true, SCENARIO_EXPECT_FS_STATUS, false,
     false, parse_fs_step, NULL, 0},
    {"fs_set_size", SCENARIO_OP_FS_SET_SIZE, FS, true, NONE, false, false, parse_fs_step, NULL, 0},
    {"fs_flush", SCENARIO_OP_FS_FLUSH, FS, true, NONE, false, false, parse_fs_step, NULL, 0},
    {"fs_close", SCENARIO_OP_FS_CLOSE, FS, false, NONE, false, false, parse_fs_step, NULL, 0},
    {"fs_dir_open", SCENARIO_OP_FS_DIR_OPEN, FS, true, NONE, false, false, parse_fs_step, NULL, 0},
    {"fs_dir_close", SCENARIO_OP_FS_DIR_CLOSE, FS, false, NONE, false, false, parse_fs_step, NULL,
     0},
};
_Static_assert(NAME_COUNT(op_specs) == SCENARIO_OP_KIND_COUNT, "one spec per operation");

const char *scenario_op_name(scenario_op op) {
    return (unsigned)op < SCENARIO_OP_KIND_COUNT ? op_specs[op].name : "?";
}

unsigned scenario_op_needs(scenario_op op) {
    return (unsigned)op < SCENARIO_OP_KIND_COUNT ? op_specs[op].needs : 0;
}

/* Every key a step may have: the operations, then "expect" and "comment". */
typedef struct step_keys {
    scenario_name names[SCENARIO_OP_KIND_COUNT + 2];
} step_keys;

static step_keys make_step_keys(void) {
    step_keys keys;
    for (size_t i = 0; i < SCENARIO_OP_KIND_COUNT; i++)
        keys.names[i] = (scenario_name){op_specs[i].name, FIELD_OPTIONAL};
    keys.names[SCENARIO_OP_KIND_COUNT] = (scenario_name){"expect", FIELD_OPTIONAL};
    keys.names[SCENARIO_OP_KIND_COUNT + 1] = (scenario_name){"comment", FIELD_OPTIONAL};
    return keys;
}

/* The engines an operation runs on, for messages. */
static const char *needs_phrase(unsigned needs) {
    switch (needs) {
    case MAP: return "map";
    case QUEUE: return "queue";
    case KV: return "kv (key-value domains)";
    case KVMAP: return "kvmap (the Map façade)";
    case TDB: return "tdb (TDBStore-shaped store)";
    case FS: return "fs (the file system)";
    case MAP | KV: return "map or kv";
    default: return "map or queue";
    }
}

static const op_spec *find_op_spec(const pjson_member *m) {
    for (size_t i = 0; i < SCENARIO_OP_KIND_COUNT; i++)
        if (strcmp(m->key, op_specs[i].name) == 0) return &op_specs[i];
    return NULL;
}

/* ---- expectations ---------------------------------------------------------------------- */

static const scenario_name expect_fields[] = {{"value", FIELD_OPTIONAL},
                                              {"absent", FIELD_OPTIONAL},
                                              {"error", FIELD_OPTIONAL},
                                              {"items", FIELD_OPTIONAL}};

/* "not_found" or "NBS_E_NOT_FOUND"; a near miss is suggested in the spelling it was given. */
static bool parse_error_name(scenario_ctx *c, const pjson_node *node, int *code) {
    if (node->type != PJSON_STRING) {
        report_type(c, node, "an engine error name such as \"not_found\" or \"NBS_E_NOT_FOUND\"");
        return false;
    }
    if (strlen(node->string) == node->length && scenario_error_code(node->string, code) == 0)
        return true;
    static const char prefix[] = "NBS_E_";
    char lowered[40], suggestion[48], quoted[64];
    if (strncmp(node->string, prefix, sizeof prefix - 1) == 0 && node->length < sizeof lowered) {
        size_t n = 0;
        for (const char *p = node->string + sizeof prefix - 1; *p; p++)
            lowered[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        lowered[n] = '\0';
        const char *near = nearest_name(lowered, scenario_error_names, scenario_error_name_count);
        if (near) {
            size_t k = (size_t)snprintf(suggestion, sizeof suggestion, "%s", prefix);
            for (const char *p = near; *p && k + 1 < sizeof suggestion; p++)
                suggestion[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
            suggestion[k] = '\0';
            quote_for_message(node->string, node->length, quoted, sizeof quoted);
            ctx_report(c, node->pos, "unknown engine error '%s'; did you mean '%s'?", quoted,
                       suggestion);
            return false;
        }
    }
    return node_name(c, node, "engine error", scenario_error_names, scenario_error_name_count,
                     code);
}

static const char *expect_value_phrase(scenario_expect_kind kind) {
    switch (kind) {
    case SCENARIO_EXPECT_NUMBER: return "an integer (the count)";
    case SCENARIO_EXPECT_BOOL: return "true or false";
    default: return "a value";
    }
}

/* `pairs`: map items {"key": ..., "value": ...}; else values (queue entries, map_keys' keys,
 * map_values' values). */
static bool parse_items(scenario_ctx *c, const pjson_node *node, bool pairs, scenario_expect *e) {
    if (node->type != PJSON_ARRAY) {
        report_type(c, node, "an array of items");
        return false;
    }
    bool map = pairs;
    if (node->count) {
        e->items = calloc(node->count, sizeof *e->items);
        if (!e->items) {
            ctx_out_of_memory(c);
            return false;
        }
    }
    static const scenario_name item_fields[] = {{"key", FIELD_REQUIRED}, {"value", FIELD_REQUIRED}};
    bool ok = true;
    for (size_t i = 0; ok && i < node->count; i++) {
        size_t mark = ctx_path_index(c, i);
        scenario_item *item = &e->items[e->item_count++];
        if (!map) {
            ok = parse_value(c, node->items[i], 0, SCENARIO_MAX_VALUE_BYTES, &item->value);
        } else {
            ok = check_object(c, node->items[i], "a map item {\"key\": ..., \"value\": ...}",
                              FIELDS(item_fields)) &&
                 field_value(c, node->items[i], "key", 1, SCENARIO_KEY_MAX, &item->key) &&
                 field_value(c, node->items[i], "value", 0, SCENARIO_MAX_VALUE_BYTES, &item->value);
        }
        ctx_path_restore(c, mark);
    }
    return ok;
}

static bool parse_expect(scenario_ctx *c, const pjson_node *node, const op_spec *spec,
                         scenario_step *step) {
    scenario_expect *e = &step->expect;
    if (!spec->takes_expect) {
        ctx_report(c, node->pos, "'%s' takes no expect", spec->name);
        return false;
    }
    if (!check_object(c, node, "expect", FIELDS(expect_fields))) return false;
    if (node->count != 1) {
        ctx_report(c, node->pos,
                   node->count
                       ? "expect holds one of value, absent, error, items; got %zu of them"
                       : "expect is empty; expected one of value, absent, error, items%.0zu",
                   node->count);
        return false;
    }
    const pjson_member *m = &node->members[0];
    const pjson_node *v = m->value;
    size_t mark = ctx_path_key(c, m->key);
    bool ok = true;
    bool allowed = strcmp(m->key, "error") == 0 ||
                   (strcmp(m->key, "value") == 0 && spec->value_kind != NONE) ||
                   (strcmp(m->key, "absent") == 0 && spec->absent_ok) ||
                   (strcmp(m->key, "items") == 0 && spec->items_ok);
    if (!allowed) {
        ctx_report(c, m->key_pos, "'%s' cannot expect '%s'; expected %s", spec->name, m->key,
                   spec->value_kind != NONE
                       ? (spec->absent_ok ? "value, absent or error" : "value or error")
                   : spec->items_ok ? "items or error"
                                    : "error");
        ok = false;
    } else if (strcmp(m->key, "error") == 0) {
        e->kind = SCENARIO_EXPECT_ERROR;
        ok = parse_error_name(c, v, &e->error);
    } else if (strcmp(m->key, "absent") == 0) {
        e->kind = SCENARIO_EXPECT_ABSENT;
        if (v->type != PJSON_BOOL) {
            report_type(c, v, "true (\"absent\": true)");
            ok = false;
        } else if (!v->boolean) {
            ctx_report(c, v->pos, "expected true; to expect a value, use \"value\"");
            ok = false;
        }
    } else if (strcmp(m->key, "items") == 0) {
        e->kind = SCENARIO_EXPECT_ITEMS;
        bool pairs = (c->sc->engine.capabilities & SCENARIO_CAN_MAP) &&
                     step->op != SCENARIO_OP_MAP_KEYS && step->op != SCENARIO_OP_MAP_VALUES;
        ok = !c->engine_ok || parse_items(c, v, pairs, e);
    } else {
        e->kind = spec->value_kind;
        if (e->kind == SCENARIO_EXPECT_BYTES && step->op == SCENARIO_OP_KV_READ)
            ok = parse_kv_value(c, v, step->args.kv.format, &e->bytes);
        else if (e->kind == SCENARIO_EXPECT_BYTES)
            ok = parse_value(c, v, 0, SCENARIO_MAX_VALUE_BYTES, &e->bytes);
        else if (e->kind == SCENARIO_EXPECT_NUMBER)
            ok = node_u64(c, v, 0, UINT32_MAX, &e->number);
        else if (e->kind == SCENARIO_EXPECT_RAW_STATUS || e->kind == SCENARIO_EXPECT_NAMES)
            ok = parse_raw_expect(c, v, e);
        else if (e->kind == SCENARIO_EXPECT_TDB_INFO)
            ok = parse_tdb_info_expect(c, v, e);
        else if (e->kind == SCENARIO_EXPECT_FS_STATUS)
            ok = parse_fs_status_expect(c, v, e);
        else if (e->kind == SCENARIO_EXPECT_FS_ENTRIES)
            ok = parse_fs_entries_expect(c, v, e);
        else if (v->type == PJSON_BOOL)
            e->boolean = v->boolean;
        else {
            report_type(c, v, expect_value_phrase(e->kind));
            ok = false;
        }
    }
    ctx_path_restore(c, mark);
    return ok;
}

/* ---- steps ----------------------------------------------------------------------------- */

static void expect_free(scenario_expect *e) {
    value_free(&e->bytes);
    for (size_t i = 0; i < e->item_count; i++) {
        value_free(&e->items[i].key);
        value_free(&e->items[i].value);
    }
    free(e->items);
    free(e->names);
}

/* What a step's arguments own (one union member, chosen by the operation). */
static void step_args_free(scenario_step *s) {
    if (scenario_op_is_fs(s->op)) {
        fs_args_free(&s->args.fs);
        return;
    }
    switch (s->op) {
    case SCENARIO_OP_STORE:
    case SCENARIO_OP_FETCH:
    case SCENARIO_OP_REMOVE:
    case SCENARIO_OP_HAS:
    case SCENARIO_OP_PUSH:
    case SCENARIO_OP_PEEK:
    case SCENARIO_OP_POP:
    case SCENARIO_OP_MAP_GET:
    case SCENARIO_OP_MAP_SET:
    case SCENARIO_OP_MAP_HAS:
    case SCENARIO_OP_MAP_DELETE:
        value_free(&s->args.item.key);
        value_free(&s->args.item.value);
        break;
    case SCENARIO_OP_ITERATE: free(s->args.iterate.pop_at); break;
    case SCENARIO_OP_REPEAT: steps_free(&s->args.repeat.steps); break;
    case SCENARIO_OP_CONFIG_UPDATES: value_free(&s->args.config_updates.key); break;
    case SCENARIO_OP_CORRUPT: value_free(&s->args.corrupt.value); break;
    case SCENARIO_OP_RAW_WRITE: value_free(&s->args.raw.value); break;
    case SCENARIO_OP_EXPECT_STATS: free(s->args.stats.checks); break;
    case SCENARIO_OP_KV_OPEN:
    case SCENARIO_OP_KV_CLOSE:
    case SCENARIO_OP_KV_READ:
    case SCENARIO_OP_KV_WRITE:
    case SCENARIO_OP_KV_DELETE:
    case SCENARIO_OP_KV_KEYS: kv_args_free(&s->args.kv); break;
    case SCENARIO_OP_TDB_SET:
    case SCENARIO_OP_TDB_GET:
    case SCENARIO_OP_TDB_INFO:
    case SCENARIO_OP_TDB_REMOVE:
    case SCENARIO_OP_TDB_SET_START:
    case SCENARIO_OP_TDB_SET_ADD:
    case SCENARIO_OP_TDB_ITER:
    case SCENARIO_OP_TDB_RESERVED_SET: tdb_args_free(&s->args.tdb); break;
    default: break;
    }
}

static void step_free(scenario_step *s) {
    step_args_free(s);
    expect_free(&s->expect);
    free(s->path);
    free(s->comment);
}

void steps_free(scenario_steps *steps) {
    for (size_t i = 0; i < steps->count; i++) step_free(&steps->items[i]);
    free(steps->items);
    steps->items = NULL;
    steps->count = 0;
}

/* Finds the step's one operation; reports unknown keys, duplicates, none or two. */
static const pjson_member *find_operation(scenario_ctx *c, const pjson_node *node) {
    step_keys keys = make_step_keys();
    if (!check_step_keys(c, node, keys.names, NAME_COUNT(keys.names))) return NULL;
    const pjson_member *op = NULL;
    for (size_t i = 0; i < node->count; i++) {
        const pjson_member *m = &node->members[i];
        if (!find_op_spec(m)) continue; /* "expect" or "comment" */
        if (op) {
            ctx_report(c, m->key_pos,
                       "a step has one operation, got both '%s' and '%s'; put each in its own step",
                       op->key, m->key);
            return NULL;
        }
        op = m;
    }
    if (!op)
        ctx_report(
            c, node->pos,
            "a step needs an operation, e.g. {\"store\": {\"key\": \"a\", \"value\": \"b\"}} "
            "(operations: store, fetch, remove, push, pop, repeat, power_cut, check, ...)");
    return op;
}

static bool parse_step(scenario_ctx *c, const pjson_node *node, scenario_step *step) {
    step->line = node->pos.line;
    step->column = node->pos.column;
    step->path = ctx_path_copy(c);
    if (!step->path) return false;
    if (node->type != PJSON_OBJECT) {
        report_type(c, node, "a step: an object with one operation, e.g. {\"check\": {}}");
        return false;
    }
    const pjson_member *op = find_operation(c, node);
    if (!op) return false;
    const op_spec *spec = find_op_spec(op);
    step->op = spec->op;
    char quoted_name[32];
    snprintf(quoted_name, sizeof quoted_name, "'%s'", spec->name);
    size_t mark = ctx_path_key(c, spec->name);
    bool ok = true;
    bool missing = c->engine_ok && spec->needs && !(spec->needs & c->sc->engine.capabilities);
    if (missing) {
        ctx_report(c, op->key_pos, "'%s' needs a %s engine; this scenario's engine is '%s'",
                   spec->name, needs_phrase(spec->needs), c->sc->engine.type);
        ok = false;
    } else if (spec->fields &&
               !check_object(c, op->value, quoted_name, spec->fields, spec->field_count)) {
        ok = false;
    } else {
        ok = spec->parse(c, op->value, step);
    }
    ctx_path_restore(c, mark);
    const pjson_node *expect = pjson_get(node, "expect");
    if (ok && expect) {
        mark = ctx_path_key(c, "expect");
        ok = parse_expect(c, expect, spec, step);
        ctx_path_restore(c, mark);
    }
    const pjson_node *comment = pjson_get(node, "comment");
    if (ok && comment) {
        mark = ctx_path_key(c, "comment");
        if (comment->type != PJSON_STRING) {
            report_type(c, comment, "a string");
            ok = false;
        } else if (!(step->comment = malloc(comment->length + 1))) {
            ctx_out_of_memory(c);
            ok = false;
        } else {
            memcpy(step->comment, comment->string, comment->length + 1);
        }
        ctx_path_restore(c, mark);
    }
    return ok;
}

bool parse_steps(scenario_ctx *c, const pjson_node *array, scenario_steps *out) {
    if (array->type != PJSON_ARRAY) {
        report_type(c, array, "an array of steps");
        return false;
    }
    if (array->count == 0) {
        ctx_report(c, array->pos, "expected at least one step");
        return false;
    }
    out->items = calloc(array->count, sizeof *out->items);
    if (!out->items) {
        ctx_out_of_memory(c);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < array->count && c->status == SCENARIO_OK; i++) {
        size_t mark = ctx_path_index(c, i);
        out->count++;
        ok &= parse_step(c, array->items[i], &out->items[i]);
        ctx_path_restore(c, mark);
    }
    return ok && c->status == SCENARIO_OK;
}

size_t scenario_step_total(const scenario_steps *steps) {
    size_t total = steps->count;
    for (size_t i = 0; i < steps->count; i++)
        if (steps->items[i].op == SCENARIO_OP_REPEAT)
            total += scenario_step_total(&steps->items[i].args.repeat.steps);
    return total;
}
