/* Report files: DIR/results.json, DIR/junit.xml and DIR/index.html of a run, DIR/index.html of
 * a campaign, DIR/results.json and DIR/index.html of lifetime and compare; a file that cannot
 * be written is named to the caller. */
#include "lifetime_figures.h"
#include "reports.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int write_text_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) return REPORT_E_IO;
    int rc = fputs(text, f) < 0 ? REPORT_E_IO : REPORT_OK;
    if (fclose(f) != 0) rc = REPORT_E_IO;
    return rc;
}

int report_write_json(const char *path, const run_results *results) {
    char *text = report_json_string(results);
    if (!text) return REPORT_E_NOMEM;
    int rc = write_text_file(path, text);
    free(text);
    return rc;
}

int report_write_junit_file(const char *path, const run_results *results) {
    FILE *f = fopen(path, "w");
    if (!f) return REPORT_E_IO;
    int rc = report_write_junit(f, results);
    if (fclose(f) != 0 && !rc) rc = REPORT_E_IO;
    return rc;
}

/* DIR/index.html through one of the HTML writers. */
typedef int (*html_writer)(FILE *out, const void *data, const report_html_context *ctx);

static int write_index(const char *dir, html_writer write, const void *data,
                       const report_html_context *ctx, const char **failed) {
    *failed = "index.html";
    size_t size = strlen(dir) + sizeof "/index.html";
    char *path = malloc(size);
    if (!path) return REPORT_E_NOMEM;
    snprintf(path, size, "%s/index.html", dir);
    FILE *f = fopen(path, "w");
    free(path);
    if (!f) return REPORT_E_IO;
    report_html_context here = ctx ? *ctx : (report_html_context){0};
    here.dir = dir;
    int rc = write(f, data, &here);
    if (fclose(f) != 0 && !rc) rc = REPORT_E_IO;
    return rc;
}

static int run_page(FILE *out, const void *data, const report_html_context *ctx) {
    return report_write_html(out, data, ctx);
}

static int campaign_page(FILE *out, const void *data, const report_html_context *ctx) {
    return report_write_html_campaign(out, data, ctx);
}

int report_write_dir(const char *dir, const run_results *results, const report_html_context *ctx,
                     const char **failed) {
    *failed = NULL;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return REPORT_E_IO;
    size_t size = strlen(dir) + sizeof "/results.json";
    char *path = malloc(size);
    if (!path) return REPORT_E_NOMEM;
    *failed = "results.json";
    snprintf(path, size, "%s/%s", dir, *failed);
    int rc = report_write_json(path, results);
    if (!rc) {
        *failed = "junit.xml";
        snprintf(path, size, "%s/%s", dir, *failed);
        rc = report_write_junit_file(path, results);
    }
    free(path);
    if (!rc) rc = write_index(dir, run_page, results, ctx, failed);
    return rc;
}

int report_write_campaign_html(const char *dir, const struct campaign_result *result,
                               const report_html_context *ctx, const char **failed) {
    return write_index(dir, campaign_page, result, ctx, failed);
}

static int lifetime_page(FILE *out, const void *data, const report_html_context *ctx) {
    return report_write_html_lifetime(out, data, ctx);
}

static int compare_page(FILE *out, const void *data, const report_html_context *ctx) {
    return report_write_html_compare(out, data, ctx);
}

/* DIR/results.json holding `json`, then DIR/index.html. */
static int write_json_and_index(const char *dir, const char *json, html_writer write,
                                const void *data, const report_html_context *ctx,
                                const char **failed) {
    *failed = "results.json";
    size_t size = strlen(dir) + sizeof "/results.json";
    char *path = malloc(size);
    if (!path) return REPORT_E_NOMEM;
    snprintf(path, size, "%s/%s", dir, *failed);
    int rc = write_text_file(path, json);
    free(path);
    return rc ? rc : write_index(dir, write, data, ctx, failed);
}

int report_write_lifetime_dir(const char *dir, const char *json, const lifetime_report *report,
                              const report_html_context *ctx, const char **failed) {
    return write_json_and_index(dir, json, lifetime_page, report, ctx, failed);
}

int report_write_compare_dir(const char *dir, const char *json, const compare_report *report,
                             const report_html_context *ctx, const char **failed) {
    return write_json_and_index(dir, json, compare_page, report, ctx, failed);
}
