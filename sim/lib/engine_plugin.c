/* Loading an engine plugin: dlopen the shared object, find its one exported function, check
 * the operations it returns, and make the adapter kind the runner drives it through. Every
 * refusal is one sentence naming the file. Also which file a loaded plugin came from. */
#define _GNU_SOURCE /* dladdr */
#include "adapter_plugin.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef const norbench_engine_ops *(*engine_entry_fn)(void);

static int refuse(engine_plugin *out, char *why, size_t why_size, const char *path,
                  const char *detail) {
    snprintf(why, why_size, "engine plugin %s: %s", path, detail);
    engine_plugin_unload(out);
    return -1;
}

int engine_plugin_load(engine_plugin *out, const char *path, char *why, size_t why_size) {
    memset(out, 0, sizeof *out);
    char local[4096];
    /* dlopen searches the library path for a bare name; a user means the file here. */
    snprintf(local, sizeof local, "%s%s", strchr(path, '/') ? "" : "./", path);
    dlerror();
    out->handle = dlopen(local, RTLD_NOW | RTLD_LOCAL);
    if (!out->handle) {
        const char *error = dlerror();
        size_t named = strlen(local);
        /* dlerror() starts with the file's name, which the message already gives. */
        if (error && strncmp(error, local, named) == 0 && strncmp(error + named, ": ", 2) == 0)
            error += named + 2;
        return refuse(out, why, why_size, path, error ? error : "cannot be loaded");
    }
    /* POSIX: a function pointer read through dlsym's object pointer. */
    engine_entry_fn entry;
    void *symbol = dlsym(out->handle, NORBENCH_ENGINE_SYMBOL);
    memcpy(&entry, &symbol, sizeof entry);
    if (!symbol)
        return refuse(out, why, why_size, path,
                      "exports no function " NORBENCH_ENGINE_SYMBOL
                      " (a plugin defines it; see docs/plugins.md)");
    const norbench_engine_ops *ops = entry();
    char detail[300];
    if (adapter_plugin_check(ops, detail, sizeof detail))
        return refuse(out, why, why_size, path, detail);
    out->kind = (adapter_kind){
        .name = ops->name, .capabilities = ops->capabilities, .create = NULL, .plugin = ops};
    return 0;
}

void engine_plugin_unload(engine_plugin *plugin) {
    if (plugin && plugin->handle) dlclose(plugin->handle);
    if (plugin) memset(plugin, 0, sizeof *plugin);
}

bool engine_plugin_file(const adapter_kind *kind, char *out, size_t size) {
    Dl_info info;
    char resolved[PATH_MAX];
    if (!kind || kind->create || !kind->plugin || !dladdr(kind->plugin, &info) || !info.dli_fname ||
        !realpath(info.dli_fname, resolved))
        return false;
    return snprintf(out, size, "%s", resolved) < (int)size;
}
