/* Paths a scenario names, resolved against the scenario file's folder while parsing (an engine
 * plugin's library, a flash image), and "flash.image": a device dump (nor_image_save's PATH and
 * PATH.json) the run starts from; loading the file then
 * checks the image against the resolved flash, so a truncated, corrupted or mismatched image
 * is one error at the field that names it, before any run. */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_PATH_MAX 4096

bool field_file_path(scenario_ctx *c, const pjson_node *obj, const char *key, const char *what,
                     char **out, pjson_pos *where) {
    const pjson_node *node = pjson_get(obj, key);
    if (!node) return true;
    size_t mark = ctx_path_key(c, key);
    bool ok = node->type == PJSON_STRING && node->length > 0 && node->length < FILE_PATH_MAX &&
              strlen(node->string) == node->length;
    if (!ok) report_type(c, node, what);
    ctx_path_restore(c, mark);
    if (!ok) return false;
    const char *slash = strrchr(c->file, '/');
    size_t dir = node->string[0] == '/' || !slash ? 0 : (size_t)(slash - c->file) + 1;
    *out = malloc(dir + node->length + 1);
    if (!*out) {
        ctx_out_of_memory(c);
        return false;
    }
    memcpy(*out, c->file, dir);
    memcpy(*out + dir, node->string, node->length + 1);
    *where = node->pos;
    return true;
}

bool parse_image_path(scenario_ctx *c, const pjson_node *flash, scenario *sc) {
    pjson_pos where = {0, 0};
    if (!field_file_path(c, flash, "image", "the path of a flash image (a non-empty string)",
                         &sc->image, &where))
        return false;
    sc->image_line = where.line;
    sc->image_column = where.column;
    return true;
}

int check_image(scenario *sc, scenario_errors *errors) {
    nor_image_info info;
    char why[NOR_IMAGE_WHY_MAX + 64];
    int rc = nor_image_read_info(sc->image, &info, why, sizeof why);
    if (rc == NOR_E_NOMEM) return SCENARIO_E_NOMEM;
    if (!rc) {
        char detail[NOR_IMAGE_WHY_MAX];
        rc = nor_image_check_config(&info, &sc->flash, detail, sizeof detail);
        if (rc) snprintf(why, sizeof why, "%s: %s", sc->image, detail);
        nor_image_info_free(&info);
    }
    if (!rc) return SCENARIO_OK;
    scenario_ctx c = {.errors = errors, .sc = sc};
    ctx_path_key(&c, "flash");
    ctx_path_key(&c, "image");
    ctx_report(&c, (pjson_pos){sc->image_line, sc->image_column}, "%s", why);
    return SCENARIO_E_INVALID;
}
