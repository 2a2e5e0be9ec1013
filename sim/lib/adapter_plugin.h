/* Engines written against the public plugin interface (norbench_engine.h) as adapters: the
 * checks a plugin's operations must pass, the adapter around them, and the shared objects that
 * hold them (loaded with dlopen). */
#ifndef NORBENCH_ADAPTER_PLUGIN_H
#define NORBENCH_ADAPTER_PLUGIN_H

#include "adapter.h"
#include "norbench_engine.h"

/* 0, or NBS_E_INVAL with `why` saying what is wrong: NULL operations, another interface
 * version, capabilities outside NORBENCH_CAN_*, a mandatory operation missing. */
int adapter_plugin_check(const norbench_engine_ops *ops, char *why, size_t why_size);

/* An adapter driving `ops` on `dev` (as adapter_create_fn). NBS_E_INVAL when the operations
 * fail adapter_plugin_check, NBS_E_GEOMETRY, NBS_E_CACHE_MEM. */
int adapter_plugin_create(adapter *out, nor *dev, const adapter_config *cfg,
                          const norbench_engine_ops *ops);

/* A shared object loaded from `path`: its handle and the adapter kind that drives it. */
#define ENGINE_PLUGIN_WHY_MAX 512
typedef struct engine_plugin {
    void *handle;
    adapter_kind kind; /* kind.plugin: the library's operations */
} engine_plugin;

/* Loads `path` (a name without '/' is a file in the current folder, not a library search),
 * looks up NORBENCH_ENGINE_SYMBOL and checks what it returns. 0, or -1 with `why` naming the
 * file and saying what is wrong (no such file, not a shared object, no such symbol, another
 * interface version, a NULL mandatory operation). */
int engine_plugin_load(engine_plugin *out, const char *path, char *why, size_t why_size);
void engine_plugin_unload(engine_plugin *plugin);
/* The absolute path of the shared object a loaded plugin's kind came from (its operations'
 * address, asked of the dynamic loader); false for a built-in kind. */
bool engine_plugin_file(const adapter_kind *kind, char *out, size_t size);

/* The naive baseline (plugins/naive_map.c) built into norbench: engine type "naive-map". */
const norbench_engine_ops *naive_map_engine_v1(void);
int adapter_naive_map_create(adapter *out, nor *dev, const adapter_config *cfg);

#endif
