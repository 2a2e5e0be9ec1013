/* The scenario parser's entry points: bytes -> JSON tree with positions -> validated, resolved
 * scenario (or the list of errors), reading a file, and freeing what they return. */
#include "scenario_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const scenario_name top_fields[] = {
    {"name", FIELD_REQUIRED},  {"description", FIELD_OPTIONAL}, {"seed", FIELD_OPTIONAL},
    {"flash", FIELD_REQUIRED}, {"engine", FIELD_REQUIRED},      {"steps", FIELD_REQUIRED},
    {"cut", FIELD_OPTIONAL},   {"matrix", FIELD_OPTIONAL},      {"partitions", FIELD_OPTIONAL},
};

static bool is_name_char(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.';
}

static bool parse_name(scenario_ctx *c, const pjson_node *node, scenario *sc) {
    size_t mark = ctx_path_key(c, "name");
    bool ok = node->type == PJSON_STRING;
    if (!ok) report_type(c, node, "a string");
    for (size_t i = 0; ok && i < node->length; i++) ok = is_name_char(node->string[i]);
    if (node->type == PJSON_STRING &&
        (!ok || node->length == 0 || node->length > SCENARIO_NAME_MAX)) {
        char quoted[64];
        quote_for_message(node->string, node->length, quoted, sizeof quoted);
        ctx_report(c, node->pos,
                   "invalid name '%s'; expected 1..%d letters, digits, '-', '_' or '.'", quoted,
                   SCENARIO_NAME_MAX);
        ok = false;
    }
    if (ok) memcpy(sc->name, node->string, node->length + 1);
    ctx_path_restore(c, mark);
    return ok;
}

static bool parse_description(scenario_ctx *c, const pjson_node *node, scenario *sc) {
    const char *text = "";
    size_t length = 0;
    if (node) {
        if (node->type != PJSON_STRING) {
            size_t mark = ctx_path_key(c, "description");
            report_type(c, node, "a string");
            ctx_path_restore(c, mark);
            return false;
        }
        text = node->string;
        length = node->length;
    }
    sc->description = malloc(length + 1);
    if (!sc->description) {
        ctx_out_of_memory(c);
        return false;
    }
    memcpy(sc->description, text, length + 1);
    return true;
}

static void validate(scenario_ctx *c, const pjson_node *root, scenario *sc) {
    if (!check_object(c, root, "the scenario", top_fields, NAME_COUNT(top_fields))) {
        /* Unknown or missing top-level fields: still check the ones that are there. */
        if (root->type != PJSON_OBJECT) return;
    }
    const pjson_node *name = pjson_get(root, "name"), *flash = pjson_get(root, "flash"),
                     *engine = pjson_get(root, "engine"), *steps = pjson_get(root, "steps");
    if (name) parse_name(c, name, sc);
    parse_description(c, pjson_get(root, "description"), sc);
    field_u64(c, root, "seed", 0, UINT64_MAX, 0, &sc->seed);
    if (flash) {
        size_t mark = ctx_path_key(c, "flash");
        c->flash_ok = parse_flash(c, flash, sc);
        ctx_path_restore(c, mark);
    }
    const pjson_node *partitions = pjson_get(root, "partitions");
    c->partitions_ok = !partitions;
    if (partitions) {
        size_t mark = ctx_path_key(c, "partitions");
        c->partitions_ok = parse_partitions(c, partitions, sc);
        ctx_path_restore(c, mark);
    }
    if (engine) {
        size_t mark = ctx_path_key(c, "engine");
        c->engine_ok = parse_engine(c, engine, sc);
        ctx_path_restore(c, mark);
    }
    if (steps) {
        size_t mark = ctx_path_key(c, "steps");
        parse_steps(c, steps, &sc->steps);
        ctx_path_restore(c, mark);
        if (!c->errors->count) check_fs_handles(c, &sc->steps);
    }
    const pjson_node *matrix = pjson_get(root, "matrix");
    if (matrix) {
        size_t mark = ctx_path_key(c, "matrix");
        parse_matrix(c, matrix, &sc->matrix);
        ctx_path_restore(c, mark);
    }
    const pjson_node *cut = pjson_get(root, "cut");
    if (cut) {
        size_t mark = ctx_path_key(c, "cut");
        parse_cut(c, cut, &sc->cut);
        ctx_path_restore(c, mark);
    }
}

/* Orders the errors by position (a stable insertion sort: there are few), keeping a final
 * "too many errors" last. */
