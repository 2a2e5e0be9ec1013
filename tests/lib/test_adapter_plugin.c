/* A plugin's operations as an adapter (sim/lib/adapter_plugin.c): what adapter_plugin_check
 * refuses and the message naming it, the state block a mount finds (garbage) and that
 * save/restore copy, the flash figures a plugin is given, and the answers norbench makes for
 * the optional operations a plugin leaves out. The engine under test is the built-in naive-map
 * (the same source as the plugin) with operations swapped. */
#include "adapter_plugin.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static nor *open_preset(const char *name) {
    nor *dev = NULL;
    cr_assert_eq(nor_create(&dev, nor_preset_find(name), 1), NOR_OK);
    return dev;
}

static norbench_engine_ops naive(void) {
    return *naive_map_engine_v1();
}

static void expect_refused(const norbench_engine_ops *ops, const char *needle) {
    char why[300] = "";
    cr_assert_eq(adapter_plugin_check(ops, why, sizeof why), NBS_E_INVAL, "accepted: %s", needle);
    cr_assert(strstr(why, needle), "'%s' does not say '%s'", why, needle);
}

Test(adapter_plugin, the_naive_baseline_passes_the_checks) {
    norbench_engine_ops ops = naive();
    char why[300] = "";
    cr_assert_eq(adapter_plugin_check(&ops, why, sizeof why), NBS_OK, "%s", why);
}

Test(adapter_plugin, a_wrong_version_or_capability_is_refused) {
    norbench_engine_ops ops = naive();
    ops.version = NORBENCH_ENGINE_VERSION + 1;
    expect_refused(&ops, "interface version 2; this norbench takes version 1");
    ops = naive();
    ops.capabilities = 0;
    expect_refused(&ops, "capabilities is 0x0");
    ops.capabilities = NORBENCH_CAN_MAP | 4u;
    expect_refused(&ops, "capabilities is 0x5");
    expect_refused(NULL, "returned NULL");
}

Test(adapter_plugin, each_mandatory_operation_is_named_when_null) {
    static const char *const names[] = {"name",    "state_size", "mount", "format",
                                        "iterate", "store",      "fetch", "remove"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        norbench_engine_ops ops = naive();
        switch (i) {
        case 0: ops.name = NULL; break;
        case 1: ops.state_size = NULL; break;
        case 2: ops.mount = NULL; break;
        case 3: ops.format = NULL; break;
        case 4: ops.iterate = NULL; break;
        case 5: ops.store = NULL; break;
        case 6: ops.fetch = NULL; break;
        default: ops.remove = NULL; break;
        }
        char needle[64];
        snprintf(needle, sizeof needle, "its operation '%s' is NULL; a map engine", names[i]);
        expect_refused(&ops, needle);
    }
    /* A queue needs push, peek and pop; a map does not. */
    norbench_engine_ops ops = naive();
    ops.capabilities = NORBENCH_CAN_MAP | NORBENCH_CAN_QUEUE;
    expect_refused(&ops, "its operation 'push' is NULL");
    ops.capabilities = NORBENCH_CAN_MAP;
    ops.has = NULL, ops.count = NULL, ops.remove_all = NULL, ops.max_value_size = NULL;
    char why[300];
    cr_assert_eq(adapter_plugin_check(&ops, why, sizeof why), NBS_OK, "optional ones: %s", why);
}

/* A mount that records what it found in the state block and the flash it was given. */
static uint8_t seen_state[16];
static norbench_flash seen_flash;

static int recording_mount(void *state, const norbench_flash *flash) {
    memcpy(seen_state, (uint8_t *)state + 64, sizeof seen_state);
    seen_flash = *flash;
    return naive_map_engine_v1()->mount(state, flash);
}

