/* The monotonic wall clock the benchmarks time themselves with. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "cli.h"

#include <time.h>

double cli_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
