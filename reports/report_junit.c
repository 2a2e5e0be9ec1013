/* junit.xml: one testsuite "norbench", one testcase per scenario (classname: the scenario's
 * file), failures and errors with their message; every text XML-escaped. */
#include "reports.h"

int report_write_junit(FILE *out, const run_results *results) {
    size_t failures = run_results_count_verdict(results, RUN_FAIL);
    size_t errors = run_results_count_verdict(results, RUN_ERROR);
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out,
            "<testsuites tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n"
            "  <testsuite name=\"norbench\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
            "time=\"%.3f\">\n",
            results->count, failures, errors, results->wall_seconds, results->count, failures,
            errors, results->wall_seconds);
    for (size_t i = 0; i < results->count; i++) {
        const scenario_result *r = &results->items[i];
        fputs("    <testcase name=\"", out);
        report_write_escaped(out, r->name);
        fputs("\" classname=\"", out);
        report_write_escaped(out, r->file);
        fprintf(out, "\" time=\"%.3f\"", r->wall_seconds);
        if (r->verdict == RUN_PASS) {
            fputs("/>\n", out);
            continue;
        }
        const char *tag = r->verdict == RUN_FAIL ? "failure" : "error";
        fprintf(out, ">\n      <%s message=\"", tag);
        report_write_escaped(out, r->message);
        fprintf(out, "\" type=\"%s\">", r->verdict == RUN_FAIL ? "step" : "scenario");
        report_write_escaped(out, r->message);
        fprintf(out, "</%s>\n    </testcase>\n", tag);
    }
    fputs("  </testsuite>\n</testsuites>\n", out);
    return ferror(out) ? REPORT_E_IO : REPORT_OK;
}
