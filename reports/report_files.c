/* Report files: DIR/results.json and DIR/junit.xml, written whole or not at all. */
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

int report_write_dir(const char *dir, const run_results *results) {
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return REPORT_E_IO;
    size_t size = strlen(dir) + sizeof "/results.json";
    char *path = malloc(size);
    if (!path) return REPORT_E_NOMEM;
    snprintf(path, size, "%s/results.json", dir);
    int rc = report_write_json(path, results);
    if (!rc) {
        snprintf(path, size, "%s/junit.xml", dir);
        rc = report_write_junit_file(path, results);
    }
    free(path);
    return rc;
}
