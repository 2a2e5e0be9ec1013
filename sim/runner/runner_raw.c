/* Partitions and raw flash steps of a run (partitions, raw_open, raw_close, raw_status, raw_read,
 * raw_write, raw_erase): each runs the engine's nbs_part.h code on the run's device, and its
 * answer is compared with the raw reference model (sim/lib/ref_raw.h, the open modes and the
 * status figures worked out here from the scenario) and with the step's expect. A power cut
 * inside a raw write or erase leaves its range unknown until the block is erased again; a cut a
 * campaign placed there is followed by the usual recovery of the engine's store. */
#include "nbs_nor.h"
#include "nbs_part.h"
#include "ref_raw.h"
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The model's view of one partition. */
typedef struct raw_model {
    bool open, writable;
    bool foreign; /* shares bytes with the engine's range: its contents are never predicted */
    ref_raw_image image;
} raw_model;

struct run_raw {
    /* the engine's side */
    nbs_nor binding;
    nbs_sector_run runs[NOR_MAX_REGIONS];
    nbs_device device;
    nbs_partition parts[SCENARIO_PARTITIONS_MAX];
    nbs_part_table table;
    nbs_raw handles[SCENARIO_PARTITIONS_MAX];
    /* the model's */
    ref_raw_rules rules;
    raw_model model[SCENARIO_PARTITIONS_MAX];
    size_t count;
};

int run_raw_setup(run_state *st) {
    const scenario *sc = st->sc;
    if (sc->partition_count == 0) return RUNNER_OK;
    run_raw *r = calloc(1, sizeof *r);
    if (!r) return run_fail_nomem(st);
    st->raw = r;
    nbs_nor_bind_device(&r->binding, st->dev, r->runs, &r->device);
    r->count = sc->partition_count;
    for (size_t i = 0; i < r->count; i++) {
        const scenario_partition *p = &sc->partitions[i];
        r->parts[i] = (nbs_partition){p->name, p->start, p->size, p->read_only};
    }
    r->table = (nbs_part_table){&r->device, r->parts, (uint32_t)r->count};
    int rc = nbs_part_check(&r->table, NULL);
    if (!rc && st->engine.raw) rc = st->engine.raw->table(st->engine.ctx, r->parts, r->count);
    if (rc)
        return run_fail(st, "partitions: the engine refused the table the validator passed: %s",
                        nbs_strerror(rc));
    r->rules = ref_raw_rules_of(&sc->flash);
    uint64_t engine_start = sc->engine.start, engine_end = engine_start + sc->engine.size;
    for (size_t i = 0; i < r->count; i++) {
        const scenario_partition *p = &sc->partitions[i];
        raw_model *m = &r->model[i];
        m->foreign = p->start < engine_end && engine_start < (uint64_t)p->start + p->size;
        /* A device from an image holds what it holds: nothing is known until erased. */
        if (!ref_raw_init(&m->image, &r->rules, p->start, p->size, !m->foreign && !sc->image))
            return run_fail_nomem(st);
    }
    return RUNNER_OK;
}

void run_raw_free(run_state *st) {
    run_raw_release(st->raw);
    st->raw = NULL;
}

const nbs_part_table *run_raw_table(const run_state *st) {
    return st->raw ? &st->raw->table : NULL;
}

run_raw *run_raw_new(void) {
    return calloc(1, sizeof(run_raw));
}

bool run_raw_copy(run_raw *dst, const run_raw *src) {
    raw_model models[SCENARIO_PARTITIONS_MAX];
    memcpy(models, dst->model, sizeof models);
    memcpy(dst, src, sizeof *dst);
    memcpy(dst->model, models, sizeof models);
    bool ok = true;
    for (size_t i = 0; i < src->count; i++) {
        ref_raw_image image = dst->model[i].image;
        dst->model[i] = src->model[i];
        dst->model[i].image = image;
        ok &= ref_raw_copy(&dst->model[i].image, &src->model[i].image, &src->rules);
    }
    /* The engine's handles and table point into the copy's own binding and names. */
    dst->binding.flash.ctx = &dst->binding;
    dst->device.flash.ctx = &dst->binding;
    dst->table.device = &dst->device;
    dst->table.parts = dst->parts;
    for (size_t i = 0; i < src->count; i++) dst->handles[i].flash.ctx = &dst->binding;
    return ok;
}

