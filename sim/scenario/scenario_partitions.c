/* The scenario format's partitions: the top-level "partitions" array (checked by the engine's own
 * nbs_part_check, each problem reported at the JSON path of the field at fault), "engine.partition"
 * (the engine placed in a partition by name), the raw steps' arguments (raw_open, raw_close,
 * raw_status, raw_read, raw_write, raw_erase, partitions) and their expectations. */
#include "nbs_part.h"
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const scenario_name partition_fields[] = {{"name", FIELD_REQUIRED},
                                                 {"start", FIELD_REQUIRED},
                                                 {"size", FIELD_REQUIRED},
                                                 {"read_only", FIELD_OPTIONAL}};

static const char name_rule[] = "1..16 printable ASCII characters, no spaces";

/* Copies a partition's name; a name too long or not a string is left for the check to name. */
static bool parse_partition(scenario_ctx *c, const pjson_node *node, scenario_partition *out) {
    if (!check_object(c, node, "a partition {\"name\", \"start\", \"size\"}", partition_fields,
                      NAME_COUNT(partition_fields)))
        return false;
    const pjson_node *name = pjson_get(node, "name");
    size_t mark = ctx_path_key(c, "name");
    bool ok = name->type == PJSON_STRING;
    if (!ok) report_type(c, name, "a partition name (a string)");
    if (ok &&
        (name->length > SCENARIO_PARTITION_NAME_MAX || strlen(name->string) != name->length)) {
        char quoted[64];
        quote_for_message(name->string, name->length, quoted, sizeof quoted);
        ctx_report(c, name->pos, "invalid partition name '%s'; expected %s", quoted, name_rule);
        ok = false;
    }
    if (ok) memcpy(out->name, name->string, name->length + 1);
    ctx_path_restore(c, mark);
    ok &= field_u32(c, node, "start", 0, UINT32_MAX, 0, &out->start);
    ok &= field_u32(c, node, "size", 0, UINT32_MAX, 0, &out->size);
    ok &= field_bool(c, node, "read_only", false, &out->read_only);
    return ok;
}

/* nbs_part_check's verdict on partition i, as a message at the field at fault. */
static void report_problem(scenario_ctx *c, const pjson_node *array, const scenario *sc, int rc,
                           nbs_part_problem problem) {
    const scenario_partition *p = &sc->partitions[problem.index];
    const pjson_node *node = array->items[problem.index];
    const char *field = rc == NBS_E_PART_NAME ? "name" : rc == NBS_E_PART_OVERLAP ? NULL : "size";
    uint32_t total = flash_total_bytes(&sc->flash), index = 0, start = 0, size;
    bool start_off =
        rc == NBS_E_ALIGN &&
        !(flash_sector_at(&sc->flash, p->start, &index, &start, &size) && start == p->start);
    if (start_off) field = "start";
    size_t mark = ctx_path_index(c, problem.index);
    size_t field_mark = field ? ctx_path_key(c, field) : 0;
    pjson_pos pos = field ? pjson_get(node, field)->pos : node->pos;
    char quoted[64];
    quote_for_message(p->name, strlen(p->name), quoted, sizeof quoted);
    switch (rc) {
    case NBS_E_PART_NAME:
        if (problem.other != problem.index)
            ctx_report(c, pos, "'%s' is already the name of partitions[%u]", quoted,
                       (unsigned)problem.other);
        else
            ctx_report(c, pos, "invalid partition name '%s'; expected %s", quoted, name_rule);
        break;
    case NBS_E_RANGE:
        if (p->size == 0)
            ctx_report(c, pos, "expected at least one sector, got 0 bytes");
        else
            ctx_report(c, pos, "%u bytes from address %u run past the end of the flash (%u bytes)",
                       (unsigned)p->size, (unsigned)p->start, (unsigned)total);
        break;
    case NBS_E_ALIGN:
        if (start_off)
            ctx_report(c, pos, "%u is not the start of a sector; sector %u starts at %u",
                       (unsigned)p->start, (unsigned)index, (unsigned)start);
        else
            ctx_report(c, pos,
                       "%u bytes from address %u end inside a sector; expected whole sectors",
                       (unsigned)p->size, (unsigned)p->start);
        break;
    default: {
        const scenario_partition *q = &sc->partitions[problem.other];
        char other[64];
        quote_for_message(q->name, strlen(q->name), other, sizeof other);
        ctx_report(c, pos, "'%s' (%u..%u) overlaps partitions[%u] '%s' (%u..%u)", quoted,
                   (unsigned)p->start, (unsigned)(p->start + p->size - 1), (unsigned)problem.other,
                   other, (unsigned)q->start, (unsigned)(q->start + q->size - 1));
    }
    }
    if (field) ctx_path_restore(c, field_mark);
    ctx_path_restore(c, mark);
}

