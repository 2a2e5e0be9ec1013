/* Deliberately broken engine plugins, for the tests that show norbench refuses or reports each
 * (tests/plugins/plugins.sh): naive-map with one flaw chosen at compile time. BROKEN_VERSION:
 * built for interface version 2; BROKEN_SYMBOL: exports the function under another name;
 * BROKEN_NULL_FETCH: a map without fetch; BROKEN_CRASH: a segmentation fault in the first mount
 * after a power cut. */
#define norbench_engine_v1 naive_map_engine_for_tests
#include "../../sim/lib/plugins/naive_map.c"
#undef norbench_engine_v1

#include <signal.h>

static norbench_engine_ops broken_ops;

#if defined(BROKEN_CRASH)
/* A store the power cut interrupted (its flash call failed) sets this; the mount after it
 * crashes. A run without cuts never crashes. */
static bool store_was_cut;

static int store_noting_cuts(void *state, const void *key, size_t key_len, const void *value,
                             size_t len) {
    int rc = naive_store(state, key, key_len, value, len);
    if (rc == NORBENCH_E_IO) store_was_cut = true;
    return rc;
}

static int mount_crashing_after_cut(void *state, const norbench_flash *flash) {
    if (store_was_cut) raise(SIGSEGV);
    return naive_mount(state, flash);
}
#endif

static const norbench_engine_ops *broken(void) {
    broken_ops = *naive_map_engine_for_tests();
#if defined(BROKEN_VERSION)
    broken_ops.version = NORBENCH_ENGINE_VERSION + 1;
#elif defined(BROKEN_NULL_FETCH)
    broken_ops.fetch = NULL;
#elif defined(BROKEN_CRASH)
    broken_ops.store = store_noting_cuts;
    broken_ops.mount = mount_crashing_after_cut;
#endif
    return &broken_ops;
}

#if defined(BROKEN_SYMBOL)
const norbench_engine_ops *norbench_engine(void) {
    return broken();
}
#else
const norbench_engine_ops *norbench_engine_v1(void) {
    return broken();
}
#endif
