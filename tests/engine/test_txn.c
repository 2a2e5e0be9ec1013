/* Multi-key transactions on the map (engine/SPEC.md section 3.4): a commit applies every staged
 * write or none (also after a power cut at each flash operation of the commit), an abort none;
 * readers (fetch, has, count, iteration, the key cache in check mode, GC, a remount) see the
 * members of a TXN item; a transaction larger than a page or than the store's room is refused
 * before anything is written. */
#include "engine_check.h"
#include "engine_fixture.h"
#include "nbs_kv.h"
#include "ref_model.h"
#include "seeded_rng.h"
#include "workload.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static uint8_t stage_buf[8192];

/* A map of `pages` 256-byte pages written a byte at a time, its model and a seeded generator. */
typedef struct txn_case {
    engine_fixture f;
    ref_map model;
    seeded_rng rng;
} txn_case;

static void start(txn_case *tc, ef_cache_level cache, uint32_t pages, uint64_t seed) {
    ef_open_custom(&tc->f, EF_MAP, 1, 256, pages, NOR_WRITES_UNLIMITED, cache);
    ref_map_init(&tc->model);
    seeded_rng_seed(&tc->rng, seed);
}

static void finish(txn_case *tc) {
    ref_map_free(&tc->model);
    ef_close(&tc->f);
}

/* Begins a transaction in the engine (staged in stage_buf) and in the model. */
static void begin(txn_case *tc, nbs_map_txn *txn) {
    int rc = nbs_map_txn_begin(&tc->f.map, txn, stage_buf, sizeof stage_buf);
    cr_assert_eq(rc, NBS_OK, "txn begin: %s", nbs_strerror(rc));
    ref_map_txn_begin(&tc->model);
}

static void verify(txn_case *tc, const char *when) {
    char why[EC_WHY_SIZE];
    cr_assert(ec_map_verify(&tc->f, &tc->model, why), "%s: %s", when, why);
}

/* Stages a store (a removal) in the engine's transaction and the model's. */
static void txn_store(txn_case *tc, nbs_map_txn *txn, uint32_t id, size_t len) {
    uint8_t key[NBS_KEY_MAX], value[256];
    size_t key_len = wl_key(id, key);
    wl_value(&tc->rng, value, len);
    int rc = nbs_map_txn_store(txn, key, key_len, value, len);
    cr_assert_eq(rc, NBS_OK, "stage store of key %u: %s", id, nbs_strerror(rc));
    ref_map_txn_stage(&tc->model, false, key, key_len, value, len);
}

static void txn_remove(txn_case *tc, nbs_map_txn *txn, uint32_t id) {
    uint8_t key[NBS_KEY_MAX];
    size_t key_len = wl_key(id, key);
    int rc = nbs_map_txn_remove(txn, key, key_len);
    cr_assert_eq(rc, NBS_OK, "stage removal of key %u: %s", id, nbs_strerror(rc));
    ref_map_txn_stage(&tc->model, true, key, key_len, NULL, 0);
}

/* A plain store: NBS_OK or NBS_E_FULL (returned), the model following. */
static int plain_store(txn_case *tc, uint32_t id, size_t len) {
    uint8_t key[NBS_KEY_MAX], value[256];
    size_t key_len = wl_key(id, key);
    wl_value(&tc->rng, value, len);
    int rc = nbs_map_store(&tc->f.map, key, key_len, value, len);
    cr_assert(rc == NBS_OK || rc == NBS_E_FULL, "store of key %u: %s", id, nbs_strerror(rc));
    if (!rc) ref_map_store(&tc->model, key, key_len, value, len);
    return rc;
}

static void commit(txn_case *tc, nbs_map_txn *txn, int want) {
    ref_map_begin_txn_commit(&tc->model);
    int rc = nbs_map_txn_commit(txn);
    cr_assert_eq(rc, want, "commit: %s, expected %s", nbs_strerror(rc), nbs_strerror(want));
    ref_map_end(&tc->model, rc == NBS_OK);
    ref_map_txn_abort(&tc->model);
}

