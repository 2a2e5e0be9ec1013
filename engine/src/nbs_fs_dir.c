/* The file system (nbs_fs.h), its directory calls: open, createDirectory, delete, move, status,
 * createLink, readLink and scan, each write one commit (engine/SPEC.md section 12.4). */
#include "nbs_fs_internal.h"

/* The directory a path names (its inode id): NOT_FOUND when missing, NOT_DIR when another kind. */
static int resolve_dir(nbs_fs *fs, const nbs_fs_dir *at, const char *path, uint32_t *ino) {
    fs_where w;
    int rc = fs_resolve(fs, at, path, fs_key_a(fs), &w);
    if (rc) return rc;
    if (!w.found) return NBS_E_NOT_FOUND;
    if (w.type != NBS_FS_DIR) return NBS_E_FS_NOT_DIR;
    *ino = w.ino;
    return NBS_OK;
}

int nbs_fs_dir_open(nbs_fs *fs, const nbs_fs_dir *at, const char *path, nbs_fs_dir *dir) {
    uint32_t ino;
    int rc = dir ? resolve_dir(fs, at, path, &ino) : NBS_E_INVAL;
    if (rc) return rc;
    *dir = (nbs_fs_dir){.fs = fs, .ino = ino, .open = true};
    return NBS_OK;
}

void nbs_fs_dir_close(nbs_fs_dir *dir) {
    if (dir) dir->open = false;
}

int fs_create(nbs_fs *fs, const fs_where *w, const uint8_t *key, uint8_t type, uint32_t ino,
              const uint8_t *record, uint32_t record_len) {
    uint8_t inode_key[FS_ID_KEY_BYTES], entry[FS_ENTRY_ID_VALUE] = {type};
    fs_id_key(FS_NS_INODE, ino, inode_key);
    nbs_put_le(entry + 1, ino, 4);
    nbs_map_txn txn;
    int rc = fs_txn_begin(fs, &txn);
    if (rc || (rc = nbs_map_txn_store(&txn, inode_key, sizeof inode_key, record, record_len)) ||
        (rc = nbs_map_txn_store(&txn, key, w->key_len, entry, sizeof entry))) {
        nbs_map_txn_abort(&txn);
        return fs_txn_rc(rc);
    }
    return nbs_map_txn_commit(&txn);
}

int nbs_fs_mkdir(nbs_fs *fs, const nbs_fs_dir *at, const char *path) {
    fs_where w;
    int rc = fs_check_writer(fs);
    if (rc || (rc = fs_resolve(fs, at, path, fs_key_a(fs), &w))) return rc;
    if (w.found) return 0; /* "" (the base directory) too */
    uint32_t ino;
    uint8_t record[FS_DIR_RECORD] = {NBS_FS_DIR, 0};
    nbs_put_le(record + 2, w.parent, 4);
    if ((rc = fs_new_ino(fs, &ino)) ||
        (rc = fs_create(fs, &w, fs_key_a(fs), NBS_FS_DIR, ino, record, sizeof record)))
        return rc;
    return 1;
}

/* The next entry of directory `ino` a walk of the map meets: its map key in key area B, its value
 * in the walk area (NBS_E_END after the last). The walk's place is kept in `it`. */
static int next_entry(nbs_fs *fs, nbs_map_iter *it, uint32_t ino, size_t *key_len,
                      size_t *value_len) {
    for (;;) {
        uint32_t capacity;
        uint8_t *value = fs_walk_area(fs, &capacity), *key = fs_key_b(fs);
        int rc = nbs_map_iter_next(it, key, NBS_KEY_MAX, key_len, value, capacity, value_len);
        if (rc == NBS_E_BUFFER_TOO_SMALL) return NBS_E_CORRUPT; /* no item of ours is longer */
        if (rc) return rc;
        if (key[0] != FS_NS_ENTRY || *key_len <= FS_ENTRY_KEY_HEAD || nbs_get_le(key + 1, 4) != ino)
            continue;
        return fs_name_ok(key + FS_ENTRY_KEY_HEAD, *key_len - FS_ENTRY_KEY_HEAD) ? NBS_OK
                                                                                 : NBS_E_CORRUPT;
    }
}

