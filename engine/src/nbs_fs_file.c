/* The file system (nbs_fs.h), its file calls: open (create, truncate), read, write, status,
 * setSize, flush and close. A write or setSize stores its new blocks under new ids, then commits
 * them with one store of the file's record (engine/SPEC.md section 12.4). */
#include "nbs_fs_internal.h"

/* A handle's checks before any call: open, bound. */
static int check_handle(const nbs_fs_file *file) {
    if (!file || !file->fs) return NBS_E_INVAL;
    if (!file->open) return NBS_E_FS_CLOSED;
    return fs_check(file->fs);
}

/* The handle's file record, in the record area: NBS_E_NOT_FOUND once its delete is committed. */
static int load_file(nbs_fs_file *file, fs_inode *node, size_t *len) {
    int rc = fs_inode_load(file->fs, file->ino, node, len);
    if (rc) return rc;
    if (node->type != NBS_FS_FILE) return NBS_E_CORRUPT; /* a file's id names a directory */
    return node->flags & FS_FLAG_DELETED ? NBS_E_NOT_FOUND : NBS_OK;
}

/* Block `index` of the file into the block area: *len its stored bytes (0 for a hole; the rest
 * of the block reads 0). A block the table names must be there, no longer than the file. */
static int fetch_block(nbs_fs *fs, const fs_inode *node, uint32_t index, size_t *len) {
    uint32_t id = fs_id_at(node->table, index);
    *len = 0;
    if (!id) return NBS_OK;
    uint8_t key[FS_ID_KEY_BYTES];
    fs_id_key(FS_NS_BLOCK, id, key);
    int rc = nbs_map_fetch(fs->map, key, sizeof key, fs_block_area(fs), fs->block_bytes, len);
    if (rc == NBS_E_NOT_FOUND || rc == NBS_E_BUFFER_TOO_SMALL) return NBS_E_CORRUPT;
    if (rc) return rc;
    return *len <= node->size - index * fs->block_bytes ? NBS_OK : NBS_E_CORRUPT;
}

/* `count` new block ids, the first in *first: NBS_E_FULL when the ids ran out. */
static int new_block_ids(nbs_fs *fs, uint32_t count, uint32_t *first) {
    if (!fs->next_block || count - 1 > UINT32_MAX - fs->next_block) return NBS_E_FULL;
    *first = fs->next_block;
    fs->next_block += count; /* 0 after the last id: none left */
    return NBS_OK;
}

/* Builds the file's new record in the scratch area from its old one: `size` bytes, blocks
 * first .. first + count - 1 now new ids id0.., the rest kept (or holes past the old end); its
 * trash the old ids replaced or past the new end. Returns its bytes; *trash, *t its trash. */
static uint32_t build_record(nbs_fs *fs, const fs_inode *old, uint32_t size, uint32_t first,
                             uint32_t count, uint32_t id0, const uint8_t **trash, uint32_t *t) {
    uint32_t capacity, n = fs_blocks_for(fs, size), most = n > old->n ? n : old->n;
    uint8_t *out = fs_scratch(fs, &capacity), *table = out + 10, *bin = table + 4 * n + 4;
    out[0] = NBS_FS_FILE;
    out[1] = 0;
    nbs_put_le(out + 2, size, 4);
    nbs_put_le(out + 6, n, 4);
    *t = 0;
    for (uint32_t i = 0; i < most; i++) {
        uint32_t was = i < old->n ? fs_id_at(old->table, i) : 0;
        bool replaced = i >= first && i - first < count;
        if (i < n) nbs_put_le(table + 4 * i, replaced ? id0 + (i - first) : was, 4);
        if (was && (replaced || i >= n)) nbs_put_le(bin + 4 * (*t)++, was, 4);
    }
    nbs_put_le(table + 4 * n, *t, 4);
    *trash = bin;
    return FS_FILE_HEAD + 4 * (n + *t);
}

/* The commit: one store of the file's new record (built in the scratch area, where its trash
 * stays listed: *trash, *t). */
static int store_record(nbs_fs *fs, uint32_t ino, const fs_inode *old, uint32_t size,
                        uint32_t first, uint32_t count, uint32_t id0, const uint8_t **trash,
                        uint32_t *t) {
    uint32_t capacity, len = build_record(fs, old, size, first, count, id0, trash, t);
    uint8_t key[FS_ID_KEY_BYTES];
    fs_id_key(FS_NS_INODE, ino, key);
    return nbs_map_store(fs->map, key, sizeof key, fs_scratch(fs, &capacity), len);
}

/* The commit, then its trash removed (a cut or a failure leaves it listed, for the next commit
 * of the file or init to remove). */
