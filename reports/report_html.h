/* The pieces the HTML pages are made of, shared by reports/report_html*.c and nothing else: the
 * page's skeleton (head, inline style, the table-sorting script), text and link helpers, and
 * the SVG charts. Every string from a scenario goes through report_write_escaped. */
#ifndef NORBENCH_REPORT_HTML_H
#define NORBENCH_REPORT_HTML_H

#include "lifetime_figures.h"
#include "reports.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* report_html_page.c: from <!DOCTYPE html> to the opening of <main>, with `title` (escaped) as
 * the page's title and first heading, and the command line of `ctx` under it. */
void html_page_begin(FILE *out, const char *title, const report_html_context *ctx);
/* Closes <main>, adds the sorting script (tables of class "sortable"; a cell's data-v, when
 * present, is its numeric sort key) and ends the document. */
void html_page_end(FILE *out);
/* A summary card: a big figure over its label; cls ("pass", "fail", "error" or "") colours it. */
void html_card(FILE *out, const char *label, uint64_t value, const char *cls);
/* <table class="sortable" id="ID"> with its header row, inside a box that scrolls sideways on a
 * narrow screen; a column named "t:NAME" holds text (left-aligned). The NULL-ended list. */
void html_summary_begin(FILE *out, const char *id, const char *const *columns);
void html_summary_end(FILE *out);
/* The opening of a summary row: its first cell, `name` linked to its section #sINDEX (1-based);
 * the row is marked when `bad`. */
void html_summary_row(FILE *out, bool bad, size_t index, const char *name);
/* A count with thousands separated by thin spaces: "1 234 567". */
void html_count(FILE *out, uint64_t n);
/* Bytes for people: "512 B", "12.5 KiB", "3.40 MiB", "1.20 GiB". */
void html_bytes(FILE *out, uint64_t n);
/* A table cell with a numeric sort key: <td data-v="n">n formatted</td>. */
void html_count_cell(FILE *out, uint64_t n);
/* `path` relative to the page's folder `dir` ("dir/a/b.json" -> "a/b.json"), or NULL when the
 * file does not live under it. */
const char *html_path_under(const char *dir, const char *path);
/* <a href="RELATIVE"> with the path percent-encoded. */
void html_link_open(FILE *out, const char *relative);
/* A shell word for `text`: as it is when it holds only safe characters, else single-quoted
 * (escaped for HTML). */
void html_shell_word(FILE *out, const char *text);

/* report_html_svg.c: inline SVG charts, each with width, height and viewBox. */
/* Erase count of each sector as a grid of coloured cells (at most 1024 cells: beyond that a
 * cell stands for several sectors and shows their highest count), with its legend. */
void html_svg_heatmap(FILE *out, const uint32_t *counts, uint32_t n);
/* The state of each page of the engine's range (nbs_page_state codes, named by the engine's
 * nbs_page_state_name) as a grid like the heatmap's, each run of cells of class
 * "page-STATE", with a legend of every state and its count of pages. */
void html_svg_page_map(FILE *out, const uint8_t *states, uint32_t n);
/* How many sectors have each erase count (at most 24 bars). */
void html_svg_histogram(FILE *out, const uint32_t *counts, uint32_t n);
/* One curve over simulated time: y(sample) against samples[i].time_us. */
typedef uint64_t (*html_series_value)(const run_sample *sample);
void html_svg_line(FILE *out, const char *what, const run_sample *samples, uint32_t count,
                   html_series_value y, bool y_is_bytes);
/* Lifetimes as horizontal bars in proportion to the longest (a lifetime that never comes reaches
 * across): an engine's projection beside the naive baseline's and the analytic bound. */
typedef struct html_year_bar {
    const char *label; /* escaped when written */
    double years;      /* INFINITY: never */
    const char *kind;  /* the bar's class: "engine", "baseline" or "bound" */
    const char *colour;
} html_year_bar;
void html_svg_years(FILE *out, const html_year_bar *bars, size_t count);
/* A strip along the operations 1..ops: green when the row had tries at all (grey when not), a
 * red mark where each of its failures falls (fail_ops: `count` operation numbers, ascending). */
void html_svg_strip(FILE *out, uint64_t ops, bool tried, const uint64_t *fail_ops, size_t count);

#endif
