/* What the files of the file system (nbs_fs.h) share: the on-flash encoding (engine/SPEC.md
 * section 12: namespaces, the inode record, the directory entry, the block), the areas of the
 * caller's buffer, and the calls each file makes of the others. Engine-internal. */
#ifndef NBS_FS_INTERNAL_H
#define NBS_FS_INTERNAL_H

#include "nbs_fs.h"
#include "nbs_internal.h"

/* Byte 0 of every map key of the file system: its namespace. */
enum { FS_NS_INODE = 0x11, FS_NS_ENTRY = 0x12, FS_NS_BLOCK = 0x13 };

enum {
    FS_ROOT = 1,           /* the root directory's inode id: no entry, maybe no record */
    FS_ID_KEY_BYTES = 5,   /* an inode's or a block's map key: namespace, id (u32 LE) */
    FS_ENTRY_KEY_HEAD = 5, /* a directory entry's key before its name: namespace, parent id */
    FS_FILE_HEAD = 14,     /* a file's record: type, flags, size, n, (table), t, (trash) */
    FS_DIR_RECORD = 6,     /* a directory's record: type, flags, parent id */
    FS_ENTRY_ID_VALUE = 5, /* a file's or directory's entry value: type, inode id */
    FS_ENTRY_VALUE_MAX = 1 + NBS_FS_LINK_MAX, /* a link's entry value: type, target */
    FS_BLOCK_MIN = 64,                        /* the smallest block size chosen */
    FS_BLOCK_MAX = 4096,                      /* the largest */
};

/* An inode record's byte 1. */
enum { FS_FLAG_DELETED = 0x01u };

/* A file's inode record as read (in the record area). */
typedef struct fs_inode {
    uint8_t type;         /* NBS_FS_FILE or NBS_FS_DIR */
    uint8_t flags;        /* FS_FLAG_DELETED */
    uint32_t parent;      /* a directory: its parent's id */
    uint32_t size, n, t;  /* a file: its bytes, its table's and its trash's id counts */
    const uint8_t *table; /* n ids (u32 LE), 0: a hole */
    const uint8_t *trash; /* t ids: the blocks its last commit replaced */
} fs_inode;

/* A path resolved (fs_resolve): the directory that holds its last name, and that name's entry. */
typedef struct fs_where {
    uint32_t parent;  /* the directory holding the last name */
    const char *name; /* the last name (NULL: the path is "", the base directory itself) */
    uint32_t name_len;
    bool found;         /* the entry exists (always for "") */
    uint8_t type;       /* found: NBS_FS_FILE, NBS_FS_DIR or NBS_FS_LINK */
    uint32_t ino;       /* found, a file or directory: its inode id */
    uint32_t value_len; /* found: the entry's value bytes (a link: 1 + its target's) */
    uint32_t key_len;   /* the entry's map key bytes (in the key area given to fs_resolve) */
} fs_where;

/* The buffer: two map keys, an entry's value, an inode record, a block, then the scratch area
 * (a transaction's staging, or a file's new record). A walk of the map reads each item's value
 * into the block and scratch areas as one (the largest value of the file system's: a block, a
 * record or an entry). */
static inline uint8_t *fs_key_a(nbs_fs *fs) {
    return fs->buf;
}
static inline uint8_t *fs_key_b(nbs_fs *fs) {
    return fs->buf + NBS_KEY_MAX;
}
static inline uint8_t *fs_entry_area(nbs_fs *fs) {
    return fs->buf + 2 * NBS_KEY_MAX;
}
static inline uint32_t fs_record_bytes(uint32_t max_blocks) { /* a full table and a full trash */
    return FS_FILE_HEAD + 8u * max_blocks;
}
static inline uint8_t *fs_record_area(nbs_fs *fs) {
    return fs_entry_area(fs) + FS_ENTRY_VALUE_MAX;
}
static inline uint8_t *fs_block_area(nbs_fs *fs) {
    return fs_record_area(fs) + fs_record_bytes(fs->max_blocks);
}
static inline uint8_t *fs_scratch(nbs_fs *fs, uint32_t *capacity) {
    uint8_t *at = fs_block_area(fs) + fs->block_bytes;
    *capacity = fs->buf_size - (uint32_t)(at - fs->buf);
    return at;
}
static inline uint8_t *fs_walk_area(nbs_fs *fs, uint32_t *capacity) {
    uint8_t *at = fs_block_area(fs);
    *capacity = fs->buf_size - (uint32_t)(at - fs->buf);
    return at;
}

