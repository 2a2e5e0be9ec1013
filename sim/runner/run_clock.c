/* The monotonic wall clock: the real time a scenario takes (scenario_result.wall_seconds) and
 * the benchmarks' timings. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "runner.h"

#include <time.h>

double run_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
