/* Prints a command's JSON answer on stdout (see cli.h). */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

int cli_print_json(struct cJSON *root) {
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) return CLI_EXIT_FAIL;
    printf("%s\n", text);
    free(text);
    return CLI_EXIT_OK;
}
