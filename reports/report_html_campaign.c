/* index.html of `norbench powercut`: the campaign's options and totals, the sortable table of its
 * scenarios, then per scenario the matrix of its cut points by operation kind and torn mode
 * (tries, failures, what the tear watch saw: torn ranges that read valid, readings that changed;
 * and a strip that places the failures along the run's operations), and each failure with its
 * reproducer, linked inside the report's folder, and the command that replays it. Only the data
 * of campaign.h is read. */
#include "campaign.h"
#include "nor.h"
#include "report_html.h"

#include <stdlib.h>

/* Failures listed one by one per scenario (a broken engine fails at thousands of cut points;
 * powercut.json has them all). */
#define FAILURES_LISTED 100u

static const char *torn_name(bool is_erase, unsigned mode) {
    const char *name = is_erase ? nor_torn_erase_name((nor_torn_erase)mode)
                                : nor_torn_program_name((nor_torn_program)mode);
    return name ? name : "?";
}

typedef enum scenario_state {
    STATE_PASS,
    STATE_FAIL,
    STATE_ERROR,
    STATE_INCOMPLETE
} scenario_state;

static scenario_state state_of(const campaign_scenario *s) {
    if (s->has_error) return STATE_ERROR;
    if (s->failure_count) return STATE_FAIL;
    return s->incomplete ? STATE_INCOMPLETE : STATE_PASS;
}

static void write_state(FILE *out, scenario_state state, const campaign_scenario *s) {
    static const char *const cls[] = {"pass", "fail", "error", "error"};
    static const char *const text[] = {"pass", "FAIL", "ERROR", "incomplete"};
    fprintf(out, "<span class=\"%s\">%s</span>", cls[state],
            state == STATE_ERROR && s->baseline_failed ? "FAILS WITHOUT A CUT" : text[state]);
}

static void torn_list(FILE *out, unsigned mask, unsigned modes, bool is_erase) {
    bool first = true;
    for (unsigned m = 0; m < modes; m++) {
        if (!(mask >> m & 1u)) continue;
        fprintf(out, "%s%s", first ? "" : ", ", torn_name(is_erase, m));
        first = false;
    }
    if (first) fputs("none", out);
}

static void options_line(FILE *out, const campaign_result *r, const report_html_context *ctx) {
    const campaign_options *o = &r->options;
    fputs("<p>Mode <b>", out);
    report_write_escaped(out, ctx && ctx->campaign_mode ? ctx->campaign_mode : "?");
    fprintf(out, "</b>, depth %u; torn programs: ", o->depth);
    torn_list(out, o->torn_program, CAMPAIGN_TORN_PROGRAM_MODES, false);
    fputs("; torn erases: ", out);
    torn_list(out, o->torn_erase, CAMPAIGN_TORN_ERASE_MODES, true);
    if (o->shard_count > 1) fprintf(out, "; shard %u of %u", o->shard_index, o->shard_count);
    if (o->max_tries)
        fprintf(out, "; at most %llu tries per scenario", (unsigned long long)o->max_tries);
    fputs(".</p>\n", out);
}

static void totals(FILE *out, const campaign_result *r) {
    uint64_t cut_points = 0, tries = 0, failures = 0, valid = 0, changed = 0;
    for (size_t i = 0; i < r->count; i++) {
        const campaign_scenario *s = &r->scenarios[i];
        cut_points += s->cut_points;
        tries += s->verified + s->recovery_verified;
        failures += s->failure_count;
        for (unsigned m = 0; m < CAMPAIGN_TORN_PROGRAM_MODES; m++) {
            valid += s->by_program[m].read_valid;
            changed += s->by_program[m].changed;
        }
        for (unsigned m = 0; m < CAMPAIGN_TORN_ERASE_MODES; m++) {
            valid += s->by_erase[m].read_valid;
            changed += s->by_erase[m].changed;
        }
    }
    fputs("<div class=\"cards\">\n", out);
    html_card(out, run_plural(r->count, "scenario", "scenarios"), r->count, "");
    html_card(out, "cut points", cut_points, "");
    html_card(out, "tries verified", tries, "");
    html_card(out, run_plural(failures, "failure", "failures"), failures,
              failures ? "fail" : "pass");
    html_card(out, "torn ranges read valid", valid, "");
    html_card(out, "readings that changed", changed, "");
    fputs("</div>\n", out);
}

