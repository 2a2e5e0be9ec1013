/* The declarative flag parser behind every norbench command: --help, --flag, --flag=value,
 * --flag value, and "--" to end flags; unknown or malformed flags get one message and exit 2. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_usage_error(const cli_command *cmd, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "norbench %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'norbench %s --help'.\n", cmd->name);
    return CLI_EXIT_USAGE;
}

void cli_print_help(const cli_command *cmd, const cli_flag *flags) {
    printf("usage: norbench %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->description);
    printf("\noptions:\n");
    for (const cli_flag *f = flags; f && f->name; f++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", f->name, f->arg ? " " : "", f->arg ? f->arg : "");
        printf("  %-22s %s\n", left, f->help);
    }
    printf("  %-22s %s\n", "--help", "show this help and exit");
}

static const cli_flag *find_flag(const cli_flag *flags, const char *name, size_t len) {
    for (const cli_flag *f = flags; f && f->name; f++)
        if (strlen(f->name) == len && strncmp(f->name, name, len) == 0) return f;
    return NULL;
}

static int set_value(const cli_command *cmd, const cli_flag *f, const char *value) {
    if (f->kind == CLI_STRING) {
        *(const char **)f->out = value;
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 0);
    if (errno || end == value || *end || value[0] == '-')
        return cli_usage_error(cmd, "--%s expects a non-negative integer%s, got '%s'", f->name,
                               errno == ERANGE ? " below 2^64" : "", value);
    *(uint64_t *)f->out = (uint64_t)v;
    return -1;
}

int cli_parse(const cli_command *cmd, const cli_flag *flags, int argc, char **argv,
              int *positional) {
    int npos = 0;
    bool flags_done = false;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (flags_done || a[0] != '-' || a[1] == '\0') {
            argv[1 + npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            flags_done = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cli_print_help(cmd, flags);
            return CLI_EXIT_OK;
        }
        if (a[1] != '-') return cli_usage_error(cmd, "unknown option '%s'", a);
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const cli_flag *f = find_flag(flags, name, len);
        if (!f) return cli_usage_error(cmd, "unknown option '--%.*s'", (int)len, name);
        if (f->kind == CLI_BOOL) {
            if (eq) return cli_usage_error(cmd, "--%s takes no value", f->name);
            *(bool *)f->out = true;
            continue;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (!value) {
            if (i + 1 >= argc) return cli_usage_error(cmd, "--%s needs a value", f->name);
            value = argv[++i];
        }
        int rc = set_value(cmd, f, value);
        if (rc >= 0) return rc;
    }
    *positional = npos;
    return -1;
}
