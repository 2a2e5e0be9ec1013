/* A crash of a user's engine plugin outside a campaign's workers: under `norbench run`,
 * `lifetime`, `compare` and `gui` (`--engine-lib`, `--engine plugin:PATH`, or a scenario whose
 * engine type is "plugin"), and in the plain run a campaign starts from. These runs are not in a
 * worker process as a campaign's tries are, so a fatal signal would end norbench with only the
 * shell's "Segmentation fault". This guard says what the engine was running and which library
 * crashed, and exits 1. Installed only while a plugin runs: a crash of norbench's own code stays
 * a plain crash (and the sanitizers' reports stay theirs); removed before a campaign forks its
 * workers, which report a crash as a failed try. */
#define _POSIX_C_SOURCE 200809L /* sigaction */
#include "adapter_plugin.h"
#include "cli.h"

#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static const char *guard_command = "";
static char guard_what[300];
static char guard_library[4096];

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define FATAL_SIGNAL_COUNT (sizeof fatal_signals / sizeof fatal_signals[0])
static struct sigaction handlers_before[FATAL_SIGNAL_COUNT];
static bool installed;

static void put(const char *text) {
    ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
    (void)ignored;
}

static void on_fatal_signal(int signal_number) {
    put("\nnorbench ");
    put(guard_command);
    put(": the engine plugin crashed (");
    put(signal_number == SIGSEGV  ? "segmentation fault"
        : signal_number == SIGBUS ? "bus error"
        : signal_number == SIGFPE ? "arithmetic exception"
        : signal_number == SIGILL ? "illegal instruction"
                                  : "abort");
    put(") in ");
    put(guard_what);
    put(", library ");
    put(guard_library);
    put("; norbench powercut runs each try in a worker that survives it\n");
    _exit(CLI_EXIT_FAIL);
}

void cli_crash_guard_install(const char *command) {
    guard_command = command;
    if (installed) return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_fatal_signal;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < FATAL_SIGNAL_COUNT; i++)
        sigaction(fatal_signals[i], &action, &handlers_before[i]);
    installed = true;
}

void cli_crash_guard_remove(void) {
    if (!installed) return;
    for (size_t i = 0; i < FATAL_SIGNAL_COUNT; i++)
        sigaction(fatal_signals[i], &handlers_before[i], NULL);
    installed = false;
}

static void copy_text(char *out, size_t size, const char *text) {
    size_t length = strlen(text);
    if (length >= size) length = size - 1;
    memcpy(out, text, length);
    out[length] = '\0';
}

void cli_crash_guard_scenario(const char *name, const char *library) {
    snprintf(guard_what, sizeof guard_what, "scenario %s", name);
    copy_text(guard_library, sizeof guard_library, library);
}

void cli_crash_guard_engine(const char *command, const char *what, const char *path,
                            const adapter_kind *engine, const char *scenario_library) {
    char file[sizeof guard_library];
    const char *library = NULL;
    if (engine && engine_plugin_file(engine, file, sizeof file))
        library = file;
    else if (!engine)
        library = scenario_library;
    if (!library) {
        cli_crash_guard_remove();
        return;
    }
    snprintf(guard_what, sizeof guard_what, "%s%s%s", what, path ? " " : "", path ? path : "");
    copy_text(guard_library, sizeof guard_library, library);
    cli_crash_guard_install(command);
}