static void summary_table(FILE *out, const campaign_result *r) {
    static const char *const columns[] = {"t:scenario", "t:verdict", "flash ops",     "cut points",
                                          "coverage",   "tries",     "in recoveries", "failures",
                                          "seconds",    NULL};
    html_summary_begin(out, "scenarios", columns);
    for (size_t i = 0; i < r->count; i++) {
        const campaign_scenario *s = &r->scenarios[i];
        scenario_state state = state_of(s);
        html_summary_row(out, state != STATE_PASS, i, s->name);
        fputs("<td class=\"t\">", out);
        write_state(out, state, s);
        fputs("</td>", out);
        html_count_cell(out, s->flash_ops);
        html_count_cell(out, s->cut_points);
        double coverage = s->mode_cut_points ? (double)s->cut_points / s->mode_cut_points : 1;
        fprintf(out, "<td data-v=\"%.4f\">%.1f%%</td>", coverage, 100 * coverage);
        html_count_cell(out, s->verified);
        html_count_cell(out, s->recovery_verified);
        html_count_cell(out, s->failure_count);
        fprintf(out, "<td data-v=\"%.3f\">%.2f</td></tr>\n", s->seconds, s->seconds);
    }
    html_summary_end(out);
}

/* The first cuts of one torn mode that failed (at depth 2, with any cut inside the recovery). */
static uint64_t failures_in(const campaign_scenario *s, bool is_erase, unsigned mode) {
    uint64_t n = 0;
    for (size_t i = 0; i < s->failure_count; i++)
        n += s->failures[i].is_erase == is_erase && s->failures[i].torn == mode;
    return n;
}

static bool mode_shown(const campaign_result *r, const campaign_scenario *s, bool is_erase,
                       unsigned mode) {
    unsigned mask = is_erase ? r->options.torn_erase : r->options.torn_program;
    const campaign_torn_counts *c = is_erase ? &s->by_erase[mode] : &s->by_program[mode];
    return (mask >> mode & 1u) || c->verified || failures_in(s, is_erase, mode);
}

/* One row per torn mode requested or tried: its tries, passes, failures, what the tear watch
 * saw, and a strip along the run's operations that places its failures. */
static int matrix(FILE *out, const campaign_result *r, const campaign_scenario *s) {
    /* The operations of one mode's failures (failures are sorted by operation). */
    uint64_t *ops = malloc((s->failure_count ? s->failure_count : 1) * sizeof *ops);
    if (!ops) return REPORT_E_NOMEM;
    fputs("<table class=\"matrix\">\n<thead><tr><th class=\"t\">operation</th>"
          "<th class=\"t\">torn mode</th><th>tries</th><th>passed</th><th>failures</th>"
          "<th>read valid</th><th>changed</th><th class=\"t\">where the failures fall</th></tr>"
          "</thead>\n<tbody>\n",
          out);
    for (unsigned kind = 0; kind < 2; kind++) {
        bool is_erase = kind == 1;
        unsigned modes = is_erase ? CAMPAIGN_TORN_ERASE_MODES : CAMPAIGN_TORN_PROGRAM_MODES;
        for (unsigned m = 0; m < modes; m++) {
            if (!mode_shown(r, s, is_erase, m)) continue;
            const campaign_torn_counts *c = is_erase ? &s->by_erase[m] : &s->by_program[m];
            uint64_t failed = failures_in(s, is_erase, m);
            uint64_t passed = c->verified > failed ? c->verified - failed : 0;
            fprintf(out, "<tr%s><td class=\"t\">%s</td><td class=\"t\">%s</td>",
                    failed ? " class=\"bad\"" : "", is_erase ? "erase" : "program",
                    torn_name(is_erase, m));
            html_count_cell(out, c->verified);
            html_count_cell(out, passed);
            fprintf(out, "<td%s data-v=\"%llu\">", failed ? " class=\"fail\"" : "",
                    (unsigned long long)failed);
            html_count(out, failed);
            fputs("</td>", out);
            html_count_cell(out, c->read_valid);
            html_count_cell(out, c->changed);
            fputs("<td class=\"t\">", out);
            for (size_t i = 0, n = 0; i < s->failure_count; i++)
                if (s->failures[i].is_erase == is_erase && s->failures[i].torn == m)
                    ops[n++] = s->failures[i].op;
            html_svg_strip(out, s->flash_ops, c->verified > 0, ops, (size_t)failed);
            fputs("</td></tr>\n", out);
        }
    }
    fputs("</tbody>\n</table>\n", out);
    free(ops);
    return REPORT_OK;
}