/* A directory's delete: it must hold no entry; its entry and its record go in one commit. */
static int delete_dir(nbs_fs *fs, const fs_where *w) {
    nbs_map_iter it;
    size_t key_len, value_len;
    nbs_map_iter_init(fs->map, &it);
    int rc = next_entry(fs, &it, w->ino, &key_len, &value_len);
    if (rc == NBS_OK) return NBS_E_FS_NOT_EMPTY;
    if (rc != NBS_E_END) return rc;
    uint8_t inode_key[FS_ID_KEY_BYTES];
    fs_id_key(FS_NS_INODE, w->ino, inode_key);
    nbs_map_txn txn;
    if ((rc = fs_txn_begin(fs, &txn)) ||
        (rc = nbs_map_txn_remove(&txn, fs_key_a(fs), w->key_len)) ||
        (rc = nbs_map_txn_remove(&txn, inode_key, sizeof inode_key))) {
        nbs_map_txn_abort(&txn);
        return fs_txn_rc(rc);
    }
    return nbs_map_txn_commit(&txn);
}

/* A file's delete: its entry goes and its record says deleted in one commit; its blocks and
 * record are removed after (what a cut stops there, init finishes: SPEC 12.5). */
static int delete_file(nbs_fs *fs, const fs_where *w) {
    fs_inode node;
    size_t len;
    int rc = fs_inode_load(fs, w->ino, &node, &len);
    if (rc) return rc == NBS_E_NOT_FOUND ? NBS_E_CORRUPT : rc; /* an entry names no record */
    if (node.type != NBS_FS_FILE) return NBS_E_CORRUPT;
    uint8_t *record = fs_record_area(fs), inode_key[FS_ID_KEY_BYTES];
    record[1] |= FS_FLAG_DELETED;
    fs_id_key(FS_NS_INODE, w->ino, inode_key);
    nbs_map_txn txn;
    if ((rc = fs_txn_begin(fs, &txn)) ||
        (rc = nbs_map_txn_remove(&txn, fs_key_a(fs), w->key_len)) ||
        (rc = nbs_map_txn_store(&txn, inode_key, sizeof inode_key, record, len))) {
        nbs_map_txn_abort(&txn);
        return fs_txn_rc(rc);
    }
    if ((rc = nbs_map_txn_commit(&txn))) return rc;
    (void)fs_finish_delete(fs, w->ino); /* committed: a failure is finished by init */
    return NBS_OK;
}

int nbs_fs_delete(nbs_fs *fs, const nbs_fs_dir *at, const char *path) {
    fs_where w;
    int rc = fs_check_writer(fs);
    if (rc || (rc = fs_resolve(fs, at, path, fs_key_a(fs), &w))) return rc;
    if (!w.name) return NBS_E_INVAL; /* the base directory itself: it has no name here */
    if (!w.found) return 0;
    switch (w.type) {
    case NBS_FS_LINK: rc = nbs_map_remove(fs->map, fs_key_a(fs), w.key_len); break;
    case NBS_FS_DIR: rc = delete_dir(fs, &w); break;
    default: rc = delete_file(fs, &w); break;
    }
    return rc ? rc : 1;
}

/* Whether directory `dir` is `moved` or below it: the walk up through the directories' parent
 * ids, bounded by the ids given (a loop on flash is NBS_E_CORRUPT, never an endless walk). */
static int below(nbs_fs *fs, uint32_t dir, uint32_t moved) {
    for (uint32_t steps = 0; dir != FS_ROOT; steps++) {
        if (dir == moved) return 1;
        fs_inode node;
        size_t len;
        if (steps >= fs->next_ino) return NBS_E_CORRUPT;
        int rc = fs_inode_load(fs, dir, &node, &len);
        if (rc) return rc == NBS_E_NOT_FOUND ? NBS_E_CORRUPT : rc;
        if (node.type != NBS_FS_DIR) return NBS_E_CORRUPT;
        dir = node.parent;
    }
    return 0;
}

/* The move's commit: the entry leaves `from` (key area A) and appears at `to` (key area B) with
 * the same value (entry area), a directory's record naming its new parent. One transaction. */
