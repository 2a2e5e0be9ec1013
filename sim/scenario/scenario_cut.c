/* The scenario's top-level "cut" object: where a power-cut campaign placed its cut (and the
 * cut inside the recovery that follows), so that a reproducer file replays it exactly. */
#include "scenario_internal.h"

static const scenario_name cut_fields[] = {
    {"op", FIELD_REQUIRED},       {"torn_program", FIELD_OPTIONAL}, {"torn_erase", FIELD_OPTIONAL},
    {"recovery", FIELD_OPTIONAL}, {"then_steps", FIELD_OPTIONAL},
};
static const scenario_name recovery_fields[] = {
    {"op", FIELD_REQUIRED},
    {"torn_program", FIELD_OPTIONAL},
    {"torn_erase", FIELD_OPTIONAL},
};

/* Operation indexes beyond this are refused: no run gets near it. */
#define CUT_OP_MAX (UINT64_C(1) << 62)

static bool parse_point(scenario_ctx *c, const pjson_node *node, scenario_cut_point *out) {
    bool ok = field_u64(c, node, "op", 0, CUT_OP_MAX, 0, &out->op);
    return field_torn_modes(c, node, &out->torn_program, &out->torn_erase) && ok;
}

bool parse_cut(scenario_ctx *c, const pjson_node *node, scenario_cut *out) {
    if (!check_object(c, node, "'cut'", cut_fields, NAME_COUNT(cut_fields))) return false;
    bool ok = parse_point(c, node, &out->first);
    const pjson_node *recovery = pjson_get(node, "recovery");
    if (recovery) {
        size_t mark = ctx_path_key(c, "recovery");
        ok &=
            check_object(c, recovery, "'recovery'", recovery_fields, NAME_COUNT(recovery_fields)) &&
            parse_point(c, recovery, &out->recovery);
        ctx_path_restore(c, mark);
        out->has_recovery_cut = true;
    }
    out->limit_steps = pjson_get(node, "then_steps") != NULL;
    ok &= field_u64(c, node, "then_steps", 0, CUT_OP_MAX, 0, &out->then_steps);
    out->present = ok;
    return ok;
}