bool parse_partitions(scenario_ctx *c, const pjson_node *array, scenario *sc) {
    if (array->type != PJSON_ARRAY) {
        report_type(c, array, "an array of partitions");
        return false;
    }
    if (array->count > SCENARIO_PARTITIONS_MAX) {
        ctx_report(c, array->pos, "%zu partitions; expected at most %d", array->count,
                   SCENARIO_PARTITIONS_MAX);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < array->count; i++) {
        size_t mark = ctx_path_index(c, i);
        ok &= parse_partition(c, array->items[i], &sc->partitions[i]);
        ctx_path_restore(c, mark);
    }
    if (!ok || !c->flash_ok) return false;
    sc->partition_count = array->count;
    nbs_sector_run runs[NOR_MAX_REGIONS];
    for (uint32_t r = 0; r < sc->flash.region_count; r++)
        runs[r] = (nbs_sector_run){sc->flash.regions[r].count, sc->flash.regions[r].size};
    /* The engine's own check; no flash is reached, so the device needs no callbacks. */
    nbs_device device = {.flash = {.size = flash_total_bytes(&sc->flash),
                                   .write_unit = sc->flash.write_unit,
                                   .erase_value = sc->flash.erase_value},
                         .sectors = runs,
                         .sector_runs = sc->flash.region_count};
    nbs_partition parts[SCENARIO_PARTITIONS_MAX];
    for (size_t i = 0; i < sc->partition_count; i++)
        parts[i] = (nbs_partition){sc->partitions[i].name, sc->partitions[i].start,
                                   sc->partitions[i].size, sc->partitions[i].read_only};
    nbs_part_table table = {&device, parts, (uint32_t)sc->partition_count};
    nbs_part_problem problem;
    int rc = nbs_part_check(&table, &problem);
    if (rc) {
        report_problem(c, array, sc, rc, problem);
        sc->partition_count = 0;
        return false;
    }
    return true;
}

/* The partition named by `node` (a string): its index, or one error naming the known ones. */
static bool node_partition(scenario_ctx *c, const pjson_node *node, uint32_t *index) {
    if (node->type != PJSON_STRING) {
        report_type(c, node, "a partition name (a string)");
        return false;
    }
    if (!c->partitions_ok) return false; /* the table's own error says what is wrong */
    const scenario *sc = c->sc;
    for (size_t i = 0; i < sc->partition_count; i++)
        if (strcmp(sc->partitions[i].name, node->string) == 0 &&
            strlen(node->string) == node->length) {
            *index = (uint32_t)i;
            return true;
        }
    char quoted[64], known[SCENARIO_PARTITIONS_MAX * (SCENARIO_PARTITION_NAME_MAX + 4) + 1] = "";
    quote_for_message(node->string, node->length, quoted, sizeof quoted);
    size_t used = 0;
    for (size_t i = 0; i < sc->partition_count; i++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s'%s'", i ? ", " : "",
                                 sc->partitions[i].name);
    scenario_name names[SCENARIO_PARTITIONS_MAX];
    for (size_t i = 0; i < sc->partition_count; i++)
        names[i] = (scenario_name){sc->partitions[i].name, (int)i};
    const char *near = nearest_name(node->string, names, sc->partition_count);
    if (near)
        ctx_report(c, node->pos, "unknown partition '%s'; did you mean '%s'?", quoted, near);
    else if (sc->partition_count)
        ctx_report(c, node->pos, "unknown partition '%s'; the partitions are %s", quoted, known);
    else
        ctx_report(c, node->pos, "unknown partition '%s'; the scenario declares no \"partitions\"",
                   quoted);
    return false;
}

