/* The runner's progress callback comes every few dozen engine operations (PROGRESS_EVERY_OPS,
 * 64), with the count so far, so that a caller that draws by its clock (norbench run, about
 * once a second) moves on long scenarios whatever each operation costs. */
#include "runner.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const char text[] = "{\"name\": \"progress\", \"seed\": 1,"
                           " \"flash\": {\"preset\": \"tiny\", \"sectors\": 4},"
                           " \"engine\": {\"type\": \"map\"},"
                           " \"steps\": [{\"random_ops\": {\"ops\": 1000, \"keys\": 4,"
                           "  \"value_size\": [4, 16], \"mix\": {\"store\": 1, \"fetch\": 1}}}]}";

typedef struct calls {
    uint64_t count, last;
    bool increasing;
} calls;

static void on_progress(void *ctx, const char *name, uint64_t engine_ops) {
    calls *c = ctx;
    cr_assert_str_eq(name, "progress");
    c->increasing &= engine_ops > c->last;
    c->last = engine_ops;
    c->count++;
}

Test(progress, every_64_engine_operations) {
    scenario *sc = NULL;
    scenario_errors errors;
    cr_assert_eq(scenario_parse("progress", text, strlen(text), &sc, &errors), SCENARIO_OK);
    scenario_errors_free(&errors);
    calls c = {.increasing = true};
    runner_options ro = {.progress = on_progress, .progress_ctx = &c};
    scenario_result r;
    cr_assert_eq(runner_run(sc, "progress", &ro, &r), RUNNER_OK, "%s", r.message);
    cr_assert_geq(r.engine_ops, 1000);
    cr_assert_eq(c.count, (r.engine_ops + 63) / 64,
                 "%llu calls (the first at the first) for %llu engine operations",
                 (unsigned long long)c.count, (unsigned long long)r.engine_ops);
    cr_assert(c.increasing);
    free(r.sector_erases);
    scenario_free(sc);
}
