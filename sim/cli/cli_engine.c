/* Which engine a command drives instead of the scenario's own: `--engine-lib PATH` (run,
 * powercut, lifetime) and the names of `--engine` and `--engines` (lifetime, compare): a
 * built-in engine type or "plugin:PATH". A plugin is loaded once and stays loaded for the
 * process; one that cannot be used is one message and exit 2 before anything runs. */
#include "adapter_plugin.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define CLI_PLUGINS_MAX 8
#define PLUGIN_PREFIX   "plugin:"

int cli_engine_lib_load(const cli_command *cmd, const char *flag, const char *path,
                        const adapter_kind **out) {
    static engine_plugin plugins[CLI_PLUGINS_MAX];
    static size_t loaded;
    if (loaded == CLI_PLUGINS_MAX)
        return cli_usage_error(cmd, "%s: at most %d plugins in one command", flag, CLI_PLUGINS_MAX);
    char why[ENGINE_PLUGIN_WHY_MAX];
    if (engine_plugin_load(&plugins[loaded], path, why, sizeof why))
        return cli_usage_error(cmd, "%s: %s", flag, why);
    *out = &plugins[loaded++].kind;
    return CLI_EXIT_OK;
}

const char *cli_engine_names(void) {
    static char names[200];
    if (names[0]) return names;
    size_t used = 0;
    for (size_t i = 0; i < adapter_kind_count() && used < sizeof names; i++)
        used +=
            (size_t)snprintf(names + used, sizeof names - used, "%s, ", adapter_kind_at(i)->name);
    if (used < sizeof names)
        snprintf(names + used, sizeof names - used, "%s", PLUGIN_PREFIX "PATH");
    return names;
}

int cli_engine_find(const cli_command *cmd, const char *flag, const char *name,
                    const adapter_kind **out) {
    if (strncmp(name, PLUGIN_PREFIX, strlen(PLUGIN_PREFIX)) == 0)
        return cli_engine_lib_load(cmd, flag, name + strlen(PLUGIN_PREFIX), out);
    *out = adapter_find(name);
    if (*out) return CLI_EXIT_OK;
    return cli_usage_error(cmd, "%s: unknown engine '%s'; engines: %s", flag, name,
                           cli_engine_names());
}

int cli_engine_lib_setup(const cli_command *cmd, const char *path, const char *target,
                         const adapter_kind **out) {
    *out = NULL;
    if (!path) return CLI_EXIT_OK;
    if (target) return cli_usage_error(cmd, "--engine-lib and --target exclude each other");
    return cli_engine_lib_load(cmd, "--engine-lib", path, out);
}
