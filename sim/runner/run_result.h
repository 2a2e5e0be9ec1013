/* The result of running scenarios, as plain data: one record per scenario with its verdict,
 * figures and failure message. The runner fills it; reports/ and the command line read it
 * without knowing anything of the runner's internals. */
#ifndef NORBENCH_RUN_RESULT_H
#define NORBENCH_RUN_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum run_verdict {
    RUN_PASS,  /* every step behaved as expected */
    RUN_FAIL,  /* a step failed; see message */
    RUN_ERROR, /* the scenario could not run (unreadable or invalid file, no memory) */
} run_verdict;

const char *run_verdict_name(run_verdict verdict); /* "pass", "FAIL", "ERROR" */

#define RUN_NAME_MAX    112 /* a name (64) and a matrix combination, "[preset=...]" */
#define RUN_FILE_MAX    512
#define RUN_PATH_MAX    160
#define RUN_MESSAGE_MAX 1024
#define RUN_NOTE_MAX    200

/* Flash traffic of the runner's own checks (readings after mounts, stability checks across
 * power cycles, counts that learn what drop-oldest pushes dropped, dry runs): kept out of the
 * scenario's figures and reported here instead. */
typedef struct run_check_figures {
    uint64_t reads, read_bytes;
    uint64_t programs, program_bytes, erases; /* mounts of checks that power-cycle (undone) */
    uint64_t time_us;
} run_check_figures;

/* Stores and pushes the engine refused (full, too_big) where the scenario takes it without an
 * expect (generated workloads), by operation and error: refused[RUN_REFUSED_PUSH][..FULL]. */
enum { RUN_REFUSED_STORE, RUN_REFUSED_PUSH, RUN_REFUSED_OPS };
enum { RUN_REFUSED_FULL, RUN_REFUSED_TOO_BIG, RUN_REFUSED_ERRORS };
typedef uint64_t run_refused[RUN_REFUSED_OPS][RUN_REFUSED_ERRORS];

/* Flash traffic over simulated time, sampled by engine operation: at most RUN_SERIES_MAX points
 * whatever the run's length (when full, every other point is dropped and the interval doubles),
 * the last one taken at the end of the run. Deterministic: the points fall on engine-operation
 * counts, never on the host's clock. */
#define RUN_SERIES_MAX 256
typedef struct run_sample {
    uint64_t engine_ops; /* the sample was taken before this many engine operations had run */
    uint64_t time_us;    /* simulated time */
    uint64_t program_bytes, erases;
} run_sample;
typedef struct run_series {
    uint32_t count;
    uint64_t every; /* engine operations between two samples now (0: none taken yet) */
    run_sample samples[RUN_SERIES_MAX];
} run_series;

typedef struct scenario_result {
    char name[RUN_NAME_MAX]; /* the scenario's name (or the file name if it has none) */
    char file[RUN_FILE_MAX]; /* as given on the command line */
    char preset[32];         /* the flash preset */
    char engine[16];         /* the adapter */
    uint64_t seed;           /* the seed actually used */
    run_verdict verdict;
    uint64_t steps_run;  /* steps executed, repeats counted each time */
    uint64_t engine_ops; /* adapter calls, workload operations included */
    uint64_t flash_ops;  /* program + erase operations (the cut points) */
    uint64_t programs, program_bytes;
    uint64_t erases;
    /* The bytes the writes the engine accepted asked to store: a store's (map_set's, tdb_set's,
     * kv_write's) key and value, a push's value, an fs_write's data, an incremental tdb set's
     * key and parts, the tdb reserved area's bytes. */
    uint64_t user_bytes;
    uint64_t user_bytes_asked; /* ... of all those writes made, refused ones too */
    uint64_t reads, read_bytes;
    uint64_t violations, ecc_errors, power_cuts;
    run_refused refused;
    uint32_t wear_max, wear_min; /* per-sector erase counts over the device */
    uint64_t sim_time_us;        /* simulated time at the end */
    run_check_figures check;     /* the runner's checks, not counted in the figures above */
    double wall_seconds;         /* real (wall-clock) time the scenario took */
    double cpu_seconds;          /* host CPU time it took */
    uint32_t sector_count;
    uint32_t *sector_erases; /* erase count of each sector (owned; NULL if none) */
    /* The final page map, when asked for (runner_options.page_map) and the engine can inspect
     * itself (the adapter's inspect): the state of each page of its range as the engine reports
     * it, an nbs_page_state code (nbs.h) per page (owned; NULL: none). */
    uint32_t page_count;
    uint8_t *page_states;
    uint64_t flash_digest; /* FNV-1a of the device's bytes at the end, when asked for */
    run_series series;     /* bytes programmed and erases over simulated time */
    /* What the run found worth saying that fails nothing ("" when none): a flash.image whose
     * engine range held no store, which the engine formatted. */
    char note[RUN_NOTE_MAX];
    char failed_step[RUN_PATH_MAX]; /* JSON path of the failing step, "" when none */
    char message[RUN_MESSAGE_MAX];  /* FILE:LINE:COLUMN: PATH: what was expected, what happened */
} scenario_result;

typedef struct run_results {
    scenario_result *items;
    size_t count, capacity;
    double wall_seconds; /* real time of the whole run */
    double cpu_seconds;  /* host CPU time of the whole run */
} run_results;

void run_results_init(run_results *results);
void run_results_free(run_results *results);
/* A new zeroed record at the end; NULL when host memory runs out. */
scenario_result *run_results_add(run_results *results);
size_t run_results_count_verdict(const run_results *results, run_verdict verdict);
/* Refusals of one operation (RUN_REFUSED_OPS: any) with one error (RUN_REFUSED_ERRORS: any). */
uint64_t run_refused_count(const scenario_result *r, unsigned op, unsigned error);

/* `one` or `many` by n, for messages: "1 byte", "2 bytes". */
const char *run_plural(uint64_t n, const char *one, const char *many);

/* Seeds go up to 2^64-1, beyond a double's exact range (2^53): result files write them as
 * decimal strings. The text of a seed, and a seed read back from such a string (false when it
 * is not all decimal digits or exceeds 2^64-1). */
#define RUN_SEED_TEXT_MAX 21
void run_seed_format(char out[RUN_SEED_TEXT_MAX], uint64_t seed);
bool run_seed_parse(const char *text, uint64_t *seed);

#endif