static void sort_errors(scenario_errors *errors) {
    size_t n = errors->count > SCENARIO_MAX_ERRORS ? SCENARIO_MAX_ERRORS : errors->count;
    for (size_t i = 1; i < n; i++) {
        scenario_error e = errors->items[i];
        size_t j = i;
        while (j > 0 &&
               (errors->items[j - 1].line > e.line ||
                (errors->items[j - 1].line == e.line && errors->items[j - 1].column > e.column))) {
            errors->items[j] = errors->items[j - 1];
            j--;
        }
        errors->items[j] = e;
    }
}

static bool errors_init(scenario_errors *errors, const char *file) {
    memset(errors, 0, sizeof *errors);
    if (!file) file = "";
    size_t n = strlen(file);
    errors->file = malloc(n + 1);
    if (!errors->file) return false;
    memcpy(errors->file, file, n + 1);
    return true;
}

int scenario_parse(const char *file, const void *bytes, size_t length, scenario **out,
                   scenario_errors *errors) {
    return scenario_parse_with(file, bytes, length, NULL, out, errors);
}

int scenario_parse_with(const char *file, const void *bytes, size_t length,
                        const scenario_load_options *options, scenario **out,
                        scenario_errors *errors) {
    *out = NULL;
    scenario_ctx c = {.errors = errors, .file = file ? file : "", .options = options};
    if (!errors_init(errors, file)) return SCENARIO_E_NOMEM;
    if (length > SCENARIO_MAX_FILE_BYTES) {
        ctx_report(&c, (pjson_pos){1, 1}, "the file is %zu bytes; expected at most %u", length,
                   SCENARIO_MAX_FILE_BYTES);
        return SCENARIO_E_INVALID;
    }
    pjson_node *root;
    pjson_error json_error;
    int rc = pjson_parse(bytes, length, &root, &json_error);
    if (rc == PJSON_E_NOMEM) {
        ctx_out_of_memory(&c);
        return SCENARIO_E_NOMEM;
    }
    if (rc != PJSON_OK) {
        ctx_report(&c, json_error.pos, "%s", json_error.message);
        return SCENARIO_E_INVALID;
    }
    scenario *sc = calloc(1, sizeof *sc);
    if (!sc) {
        pjson_free(root);
        ctx_out_of_memory(&c);
        return SCENARIO_E_NOMEM;
    }
    c.sc = sc;
    validate(&c, root, sc);
    pjson_free(root);
    sort_errors(errors);
    if (errors->count == 0 && c.status == SCENARIO_OK) {
        *out = sc;
        return SCENARIO_OK;
    }
    scenario_free(sc);
    return c.status == SCENARIO_E_NOMEM ? SCENARIO_E_NOMEM : SCENARIO_E_INVALID;
}

/* Reads the whole file, refusing more than SCENARIO_MAX_FILE_BYTES (plus one byte, so that
 * scenario_parse reports the size). */
static int read_file(const char *path, char **data, size_t *length, char *why, size_t why_size) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_size, "cannot open the file: %s", strerror(errno));
        return SCENARIO_E_IO;
    }
    size_t cap = SCENARIO_MAX_FILE_BYTES + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        snprintf(why, why_size, "out of memory");
        return SCENARIO_E_NOMEM;
    }
    n = fread(buf, 1, cap, f);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        snprintf(why, why_size, "cannot read the file (is it a directory?)");
        return SCENARIO_E_IO;
    }
    *data = buf;
    *length = n;
    return SCENARIO_OK;
}

int scenario_load_file(const char *path, scenario **out, scenario_errors *errors) {
    return scenario_load_file_with(path, NULL, out, errors);
}

int scenario_load_file_with(const char *path, const scenario_load_options *options, scenario **out,
                            scenario_errors *errors) {
    char *data = NULL, why[160];
    size_t length = 0;
    *out = NULL;
    int rc = read_file(path, &data, &length, why, sizeof why);
    if (rc != SCENARIO_OK) {
        if (!errors_init(errors, path)) return SCENARIO_E_NOMEM;
        scenario_ctx c = {.errors = errors};
        ctx_report(&c, (pjson_pos){0, 0}, "%s", why);
        return rc;
    }
    rc = scenario_parse_with(path, data, length, options, out, errors);
    free(data);
    if (rc == SCENARIO_OK && (*out)->image) {
        rc = check_image(*out, errors);
        if (rc != SCENARIO_OK) {
            scenario_free(*out);
            *out = NULL;
        }
    }
    return rc;
}

void scenario_free(scenario *sc) {
    if (!sc) return;
    steps_free(&sc->steps);
    free(sc->description);
    free(sc->image);
    free(sc->engine.library);
    free(sc);
}
