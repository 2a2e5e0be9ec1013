/* Firmware update steps of a run (update_open, update_write, update_complete, update_close, boot,
 * confirm, expect_image): each runs the engine's nbs_update.h code on the scenario's partitions
 * primary, secondary, scratch and update (the state map), and its answer is compared with a
 * reference model of the update layer kept here (which image runs after each boot, what each
 * call answers, given what was written, completed and confirmed) and with the step's expect.
 * A boot also reads the primary slot and compares it with the image the model says runs.
 * A cut inside an update step (a campaign's, at any flash operation) leaves the step done or not:
 * the model keeps both until an answer, at the latest the next boot's, tells them apart. */
#include "nbs_nor.h"
#include "nbs_update.h"
#include "nor_prng.h"
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { IMAGE_PURPOSE = 0x75706474 /* "updt": the stream of generated image bodies */ };

typedef enum model_state { MODEL_IDLE, MODEL_PENDING, MODEL_TEST } model_state;

/* What the slots and the state record hold: the state, the image that runs, the one a TEST boot
 * reverts to, the one pending. */
typedef struct slot_state {
    model_state state;
    bool has_running, has_old;
    scenario_update_image running, old, pending;
} slot_state;

/* The reference model. A cut inside an update step leaves the step done or not: both states are
 * kept (at most four after a second cut) until an answer tells them apart. */
#define MODEL_STATES 4
typedef struct update_model {
    slot_state states[MODEL_STATES];
    unsigned count;
    bool open, append, completed, ended, has_spec; /* the open update (lost at a cut or boot) */
    uint32_t byte_length, written, offset;
    scenario_update_image spec; /* the image the open update receives */
    uint8_t *secondary;         /* the update's bytes as written (erase value elsewhere) */
    bool booted, boot_has_image, boot_test; /* the last boot's report */
    bool must_boot; /* a cut inside an update step: the next update step is the boot */
    uint8_t boot_major;
} update_model;

struct run_update {
    nbs_nor map_binding;
    nbs_map map;
    uint8_t *work;
    size_t work_size;
    uint8_t buffer[256];
    nbs_update_slots slots;
    nbs_update handle;
    const scenario_partition *primary, *secondary;
    uint8_t erase_value;
    uint32_t write_unit;
    update_model model;
};

static const scenario_partition *partition_named(const scenario *sc, const char *name) {
    for (size_t i = 0; i < sc->partition_count; i++)
        if (strcmp(sc->partitions[i].name, name) == 0) return &sc->partitions[i];
    return NULL;
}

/* The image's bytes, generated: the header, then a body from (the run's seed, image.seed). */
static uint8_t *image_bytes(run_state *st, const scenario_update_image *image) {
    uint8_t *out = malloc(image->size);
    if (!out) return NULL;
    nor_prng prng;
    run_seed_stream(&prng, st->result->seed ^ image->seed, IMAGE_PURPOSE);
    uint32_t body = image->size - NBS_IMAGE_HEADER_BYTES;
    run_random_fill(&prng, out + NBS_IMAGE_HEADER_BYTES, body);
    nbs_image_header h = {
        body, {image->major, 0, 0, 0}, nbs_image_crc(0, out + NBS_IMAGE_HEADER_BYTES, body)};
    if (image->bad_crc) h.crc++;
    nbs_image_header_encode(&h, out);
    return out;
}

/* "version 3 as a test", "no image". */
static void describe_run(char *out, size_t size, bool has_image, unsigned major, bool test) {
    if (!has_image)
        snprintf(out, size, "no image%s", test ? " (as a test)" : "");
    else
        snprintf(out, size, "version %u%s", major, test ? " as a test" : "");
}

static bool same_image(const scenario_update_image *a, const scenario_update_image *b) {
    return a->major == b->major && a->size == b->size && a->seed == b->seed &&
           a->bad_crc == b->bad_crc;
}

