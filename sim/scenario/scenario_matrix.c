/* Matrices: the top-level "matrix" object, which names the presets a scenario runs on (each
 * one a combination of its own, as littlefs's define permutations), and the preset a load's
 * options put in place of the file's, for one combination. */
#include "scenario_internal.h"

#include <stdio.h>

static const scenario_name matrix_fields[] = {
    {"preset", FIELD_REQUIRED},
};

const char *ctx_preset_override(const scenario_ctx *c) {
    return c->options && c->options->preset ? c->options->preset : NULL;
}

bool parse_matrix(scenario_ctx *c, const pjson_node *node, scenario_matrix *out) {
    if (!check_object(c, node, "matrix", matrix_fields, NAME_COUNT(matrix_fields))) return false;
    const pjson_node *list = pjson_get(node, "preset");
    size_t mark = ctx_path_key(c, "preset");
    bool ok = list->type == PJSON_ARRAY && list->count >= 1 && list->count <= SCENARIO_MATRIX_MAX;
    if (!ok) {
        char expected[64];
        snprintf(expected, sizeof expected, "an array of 1..%d preset names", SCENARIO_MATRIX_MAX);
        if (list->type == PJSON_ARRAY)
            ctx_report(c, list->pos, "expected %s, got %zu names", expected, list->count);
        else
            report_type(c, list, expected);
    }
    scenario_name names[PRESET_NAMES_MAX];
    size_t count = preset_names(names);
    for (size_t i = 0; ok && i < list->count; i++) {
        size_t item_mark = ctx_path_index(c, i);
        int index = 0;
        ok = node_name(c, list->items[i], "preset", names, count, &index);
        for (size_t j = 0; ok && j < out->preset_count; j++) {
            if (out->presets[j] == index) {
                ctx_report(c, list->items[i]->pos, "preset '%s' is listed twice",
                           list->items[i]->string);
                ok = false;
            }
        }
        if (ok) out->presets[out->preset_count++] = (uint8_t)index;
        ctx_path_restore(c, item_mark);
    }
    ctx_path_restore(c, mark);
    if (!ok) out->preset_count = 0;
    return ok;
}