bool resolve_engine_partition(scenario_ctx *c, const pjson_node *engine, scenario_engine *e) {
    const pjson_node *node = pjson_get(engine, "partition");
    if (!node) return true;
    size_t mark = ctx_path_key(c, "partition");
    bool ok = true;
    const char *clash = pjson_get(engine, "start")  ? "start"
                        : pjson_get(engine, "size") ? "size"
                                                    : NULL;
    uint32_t index = 0;
    if (clash) {
        ctx_report(c, node->pos,
                   "give 'partition' (a range by name) or 'start' and 'size', not both ('%s' "
                   "is given too)",
                   clash);
        ok = false;
    } else if ((ok = node_partition(c, node, &index))) {
        const scenario_partition *p = &c->sc->partitions[index];
        snprintf(e->partition, sizeof e->partition, "%s", p->name);
        e->start = p->start;
        e->size = p->size;
    }
    ctx_path_restore(c, mark);
    return ok;
}

/* ---- raw steps ------------------------------------------------------------------------- */

static const scenario_name partition_only_fields[] = {{"partition", FIELD_REQUIRED}};
static const scenario_name open_fields[] = {{"partition", FIELD_REQUIRED},
                                            {"mode", FIELD_OPTIONAL}};
static const scenario_name read_fields[] = {
    {"partition", FIELD_REQUIRED}, {"offset", FIELD_REQUIRED}, {"count", FIELD_REQUIRED}};
static const scenario_name write_fields[] = {
    {"partition", FIELD_REQUIRED}, {"offset", FIELD_REQUIRED}, {"value", FIELD_REQUIRED}};
static const scenario_name erase_fields[] = {
    {"partition", FIELD_REQUIRED}, {"from", FIELD_REQUIRED}, {"to", FIELD_OPTIONAL}};
static const scenario_name mode_names[] = {{"r", 0}, {"r+", 1}};

static bool field_block(scenario_ctx *c, const pjson_node *args, const char *key, int64_t *out) {
    const pjson_node *node = pjson_get(args, key);
    if (!node) return true;
    size_t mark = ctx_path_key(c, key);
    bool ok = node_i64(c, node, INT32_MIN, INT32_MAX, out);
    ctx_path_restore(c, mark);
    return ok;
}

/* A raw write into the engine's range would change its store under it (corrupt and erase_sector
 * are the steps for faults): only mode r may open a partition that shares bytes with it. */
static bool check_open_mode(scenario_ctx *c, const pjson_node *args, const scenario_raw_args *a) {
    const scenario_partition *p = &c->sc->partitions[a->partition];
    const scenario_engine *e = &c->sc->engine;
    bool shares = c->engine_ok && p->start < e->start + e->size && e->start < p->start + p->size;
    if (!a->writable || !shares) return true;
    const pjson_node *mode = pjson_get(args, "mode");
    size_t mark = ctx_path_key(c, mode ? "mode" : "partition");
    ctx_report(c, (mode ? mode : pjson_get(args, "partition"))->pos,
               "partition '%s' holds the engine's range: raw writes would change its store "
               "under it; open it with mode \"r\" (corrupt, flip_bit and erase_sector inject "
               "faults)",
               p->name);
    ctx_path_restore(c, mark);
    return false;
}

