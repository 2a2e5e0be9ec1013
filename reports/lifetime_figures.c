/* The small rules over lifetime_figures.h's data that the text, the JSON and the HTML page all
 * use: a lifetime for people, why a measurement ended, and a compared engine's power-cut verdict.
 */
#include "lifetime_figures.h"

#include <math.h>
#include <stdio.h>

void lifetime_format_years(char *out, size_t size, double years) {
    if (isinf(years))
        snprintf(out, size, "never");
    else if (years < 1)
        snprintf(out, size, "%.1f days", years * 365.25);
    else
        snprintf(out, size, "%.1f years", years);
}

const char *lifetime_end_name(lifetime_end end) {
    switch (end) {
    case LIFETIME_END_STEADY: return "steady";
    case LIFETIME_END_CAP: return "cap";
    case LIFETIME_END_RUN_FAILED: return "run_failed";
    case LIFETIME_END_NO_WORKLOAD: return "no_workload";
    }
    return "?";
}

const char *compare_campaign_verdict(const compare_result *row) {
    if (row->campaign_rc || row->campaign.has_error) return "ERROR";
    return row->campaign.failure_count ? "FAIL" : "pass";
}
