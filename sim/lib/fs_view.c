/* The runner's view of a file system (fs_view.h): joining and taking apart its paths. */
#include "fs_view.h"

#include <stdlib.h>
#include <string.h>

char *fs_view_join(const char *dir, size_t dir_len, const char *name, size_t name_len) {
    size_t len = dir_len ? dir_len + 1 + name_len : name_len;
    char *out = malloc(len + 1);
    if (!out) return NULL;
    size_t at = 0;
    if (dir_len) {
        memcpy(out, dir, dir_len);
        out[dir_len] = '/';
        at = dir_len + 1;
    }
    if (name_len) memcpy(out + at, name, name_len);
    out[len] = '\0';
    return out;
}

size_t fs_view_parent_len(const uint8_t *path, size_t len, size_t *name_at) {
    size_t i = len;
    while (i > 0 && path[i - 1] != '/') i--;
    *name_at = i;
    return i ? i - 1 : 0;
}

bool fs_view_within(const uint8_t *path, size_t len, const uint8_t *dir, size_t dir_len) {
    if (!dir_len) return true;
    if (len < dir_len || memcmp(path, dir, dir_len) != 0) return false;
    return len == dir_len || path[dir_len] == '/';
}
