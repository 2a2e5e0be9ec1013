/* Tests of the report writers: results.json parses back with every figure, junit.xml is
 * well-formed (balanced tags, escaped text) with one testcase per scenario and the failures; a
 * file that cannot be written is named. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include "reports.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const nasty_message =
    "a.json:3:5: steps[2]: fetch: expected \"<old>\" & 'x', got \x01 \"new\"";

static void make_results(run_results *results) {
    run_results_init(results);
    scenario_result *pass = run_results_add(results);
    snprintf(pass->name, sizeof pass->name, "good");
    snprintf(pass->file, sizeof pass->file, "suite/good.json");
    snprintf(pass->preset, sizeof pass->preset, "tiny");
    snprintf(pass->engine, sizeof pass->engine, "map");
    pass->verdict = RUN_PASS;
    pass->seed = UINT64_MAX;
    pass->steps_run = 12;
    pass->flash_ops = 345;
    pass->erases = 6;
    pass->wear_max = 2;
    pass->wear_min = 1;
    pass->sim_time_us = 3600000000ull;
    pass->sector_count = 4;
    pass->sector_erases = calloc(4, sizeof(uint32_t));
    cr_assert_not_null(pass->sector_erases);
    pass->sector_erases[0] = 2, pass->sector_erases[1] = 1, pass->sector_erases[2] = 2,
    pass->sector_erases[3] = 1;
    scenario_result *fail = run_results_add(results);
    snprintf(fail->name, sizeof fail->name, "bad<&>");
    snprintf(fail->file, sizeof fail->file, "a.json");
    fail->verdict = RUN_FAIL;
    snprintf(fail->failed_step, sizeof fail->failed_step, "steps[2]");
    snprintf(fail->message, sizeof fail->message, "%s", nasty_message);
}

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = calloc((size_t)size + 1, 1);
    cr_assert_not_null(text);
    cr_assert_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    return text;
}

/* Writes both reports of `results` into a fresh directory and returns the text of `file`
 * (results.json or junit.xml); the directory is removed again. */
static char *write_reports_and_read(const run_results *results, const char *file) {
    char dir[] = "/tmp/norbench-reports-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    const char *failed = "";
    cr_assert_eq(report_write_dir(dir, results, NULL, &failed), REPORT_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *text = read_all(path);
    const char *const written[] = {"results.json", "junit.xml", "index.html"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, written[i]);
        unlink(path);
    }
    rmdir(dir);
    return text;
}

Test(reports, results_json_parses_back_with_every_figure) {
    run_results results;
    make_results(&results);
    char *text = write_reports_and_read(&results, "results.json");
    cJSON *root = cJSON_Parse(text);
    cr_assert_not_null(root, "results.json does not parse");
    cJSON *summary = cJSON_GetObjectItem(root, "summary");
    cr_assert_eq(cJSON_GetObjectItem(summary, "scenarios")->valueint, 2);
    cr_assert_eq(cJSON_GetObjectItem(summary, "failed")->valueint, 1);
    cJSON *list = cJSON_GetObjectItem(root, "scenarios");
    cr_assert_eq(cJSON_GetArraySize(list), 2);
    cJSON *good = cJSON_GetArrayItem(list, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(good, "verdict")->valuestring, "pass");
    cr_assert_str_eq(cJSON_GetObjectItem(good, "seed")->valuestring, "18446744073709551615");
    cr_assert_eq(cJSON_GetObjectItem(good, "steps")->valueint, 12);
    cr_assert_eq(cJSON_GetObjectItem(good, "flash_ops")->valueint, 345);
    cr_assert_eq(cJSON_GetObjectItem(good, "erases")->valueint, 6);
    cr_assert_eq(cJSON_GetObjectItem(good, "wear_max")->valueint, 2);
    cr_assert_eq(cJSON_GetObjectItem(good, "wear_min")->valueint, 1);
    cr_assert_eq(cJSON_GetObjectItem(good, "sim_time_us")->valuedouble, 3600000000.0);
    cJSON *sectors = cJSON_GetObjectItem(good, "sector_erases");
    cr_assert_eq(cJSON_GetArraySize(sectors), 4);
    cr_assert_eq(cJSON_GetArrayItem(sectors, 2)->valueint, 2);
    cJSON *bad = cJSON_GetArrayItem(list, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(bad, "verdict")->valuestring, "fail");
    cr_assert_str_eq(cJSON_GetObjectItem(bad, "failed_step")->valuestring, "steps[2]");
    cr_assert_str_eq(cJSON_GetObjectItem(bad, "message")->valuestring, nasty_message);
    cJSON_Delete(root);
    free(text);
    run_results_free(&results);
}

