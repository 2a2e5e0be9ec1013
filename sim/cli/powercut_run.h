/* The pieces of `norbench powercut` around the campaigns themselves: the plan printed before
 * they start (and by --dry-run), the progress line with its ETA, and the stopped campaign that
 * --resume goes on from. */
#ifndef NORBENCH_POWERCUT_RUN_H
#define NORBENCH_POWERCUT_RUN_H

#include "campaign.h"

#include <stdbool.h>
#include <stdio.h>

/* powercut_plan.c: a line per scenario (cut points, tries, share of the mode's cut points,
 * done before, estimate) and a total line, to `out`. */
void powercut_print_plan(FILE *out, const campaign_result *r, const campaign_job_plan *plans);
/* The line under the table for a result that is not the whole campaign: the share of the
 * mode's cut points tried, why (a budget), and whether it was interrupted. Nothing otherwise. */
void powercut_print_coverage(FILE *out, const campaign_result *r);

/* powercut_progress.c: the progress line on stderr, for campaign_options.progress. */
typedef struct powercut_progress {
    bool enabled;                   /* draw it (stderr is a terminal, not --quiet or --json) */
    size_t index, total;            /* the scenario running, of how many */
    const campaign_job_plan *plans; /* per scenario: the estimates */
    uint64_t stop_after;            /* a test hook: ask for a stop at this many tries (0: no) */
    /* kept by the callback */
    size_t started_index;
    double started, last_drawn;
    uint64_t started_done;
} powercut_progress;
void powercut_show_progress(void *ctx, const char *scenario, uint64_t done, uint64_t total);
void powercut_clear_progress(const powercut_progress *p);

/* powercut_resume.c: reads DIR/powercut.json into *prior and checks that it is the campaign the
 * command line asks for (same options, same scenario files in the same order). 0, or
 * CLI_EXIT_USAGE after one message on stderr. */
int powercut_load_resume(const char *dir, const campaign_options *o, char **files, size_t count,
                         campaign_result *prior);

#endif
