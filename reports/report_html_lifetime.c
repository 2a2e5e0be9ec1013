/* index.html of `norbench lifetime` and `norbench compare` (lifetime_figures.h's data only): the
 * lifetime projection as bars beside the naive baseline and the analytic bound, the figures
 * behind it (steady or not, bytes programmed per byte stored, wear spread), and for compare the
 * engines side by side with the verdict of their power-cut campaigns. */
#include "report_html.h"

#include <math.h>
#include <stdio.h>

#define ENGINE_COLOUR   "#cf5a1f"
#define BASELINE_COLOUR "#8c959f"
#define BOUND_COLOUR    "#4f7fbf"

/* A text card: a big value over its label. */
static void text_card(FILE *out, const char *label, const char *value, const char *cls) {
    fprintf(out, "<div class=\"card\"><b class=\"%s\">", cls);
    report_write_escaped(out, value);
    fprintf(out, "</b>%s</div>\n", label);
}

static void years_cell(FILE *out, double years) {
    char text[32];
    lifetime_format_years(text, sizeof text, years);
    /* "never" sorts after every lifetime that comes. */
    fprintf(out, "<td data-v=\"%.6g\">%s</td>", isinf(years) ? 1e300 : years, text);
}

static void ratio_cell(FILE *out, double value, bool known) {
    if (known)
        fprintf(out, "<td data-v=\"%.4f\">%.2f</td>", value, value);
    else
        fputs("<td data-v=\"0\">-</td>", out);
}

static void text_cell(FILE *out, const char *cls, const char *text) {
    fprintf(out, "<td class=\"t%s%s\">", cls[0] ? " " : "", cls);
    report_write_escaped(out, text);
    fputs("</td>", out);
}

static const char *verdict_class(const char *verdict) {
    return verdict[0] == 'p' ? "pass" : verdict[0] == 'F' ? "fail" : "error";
}

static void steady_cell(FILE *out, const lifetime_figures *f) {
    fprintf(out, "<td class=\"t %s\" data-v=\"%.2f\">%s, %.0f%%</td>", f->steady ? "pass" : "fail",
            f->rate_deviation, f->steady ? "yes" : "NO", f->rate_deviation);
}

/* The messages under a table: what an engine refused, and why its run stopped. */
static void engine_notes(FILE *out, const lifetime_figures *f) {
    if (f->refused) {
        fputs("<p class=\"muted\">", out);
        report_write_escaped(out, f->engine);
        fprintf(out,
                " refused %llu stores or pushes (full, too big): its figures count only what it "
                "stored.</p>\n",
                (unsigned long long)f->refused);
    }
    if (f->run.message[0]) {
        fputs("<p><b>", out);
        report_write_escaped(out, f->engine);
        fputs("</b></p>\n<pre>", out);
        report_write_escaped(out, f->run.message);
        fputs("</pre>\n", out);
    }
}

static void bound_note(FILE *out, const lifetime_figures *f) {
    char bound[32];
    lifetime_format_years(bound, sizeof bound, f->bound_years);
    double per_hour = f->hours > 0 ? (double)f->run.user_bytes_asked / f->hours : 0;
    fprintf(out,
            "<p class=\"muted\">Analytic bound: %s, the range's %llu bytes times %u erase cycles "
            "over the %.0f bytes the workload asks to store an hour (keys and values, file "
            "data). Lifetime: the busiest sector's erase rate in the steady windows, to the "
            "rated cycles.</p>\n",
            bound, (unsigned long long)f->range_bytes, f->endurance, per_hour);
}

static const char *const lifetime_columns[] = {"t:engine",
                                               "sim time",
                                               "t:steady",
                                               "erases per sector per hour",
                                               "busiest sector per hour",
                                               "wear spread",
                                               "bytes programmed per byte stored",
                                               "lifetime",
                                               "of the bound",
                                               "t:verdict",
                                               NULL};

