/* A crash of a user's engine plugin under `norbench run` (`--engine-lib`): the run is not in a
 * worker process as a campaign's tries are, so a fatal signal would end norbench with only the
 * shell's "Segmentation fault". This guard says which scenario the engine crashed in, and
 * exits 1. Installed only for plugins: a crash of norbench's own code stays a plain crash (and
 * the sanitizers' reports stay theirs). */
#define _POSIX_C_SOURCE 200809L /* sigaction */
#include "cli.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static const char *guard_command = "";
static char guard_scenario[256];

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
    put(") in scenario ");
    put(guard_scenario);
    put("; norbench powercut runs each try in a worker that survives it\n");
    _exit(CLI_EXIT_FAIL);
}

void cli_crash_guard_install(const char *command) {
    guard_command = command;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_fatal_signal;
    sigemptyset(&action.sa_mask);
    const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) sigaction(fatal[i], &action, NULL);
}

void cli_crash_guard_scenario(const char *name) {
    size_t length = strlen(name);
    if (length >= sizeof guard_scenario) length = sizeof guard_scenario - 1;
    memcpy(guard_scenario, name, length);
    guard_scenario[length] = '\0';
}
