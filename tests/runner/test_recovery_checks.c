/* The checks a placed power cut is followed by, each shown able to fail: the stability check
 * (answers that change at a later power-on after the recovery), the end-of-run check (records
 * written after the recovery lost at a later boot), erase_all and remove_all settled old or empty
 * (and a non-atomic erase_all caught), drop-oldest pushes held to their K drops (an extra drop at
 * the recovery caught), the checks' traffic kept out of the scenario's figures, and the tear
 * watch reported through a stand-in. */
#include "adapter.h"
#include "runner.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static scenario *parse_or_fail(const char *text) {
    scenario *sc = NULL;
    scenario_errors errors;
    int rc = scenario_parse("inline.json", text, strlen(text), &sc, &errors);
    char line[600] = "";
    if (rc && errors.count) scenario_error_format(&errors.items[0], line, sizeof line);
    scenario_errors_free(&errors);
    cr_assert_eq(rc, SCENARIO_OK, "the test scenario does not parse: %s", line);
    return sc;
}

/* Runs `sc` with `opts` (may be NULL) and returns the result (sector_erases freed). */
static scenario_result run_scenario(const scenario *sc, const runner_options *opts) {
    scenario_result r;
    runner_run(sc, "inline.json", opts, &r);
    free(r.sector_erases);
    r.sector_erases = NULL;
    return r;
}

/* The flash operations a plain run of `sc` makes. */
static uint64_t plain_flash_ops(const scenario *sc) {
    scenario_result r = run_scenario(sc, NULL);
    cr_assert_eq(r.verdict, RUN_PASS, "the plain run fails: %s", r.message);
    return r.flash_ops;
}

static scenario_cut cut_at(uint64_t op, nor_torn_program torn) {
    return (scenario_cut){
        .present = true,
        .first = {.op = op, .torn_program = torn, .torn_erase = NOR_TORN_ERASE_WEAK}};
}

/* ---- a map that hides some keys from some mount on ---- */

static adapter honest;
static unsigned mounts;     /* since the adapter was made */
static unsigned hide_from;  /* hide from this mount on (0: never) */
static unsigned note_after; /* keys stored once this many mounts were made (0: none) */
static char hidden[8][8];   /* ... are hidden; and these fixed ones too */
static size_t hidden_count;

static bool is_hidden(const void *key, size_t len) {
    if (!hide_from || mounts < hide_from) return false;
    for (size_t i = 0; i < hidden_count; i++)
        if (strlen(hidden[i]) == len && memcmp(hidden[i], key, len) == 0) return true;
    return false;
}

static int hiding_mount(void *ctx) {
    mounts++;
    return honest.mount(ctx);
}

static int hiding_store(void *ctx, const void *key, size_t key_len, const void *value, size_t len) {
    int rc = honest.store(ctx, key, key_len, value, len);
    if (rc == NBS_OK && note_after && mounts >= note_after && hidden_count < 8 && key_len < 8) {
        memcpy(hidden[hidden_count], key, key_len);
        hidden[hidden_count++][key_len] = '\0';
    }
    return rc;
}

static int hiding_fetch(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity,
                        size_t *len) {
    return is_hidden(key, key_len) ? NBS_E_NOT_FOUND
                                   : honest.fetch(ctx, key, key_len, buf, capacity, len);
}

static int hiding_has(void *ctx, const void *key, size_t key_len, bool *present) {
    int rc = honest.has(ctx, key, key_len, present);
    if (rc == NBS_OK && is_hidden(key, key_len)) *present = false;
    return rc;
}

typedef struct hiding_visit {
    adapter_visit_fn visit;
    void *ctx;
    uint32_t shown;
} hiding_visit;

static int visit_shown(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                       size_t value_len, bool *pop_current) {
    hiding_visit *h = ctx;
    if (is_hidden(key, key_len)) return 0;
    h->shown++;
    return h->visit ? h->visit(h->ctx, key, key_len, value, value_len, pop_current) : 0;
}

static int hiding_iterate(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    hiding_visit h = {visit, visit_ctx, 0};
    return honest.iterate(ctx, visit_shown, &h);
}

static int hiding_count(void *ctx, uint32_t *count) {
    hiding_visit h = {NULL, NULL, 0};
    int rc = honest.iterate(ctx, visit_shown, &h);
    *count = h.shown;
    return rc;
}

