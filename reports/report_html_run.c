/* index.html of `norbench run`: the summary cards, the sortable table of every scenario's verdict
 * and figures, the failure messages, then one section per scenario with its wear (the heatmap
 * of its sectors' erase counts and their histogram), its flash traffic over simulated time and
 * its write amplification. Only run_result.h's data is read. */
#include "report_html.h"

static const char *verdict_class(run_verdict v) {
    return v == RUN_PASS ? "pass" : v == RUN_FAIL ? "fail" : "error";
}

/* "2.35" bytes programmed per byte stored, or a dash when nothing was stored. */
static void write_amplification(FILE *out, const scenario_result *r, bool as_cell) {
    double wa = r->user_bytes ? (double)r->program_bytes / (double)r->user_bytes : 0;
    if (as_cell) {
        if (r->user_bytes)
            fprintf(out, "<td data-v=\"%.4f\">%.2f</td>", wa, wa);
        else
            fputs("<td data-v=\"0\">-</td>", out);
        return;
    }
    if (r->user_bytes)
        fprintf(out, "%.2f", wa);
    else
        fputs("- (nothing stored)", out);
}

static void summary_table(FILE *out, const run_results *results) {
    static const char *const columns[] = {
        "t:scenario", "t:verdict", "t:preset",         "t:engine", "steps",
        "engine ops", "flash ops", "bytes programmed", "erases",   "write amp.",
        "min wear",   "max wear",  "sim time",         NULL};
    html_summary_begin(out, "scenarios", columns);
    for (size_t i = 0; i < results->count; i++) {
        const scenario_result *r = &results->items[i];
        html_summary_row(out, r->verdict != RUN_PASS, i, r->name);
        fprintf(out, "<td class=\"t %s\">%s</td><td class=\"t\">", verdict_class(r->verdict),
                run_verdict_name(r->verdict));
        report_write_escaped(out, r->preset);
        fputs("</td><td class=\"t\">", out);
        report_write_escaped(out, r->engine);
        fputs("</td>", out);
        if (r->verdict == RUN_ERROR) {
            fputs("<td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-</td>"
                  "<td>-</td><td>-</td></tr>\n",
                  out);
            continue;
        }
        html_count_cell(out, r->steps_run);
        html_count_cell(out, r->engine_ops);
        html_count_cell(out, r->flash_ops);
        fprintf(out, "<td data-v=\"%llu\">", (unsigned long long)r->program_bytes);
        html_bytes(out, r->program_bytes);
        fputs("</td>", out);
        html_count_cell(out, r->erases);
        write_amplification(out, r, true);
        html_count_cell(out, r->wear_min);
        html_count_cell(out, r->wear_max);
        char time[32];
        report_format_duration(time, sizeof time, r->sim_time_us);
        fprintf(out, "<td data-v=\"%llu\">%s</td></tr>\n", (unsigned long long)r->sim_time_us,
                time);
    }
    html_summary_end(out);
}

static void failure_list(FILE *out, const run_results *results) {
    if (run_results_count_verdict(results, RUN_PASS) == results->count) return;
    fputs("<h2>Failures</h2>\n", out);
    for (size_t i = 0; i < results->count; i++) {
        const scenario_result *r = &results->items[i];
        if (r->verdict == RUN_PASS) continue;
        fprintf(out, "<p><span class=\"%s\">%s</span> <a href=\"#s%zu\">",
                verdict_class(r->verdict), run_verdict_name(r->verdict), i + 1);
        report_write_escaped(out, r->name);
        fputs("</a></p>\n<pre>", out);
        report_write_escaped(out, r->message);
        fputs("</pre>\n", out);
    }
}

static uint64_t sample_program_bytes(const run_sample *s) {
    return s->program_bytes;
}
static uint64_t sample_erases(const run_sample *s) {
    return s->erases;
}

static void figure_row(FILE *out, const char *label, uint64_t n, bool is_bytes) {
    fprintf(out, "<tr><th class=\"t\">%s</th><td>", label);
    if (is_bytes)
        html_bytes(out, n);
    else
        html_count(out, n);
    fputs("</td></tr>\n", out);
}