static int setup(run_state *st) {
    const scenario *sc = st->sc;
    if (sc->image)
        return run_fail(st,
                        "%s: update steps start from erased slots; a device from flash.image "
                        "is not modelled",
                        scenario_op_name(st->step->op));
    const nbs_part_table *table = run_raw_table(st);
    run_update *u = calloc(1, sizeof *u);
    if (!u) return run_fail_nomem(st);
    st->update = u;
    const scenario_partition *state = partition_named(sc, SCENARIO_UPDATE_STATE);
    u->primary = partition_named(sc, SCENARIO_UPDATE_PRIMARY);
    u->secondary = partition_named(sc, SCENARIO_UPDATE_SECONDARY);
    uint32_t index, start, page;
    if (!table || !state || !u->primary || !u->secondary ||
        nor_sector_at(st->dev, state->start, &index, &start, &page) ||
        nbs_nor_bind(&u->map_binding, st->dev, state->start, state->size, page))
        return run_fail(st,
                        "%s: the partition 'update' cannot hold the state map (whole, equal "
                        "sectors, two or more)",
                        scenario_op_name(st->step->op));
    u->work_size = nbs_work_bytes_min(&u->map_binding.flash);
    u->work = malloc(u->work_size);
    u->model.secondary = malloc(u->secondary->size);
    if (!u->work || !u->model.secondary) return run_fail_nomem(st);
    u->model.count = 1; /* IDLE, no image: an erased device */
    u->erase_value = sc->flash.erase_value;
    u->write_unit = sc->flash.write_unit;
    u->slots = (nbs_update_slots){table,
                                  SCENARIO_UPDATE_PRIMARY,
                                  SCENARIO_UPDATE_SECONDARY,
                                  SCENARIO_UPDATE_SCRATCH,
                                  &u->map,
                                  u->buffer,
                                  sizeof u->buffer};
    int rc = nbs_update_slots_check(&u->slots);
    if (rc)
        return run_fail(st,
                        "%s: the update slots are not usable: %s (primary and secondary of "
                        "equal size and sectors, scratch sectors at least as large)",
                        scenario_op_name(st->step->op), scenario_error_short_name(rc));
    return RUNNER_OK;
}

void run_update_free(run_state *st) {
    run_update_release(st->update);
    st->update = NULL;
}

/* A reset's mount of the state map (the update calls that start a session do one). */
static int mount_state(run_state *st) {
    run_update *u = st->update;
    nbs_config cfg = {.flash = u->map_binding.flash, .work = u->work, .work_size = u->work_size};
    int rc = nbs_map_mount(&u->map, &cfg);
    return rc ? run_fail(st, "%s: the state map does not mount: %s", scenario_op_name(st->step->op),
                         scenario_error_short_name(rc))
              : RUNNER_OK;
}

/* ---- checking an answer ---- */

static const char *answer(int rc) {
    return rc ? scenario_error_short_name(rc) : "success";
}

/* The answer against the step's expect; after a campaign's cut landed the run has left the
 * scenario's path, and only the model judges. */
static int check_expect(run_state *st, int got) {
    const scenario_expect *e = &st->step->expect;
    int expected = e->kind == SCENARIO_EXPECT_ERROR ? e->error : NBS_OK;
    if (e->kind == SCENARIO_EXPECT_NONE || st->plan.landed || expected == got) return RUNNER_OK;
    return run_fail(st, "%s: expected %s (the step's expectation), got %s",
                    scenario_op_name(st->step->op), answer(expected), answer(got));
}

static int check_rc(run_state *st, int want, int got) {
    if (want != got)
        return run_fail(st, "%s: expected %s (the reference model), got %s",
                        scenario_op_name(st->step->op), answer(want), answer(got));
    return check_expect(st, got);
}

