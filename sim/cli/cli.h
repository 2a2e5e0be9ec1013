/* Shared pieces of the norbench command line: the command table, a small declarative flag
 * parser that gives every command --help and one clear message for bad flags (exit 2). */
#ifndef NORBENCH_CLI_H
#define NORBENCH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 130: a campaign stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report Ctrl-C). */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_INTERRUPTED = 130 };

typedef enum cli_flag_kind { CLI_BOOL, CLI_STRING, CLI_U64 } cli_flag_kind;

typedef struct cli_flag {
    const char *name; /* without the leading "--" */
    cli_flag_kind kind;
    void *out;       /* bool*, const char**, uint64_t* */
    const char *arg; /* placeholder shown in help, e.g. "N" */
    const char *help;
} cli_flag;

typedef struct cli_command {
    const char *name;
    const char *summary;
    const char *usage;                 /* arguments after the command name */
    const char *description;           /* printed by --help under the usage line */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} cli_command;

/* Parses argv[1..] against flags. Positional arguments are moved, in order, to the front of
 * argv[1..] and counted in *positional. Returns -1 to go on, or the exit code to return now
 * (0 after --help, 2 after a usage error, which has been reported on stderr). */
int cli_parse(const cli_command *cmd, const cli_flag *flags, int argc, char **argv,
              int *positional);
void cli_print_help(const cli_command *cmd, const cli_flag *flags);
/* One clear usage error: "norbench CMD: MESSAGE" plus a hint; returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* cli_paths.c: scenario files named on the command line (directories expanded). */
typedef struct path_list {
    char **items;
    size_t count, capacity;
} path_list;
bool path_list_add(path_list *list, const char *path);
void path_list_free(path_list *list);
/* Adds args[0..count) to *out: files as they are, folders expanded. Returns 0,
 * CLI_EXIT_USAGE after reporting (on stderr, "norbench CMD: PATH: what is wrong") a path that
 * does not exist or a folder that cannot be read or holds no scenario file (the others are
 * still added), or CLI_EXIT_FAIL when memory runs out. */
int cli_collect_scenarios(const cli_command *cmd, char **args, int count, path_list *out);
/* Prints each FILE:LINE:COLUMN message of a scenario file that did not load, on stderr. */
struct scenario_errors;
void cli_print_scenario_errors(const struct scenario_errors *errors);
/* Loads the one scenario FILE a command takes (`flag`: the option that named it, NULL for the
 * command's FILE) into *out. 0, or CLI_EXIT_USAGE after its messages: a file that cannot be read
 * is one line "norbench CMD: [FLAG: ]PATH: why", a file that is not a valid scenario its
 * FILE:LINE:COLUMN messages. */
struct scenario;
int cli_load_scenario(const cli_command *cmd, const char *flag, const char *path,
                      struct scenario **out);
/* True when --NAME (or --NAME=...) is among the flags. */
bool cli_flag_present(int argc, char **argv, const char *name);

/* cli_report_dir.c: makes the --report folder DIR if needed and checks that a file can be
 * written in it; 0, or CLI_EXIT_USAGE after "norbench CMD: DIR: what is wrong" on stderr. */
int cli_report_dir_ready(const cli_command *cmd, const char *dir);
/* The same for another output folder: FILES names what goes there ("the images"). */
int cli_output_dir_ready(const cli_command *cmd, const char *dir, const char *files);
/* An output file named by FLAG ("--screenshot"): 0 when it can be written (nothing is left
 * behind, an existing file is not changed), or CLI_EXIT_USAGE after "norbench CMD: FLAG PATH:
 * cannot write it: why" on stderr. */
int cli_output_file_ready(const cli_command *cmd, const char *flag, const char *path);
/* After a report writer failed with `err` (reports.h): one message naming the file it could not
 * write, "norbench COMMAND: DIR/FILE: cannot write it: why" (FILE NULL: DIR itself). */
void cli_report_write_failed(const char *command, const char *dir, const char *file, int err);
/* The program as the user started it (the last part of main's argv[0]: "norbench", or a
 * broken variant's "norbench-broken-NAME"), set by main; "norbench" until then. */
const char *cli_program(void);
void cli_set_program(const char *argv0);
/* "PROGRAM CMD ARG...", as the HTML report shows how it was made (argv as a command gets it:
 * argv[0] is the command's name); malloc'd, NULL when out of memory. */
char *cli_command_line(int argc, char **argv);

/* cli_duration.c: "90s", "5m", "1h30m", "2.5h" or a bare number of seconds (> 0); and a
 * duration for people: "0.4 s", "3 min 05 s", "2 h 10 min". */
