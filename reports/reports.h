/* Report writers: the run results (run_result.h, plain data) as a text table, as JSON
 * (results.json, also `norbench run --json`), as JUnit XML for CI systems, and as one
 * self-contained HTML page (index.html) for people; a power-cut campaign's result
 * (campaign.h, plain data) and the figures of `lifetime` and `compare` (lifetime_figures.h) as
 * HTML pages too. */
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

/* Writes text with the five XML/HTML special characters escaped; control characters other than
 * tab and newline (not allowed in XML 1.0) become '?'. */
void report_write_escaped(FILE *out, const char *text);

/* What an HTML page says about how it was made, and where it lives. */
typedef struct report_html_context {
    const char *command; /* the command line that made the report, shown on the page; NULL: none */
    const char *dir;     /* the page's folder: files named under it are linked relative to it */
    const char *campaign_mode; /* campaigns: the mode's name ("exhaustive", ...) */
    const char *program;       /* campaigns: the program whose `run` replays a reproducer (NULL:
                                  "norbench"): a broken variant's failures replay on that variant */
} report_html_context;

/* index.html of a run: verdicts and figures of every scenario (a sortable table), and per
 * scenario the erase-count heatmap of its sectors, the wear histogram, bytes programmed and
 * erases over simulated time, and the write amplification. Inline CSS and SVG only. */
int report_write_html(FILE *out, const run_results *results, const report_html_context *ctx);

/* index.html of a power-cut campaign: the totals, per scenario the matrix of its cut points by
 * operation kind and torn mode (tries, failures, what the tear watch saw) and where along the
 * run the failures fall, and each failure with its reproducer (linked) and the command that
 * replays it. */
struct campaign_result;
int report_write_html_campaign(FILE *out, const struct campaign_result *result,
                               const report_html_context *ctx);

/* index.html of `norbench lifetime`: the lifetime projection as bars beside the naive baseline's
 * and the analytic bound, and the figures behind them (lifetime_figures.h). */
struct lifetime_report;
int report_write_html_lifetime(FILE *out, const struct lifetime_report *report,
                               const report_html_context *ctx);
/* index.html of `norbench compare`: the engines side by side (flash traffic, write
 * amplification, wear spread, lifetime, power-cut verdict) and their lifetimes as bars beside
 * the analytic bound. */
struct compare_report;
int report_write_html_compare(FILE *out, const struct compare_report *report,
                              const report_html_context *ctx);

/* The writers of a report folder: each sets *failed to the name of the file in DIR that could
 * not be written ("index.html"; NULL: DIR itself could not be made), and returns REPORT_E_IO
 * (errno says why) or REPORT_E_NOMEM. */
/* Creates DIR (if missing) and writes DIR/results.json, DIR/junit.xml and DIR/index.html. */
int report_write_dir(const char *dir, const run_results *results, const report_html_context *ctx,
                     const char **failed);
/* Writes DIR/index.html of a campaign (DIR exists). */
int report_write_campaign_html(const char *dir, const struct campaign_result *result,
                               const report_html_context *ctx, const char **failed);
/* Writes DIR/results.json (`json`, the text the command prints with --json) and DIR/index.html
 * of `norbench lifetime` or `norbench compare` (DIR exists). */
int report_write_lifetime_dir(const char *dir, const char *json,
                              const struct lifetime_report *report, const report_html_context *ctx,
                              const char **failed);
int report_write_compare_dir(const char *dir, const char *json, const struct compare_report *report,
                             const report_html_context *ctx, const char **failed);

#endif
