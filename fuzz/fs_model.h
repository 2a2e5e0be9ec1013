/* The fs target's own model of a file system tree (nbs_fs.h), written from the header's
 * contract alone: nodes (the root, directories, files with their bytes, symbolic links with
 * their targets) named by index, each entry a name under a parent; ECMA-419's path rules; and
 * the walk of a path from a base directory. It knows nothing of the engine's on-flash form, nor
 * of the runner's model (sim/runner), so each checks the other. */
#ifndef NORBENCH_FS_MODEL_H
#define NORBENCH_FS_MODEL_H

#include "nbs_fs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    FS_MODEL_NODES = 96,       /* nodes an input may create (ids are never reused) */
    FS_MODEL_FILE_CAP = 12288, /* the most bytes the model keeps of one file */
    FS_MODEL_DEPTH = 8,        /* the most names a generated path has */
};

typedef struct fs_model_node {
    bool alive;
    nbs_fs_type type;
    int parent; /* -1 for the root (node 0) */
    uint32_t name_len;
    char name[NBS_FS_NAME_MAX + 1];
    uint32_t size; /* a file's bytes; a link's target length (both in fs_model.data) */
} fs_model_node;

typedef struct fs_model {
    int used; /* nodes[0..used) were given */
    fs_model_node nodes[FS_MODEL_NODES];
    uint8_t *data[FS_MODEL_NODES]; /* FS_MODEL_FILE_CAP bytes each, given on first use */
} fs_model;

/* A path split into names, or why it breaks ECMA-419's rules. */
typedef struct fs_path {
    bool bad;
    int count;
    const char *names[FS_MODEL_DEPTH];
    uint32_t lens[FS_MODEL_DEPTH];
} fs_path;

/* Where a path leads from a base directory: `err` 0, NBS_E_NOT_FOUND (a directory on the way is
 * missing) or NBS_E_FS_NOT_DIR (a file or a link on the way); else `parent` is the directory
 * holding the last name and `node` the node it names (-1 when missing). A path of no names names
 * the base itself (parent -1). */
typedef struct fs_where {
    int err;
    int parent, node;
    const char *name;
    uint32_t name_len;
} fs_where;

void fs_model_init(fs_model *m); /* the root alone */
void fs_model_free(fs_model *m);
void fs_model_copy(fs_model *dst, const fs_model *src);
/* The node's bytes (a file's data, a link's target), given on first use. */
uint8_t *fs_model_data(fs_model *m, int node);
/* A new node under `parent`: its index, or -1 when the model has no node left. */
int fs_model_add(fs_model *m, int parent, const char *name, uint32_t name_len, nbs_fs_type type);
void fs_model_remove(fs_model *m, int node);
/* The child of `dir` named `name`, or -1. */
int fs_model_child(const fs_model *m, int dir, const char *name, uint32_t name_len);
uint32_t fs_model_children(const fs_model *m, int dir);
/* Whether `node` is `ancestor` or lies below it. */
bool fs_model_within(const fs_model *m, int node, int ancestor);
/* A file's size changed: the new bytes read 0. */
void fs_model_resize(fs_model *m, int node, uint32_t size);

/* Splits `path` by the rules of nbs_fs.h ("" has no names). */
fs_path fs_path_parse(const char *path);
/* Walks a parsed (good) path from `base`. */
fs_where fs_model_walk(const fs_model *m, int base, const fs_path *path);
/* A node's path from the root, for messages ("/" for the root). */
const char *fs_model_path_of(const fs_model *m, int node, char *buf, size_t size);

#endif