Test(adapter_plugin, a_mount_finds_garbage_and_the_flash_figures) {
    nor *dev = open_preset("nrf52840");
    norbench_engine_ops ops = naive();
    ops.mount = recording_mount;
    adapter a;
    adapter_config cfg = {.start = 8192, .size = 4 * 4096, .page_size = 4096};
    cr_assert_eq(adapter_plugin_create(&a, dev, &cfg, &ops), NBS_OK);
    cr_assert_eq(a.mount(a.ctx), NBS_OK);
    for (size_t i = 0; i < sizeof seen_state; i++) cr_assert_eq(seen_state[i], 0xA5);
    cr_assert_eq(seen_flash.start, 8192);
    cr_assert_eq(seen_flash.size, 4 * 4096);
    cr_assert_eq(seen_flash.page_size, 4096);
    cr_assert_eq(seen_flash.write_unit, 4);
    cr_assert_eq(seen_flash.max_programs_per_unit, 2, "the nRF52840 allows two");
    cr_assert_eq(seen_flash.erase_value, 0xFF);
    /* Its flash calls reach the model. */
    cr_assert_eq(a.store(a.ctx, "k", 1, "v", 1), NBS_OK);
    cr_assert_eq(nor_erase_count(dev, 2), 1, "the store erased the range's first page");
    adapter_destroy(&a);
    nor_destroy(dev);
}

Test(adapter_plugin, optional_operations_are_answered_from_the_mandatory_ones) {
    nor *dev = open_preset("nrf52840");
    norbench_engine_ops ops = naive();
    cr_assert_null(ops.has);
    cr_assert_null(ops.count);
    cr_assert_null(ops.remove_all);
    adapter a;
    adapter_config cfg = {.start = 0, .size = 4 * 4096, .page_size = 4096};
    cr_assert_eq(adapter_plugin_create(&a, dev, &cfg, &ops), NBS_OK);
    cr_assert_eq(a.mount(a.ctx), NBS_OK);
    cr_assert_eq(a.store(a.ctx, "a", 1, "one", 3), NBS_OK);
    cr_assert_eq(a.store(a.ctx, "b", 1, "", 0), NBS_OK);
    bool present = false;
    cr_assert_eq(a.has(a.ctx, "a", 1, &present), NBS_OK);
    cr_assert(present, "a value that does not fit no room");
    cr_assert_eq(a.has(a.ctx, "b", 1, &present), NBS_OK);
    cr_assert(present, "an empty value");
    cr_assert_eq(a.has(a.ctx, "c", 1, &present), NBS_OK);
    cr_assert_not(present);
    uint32_t count = 0;
    cr_assert_eq(a.count(a.ctx, &count), NBS_OK);
    cr_assert_eq(count, 2);
    cr_assert_eq(a.remove_all(a.ctx), NBS_OK);
    cr_assert_eq(a.count(a.ctx, &count), NBS_OK);
    cr_assert_eq(count, 0);
    adapter_destroy(&a);
    nor_destroy(dev);
}

Test(adapter_plugin, the_state_block_is_saved_and_restored_whole) {
    nor *dev = open_preset("nrf52840");
    norbench_engine_ops ops = naive();
    adapter a;
    adapter_config cfg = {.start = 0, .size = 4 * 4096, .page_size = 4096};
    cr_assert_eq(adapter_plugin_create(&a, dev, &cfg, &ops), NBS_OK);
    cr_assert_gt(a.state_size, 4096, "naive-map keeps a page in its state");
    uint8_t *saved = malloc(a.state_size), *back = malloc(a.state_size);
    cr_assert_eq(a.mount(a.ctx), NBS_OK);
    a.save_state(a.ctx, saved);
    /* A store reads and writes its page buffer, in the block: the bytes change... */
    cr_assert_eq(a.store(a.ctx, "key", 3, "value", 5), NBS_OK);
    a.save_state(a.ctx, back);
    cr_assert_neq(memcmp(back, saved, a.state_size), 0);
    /* ...and a restore brings back every byte saved, and a working store. */
    a.restore_state(a.ctx, saved);
    a.save_state(a.ctx, back);
    cr_assert_eq(memcmp(back, saved, a.state_size), 0);
    uint8_t value[8];
    size_t len = 0;
    cr_assert_eq(a.fetch(a.ctx, "key", 3, value, sizeof value, &len), NBS_OK);
    cr_assert_eq(len, 5);
    free(saved), free(back);
    adapter_destroy(&a);
    nor_destroy(dev);
}
