/* `norbench validate FILE|DIR...`: checks scenario files (folders: every *.json below them, as
 * `run` finds them) against the format without running them (a file with a "matrix" on each of
 * its presets); one FILE:LINE:COLUMN message per problem, exit 2 if any file is invalid or
 * unreadable, or a path names no scenario. */
#include "cli.h"
#include "commands.h"
#include "scenario.h"

#include <cjson/cJSON.h>
#include <stdio.h>

static cJSON *errors_to_json(cJSON *list, const scenario_errors *errors) {
    for (size_t i = 0; list && i < errors->count; i++) {
        const scenario_error *e = &errors->items[i];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddNumberToObject(item, "line", e->line);
        cJSON_AddNumberToObject(item, "column", e->column);
        cJSON_AddStringToObject(item, "path", e->path);
        cJSON_AddStringToObject(item, "message", e->message);
        cJSON_AddItemToArray(list, item);
    }
    return list;
}

static cJSON *result_to_json(const char *path, const scenario *sc, const scenario_errors *errors,
                             cJSON *matrix_errors) {
    cJSON *result = cJSON_CreateObject();
    cJSON_AddStringToObject(result, "file", path);
    cJSON_AddBoolToObject(result, "valid", sc != NULL && cJSON_GetArraySize(matrix_errors) == 0);
    if (sc) {
        cJSON_AddStringToObject(result, "name", sc->name);
        cJSON_AddStringToObject(result, "preset", sc->preset);
        cJSON_AddStringToObject(result, "engine", sc->engine.type);
        cJSON_AddNumberToObject(result, "steps", (double)scenario_step_total(&sc->steps));
    }
    cJSON_AddItemToObject(result, "errors", errors_to_json(matrix_errors, errors));
    return result;
}

/* A file with a "matrix" is valid when it is on every preset of it: the errors of each
 * combination that is not (each message ends "(on preset 'P')") go to `list` (JSON) or stderr.
 * Returns the number of such combinations. */
static size_t check_matrix(const char *path, const scenario *sc, cJSON *list) {
    size_t bad = 0;
    for (size_t p = 0; sc && p < sc->matrix.preset_count; p++) {
        scenario_load_options options = {.preset = nor_preset_at(sc->matrix.presets[p])->name};
        scenario *combination = NULL;
        scenario_errors errors;
        if (scenario_load_file_with(path, &options, &combination, &errors) != SCENARIO_OK) {
            bad++;
            if (list)
                errors_to_json(list, &errors);
            else
                cli_print_scenario_errors(&errors);
        }
        scenario_free(combination);
        scenario_errors_free(&errors);
    }
    return bad;
}

int cmd_validate(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("validate");
    bool json = false, quiet = false;
    const cli_flag flags[] = {
        {"json", CLI_BOOL, &json, NULL, "print a JSON array of results on stdout"},
        {"quiet", CLI_BOOL, &quiet, NULL, "print nothing for valid files"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos == 0) return cli_usage_error(cmd, "expected at least one scenario FILE or DIR");

    path_list files = {0};
    int exit_code = cli_collect_scenarios(cmd, argv + 1, npos, &files);
    if (exit_code == CLI_EXIT_FAIL || !files.count) return exit_code;
    cJSON *results = json ? cJSON_CreateArray() : NULL;
    for (size_t i = 0; i < files.count; i++) {
        const char *path = files.items[i];
        scenario *sc = NULL;
        scenario_errors errors;
        rc = scenario_load_file(path, &sc, &errors);
        cJSON *matrix_errors = cJSON_CreateArray();
        if (rc == SCENARIO_OK && check_matrix(path, sc, json ? matrix_errors : NULL))
            rc = SCENARIO_E_INVALID;
        if (rc == SCENARIO_E_NOMEM)
            exit_code = CLI_EXIT_FAIL;
        else if (rc != SCENARIO_OK && exit_code == CLI_EXIT_OK)
            exit_code = CLI_EXIT_USAGE;
        if (json) {
            cJSON_AddItemToArray(results, result_to_json(path, sc, &errors, matrix_errors));
            matrix_errors = NULL;
        } else if (rc == SCENARIO_OK && !quiet) {
            printf("%s: ok (%s: %zu steps, %s on %s)\n", path, sc->name,
                   scenario_step_total(&sc->steps), sc->engine.type, sc->preset);
        } else if (!sc) {
            cli_print_scenario_errors(&errors);
        }
        cJSON_Delete(matrix_errors);
        scenario_free(sc);
        scenario_errors_free(&errors);
    }
    if (json) {
        char *text = cJSON_Print(results);
        if (text)
            printf("%s\n", text);
        else
            exit_code = CLI_EXIT_FAIL;
        cJSON_free(text);
        cJSON_Delete(results);
    }
    path_list_free(&files);
    return exit_code;
}
