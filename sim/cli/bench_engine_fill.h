/* Reads per operation at 10%, 50% and 95% fill, the second part of `norbench bench engine`
 * (bench_engine_fill.c). */
#ifndef NORBENCH_BENCH_ENGINE_FILL_H
#define NORBENCH_BENCH_ENGINE_FILL_H

#include "bench_store.h"

#include <cjson/cJSON.h>

#define FILL_LEVELS 3

/* One store on one geometry, uncached or with all caches, at one fill level. */
typedef struct fill_result {
    const char *preset;
    uint32_t pages;
    bool is_map, cached;
    size_t cache_bytes;
    unsigned fill;       /* percent of capacity */
    uint32_t capacity;   /* items the store took from empty until full */
    uint32_t items;      /* items held when the rounds began */
    bench_op_cost op[4]; /* map: store, fetch, count; queue: push, peek, pop, count */
    uint64_t refused;    /* pushes or stores refused for lack of room (NBS_E_FULL): expected */
    uint64_t failures;   /* measured operations that failed otherwise: an engine error */
    int error;           /* 0, or the engine error that stopped the filling */
} fill_result;

/* Rows: geometries x {map, queue} x fill levels x {none, all}. */
#define FILL_RESULT_COUNT(geometries) ((geometries)*2 * FILL_LEVELS * 2)

/* Runs every row into results (FILL_RESULT_COUNT(bench_geometry_count) of them). */
size_t bench_fill_run(fill_result *results);
void bench_fill_print(const fill_result *results, size_t n);
cJSON *bench_fill_json(const fill_result *results, size_t n);

#endif