static int create_hiding_map(adapter *out, nor *dev, const adapter_config *cfg) {
    int rc = adapter_nbs_map_create(out, dev, cfg);
    honest = *out;
    mounts = 0;
    out->mount = hiding_mount;
    out->store = hiding_store;
    out->fetch = hiding_fetch;
    out->has = hiding_has;
    out->iterate = hiding_iterate;
    out->count = hiding_count;
    return rc;
}

static const char map_scenario[] =
    "{\"name\": \"checks\", \"seed\": 5, \"flash\": {\"preset\": \"w25q16jv\", \"sectors\": 4},"
    " \"engine\": {\"type\": \"map\"},"
    " \"steps\": [{\"store\": {\"key\": \"a\", \"value\": \"alpha\"}},"
    "  {\"store\": {\"key\": \"b\", \"value\": \"bravo\"}},"
    "  {\"store\": {\"key\": \"c\", \"value\": \"charlie\"}},"
    "  {\"store\": {\"key\": \"d\", \"value\": \"delta\"}},"
    "  {\"fetch\": {\"key\": \"a\"}, \"expect\": {\"value\": \"alpha\"}}]}";

/* A placed cut in the store of "b" (its last flash operation, nothing written). On format 3 that
 * operation is the item's seal: its commit is complete, so the store is applied (the recovery
 * makes it sealed); then c and d. */
static uint64_t op_in_store_of_b(const scenario *sc) {
    scenario *two = parse_or_fail(
        "{\"name\": \"two\", \"seed\": 5, \"flash\": {\"preset\": \"w25q16jv\", \"sectors\": 4},"
        " \"engine\": {\"type\": \"map\"},"
        " \"steps\": [{\"store\": {\"key\": \"a\", \"value\": \"alpha\"}},"
        "  {\"store\": {\"key\": \"b\", \"value\": \"bravo\"}}]}");
    uint64_t ops = plain_flash_ops(two);
    scenario_free(two);
    cr_assert_lt(ops, plain_flash_ops(sc));
    return ops - 1;
}

static scenario_result run_hiding(const scenario *sc, const scenario_cut *cut) {
    adapter_kind kind = {"map", ADAPTER_CAN_MAP, create_hiding_map, NULL};
    runner_branch_info info;
    runner_options opts = {.engine = &kind, .cut = cut, .cut_info = &info};
    scenario_result r = run_scenario(sc, &opts);
    if (cut) cr_assert(info.landed);
    return r;
}

Test(recovery_checks, stability_check_catches_an_answer_that_changes_at_a_later_power_on) {
    scenario *sc = parse_or_fail(map_scenario);
    scenario_cut cut = cut_at(op_in_store_of_b(sc), NOR_TORN_PROG_NONE);
    /* Mounts: 1 at the start, 2 and 3 the recovery's, 4.. the stability check's power cycles:
     * "a" vanishes at the second of those. */
    hidden_count = 1;
    strcpy(hidden[0], "a");
    note_after = 0;
    hide_from = 5;
    scenario_result plain = run_hiding(sc, NULL);
    cr_assert_eq(plain.verdict, RUN_PASS, "without a cut nothing hides: %s", plain.message);
    scenario_result r = run_hiding(sc, &cut);
    cr_assert_eq(r.verdict, RUN_FAIL);
    cr_assert(strstr(r.message, "reading 1 of 2: expected 2 items:"), "%s", r.message);
    cr_assert(strstr(r.message, "stability check after the recovery, power cycle 2 of 3"), "%s",
              r.message);
    cr_assert(strstr(r.message, "recovering from the power cut in flash operation"), "%s",
              r.message);
    hide_from = 0;
    scenario_free(sc);
}

Test(recovery_checks, end_of_run_check_catches_records_lost_at_a_later_boot) {
    scenario *sc = parse_or_fail(map_scenario);
    scenario_cut cut = cut_at(op_in_store_of_b(sc), NOR_TORN_PROG_NONE);
    /* Keys stored after the recovery and its stability check (6 mounts) vanish at any later
     * mount: only a boot after those writes can show it. */
    hidden_count = 0;
    note_after = 3 + RUNNER_CHECK_REBOOTS;
    hide_from = note_after + 1;
    scenario_result r = run_hiding(sc, &cut);
    cr_assert_eq(r.verdict, RUN_FAIL);
    cr_assert_gt(hidden_count, 0, "the keys stored after the recovery were noted");
    cr_assert_str_eq(r.failed_step, "end");
    cr_assert(strstr(r.message, "end-of-run check, power cycle 1 of 3"), "%s", r.message);
    cr_assert(strstr(r.message, "after mount: expected 4 items"), "%s", r.message);
    hide_from = note_after = 0;
    scenario_free(sc);
}

