/* Firmware update steps of a run (update_open, update_write, update_complete, update_close, boot,
 * confirm, expect_image): each runs the engine's nbs_update.h code on the scenario's partitions
 * primary, secondary, scratch and update (the state map), and its answer is compared with a
 * reference model of the update layer kept here (which image runs after each boot, what each
 * call answers, given what was written, completed and confirmed) and with the step's expect.
 * A boot also reads the primary slot and compares it with the image the model says runs.
 * Campaigns do not place cuts in update steps yet: tests/engine/update_cuts.c cuts the layer. */
#include "nbs_nor.h"
#include "nbs_update.h"
#include "nor_prng.h"
#include "runner_internal.h"

#include <stdlib.h>
#include <string.h>

enum { IMAGE_PURPOSE = 0x75706474 /* "updt": the stream of generated image bodies */ };

typedef enum model_state { MODEL_IDLE, MODEL_PENDING, MODEL_TEST } model_state;

/* The reference model: the recorded state, the images involved, the open update. */
typedef struct update_model {
    model_state state;
    bool has_running, has_old;
    scenario_update_image running, old, pending; /* old: what a TEST boot reverts to */
    bool open, append, completed, ended, has_spec;
    uint32_t byte_length, written, offset;
    scenario_update_image spec; /* the image the open update receives */
    uint8_t *secondary;         /* the update's bytes as written (erase value elsewhere) */
    bool booted, boot_has_image, boot_test; /* the last boot's report */
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

static bool same_image(const scenario_update_image *a, const scenario_update_image *b) {
    return a->major == b->major && a->size == b->size && a->seed == b->seed &&
           a->bad_crc == b->bad_crc;
}

static int setup(run_state *st) {
    const scenario *sc = st->sc;
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
    run_update *u = st->update;
    if (!u) return;
    free(u->work);
    free(u->model.secondary);
    free(u);
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

static int check_rc(run_state *st, int want, int got) {
    const scenario_expect *e = &st->step->expect;
    const char *op = scenario_op_name(st->step->op);
    if (want != got)
        return run_fail(st, "%s: expected %s (the reference model), got %s", op, answer(want),
                        answer(got));
    int expected = e->kind == SCENARIO_EXPECT_ERROR ? e->error : NBS_OK;
    if (e->kind != SCENARIO_EXPECT_NONE && expected != got)
        return run_fail(st, "%s: expected %s (the step's expectation), got %s", op,
                        answer(expected), answer(got));
    return RUNNER_OK;
}

/* ---- the steps, each with the model's answer ---- */

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
    else if (m->state == MODEL_TEST)
        want = NBS_E_UPDATE_STATE;
    int rc = mount_state(st);
    if (rc) return rc;
    run_count_engine_op(st);
    int got = nbs_update_open(&u->handle, &u->slots, a->append ? 'a' : 'w', a->byte_length);
    m->open = want == NBS_OK;
    if (m->open) {
        if (m->state == MODEL_PENDING) m->state = MODEL_IDLE; /* withdrawn */
        m->append = a->append;
        m->byte_length = a->byte_length;
        m->written = m->offset = 0;
        m->completed = m->ended = m->has_spec = false;
        memset(m->secondary, u->erase_value, u->secondary->size);
    }
    return check_rc(st, want, got);
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
    return check_rc(st, want, got);
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

static int complete_step(run_state *st) {
    run_update *u = st->update;
    update_model *m = &u->model;
    bool valid;
    int want = complete_answer(st, u, &valid);
    if (want == RUNNER_E_NOMEM) return run_fail_nomem(st);
    run_count_engine_op(st);
    int got = nbs_update_complete(&u->handle);
    if (valid) {
        m->completed = true;
        m->state = MODEL_PENDING;
        m->pending = m->spec;
    }
    return check_rc(st, want, got);
}

/* The primary slot holds the image the model says runs, byte for byte. */
static int check_primary(run_state *st) {
    run_update *u = st->update;
    const update_model *m = &u->model;
    if (!m->has_running) return RUNNER_OK;
    uint8_t *want = image_bytes(st, &m->running), *got = malloc(m->running.size);
    int rc =
        !want || !got ? RUNNER_E_NOMEM : nor_peek(st->dev, u->primary->start, got, m->running.size);
    int result = RUNNER_OK;
    if (rc == RUNNER_E_NOMEM)
        result = run_fail_nomem(st);
    else if (rc || memcmp(want, got, m->running.size) != 0)
        result = run_fail(st,
                          "boot: the primary slot does not hold version %u's %u bytes (the "
                          "reference model)",
                          m->running.major, (unsigned)m->running.size);
    free(want);
    free(got);
    return result;
}

static int boot_step(run_state *st) {
    run_update *u = st->update;
    update_model *m = &u->model;
    int rc = mount_state(st);
    if (rc) return rc;
    nbs_update_close(&u->handle); /* a reset: the open update is gone */
    m->open = false;
    const scenario_partition *scratch = partition_named(st->sc, SCENARIO_UPDATE_SCRATCH);
    if (u->primary->read_only || u->secondary->read_only || scratch->read_only) {
        nbs_boot_info info; /* a boot opens the slots r+: it cannot run on a read-only one */
        run_count_engine_op(st);
        return check_rc(st, NBS_E_READ_ONLY, nbs_update_boot(&u->slots, &info));
    }
    if (m->state == MODEL_PENDING) {
        m->old = m->running, m->has_old = m->has_running;
        m->running = m->pending, m->has_running = true;
        m->state = MODEL_TEST;
    } else if (m->state == MODEL_TEST) {
        m->running = m->old, m->has_running = m->has_old;
        m->state = MODEL_IDLE;
    }
    nbs_boot_info info;
    run_count_engine_op(st);
    int got = nbs_update_boot(&u->slots, &info);
    int failed = check_rc(st, NBS_OK, got);
    if (failed) return failed;
    bool test = m->state == MODEL_TEST;
    if (info.has_image != m->has_running || info.test != test ||
        (m->has_running && info.version.major != m->running.major))
        return run_fail(st, "boot: runs %s%u%s; expected %s%u%s (the reference model)",
                        info.has_image ? "version " : "no image",
                        info.has_image ? info.version.major : 0, info.test ? " as a test" : "",
                        m->has_running ? "version " : "no image",
                        m->has_running ? m->running.major : 0, test ? " as a test" : "");
    m->booted = true;
    m->boot_has_image = info.has_image;
    m->boot_major = info.version.major;
    m->boot_test = info.test;
    return check_primary(st);
}

static int confirm_step(run_state *st) {
    update_model *m = &st->update->model;
    int want = m->state == MODEL_PENDING ? NBS_E_UPDATE_STATE : NBS_OK;
    int rc = mount_state(st);
    if (rc) return rc;
    run_count_engine_op(st);
    int got = nbs_update_confirm(&st->update->slots);
    if (m->state == MODEL_TEST) m->state = MODEL_IDLE;
    return check_rc(st, want, got);
}

static int expect_image_step(run_state *st, const scenario_update_args *a) {
    const update_model *m = &st->update->model;
    if (!m->booted) return run_fail(st, "expect_image: no boot step ran before it");
    bool same = a->none ? !m->boot_has_image
                        : m->boot_has_image && m->boot_major == a->major && m->boot_test == a->test;
    if (same) return RUNNER_OK;
    return run_fail(st, "expect_image: the last boot ran %s%u%s; the step expects %s%u%s",
                    m->boot_has_image ? "version " : "no image",
                    m->boot_has_image ? m->boot_major : 0, m->boot_test ? " as a test" : "",
                    a->none ? "no image" : "version ", a->none ? 0 : a->major,
                    a->test ? " as a test" : "");
}

int run_update_step(run_state *st, const scenario_step *step) {
    if (st->plan.active || (st->opts && (st->opts->on_interval || st->opts->cut)))
        return run_fail(st,
                        "%s: update steps are not modelled under a campaign's cuts yet "
                        "(tests/engine/update_cuts.c cuts the update layer)",
                        scenario_op_name(step->op));
    if (!nor_is_powered(st->dev))
        return run_fail(st, "%s: the power is off (update steps are not modelled across cuts)",
                        scenario_op_name(step->op));
    if (!st->update) {
        int rc = setup(st);
        if (rc) return rc;
    }
    const scenario_update_args *a = &step->args.update;
    switch (step->op) {
    case SCENARIO_OP_UPDATE_OPEN: return open_step(st, a);
    case SCENARIO_OP_UPDATE_WRITE: return write_step(st, a);
    case SCENARIO_OP_UPDATE_COMPLETE: return complete_step(st);
    case SCENARIO_OP_UPDATE_CLOSE:
        run_count_engine_op(st);
        nbs_update_close(&st->update->handle);
        st->update->model.open = false;
        return RUNNER_OK;
    case SCENARIO_OP_BOOT: return boot_step(st);
    case SCENARIO_OP_CONFIRM: return confirm_step(st);
    default: return expect_image_step(st, a);
    }
}