void run_raw_release(run_raw *raw) {
    if (!raw) return;
    for (size_t i = 0; i < raw->count; i++) ref_raw_free(&raw->model[i].image);
    free(raw);
}

void run_raw_note_fault(run_state *st, uint32_t address, uint32_t length) {
    run_raw *r = st->raw;
    for (size_t i = 0; r && i < r->count; i++)
        ref_raw_forget_device(&r->model[i].image, &r->rules, address, length);
}

/* ---- the engine's side: nbs_part.h on the run's device, or the adapter's (--target) ---- */

static int host_open(void *ctx, uint32_t part, bool writable) {
    run_raw *r = ctx;
    return nbs_raw_open(&r->handles[part], &r->table, r->parts[part].name, writable);
}

static void host_close(void *ctx, uint32_t part) {
    nbs_raw_close(&((run_raw *)ctx)->handles[part]);
}

static int host_status(void *ctx, uint32_t part, nbs_raw_status *status) {
    return nbs_raw_status_get(&((run_raw *)ctx)->handles[part], status);
}

static int host_read(void *ctx, uint32_t part, uint32_t offset, void *buf, uint32_t count,
                     uint32_t *got) {
    return nbs_raw_read(&((run_raw *)ctx)->handles[part], offset, buf, count, got);
}

static int host_write(void *ctx, uint32_t part, uint32_t offset, const void *data, uint32_t count) {
    return nbs_raw_write(&((run_raw *)ctx)->handles[part], offset, data, count);
}

static int host_erase(void *ctx, uint32_t part, int64_t from, int64_t to) {
    return nbs_raw_erase(&((run_raw *)ctx)->handles[part], from, to);
}

static const adapter_raw_ops host_ops = {NULL,      host_open,  host_close, host_status,
                                         host_read, host_write, host_erase};

static const adapter_raw_ops *engine_ops(const run_state *st) {
    return st->engine.raw ? st->engine.raw : &host_ops;
}

static void *engine_ctx(const run_state *st) {
    return st->engine.raw ? st->engine.ctx : st->raw;
}

/* ---- the model's answers ---- */

/* The one sector size of a partition, or 0 when its sectors differ (no raw view). */
static uint32_t block_length(const run_state *st, const scenario_partition *p) {
    uint32_t base = 0, found = 0;
    const nor_config *cfg = &st->sc->flash;
    for (uint32_t i = 0; i < cfg->region_count; i++) {
        uint64_t end = base + (uint64_t)cfg->regions[i].count * cfg->regions[i].size;
        bool meets = p->start < end && base < (uint64_t)p->start + p->size;
        if (meets && found && found != cfg->regions[i].size) return 0;
        if (meets) found = cfg->regions[i].size;
        base = (uint32_t)end;
    }
    return found;
}

/* ---- reporting ---- */

static const char *answer_name(int rc) {
    return rc ? scenario_error_short_name(rc) : "success";
}

static int fail_rc(run_state *st, const char *source, int want, int got) {
    return run_fail(st, "%s: expected %s%s (%s), got %s%s", scenario_op_name(st->step->op),
                    want ? "error " : "", answer_name(want), source, got ? "error " : "",
                    answer_name(got));
}

/* The step's expect, when it names an error (or success when it expects a value). */
static bool expects_rc(const scenario_step *step, int *rc) {
    if (step->expect.kind == SCENARIO_EXPECT_NONE) return false;
    *rc = step->expect.kind == SCENARIO_EXPECT_ERROR ? step->expect.error : NBS_OK;
    return true;
}

/* The answer's code against the model's (unless `any`) and the expect's; `uncertain` (unknown
 * cells after a cut a campaign placed) leaves the expect out, which could not know them. */
static int check_rc(run_state *st, ref_raw_outcome want, int got, bool uncertain) {
    int expected;
    if (!want.any && want.rc != got) return fail_rc(st, "the reference model", want.rc, got);
    if (!uncertain && expects_rc(st->step, &expected) && expected != got)
        return fail_rc(st, "the step's expectation", expected, got);
    return RUNNER_OK;
}

/* ---- the steps ---- */

