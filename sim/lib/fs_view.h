/* The runner's view of a file system (nbs_fs.h) as a list of items, shared by the fs adapter
 * (which reads the tree into it) and the runner's reference model (ref_fs.h, which holds it): one
 * item per entry below the root, its key the entry's path from the root (names joined by "/"),
 * its value one type byte (FS_VIEW_FILE, FS_VIEW_DIR, FS_VIEW_LINK, nbs_fs_type's numbers) then a
 * file's bytes or a link's target (a directory: the type byte alone). The root has no item. A
 * convention of norbench's own, not the engine's on-flash form (engine/SPEC.md section 12). */
#ifndef NORBENCH_FS_VIEW_H
#define NORBENCH_FS_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { FS_VIEW_FILE = 1, FS_VIEW_DIR = 2, FS_VIEW_LINK = 3 };

/* "dir/name" (or "name" under the root, dir_len 0) into a new malloc'd, 0-terminated string;
 * NULL when out of memory. */
char *fs_view_join(const char *dir, size_t dir_len, const char *name, size_t name_len);
/* The length of the parent part of `path` (0 under the root), and where its last name starts. */
size_t fs_view_parent_len(const uint8_t *path, size_t len, size_t *name_at);
/* `path` is `dir` itself or below it ("dir/..."). */
bool fs_view_within(const uint8_t *path, size_t len, const uint8_t *dir, size_t dir_len);

#endif
