/* The Map façade's engine option: "write_back": {"ram": bytes, "threshold": dirty bytes} on an
 * engine of type "kvmap" (its steps map_* are rows of scenario_steps.c's table). */
#include "scenario_internal.h"

#include <string.h>

static const scenario_name write_back_fields[] = {{"ram", FIELD_REQUIRED},
                                                  {"threshold", FIELD_OPTIONAL}};

bool parse_write_back(scenario_ctx *c, const pjson_node *engine, scenario_engine *e) {
    const pjson_node *node = pjson_get(engine, "write_back");
    if (!node) return true;
    size_t mark = ctx_path_key(c, "write_back");
    bool ok = false;
    if (strcmp(e->type, "kvmap") != 0)
        ctx_report(c, node->pos,
                   "'write_back' is an option of the kvmap engine; this engine is '%s'", e->type);
    else
        ok = check_object(c, node, "'write_back'", write_back_fields,
                          NAME_COUNT(write_back_fields)) &&
             field_u32(c, node, "ram", 1, SCENARIO_MAX_VALUE_BYTES * 16, 0, &e->write_back_ram) &&
             field_u32(c, node, "threshold", 0, UINT32_MAX, 0, &e->write_back_threshold);
    e->write_back = ok;
    ctx_path_restore(c, mark);
    return ok;
}