/* The names in table order; a scenario without partitions iterates an empty table (ECMA-419's
 * module is iterable whatever the device holds). */
static int partitions_step(run_state *st) {
    const nbs_part_table none = {0};
    const nbs_part_table *table = st->raw ? &st->raw->table : &none;
    const scenario_expect *e = &st->step->expect;
    uint32_t cursor = 0, seen = 0;
    const nbs_partition *p;
    int rc;
    run_count_engine_op(st);
    while ((rc = nbs_part_next(table, &cursor, &p)) == NBS_OK) {
        const char *want = seen < table->count ? st->sc->partitions[seen].name : NULL;
        if (!want || strcmp(want, p->name) != 0)
            return run_fail(st,
                            "partitions: name %u is '%s'; expected %s%s%s (the scenario's "
                            "table)",
                            (unsigned)seen, p->name, want ? "'" : "no more", want ? want : "",
                            want ? "'" : "");
        if (e->kind == SCENARIO_EXPECT_NAMES &&
            (seen >= e->name_count || strcmp(e->names[seen], p->name) != 0))
            return run_fail(st, "partitions: name %u is '%s'; the step's expectation says %s",
                            (unsigned)seen, p->name,
                            seen < e->name_count ? e->names[seen] : "no more names");
        seen++;
    }
    if (rc != NBS_E_END) return fail_rc(st, "the reference model", NBS_E_END, rc);
    if (seen != table->count || (e->kind == SCENARIO_EXPECT_NAMES && seen != e->name_count))
        return run_fail(
            st, "partitions: %u names, expected %u", (unsigned)seen,
            (unsigned)(e->kind == SCENARIO_EXPECT_NAMES ? e->name_count : table->count));
    return RUNNER_OK;
}

static int open_step(run_state *st, const scenario_raw_args *a) {
    run_raw *r = st->raw;
    const scenario_partition *p = &st->sc->partitions[a->partition];
    raw_model *m = &r->model[a->partition];
    ref_raw_outcome want = {NBS_OK, false};
    if (a->writable && p->read_only)
        want.rc = NBS_E_READ_ONLY;
    else if (!block_length(st, p))
        want.rc = NBS_E_GEOMETRY;
    m->open = want.rc == NBS_OK; /* a failed open leaves the partition closed */
    m->writable = a->writable;
    run_count_engine_op(st);
    int got = engine_ops(st)->open(engine_ctx(st), a->partition, a->writable);
    return check_rc(st, want, got, false);
}

static int status_step(run_state *st, const scenario_raw_args *a) {
    run_raw *r = st->raw;
    const scenario_partition *p = &st->sc->partitions[a->partition];
    nbs_raw_status got = {0};
    run_count_engine_op(st);
    int rc = engine_ops(st)->status(engine_ctx(st), a->partition, &got);
    ref_raw_outcome want = {r->model[a->partition].open ? NBS_OK : NBS_E_INVAL, false};
    int failed = check_rc(st, want, rc, false);
    if (failed || rc) return failed;
    uint32_t block = block_length(st, p);
    uint32_t model[SCENARIO_RAW_FIGURES] = {p->size, block, p->size / block, r->rules.erase_value,
                                            r->rules.write_unit};
    uint32_t engine[SCENARIO_RAW_FIGURES] = {got.size, got.block_length, got.blocks,
                                             got.erase_value, got.write_align};
    const scenario_raw_status *e = &st->step->expect.raw_status;
    for (unsigned f = 0; f < SCENARIO_RAW_FIGURES; f++) {
        if (engine[f] != model[f])
            return run_fail(st, "raw_status: %s is %u; expected %u (the reference model)",
                            scenario_raw_figure_name(f), (unsigned)engine[f], (unsigned)model[f]);
        if ((e->given & (1u << f)) && engine[f] != e->figure[f])
            return run_fail(st, "raw_status: %s is %u; expected %u (the step's expectation)",
                            scenario_raw_figure_name(f), (unsigned)engine[f],
                            (unsigned)e->figure[f]);
    }
    return RUNNER_OK;
}

