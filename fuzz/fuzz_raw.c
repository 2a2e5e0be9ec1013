/* libFuzzer target "raw": partition tables and raw flash access (nbs_part.h). The input chooses
 * a geometry (optionally followed by a run of sectors twice as large, so some partitions have no
 * raw view), then a table of up to five partitions whose names, starts and sizes are often
 * wrong, and the target checks nbs_part_check's verdict (the code and the partition at fault)
 * against the rules as nbs_part.h states them, computed here apart. A table that passes is then
 * used: raw open r / r+ (read-only partitions too), close, status, reads (past the end too),
 * writes (off the write unit, past the end, rewrites the device's rules refuse or break) and
 * block erases with any from/to, with power cuts inside writes and erases. Every answer is
 * compared with the raw reference model (sim/lib/ref_raw.h): bytes under a cut are unknown until
 * their block is erased again.
 *
 * Input: geometry, a byte whose bit 0 adds the larger sectors, the partition count and each
 * partition (name choice, start, size, flags), then one opcode byte per operation followed by
 * its arguments (see run_op). */
#include "fuzz_finding.h"
#include "fuzz_geometry.h"
#include "fuzz_input.h"
#include "nbs_nor.h"
#include "nbs_part.h"
#include "ref_raw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET "raw"

enum { MAX_OPS = 200, PARTS_MAX = 5, NAME_CHOICES = 8 };

typedef struct raw_slot {
    nbs_raw raw;
    bool open, writable; /* the model's view */
    uint32_t block;      /* the partition's one sector size, 0 when its sectors differ */
    ref_raw_image image;
} raw_slot;

typedef struct raw_run {
    fuzz_input *in;
    nor *dev;
    nor_config cfg;
    nbs_nor binding;
    nbs_sector_run runs[NOR_MAX_REGIONS];
    nbs_device device;
    nbs_partition parts[PARTS_MAX];
    char names[PARTS_MAX][24];
    nbs_part_table table;
    ref_raw_rules rules;
    raw_slot slots[PARTS_MAX];
    char where[96];
} raw_run;

/* Names: good ones, the longest allowed, one too long, one with a space, an empty one, one with a
 * byte past 0x7E; a choice of an earlier partition's name repeats it. */
static void make_name(uint8_t choice, char out[24]) {
    static const char *const names[NAME_CHOICES] = {
        "boot", "a", "slot-b", "0123456789abcdef", "0123456789abcdefg", "has space", "", "x\x7f"};
    strcpy(out, names[choice % NAME_CHOICES]);
}

/* ---- the table's verdict, from nbs_part.h's rules ---- */

static bool name_ok(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n > NBS_PART_NAME_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if ((uint8_t)name[i] < 0x21 || (uint8_t)name[i] > 0x7E) return false;
    return true;
}

/* Whether addr is a sector boundary of the device (its end included). */
static bool boundary(const raw_run *run, uint64_t addr) {
    uint64_t base = 0;
    for (uint32_t r = 0; r < run->cfg.region_count; r++) {
        const nor_region *region = &run->cfg.regions[r];
        uint64_t end = base + (uint64_t)region->count * region->size;
        if (addr >= base && addr < end) return (addr - base) % region->size == 0;
        base = end;
    }
    return addr == base;
}

/* The code and the partition at fault (and the earlier one it clashes with) the rules give. */
static int model_check(const raw_run *run, uint32_t count, nbs_part_problem *problem) {
    uint64_t device = nor_size(run->dev);
    for (uint32_t i = 0; i < count; i++) {
        const nbs_partition *p = &run->parts[i];
        uint64_t end = (uint64_t)p->start + p->size;
        *problem = (nbs_part_problem){i, i};
        if (!name_ok(p->name)) return NBS_E_PART_NAME;
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(run->parts[j].name, p->name)) {
                problem->other = j;
                return NBS_E_PART_NAME;
            }
        if (p->size == 0 || end > device) return NBS_E_RANGE;
        if (!boundary(run, p->start) || !boundary(run, end)) return NBS_E_ALIGN;
        for (uint32_t j = 0; j < i; j++) {
            const nbs_partition *q = &run->parts[j];
            if (p->start < (uint64_t)q->start + q->size && q->start < end) {
                problem->other = j;
                return NBS_E_PART_OVERLAP;
            }
        }
    }
    return NBS_OK;
}

