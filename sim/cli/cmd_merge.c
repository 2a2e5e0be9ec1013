/* `norbench merge FILE...`: adds up the powercut.json results of the shards of one power-cut
 * campaign (`norbench powercut --shard I/N`) into the result one unsharded run would give, as
 * a table or as JSON. Exit 0 when no cut point failed, 1 when one did, 2 on unreadable files,
 * files of different campaigns, or shards missing (every I of I/N must be there). */
#include "campaign.h"
#include "cli.h"
#include "commands.h"
#include "powercut_print.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Result files are small; anything near this is not one. */
#define RESULT_FILE_MAX (64u << 20)

static char *read_file(const char *path, char *why, size_t why_size) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_size, "%s: cannot open the file: %s", path, strerror(errno));
        return NULL;
    }
    char *text = malloc(RESULT_FILE_MAX + 1);
    size_t n = text ? fread(text, 1, RESULT_FILE_MAX + 1, f) : 0;
    bool failed = ferror(f);
    fclose(f);
    if (!text || failed || n > RESULT_FILE_MAX) {
        snprintf(why, why_size, "%s: %s", path,
                 !text    ? "out of memory"
                 : failed ? "cannot read the file (is it a directory?)"
                          : "larger than any powercut.json");
        free(text);
        return NULL;
    }
    text[n] = '\0';
    return text;
}

int cmd_merge(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("merge");
    bool json = false;
    const cli_flag flags[] = {
        {"json", CLI_BOOL, &json, NULL, "print the merged result as JSON (as in powercut.json)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos == 0) return cli_usage_error(cmd, "expected at least one powercut.json FILE");

    campaign_result merged = {0};
    int exit_code = CLI_EXIT_OK;
    for (int i = 1; i <= npos && exit_code == CLI_EXIT_OK; i++) {
        char why[600];
        char *text = read_file(argv[i], why, sizeof why);
        if (!text || campaign_result_merge_json(&merged, argv[i], text, why, sizeof why)) {
            fprintf(stderr, "norbench merge: %s\n", why);
            exit_code = CLI_EXIT_USAGE;
        }
        free(text);
    }
    char missing[CAMPAIGN_SHARDS_MAX * sizeof "64/64, "];
    if (exit_code == CLI_EXIT_OK &&
        campaign_result_missing_shards(&merged, missing, sizeof missing)) {
        /* Half the cut points would read as a whole campaign that passed. */
        bool several = strchr(missing, ',') != NULL;
        fprintf(stderr, "norbench merge: the files do not cover the campaign: %s %s %s missing\n",
                several ? "shards" : "shard", missing, several ? "are" : "is");
        exit_code = CLI_EXIT_USAGE;
    }
    if (exit_code == CLI_EXIT_OK) {
        char *text = json ? campaign_result_to_json(&merged) : NULL;
        if (json && text)
            printf("%s\n", text);
        else if (!json)
            powercut_print(stdout, stderr, &merged, false);
        free(text);
        if (campaign_result_failures(&merged)) exit_code = CLI_EXIT_FAIL;
        for (size_t i = 0; i < merged.count; i++)
            if (merged.scenarios[i].has_error) exit_code = CLI_EXIT_FAIL;
    }
    campaign_result_free(&merged);
    return exit_code;
}
