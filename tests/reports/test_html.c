/* The HTML writers on results no command line makes: names and messages that are markup, a
 * device of thousands of sectors (the heatmap groups them, so the page stays small), reproducers
 * whose paths need quoting or lie outside the report's folder, and a campaign with more failures
 * than the page lists. The pages are read back as text. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "campaign.h"
#include "nbs.h"
#include "reports.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t occurrences(const char *text, const char *what) {
    size_t n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

/* The text between the first `from` and the next `to` after it (a copy). */
static char *between(const char *text, const char *from, const char *to) {
    const char *start = strstr(text, from);
    cr_assert_not_null(start, "no %s", from);
    const char *end = strstr(start, to);
    cr_assert_not_null(end, "no %s after %s", to, from);
    return strndup(start, (size_t)(end - start));
}

typedef int (*page_writer)(FILE *out, const void *data, const report_html_context *ctx);

/* The page a writer makes of `data`, as one malloc'd string. */
static char *page_of(page_writer write, const void *data, const report_html_context *ctx) {
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    cr_assert_not_null(out);
    cr_assert_eq(write(out, data, ctx), REPORT_OK);
    fclose(out);
    return text;
}

static int write_run(FILE *out, const void *data, const report_html_context *ctx) {
    return report_write_html(out, data, ctx);
}
static int write_campaign(FILE *out, const void *data, const report_html_context *ctx) {
    return report_write_html_campaign(out, data, ctx);
}

static char *run_page(const run_results *results, const report_html_context *ctx) {
    return page_of(write_run, results, ctx);
}
static char *campaign_page(const campaign_result *r, const report_html_context *ctx) {
    return page_of(write_campaign, r, ctx);
}

Test(html, markup_in_names_and_messages_is_escaped) {
    run_results results;
    run_results_init(&results);
    scenario_result *r = run_results_add(&results);
    snprintf(r->name, sizeof r->name, "<script>");
    snprintf(r->file, sizeof r->file, "a&b.json");
    snprintf(r->preset, sizeof r->preset, "\"tiny\"");
    r->verdict = RUN_FAIL;
    snprintf(r->message, sizeof r->message, "expected '</pre></table>', got <b>");
    report_html_context ctx = {.command = "norbench run <x>"};
    char *page = run_page(&results, &ctx);
    cr_assert_eq(occurrences(page, "<script>"), 1, "only the page's own script");
    cr_assert_eq(occurrences(page, "&lt;script&gt;"), 3, "the name: table, failures, section");
    cr_assert_eq(occurrences(page, "&apos;&lt;/pre&gt;&lt;/table&gt;&apos;, got &lt;b&gt;"), 2);
    cr_assert(strstr(page, "a&amp;b.json"));
    cr_assert(strstr(page, "&quot;tiny&quot;"));
    cr_assert(strstr(page, "norbench run &lt;x&gt;"));
    cr_assert_null(strstr(page, "got <b>"));
    free(page);
    run_results_free(&results);
}

/* One scenario on `sectors` sectors, erased `erases(s)` times each; the page of it. */
static char *wear_page(run_results *results, uint32_t sectors, uint32_t (*erases)(uint32_t)) {
    run_results_init(results);
    scenario_result *r = run_results_add(results);
    cr_assert_not_null(r);
    snprintf(r->name, sizeof r->name, "wear");
    r->sector_count = sectors;
    r->sector_erases = calloc(r->sector_count, sizeof *r->sector_erases);
    cr_assert_not_null(r->sector_erases);
    for (uint32_t s = 0; s < r->sector_count; s++) r->sector_erases[s] = erases(s);
    return run_page(results, NULL);
}

static uint32_t scattered(uint32_t sector) {
    return (sector * 7919u) % 1000u;
}
static uint32_t five(uint32_t sector) {
    (void)sector;
    return 5;
}