/* The one sector size under [start, start + size), 0 when it meets two sizes. */
static uint32_t block_of(const raw_run *run, const nbs_partition *p) {
    uint64_t base = 0;
    uint32_t found = 0;
    for (uint32_t r = 0; r < run->cfg.region_count; r++) {
        const nor_region *region = &run->cfg.regions[r];
        uint64_t end = base + (uint64_t)region->count * region->size;
        if (p->start < end && base < (uint64_t)p->start + p->size) {
            if (found && found != region->size) return 0;
            found = region->size;
        }
        base = end;
    }
    return found;
}

/* ---- setup ---- */

/* A start (or with `size`, a size): mostly whole sectors of the first run (a size of one more
 * sector than the device has, sometimes), sometimes 0 or any byte count. */
static uint32_t make_extent(raw_run *run, bool size) {
    uint8_t choice = fuzz_input_u8(run->in);
    uint32_t sector = run->cfg.regions[0].size, sectors = nor_config_sector_count(&run->cfg);
    if (choice < 200) return (choice % (sectors + 1) + (size ? 1u : 0u)) * sector;
    if (choice < 210) return 0;
    return fuzz_input_below(run->in, nor_size(run->dev) + sector);
}

/* The device and its table; false when the table is refused (checked against the model). */
static bool setup(raw_run *run) {
    const fuzz_geometry *g = fuzz_geometry_at(fuzz_input_u8(run->in));
    run->cfg = fuzz_geometry_config(g);
    if (fuzz_input_u8(run->in) & 1u) { /* a second run of larger sectors */
        run->cfg.regions[1] = (nor_region){.count = 2, .size = 2 * g->sector_size};
        run->cfg.region_count = 2;
    }
    int rc = nor_create(&run->dev, &run->cfg, 1 + fuzz_input_left(run->in));
    FUZZ_REQUIRE(TARGET, rc == 0, "%s: nor_create failed (%d)", g->name, rc);
    snprintf(run->where, sizeof run->where, "%s%s", g->name,
             run->cfg.region_count > 1 ? " + larger sectors" : "");
    nbs_nor_bind_device(&run->binding, run->dev, run->runs, &run->device);
    uint32_t count = fuzz_input_u8(run->in) % (PARTS_MAX + 1);
    for (uint32_t i = 0; i < count; i++) {
        uint8_t name_choice = fuzz_input_u8(run->in);
        if (name_choice >= 240 && i > 0)
            strcpy(run->names[i], run->names[name_choice % i]);
        else
            make_name(name_choice, run->names[i]);
        uint32_t start = make_extent(run, false), size = make_extent(run, true);
        bool read_only = fuzz_input_u8(run->in) % 4 == 0;
        run->parts[i] = (nbs_partition){run->names[i], start, size, read_only};
    }
    run->table = (nbs_part_table){&run->device, run->parts, count};
    nbs_part_problem got = {99, 99}, want = {0, 0};
    rc = nbs_part_check(&run->table, &got);
    int expected = model_check(run, count, &want);
    FUZZ_REQUIRE(
        TARGET, rc == expected && (!rc || (got.index == want.index && got.other == want.other)),
        "%s: a table of %u partitions: check returned %s at %u/%u, the rules say %s at "
        "%u/%u",
        run->where, (unsigned)count, nbs_strerror(rc), (unsigned)got.index, (unsigned)got.other,
        nbs_strerror(expected), (unsigned)want.index, (unsigned)want.other);
    if (rc) return false;
    run->rules = ref_raw_rules_of(&run->cfg);
    for (uint32_t i = 0; i < count; i++) {
        raw_slot *s = &run->slots[i];
        s->block = block_of(run, &run->parts[i]);
        FUZZ_REQUIRE(
            TARGET,
            ref_raw_init(&s->image, &run->rules, run->parts[i].start, run->parts[i].size, true),
            "%s: out of memory", run->where);
    }
    return true;
}

/* ---- operations ---- */

static raw_slot *pick(raw_run *run, uint32_t *index) {
    *index = fuzz_input_u8(run->in) % run->table.count;
    return &run->slots[*index];
}