Test(txn, commit_applies_every_write_and_abort_none) {
    for (ef_cache_level cache = EF_CACHE_NONE; cache < EF_CACHE_LEVELS; cache++) {
        txn_case tc;
        start(&tc, cache, 4, 7);
        for (uint32_t id = 0; id < 4; id++) plain_store(&tc, id, 5);
        nbs_map_txn txn;
        begin(&tc, &txn);
        txn_store(&tc, &txn, 1, 9);
        txn_store(&tc, &txn, 10, 3);
        txn_remove(&tc, &txn, 2);
        txn_store(&tc, &txn, 10, 6);          /* staged twice: the last write counts */
        txn_remove(&tc, &txn, 77);            /* absent: no effect */
        verify(&tc, "staged, not committed"); /* readers do not see staged writes */
        commit(&tc, &txn, NBS_OK);
        verify(&tc, "after the commit");
        cr_assert_eq(nbs_map_txn_store(&txn, "k", 1, "v", 1), NBS_E_TXN_CLOSED);
        cr_assert_eq(nbs_map_txn_commit(&txn), NBS_E_TXN_CLOSED);

        begin(&tc, &txn);
        cr_assert_eq(nbs_map_txn_store(&txn, "zz", 2, "v", 1), NBS_OK);
        nbs_map_txn_abort(&txn);
        ref_map_txn_abort(&tc.model);
        cr_assert_eq(nbs_map_txn_commit(&txn), NBS_E_TXN_CLOSED);
        verify(&tc, "after an abort");
        cr_assert_eq(ef_mount(&tc.f), NBS_OK);
        verify(&tc, "after a remount");
        finish(&tc);
    }
}

Test(txn, too_big_and_buffer_full_write_nothing) {
    txn_case tc;
    start(&tc, EF_CACHE_ALL, 4, 9);
    plain_store(&tc, 1, 4);
    nor_stats before, after;
    ef_stats(&tc.f, &before);
    uint32_t max = nbs_map_txn_max(&tc.f.binding.flash), used = 0;
    cr_assert_gt(max, 0);
    nbs_map_txn txn;
    begin(&tc, &txn);
    for (uint32_t id = 100; used <= max; id++) {
        uint8_t key[NBS_KEY_MAX];
        txn_store(&tc, &txn, id, 20);
        used += nbs_map_txn_member_bytes(&tc.f.binding.flash, wl_key(id, key), 20);
    }
    cr_assert_eq(txn.used, used, "staging bytes: %u, nbs_map_txn_member_bytes says %u", txn.used,
                 used);
    commit(&tc, &txn, NBS_E_TOO_BIG);
    ef_stats(&tc.f, &after);
    cr_assert_eq(after.program_calls, before.program_calls, "a refused commit programmed");
    cr_assert_eq(after.erase_calls, before.erase_calls, "a refused commit erased");
    verify(&tc, "after a refused commit");

    uint8_t small[8];
    cr_assert_eq(nbs_map_txn_begin(&tc.f.map, &txn, small, sizeof small), NBS_OK);
    cr_assert_eq(nbs_map_txn_store(&txn, "key", 3, "value", 5), NBS_E_TXN_BUFFER);
    cr_assert_eq(nbs_map_txn_commit(&txn), NBS_OK); /* nothing staged: nothing written */
    ef_stats(&tc.f, &after);
    cr_assert_eq(after.program_calls, before.program_calls);
    finish(&tc);
}

Test(txn, full_store_refuses_before_writing) {
    txn_case tc;
    start(&tc, EF_CACHE_NONE, 3, 11);
    for (uint32_t id = 0; plain_store(&tc, id, 40) == NBS_OK; id++) {
    } /* the store is full of live keys */
    nor_stats before, after;
    ef_stats(&tc.f, &before);
    nbs_map_txn txn;
    begin(&tc, &txn);
    txn_store(&tc, &txn, 1000, 40);
    txn_store(&tc, &txn, 1001, 40);
    commit(&tc, &txn, NBS_E_FULL);
    ef_stats(&tc.f, &after);
    cr_assert_eq(after.program_calls, before.program_calls, "a commit refused as full programmed");
    cr_assert_eq(after.erase_calls, before.erase_calls, "a commit refused as full erased");
    verify(&tc, "after a commit refused as full");
    finish(&tc);
}

/* Random transactions mixed with plain writes on 4 small pages: GC rounds copy TXN members,
 * the key cache (check mode) follows them, remounts read them. */
Test(txn, random_transactions_survive_gc_and_remounts) {
    for (ef_cache_level cache = EF_CACHE_NONE; cache < EF_CACHE_LEVELS; cache += 3) {
        txn_case tc;
        start(&tc, cache, 4, 21);
        for (int round = 0; round < 300; round++) {
            if (seeded_rng_range(&tc.rng, 0, 2) == 0) {
                cr_assert_eq(plain_store(&tc, seeded_rng_range(&tc.rng, 0, 11),
                                         seeded_rng_range(&tc.rng, 1, 12)),
                             NBS_OK);
            } else {
                nbs_map_txn txn;
                begin(&tc, &txn);
                uint32_t writes = seeded_rng_range(&tc.rng, 1, 4);
                for (uint32_t w = 0; w < writes; w++) {
                    uint32_t id = seeded_rng_range(&tc.rng, 0, 11);
                    if (seeded_rng_range(&tc.rng, 0, 3) == 0)
                        txn_remove(&tc, &txn, id);
                    else
                        txn_store(&tc, &txn, id, seeded_rng_range(&tc.rng, 1, 12));
                }
                commit(&tc, &txn, NBS_OK);
            }
            char when[64];
            snprintf(when, sizeof when, "cache %d, round %d", (int)cache, round);
            verify(&tc, when);
            if (round % 37 == 36) {
                cr_assert_eq(ef_mount(&tc.f), NBS_OK);
                verify(&tc, when);
            }
        }
        finish(&tc);
    }
}