bool parse_raw_step(scenario_ctx *c, const pjson_node *args, scenario_step *step) {
    const scenario_name *fields = partition_only_fields;
    size_t count = NAME_COUNT(partition_only_fields);
    switch (step->op) {
    case SCENARIO_OP_RAW_OPEN: fields = open_fields, count = NAME_COUNT(open_fields); break;
    case SCENARIO_OP_RAW_READ: fields = read_fields, count = NAME_COUNT(read_fields); break;
    case SCENARIO_OP_RAW_WRITE: fields = write_fields, count = NAME_COUNT(write_fields); break;
    case SCENARIO_OP_RAW_ERASE: fields = erase_fields, count = NAME_COUNT(erase_fields); break;
    default: break;
    }
    char what[32];
    snprintf(what, sizeof what, "'%s'", scenario_op_name(step->op));
    if (!check_object(c, args, what, fields, count)) return false;
    scenario_raw_args *a = &step->args.raw;
    size_t mark = ctx_path_key(c, "partition");
    bool ok = node_partition(c, pjson_get(args, "partition"), &a->partition);
    ctx_path_restore(c, mark);
    int writable = 1;
    ok &= field_open_mode(c, args, "mode", mode_names, NAME_COUNT(mode_names), 1, &writable);
    a->writable = writable != 0;
    ok &= field_u32(c, args, "offset", 0, UINT32_MAX, 0, &a->offset);
    ok &= field_u32(c, args, "count", 0, SCENARIO_MAX_VALUE_BYTES, 0, &a->count);
    if (step->op == SCENARIO_OP_RAW_WRITE)
        ok &= field_value(c, args, "value", 0, SCENARIO_MAX_VALUE_BYTES, &a->value);
    ok &= field_block(c, args, "from", &a->from);
    a->to = a->from + 1;
    ok &= field_block(c, args, "to", &a->to);
    if (ok && step->op == SCENARIO_OP_RAW_OPEN) ok = check_open_mode(c, args, a);
    return ok;
}

/* ---- expectations ---------------------------------------------------------------------- */

static const scenario_name figure_names[] = {
    {"size", SCENARIO_RAW_SIZE},
    {"block_length", SCENARIO_RAW_BLOCK_LENGTH},
    {"blocks", SCENARIO_RAW_BLOCKS},
    {"erase_value", SCENARIO_RAW_ERASE_VALUE},
    {"write_align", SCENARIO_RAW_WRITE_ALIGN},
};

const char *scenario_raw_figure_name(unsigned figure) {
    return figure < SCENARIO_RAW_FIGURES ? figure_names[figure].name : "?";
}

static bool parse_status_expect(scenario_ctx *c, const pjson_node *node, scenario_expect *e) {
    if (!check_keys(c, node, "raw_status's figures", figure_names, NAME_COUNT(figure_names)))
        return false;
    if (node->count == 0) {
        ctx_report(c, node->pos, "expected at least one figure, e.g. {\"blocks\": 4}");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < node->count; i++) {
        const pjson_member *m = &node->members[i];
        int figure =
            find_name(m->key, m->key_length, figure_names, NAME_COUNT(figure_names))->value;
        ok &= field_u32(c, node, m->key, 0, UINT32_MAX, 0, &e->raw_status.figure[figure]);
        e->raw_status.given |= 1u << figure;
    }
    return ok;
}

static bool parse_names_expect(scenario_ctx *c, const pjson_node *node, scenario_expect *e) {
    if (node->type != PJSON_ARRAY) {
        report_type(c, node, "an array of partition names");
        return false;
    }
    if (node->count > SCENARIO_PARTITIONS_MAX) {
        ctx_report(c, node->pos, "%zu names; a table holds at most %d", node->count,
                   SCENARIO_PARTITIONS_MAX);
        return false;
    }
    e->names = calloc(node->count ? node->count : 1, sizeof *e->names);
    if (!e->names) {
        ctx_out_of_memory(c);
        return false;
    }
    for (size_t i = 0; i < node->count; i++) {
        const pjson_node *name = node->items[i];
        size_t mark = ctx_path_index(c, i);
        bool ok = name->type == PJSON_STRING && name->length <= SCENARIO_PARTITION_NAME_MAX &&
                  strlen(name->string) == name->length;
        if (!ok) report_type(c, name, "a partition name (a string of at most 16 bytes)");
        ctx_path_restore(c, mark);
        if (!ok) return false;
        memcpy(e->names[e->name_count++], name->string, name->length + 1);
    }
    return true;
}

bool parse_raw_expect(scenario_ctx *c, const pjson_node *node, scenario_expect *e) {
    return e->kind == SCENARIO_EXPECT_RAW_STATUS ? parse_status_expect(c, node, e)
                                                 : parse_names_expect(c, node, e);
}