Test(html, thousands_of_sectors_make_at_most_1024_cells) {
    run_results results;
    char *page = wear_page(&results, 8192, scattered);
    char *heatmap = between(page, "<svg class=\"heatmap\"", "</svg>");
    size_t cells = occurrences(heatmap, "<rect") - 9; /* the legend's nine colours */
    cr_assert_leq(cells, 1024, "%zu cells", cells);
    cr_assert_geq(cells, 512, "%zu cells: neighbours of one colour share a rectangle", cells);
    cr_assert(strstr(heatmap, "8192 sectors, a cell per group, its highest"));
    cr_assert(strstr(heatmap, "height=\"546\""), "32 rows of 32 cells (16 px) and the legend");
    cr_assert(strstr(heatmap, "-8191: "), "the last cell ends at the last sector");
    char *histogram = between(page, "<svg class=\"histogram\"", "</svg>");
    cr_assert_eq(occurrences(histogram, "<rect"), 24, "at most 24 bars");
    free(histogram);
    free(heatmap);
    free(page);
    run_results_free(&results);
}

static uint32_t its_index(uint32_t sector) {
    return sector;
}

Test(html, the_histogram_ends_at_the_most_erased_sector) {
    run_results results;
    char *page = wear_page(&results, 55, its_index); /* erase counts 0..54 */
    char *histogram = between(page, "<svg class=\"histogram\"", "</svg>");
    cr_assert_eq(occurrences(histogram, "<rect"), 19, "55 counts, 3 a bar: 19 bars, none empty");
    cr_assert(strstr(histogram, "<title>54 to 56 erases: 1 sector</title>"));
    cr_assert(strstr(histogram, "text-anchor=\"end\">54</text>"), "the axis ends at 54");
    free(histogram);
    free(page);
    run_results_free(&results);
}

Test(html, uniform_wear_is_one_rectangle_per_row) {
    run_results results;
    char *page = wear_page(&results, 64, five);
    char *heatmap = between(page, "<svg class=\"heatmap\"", "</svg>");
    cr_assert_eq(occurrences(heatmap, "<rect") - 9, 2, "64 sectors of 32 a row, one colour");
    cr_assert(strstr(heatmap, "sectors 0-31: 5 erases"));
    free(heatmap);
    free(page);
    run_results_free(&results);
}

static campaign_failure failure_at(uint64_t op, const char *reproducer) {
    campaign_failure f = {.op = op, .torn = 2};
    snprintf(f.message, sizeof f.message, "lost <item> %llu", (unsigned long long)op);
    snprintf(f.reproducer, sizeof f.reproducer, "%s", reproducer);
    return f;
}

Test(html, reproducers_are_linked_inside_the_folder_and_quoted_for_the_shell) {
    campaign_scenario s = {.flash_ops = 40, .cut_points = 40, .mode_cut_points = 40};
    snprintf(s.name, sizeof s.name, "q");
    s.by_program[2].verified = 40;
    campaign_failure inside = failure_at(3, "out/reproducers/it's here.json");
    campaign_failure outside = failure_at(9, "/elsewhere/r.json");
    cr_assert_eq(campaign_add_failure(&s, &inside), CAMPAIGN_OK);
    cr_assert_eq(campaign_add_failure(&s, &outside), CAMPAIGN_OK);
    campaign_result r = {.scenarios = &s, .count = 1};
    campaign_options_default(&r.options);
    report_html_context ctx = {.dir = "out/", .campaign_mode = "exhaustive"};
    char *page = campaign_page(&r, &ctx);
    cr_assert(strstr(page, "<a href=\"reproducers/it%27s%20here.json\">"));
    cr_assert(strstr(page, "norbench run &apos;out/reproducers/it&apos;\\&apos;&apos;s here.json"
                           "&apos;</code>"),
              "single-quoted, its quote closed, escaped and reopened");
    cr_assert_null(strstr(page, "href=\"/elsewhere"), "no link out of the report's folder");
    cr_assert(strstr(page, "norbench run /elsewhere/r.json</code>"));
    cr_assert_eq(occurrences(page, "<tr class=\"bad\"><td data-v="), 2, "two failure rows");
    cr_assert(strstr(page, "lost &lt;item&gt; 3"));
    free(page);
    /* `--report out/` makes the reproducers' paths "out//reproducers/...". */
    snprintf(s.failures[0].reproducer, sizeof s.failures[0].reproducer,
             "out//./reproducers/a.json");
    page = campaign_page(&r, &ctx);
    cr_assert(strstr(page, "<a href=\"reproducers/a.json\">"));
    free(page);
    campaign_scenario_free(&s);
}

