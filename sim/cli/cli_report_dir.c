/* The --report folder of `run` and `powercut` (and run's --dump-image folder), and an output
 * file such as gui's --screenshot, made or proved writable before anything runs, so that a long
 * run does not end with files it cannot write; the message when a report file still cannot be
 * written; and the command line the report's page shows. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include "cli.h"
#include "reports.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_report_dir_ready(const cli_command *cmd, const char *dir) {
    return cli_output_dir_ready(cmd, dir, "the reports");
}

/* mkdir -p: DIR and the folders above it that are missing. */
static bool make_folders(const char *dir) {
    size_t n = strlen(dir);
    char *path = malloc(n + 1);
    if (!path) {
        errno = ENOMEM;
        return false;
    }
    memcpy(path, dir, n + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) break; /* the last mkdir says why */
        *p = '/';
    }
    free(path);
    return mkdir(dir, 0777) == 0 || errno == EEXIST;
}

int cli_output_dir_ready(const cli_command *cmd, const char *dir, const char *files) {
    char cannot_write[64];
    snprintf(cannot_write, sizeof cannot_write, "cannot write %s there", files);
    const char *what = "cannot make the folder";
    bool ok = make_folders(dir);
    struct stat st;
    if (ok && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        if (stat(dir, &st) == 0) errno = ENOTDIR;
        what = cannot_write;
        ok = false;
    }
    if (ok) {
        /* Write permission bits say nothing under root or on a read-only mount: try a file. */
        what = cannot_write;
        size_t size = strlen(dir) + sizeof "/.norbench-XXXXXX";
        char *probe = malloc(size);
        int fd = -1;
        if (probe) {
            snprintf(probe, size, "%s/.norbench-XXXXXX", dir);
            fd = mkstemp(probe);
        } else {
            errno = ENOMEM;
        }
        if (fd >= 0) {
            close(fd);
            unlink(probe);
        }
        free(probe);
        ok = fd >= 0;
    }
    if (ok) return CLI_EXIT_OK;
    fprintf(stderr, "norbench %s: %s: %s: %s\n", cmd->name, dir, what, strerror(errno));
    return CLI_EXIT_USAGE;
}

int cli_output_file_ready(const cli_command *cmd, const char *flag, const char *path) {
    /* A file made to prove it is removed again; one that was there is opened, not cut short. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    bool made = fd >= 0;
    if (!made && errno == EEXIST) fd = open(path, O_WRONLY);
    if (fd >= 0) {
        close(fd);
        if (made) unlink(path);
        return CLI_EXIT_OK;
    }
    fprintf(stderr, "norbench %s: %s %s: cannot write it: %s\n", cmd->name, flag, path,
            strerror(errno));
    return CLI_EXIT_USAGE;
}

void cli_report_write_failed(const char *command, const char *dir, const char *file, int err) {
    const char *why = err == REPORT_E_IO ? strerror(errno) : report_strerror(err);
    if (file)
        fprintf(stderr, "norbench %s: %s/%s: cannot write it: %s\n", command, dir, file, why);
    else
        fprintf(stderr, "norbench %s: %s: cannot make the folder: %s\n", command, dir, why);
}

static const char *program = "norbench";

const char *cli_program(void) {
    return program;
}

void cli_set_program(const char *argv0) {
    if (!argv0 || !*argv0) return;
    const char *slash = strrchr(argv0, '/');
    program = slash ? slash + 1 : argv0;
}

char *cli_command_line(int argc, char **argv) {
    size_t size = strlen(program) + 1;
    for (int i = 0; i < argc; i++) size += strlen(argv[i]) + 1;
    char *line = malloc(size);
    if (!line) return NULL;
    size_t used = (size_t)snprintf(line, size, "%s", program);
    for (int i = 0; i < argc; i++)
        used += (size_t)snprintf(line + used, size - used, " %s", argv[i]);
    return line;
}