static void lifetime_row(FILE *out, const lifetime_figures *f) {
    fputs("<tr>", out);
    text_cell(out, "", f->engine);
    years_cell(out, f->hours / LIFETIME_HOURS_PER_YEAR);
    steady_cell(out, f);
    fprintf(out, "<td data-v=\"%.6g\">%.4f</td><td data-v=\"%.6g\">%.4f</td>",
            f->sector_erases_per_hour, f->sector_erases_per_hour, f->busiest_per_hour,
            f->busiest_per_hour);
    ratio_cell(out, f->wear_spread, f->wear_spread > 0);
    ratio_cell(out, f->program_per_user_byte, f->run.user_bytes > 0);
    years_cell(out, f->years);
    bool share = !isinf(f->years) && !isinf(f->bound_years) && f->bound_years > 0;
    if (share)
        fprintf(out, "<td data-v=\"%.6g\">%.1f%%</td>", f->years / f->bound_years,
                100.0 * f->years / f->bound_years);
    else
        fputs("<td data-v=\"0\">-</td>", out);
    const char *verdict = run_verdict_name(f->run.verdict);
    text_cell(out, verdict_class(verdict), verdict);
    fputs("</tr>\n", out);
}

int report_write_html_lifetime(FILE *out, const lifetime_report *r,
                               const report_html_context *ctx) {
    const lifetime_figures *f = r->engine;
    html_page_begin(out, "norbench lifetime", ctx);
    fputs("<p>", out);
    report_write_escaped(out, r->scenario);
    fputs(" on ", out);
    report_write_escaped(out, r->preset);
    fprintf(out, ": %u sectors (", f->sectors);
    html_bytes(out, f->range_bytes);
    fprintf(out, ") in the engine's range, rated %u erase cycles.</p>\n", f->endurance);
    char years[32];
    lifetime_format_years(years, sizeof years, f->years);
    fputs("<div class=\"cards\">\n", out);
    text_card(out, "lifetime", years, f->steady ? "pass" : "fail");
    text_card(out, "erase rate", f->steady ? "steady" : "NOT steady", f->steady ? "pass" : "fail");
    if (r->baseline) {
        lifetime_format_years(years, sizeof years, r->baseline->years);
        text_card(out, "naive baseline", years, "");
    }
    lifetime_format_years(years, sizeof years, f->bound_years);
    text_card(out, "analytic bound", years, "");
    fputs("</div>\n<h2>Lifetime projection</h2>\n", out);
    html_year_bar bars[3];
    size_t n = 0;
    bars[n++] = (html_year_bar){f->engine, f->years, "engine", ENGINE_COLOUR};
    char baseline_label[64];
    if (r->baseline) {
        snprintf(baseline_label, sizeof baseline_label, "%s (baseline)", r->baseline->engine);
        bars[n++] =
            (html_year_bar){baseline_label, r->baseline->years, "baseline", BASELINE_COLOUR};
    }
    bars[n++] = (html_year_bar){"analytic bound", f->bound_years, "bound", BOUND_COLOUR};
    html_svg_years(out, bars, n);
    bound_note(out, f);
    fputs("<h2>Figures</h2>\n", out);
    html_summary_begin(out, "engines", lifetime_columns);
    lifetime_row(out, f);
    if (r->baseline) lifetime_row(out, r->baseline);
    html_summary_end(out);
    engine_notes(out, f);
    if (r->baseline) engine_notes(out, r->baseline);
    html_page_end(out);
    return ferror(out) ? REPORT_E_IO : REPORT_OK;
}

static const char *const compare_columns[] = {
    "t:engine", "reads",        "bytes read",  "programs",    "bytes programmed",
    "erases",   "write amp.",   "wear spread", "lifetime",    "t:steady",
    "t:run",    "t:power cuts", "cut tries",   "cuts failed", NULL};