static void scenario_section(FILE *out, const scenario_result *r, size_t index) {
    fprintf(out, "<section id=\"s%zu\">\n<h2>", index + 1);
    report_write_escaped(out, r->name);
    fprintf(out, " <span class=\"%s\">%s</span></h2>\n<p class=\"muted\"><code>",
            verdict_class(r->verdict), run_verdict_name(r->verdict));
    report_write_escaped(out, r->file);
    char seed[RUN_SEED_TEXT_MAX];
    run_seed_format(seed, r->seed);
    fputs("</code> on ", out);
    report_write_escaped(out, r->preset);
    fputs(", engine ", out);
    report_write_escaped(out, r->engine);
    fprintf(out, ", seed %s</p>\n", seed);
    if (r->verdict != RUN_PASS) {
        fputs("<pre>", out);
        report_write_escaped(out, r->message);
        fputs("</pre>\n", out);
    }
    if (r->verdict == RUN_ERROR) {
        fputs("</section>\n", out);
        return;
    }
    fputs("<div class=\"charts\">\n<figure><figcaption>Figures</figcaption>\n<table>\n", out);
    figure_row(out, "steps", r->steps_run, false);
    figure_row(out, "engine operations", r->engine_ops, false);
    figure_row(out, "bytes stored (keys, values, file data)", r->user_bytes, true);
    figure_row(out, "programs", r->programs, false);
    figure_row(out, "bytes programmed", r->program_bytes, true);
    figure_row(out, "erases", r->erases, false);
    figure_row(out, "reads", r->reads, false);
    figure_row(out, "bytes read", r->read_bytes, true);
    figure_row(out, "power cuts", r->power_cuts, false);
    figure_row(out, "violations", r->violations, false);
    figure_row(out, "ECC errors", r->ecc_errors, false);
    fputs("<tr><th class=\"t\">write amplification</th><td>", out);
    write_amplification(out, r, false);
    char time[32];
    report_format_duration(time, sizeof time, r->sim_time_us);
    fprintf(out, "</td></tr>\n<tr><th class=\"t\">simulated time</th><td>%s</td></tr>\n", time);
    fputs("</table>\n</figure>\n", out);
    if (r->page_states && r->page_count) {
        fputs("<figure><figcaption>Page map (the engine's inspection)</figcaption>\n", out);
        html_svg_page_map(out, r->page_states, r->page_count);
        fputs("</figure>\n", out);
    }
    if (r->sector_erases && r->sector_count) {
        fputs("<figure><figcaption>Erases per sector</figcaption>\n", out);
        html_svg_heatmap(out, r->sector_erases, r->sector_count);
        fputs("</figure>\n<figure><figcaption>Wear histogram</figcaption>\n", out);
        html_svg_histogram(out, r->sector_erases, r->sector_count);
        fputs("</figure>\n", out);
    }
    if (r->series.count >= 2) {
        fputs("<figure><figcaption>Bytes programmed over simulated time</figcaption>\n", out);
        html_svg_line(out, "bytes programmed", r->series.samples, r->series.count,
                      sample_program_bytes, true);
        fputs("</figure>\n<figure><figcaption>Erases over simulated time</figcaption>\n", out);
        html_svg_line(out, "erases", r->series.samples, r->series.count, sample_erases, false);
        fputs("</figure>\n", out);
    }
    fputs("</div>\n</section>\n", out);
}

int report_write_html(FILE *out, const run_results *results, const report_html_context *ctx) {
    size_t passed = run_results_count_verdict(results, RUN_PASS);
    size_t failed = run_results_count_verdict(results, RUN_FAIL);
    size_t errors = run_results_count_verdict(results, RUN_ERROR);
    html_page_begin(out, "norbench run", ctx);
    uint64_t programmed = 0, erases = 0, flash_ops = 0;
    for (size_t i = 0; i < results->count; i++) {
        programmed += results->items[i].program_bytes;
        erases += results->items[i].erases;
        flash_ops += results->items[i].flash_ops;
    }
    fputs("<div class=\"cards\">\n", out);
    html_card(out, run_plural(results->count, "scenario", "scenarios"), results->count, "");
    html_card(out, "passed", passed, "pass");
    html_card(out, "failed", failed, failed ? "fail" : "");
    html_card(out, run_plural(errors, "error", "errors"), errors, errors ? "error" : "");
    html_card(out, "flash operations", flash_ops, "");
    html_card(out, "erases", erases, "");
    fputs("<div class=\"card\"><b>", out);
    html_bytes(out, programmed);
    fprintf(out,
            "</b>programmed</div>\n</div>\n<p class=\"muted\">%.2f s of wall time, %.2f s of "
            "CPU. Click a column's title to sort (with JavaScript on).</p>\n",
            results->wall_seconds, results->cpu_seconds);
    summary_table(out, results);
    failure_list(out, results);
    for (size_t i = 0; i < results->count; i++) scenario_section(out, &results->items[i], i);
    html_page_end(out);
    return ferror(out) ? REPORT_E_IO : REPORT_OK;
}
