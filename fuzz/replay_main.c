/* A main() for the plain (non-fuzzing) build of a fuzz target: runs LLVMFuzzerTestOneInput
 * on every file named on the command line, and on every file inside each directory named, so
 * the corpora are tested by any compiler. Exit status 0 when all ran; a finding aborts. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    size_t capacity = 4096, size = 0;
    uint8_t *data = malloc(capacity);
    for (size_t got; data && (got = fread(data + size, 1, capacity - size, file)) > 0;) {
        size += got;
        if (size == capacity) data = realloc(data, capacity *= 2);
    }
    fclose(file);
    if (!data) {
        fprintf(stderr, "replay: out of memory reading %s\n", path);
        return 1;
    }
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of a directory, in name order so every run replays them alike. */
static int replay_directory(const char *dir_path, unsigned *files) {
    DIR *dir = opendir(dir_path);
    if (!dir) {
        fprintf(stderr, "replay: cannot open directory %s\n", dir_path);
        return 1;
    }
    char **names = NULL;
    size_t count = 0;
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
        if (entry->d_name[0] == '.') continue;
        names = realloc(names, (count + 1) * sizeof *names);
        size_t len = strlen(dir_path) + strlen(entry->d_name) + 2;
        names[count] = malloc(len);
        snprintf(names[count++], len, "%s/%s", dir_path, entry->d_name);
    }
    closedir(dir);
    if (count) qsort(names, count, sizeof *names, compare_names);
    int failures = 0;
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            failures += replay_file(names[i]);
            (*files)++;
        }
        free(names[i]);
    }
    free(names);
    return failures;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    unsigned files = 0;
    int failures = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            failures += replay_directory(argv[i], &files);
        } else {
            failures += replay_file(argv[i]);
            files++;
        }
    }
    fprintf(stderr, "replay: %u inputs, %d unreadable\n", files, failures);
    return failures || files == 0 ? 1 : 0;
}
