/* Report writers: the run results (run_result.h, plain data) as a text table, as JSON
 * (results.json, also `norbench run --json`) and as JUnit XML for CI systems. */
#ifndef NORBENCH_REPORTS_H
#define NORBENCH_REPORTS_H

#include "run_result.h"

#include <stdio.h>

/* Errors: 0 or one of these negative values. */
enum {
    REPORT_OK = 0,
    REPORT_E_NOMEM = -1, /* out of host memory */
    REPORT_E_IO = -2,    /* the file could not be written (errno says why) */
};
const char *report_strerror(int err);

/* "850 us", "12.5 ms", "3.20 s", "4.1 min", "2.50 h", "90.0 d", "10.0 y": simulated time for
 * people. */
void report_format_duration(char *out, size_t size, uint64_t us);

/* The table: scenario, steps, flash ops, erases, max/min wear, simulated time, verdict; then
 * each FAIL's message (an ERROR's is left to the caller, who found it) and a summary line. */
void report_print_table(FILE *out, const run_results *results);

/* The JSON document of results.json, as a string the caller frees with free(); NULL when out
 * of memory. */
char *report_json_string(const run_results *results);
int report_write_json(const char *path, const run_results *results);

/* JUnit XML: one testsuite, one testcase per scenario, failures with their message. */
int report_write_junit(FILE *out, const run_results *results);
int report_write_junit_file(const char *path, const run_results *results);

/* Creates DIR (if missing) and writes DIR/results.json and DIR/junit.xml. */
int report_write_dir(const char *dir, const run_results *results);

#endif