static inline void fs_id_key(uint8_t ns, uint32_t id, uint8_t out[FS_ID_KEY_BYTES]) {
    out[0] = ns;
    nbs_put_le(out + 1, id, 4);
}
static inline uint32_t fs_id_at(const uint8_t *ids, uint32_t i) {
    return nbs_get_le(ids + 4 * i, 4);
}
static inline uint32_t fs_blocks_for(const nbs_fs *fs, uint32_t size) {
    return size / fs->block_bytes + (size % fs->block_bytes != 0);
}

/* nbs_fs.c */
/* Every call first: the file system bound. */
int fs_check(const nbs_fs *fs);
/* Every write call first: bound, the map writable, and a failed write's blocks removed. */
int fs_check_writer(nbs_fs *fs);
/* Decodes an inode record of `len` bytes (every length and count checked: NBS_E_CORRUPT). */
int fs_inode_decode(const nbs_fs *fs, const uint8_t *rec, size_t len, fs_inode *node);
/* Fetches inode `ino`'s record into the record area, decoded; *len its bytes. NBS_E_NOT_FOUND
 * when absent. */
int fs_inode_load(nbs_fs *fs, uint32_t ino, fs_inode *node, size_t *len);
/* Removes blocks by id (absent ones: nothing written). */
int fs_remove_blocks(nbs_fs *fs, const uint8_t *ids, uint32_t count);
/* Finishes the delete of a file whose record says deleted: its blocks, then its record. */
int fs_finish_delete(nbs_fs *fs, uint32_t ino);
/* The error a transaction's staging reports when the buffer has no room: the transaction can
 * never fit this geometry. */
static inline int fs_txn_rc(int rc) {
    return rc == NBS_E_TXN_BUFFER ? NBS_E_TOO_BIG : rc;
}
/* Begins a transaction staged in the scratch area. */
int fs_txn_begin(nbs_fs *fs, nbs_map_txn *txn);
/* A new inode id (never one given before in this binding): NBS_E_FULL when none is left. */
int fs_new_ino(nbs_fs *fs, uint32_t *ino);

/* nbs_fs_dir.c */
/* Creates the entry the key area `key` names (w from fs_resolve) for a new inode with this
 * record: one transaction, the record and the entry. */
int fs_create(nbs_fs *fs, const fs_where *w, const uint8_t *key, uint8_t type, uint32_t ino,
              const uint8_t *record, uint32_t record_len);

/* nbs_fs_path.c */
/* The directory a handle names (NULL: the root): FS_CLOSED, or NOT_FOUND when it is gone. */
int fs_dir_ino(nbs_fs *fs, const nbs_fs_dir *at, uint32_t *ino);
/* Resolves `path` from `at`: every name but the last must be a directory (NOT_FOUND, NOT_DIR);
 * the last name's entry key is built in `key` and its value read into the entry area. */
int fs_resolve(nbs_fs *fs, const nbs_fs_dir *at, const char *path, uint8_t *key, fs_where *w);
/* The map key of entry (parent, name) into `key`; its bytes. */
uint32_t fs_entry_key(uint32_t parent, const char *name, uint32_t name_len, uint8_t *key);
/* Checks an entry's value (its type and length, a file's or directory's inode id). */
int fs_entry_decode(const uint8_t *value, size_t len, uint8_t *type, uint32_t *ino);
/* Whether name bytes (from flash) are a name the path rules allow. */
bool fs_name_ok(const uint8_t *name, size_t len);

#endif