/* ---- the checks' traffic stays out of the figures ---- */

static void expect_same_figures(const scenario_result *a, const scenario_result *b) {
    cr_assert_eq(a->reads, b->reads);
    cr_assert_eq(a->read_bytes, b->read_bytes);
    cr_assert_eq(a->programs, b->programs);
    cr_assert_eq(a->program_bytes, b->program_bytes);
    cr_assert_eq(a->erases, b->erases);
    cr_assert_eq(a->sim_time_us, b->sim_time_us);
    cr_assert_eq(a->flash_ops, b->flash_ops);
}

Test(recovery_checks, checks_leave_the_scenario_figures_alone) {
    scenario *sc = parse_or_fail(map_scenario);
    scenario_cut cut = cut_at(op_in_store_of_b(sc), NOR_TORN_PROG_METASTABLE);
    scenario_result few, many;
    runner_options opts = {.cut = &cut, .check_reboots = 1};
    few = run_scenario(sc, &opts);
    opts.check_reboots = 5;
    many = run_scenario(sc, &opts);
    cr_assert_eq(few.verdict, RUN_PASS, "%s", few.message);
    cr_assert_eq(many.verdict, RUN_PASS, "%s", many.message);
    expect_same_figures(&few, &many);
    cr_assert_gt(few.check.reads, 0);
    cr_assert_gt(many.check.reads, few.check.reads, "more power cycles, more check reads");
    /* Format 3: a clean mount writes nothing, however many power cycles. */
    cr_assert_eq(many.check.programs, few.check.programs, "the checks' clean mounts programmed");
    scenario_free(sc);
}

/* The count that learns what drop-oldest pushes dropped reads nothing of the scenario's. */
static scenario_result run_pushes(bool drop_oldest) {
    char text[1024];
    snprintf(
        text, sizeof text,
        "{\"name\": \"pushes\", \"seed\": 9, \"flash\": {\"preset\": \"nrf52840\", "
        "\"sectors\": 4}, \"engine\": {\"type\": \"queue\"},"
        " \"steps\": [{\"log_appends\": {\"count\": 12, \"size\": [10, 40], "
        "\"drop_oldest\": %s}},"
        "  {\"pop\": {}}, {\"peek\": {}}, {\"count\": {}}, {\"reboot\": {}}, {\"check\": {}}]}",
        drop_oldest ? "true" : "false");
    scenario *sc = parse_or_fail(text);
    scenario_result r = run_scenario(sc, NULL);
    scenario_free(sc);
    cr_assert_eq(r.verdict, RUN_PASS, "%s", r.message);
    return r;
}

Test(recovery_checks, drop_oldest_bookkeeping_reads_nothing_of_the_scenario) {
    /* The queue never fills, so the engine does the same with or without drop_oldest. */
    scenario_result plain = run_pushes(false), dropping = run_pushes(true);
    expect_same_figures(&plain, &dropping);
    cr_assert_gt(dropping.check.reads, plain.check.reads, "the count is a check read");
}

/* ---- erase_all and remove_all: every cut point inside them settles old or empty ---- */

typedef struct last_step_cuts {
    const scenario *sc;
    uint64_t total_ops;
    unsigned tries, passed, applied, not_applied;
    char failure[RUN_MESSAGE_MAX];
} last_step_cuts;

/* Branches at every flash operation of the scenario's last step (the interval that ends at the
 * last flash operation), in four torn modes of each kind. */
static void cut_last_step(void *ctx, uint64_t first, uint64_t end, runner_branch_point *from) {
    last_step_cuts *c = ctx;
    if (end != c->total_ops) return;
    for (uint64_t op = first; op < end; op++) {
        static const nor_torn_program programs[] = {NOR_TORN_PROG_NONE, NOR_TORN_PROG_FULL,
                                                    NOR_TORN_PROG_PREFIX, NOR_TORN_PROG_METASTABLE};
        static const nor_torn_erase erases[] = {NOR_TORN_ERASE_NONE, NOR_TORN_ERASE_FULL,
                                                NOR_TORN_ERASE_PARTIAL, NOR_TORN_ERASE_WEAK};
        for (int mode = 0; mode < 4; mode++) {
            scenario_cut cut = {
                .present = true,
                .first = {.op = op, .torn_program = programs[mode], .torn_erase = erases[mode]}};
            scenario_result r;
            runner_branch_info info;
            cr_assert_neq(runner_branch(from, &cut, &r, &info), RUNNER_E_NOMEM);
            free(r.sector_erases);
            c->tries++;
            if (r.verdict == RUN_PASS && info.landed) {
                c->passed++;
                if (info.applied)
                    c->applied++;
                else
                    c->not_applied++;
            } else if (!c->failure[0]) {
                memcpy(c->failure, r.message, sizeof c->failure);
            }
        }
    }
}

