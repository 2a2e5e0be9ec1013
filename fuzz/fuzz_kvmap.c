/* libFuzzer target "kvmap": the Map façade (nbs_kvmap.h), written through or write-back as the
 * input chooses (RAM size, staging buffer, threshold), driven by a sequence of set, get, has,
 * delete, clear, size, iterations, flushes, clean reboots and power cuts. Every answer is
 * compared with the model of the RAM view (ref_map); the durable side is the write-back model
 * (ref_write_back.h): after a cut or a reboot the store read back must give each key its value
 * at the last completed flush or one written since (write-through: the old or the new outcome of
 * the write in flight), and nothing else, and the open must load it into the same RAM. The RAM
 * rule (nbs_kvmap_wb_config: each key holds the larger of its record as flushed and in RAM)
 * predicts every NBS_E_RAM_FULL and nbs_kvmap_held_bytes after each write.
 *
 * Input: the map store's header (fuzz_store_start), a mode byte (bit 0: write-back), a RAM size
 * byte (64 + 8 * b bytes), a staging byte (b % 4 quarters of a page, 0: none), a threshold byte
 * (4 * b dirty bytes, 0: flush when asked), then one opcode byte per operation (see run_op). */
#include "fuzz_finding.h"
#include "fuzz_input.h"
#include "fuzz_powercut.h"
#include "fuzz_store.h"
#include "nbs_kvmap.h"
#include "ref_model.h"
#include "ref_write_back.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET "kvmap"

enum { MAX_OPS = 160, KEY_IDS = 12 };

typedef struct kvmap_run {
    fuzz_store store;
    fuzz_input *in;
    nbs_kvmap kvmap;
    nbs_kvmap_wb_config wb;
    bool write_back;
    ref_map model; /* what the Map answers: the RAM in write-back */
    /* write-back: what flash must hold, and the RAM rule's figures, exact while it knows what
     * flash holds (flash_known: every flush since the last complete one wrote all) */
    ref_write_back flash;
    char where[200];
} kvmap_run;

/* Key `id`: 1..6 bytes. */
static size_t make_key(uint32_t id, uint8_t key[8]) {
    id %= KEY_IDS;
    size_t len = 1 + id % 6;
    key[0] = (uint8_t)id;
    for (size_t i = 1; i < len; i++) key[i] = (uint8_t)(id * 17 + i);
    return len;
}

static void open_map(kvmap_run *run) {
    memset(&run->kvmap, 0xA5, sizeof run->kvmap);
    if (run->write_back) memset(run->wb.ram, 0xA5, run->wb.ram_size);
    int rc = run->write_back ? nbs_kvmap_wb_open(&run->kvmap, &run->store.f.map, &run->wb)
                             : nbs_kvmap_open(&run->kvmap, &run->store.f.map);
    /* With write-back, whatever a cut left loads into the RAM the store was written with. */
    FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: open after a mount: %s", run->where, nbs_strerror(rc));
}

/* Flash holds `items`, every write flushed (a completed flush, or a load). */
static void all_flushed(kvmap_run *run, const ref_list *items) {
    ref_write_back_flushed(&run->flash, items);
}

/* Every entry, read through the façade. */
static void read_all(kvmap_run *run, ref_list *out) {
    static uint8_t value[4096];
    nbs_kvmap_iter it;
    nbs_kvmap_iter_init(&run->kvmap, &it, NBS_KVMAP_ENTRIES);
    ref_list_clear(out);
    for (;;) {
        uint8_t key[NBS_KEY_MAX];
        size_t key_len = 0, len = 0;
        int rc = nbs_kvmap_iter_next(&it, key, sizeof key, &key_len, value, sizeof value, &len);
        if (rc == NBS_E_END) return;
        FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: entries: %s", run->where, nbs_strerror(rc));
        ref_list_append(out, key, key_len, value, len);
    }
}

/* After a power loss (a cut, or a clean reboot, which drops the RAM): mount, open, and the store
 * read back must be allowed; it becomes the model. */
