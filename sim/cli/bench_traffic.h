/* The flash traffic of a run of engine calls beside a raw byte count, as `bench tdb` and
 * `bench fs` report it: bytes programmed (and their ratio to the raw bytes), program calls,
 * erases and bytes read, taken from the NOR model's statistics, as a table row or a JSON
 * object. */
#ifndef NORBENCH_BENCH_TRAFFIC_H
#define NORBENCH_BENCH_TRAFFIC_H

#include "nor.h"

#include <cjson/cJSON.h>
#include <stdint.h>

typedef struct bench_traffic {
    uint64_t program_bytes, program_calls, erases, read_bytes;
} bench_traffic;

/* Adds the traffic between two readings of the statistics. */
void bench_traffic_add(bench_traffic *t, const nor_stats *before, const nor_stats *after);
/* Each figure divided by n (a mean over n runs). */
void bench_traffic_mean(bench_traffic *t, uint64_t n);
/* {program_bytes, program_calls, erases, read_bytes, programmed_per_raw_byte}. */
cJSON *bench_traffic_json(const bench_traffic *t, uint64_t raw_bytes);
/* The table's header, then a row: a label of 14 columns and the figures. */
void bench_traffic_print_header(void);
void bench_traffic_print_row(const char *what, const bench_traffic *t, uint64_t raw_bytes);

#endif
