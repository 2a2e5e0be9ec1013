/* The plan a campaign prints before it starts (on stderr), and all that --dry-run prints (on
 * stdout): per scenario the cut points and tries it will make, the share of the mode's cut
 * points a budget leaves, what a stopped campaign had done, and the time estimated from the
 * sample; then the totals. */
#include "cli.h"
#include "powercut_run.h"
#include "run_result.h"

#include <stdio.h>

static void print_estimate(FILE *out, const campaign_job_plan *p) {
    char text[32];
    if (p->tries > p->done_tries && p->try_seconds <= 0) {
        fprintf(out, ", no estimate");
        return;
    }
    cli_format_duration(text, sizeof text, p->estimate_seconds);
    fprintf(out, ", about %s%s", text, p->done_tries ? " left" : "");
}

void powercut_print_plan(FILE *out, const campaign_result *r, const campaign_job_plan *plans) {
    uint64_t cut_points = 0, tries = 0, done = 0;
    double estimate = 0;
    unsigned workers = 1;
    bool estimated = true;
    for (size_t i = 0; i < r->count; i++) {
        const campaign_scenario *s = &r->scenarios[i];
        const campaign_job_plan *p = &plans[i];
        fprintf(out, "plan: %s: ", s->name);
        if (s->has_error) {
            fprintf(out, "cannot be campaigned: %s\n", s->error);
            continue;
        }
        if (!p->workers) { /* a stop came before its plain run: nothing is known of it */
            fprintf(out, "not planned: the campaign was stopped first\n");
            continue;
        }
        fprintf(out, "%llu %s", (unsigned long long)p->cut_points,
                run_plural(p->cut_points, "cut point", "cut points"));
        if (p->cut_points != s->mode_cut_points)
            fprintf(out, " of %llu (%.1f%%)", (unsigned long long)s->mode_cut_points,
                    s->mode_cut_points ? 100.0 * (double)p->cut_points / (double)s->mode_cut_points
                                       : 100.0);
        fprintf(out, ", %llu %s", (unsigned long long)p->tries,
                run_plural(p->tries, "try", "tries"));
        if (p->done_tries) fprintf(out, " (%llu done before)", (unsigned long long)p->done_tries);
        print_estimate(out, p);
        fprintf(out, "\n");
        cut_points += p->cut_points;
        tries += p->tries;
        done += p->done_tries;
        estimate += p->estimate_seconds;
        if (p->workers > workers) workers = p->workers;
        estimated &= p->tries == p->done_tries || p->try_seconds > 0;
    }
    char text[32];
    cli_format_duration(text, sizeof text, estimate);
    fprintf(out, "plan: %zu scenario%s, %llu %s, %llu %s", r->count, r->count == 1 ? "" : "s",
            (unsigned long long)cut_points, run_plural(cut_points, "cut point", "cut points"),
            (unsigned long long)tries, run_plural(tries, "try", "tries"));
    if (done) fprintf(out, " (%llu done before)", (unsigned long long)done);
    if (estimated)
        fprintf(out, ", about %s%s on %u worker%s", text, done ? " left" : "", workers,
                workers == 1 ? "" : "s");
    if (r->options.depth >= 2) fprintf(out, " (plus the cuts inside recoveries)");
    fprintf(out, "\n");
}

void powercut_print_coverage(FILE *out, const campaign_result *r) {
    uint64_t tried = 0, planned = 0, incomplete = 0;
    bool limited = false;
    for (size_t i = 0; i < r->count; i++) {
        const campaign_scenario *s = &r->scenarios[i];
        tried += s->cut_points;
        planned += s->mode_cut_points;
        incomplete += s->incomplete;
        /* A budget that left every cut point (of this shard's share) limited nothing. */
        limited |= s->max_tries != 0 &&
                   (s->incomplete || s->cut_points < s->mode_cut_points / r->options.shard_count);
    }
    if (!incomplete && !limited && tried == planned) return;
    char mode[48];
    const campaign_options *o = &r->options;
    if (o->mode == CAMPAIGN_RANDOM || o->mode == CAMPAIGN_EVERY)
        snprintf(mode, sizeof mode, "%s:%llu", campaign_mode_name(o->mode),
                 (unsigned long long)(o->mode == CAMPAIGN_RANDOM ? o->random_count : o->every));
    else
        snprintf(mode, sizeof mode, "%s", campaign_mode_name(o->mode));
    fprintf(out, "coverage: %llu of %llu cut points (%.1f%%) of --mode %s",
            (unsigned long long)tried, (unsigned long long)planned,
            planned ? 100.0 * (double)tried / (double)planned : 100.0, mode);
    if (limited)
        fprintf(out, ", sampled evenly to fit %s",
                r->options.time_budget > 0 ? "--time-budget" : "--max-tries");
    if (incomplete)
        fprintf(out, "; INTERRUPTED: %llu scenario%s incomplete (--resume DIR goes on)",
                (unsigned long long)incomplete, incomplete == 1 ? "" : "s");
    fprintf(out, "\n");
}
