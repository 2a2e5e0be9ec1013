/* Scenario files named on a command line: files as they are, directories expanded to every
 * *.json below them (schema files and images' sidecars left out), sorted so that runs are in a
 * stable order; their validation messages, one line each on stderr; and whether a flag was given at
 * all (a U64 flag reads 0 when absent, and 0 can be meaningful). */
#include "cli.h"
#include "grow.h"
#include "nor.h"
#include "scenario.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool path_list_add(path_list *list, const char *path) {
    if (!grow_array(&list->items, &list->capacity, list->count, sizeof *list->items, 32))
        return false;
    size_t len = strlen(path) + 1;
    char *copy = malloc(len);
    if (!copy) return false;
    memcpy(copy, path, len);
    list->items[list->count++] = copy;
    return true;
}

void path_list_free(path_list *list) {
    for (size_t i = 0; i < list->count; i++) free(list->items[i]);
    free(list->items);
}

static int compare_paths(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A flash image's sidecar: PATH.json that, with the file PATH beside it, reads as an image
 * (nor_image_save writes both; the image module owns what an image is). A JSON file beside an
 * unrelated file of the same name is a scenario like any other. */
static bool is_image_sidecar(const char *path) {
    size_t n = strlen(path) - strlen(".json");
    char *image = malloc(n + 1);
    if (!image) return false;
    memcpy(image, path, n);
    image[n] = '\0';
    nor_image_info info;
    char why[NOR_IMAGE_WHY_MAX];
    bool sidecar = nor_image_read_info(image, &info, why, sizeof why) == NOR_OK;
    if (sidecar) nor_image_info_free(&info);
    free(image);
    return sidecar;
}

/* The one rule for which files of a folder are scenarios (run, validate and powercut share it):
 * every *.json but JSON Schemas and images' sidecars. */
static bool is_scenario_file(const char *path) {
    return ends_with(path, ".json") && !ends_with(path, ".schema.json") && !is_image_sidecar(path);
}

/* Adds every scenario file below `dir`, sorted, so runs are in a stable order. */
static int collect_dir(const char *dir, path_list *out) {
    DIR *d = opendir(dir);
    if (!d) return -errno;
    path_list found = {0};
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        size_t size = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(size);
        if (!path) {
            rc = -ENOMEM;
            break;
        }
        snprintf(path, size, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", e->d_name);
        struct stat st;
        bool wanted = stat(path, &st) == 0 && (S_ISDIR(st.st_mode) || is_scenario_file(path));
        if (wanted && !path_list_add(&found, path)) rc = -ENOMEM;
        free(path);
    }
    closedir(d);
    if (found.count) qsort(found.items, found.count, sizeof *found.items, compare_paths);
    for (size_t i = 0; !rc && i < found.count; i++) {
        struct stat st;
        if (stat(found.items[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc = collect_dir(found.items[i], out);
        else if (!path_list_add(out, found.items[i]))
            rc = -ENOMEM;
    }
    path_list_free(&found);
    return rc;
}

int cli_collect_scenarios(const cli_command *cmd, char **args, int count, path_list *out) {
    int rc = CLI_EXIT_OK;
    for (int i = 0; i < count; i++) {
        struct stat st;
        if (stat(args[i], &st) != 0) {
            fprintf(stderr, "norbench %s: %s: %s\n", cmd->name, args[i],
                    errno == ENOENT ? "no such file or folder" : strerror(errno));
            rc = CLI_EXIT_USAGE;
        } else if (S_ISDIR(st.st_mode)) {
            size_t before = out->count;
            int err = collect_dir(args[i], out);
            if (err == -ENOMEM) {
                fprintf(stderr, "norbench %s: out of memory\n", cmd->name);
                path_list_free(out);
                return CLI_EXIT_FAIL;
            }
            if (err)
                fprintf(stderr, "norbench %s: %s: cannot read the folder: %s\n", cmd->name, args[i],
                        strerror(-err));
            else if (out->count == before)
                fprintf(stderr, "norbench %s: %s: no scenario files (*.json) in this folder\n",
                        cmd->name, args[i]);
            if (err || out->count == before) rc = CLI_EXIT_USAGE;
        } else if (!path_list_add(out, args[i])) {
            fprintf(stderr, "norbench %s: out of memory\n", cmd->name);
            path_list_free(out);
            return CLI_EXIT_FAIL;
        }
    }
    return rc;
}

bool cli_flag_present(int argc, char **argv, const char *name) {
    size_t n = strlen(name);
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strncmp(argv[i], "--", 2) == 0 && strncmp(argv[i] + 2, name, n) == 0 &&
            (argv[i][2 + n] == '\0' || argv[i][2 + n] == '='))
            return true;
    return false;
}

/* Each message on stderr, after `prefix`. */
static void print_errors(const char *prefix, const scenario_errors *errors) {
    for (size_t i = 0; i < errors->count; i++) {
        char line[SCENARIO_PATH_MAX + SCENARIO_MESSAGE_MAX + 512];
        scenario_error_format(&errors->items[i], line, sizeof line);
        fprintf(stderr, "%s%s\n", prefix, line);
    }
}

void cli_print_scenario_errors(const scenario_errors *errors) {
    print_errors("", errors);
}

int cli_load_scenario(const cli_command *cmd, const char *flag, const char *path, scenario **out) {
    scenario_errors errors;
    int rc = scenario_load_file(path, out, &errors);
    char prefix[64] = "";
    if (rc == SCENARIO_E_IO) /* the file itself: said as the command's other messages are */
        snprintf(prefix, sizeof prefix, "norbench %s: %s%s", cmd->name, flag ? flag : "",
                 flag ? ": " : "");
    if (rc != SCENARIO_OK) print_errors(prefix, &errors);
    scenario_errors_free(&errors);
    return rc == SCENARIO_OK ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}
