/* Prints a command's JSON answer on stdout, and writes it into a --report folder beside its
 * page (see cli.h). */
#include "cli.h"
#include "reports.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_print_json(struct cJSON *root) {
    return cli_json_answer(NULL, root, true, NULL, NULL, NULL, 0, NULL);
}

cli_flag cli_answer_json_flag(bool *print) {
    return (cli_flag){"json", CLI_BOOL, print, NULL, "print the figures as JSON"};
}

cli_flag cli_answer_report_flag(const char **dir) {
    return (cli_flag){"report", CLI_STRING, dir, "DIR",
                      "write DIR/results.json (the JSON) and DIR/index.html (the page)"};
}

int cli_json_answer(const cli_command *cmd, struct cJSON *root, bool print, const char *dir,
                    cli_page_fn write_page, const void *data, int argc, char **argv) {
    char *printed = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    /* Ended by a newline, on stdout as in the file. */
    size_t len = printed ? strlen(printed) : 0;
    char *text = printed ? realloc(printed, len + 2) : NULL;
    if (!text) {
        free(printed);
        return CLI_EXIT_FAIL;
    }
    memcpy(text + len, "\n", 2);
    if (print) fputs(text, stdout);
    int rc = CLI_EXIT_OK;
    if (dir) {
        char *command = cli_command_line(argc, argv);
        report_html_context page = {.command = command};
        const char *failed = NULL;
        int err = write_page(dir, text, data, &page, &failed);
        free(command);
        if (err) {
            cli_report_write_failed(cmd->name, dir, failed, err);
            rc = CLI_EXIT_USAGE;
        }
    }
    free(text);
    return rc;
}