static void reload(kvmap_run *run, bool after_cut) {
    if (after_cut) {
        fuzz_power_on_and_mount(&run->store, run->in);
    } else {
        int rc = fuzz_store_mount(&run->store);
        if (fuzz_store_power_lost(&run->store, rc)) /* an armed cut landed in the mount */
            fuzz_power_on_and_mount(&run->store, run->in);
        else
            FUZZ_REQUIRE(TARGET, rc == NBS_OK, "%s: reboot: %s", run->where, nbs_strerror(rc));
    }
    open_map(run);
    ref_list seen;
    ref_list_init(&seen);
    read_all(run, &seen);
    bool ok;
    if (!run->write_back) {
        ok = ref_map_settle(&run->model, &seen, NULL);
    } else {
        if (run->model.pending.kind != REF_OP_NONE) { /* the write in flight may be in RAM */
            ref_map after;
            ref_map_init(&after);
            ref_map_copy(&after, &run->model);
            ref_map_end(&after, true);
            ref_write_back_note(&run->flash, &after.items);
            ref_map_free(&after);
        }
        ok = ref_write_back_allows(&run->flash, &seen);
        ref_map_end(&run->model, false);
        ref_list_copy(&run->model.items, &seen);
    }
    FUZZ_REQUIRE(TARGET, ok,
                 "%s: after a %s the store holds %zu keys that no flushed or written state "
                 "explains",
                 run->where, after_cut ? "power cut" : "reboot", seen.count);
    all_flushed(run, &seen);
    ref_list_free(&seen);
}

/* A write's end: recovery when the power went (a write-back write may return 0 even then: its
 * automatic flush failed), else the model follows it. */
static void end_write(kvmap_run *run, int rc, const char *what) {
    if (!nor_is_powered(run->store.f.dev)) {
        if (rc == NBS_OK) ref_map_end(&run->model, true);
        if (rc == NBS_OK && run->write_back) ref_write_back_note(&run->flash, &run->model.items);
        reload(run, true);
        return;
    }
    FUZZ_REQUIRE(TARGET, rc == NBS_OK || rc == NBS_E_FULL, "%s: %s returned %s", run->where, what,
                 nbs_strerror(rc));
    ref_map_end(&run->model, rc == NBS_OK);
    if (!run->write_back || rc) return;
    ref_write_back_note(&run->flash, &run->model.items);
    uint32_t dirty = nbs_kvmap_dirty_bytes(&run->kvmap);
    if (dirty == 0)
        all_flushed(run, &run->model.items);
    else if (dirty != ref_write_back_dirty(&run->flash, &run->model.items))
        run->flash.flash_known = false; /* its automatic flush stopped part way */
}

/* While the model knows what flash holds, the RAM the engine says its keys hold is the model's. */
static void check_held(kvmap_run *run, const char *what) {
    if (!run->write_back || !run->flash.flash_known || !nor_is_powered(run->store.f.dev)) return;
    size_t want = ref_write_back_held(&run->flash, &run->model.items, NULL, 0, 0);
    size_t got = nbs_kvmap_held_bytes(&run->kvmap);
    FUZZ_REQUIRE(TARGET, got == want, "%s: after %s the keys hold %zu bytes of RAM, model %zu",
                 run->where, what, got, want);
}

static void op_set(kvmap_run *run) {
    uint8_t key[8], value[300];
    size_t key_len = make_key(fuzz_input_u8(run->in), key);
    uint8_t choice = fuzz_input_u8(run->in);
    size_t len = choice < 200 ? choice % 24 : fuzz_input_below(run->in, sizeof value);
    fuzz_input_value(run->in, value, len);
    uint32_t max = nbs_map_max_value(&run->store.f.binding.flash, key_len);
    bool ram_full = run->write_back && ref_write_back_held(&run->flash, &run->model.items, key,
                                                           key_len, len) > run->wb.ram_size;
    ref_map_begin_store(&run->model, key, key_len, value, len);
    int rc = nbs_kvmap_set(&run->kvmap, key, key_len, value, len);
    int refused = len > max ? NBS_E_TOO_BIG : ram_full ? NBS_E_RAM_FULL : NBS_OK;
    if (refused || rc == NBS_E_RAM_FULL) {
        bool ok = rc == refused ||
                  (!run->flash.flash_known && len <= max && (rc == NBS_OK || rc == NBS_E_RAM_FULL));
        FUZZ_REQUIRE(TARGET, ok, "%s: set of %zu bytes returned %s, expected %s", run->where, len,
                     nbs_strerror(rc), nbs_strerror(refused));
        if (rc) {
            ref_map_end(&run->model, false);
            check_held(run, "a refused set");
            return;
        }
    }
    if (rc == NBS_OK) ref_write_back_set(&run->flash, key, key_len);
    end_write(run, rc, "set");
    check_held(run, "a set");
}

static void op_delete(kvmap_run *run) {
    uint8_t key[8];
    size_t key_len = make_key(fuzz_input_u8(run->in), key);
    bool want = ref_map_find(&run->model, key, key_len) != NULL, existed = !want;
    ref_map_begin_remove(&run->model, key, key_len);
    int rc = nbs_kvmap_delete(&run->kvmap, key, key_len, &existed);
    FUZZ_REQUIRE(TARGET, !nor_is_powered(run->store.f.dev) || rc || existed == want,
                 "%s: delete of key %u answered existed %d, model %d", run->where, (unsigned)key[0],
                 existed, want);
    end_write(run, rc, "delete");
    check_held(run, "a delete");
}