/* Keeps the states whose answer (by `answer_of`) is `got`; fails when none gives it. */
static int keep_answering(run_state *st, int (*answer_of)(const slot_state *), int got) {
    update_model *m = &st->update->model;
    unsigned kept = 0;
    for (unsigned i = 0; i < m->count; i++)
        if (answer_of(&m->states[i]) == got) m->states[kept++] = m->states[i];
    if (!kept)
        return run_fail(st, "%s: expected %s (the reference model), got %s",
                        scenario_op_name(st->step->op), answer(answer_of(&m->states[0])),
                        answer(got));
    m->count = kept;
    return check_expect(st, got);
}

/* ---- cuts ---- */

static int boot_step(run_state *st, const scenario_update_args *a);

/* The power went off inside the step that just ran: its effect on the state record is there or
 * not (`before` and the model's states, the step applied, are both kept), the open update is
 * lost, and a campaign's cut is followed by the recovery of the engine's store. */
static int after_cut(run_state *st, const slot_state *before, unsigned before_count) {
    update_model *m = &st->update->model;
    for (unsigned i = 0; i < before_count && m->count < MODEL_STATES; i++) {
        bool known = false;
        for (unsigned j = 0; j < m->count; j++)
            known |= memcmp(&m->states[j], &before[i], sizeof before[i]) == 0;
        if (!known) m->states[m->count++] = before[i];
    }
    m->open = false;
    m->booted = false;
    nbs_update_close(&st->update->handle);
    if (!st->plan.recovery_pending) { /* the scenario's own cut: its power_on, then a boot */
        m->must_boot = true;
        return RUNNER_OK;
    }
    int rc = run_recover(st);
    return rc ? rc : boot_step(st, NULL); /* at reset the bootloader runs and finishes the step */
}

/* Runs `step_fn` (which updates the model as if uncut), then handles a cut inside it. */
static int with_cuts(run_state *st, int (*step_fn)(run_state *, const scenario_update_args *),
                     const scenario_update_args *a) {
    update_model *m = &st->update->model;
    slot_state before[MODEL_STATES];
    unsigned before_count = m->count;
    memcpy(before, m->states, sizeof before);
    int rc = step_fn(st, a);
    if (nor_is_powered(st->dev)) return rc;
    return after_cut(st, before, before_count);
}

static bool powered_after(run_state *st) {
    return nor_is_powered(st->dev);
}

/* ---- the steps, each with the model's answer ---- */

static int open_answer(const slot_state *s) {
    return s->state == MODEL_TEST ? NBS_E_UPDATE_STATE : NBS_OK;
}

static int open_step(run_state *st, const scenario_update_args *a) {
    run_update *u = st->update;
    update_model *m = &u->model;
    int want = NBS_OK;
    if (!a->append && a->byte_length == 0)
        want = NBS_E_INVAL;
    else if (a->byte_length > u->secondary->size)
        want = NBS_E_RANGE;
    else if (u->secondary->read_only)
        want = NBS_E_READ_ONLY;
    int rc = mount_state(st);
    if (rc) return rc;
    run_count_engine_op(st);
    int got = nbs_update_open(&u->handle, &u->slots, a->append ? 'a' : 'w', a->byte_length);
    m->open = false;
    if (!powered_after(st)) {
        for (unsigned i = 0; i < m->count; i++) /* the withdrawal may have been made */
            if (want == NBS_OK && m->states[i].state == MODEL_PENDING)
                m->states[i].state = MODEL_IDLE;
        return RUNNER_OK;
    }
    int failed = want ? check_rc(st, want, got) : keep_answering(st, open_answer, got);
    if (failed || got) return failed;
    for (unsigned i = 0; i < m->count; i++)
        if (m->states[i].state == MODEL_PENDING) m->states[i].state = MODEL_IDLE; /* withdrawn */
    m->open = true;
    m->append = a->append;
    m->byte_length = a->byte_length;
    m->written = m->offset = 0;
    m->completed = m->ended = m->has_spec = false;
    memset(m->secondary, u->erase_value, u->secondary->size);
    return RUNNER_OK;
}