/* A power cut at every flash operation of a commit, in several torn modes: the mount that follows
 * reads all of the transaction or none of it (a mix fails ec_settle_and_verify). */
Test(txn, cut_at_every_operation_of_a_commit_is_all_or_none) {
    static const nor_torn_program modes[] = {NOR_TORN_PROG_NONE, NOR_TORN_PROG_PREFIX,
                                             NOR_TORN_PROG_BITS, NOR_TORN_PROG_METASTABLE,
                                             NOR_TORN_PROG_LATE};
    for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
        for (uint64_t at = 0;; at++) {
            txn_case tc;
            start(&tc, EF_CACHE_ALL, 4, 5);
            for (uint32_t id = 0; id < 6; id++) plain_store(&tc, id, 20);
            nbs_map_txn txn;
            begin(&tc, &txn);
            for (uint32_t id = 3; id < 8; id++) txn_store(&tc, &txn, id, 24);
            txn_remove(&tc, &txn, 0);
            ref_map_begin_txn_commit(&tc.model);
            ref_map_txn_abort(&tc.model);
            ef_arm_cut(&tc.f, at, modes[m], NOR_TORN_ERASE_PARTIAL);
            int rc = nbs_map_txn_commit(&txn);
            bool cut = !nor_is_powered(tc.f.dev);
            if (!cut) { /* the commit ended before the cut: every operation was tried */
                cr_assert_eq(rc, NBS_OK, "mode %zu, cut at %llu: %s", m, (unsigned long long)at,
                             nbs_strerror(rc));
                finish(&tc);
                break;
            }
            cr_assert_eq(ef_power_on_and_mount(&tc.f), NBS_OK);
            char why[EC_WHY_SIZE];
            cr_assert(ec_settle_and_verify(&tc.f, &tc.model, NULL, why),
                      "mode %zu, cut at %llu: %s", m, (unsigned long long)at, why);
            finish(&tc);
        }
    }
}

/* The names the inspection and the messages give the new kind and errors. */
Test(txn, names_of_the_txn_kind_and_errors) {
    cr_assert_str_eq(nbs_item_kind_name(NBS_ITEM_TXN), "txn");
    cr_assert_str_eq(nbs_item_kind_name(NBS_ITEM_RESERVED), "reserved");
    cr_assert_str_eq(nbs_strerror(NBS_E_TXN_CLOSED), "no transaction open");
    cr_assert_str_eq(nbs_strerror(NBS_E_TXN_BUFFER), "transaction buffer full");
    cr_assert_str_eq(nbs_strerror(NBS_E_READ_ONLY), "store mounted read-only");
    cr_assert_str_eq(nbs_strerror(NBS_E_FS_NOT_LINK - 1), "unknown error");
}

typedef struct txn_seen {
    uint32_t txn_items, live;
} txn_seen;

static int see_item(void *ctx, const nbs_item_info *item) {
    txn_seen *seen = ctx;
    if (item->kind == NBS_ITEM_TXN) {
        seen->txn_items++;
        seen->live += item->state == NBS_ITEM_LIVE && item->crc_ok;
    }
    return 0;
}

/* The inspection reports a TXN item, live while one of its members is the newest version of its
 * key, superseded once every member is. */
Test(txn, inspection_reports_a_txn_item_and_its_liveness) {
    txn_case tc;
    start(&tc, EF_CACHE_NONE, 4, 13);
    nbs_map_txn txn;
    begin(&tc, &txn);
    txn_store(&tc, &txn, 1, 4);
    txn_store(&tc, &txn, 2, 4);
    commit(&tc, &txn, NBS_OK);
    nbs_log log;
    nbs_inspect_summary summary;
    txn_seen seen = {0};
    nbs_inspect_visitor visitor = {&seen, NULL, see_item};
    cr_assert_eq(nbs_inspect(&log, &tc.f.config, false, 0, 4, &visitor, &summary), NBS_OK);
    cr_assert_eq(seen.txn_items, 1);
    cr_assert_eq(seen.live, 1, "a TXN holding newest versions reads live");
    plain_store(&tc, 1, 5);
    seen = (txn_seen){0};
    cr_assert_eq(nbs_inspect(&log, &tc.f.config, false, 0, 4, &visitor, &summary), NBS_OK);
    cr_assert_eq(seen.live, 1, "one member (key 2) is still the newest");
    plain_store(&tc, 2, 5);
    seen = (txn_seen){0};
    cr_assert_eq(nbs_inspect(&log, &tc.f.config, false, 0, 4, &visitor, &summary), NBS_OK);
    cr_assert_eq(seen.txn_items, 1);
    cr_assert_eq(seen.live, 0, "every member superseded: the TXN is not live");
    verify(&tc, "after the inspections");
    finish(&tc);
}