bool cli_parse_duration(const char *text, double *seconds);
void cli_format_duration(char *out, size_t size, double seconds);
/* --max-hours N of `lifetime` and `compare` (how far a workload that is not steady is extended,
 * lifetime.h): the flag, its help giving the default, and the check of its value: 0, or
 * CLI_EXIT_USAGE after one message naming the flag and the range. */
cli_flag cli_max_hours_flag(uint64_t *hours);
int cli_max_hours_check(const cli_command *cmd, uint64_t hours);

/* cli_json.c: prints root as JSON on stdout and frees it; CLI_EXIT_OK, or CLI_EXIT_FAIL when
 * it cannot be printed (out of memory). */
struct cJSON;
int cli_print_json(struct cJSON *root);
/* The answer of `lifetime` and `compare`: root (freed here) printed as JSON when `print`, and
 * when `dir` is set written as DIR/results.json beside DIR/index.html, the page `write_page`
 * makes of `data` (showing the command line argv). CLI_EXIT_OK; CLI_EXIT_FAIL when memory runs
 * out; CLI_EXIT_USAGE after one message when the folder cannot be written. */
struct report_html_context;
typedef int (*cli_page_fn)(const char *dir, const char *json, const void *data,
                           const struct report_html_context *ctx, const char **failed);
int cli_json_answer(const cli_command *cmd, struct cJSON *root, bool print, const char *dir,
                    cli_page_fn write_page, const void *data, int argc, char **argv);
/* The flags that set its `print` (--json) and `dir` (--report DIR). */
cli_flag cli_answer_json_flag(bool *print);
cli_flag cli_answer_report_flag(const char **dir);

/* cli_torn.c: --torn MODES, "all" or a comma list of torn-mode names (nor.h), into bit masks
 * of nor_torn_program and nor_torn_erase modes. -1 to go on, or CLI_EXIT_USAGE after one
 * message naming the unknown mode and the known ones. */
int cli_parse_torn(const cli_command *cmd, const char *text, unsigned *program_modes,
                   unsigned *erase_modes);
const char *cli_torn_mode_list(void); /* every name once, program modes first */

/* cli_target.c: --target BOARD [--firmware FILE] (NULL: the agent built beside norbench).
 * Checks the board and that the firmware boots as an agent, selects it, and sets *find to the
 * runner's engine lookup for it. 0, or CLI_EXIT_USAGE after one message. */
struct adapter_kind;
typedef const struct adapter_kind *(*cli_find_engine_fn)(const char *type);
int cli_target_setup(const cli_command *cmd, const char *board, const char *firmware,
                     cli_find_engine_fn *find);
/* emu/firmware/NAMEBOARD.elf beside the norbench executable (where the build puts it). */
void cli_firmware_path(char *out, size_t size, const char *name, const char *board);

/* cli_engine.c: the engine a command drives instead of the scenario's. `--engine-lib PATH`:
 * loads the plugin (kept loaded); `--engine NAME`: a built-in engine type or "plugin:PATH".
 * FLAG names the flag in messages. 0, or CLI_EXIT_USAGE after one message. */
int cli_engine_lib_load(const cli_command *cmd, const char *flag, const char *path,
                        const struct adapter_kind **out);
int cli_engine_find(const cli_command *cmd, const char *flag, const char *name,
                    const struct adapter_kind **out);
/* What --engine and --engines take, from the adapters' table: "map, queue, ..., plugin:PATH". */
const char *cli_engine_names(void);
/* --engine-lib PATH of run and powercut (NULL: *out NULL); refused beside --target BOARD. */
int cli_engine_lib_setup(const cli_command *cmd, const char *path, const char *target,
                         const struct adapter_kind **out);

/* cli_crash.c: while an engine plugin runs outside a campaign's workers (run, lifetime,
 * compare, gui, a campaign's plain run), a fatal signal becomes one message naming what ran and
 * the library, and exit 1. remove() gives the signals back to the handlers install() found;
 * call it before a campaign forks its workers. */
void cli_crash_guard_install(const char *command);
void cli_crash_guard_remove(void);
/* What the message names: "scenario NAME" and the library (set before each scenario). */
void cli_crash_guard_scenario(const char *name, const char *library);
/* Guards `command` while it drives `engine` on `what` and `path` ("scenario", FILE; "the demo
 * store", NULL): installed when `engine` is a loaded plugin (its file named), or, `engine` NULL
 * (the scenario's own), when `scenario_library` names the scenario's plugin; removed otherwise
 * (a built-in engine's crash stays norbench's). */
void cli_crash_guard_engine(const char *command, const char *what, const char *path,
                            const struct adapter_kind *engine, const char *scenario_library);

/* The command table (defined in main.c) and each command's entry point. */
extern const cli_command cli_commands[];
const cli_command *cli_find_command(const char *name);

#endif