/* What a write answers that its arguments decide (else NBS_OK). */
static int write_answer(const run_update *u, const scenario_update_args *a) {
    const update_model *m = &u->model;
    if (!m->open || m->completed || (m->append && m->ended)) return NBS_E_UPDATE_CLOSED;
    if (m->append) {
        uint32_t limit = m->byte_length ? m->byte_length : u->secondary->size;
        return a->count > limit - m->offset ? NBS_E_RANGE : NBS_OK;
    }
    if (a->from > m->byte_length || a->count > m->byte_length - a->from) return NBS_E_RANGE;
    bool tail_ok = a->count % u->write_unit == 0 || a->from + a->count == m->byte_length;
    return a->from % u->write_unit || !tail_ok ? NBS_E_ALIGN : NBS_OK;
}

static int write_step(run_state *st, const scenario_update_args *a) {
    run_update *u = st->update;
    update_model *m = &u->model;
    if (m->open && m->has_spec && !same_image(&m->spec, &a->image))
        return run_fail(st, "update_write: another image than this update's first write sent; "
                            "the model follows one image per update_open");
    uint8_t *image = image_bytes(st, &a->image);
    if (!image) return run_fail_nomem(st);
    int want = write_answer(u, a);
    uint32_t at = m->append ? m->offset : a->from;
    run_count_engine_op(st);
    int got = m->open && !m->append
                  ? nbs_update_write_at(&u->handle, a->from, image + a->from, a->count)
                  : nbs_update_write(&u->handle, image + a->from, a->count);
    if (want == NBS_OK) {
        memcpy(m->secondary + at, image + a->from, a->count);
        m->written += a->count;
        if (m->append) m->offset += a->count;
        m->spec = a->image;
        m->has_spec = true;
    }
    free(image);
    return powered_after(st) ? check_rc(st, want, got) : RUNNER_OK;
}

/* What complete answers, from the bytes the model says the secondary holds. */
static int complete_answer(run_state *st, run_update *u, bool *valid) {
    update_model *m = &u->model;
    *valid = false;
    if (!m->open || m->completed) return NBS_E_UPDATE_CLOSED;
    if (m->byte_length && m->written != m->byte_length) return NBS_E_UPDATE_INCOMPLETE;
    m->ended = m->append;
    if (m->written < NBS_IMAGE_HEADER_BYTES || !m->has_spec) return NBS_E_UPDATE_INCOMPLETE;
    uint8_t *image = image_bytes(st, &m->spec);
    if (!image) return RUNNER_E_NOMEM;
    int want;
    if (memcmp(m->secondary, image, NBS_IMAGE_HEADER_BYTES) != 0)
        want = NBS_E_UPDATE_IMAGE; /* no header of the image at the start: it does not decode */
    else if (m->written != m->spec.size)
        want = NBS_E_UPDATE_INCOMPLETE;
    else if (memcmp(m->secondary, image, m->spec.size) != 0 || m->spec.bad_crc)
        want = NBS_E_UPDATE_IMAGE; /* holes, or a CRC made wrong */
    else
        want = NBS_OK;
    free(image);
    *valid = want == NBS_OK;
    return want;
}

static int complete_step(run_state *st, const scenario_update_args *a) {
    (void)a;
    run_update *u = st->update;
    update_model *m = &u->model;
    bool valid;
    int want = complete_answer(st, u, &valid);
    if (want == RUNNER_E_NOMEM) return run_fail_nomem(st);
    int rc = m->open ? mount_state(st) : RUNNER_OK; /* the map's RAM is not kept between steps */
    if (rc) return rc;
    run_count_engine_op(st);
    int got = nbs_update_complete(&u->handle);
    if (valid) {
        m->completed = true;
        for (unsigned i = 0; i < m->count; i++) {
            m->states[i].state = MODEL_PENDING;
            m->states[i].pending = m->spec;
        }
    }
    return powered_after(st) ? check_rc(st, want, got) : RUNNER_OK;
}