/* The answer to a read, write or erase that the arguments alone decide, or FLASH_DECIDES. */
enum { FLASH_DECIDES = 1 };
static int argument_answer(const run_state *st, const raw_model *m, const scenario_step *step,
                           uint32_t length) {
    const scenario_raw_args *a = &step->args.raw;
    uint32_t size = m->image.size, w = st->raw->rules.write_unit;
    if (!m->open) return NBS_E_INVAL; /* an open partition has one block length */
    if (step->op == SCENARIO_OP_RAW_READ) return a->offset > size ? NBS_E_RANGE : FLASH_DECIDES;
    if (!m->writable) return NBS_E_READ_ONLY;
    if (step->op == SCENARIO_OP_RAW_ERASE) {
        int64_t blocks = size / block_length(st, &st->sc->partitions[a->partition]);
        bool bad = a->from < 0 || a->from >= blocks || a->to <= a->from || a->to > blocks;
        return bad ? NBS_E_RANGE : FLASH_DECIDES;
    }
    if (a->offset > size || length > size - a->offset) return NBS_E_RANGE;
    if (a->offset % w || length % w) return NBS_E_ALIGN;
    return FLASH_DECIDES;
}

/* A read the flash answered: its code, length and known bytes against the model. */
static int check_read(run_state *st, const raw_model *m, const scenario_raw_args *a, uint32_t n,
                      int rc, const uint8_t *buf, uint32_t got) {
    char why[160];
    const char *wrong = NULL;
    if (m->foreign) { /* the engine's bytes: any contents, an ECC error allowed */
        if (rc != NBS_OK && rc != NBS_E_ECC) wrong = "success";
    } else {
        wrong =
            ref_raw_check_read(&m->image, &st->raw->rules, a->offset, n, rc, buf, why, sizeof why);
    }
    if (!wrong && rc == NBS_OK && got != n) {
        snprintf(why, sizeof why, "%u bytes (clamped to the end)", (unsigned)n);
        wrong = why;
    }
    if (!wrong) return RUNNER_OK;
    return run_fail(st, "raw_read: expected %s (the reference model), got %s%s, %u %s", wrong,
                    rc ? "error " : "", answer_name(rc), (unsigned)got,
                    run_plural(got, "byte", "bytes"));
}

static int check_read_expect(run_state *st, int rc, const uint8_t *buf, uint32_t got) {
    const scenario_expect *e = &st->step->expect;
    if (e->kind != SCENARIO_EXPECT_BYTES) return RUNNER_OK;
    run_bytes expected;
    if (run_value_get(st, &e->bytes, &expected)) return run_fail_nomem(st);
    int result = RUNNER_OK;
    if (rc != NBS_OK || expected.length != got || (got && memcmp(expected.bytes, buf, got) != 0)) {
        char want_text[120], got_text[120];
        run_describe_bytes(want_text, sizeof want_text, expected.bytes, expected.length);
        run_describe_bytes(got_text, sizeof got_text, buf, rc ? 0 : got);
        result = run_fail(st, "raw_read: expected %s (the step's expectation), got %s%s", want_text,
                          rc ? "error " : "", rc ? answer_name(rc) : got_text);
    }
    run_bytes_free(&expected);
    return result;
}

static int read_step(run_state *st, const scenario_raw_args *a) {
    run_raw *r = st->raw;
    raw_model *m = &r->model[a->partition];
    uint8_t *buf = malloc(a->count ? a->count : 1);
    if (!buf) return run_fail_nomem(st);
    uint32_t got = 0;
    run_count_engine_op(st);
    int rc = engine_ops(st)->read(engine_ctx(st), a->partition, a->offset, buf, a->count, &got);
    int decided = argument_answer(st, m, st->step, 0);
    uint32_t left = a->offset <= m->image.size ? m->image.size - a->offset : 0;
    uint32_t n = a->count < left ? a->count : left;
    bool flash_decides = decided == FLASH_DECIDES && n && nor_is_powered(st->dev);
    if (decided == FLASH_DECIDES && !flash_decides) decided = n ? NBS_E_IO : NBS_OK;
    /* Unknown cells after a cut a campaign placed: an expect written for the run without the
     * cut cannot know them (the model still checks the rest). */
    bool uncertain = flash_decides && st->plan.landed &&
                     (m->foreign || ref_raw_any_unknown(&m->image, a->offset, n));
    int result;
    if (flash_decides) {
        int expected;
        result = check_read(st, m, a, n, rc, buf, got);
        if (!result && !uncertain && expects_rc(st->step, &expected) && expected != rc)
            result = fail_rc(st, "the step's expectation", expected, rc);
    } else {
        result = check_rc(st, (ref_raw_outcome){decided, false}, rc, false);
    }
    if (!result && !uncertain) result = check_read_expect(st, rc, buf, got);
    free(buf);
    return result;
}