static int move_commit(nbs_fs *fs, const fs_where *from, const fs_where *to) {
    uint8_t inode_key[FS_ID_KEY_BYTES], record[FS_DIR_RECORD] = {NBS_FS_DIR, 0};
    bool reparent = from->type == NBS_FS_DIR && from->parent != to->parent;
    fs_id_key(FS_NS_INODE, from->ino, inode_key);
    nbs_put_le(record + 2, to->parent, 4);
#if NBS_TEST_BREAK == NBS_TEST_BREAK_FS_MOVE_TWO_STEPS
    /* The flaw: the old entry goes in a write of its own, so a cut before the next leaves the
     * entry in neither place. */
    int rc = nbs_map_remove(fs->map, fs_key_a(fs), from->key_len);
    if (!rc)
        rc = nbs_map_store(fs->map, fs_key_b(fs), to->key_len, fs_entry_area(fs), from->value_len);
    if (!rc && reparent)
        rc = nbs_map_store(fs->map, inode_key, sizeof inode_key, record, sizeof record);
    return rc;
#else
    nbs_map_txn txn;
    int rc = fs_txn_begin(fs, &txn);
    if (rc || (rc = nbs_map_txn_remove(&txn, fs_key_a(fs), from->key_len)) ||
        (rc = nbs_map_txn_store(&txn, fs_key_b(fs), to->key_len, fs_entry_area(fs),
                                from->value_len)) ||
        (reparent &&
         (rc = nbs_map_txn_store(&txn, inode_key, sizeof inode_key, record, sizeof record)))) {
        nbs_map_txn_abort(&txn);
        return fs_txn_rc(rc);
    }
    return nbs_map_txn_commit(&txn);
#endif
}

int nbs_fs_move(nbs_fs *fs, const nbs_fs_dir *from_at, const char *from, const nbs_fs_dir *to_at,
                const char *to) {
    fs_where src, dst;
    int rc = fs_check_writer(fs);
    if (rc || (rc = fs_resolve(fs, from_at, from, fs_key_a(fs), &src))) return rc;
    if (!src.name) return NBS_E_INVAL; /* the base directory itself */
    if (!src.found) return NBS_E_NOT_FOUND;
    if ((rc = fs_resolve(fs, to_at, to, fs_key_b(fs), &dst))) return rc;
    if (dst.found) return NBS_E_FS_EXISTS; /* "" too: the base directory exists */
    if (src.type == NBS_FS_DIR && (rc = below(fs, dst.parent, src.ino)))
        return rc == 1 ? NBS_E_INVAL : rc;
    /* The entry's value again: resolving `to` read other entries into the entry area. */
    size_t len;
    if ((rc = nbs_map_fetch(fs->map, fs_key_a(fs), src.key_len, fs_entry_area(fs),
                            FS_ENTRY_VALUE_MAX, &len)))
        return rc == NBS_E_BUFFER_TOO_SMALL ? NBS_E_CORRUPT : rc;
    if (len != src.value_len) return NBS_E_CORRUPT;
    return move_commit(fs, &src, &dst);
}

/* The status of an entry (or of the base directory): a file's size from its record, a link's
 * target length. */
static int entry_status(nbs_fs *fs, uint8_t type, uint32_t ino, uint32_t value_len,
                        nbs_fs_status *status) {
    *status = (nbs_fs_status){.type = (nbs_fs_type)type};
    if (type == NBS_FS_LINK) status->size = value_len - 1;
    if (type != NBS_FS_FILE) return NBS_OK;
    fs_inode node;
    size_t len;
    int rc = fs_inode_load(fs, ino, &node, &len);
    if (rc) return rc == NBS_E_NOT_FOUND ? NBS_E_CORRUPT : rc; /* an entry names no record */
    if (node.type != NBS_FS_FILE) return NBS_E_CORRUPT;
    status->size = node.size;
    return NBS_OK;
}

