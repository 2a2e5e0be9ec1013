/* The flash traffic of a run of engine calls, summed, averaged and printed (bench_traffic.h). */
#include "bench_traffic.h"

#include <stdio.h>

void bench_traffic_add(bench_traffic *t, const nor_stats *before, const nor_stats *after) {
    t->program_bytes += after->program_bytes - before->program_bytes;
    t->program_calls += after->program_calls - before->program_calls;
    t->erases += after->erase_calls - before->erase_calls;
    t->read_bytes += after->read_bytes - before->read_bytes;
}

void bench_traffic_mean(bench_traffic *t, uint64_t n) {
    t->program_bytes /= n, t->program_calls /= n, t->erases /= n, t->read_bytes /= n;
}

cJSON *bench_traffic_json(const bench_traffic *t, uint64_t raw_bytes) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "program_bytes", (double)t->program_bytes);
    cJSON_AddNumberToObject(o, "program_calls", (double)t->program_calls);
    cJSON_AddNumberToObject(o, "erases", (double)t->erases);
    cJSON_AddNumberToObject(o, "read_bytes", (double)t->read_bytes);
    cJSON_AddNumberToObject(o, "programmed_per_raw_byte", (double)t->program_bytes / raw_bytes);
    return o;
}

void bench_traffic_print_header(void) {
    printf("  %-14s %12s %9s %14s %7s %12s\n", "", "programmed", "x raw", "program calls", "erases",
           "read bytes");
}

void bench_traffic_print_row(const char *what, const bench_traffic *t, uint64_t raw_bytes) {
    printf("  %-14s %12llu %9.3f %14llu %7llu %12llu\n", what, (unsigned long long)t->program_bytes,
           (double)t->program_bytes / raw_bytes, (unsigned long long)t->program_calls,
           (unsigned long long)t->erases, (unsigned long long)t->read_bytes);
}
