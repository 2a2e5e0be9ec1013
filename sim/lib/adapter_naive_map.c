/* The naive baseline (plugins/naive_map.c) as a built-in engine type, "naive-map": the same
 * source as the plugin, compiled into norbench under another function name (sim/CMakeLists.txt),
 * so every lifetime and comparison has its baseline without a library to find. */
#include "adapter_plugin.h"

int adapter_naive_map_create(adapter *out, nor *dev, const adapter_config *cfg) {
    return adapter_plugin_create(out, dev, cfg, naive_map_engine_v1());
}
