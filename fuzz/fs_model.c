/* The fs target's model of the tree and of paths (see fs_model.h). */
#include "fs_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fs_model_init(fs_model *m) {
    memset(m->nodes, 0, sizeof m->nodes);
    m->used = 1;
    m->nodes[0] = (fs_model_node){.alive = true, .type = NBS_FS_DIR, .parent = -1};
}

void fs_model_free(fs_model *m) {
    for (int i = 0; i < FS_MODEL_NODES; i++) {
        free(m->data[i]);
        m->data[i] = NULL;
    }
}

uint8_t *fs_model_data(fs_model *m, int node) {
    if (!m->data[node]) m->data[node] = malloc(FS_MODEL_FILE_CAP);
    return m->data[node];
}

void fs_model_copy(fs_model *dst, const fs_model *src) {
    dst->used = src->used;
    memcpy(dst->nodes, src->nodes, (size_t)src->used * sizeof *src->nodes);
    for (int i = 0; i < src->used; i++)
        if (src->nodes[i].alive && src->nodes[i].size)
            memcpy(fs_model_data(dst, i), src->data[i], src->nodes[i].size);
}

int fs_model_add(fs_model *m, int parent, const char *name, uint32_t name_len, nbs_fs_type type) {
    if (m->used == FS_MODEL_NODES) return -1;
    int node = m->used++;
    fs_model_node *n = &m->nodes[node];
    *n = (fs_model_node){.alive = true, .type = type, .parent = parent, .name_len = name_len};
    memcpy(n->name, name, name_len);
    return node;
}

void fs_model_remove(fs_model *m, int node) {
    m->nodes[node].alive = false;
}

int fs_model_child(const fs_model *m, int dir, const char *name, uint32_t name_len) {
    for (int i = 1; i < m->used; i++) {
        const fs_model_node *n = &m->nodes[i];
        if (n->alive && n->parent == dir && n->name_len == name_len &&
            !memcmp(n->name, name, name_len))
            return i;
    }
    return -1;
}

uint32_t fs_model_children(const fs_model *m, int dir) {
    uint32_t count = 0;
    for (int i = 1; i < m->used; i++) count += m->nodes[i].alive && m->nodes[i].parent == dir;
    return count;
}

bool fs_model_within(const fs_model *m, int node, int ancestor) {
    for (int steps = 0; node >= 0 && steps <= FS_MODEL_NODES; steps++, node = m->nodes[node].parent)
        if (node == ancestor) return true;
    return false;
}

void fs_model_resize(fs_model *m, int node, uint32_t size) {
    fs_model_node *n = &m->nodes[node];
    if (size > n->size) memset(fs_model_data(m, node) + n->size, 0, size - n->size);
    n->size = size;
}

fs_path fs_path_parse(const char *path) {
    fs_path p = {0};
    if (!*path) return p;
    for (const char *at = path;;) {
        const char *slash = strchr(at, '/');
        uint32_t len = slash ? (uint32_t)(slash - at) : (uint32_t)strlen(at);
        bool dots = (len == 1 && at[0] == '.') || (len == 2 && at[0] == '.' && at[1] == '.');
        if (len == 0 || len > NBS_FS_NAME_MAX || dots || p.count == FS_MODEL_DEPTH) {
            p.bad = true;
            return p;
        }
        p.names[p.count] = at;
        p.lens[p.count++] = len;
        if (!slash) return p;
        at = slash + 1;
    }
}

fs_where fs_model_walk(const fs_model *m, int base, const fs_path *path) {
    fs_where w = {.parent = -1, .node = base};
    if (path->count == 0) return w;
    int dir = base;
    for (int i = 0; i + 1 < path->count; i++) {
        int next = fs_model_child(m, dir, path->names[i], path->lens[i]);
        if (next < 0) {
            w.err = NBS_E_NOT_FOUND;
            return w;
        }
        if (m->nodes[next].type != NBS_FS_DIR) {
            w.err = NBS_E_FS_NOT_DIR;
            return w;
        }
        dir = next;
    }
    w.parent = dir;
    w.name = path->names[path->count - 1];
    w.name_len = path->lens[path->count - 1];
    w.node = fs_model_child(m, dir, w.name, w.name_len);
    return w;
}

const char *fs_model_path_of(const fs_model *m, int node, char *buf, size_t size) {
    int chain[FS_MODEL_NODES], depth = 0;
    for (; node > 0 && depth < FS_MODEL_NODES; node = m->nodes[node].parent) chain[depth++] = node;
    size_t at = 0;
    buf[0] = 0;
    if (!depth) snprintf(buf, size, "/");
    while (depth-- > 0 && at < size) { /* each name cut at 40 bytes, for messages */
        const fs_model_node *n = &m->nodes[chain[depth]];
        int len = (int)(n->name_len > 40 ? 40 : n->name_len);
        at += (size_t)snprintf(buf + at, size - at, "/%.*s", len, n->name);
    }
    return buf;
}