/* A write or erase a cut interrupted: its range is unknown; a cut a campaign placed is followed
 * by the recovery of the engine's store (the raw operation is not run again). */
static int after_cut(run_state *st, raw_model *m, uint32_t offset, uint32_t length) {
    ref_raw_forget(&m->image, &st->raw->rules, offset, length);
    if (st->plan.recovery_pending) return run_recover(st);
    return RUNNER_OK;
}

static int write_step(run_state *st, const scenario_raw_args *a) {
    run_raw *r = st->raw;
    raw_model *m = &r->model[a->partition];
    run_bytes value;
    if (run_value_get_fixed(st, &a->value, &value)) return run_fail_nomem(st);
    uint32_t length = (uint32_t)value.length;
    int decided = argument_answer(st, m, st->step, length);
    bool powered = nor_is_powered(st->dev);
    ref_raw_outcome want = {decided, false};
    if (decided == FLASH_DECIDES && length == 0)
        want.rc = NBS_OK;
    else if (decided == FLASH_DECIDES && !powered)
        want.rc = NBS_E_IO;
    else if (decided == FLASH_DECIDES)
        want = ref_raw_write(&m->image, &r->rules, a->offset, value.bytes, length);
    run_count_engine_op(st);
    int rc = engine_ops(st)->write(engine_ctx(st), a->partition, a->offset, value.bytes, length);
    run_bytes_free(&value);
    if (powered && !nor_is_powered(st->dev)) {
        int failed = after_cut(st, m, a->offset, length);
        if (failed) return failed;
        want = (ref_raw_outcome){NBS_E_IO, true};
    }
    return check_rc(st, want, rc, want.any && st->plan.landed);
}

static int erase_step(run_state *st, const scenario_raw_args *a) {
    run_raw *r = st->raw;
    raw_model *m = &r->model[a->partition];
    int decided = argument_answer(st, m, st->step, 0);
    bool powered = nor_is_powered(st->dev);
    uint32_t block = block_length(st, &st->sc->partitions[a->partition]);
    uint32_t offset = decided == FLASH_DECIDES ? (uint32_t)a->from * block : 0;
    uint32_t length = decided == FLASH_DECIDES ? (uint32_t)(a->to - a->from) * block : 0;
    ref_raw_outcome want = {decided == FLASH_DECIDES ? (powered ? NBS_OK : NBS_E_IO) : decided,
                            false};
    if (decided == FLASH_DECIDES && powered) ref_raw_erase(&m->image, &r->rules, offset, length);
    run_count_engine_op(st);
    int rc = engine_ops(st)->erase(engine_ctx(st), a->partition, a->from, a->to);
    if (powered && !nor_is_powered(st->dev)) {
        int failed = after_cut(st, m, offset, length);
        if (failed) return failed;
        want = (ref_raw_outcome){NBS_E_IO, true};
    }
    return check_rc(st, want, rc, want.any && st->plan.landed);
}

int run_raw_step(run_state *st, const scenario_step *step) {
    if (step->op == SCENARIO_OP_PARTITIONS) return partitions_step(st);
    if (!st->raw)
        return run_fail(st, "%s: the scenario declares no partitions", scenario_op_name(step->op));
    const scenario_raw_args *a = &step->args.raw;
    switch (step->op) {
    case SCENARIO_OP_RAW_OPEN: return open_step(st, a);
    case SCENARIO_OP_RAW_CLOSE:
        run_count_engine_op(st);
        engine_ops(st)->close(engine_ctx(st), a->partition);
        st->raw->model[a->partition].open = false;
        return RUNNER_OK;
    case SCENARIO_OP_RAW_STATUS: return status_step(st, a);
    case SCENARIO_OP_RAW_READ: return read_step(st, a);
    case SCENARIO_OP_RAW_WRITE: return write_step(st, a);
    default: return erase_step(st, a);
    }
}