static int commit(nbs_fs *fs, uint32_t ino, const fs_inode *old, uint32_t size, uint32_t first,
                  uint32_t count, uint32_t id0) {
    const uint8_t *trash;
    uint32_t t;
    int rc = store_record(fs, ino, old, size, first, count, id0, &trash, &t);
    if (rc) return rc;
    (void)fs_remove_blocks(fs, trash, t);
    return NBS_OK;
}

/* A write that failed after new blocks id0 .. id0 + count - 1 may have been stored: they go now
 * or, failing that, before the next write call (fs_check_writer), unless the record names them. */
static int abandon(nbs_fs *fs, uint32_t ino, uint32_t id0, uint32_t count, int rc) {
    fs->pending_ino = ino, fs->pending_from = id0, fs->pending_to = id0 + count;
    (void)fs_check_writer(fs);
    return rc;
}

/* Stores block `index` of a write of `len` bytes at `offset` under id `id`: the old bytes
 * (unless the write covers the block's stored range), the new ones over them, as many bytes as
 * the new size leaves in the block. */
static int store_block(nbs_fs *fs, const fs_inode *old, uint32_t size, uint32_t index, uint32_t id,
                       uint32_t offset, const uint8_t *data, uint32_t len) {
    uint32_t start = index * fs->block_bytes, end = offset + len;
    uint32_t keep = size - start < fs->block_bytes ? size - start : fs->block_bytes;
    uint8_t *area = fs_block_area(fs), key[FS_ID_KEY_BYTES];
    size_t had = 0;
    int rc;
    if (index < old->n && !(offset <= start && end >= start + keep) &&
        (rc = fetch_block(fs, old, index, &had)))
        return rc;
    if (had < keep) memset(area + had, 0, keep - had);
    uint32_t from = offset > start ? offset : start, to = end < start + keep ? end : start + keep;
    memcpy(area + (from - start), data + (from - offset), to - from);
    fs_id_key(FS_NS_BLOCK, id, key);
    return nbs_map_store(fs->map, key, sizeof key, area, keep);
}

int nbs_fs_write(nbs_fs_file *file, uint32_t offset, const void *data, size_t len) {
    int rc = check_handle(file);
    if (rc) return rc;
    if (file->mode == NBS_FS_R) return NBS_E_FS_MODE;
    if (len && !data) return NBS_E_INVAL;
    nbs_fs *fs = file->fs;
    fs_inode old;
    size_t record_len;
    if ((rc = fs_check_writer(fs)) || (rc = load_file(file, &old, &record_len))) return rc;
    uint32_t max = nbs_fs_max_file(fs);
    if (offset > max || len > max - offset) return NBS_E_TOO_BIG;
    if (!len) return NBS_OK;
    /* What a stopped clean-up left first (its list is overwritten by this commit). */
    if ((rc = fs_remove_blocks(fs, old.trash, old.t))) return rc;
    uint32_t end = offset + (uint32_t)len, size = end > old.size ? end : old.size;
    uint32_t first = offset / fs->block_bytes, count = (end - 1) / fs->block_bytes - first + 1, id0;
    if ((rc = new_block_ids(fs, count, &id0))) return rc;
#if NBS_TEST_BREAK == NBS_TEST_BREAK_FS_INODE_FIRST
    /* The flaw: the record names the new blocks before they are stored, so a cut between leaves
     * a table naming blocks that are not there. */
    const uint8_t *trash;
    uint32_t t;
    if ((rc = store_record(fs, file->ino, &old, size, first, count, id0, &trash, &t))) return rc;
    for (uint32_t k = 0; k < count; k++)
        if ((rc = store_block(fs, &old, size, first + k, id0 + k, offset, data, (uint32_t)len)))
            return rc;
    (void)fs_remove_blocks(fs, trash, t);
#else
    for (uint32_t k = 0; k < count; k++)
        if ((rc = store_block(fs, &old, size, first + k, id0 + k, offset, data, (uint32_t)len)))
            return abandon(fs, file->ino, id0, k + 1, rc);
    if ((rc = commit(fs, file->ino, &old, size, first, count, id0)))
        return abandon(fs, file->ino, id0, count, rc);
#endif
    return NBS_OK;
}

/* The file's size set to `size` in one commit: a shrink inside a block stores that block
 * truncated under a new id (so that a later grow reads zeros there), a grow adds holes. */
static int resize(nbs_fs *fs, uint32_t ino, const fs_inode *old, uint32_t size) {
    uint32_t n = fs_blocks_for(fs, size), first = 0, count = 0, id0 = 0;
    uint32_t keep = size % fs->block_bytes;
    int rc = fs_remove_blocks(fs, old->trash, old->t); /* what a stopped clean-up left */
    if (rc) return rc;
    if (size < old->size && keep) {
        size_t had;
        if ((rc = fetch_block(fs, old, n - 1, &had))) return rc;
        if (had > keep) {
            uint8_t key[FS_ID_KEY_BYTES];
            if ((rc = new_block_ids(fs, 1, &id0))) return rc;
            fs_id_key(FS_NS_BLOCK, id0, key);
            first = n - 1, count = 1;
            if ((rc = nbs_map_store(fs->map, key, sizeof key, fs_block_area(fs), keep)))
                return abandon(fs, ino, id0, 1, rc);
        }
    }
    if ((rc = commit(fs, ino, old, size, first, count, id0)))
        return count ? abandon(fs, ino, id0, count, rc) : rc;
    return NBS_OK;
}