/* A small XML well-formedness check: balanced, properly nested tags, no raw '<' or '&' in
 * text or attributes except as entity starts, no control characters. */
static void check_xml(const char *xml) {
    const char *stack[16];
    size_t depth = 0;
    const char *p = strstr(xml, "?>");
    cr_assert_not_null(p, "no XML declaration");
    for (p += 2; *p; p++) {
        cr_assert((unsigned char)*p >= 0x20 || *p == '\n' || *p == '\t', "control character");
        if (*p == '&') {
            cr_assert(strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&lt;", 4) == 0 ||
                          strncmp(p, "&gt;", 4) == 0 || strncmp(p, "&quot;", 6) == 0 ||
                          strncmp(p, "&apos;", 6) == 0,
                      "raw '&' in XML");
            continue;
        }
        if (*p != '<') continue;
        const char *end = strchr(p, '>');
        cr_assert_not_null(end, "unterminated tag");
        for (const char *q = p + 1; q < end; q++) cr_assert(*q != '<', "'<' inside a tag");
        bool closing = p[1] == '/', empty = end[-1] == '/';
        const char *name = p + (closing ? 2 : 1);
        if (closing) {
            cr_assert_gt(depth, 0, "closing tag without opening");
            const char *open = stack[--depth];
            size_t len = strcspn(name, " />");
            cr_assert(strncmp(open, name, len) == 0 && strchr(" />", open[len]),
                      "mismatched closing tag");
        } else if (!empty) {
            cr_assert_lt(depth, 16);
            stack[depth++] = name;
        }
        p = end;
    }
    cr_assert_eq(depth, 0, "unclosed tags");
}

static size_t count_of(const char *text, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

Test(reports, junit_xml_is_well_formed_with_one_testcase_per_scenario) {
    run_results results;
    make_results(&results);
    char *xml = write_reports_and_read(&results, "junit.xml");
    check_xml(xml);
    cr_assert_eq(count_of(xml, "<testcase "), 2);
    cr_assert_eq(count_of(xml, "<failure "), 1);
    cr_assert(strstr(xml, "tests=\"2\" failures=\"1\" errors=\"0\""), "%s", xml);
    cr_assert(strstr(xml, "name=\"bad&lt;&amp;&gt;\""), "%s", xml);
    cr_assert(strstr(xml, "expected &quot;&lt;old&gt;&quot; &amp; &apos;x&apos;"), "%s", xml);
    free(xml);
    run_results_free(&results);
}

Test(reports, durations_read_naturally) {
    char buf[32];
    report_format_duration(buf, sizeof buf, 999);
    cr_assert_str_eq(buf, "999 us");
    report_format_duration(buf, sizeof buf, 2500);
    cr_assert_str_eq(buf, "2.5 ms");
    report_format_duration(buf, sizeof buf, 90000000);
    cr_assert_str_eq(buf, "1.5 min");
    report_format_duration(buf, sizeof buf, 7200000000ull);
    cr_assert_str_eq(buf, "2.00 h");
    report_format_duration(buf, sizeof buf, 90ull * 24 * 3600000000ull);
    cr_assert_str_eq(buf, "90.0 d");
}

/* A folder in the way of each file in turn: the writer names that file. */
Test(reports, the_file_that_cannot_be_written_is_named) {
    run_results results;
    make_results(&results);
    const char *const files[] = {"results.json", "junit.xml", "index.html"};
    for (int i = 0; i < 3; i++) {
        char dir[] = "/tmp/norbench-reports-XXXXXX", path[256];
        cr_assert_not_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        cr_assert_eq(mkdir(path, 0777), 0);
        const char *failed = NULL;
        cr_assert_eq(report_write_dir(dir, &results, NULL, &failed), REPORT_E_IO);
        cr_assert(failed && strcmp(failed, files[i]) == 0, "%s in the way: %s named", files[i],
                  failed ? failed : "nothing");
        rmdir(path);
        for (int j = 0; j < i; j++) {
            snprintf(path, sizeof path, "%s/%s", dir, files[j]);
            unlink(path);
        }
        rmdir(dir);
    }
    run_results_free(&results);
}

Test(reports, unwritable_directory_is_an_io_error) {
    run_results results;
    make_results(&results);
    const char *failed = "";
    cr_assert_eq(report_write_dir("/nonexistent/dir/below", &results, NULL, &failed), REPORT_E_IO);
    cr_assert_null(failed, "the folder could not be made, yet %s is named", failed);
    run_results_free(&results);
}
