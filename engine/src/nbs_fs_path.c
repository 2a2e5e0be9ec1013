/* The file system (nbs_fs.h), its paths: ECMA-419's subpath rules, directory entries (their map
 * keys and values, checked when read), directory handles, and the resolution of a path name by
 * name from its base directory (engine/SPEC.md sections 12.1 and 12.3). */
#include "nbs_fs_internal.h"

/* Whether a name of `len` bytes is "." or "..". */
static bool dot_name(const uint8_t *name, size_t len) {
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

bool fs_name_ok(const uint8_t *name, size_t len) {
    if (len < 1 || len > NBS_FS_NAME_MAX || dot_name(name, len)) return false;
    for (size_t i = 0; i < len; i++)
        if (name[i] == 0 || name[i] == '/') return false;
    return true;
}

/* The bytes of the name starting at `name` (up to a "/" or the end). */
static size_t name_length(const char *name) {
    size_t n = 0;
    while (name[n] && name[n] != '/') n++;
    return n;
}

/* Every name of the path follows the rules ("" names the base directory). */
static int check_path(const char *path) {
    if (!*path) return NBS_OK;
    for (const char *name = path;;) {
        size_t len = name_length(name);
        if (!fs_name_ok((const uint8_t *)name, len)) return NBS_E_FS_PATH;
        if (!name[len]) return NBS_OK;
        name += len + 1; /* past the "/": an empty name next is "//" or a trailing "/" */
    }
}

uint32_t fs_entry_key(uint32_t parent, const char *name, uint32_t name_len, uint8_t *key) {
    key[0] = FS_NS_ENTRY;
    nbs_put_le(key + 1, parent, 4);
    memcpy(key + FS_ENTRY_KEY_HEAD, name, name_len);
    return FS_ENTRY_KEY_HEAD + name_len;
}

int fs_entry_decode(const uint8_t *value, size_t len, uint8_t *type, uint32_t *ino) {
    if (len < 1) return NBS_E_CORRUPT;
    *type = value[0];
    *ino = 0;
    if (*type == NBS_FS_LINK) return len >= 2 && len <= FS_ENTRY_VALUE_MAX ? NBS_OK : NBS_E_CORRUPT;
    if ((*type != NBS_FS_FILE && *type != NBS_FS_DIR) || len != FS_ENTRY_ID_VALUE)
        return NBS_E_CORRUPT;
    *ino = nbs_get_le(value + 1, 4);
    return *ino > FS_ROOT ? NBS_OK : NBS_E_CORRUPT; /* the root has no entry */
}

int fs_dir_ino(nbs_fs *fs, const nbs_fs_dir *at, uint32_t *ino) {
    if (!at) {
        *ino = FS_ROOT;
        return NBS_OK;
    }
    if (!at->open) return NBS_E_FS_CLOSED;
    if (at->fs != fs) return NBS_E_INVAL;
    *ino = at->ino;
    if (at->ino == FS_ROOT) return NBS_OK;
    fs_inode node;
    size_t len;
    int rc = fs_inode_load(fs, at->ino, &node, &len);
    if (rc) return rc;
    return node.type == NBS_FS_DIR ? NBS_OK : NBS_E_CORRUPT; /* a directory's id names a file */
}

int fs_resolve(nbs_fs *fs, const nbs_fs_dir *at, const char *path, uint8_t *key, fs_where *w) {
    int rc = fs_check(fs);
    if (rc) return rc;
    if (!path) return NBS_E_INVAL;
    if ((rc = check_path(path))) return rc;
    uint32_t dir;
    if ((rc = fs_dir_ino(fs, at, &dir))) return rc;
    *w = (fs_where){.parent = dir, .found = true, .type = NBS_FS_DIR, .ino = dir};
    if (!*path) return NBS_OK;
    for (const char *name = path;;) {
        size_t len = name_length(name), vlen;
        *w = (fs_where){.parent = dir, .name = name, .name_len = (uint32_t)len};
        w->key_len = fs_entry_key(dir, name, (uint32_t)len, key);
        rc = nbs_map_fetch(fs->map, key, w->key_len, fs_entry_area(fs), FS_ENTRY_VALUE_MAX, &vlen);
        if (rc == NBS_E_BUFFER_TOO_SMALL) return NBS_E_CORRUPT; /* no entry of ours is longer */
        if (rc && rc != NBS_E_NOT_FOUND) return rc;
        w->found = rc == NBS_OK;
        if (w->found && (rc = fs_entry_decode(fs_entry_area(fs), vlen, &w->type, &w->ino)))
            return rc;
        w->value_len = w->found ? (uint32_t)vlen : 0;
        if (!name[len]) return NBS_OK;
        if (!w->found) return NBS_E_NOT_FOUND;
        if (w->type != NBS_FS_DIR) return NBS_E_FS_NOT_DIR; /* a file, or a link: not followed */
        dir = w->ino;
        name += len + 1;
    }
}