Test(html, a_campaign_lists_its_first_100_failures) {
    campaign_scenario s = {.flash_ops = 500, .cut_points = 500, .mode_cut_points = 500};
    snprintf(s.name, sizeof s.name, "many");
    s.by_program[2].verified = 500;
    for (uint64_t op = 1; op <= 150; op++) {
        campaign_failure f = failure_at(op, "");
        cr_assert_eq(campaign_add_failure(&s, &f), CAMPAIGN_OK);
    }
    campaign_result r = {.scenarios = &s, .count = 1};
    campaign_options_default(&r.options);
    char *page = campaign_page(&r, NULL);
    char *failures = between(page, "<table class=\"sortable failures\">", "</table>");
    cr_assert_eq(occurrences(failures, "<tr class=\"bad\">"), 100);
    cr_assert(strstr(page, "The first 100 of 150 failures"));
    char *matrix = between(page, "<table class=\"matrix\">", "</table>");
    cr_assert(strstr(matrix, "<td class=\"t\">program</td><td class=\"t\">prefix</td>"
                             "<td data-v=\"500\">500</td><td data-v=\"350\">350</td>"
                             "<td class=\"fail\" data-v=\"150\">150</td>"),
              "tries, passed and failures of the torn mode: %s", matrix);
    free(matrix);
    free(failures);
    free(page);
    campaign_scenario_free(&s);
}

Test(html, the_page_map_draws_each_state_with_its_class) {
    run_results results;
    run_results_init(&results);
    scenario_result *r = run_results_add(&results);
    cr_assert_not_null(r);
    snprintf(r->name, sizeof r->name, "pages");
    static const uint8_t states[] = {NBS_PAGE_FULL,     NBS_PAGE_FULL,     NBS_PAGE_OPEN,
                                     NBS_PAGE_RELEASED, NBS_PAGE_RELEASED, NBS_PAGE_ERASED,
                                     NBS_PAGE_KILLED,   NBS_PAGE_ERASED};
    r->page_count = sizeof states;
    r->page_states = malloc(sizeof states);
    cr_assert_not_null(r->page_states);
    memcpy(r->page_states, states, sizeof states);
    char *page = run_page(&results, NULL);
    char *map = between(page, "<svg class=\"pagemap\"", "</svg>");
    cr_assert(strstr(map, "fill=\"#a371f7\" class=\"page-released\" stroke=\"#fff\">"
                          "<title>pages 3-4: released</title>"),
              "the two released pages as one run of cells: %s", map);
    cr_assert(strstr(map, "<title>pages 0-1: full</title>"));
    cr_assert(strstr(map, "<title>page 6: killed</title>"));
    cr_assert_eq(occurrences(map, "class=\"page-"), 6, "six runs of one state");
    cr_assert(strstr(map, ">released 2</text>"), "the legend counts the pages of each state");
    cr_assert(strstr(map, ">corrupt 0</text>"), "the legend names every state");
    free(map);
    free(page);
    /* Without an inspection (a plugin's run) there is no page map at all. */
    free(r->page_states);
    r->page_states = NULL;
    page = run_page(&results, NULL);
    cr_assert_null(strstr(page, "pagemap"));
    cr_assert_null(strstr(page, "Page map"));
    free(page);
    run_results_free(&results);
}
