/* Runner tests' helpers (run_inline.h). */
#include "run_inline.h"

#include <criterion/criterion.h>
#include <string.h>

scenario *parse_or_fail(const char *text) {
    scenario *sc = NULL;
    scenario_errors errors;
    int rc = scenario_parse("inline.json", text, strlen(text), &sc, &errors);
    if (rc) {
        char line[600] = "";
        if (errors.count) scenario_error_format(&errors.items[0], line, sizeof line);
        scenario_errors_free(&errors);
        cr_assert_fail("the test scenario does not parse: %s", line);
    }
    scenario_errors_free(&errors);
    return sc;
}

scenario_result run_text(const char *text, const runner_options *opts) {
    scenario *sc = parse_or_fail(text);
    scenario_result r;
    runner_run(sc, "inline.json", opts, &r);
    scenario_free(sc);
    return r;
}

void expect_failure(const scenario_result *r, const char *step, const char *fragment) {
    cr_assert_eq(r->verdict, RUN_FAIL, "expected a failure, got %s", run_verdict_name(r->verdict));
    cr_assert_str_eq(r->failed_step, step);
    cr_assert(strstr(r->message, fragment), "message '%s' lacks '%s'", r->message, fragment);
    cr_assert(strncmp(r->message, "inline.json:", 12) == 0, "message '%s' lacks FILE:", r->message);
}
