/* Matrices on the command line: the scenario files of `norbench run` expanded into their
 * combinations (each file once per preset of --preset or of its "matrix" field), picked by
 * --filter, run one by one and named NAME[preset=P]; and a run's flash saved as an image. */
#ifndef NORBENCH_RUN_MATRIX_H
#define NORBENCH_RUN_MATRIX_H

#include "cli.h"
#include "runner.h"

typedef struct run_combination {
    const char *path;   /* a path_list's item */
    const char *preset; /* a preset's name (static), or NULL: the file's own */
} run_combination;

typedef struct run_plan {
    run_combination *items;
    size_t count, capacity;
} run_plan;

/* cli_filter.c: keeps the files whose scenario name matches the fnmatch(3) pattern `glob` (a
 * file that does not load is matched by its file name without ".json", so that its error is
 * still reported). Returns 0, or CLI_EXIT_USAGE after saying that nothing matched. */
int cli_filter_scenarios(const cli_command *cmd, path_list *files, const char *glob);

/* Each file once per preset of `presets` (comma-separated names; NULL: the file's "matrix",
 * or once on its own preset). Returns 0, CLI_EXIT_USAGE after reporting a bad --preset, or
 * CLI_EXIT_FAIL when memory runs out. */
int run_plan_build(const cli_command *cmd, const path_list *files, const char *presets,
                   run_plan *out);
void run_plan_free(run_plan *plan);

/* Runs one combination as runner_run_file does, naming the result NAME[preset=P] when it has
 * a preset of its own. With `dump_dir` (created if missing), the flash at the end of the run
 * (at the failing step for a failed run) is saved there as NAME.bin and NAME.bin.json
 * (nor_image_save; "[preset=P]" becomes ".P"); a file error is reported on stderr and sets
 * *dump_failed. Returns runner_run_file's code. */
int run_combination_run(const run_combination *c, const runner_options *opts, const char *dump_dir,
                        scenario_result *out, scenario_errors *errors, bool *dump_failed);

#endif
