/* The human form of a campaign's result: a row per scenario, its tries per torn mode and what
 * the tear watch saw of them (read valid / changed), the failures with their reproducers, and
 * the totals. */
#include "powercut_print.h"
#include "powercut_run.h"

/* `what` of every torn mode of both kinds: "program: none 3, ...; erase: none 1, ..." */
static void print_counts(FILE *out, const char *title, const campaign_scenario *s, bool flips) {
    fprintf(out, "    %s", title);
    for (unsigned kind = 0; kind < 2; kind++) {
        unsigned modes = kind ? CAMPAIGN_TORN_ERASE_MODES : CAMPAIGN_TORN_PROGRAM_MODES;
        fprintf(out, "%s%s:", kind ? "; " : "", kind ? "erase" : "program");
        for (unsigned m = 0; m < modes; m++) {
            const campaign_torn_counts *c = kind ? &s->by_erase[m] : &s->by_program[m];
            fprintf(out, "%s %s ", m ? "," : "", campaign_torn_name(kind, m));
            if (flips)
                fprintf(out, "%llu/%llu", (unsigned long long)c->read_valid,
                        (unsigned long long)c->changed);
            else
                fprintf(out, "%llu", (unsigned long long)c->verified);
        }
    }
}

static void print_modes(FILE *out, const campaign_scenario *s) {
    print_counts(out, "", s, false);
    if (s->recovery_verified)
        fprintf(out, "; cuts inside recoveries: %llu", (unsigned long long)s->recovery_verified);
    fprintf(out, "\n");
    print_counts(out, "torn ranges read valid/changed: ", s, true);
    fprintf(out, "\n");
}

/* Cuts whose torn range read valid at least once, and whose reading changed, over all modes. */
static void flip_totals(const campaign_scenario *s, uint64_t *valid, uint64_t *changed) {
    for (unsigned m = 0; m < CAMPAIGN_TORN_PROGRAM_MODES; m++) {
        *valid += s->by_program[m].read_valid;
        *changed += s->by_program[m].changed;
    }
    for (unsigned m = 0; m < CAMPAIGN_TORN_ERASE_MODES; m++) {
        *valid += s->by_erase[m].read_valid;
        *changed += s->by_erase[m].changed;
    }
}

static void print_failure(FILE *err, const campaign_scenario *s, const campaign_failure *f) {
    fprintf(err, "FAIL %s: cut in flash operation %llu (%s, torn %s)", s->name,
            (unsigned long long)f->op, f->is_erase ? "erase" : "program",
            campaign_torn_name(f->is_erase, f->torn));
    if (f->has_recovery_cut)
        fprintf(err, ", then in recovery operation %llu (%s, torn %s)",
                (unsigned long long)f->recovery_op, f->recovery_is_erase ? "erase" : "program",
                campaign_torn_name(f->recovery_is_erase, f->recovery_torn));
    fprintf(err, ": %s\n", f->message);
    if (f->reproducer[0]) fprintf(err, "     reproducer: %s\n", f->reproducer);
}

/* A scenario whose cut points were not tried: its counts are no figures ("-"), and a marker
 * says why, so that its zero failures do not read as a pass. */
static void print_untried(FILE *out, const campaign_scenario *s) {
    fprintf(out, "%-32.32s %9llu %10s %10s %8s %7.2f s %9s  %s\n", s->name,
            (unsigned long long)s->flash_ops, "-", "-", "-", s->seconds, "-",
            s->baseline_failed ? "FAILS WITHOUT A CUT" : "ERROR");
}

void powercut_print(FILE *out, FILE *err, const campaign_result *r, bool quiet) {
    if (!quiet)
        fprintf(out, "%-32s %9s %10s %10s %8s %9s %9s\n", "scenario", "flash ops", "cut points",
                "verified", "failures", "time", "tries/s");
    uint64_t cut_points = 0, verified = 0, failures = 0, valid = 0, changed = 0;
    double seconds = 0;
    for (size_t i = 0; i < r->count; i++) {
        const campaign_scenario *s = &r->scenarios[i];
        uint64_t tries = s->verified + s->recovery_verified;
        cut_points += s->cut_points;
        verified += tries;
        failures += s->failure_count;
        seconds += s->seconds;
        flip_totals(s, &valid, &changed);
        if (!quiet && s->has_error) {
            print_untried(out, s);
        } else if (!quiet) {
            fprintf(out, "%-32.32s %9llu %10llu %10llu %8zu %7.2f s %9.0f\n", s->name,
                    (unsigned long long)s->flash_ops, (unsigned long long)s->cut_points,
                    (unsigned long long)tries, s->failure_count, s->seconds,
                    s->seconds > 0 ? (double)tries / s->seconds : 0.0);
            print_modes(out, s);
        }
        if (s->has_error) fprintf(err, "ERROR %s: %s\n", s->name, s->error);
        for (size_t k = 0; k < s->failure_count; k++) print_failure(err, s, &s->failures[k]);
    }
    if (quiet) return;
    unsigned jobs = r->jobs_used ? r->jobs_used : 1;
    double rate = seconds > 0 ? (double)verified / seconds : 0;
    size_t untried = campaign_result_baseline_failures(r);
    char baseline[80] = "";
    if (untried)
        snprintf(baseline, sizeof baseline, ", %zu %s without a cut", untried,
                 run_plural(untried, "fails", "fail"));
    fprintf(out,
            "\n%zu %s: %llu cut points, %llu verified, %llu %s%s in %.2f s "
            "(%.0f per second, %.0f per second per core over %u %s)\n"
            "torn ranges that read valid at least once: %llu; whose reading changed: %llu\n",
            r->count, run_plural(r->count, "scenario", "scenarios"), (unsigned long long)cut_points,
            (unsigned long long)verified, (unsigned long long)failures,
            run_plural(failures, "failure", "failures"), baseline, seconds, rate, rate / jobs, jobs,
            run_plural(jobs, "worker", "workers"), (unsigned long long)valid,
            (unsigned long long)changed);
    powercut_print_coverage(out, r);
}