static last_step_cuts cut_every_op_of_last_step(const char *text, const adapter_kind *engine) {
    scenario *sc = parse_or_fail(text);
    runner_options opts = {.engine = engine};
    scenario_result plain = run_scenario(sc, &opts);
    cr_assert_eq(plain.verdict, RUN_PASS, "the plain run fails: %s", plain.message);
    last_step_cuts c = {.sc = sc, .total_ops = plain.flash_ops};
    opts = (runner_options){.on_interval = cut_last_step, .interval_ctx = &c, .engine = engine};
    scenario_result main_run = run_scenario(sc, &opts);
    cr_assert_eq(main_run.verdict, RUN_PASS, "%s", main_run.message);
    scenario_free(sc);
    cr_assert_gt(c.tries, 0, "the last step made flash operations");
    return c;
}

#define FILL_MAP                                                                                   \
    "\"flash\": {\"preset\": \"tiny\", \"timing\": \"random\"}, \"engine\": {\"type\": \"map\"},"  \
    " \"steps\": [{\"store\": {\"key\": \"a\", \"value\": \"alpha\"}},"                            \
    "  {\"store\": {\"key\": \"b\", \"value\": \"bravo\"}},"                                       \
    "  {\"store\": {\"key\": \"c\", \"value\": \"charlie\"}},"                                     \
    "  {\"store\": {\"key\": \"a\", \"value\": \"alpha-2\"}},"

static void expect_all_settled(const last_step_cuts *c, const char *what) {
    cr_assert_eq(c->passed, c->tries, "%s: %u of %u cut points failed, first: %s", what,
                 c->tries - c->passed, c->tries, c->failure);
    cr_assert_gt(c->applied, 0, "%s: some cut found it applied (empty)", what);
    cr_assert_gt(c->not_applied, 0, "%s: some cut found it not applied (old)", what);
}

Test(recovery_checks, erase_all_of_a_map_settles_old_or_empty) {
    last_step_cuts c = cut_every_op_of_last_step(
        "{\"name\": \"erase-map\", \"seed\": 3, " FILL_MAP " {\"erase_all\": {}}]}", NULL);
    expect_all_settled(&c, "map erase_all");
}

Test(recovery_checks, remove_all_settles_old_or_empty) {
    last_step_cuts c = cut_every_op_of_last_step(
        "{\"name\": \"remove-all\", \"seed\": 3, " FILL_MAP " {\"remove_all\": {}}]}", NULL);
    expect_all_settled(&c, "remove_all");
}

Test(recovery_checks, erase_all_of_a_queue_settles_old_or_empty) {
    last_step_cuts c = cut_every_op_of_last_step(
        "{\"name\": \"erase-queue\", \"seed\": 4, \"flash\": {\"preset\": \"tiny\", \"timing\": "
        "\"random\"}, \"engine\": {\"type\": \"queue\"},"
        " \"steps\": [{\"log_appends\": {\"count\": 14, \"size\": [8, 24], \"drop_oldest\": true}},"
        "  {\"erase_all\": {}}]}",
        NULL);
    expect_all_settled(&c, "queue erase_all");
}

/* erase_all that removes one key first, then erases: a cut in between shows neither. */
static int removing_format(void *ctx) {
    int rc = honest.remove(ctx, "a", 1);
    return rc ? rc : honest.format(ctx);
}

static int create_non_atomic_map(adapter *out, nor *dev, const adapter_config *cfg) {
    int rc = adapter_nbs_map_create(out, dev, cfg);
    honest = *out;
    out->format = removing_format;
    return rc;
}

Test(recovery_checks, a_non_atomic_erase_all_is_caught) {
    adapter_kind kind = {"map", ADAPTER_CAN_MAP, create_non_atomic_map, NULL};
    last_step_cuts c = cut_every_op_of_last_step(
        "{\"name\": \"erase-map\", \"seed\": 3, " FILL_MAP " {\"erase_all\": {}}]}", &kind);
    cr_assert_lt(c.passed, c.tries, "some cut point catches the half-done erase_all");
    cr_assert(strstr(c.failure, "neither applied nor absent"), "%s", c.failure);
}

/* ---- drop-oldest: exactly K when the push landed, a prefix of K when not ---- */

