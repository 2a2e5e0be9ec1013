/* `norbench powercut --resume DIR`: the stopped campaign in DIR/powercut.json, checked against
 * the command line (same flags, same scenario files in the same order) before anything runs, so
 * that the resumed campaign adds up to the one that was asked for. */
#include "cli.h"
#include "powercut_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* powercut.json files are small; anything near this is not one. */
#define RESULT_FILE_MAX (64u << 20)

static int fail(const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "norbench powercut: --resume: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n");
    return CLI_EXIT_USAGE;
}

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *text = malloc(RESULT_FILE_MAX + 1);
    size_t n = text ? fread(text, 1, RESULT_FILE_MAX, f) : 0;
    fclose(f);
    if (text) text[n] = '\0';
    return text;
}

int powercut_load_resume(const char *dir, const campaign_options *o, char **files, size_t count,
                         campaign_result *prior) {
    char path[1100];
    snprintf(path, sizeof path, "%s/powercut.json", dir);
    char *text = read_text(path);
    if (!text) return fail("cannot read %s: %s", path, strerror(errno));
    char why[700];
    memset(prior, 0, sizeof *prior);
    int rc = campaign_result_merge_json(prior, path, text, why, sizeof why);
    free(text);
    if (rc) return fail("%s%s", why, "");
    const char *flag = campaign_options_differ(&prior->options, o);
    if (flag)
        return fail("%s was made with another %s: give the flags the stopped campaign had (its "
                    "\"options\" say which)",
                    path, flag);
    bool same = prior->count == count;
    for (size_t i = 0; same && i < count; i++) same = !strcmp(prior->scenarios[i].file, files[i]);
    if (!same)
        return fail("%s holds other scenario files than the command line names: give the same %s",
                    path, "files in the same order");
    return CLI_EXIT_OK;
}