/* The primary slot holds the image the model says runs, byte for byte. */
static int check_primary(run_state *st, const slot_state *s) {
    run_update *u = st->update;
    if (!s->has_running) return RUNNER_OK;
    uint8_t *want = image_bytes(st, &s->running), *got = malloc(s->running.size);
    int rc =
        !want || !got ? RUNNER_E_NOMEM : nor_peek(st->dev, u->primary->start, got, s->running.size);
    int result = RUNNER_OK;
    if (rc == RUNNER_E_NOMEM)
        result = run_fail_nomem(st);
    else if (rc || memcmp(want, got, s->running.size) != 0)
        result = run_fail(st,
                          "boot: the primary slot does not hold version %u's %u bytes (the "
                          "reference model)",
                          s->running.major, (unsigned)s->running.size);
    free(want);
    free(got);
    return result;
}

/* A boot from `s`: the state after it. */
static slot_state booted(slot_state s) {
    if (s.state == MODEL_PENDING) {
        s.old = s.running, s.has_old = s.has_running;
        s.running = s.pending, s.has_running = true;
        s.state = MODEL_TEST;
    } else if (s.state == MODEL_TEST) {
        s.running = s.old, s.has_running = s.has_old;
        s.state = MODEL_IDLE;
    }
    return s;
}

static bool reports(const slot_state *s, const nbs_boot_info *info) {
    return info->has_image == s->has_running && info->test == (s->state == MODEL_TEST) &&
           (!s->has_running || info->version.major == s->running.major);
}

static int boot_step(run_state *st, const scenario_update_args *a) {
    (void)a;
    run_update *u = st->update;
    update_model *m = &u->model;
    int rc = mount_state(st);
    if (rc) return rc;
    nbs_update_close(&u->handle); /* a reset: the open update is gone */
    m->open = false;
    m->booted = false;
    m->must_boot = false;
    nbs_boot_info info;
    const scenario_partition *scratch = partition_named(st->sc, SCENARIO_UPDATE_SCRATCH);
    if (u->primary->read_only || u->secondary->read_only || scratch->read_only) {
        run_count_engine_op(st); /* a boot opens the slots r+: not on a read-only one */
        return check_rc(st, NBS_E_READ_ONLY, nbs_update_boot(&u->slots, &info));
    }
    for (unsigned i = 0; i < m->count; i++) m->states[i] = booted(m->states[i]);
    run_count_engine_op(st);
    int got = nbs_update_boot(&u->slots, &info);
    if (!powered_after(st)) return RUNNER_OK;
    int failed = check_rc(st, NBS_OK, got);
    if (failed) return failed;
    unsigned kept = 0;
    for (unsigned i = 0; i < m->count; i++)
        if (reports(&m->states[i], &info)) m->states[kept++] = m->states[i];
    if (!kept) {
        char ran[48], want[48];
        const slot_state *s = &m->states[0];
        describe_run(ran, sizeof ran, info.has_image, info.version.major, info.test);
        describe_run(want, sizeof want, s->has_running, s->running.major, s->state == MODEL_TEST);
        return run_fail(st, "boot: runs %s; expected %s%s (the reference model)", ran, want,
                        m->count > 1 ? " or what the cut's other outcome gives" : "");
    }
    m->count = kept;
    m->booted = true;
    m->boot_has_image = info.has_image;
    m->boot_major = info.version.major;
    m->boot_test = info.test;
    return check_primary(st, &m->states[0]);
}

static int confirm_answer(const slot_state *s) {
    return s->state == MODEL_PENDING ? NBS_E_UPDATE_STATE : NBS_OK;
}