static void compare_row(FILE *out, const compare_result *row) {
    const lifetime_figures *f = &row->figures;
    const scenario_result *r = &f->run;
    fprintf(out, "<tr%s>", row->measured ? " class=\"bad\"" : "");
    text_cell(out, "", f->engine);
    if (row->measured) {
        fputs("<td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-</td>"
              "<td>-</td>",
              out);
        text_cell(out, "error", "ERROR");
    } else {
        html_count_cell(out, r->reads);
        fprintf(out, "<td data-v=\"%llu\">", (unsigned long long)r->read_bytes);
        html_bytes(out, r->read_bytes);
        fputs("</td>", out);
        html_count_cell(out, r->programs);
        fprintf(out, "<td data-v=\"%llu\">", (unsigned long long)r->program_bytes);
        html_bytes(out, r->program_bytes);
        fputs("</td>", out);
        html_count_cell(out, r->erases);
        ratio_cell(out, f->program_per_user_byte, r->user_bytes > 0);
        ratio_cell(out, f->wear_spread, f->wear_spread > 0);
        years_cell(out, f->years);
        steady_cell(out, f);
        const char *verdict = run_verdict_name(r->verdict);
        text_cell(out, verdict_class(verdict), verdict);
    }
    const char *cuts = compare_campaign_verdict(row);
    fprintf(out, "<td class=\"t %s\">%s%s</td>", verdict_class(cuts), cuts,
            row->campaign.baseline_failed ? " (fails without a cut)" : "");
    if (row->campaign_rc || row->campaign.has_error) {
        fputs("<td>-</td><td>-</td></tr>\n", out);
        return;
    }
    html_count_cell(out, row->campaign.verified);
    html_count_cell(out, row->campaign.failure_count);
    fputs("</tr>\n", out);
}

int report_write_html_compare(FILE *out, const compare_report *r, const report_html_context *ctx) {
    html_page_begin(out, "norbench compare", ctx);
    fputs("<p>", out);
    report_write_escaped(out, r->scenario);
    fputs("; power cuts: ", out);
    report_write_escaped(out, r->campaign_file);
    fprintf(out,
            " (every torn mode, %d operations after each recovery, at most %d tries sampled "
            "evenly).</p>\n",
            r->campaign_steps, r->campaign_max_tries);
    fputs("<h2>Engines side by side</h2>\n", out);
    html_summary_begin(out, "engines", compare_columns);
    for (size_t i = 0; i < r->count; i++) compare_row(out, &r->rows[i]);
    html_summary_end(out);
    /* The bound is the workload's, the same for every engine: the first measured one says it. */
    const lifetime_figures *first = NULL;
    html_year_bar bars[16];
    char labels[16][64];
    size_t n = 0;
    for (size_t i = 0; i < r->count && n + 1 < sizeof bars / sizeof *bars; i++) {
        const compare_result *row = &r->rows[i];
        if (row->measured) continue;
        if (!first) first = &row->figures;
        bool baseline = row->is_baseline;
        snprintf(labels[n], sizeof labels[n], "%s%s", row->figures.engine,
                 baseline ? " (baseline)" : "");
        bars[n] = (html_year_bar){labels[n], row->figures.years, baseline ? "baseline" : "engine",
                                  baseline ? BASELINE_COLOUR : ENGINE_COLOUR};
        n++;
    }
    if (first) {
        fputs("<h2>Lifetime projection</h2>\n", out);
        bars[n++] = (html_year_bar){"analytic bound", first->bound_years, "bound", BOUND_COLOUR};
        html_svg_years(out, bars, n);
        bound_note(out, first);
    }
    for (size_t i = 0; i < r->count; i++) {
        const compare_result *row = &r->rows[i];
        engine_notes(out, &row->figures);
        const char *cuts = row->campaign.has_error       ? row->campaign.error
                           : row->campaign.failure_count ? row->campaign.failures[0].message
                                                         : NULL;
        if (!cuts) continue;
        fputs("<p><b>", out);
        report_write_escaped(out, row->figures.engine);
        fputs("</b>: power cuts</p>\n<pre>", out);
        report_write_escaped(out, cuts);
        fputs("</pre>\n", out);
    }
    html_page_end(out);
    return ferror(out) ? REPORT_E_IO : REPORT_OK;
}