static void failure_row(FILE *out, const campaign_failure *f, const report_html_context *ctx) {
    fprintf(out, "<tr class=\"bad\"><td data-v=\"%llu\">", (unsigned long long)f->op);
    html_count(out, f->op);
    fprintf(out, "</td><td class=\"t\">%s, torn %s", f->is_erase ? "erase" : "program",
            torn_name(f->is_erase, f->torn));
    if (f->has_recovery_cut)
        fprintf(out, "; then in recovery operation %llu (%s, torn %s)",
                (unsigned long long)f->recovery_op, f->recovery_is_erase ? "erase" : "program",
                torn_name(f->recovery_is_erase, f->recovery_torn));
    fputs("</td><td class=\"t\"><pre>", out);
    report_write_escaped(out, f->message);
    fputs("</pre>", out);
    if (f->reproducer[0]) {
        const char *relative = html_path_under(ctx ? ctx->dir : NULL, f->reproducer);
        fputs("reproducer: ", out);
        if (relative) html_link_open(out, relative);
        fputs("<code>", out);
        report_write_escaped(out, f->reproducer);
        fputs(relative ? "</code></a>" : "</code>", out);
        fputs("<br>replay: <code>", out);
        html_shell_word(out, ctx && ctx->program ? ctx->program : "norbench");
        fputs(" run ", out);
        html_shell_word(out, f->reproducer);
        fputs("</code>", out);
    } else {
        fputs("<span class=\"muted\">no reproducer written (see powercut.json)</span>", out);
    }
    fputs("</td></tr>\n", out);
}

static int scenario_section(FILE *out, const campaign_result *r, const campaign_scenario *s,
                            size_t index, const report_html_context *ctx) {
    fprintf(out, "<section id=\"s%zu\">\n<h2>", index + 1);
    report_write_escaped(out, s->name);
    fputs(" ", out);
    write_state(out, state_of(s), s);
    char seed[RUN_SEED_TEXT_MAX];
    run_seed_format(seed, s->seed);
    fputs("</h2>\n<p class=\"muted\"><code>", out);
    report_write_escaped(out, s->file);
    fprintf(out, "</code>, seed %s, ", seed);
    html_count(out, s->flash_ops);
    fputs(" flash operations</p>\n", out);
    if (s->has_error) {
        fputs("<pre>", out);
        report_write_escaped(out, s->error);
        fputs("</pre>\n</section>\n", out);
        return REPORT_OK;
    }
    fprintf(out,
            "<h3>Cut points by operation and torn mode</h3>\n<p class=\"muted\">The "
            "strips run along the scenario's flash operations, 1 to %llu: green when the "
            "mode was tried at all, a red mark where a cut failed.</p>\n",
            (unsigned long long)s->flash_ops);
    int rc = matrix(out, r, s);
    if (rc) return rc;
    if (s->recovery_verified) {
        fputs("<p>Cuts inside recoveries (depth 2): ", out);
        html_count(out, s->recovery_verified);
        fputs(" tries.</p>\n", out);
    }
    if (s->failure_count) {
        fputs("<h3>Failures</h3>\n<table class=\"sortable failures\">\n<thead><tr><th>operation"
              "</th><th class=\"t\">cut</th><th class=\"t\">what went wrong, how to replay it"
              "</th></tr></thead>\n<tbody>\n",
              out);
        size_t listed = s->failure_count < FAILURES_LISTED ? s->failure_count : FAILURES_LISTED;
        for (size_t i = 0; i < listed; i++) failure_row(out, &s->failures[i], ctx);
        fputs("</tbody>\n</table>\n", out);
        if (listed < s->failure_count)
            fprintf(out,
                    "<p class=\"muted\">The first %zu of %zu failures; powercut.json lists "
                    "them all.</p>\n",
                    listed, s->failure_count);
    }
    fputs("</section>\n", out);
    return REPORT_OK;
}

int report_write_html_campaign(FILE *out, const campaign_result *r,
                               const report_html_context *ctx) {
    html_page_begin(out, "norbench powercut", ctx);
    options_line(out, r, ctx);
    totals(out, r);
    summary_table(out, r);
    int rc = REPORT_OK;
    for (size_t i = 0; !rc && i < r->count; i++)
        rc = scenario_section(out, r, &r->scenarios[i], i, ctx);
    html_page_end(out);
    if (rc) return rc;
    return ferror(out) ? REPORT_E_IO : REPORT_OK;
}