static int confirm_step(run_state *st, const scenario_update_args *a) {
    (void)a;
    update_model *m = &st->update->model;
    int rc = mount_state(st);
    if (rc) return rc;
    run_count_engine_op(st);
    int got = nbs_update_confirm(&st->update->slots);
    int failed = powered_after(st) ? keep_answering(st, confirm_answer, got) : RUNNER_OK;
    for (unsigned i = 0; !failed && i < m->count; i++) /* as if made; a cut keeps both */
        if (m->states[i].state == MODEL_TEST) m->states[i].state = MODEL_IDLE;
    return failed;
}

static int expect_image_step(run_state *st, const scenario_update_args *a) {
    const update_model *m = &st->update->model;
    if (st->plan.landed) return RUNNER_OK; /* off the scenario's path: the model judged */
    if (!m->booted) return run_fail(st, "expect_image: no boot step ran before it");
    bool same = a->none ? !m->boot_has_image
                        : m->boot_has_image && m->boot_major == a->major && m->boot_test == a->test;
    if (same) return RUNNER_OK;
    char ran[48], want[48];
    describe_run(ran, sizeof ran, m->boot_has_image, m->boot_major, m->boot_test);
    describe_run(want, sizeof want, !a->none, a->major, a->test);
    return run_fail(st, "expect_image: the last boot ran %s; the step expects %s", ran, want);
}

static int close_step(run_state *st, const scenario_update_args *a) {
    (void)a;
    run_count_engine_op(st);
    nbs_update_close(&st->update->handle);
    st->update->model.open = false;
    return RUNNER_OK;
}

int run_update_step(run_state *st, const scenario_step *step) {
    if (!nor_is_powered(st->dev))
        return run_fail(st, "%s: the power is off (update steps run between power_on and a cut)",
                        scenario_op_name(step->op));
    if (!st->update) {
        int rc = setup(st);
        if (rc) return rc;
    }
    if (st->update->model.must_boot && step->op != SCENARIO_OP_BOOT)
        return run_fail(st,
                        "%s: a power cut landed inside an update step: boot first (what the "
                        "bootloader does at reset finishes or reverts what was cut)",
                        scenario_op_name(step->op));
    int (*run)(run_state *, const scenario_update_args *) = expect_image_step;
    switch (step->op) {
    case SCENARIO_OP_UPDATE_OPEN: run = open_step; break;
    case SCENARIO_OP_UPDATE_WRITE: run = write_step; break;
    case SCENARIO_OP_UPDATE_COMPLETE: run = complete_step; break;
    case SCENARIO_OP_UPDATE_CLOSE: run = close_step; break;
    case SCENARIO_OP_BOOT: run = boot_step; break;
    case SCENARIO_OP_CONFIRM: run = confirm_step; break;
    default: break;
    }
    return with_cuts(st, run, &step->args.update);
}

/* ---- checkpoints (campaigns) ---- */

run_update *run_update_new(const run_update *like) {
    run_update *u = calloc(1, sizeof *u);
    if (!u) return NULL;
    u->work = malloc(like->work_size);
    u->model.secondary = malloc(like->secondary->size);
    if (!u->work || !u->model.secondary) {
        run_update_release(u);
        return NULL;
    }
    return u;
}

void run_update_copy(run_update *dst, const run_update *src) {
    uint8_t *work = dst->work, *secondary = dst->model.secondary;
    memcpy(dst, src, sizeof *dst);
    dst->work = work;
    dst->model.secondary = secondary;
    memcpy(secondary, src->model.secondary, src->secondary->size);
    /* Pointers into the copy itself; the map is mounted again before every use. */
    dst->map_binding.flash.ctx = &dst->map_binding;
    dst->slots.state = &dst->map;
    dst->slots.buffer = dst->buffer;
    dst->handle.slots = &dst->slots;
}

void run_update_release(run_update *u) {
    if (!u) return;
    free(u->work);
    free(u->model.secondary);
    free(u);
}
