/* The runner's key-value model catches broken engines: one that converts a value read in another
 * format instead of refusing it, and one whose key iteration leaks another domain's keys (then
 * listing every domain's keys); it passes the honest engine on the same steps, and settles a
 * write a power cut left in flight as old or new. */
#include "adapter.h"
#include "kv_view.h"
#include "nbs_kv.h"
#include "run_inline.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLASH_AND_KV                                                                               \
    "\"flash\": { \"preset\": \"w25q16jv\", \"sectors\": 4 }, \"engine\": { \"type\": \"kv\" },"

static adapter honest;
static adapter_kv_ops broken_ops;

static int create_honest_kv(adapter *out, nor *dev, const adapter_config *cfg) {
    int rc = adapter_nbs_kv_create(out, dev, cfg);
    honest = *out;
    broken_ops = *out->kv;
    out->kv = &broken_ops;
    return rc;
}

/* Reads in any format: a value of another format comes back as its bytes. */
static int converting_read(void *ctx, const void *name, size_t name_len, const void *key,
                           size_t key_len, int format, void *buf, size_t capacity, size_t *len,
                           int *stored) {
    int rc = honest.kv->read(ctx, name, name_len, key, key_len, format, buf, capacity, len, stored);
    if (rc != NBS_E_KV_TYPE) return rc;
    return honest.kv->read(ctx, name, name_len, key, key_len, NBS_KV_ANY, buf, capacity, len,
                           stored);
}

static adapter_visit_fn leak_visit;
static void *leak_ctx;
static const uint8_t *leak_name;
static size_t leak_name_len;

/* The leak: after the domain's own keys, every other domain's, from the whole-store view. */
static int visit_foreign(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                         size_t value_len, bool *pop) {
    (void)ctx, (void)value, (void)value_len;
    kv_view_key k;
    if (!kv_view_parse_key(key, key_len, &k) || k.is_domain) return 0;
    if (k.name_len == leak_name_len && !memcmp(k.name, leak_name, k.name_len)) return 0;
    return leak_visit(leak_ctx, k.key, k.key_len, NULL, 0, pop);
}

static int keys_with_foreign(void *ctx, const void *name, size_t name_len, adapter_visit_fn visit,
                             void *visit_ctx) {
    int rc = honest.kv->keys(ctx, name, name_len, visit, visit_ctx); /* closed stays closed */
    if (rc) return rc;
    leak_visit = visit, leak_ctx = visit_ctx, leak_name = name, leak_name_len = name_len;
    return honest.iterate(ctx, visit_foreign, NULL);
}

static int create_converting_kv(adapter *out, nor *dev, const adapter_config *cfg) {
    int rc = create_honest_kv(out, dev, cfg);
    broken_ops.read = converting_read;
    return rc;
}

static int create_leaking_kv(adapter *out, nor *dev, const adapter_config *cfg) {
    int rc = create_honest_kv(out, dev, cfg);
    broken_ops.keys = keys_with_foreign;
    return rc;
}

static scenario_result run_kv(adapter_create_fn create, const char *steps) {
    char text[4096];
    snprintf(text, sizeof text, "{ \"name\": \"kv\", " FLASH_AND_KV " \"steps\": [%s] }", steps);
    adapter_kind kind = {"kv", ADAPTER_CAN_KV, create, NULL};
    runner_options opts = {.engine = &kind};
    return run_text(text, &opts);
}

#define TYPED_STEPS                                                                                \
    "{ \"kv_open\": { \"domain\": \"a\" } },"                                                      \
    "{ \"kv_open\": { \"domain\": \"b\" } },"                                                      \
    "{ \"kv_write\": { \"domain\": \"a\", \"key\": \"n\", \"value\": 513, \"format\": "            \
    "\"uint16\" } },"                                                                              \
    "{ \"kv_write\": { \"domain\": \"b\", \"key\": \"other\", \"value\": \"x\", \"format\": "      \
    "\"string\" } },"                                                                              \
    "{ \"kv_read\": { \"domain\": \"a\", \"key\": \"n\", \"format\": \"int16\" } },"               \
    "{ \"kv_keys\": { \"domain\": \"a\" } }"

Test(runner_kv, the_honest_engine_passes) {
    scenario_result r = run_kv(create_honest_kv, TYPED_STEPS ", { \"check\": {} }");
    cr_assert_eq(r.verdict, RUN_PASS, "%s", r.message);
    free(r.sector_erases);
}

Test(runner_kv, a_read_that_converts_formats_is_caught_without_expectation) {
    scenario_result r = run_kv(create_converting_kv, TYPED_STEPS);
    expect_failure(&r, "steps[4]",
                   "kv_read: expected error kv_type (the reference model), got hex 0102 (2 bytes)");
    free(r.sector_erases);
}

Test(runner_kv, keys_leaking_from_another_domain_are_caught) {
    scenario_result r = run_kv(create_leaking_kv, TYPED_STEPS);
    expect_failure(&r, "steps[5]",
                   "kv_keys: expected 1 key: \"n\" (1 byte) (the reference model), got 2 keys");
    free(r.sector_erases);
}

Test(runner_kv, a_cut_in_flight_settles_old_or_new_and_domains_stay_closed_after_power_on) {
    scenario_result r = run_kv(create_honest_kv, "{ \"kv_open\": { \"domain\": \"a\" } },"
                                                 "{ \"power_cut\": { \"after_ops\": 1 } },"
                                                 "{ \"kv_write\": { \"domain\": \"a\", \"key\": "
                                                 "\"k\", \"value\": { \"random\": 100 }, "
                                                 "\"format\": \"buffer\" } },"
                                                 "{ \"power_on\": {} },"
                                                 "{ \"kv_read\": { \"domain\": \"a\", \"key\": "
                                                 "\"k\", \"format\": \"buffer\" }, \"expect\": "
                                                 "{ \"error\": \"kv_closed\" } },"
                                                 "{ \"kv_open\": { \"domain\": \"a\", \"mode\": "
                                                 "\"r\" } },"
                                                 "{ \"kv_read\": { \"domain\": \"a\", \"key\": "
                                                 "\"k\", \"format\": \"buffer\" } },"
                                                 "{ \"check\": {} }");
    cr_assert_eq(r.verdict, RUN_PASS, "%s", r.message);
    free(r.sector_erases);
}

Test(runner_kv, an_engine_without_domains_is_refused_by_name) {
    const char *text = "{ \"name\": \"kv\", " FLASH_AND_KV
                       " \"steps\": [ { \"kv_open\": { \"domain\": \"a\" } } ] }";
    adapter_kind map_kind = {"map", ADAPTER_CAN_MAP, adapter_nbs_map_create, NULL};
    runner_options opts = {.engine = &map_kind};
    scenario_result r = run_text(text, &opts);
    cr_assert_eq(r.verdict, RUN_ERROR, "%s", r.message);
    cr_assert(strstr(r.message, "the map engine is not a kv engine, and this scenario's kv_open "
                                "(steps[0]) needs one"),
              "%s", r.message);
    free(r.sector_erases);
    /* An adapter that claims domains but has no kv operations fails the step, not the run. */
    r = run_kv(adapter_nbs_map_create, "{ \"kv_open\": { \"domain\": \"a\" } }");
    expect_failure(&r, "steps[0]", "kv_open: the map engine has no key-value domains");
    free(r.sector_erases);
}