int nbs_fs_set_size(nbs_fs_file *file, uint32_t size) {
    int rc = check_handle(file);
    if (rc) return rc;
    if (file->mode == NBS_FS_R) return NBS_E_FS_MODE;
    fs_inode old;
    size_t len;
    if ((rc = fs_check_writer(file->fs)) || (rc = load_file(file, &old, &len))) return rc;
    if (size > nbs_fs_max_file(file->fs)) return NBS_E_TOO_BIG;
    return size == old.size ? NBS_OK : resize(file->fs, file->ino, &old, size);
}

int nbs_fs_open(nbs_fs *fs, const nbs_fs_dir *at, const char *path, nbs_fs_mode mode,
                nbs_fs_file *file) {
    if (!file || (unsigned)mode > NBS_FS_W_PLUS) return NBS_E_INVAL;
    bool creates = mode == NBS_FS_W || mode == NBS_FS_W_PLUS;
    fs_where w;
    int rc = creates ? fs_check_writer(fs) : fs_check(fs);
    if (rc || (rc = fs_resolve(fs, at, path, fs_key_a(fs), &w))) return rc;
    if (w.found && w.type == NBS_FS_DIR) return NBS_E_FS_IS_DIR; /* "" too */
    if (w.found && w.type == NBS_FS_LINK) return NBS_E_FS_NOT_FILE;
    uint32_t ino = w.ino;
    if (!w.found) {
        if (!creates) return NBS_E_NOT_FOUND;
        uint8_t record[FS_FILE_HEAD] = {NBS_FS_FILE, 0};
        if ((rc = fs_new_ino(fs, &ino)) ||
            (rc = fs_create(fs, &w, fs_key_a(fs), NBS_FS_FILE, ino, record, sizeof record)))
            return rc;
    } else if (creates) { /* w and w+ truncate: one commit, none when it is empty */
        fs_inode old;
        size_t len;
        if ((rc = fs_inode_load(fs, ino, &old, &len)))
            return rc == NBS_E_NOT_FOUND ? NBS_E_CORRUPT : rc;
        if (old.type != NBS_FS_FILE) return NBS_E_CORRUPT;
        if (old.size && (rc = resize(fs, ino, &old, 0))) return rc;
    }
    *file = (nbs_fs_file){.fs = fs, .ino = ino, .mode = mode, .open = true};
    return NBS_OK;
}

int nbs_fs_read(nbs_fs_file *file, uint32_t offset, void *buf, size_t count, size_t *actual) {
    int rc = check_handle(file);
    if (rc) return rc;
    if (file->mode == NBS_FS_W) return NBS_E_FS_MODE;
    if (count && !buf) return NBS_E_INVAL;
    fs_inode node;
    size_t len;
    if ((rc = load_file(file, &node, &len))) return rc;
    nbs_fs *fs = file->fs;
    uint32_t n = offset < node.size ? node.size - offset : 0;
    if (count < n) n = (uint32_t)count;
    uint8_t *out = buf;
    for (uint32_t done = 0; done < n;) {
        uint32_t pos = offset + done, index = pos / fs->block_bytes, from = pos % fs->block_bytes;
        uint32_t take = fs->block_bytes - from < n - done ? fs->block_bytes - from : n - done;
        size_t had;
        if ((rc = fetch_block(fs, &node, index, &had))) return rc;
        uint32_t copied = had > from ? (uint32_t)had - from : 0;
        if (copied > take) copied = take;
        memcpy(out + done, fs_block_area(fs) + from, copied);
        memset(out + done + copied, 0, take - copied);
        done += take;
    }
    if (actual) *actual = n;
    return NBS_OK;
}

int nbs_fs_file_status(nbs_fs_file *file, nbs_fs_status *status) {
    int rc = check_handle(file);
    if (rc) return rc;
    if (!status) return NBS_E_INVAL;
    fs_inode node;
    size_t len;
    if ((rc = load_file(file, &node, &len))) return rc;
    *status = (nbs_fs_status){.type = NBS_FS_FILE, .size = node.size};
    return NBS_OK;
}

int nbs_fs_flush(nbs_fs_file *file) {
    int rc = check_handle(file);
    if (rc) return rc;
    fs_inode node;
    size_t len;
    return load_file(file, &node, &len);
}

void nbs_fs_close(nbs_fs_file *file) {
    if (file) file->open = false;
}