static nor *queue_device;
static bool push_was_cut;

static int cut_aware_push(void *ctx, const void *data, size_t len, unsigned flags) {
    int rc = honest.push(ctx, data, len, flags);
    if (rc && (flags & ADAPTER_PUSH_DROP_OLDEST) && !nor_is_powered(queue_device))
        push_was_cut = true;
    return rc;
}

/* After a cut push with drop_oldest, the recovery mount drops one entry more. */
static int over_dropping_mount(void *ctx) {
    int rc = honest.mount(ctx);
    if (rc == NBS_OK && push_was_cut) {
        push_was_cut = false;
        uint8_t entry[256];
        size_t len;
        rc = honest.pop(ctx, entry, sizeof entry, &len);
        if (rc == NBS_E_EMPTY) rc = NBS_OK;
    }
    return rc;
}

static int create_over_dropping_queue(adapter *out, nor *dev, const adapter_config *cfg) {
    int rc = adapter_nbs_queue_create(out, dev, cfg);
    honest = *out;
    queue_device = dev;
    push_was_cut = false;
    out->push = cut_aware_push;
    out->mount = over_dropping_mount;
    return rc;
}

#define FULL_QUEUE_PUSH                                                                            \
    "{\"name\": \"drops\", \"seed\": 8, \"flash\": {\"preset\": \"tiny\", \"timing\": "            \
    "\"random\"}, \"engine\": {\"type\": \"queue\"},"                                              \
    " \"steps\": [{\"log_appends\": {\"count\": 14, \"size\": [8, 24], \"drop_oldest\": true}},"   \
    "  {\"push\": {\"value\": {\"random\": 20, \"seed\": 1}, \"drop_oldest\": true}}]}"

Test(recovery_checks, drop_oldest_push_on_a_full_queue_settles_with_its_drops) {
    last_step_cuts c = cut_every_op_of_last_step(FULL_QUEUE_PUSH, NULL);
    expect_all_settled(&c, "push with drop_oldest");
}

Test(recovery_checks, a_drop_too_many_is_refused) {
    adapter_kind kind = {"queue", ADAPTER_CAN_QUEUE, create_over_dropping_queue, NULL};
    last_step_cuts c = cut_every_op_of_last_step(FULL_QUEUE_PUSH, &kind);
    cr_assert_lt(c.passed, c.tries, "an extra drop after the cut is caught");
    cr_assert(strstr(c.failure, "neither applied nor absent"), "%s", c.failure);
}

/* ---- the tear watch, through a stand-in ---- */

static unsigned watch_samples;

static void fake_watch(const nor *dev, nor_tear_watch *out) {
    (void)dev;
    watch_samples++;
    *out = (nor_tear_watch){.active = true, .kind = NOR_EV_PROGRAM, .len = 16, .reads = 3};
    /* A torn record read valid at once, and a byte that changed later on. */
    out->read_complete = watch_samples == 1;
    out->read_changed = watch_samples == 3;
}

static void idle_watch(const nor *dev, nor_tear_watch *out) {
    (void)dev;
    *out = (nor_tear_watch){.active = false, .read_complete = true, .read_changed = true};
}

Test(recovery_checks, the_tear_watch_is_sampled_and_ored) {
    scenario *sc = parse_or_fail(map_scenario);
    scenario_cut cut = cut_at(op_in_store_of_b(sc), NOR_TORN_PROG_BITS);
    runner_branch_info info;
    watch_samples = 0;
    runner_options opts = {.cut = &cut, .cut_info = &info, .tear_watch = fake_watch};
    scenario_result r = run_scenario(sc, &opts);
    cr_assert_eq(r.verdict, RUN_PASS, "%s", r.message);
    cr_assert_geq(watch_samples, 1 + RUNNER_CHECK_REBOOTS,
                  "after the recovery, at each power cycle");
    cr_assert(info.torn_watched);
    cr_assert(info.torn_read_valid);
    cr_assert(info.torn_read_changed);

    opts.tear_watch = idle_watch;
    r = run_scenario(sc, &opts);
    cr_assert_eq(r.verdict, RUN_PASS, "%s", r.message);
    cr_assert(!info.torn_watched && !info.torn_read_valid && !info.torn_read_changed,
              "an inactive watch counts nothing");

    watch_samples = 0;
    opts = (runner_options){.tear_watch = fake_watch};
    r = run_scenario(sc, &opts);
    cr_assert_eq(watch_samples, 0, "no placed cut, no sampling");
    scenario_free(sc);
}
