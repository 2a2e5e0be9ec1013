/* Runner tests' helpers: a scenario given as JSON text, parsed (the test fails when it does not
 * parse), run, and its failure checked by step and message fragment. */
#ifndef TESTS_RUN_INLINE_H
#define TESTS_RUN_INLINE_H

#include "runner.h"

/* Parses `text` as "inline.json"; fails the test when it does not parse. */
scenario *parse_or_fail(const char *text);
/* Runs `text` and returns its result (the caller frees sector_erases). */
scenario_result run_text(const char *text, const runner_options *opts);
/* The run failed at `step` with a message naming inline.json and holding `fragment`. */
void expect_failure(const scenario_result *r, const char *step, const char *fragment);

#endif