static void op_open(raw_run *run) {
    uint32_t i;
    raw_slot *s = pick(run, &i);
    bool writable = fuzz_input_u8(run->in) & 1u;
    int rc = nbs_raw_open(&s->raw, &run->table, run->parts[i].name, writable);
    int want = writable && run->parts[i].read_only ? NBS_E_READ_ONLY
               : s->block == 0                     ? NBS_E_GEOMETRY
                                                   : NBS_OK;
    FUZZ_REQUIRE(TARGET, rc == want, "%s: open %s of partition %u returned %s, model %s",
                 run->where, writable ? "r+" : "r", (unsigned)i, nbs_strerror(rc),
                 nbs_strerror(want));
    s->open = rc == NBS_OK;
    s->writable = writable;
}

static void op_status(raw_run *run) {
    uint32_t i;
    raw_slot *s = pick(run, &i);
    nbs_raw_status st = {0};
    int rc = nbs_raw_status_get(&s->raw, &st);
    bool ok = rc == (s->open ? NBS_OK : NBS_E_INVAL);
    if (ok && s->open)
        ok = st.size == run->parts[i].size && st.block_length == s->block &&
             st.blocks == st.size / s->block && st.erase_value == run->rules.erase_value &&
             st.write_align == run->rules.write_unit;
    FUZZ_REQUIRE(TARGET, ok,
                 "%s: status of partition %u (%s) returned %s: size %u, block %u, blocks %u, "
                 "erase value %u, align %u",
                 run->where, (unsigned)i, s->open ? "open" : "closed", nbs_strerror(rc),
                 (unsigned)st.size, (unsigned)st.block_length, (unsigned)st.blocks,
                 (unsigned)st.erase_value, (unsigned)st.write_align);
}

/* An offset or a length in the partition of `size` bytes: mostly write-unit multiples inside,
 * sometimes anything up to a little past the end. */
static uint32_t make_span(raw_run *run, uint32_t size) {
    uint8_t choice = fuzz_input_u8(run->in);
    uint32_t w = run->rules.write_unit;
    if (choice < 200) return fuzz_input_below(run->in, size / w + 1) * w;
    return fuzz_input_below(run->in, size + 2 * w + 1);
}

static void op_read(raw_run *run) {
    uint32_t i;
    raw_slot *s = pick(run, &i);
    uint32_t size = run->parts[i].size, offset = make_span(run, size);
    uint32_t count = fuzz_input_below(run->in, 3 * run->rules.write_unit + 64);
    uint8_t *buf = malloc(count ? count : 1);
    uint32_t got = 0;
    int rc = nbs_raw_read(&s->raw, offset, buf, count, &got);
    char why[160];
    const char *wrong = NULL;
    if (!s->open)
        wrong = rc == NBS_E_INVAL ? NULL : "error inval (closed)";
    else if (offset > size)
        wrong = rc == NBS_E_RANGE ? NULL : "error range";
    else {
        uint32_t n = count < size - offset ? count : size - offset;
        wrong = ref_raw_check_read(&s->image, &run->rules, offset, n, rc, buf, why, sizeof why);
        if (!wrong && rc == NBS_OK && got != n) wrong = "the count clamped to the end";
    }
    free(buf);
    FUZZ_REQUIRE(TARGET, !wrong,
                 "%s: read of %u bytes at %u of partition %u (%u bytes) returned %s with %u "
                 "bytes; expected %s",
                 run->where, (unsigned)count, (unsigned)offset, (unsigned)i, (unsigned)size,
                 nbs_strerror(rc), (unsigned)got, wrong ? wrong : "");
}

/* After a write or erase the flash answered: a cut that landed in it leaves [offset, offset +
 * length) unknown, and the power comes back. */
static bool cut_landed(raw_run *run, raw_slot *s, int rc, uint32_t offset, uint32_t length) {
    if (nor_is_powered(run->dev)) return false;
    FUZZ_REQUIRE(TARGET, rc == NBS_E_IO, "%s: a raw call cut by power loss returned %s", run->where,
                 nbs_strerror(rc));
    ref_raw_forget(&s->image, &run->rules, offset, length);
    nor_power_on(run->dev);
    return true;
}

/* The refusal the arguments alone decide (0: the flash decides). */
static int write_refusal(const raw_run *run, const raw_slot *s, uint32_t size, uint32_t offset,
                         uint32_t count) {
    uint32_t w = run->rules.write_unit;
    if (!s->open) return NBS_E_INVAL;
    if (!s->writable) return NBS_E_READ_ONLY;
    if (offset > size || count > size - offset) return NBS_E_RANGE;
    return offset % w || count % w ? NBS_E_ALIGN : 0;
}

