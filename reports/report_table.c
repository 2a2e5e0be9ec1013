/* The text table `norbench run` prints: one row per scenario with its figures and verdict,
 * then the runs' notes, the failure messages (not those of ERROR rows: the command prints those)
 * and a summary. Also the duration format shared by the reports. */
#include "reports.h"

#include <string.h>

const char *report_strerror(int err) {
    switch (err) {
    case REPORT_OK: return "ok";
    case REPORT_E_NOMEM: return "out of host memory";
    case REPORT_E_IO: return "the report file could not be written";
    default: return "unknown report error";
    }
}

void report_format_duration(char *out, size_t size, uint64_t us) {
    const double minute = 60e6, hour = 3600e6, day = 24 * hour, year = 365 * day;
    double v = (double)us;
    if (us < 1000)
        snprintf(out, size, "%llu us", (unsigned long long)us);
    else if (v < 1e6)
        snprintf(out, size, "%.1f ms", v / 1e3);
    else if (v < minute)
        snprintf(out, size, "%.2f s", v / 1e6);
    else if (v < hour)
        snprintf(out, size, "%.1f min", v / minute);
    else if (v < 2 * day)
        snprintf(out, size, "%.2f h", v / hour);
    else if (v < year)
        snprintf(out, size, "%.1f d", v / day);
    else
        snprintf(out, size, "%.1f y", v / year);
}

/* The name column fits the longest name (a matrix adds "[preset=...]"), at least 32 wide. */
static int name_width(const run_results *results) {
    size_t width = 32;
    for (size_t i = 0; i < results->count; i++) {
        size_t n = strlen(results->items[i].name);
        if (n > width) width = n;
    }
    return (int)(width < RUN_NAME_MAX ? width : RUN_NAME_MAX);
}

void report_print_table(FILE *out, const run_results *results) {
    int w = name_width(results);
    fprintf(out, "%-*s %8s %10s %8s %8s %8s %10s %8s  %s\n", w, "scenario", "steps", "flash ops",
            "erases", "max wear", "min wear", "sim time", "refused", "verdict");
    for (size_t i = 0; i < results->count; i++) {
        const scenario_result *r = &results->items[i];
        char time[32];
        report_format_duration(time, sizeof time, r->sim_time_us);
        if (r->verdict == RUN_ERROR) {
            fprintf(out, "%-*.*s %8s %10s %8s %8s %8s %10s %8s  %s\n", w, w, r->name, "-", "-", "-",
                    "-", "-", "-", "-", run_verdict_name(r->verdict));
            continue;
        }
        fprintf(out, "%-*.*s %8llu %10llu %8llu %8u %8u %10s %8llu  %s\n", w, w, r->name,
                (unsigned long long)r->steps_run, (unsigned long long)r->flash_ops,
                (unsigned long long)r->erases, (unsigned)r->wear_max, (unsigned)r->wear_min, time,
                (unsigned long long)run_refused_count(r, RUN_REFUSED_OPS, RUN_REFUSED_ERRORS),
                run_verdict_name(r->verdict));
    }
    /* Notes: what a run found worth saying that fails nothing. */
    size_t noted = 0;
    for (size_t i = 0; i < results->count; i++) {
        const scenario_result *r = &results->items[i];
        if (!r->note[0]) continue;
        if (!noted++) fputc('\n', out);
        fprintf(out, "note: %s: %s\n", r->name, r->note);
    }
    /* An ERROR's message is the command's to print, once, when it finds it (on stderr). */
    size_t failed = 0, errors = run_results_count_verdict(results, RUN_ERROR);
    for (size_t i = 0; i < results->count; i++) {
        const scenario_result *r = &results->items[i];
        if (r->verdict != RUN_FAIL) continue;
        if (!failed++) fputc('\n', out);
        fprintf(out, "FAIL %s\n", r->message);
    }
    fprintf(out, "\n%zu %s: %zu passed, %zu failed, %zu %s (%.2f s)\n", results->count,
            run_plural(results->count, "scenario", "scenarios"), results->count - failed - errors,
            failed, errors, run_plural(errors, "error", "errors"), results->wall_seconds);
}