/* A transaction across two key-value domains: staged typed writes and a delete are read only
 * after the commit, all of them; an abort leaves none; a domain in mode r refuses to stage, a
 * transaction of another store is refused. */
Test(txn, domain_transaction_spans_two_domains) {
    txn_case tc;
    start(&tc, EF_CACHE_ALL, 4, 17);
    static uint8_t kv_buf[NBS_KEY_MAX + 256];
    nbs_kv kv;
    cr_assert_eq(nbs_kv_init(&kv, &tc.f.map, kv_buf, sizeof kv_buf), NBS_OK);
    nbs_kv_domain cfg, net, cfg_ro;
    cr_assert_eq(nbs_kv_open(&kv, &cfg, "cfg", 3, true), NBS_OK);
    cr_assert_eq(nbs_kv_open(&kv, &net, "net", 3, true), NBS_OK);
    cr_assert_eq(nbs_kv_open(&kv, &cfg_ro, "cfg", 3, false), NBS_OK);
    uint8_t one = 1, two = 2, got[8];
    size_t len;
    cr_assert_eq(nbs_kv_write(&cfg, "mode", 4, NBS_KV_UINT8, &one, 1), NBS_OK);
    cr_assert_eq(nbs_kv_write(&net, "old", 3, NBS_KV_STRING, "x", 1), NBS_OK);

    nbs_map_txn txn;
    cr_assert_eq(nbs_map_txn_begin(&tc.f.map, &txn, stage_buf, sizeof stage_buf), NBS_OK);
    cr_assert_eq(nbs_kv_txn_write(&cfg, &txn, "mode", 4, NBS_KV_UINT8, &two, 1), NBS_OK);
    cr_assert_eq(nbs_kv_txn_write(&net, &txn, "port", 4, NBS_KV_UINT16, "\x50\x1f", 2), NBS_OK);
    cr_assert_eq(nbs_kv_txn_delete(&net, &txn, "old", 3), NBS_OK);
    cr_assert_eq(nbs_kv_txn_write(&cfg_ro, &txn, "x", 1, NBS_KV_UINT8, &one, 1), NBS_E_KV_MODE);
    cr_assert_eq(nbs_kv_txn_write(&cfg, &txn, "x", 1, NBS_KV_UINT16, &one, 1), NBS_E_INVAL);
    cr_assert_eq(nbs_kv_read(&cfg, "mode", 4, NBS_KV_UINT8, got, sizeof got, &len, NULL), NBS_OK);
    cr_assert_eq(got[0], 1, "a staged write is not read before the commit");
    cr_assert_eq(nbs_map_txn_commit(&txn), NBS_OK);
    cr_assert_eq(nbs_kv_read(&cfg, "mode", 4, NBS_KV_UINT8, got, sizeof got, &len, NULL), NBS_OK);
    cr_assert_eq(got[0], 2);
    cr_assert_eq(nbs_kv_read(&net, "port", 4, NBS_KV_UINT16, got, sizeof got, &len, NULL), NBS_OK);
    cr_assert(len == 2 && got[0] == 0x50 && got[1] == 0x1f);
    cr_assert_eq(nbs_kv_read(&net, "old", 3, NBS_KV_ANY, got, sizeof got, &len, NULL),
                 NBS_E_NOT_FOUND);

    cr_assert_eq(nbs_map_txn_begin(&tc.f.map, &txn, stage_buf, sizeof stage_buf), NBS_OK);
    cr_assert_eq(nbs_kv_txn_write(&cfg, &txn, "mode", 4, NBS_KV_UINT8, &one, 1), NBS_OK);
    nbs_map_txn_abort(&txn);
    cr_assert_eq(nbs_kv_read(&cfg, "mode", 4, NBS_KV_UINT8, got, sizeof got, &len, NULL), NBS_OK);
    cr_assert_eq(got[0], 2, "an aborted transaction wrote");

    nbs_map other;
    nbs_map_txn foreign = {.map = &other, .open = true};
    cr_assert_eq(nbs_kv_txn_write(&cfg, &foreign, "mode", 4, NBS_KV_UINT8, &one, 1), NBS_E_INVAL);
    finish(&tc);
}
