/* "flash.image": a device dump (nor_image_save's PATH and PATH.json) the run starts from. The
 * path is resolved against the scenario file's folder while parsing; loading the file then
 * checks the image against the resolved flash, so a truncated, corrupted or mismatched image
 * is one error at the field that names it, before any run. */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE_PATH_MAX 4096

bool parse_image_path(scenario_ctx *c, const pjson_node *flash, scenario *sc) {
    const pjson_node *node = pjson_get(flash, "image");
    if (!node) return true;
    size_t mark = ctx_path_key(c, "image");
    bool ok = node->type == PJSON_STRING && node->length > 0 && node->length < IMAGE_PATH_MAX &&
              strlen(node->string) == node->length;
    if (!ok) report_type(c, node, "the path of a flash image (a non-empty string)");
    ctx_path_restore(c, mark);
    if (!ok) return false;
    const char *slash = strrchr(c->file, '/');
    size_t dir = node->string[0] == '/' || !slash ? 0 : (size_t)(slash - c->file) + 1;
    sc->image = malloc(dir + node->length + 1);
    if (!sc->image) {
        ctx_out_of_memory(c);
        return false;
    }
    memcpy(sc->image, c->file, dir);
    memcpy(sc->image + dir, node->string, node->length + 1);
    sc->image_line = node->pos.line;
    sc->image_column = node->pos.column;
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
