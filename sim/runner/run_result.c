/* Ownership and small queries of run results (see run_result.h), the exact text of a seed in
 * result files, and the plural of their messages' counts. */
#include "run_result.h"
#include "grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *run_verdict_name(run_verdict verdict) {
    switch (verdict) {
    case RUN_PASS: return "pass";
    case RUN_FAIL: return "FAIL";
    case RUN_ERROR: return "ERROR";
    }
    return "?";
}

void run_results_init(run_results *results) {
    memset(results, 0, sizeof *results);
}

void run_results_free(run_results *results) {
    for (size_t i = 0; i < results->count; i++) {
        free(results->items[i].sector_erases);
        free(results->items[i].page_states);
    }
    free(results->items);
    run_results_init(results);
}

scenario_result *run_results_add(run_results *results) {
    if (!grow_array(&results->items, &results->capacity, results->count, sizeof *results->items,
                    16))
        return NULL;
    scenario_result *r = &results->items[results->count++];
    memset(r, 0, sizeof *r);
    return r;
}

size_t run_results_count_verdict(const run_results *results, run_verdict verdict) {
    size_t n = 0;
    for (size_t i = 0; i < results->count; i++) n += results->items[i].verdict == verdict;
    return n;
}

uint64_t run_refused_count(const scenario_result *r, unsigned op, unsigned error) {
    uint64_t n = 0;
    for (unsigned o = 0; o < RUN_REFUSED_OPS; o++)
        for (unsigned e = 0; e < RUN_REFUSED_ERRORS; e++)
            if ((op == RUN_REFUSED_OPS || op == o) && (error == RUN_REFUSED_ERRORS || error == e))
                n += r->refused[o][e];
    return n;
}

const char *run_plural(uint64_t n, const char *one, const char *many) {
    return n == 1 ? one : many;
}

void run_seed_format(char out[RUN_SEED_TEXT_MAX], uint64_t seed) {
    snprintf(out, RUN_SEED_TEXT_MAX, "%llu", (unsigned long long)seed);
}

bool run_seed_parse(const char *text, uint64_t *seed) {
    uint64_t v = 0;
    if (!*text) return false;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        unsigned digit = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - digit) / 10) return false;
        v = v * 10 + digit;
    }
    *seed = v;
    return true;
}