static void op_clear(kvmap_run *run) {
    ref_map_begin_remove_all(&run->model);
    end_write(run, nbs_kvmap_clear(&run->kvmap), "clear");
    check_held(run, "a clear");
}

static void op_flush(kvmap_run *run) {
    int rc = nbs_kvmap_flush(&run->kvmap);
    if (!nor_is_powered(run->store.f.dev)) {
        reload(run, true);
        return;
    }
    FUZZ_REQUIRE(TARGET, rc == NBS_OK || rc == NBS_E_FULL, "%s: flush returned %s", run->where,
                 nbs_strerror(rc));
    if (rc == NBS_OK) all_flushed(run, &run->model.items);
    if (rc) run->flash.flash_known = false;
    FUZZ_REQUIRE(TARGET, rc || nbs_kvmap_dirty_bytes(&run->kvmap) == 0,
                 "%s: a flush that succeeded left dirty bytes", run->where);
    check_held(run, "a flush");
}

static void op_reads(kvmap_run *run) {
    uint8_t key[8], value[300];
    size_t key_len = make_key(fuzz_input_u8(run->in), key), len = 0;
    const ref_item *want = ref_map_find(&run->model, key, key_len);
    int rc = nbs_kvmap_get(&run->kvmap, key, key_len, value, sizeof value, &len);
    bool ok =
        want ? rc == NBS_OK && len == want->value_len && (!len || !memcmp(value, want->value, len))
             : rc == NBS_E_NOT_FOUND;
    bool present = !want;
    uint32_t size = 0;
    ok &= nbs_kvmap_has(&run->kvmap, key, key_len, &present) == NBS_OK && present == (want != NULL);
    ok &= nbs_kvmap_size(&run->kvmap, &size) == NBS_OK && size == run->model.items.count;
    FUZZ_REQUIRE(TARGET, ok, "%s: get/has/size of key %u (%s) disagree with the model", run->where,
                 (unsigned)key[0], want ? "present" : "absent");
}

static void op_entries(kvmap_run *run) {
    ref_list seen;
    ref_list_init(&seen);
    read_all(run, &seen);
    bool ok = ref_map_matches(&run->model, &seen);
    ref_list_free(&seen);
    FUZZ_REQUIRE(TARGET, ok, "%s: the entries disagree with the model", run->where);
}

/* Opcodes modulo 16: sets most often; clears and reboots rarely. */
static void run_op(kvmap_run *run, uint8_t opcode) {
    unsigned op = opcode % 16u;
    if (op < 5)
        op_set(run);
    else if (op < 7)
        op_delete(run);
    else if (op == 7)
        op_clear(run);
    else if (op < 10)
        op_reads(run);
    else if (op == 10)
        op_entries(run);
    else if (op < 13)
        op_flush(run);
    else if (op < 15)
        fuzz_cut_arm(&run->store, run->in);
    else
        reload(run, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    kvmap_run *run = calloc(1, sizeof *run);
    run->in = &in;
    fuzz_store_start(&run->store, TARGET, EF_MAP, &in, run->where, sizeof run->where);
    run->write_back = fuzz_input_u8(&in) & 1;
    size_t ram = 64 + 8 * (size_t)fuzz_input_u8(&in);
    size_t stage = run->store.f.page_size * (fuzz_input_u8(&in) % 4) / 4;
    run->wb = (nbs_kvmap_wb_config){malloc(ram), ram, stage ? malloc(stage) : NULL, stage,
                                    4u * fuzz_input_u8(&in)};
    size_t used = strlen(run->where);
    if (run->write_back)
        snprintf(run->where + used, sizeof run->where - used,
                 ", write-back: %zu bytes of RAM, staging %zu, threshold %u", ram, stage,
                 (unsigned)run->wb.threshold);
    ref_map_init(&run->model);
    ref_write_back_init(&run->flash, run->write_back);
    open_map(run);
    for (int op = 0; op < MAX_OPS && !fuzz_input_done(&in); op++) run_op(run, fuzz_input_u8(&in));
    nor_disarm_cut(run->store.f.dev);
    if (run->write_back) op_flush(run); /* then a reboot must find the RAM's content */
    reload(run, false);
    op_entries(run);
    ref_write_back_free(&run->flash);
    ref_map_free(&run->model);
    free(run->wb.ram);
    free(run->wb.stage);
    fuzz_store_close(&run->store);
    free(run);
    return 0;
}
