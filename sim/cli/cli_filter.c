/* --filter GLOB: the scenario files whose scenario name matches a shell pattern (fnmatch), for
 * `norbench run` and `norbench powercut`. */
#include "run_matrix.h"
#include "scenario.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The scenario's name, or for a file that does not load its file name without ".json". */
static void scenario_name_of(const char *path, char *out, size_t size) {
    scenario *sc = NULL;
    scenario_errors errors;
    if (scenario_load_file(path, &sc, &errors) == SCENARIO_OK) {
        snprintf(out, size, "%s", sc->name);
    } else {
        const char *base = strrchr(path, '/');
        snprintf(out, size, "%s", base ? base + 1 : path);
        size_t n = strlen(out);
        if (n > 5 && strcmp(out + n - 5, ".json") == 0) out[n - 5] = '\0';
    }
    scenario_free(sc);
    scenario_errors_free(&errors);
}

int cli_filter_scenarios(const cli_command *cmd, path_list *files, const char *glob) {
    size_t kept = 0;
    for (size_t i = 0; i < files->count; i++) {
        char name[SCENARIO_NAME_MAX + 1];
        scenario_name_of(files->items[i], name, sizeof name);
        if (fnmatch(glob, name, 0) == 0)
            files->items[kept++] = files->items[i];
        else
            free(files->items[i]);
    }
    size_t given = files->count;
    files->count = kept;
    if (kept == 0)
        return given == 1
                   ? cli_usage_error(cmd, "--filter '%s' does not match the one scenario", glob)
                   : cli_usage_error(cmd, "--filter '%s' matches none of the %zu scenarios", glob,
                                     given);
    return CLI_EXIT_OK;
}
