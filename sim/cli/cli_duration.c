/* Durations on the command line: read for --time-budget with the scenarios' syntax (duration.h;
 * a bare number is seconds), and written for people ("0.4 s", "3 min 05 s", "2 h 10 min"); and the
 * --max-hours flag of lifetime and compare. */
#include "cli.h"
#include "duration.h"
#include "lifetime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cli_parse_duration(const char *text, double *seconds) {
    uint64_t us = 0;
    if (duration_parse(text, strlen(text), 1000000, &us) != DURATION_OK || us == 0) return false;
    *seconds = (double)us / 1e6;
    return true;
}

void cli_format_duration(char *out, size_t size, double seconds) {
    if (seconds < 0) seconds = 0;
    if (seconds < 10) {
        snprintf(out, size, "%.1f s", seconds);
    } else if (seconds < 60) {
        snprintf(out, size, "%.0f s", seconds);
    } else if (seconds < 3600) {
        long s = lround(seconds);
        snprintf(out, size, "%ld min %02ld s", s / 60, s % 60);
    } else {
        long m = lround(seconds / 60);
        snprintf(out, size, "%ld h %02ld min", m / 60, m % 60);
    }
}

#define HOURS_TEXT_(n) #n
#define HOURS_TEXT(n)  HOURS_TEXT_(n)

cli_flag cli_max_hours_flag(uint64_t *hours) {
    *hours = LIFETIME_MAX_HOURS_DEFAULT;
    return (cli_flag){
        "max-hours", CLI_U64, hours, "N",
        "extend a workload that is not steady up to N simulated hours (default " HOURS_TEXT(
            LIFETIME_MAX_HOURS_DEFAULT) ")"};
}

int cli_max_hours_check(const cli_command *cmd, uint64_t hours) {
    if (hours >= 1 && hours <= LIFETIME_MAX_HOURS_LIMIT) return CLI_EXIT_OK;
    return cli_usage_error(cmd, "--max-hours: expected 1 to %llu hours, got %llu",
                           (unsigned long long)LIFETIME_MAX_HOURS_LIMIT, (unsigned long long)hours);
}