static void op_write(raw_run *run) {
    uint32_t i;
    raw_slot *s = pick(run, &i);
    uint32_t size = run->parts[i].size, offset = make_span(run, size);
    uint32_t count = make_span(run, 4 * run->rules.write_unit + 32);
    uint8_t *data = malloc(count ? count : 1);
    fuzz_input_value(run->in, data, count);
    int want = write_refusal(run, s, size, offset, count);
    ref_raw_outcome outcome = {want, false};
    if (!want) outcome = ref_raw_write(&s->image, &run->rules, offset, data, count);
    uint64_t ops_before = nor_op_count(run->dev);
    int rc = nbs_raw_write(&s->raw, offset, data, count);
    free(data);
    if (!want && cut_landed(run, s, rc, offset, count)) return;
    FUZZ_REQUIRE(TARGET, outcome.any || rc == outcome.rc,
                 "%s: write of %u bytes at %u of partition %u returned %s, model %s", run->where,
                 (unsigned)count, (unsigned)offset, (unsigned)i, nbs_strerror(rc),
                 nbs_strerror(outcome.rc));
    FUZZ_REQUIRE(TARGET, !want || nor_op_count(run->dev) == ops_before,
                 "%s: a refused write reached the flash", run->where);
}

static void op_erase(raw_run *run) {
    uint32_t i;
    raw_slot *s = pick(run, &i);
    int64_t blocks = s->block ? run->parts[i].size / s->block : 0;
    int64_t from = (int64_t)fuzz_input_below(run->in, (uint32_t)blocks + 3) - 1;
    int64_t to = from + (int64_t)fuzz_input_below(run->in, 4);
    if (fuzz_input_u8(run->in) == 0xFF) to = INT64_MAX; /* ECMA-419 takes any number */
    int want = !s->open                                                  ? NBS_E_INVAL
               : !s->writable                                            ? NBS_E_READ_ONLY
               : from < 0 || from >= blocks || to <= from || to > blocks ? NBS_E_RANGE
                                                                         : NBS_OK;
    uint64_t ops_before = nor_op_count(run->dev);
    int rc = nbs_raw_erase(&s->raw, from, to);
    if (!want) {
        uint32_t offset = (uint32_t)from * s->block, length = (uint32_t)(to - from) * s->block;
        if (cut_landed(run, s, rc, offset, length)) return;
        ref_raw_erase(&s->image, &run->rules, offset, length);
    }
    FUZZ_REQUIRE(TARGET, rc == want && (!want || nor_op_count(run->dev) == ops_before),
                 "%s: erase of blocks %lld..%lld of partition %u (%lld blocks) returned %s, model "
                 "%s",
                 run->where, (long long)from, (long long)to, (unsigned)i, (long long)blocks,
                 nbs_strerror(rc), nbs_strerror(want));
}

static void op_close(raw_run *run) {
    uint32_t i;
    raw_slot *s = pick(run, &i);
    nbs_raw_close(&s->raw);
    s->open = false;
}

static void op_cut(raw_run *run) {
    uint32_t ops = fuzz_input_below(run->in, 6);
    uint8_t modes = fuzz_input_u8(run->in);
    nor_set_torn_modes(run->dev, (nor_torn_program)(modes % 5), (nor_torn_erase)(modes / 5 % 4));
    nor_arm_cut_after_ops(run->dev, ops);
}

/* Opcodes (modulo 16): reads and writes most often. */
static void run_op(raw_run *run, uint8_t opcode) {
    unsigned op = opcode % 16u;
    if (op < 2)
        op_open(run);
    else if (op < 3)
        op_close(run);
    else if (op < 4)
        op_status(run);
    else if (op < 7)
        op_read(run);
    else if (op < 11)
        op_write(run);
    else if (op < 13)
        op_erase(run);
    else
        op_cut(run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    raw_run *run = calloc(1, sizeof *run);
    run->in = &in;
    if (setup(run) && run->table.count)
        for (int op = 0; op < MAX_OPS && !fuzz_input_done(&in); op++)
            run_op(run, fuzz_input_u8(&in));
    for (uint32_t i = 0; i < PARTS_MAX; i++) ref_raw_free(&run->slots[i].image);
    nor_destroy(run->dev);
    free(run);
    return 0;
}
