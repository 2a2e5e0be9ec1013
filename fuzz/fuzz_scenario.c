/* libFuzzer target "scenario": arbitrary bytes as a scenario file. The parser and validator
 * must accept it or reject it with at least one message, each naming where and what; an
 * accepted scenario runs (within a budget of engine operations and steps) to a verdict, and a
 * verdict other than pass carries a message. Never a crash or a hang.
 *
 * Input: the file's bytes. */
#include "fuzz_finding.h"
#include "run_result.h"
#include "runner.h"
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET    "scenario"
#define FILE_NAME "fuzz.json"

enum {
    MAX_ENGINE_OPS = 300,         /* adapter calls, workload operations included */
    MAX_SLOT_VISITS = 1u << 16,   /* engine operations times the slots of the range */
    MAX_STEPS = 4000,             /* steps run, repeats counted each time (sleeps cost none) */
    MAX_ENGINE_BYTES = 16u << 10, /* a queue operation may walk every slot of the range */
    MAX_SECTORS = 1u << 16,       /* the device's per-sector state */
};

/* Steps a run executes, repeats multiplied out, saturating at MAX_STEPS + 1. */
static uint64_t steps_run(const scenario_steps *steps) {
    uint64_t total = 0;
    for (size_t i = 0; i < steps->count && total <= MAX_STEPS; i++) {
        const scenario_step *step = &steps->items[i];
        total++;
        if (step->op != SCENARIO_OP_REPEAT) continue;
        uint64_t inner = steps_run(&step->args.repeat.steps), times = step->args.repeat.times;
        total += inner && times > (MAX_STEPS + 1) / inner ? MAX_STEPS + 1 : inner * times;
    }
    return total;
}

/* What the budget leaves out: scenarios the runner would take long over, not wrong ones. */
/* A plugin engine is not run: its library would be any file the input names, loaded into the
 * fuzzer (the parse of "library" is still fuzzed). */
static bool within_budget(const scenario *sc) {
    return !sc->engine.library && sc->engine.size <= MAX_ENGINE_BYTES &&
           nor_config_sector_count(&sc->flash) <= MAX_SECTORS && steps_run(&sc->steps) <= MAX_STEPS;
}

static void check_rejection(int rc, const scenario *sc, const scenario_errors *errors) {
    FUZZ_REQUIRE(TARGET, rc == SCENARIO_E_INVALID || rc == SCENARIO_E_NOMEM,
                 "scenario_parse returned %d (%s)", rc, scenario_strerror(rc));
    FUZZ_REQUIRE(TARGET, sc == NULL, "a rejected scenario came with a parsed scenario");
    FUZZ_REQUIRE(TARGET, errors->count >= 1, "a rejection without any message");
    size_t shown =
        errors->count < SCENARIO_MAX_ERRORS + 1 ? errors->count : SCENARIO_MAX_ERRORS + 1;
    for (size_t i = 0; i < shown; i++) {
        const scenario_error *e = &errors->items[i];
        char line[SCENARIO_MESSAGE_MAX + SCENARIO_PATH_MAX + 64];
        FUZZ_REQUIRE(TARGET, e->message[0] != '\0' && memchr(e->message, 0, sizeof e->message),
                     "error %zu of %zu has no message", i, errors->count);
        scenario_error_format(e, line, sizeof line);
        FUZZ_REQUIRE(TARGET, strncmp(line, FILE_NAME, strlen(FILE_NAME)) == 0,
                     "error message does not name the file: %s", line);
    }
}

static void run_scenario(const scenario *sc) {
    run_results results;
    run_results_init(&results);
    scenario_result *result = run_results_add(&results);
    FUZZ_REQUIRE(TARGET, result != NULL, "out of memory for a run result");
    runner_options opts;
    memset(&opts, 0, sizeof opts);
    /* A queue operation may read every slot of the range (16 bytes each), so bigger ranges get
     * fewer operations. */
    uint64_t slots = sc->engine.size / 16 + 1;
    opts.max_engine_ops =
        MAX_SLOT_VISITS / slots < MAX_ENGINE_OPS ? MAX_SLOT_VISITS / slots + 1 : MAX_ENGINE_OPS;
    int rc = runner_run(sc, FILE_NAME, &opts, result);
    FUZZ_REQUIRE(TARGET, (rc == RUNNER_OK) == (result->verdict == RUN_PASS),
                 "runner_run returned %d (%s) with verdict %s", rc, runner_strerror(rc),
                 run_verdict_name(result->verdict));
    FUZZ_REQUIRE(TARGET, result->verdict == RUN_PASS || result->message[0] != '\0',
                 "verdict %s without a message (runner_run: %s)", run_verdict_name(result->verdict),
                 runner_strerror(rc));
    run_results_free(&results);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    scenario *sc = NULL;
    scenario_errors errors;
    memset(&errors, 0, sizeof errors);
    int rc = scenario_parse(FILE_NAME, data, size, &sc, &errors);
    if (rc != SCENARIO_OK)
        check_rejection(rc, sc, &errors);
    else if (within_budget(sc))
        run_scenario(sc);
    scenario_free(sc);
    scenario_errors_free(&errors);
    return 0;
}