int nbs_fs_status_of(nbs_fs *fs, const nbs_fs_dir *at, const char *path, nbs_fs_status *status) {
    if (!status) return NBS_E_INVAL;
    fs_where w;
    uint32_t base;
    /* A base directory deleted is NOT_FOUND; a missing parent below it, a missing path. */
    int rc = fs_check(fs);
    if (rc || (rc = fs_dir_ino(fs, at, &base))) return rc;
    rc = fs_resolve(fs, at, path, fs_key_a(fs), &w);
    if (rc == NBS_E_NOT_FOUND && path && *path) rc = NBS_OK, w.found = false; /* a parent missing */
    if (rc) return rc;
    if (!w.found) {
        *status = (nbs_fs_status){.type = NBS_FS_NONE};
        return NBS_OK;
    }
    return entry_status(fs, w.type, w.ino, w.value_len, status);
}

int nbs_fs_link(nbs_fs *fs, const nbs_fs_dir *at, const char *path, const char *target) {
    if (!target) return NBS_E_INVAL;
    size_t target_len = 0;
    while (target_len <= NBS_FS_LINK_MAX && target[target_len]) target_len++;
    if (target_len < 1 || target_len > NBS_FS_LINK_MAX) return NBS_E_INVAL;
    fs_where w;
    int rc = fs_check_writer(fs);
    if (rc || (rc = fs_resolve(fs, at, path, fs_key_a(fs), &w))) return rc;
    if (w.found) return NBS_E_FS_EXISTS;
    uint8_t *value = fs_entry_area(fs);
    value[0] = NBS_FS_LINK;
    memcpy(value + 1, target, target_len);
    return nbs_map_store(fs->map, fs_key_a(fs), w.key_len, value, target_len + 1);
}

int nbs_fs_readlink(nbs_fs *fs, const nbs_fs_dir *at, const char *path, char *buf, size_t capacity,
                    size_t *len) {
    fs_where w;
    int rc = fs_resolve(fs, at, path, fs_key_a(fs), &w);
    if (rc) return rc;
    if (!w.found) return NBS_E_NOT_FOUND;
    if (w.type != NBS_FS_LINK) return NBS_E_FS_NOT_LINK;
    if ((rc = nbs_out_buffer(buf, capacity, len, w.value_len - 1))) return rc;
    memcpy(buf, fs_entry_area(fs) + 1, w.value_len - 1);
    return NBS_OK;
}

/* ---- scan ---- */

int nbs_fs_scan_open(nbs_fs *fs, const nbs_fs_dir *at, const char *path, nbs_fs_scan *scan) {
    uint32_t ino;
    int rc = scan ? resolve_dir(fs, at, path, &ino) : NBS_E_INVAL;
    if (rc) return rc;
    *scan = (nbs_fs_scan){.fs = fs, .ino = ino, .writes = fs->map->log.writes};
    nbs_map_iter_init(fs->map, &scan->map_iter);
    return NBS_OK;
}

int nbs_fs_scan_next(nbs_fs_scan *scan, char *name, size_t capacity, size_t *name_len,
                     nbs_fs_status *status) {
    int rc = scan ? fs_check(scan->fs) : NBS_E_INVAL;
    if (rc) return rc;
    nbs_fs *fs = scan->fs;
    if (fs->map->log.writes != scan->writes) return NBS_E_ITER_STALE;
    nbs_map_iter before = scan->map_iter;
    size_t key_len, value_len;
    uint8_t type;
    uint32_t ino;
    if ((rc = next_entry(fs, &scan->map_iter, scan->ino, &key_len, &value_len))) return rc;
    uint32_t capacity_walk;
    if ((rc = fs_entry_decode(fs_walk_area(fs, &capacity_walk), value_len, &type, &ino))) return rc;
    uint32_t n = (uint32_t)key_len - FS_ENTRY_KEY_HEAD;
    /* A buffer too small leaves the scan where it was, for a call with a larger one. */
    if ((rc = nbs_out_buffer(name, capacity, name_len, n))) {
        scan->map_iter = before;
        return rc;
    }
    memcpy(name, fs_key_b(fs) + FS_ENTRY_KEY_HEAD, n);
    return status ? entry_status(fs, type, ino, (uint32_t)value_len, status) : NBS_OK;
}
