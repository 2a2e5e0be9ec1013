/* The small file system of the norbench storage engine, after ECMA-419's embedded:storage/files:
 * a directory tree of files, directories and symbolic links over one map (the caller's, mounted,
 * typically on a partition: nbs_part.h). Every call that writes is atomic under a power cut: a
 * write of a range, a setSize, a create, a move and a delete each reach flash whole or not at
 * all (each has one commit: a map store or a map transaction). File data lives in blocks, each a
 * map item with its own CRC; a write stores its blocks under new ids and commits them with one
 * store of the file's inode, so a cut before that store leaves the old bytes everywhere. The
 * on-flash form: engine/SPEC.md section 12. Freestanding, no malloc: the caller owns every
 * struct and the buffer. */
#ifndef NBS_FS_H
#define NBS_FS_H

#include "nbs.h"

/* Paths (ECMA-419's subpaths): names separated by "/", no leading or trailing "/", no "//", no
 * name "." or "..", each name 1..NBS_FS_NAME_MAX bytes without a 0 byte; "" names the directory
 * the path is taken from. A path breaking a rule is NBS_E_FS_PATH. A path is resolved name by
 * name from its base directory (NULL: the root); symbolic links are entries, never followed (a
 * path through one is NBS_E_FS_NOT_DIR), and their targets are stored as given. */
#define NBS_FS_NAME_MAX (NBS_KEY_MAX - 5u) /* a directory entry's map key: namespace, parent id */

typedef enum nbs_fs_type {
    NBS_FS_NONE = 0, /* status of a missing path: isFile, isDirectory, isSymbolicLink all false */
    NBS_FS_FILE = 1,
    NBS_FS_DIR = 2,
    NBS_FS_LINK = 3,
} nbs_fs_type;

typedef struct nbs_fs_status {
    nbs_fs_type type;
    uint32_t size; /* a file's bytes; a link's target length; 0 for a directory or none */
} nbs_fs_status;

/* The file system over a mounted map (the caller's; the file system owns all its keys). */
typedef struct nbs_fs {
    nbs_map *map;
    uint8_t *buf; /* caller's buffer: an inode, a block, keys (private) */
    uint32_t buf_size;
    uint32_t block_bytes; /* bytes of file data per block (SPEC 12) */
    uint32_t max_blocks;  /* blocks a file may hold: its largest size / block_bytes */
    uint32_t next_ino;    /* the next inode id to give (never one given before while bound;
                             init starts past the highest on flash) */
    uint32_t next_block;  /* the next block id to give */
    /* A write that failed after storing some of its blocks (private): blocks pending_from ..
     * pending_to - 1 of inode pending_ino, removed by the next write call unless the inode's
     * record names them (its commit was made after all). */
    uint32_t pending_ino, pending_from, pending_to;
    bool settled; /* private: init's clean-up is done (until then each write call runs it first) */
} nbs_fs;

/* A directory handle (ECMA-419's Directory): paths are taken from it. It names its directory by
 * id, so it follows a move; once the directory is deleted every call on it is NBS_E_NOT_FOUND. */
typedef struct nbs_fs_dir {
    nbs_fs *fs;
    uint32_t ino;
    bool open;
} nbs_fs_dir;

/* Open modes (ECMA-419's openFile modes, as POSIX fopen's): r reads an existing file; r+ reads
 * and writes one; w creates or truncates and writes; w+ creates or truncates, reads and writes.
 * A read on a file opened w, or a write or setSize on one opened r: NBS_E_FS_MODE. */
typedef enum nbs_fs_mode {
    NBS_FS_R = 0,
    NBS_FS_R_PLUS = 1,
    NBS_FS_W = 2,
    NBS_FS_W_PLUS = 3,
} nbs_fs_mode;

/* A file handle. It names its file by inode id: it follows a move; after a delete of its file
 * every call on it is NBS_E_NOT_FOUND. Any number may be open on one file. */
typedef struct nbs_fs_file {
    nbs_fs *fs;
    uint32_t ino;
    nbs_fs_mode mode;
    bool open;
} nbs_fs_file;

/* The buffer nbs_fs_init needs on this flash: two map keys, a link's entry, an inode record of
 * the largest file (a full table and a full trash), a block, and a transaction's staging (SPEC
 * 12.2: 9 KiB on nrf52840's 4 KiB pages with a partition of 256 KiB or more, less on smaller
 * ones). 0 when the geometry holds no file system (a map value too small for a block). */
size_t nbs_fs_buffer_bytes(const nbs_flash *flash);
/* Binds the file system to `map` (mounted) with a buffer of at least nbs_fs_buffer_bytes()
 * bytes, finishing what a cut left (a write's uncommitted blocks and a commit's replaced blocks
 * removed, a delete completed: SPEC 12). An empty map is an empty file system (the root
 * exists). On a map mounted read-only it reads and writes nothing (what a cut left stays until
 * a read-write init; reads are right). Its clean-up's error is returned (NBS_E_CORRUPT for a
 * key of no namespace of the file system or a record the format does not allow, NBS_E_GEOMETRY
 * when nbs_fs_buffer_bytes() is 0, NBS_E_WORK_BUFFER for a smaller buffer); the file system is
 * bound all the same (but for those last two), and every write call runs the clean-up first
 * until it succeeds (so a map whose walk finds it corrupt takes no write: its ids are unknown). Its
 * walk is linear in the map's items, plus a lookup per id of each file's trash list. Mounting the
 * map again needs init again, and handles opened before it are not to be used after it. */
int nbs_fs_init(nbs_fs *fs, nbs_map *map, void *buf, size_t buf_size);
/* The largest file this file system holds (max_blocks * block_bytes): a write or setSize past it
 * is NBS_E_TOO_BIG and changes nothing. */
uint32_t nbs_fs_max_file(const nbs_fs *fs);

/* Every call that takes a path: NBS_E_FS_PATH for a bad one, NBS_E_INVAL for a NULL one or a
 * base directory handle of another file system, NBS_E_FS_CLOSED for a closed base handle,
 * NBS_E_NOT_FOUND for a deleted one, NBS_E_NOT_FOUND / NBS_E_FS_NOT_DIR when a name before the
 * last is missing / not a directory. Every call that writes: NBS_E_READ_ONLY on a map mounted
 * read-only (nothing written); NBS_E_FULL when the map has no room (nothing changed);
 * NBS_E_TOO_BIG when its one commit cannot fit a page of this geometry (long names or link
 * targets on small pages); and first, when a write failed part way before, the removal of the
 * blocks it left (that removal's error, if any, is returned and nothing else is done).
 *
 * Directories. `at` is the base directory (NULL: the root). */
int nbs_fs_dir_open(nbs_fs *fs, const nbs_fs_dir *at, const char *path, nbs_fs_dir *dir);
void nbs_fs_dir_close(nbs_fs_dir *dir);
/* createDirectory: 1 when made, 0 when the path exists (a directory or anything else; nothing
 * changes); NBS_E_NOT_FOUND / NBS_E_FS_NOT_DIR when its parent is missing / not a directory. */
int nbs_fs_mkdir(nbs_fs *fs, const nbs_fs_dir *at, const char *path);
/* delete: 1 when deleted, 0 when the path is missing; a non-empty directory is
 * NBS_E_FS_NOT_EMPTY and stays; "" (the base directory itself, which has no name there) is
 * NBS_E_INVAL. A file's blocks go with it; a link goes, never its target. */
int nbs_fs_delete(nbs_fs *fs, const nbs_fs_dir *at, const char *path);
/* move (rename, into another directory too): the entry leaves `from` and appears at `to` in one
 * commit, never in both places or neither. NBS_E_NOT_FOUND when `from` is missing,
 * NBS_E_FS_EXISTS when `to` exists (nothing is replaced; "" exists), NBS_E_INVAL when a
 * directory would move into itself or below itself, or `from` is "". */
int nbs_fs_move(nbs_fs *fs, const nbs_fs_dir *from_at, const char *from, const nbs_fs_dir *to_at,
                const char *to);
/* status: a missing path (its parent missing too) is 0 with type NBS_FS_NONE; a bad path is
 * NBS_E_FS_PATH; a path through a file or a link is NBS_E_FS_NOT_DIR; "" is the base
 * directory. */
int nbs_fs_status_of(nbs_fs *fs, const nbs_fs_dir *at, const char *path, nbs_fs_status *status);
/* createLink: a symbolic link at `path` holding `target` (a 0-terminated string of
 * 1..NBS_FS_LINK_MAX bytes, else NBS_E_INVAL; stored as given, not checked); NBS_E_FS_EXISTS
 * when the path exists ("" too). One map store. */
#define NBS_FS_LINK_MAX 255u
int nbs_fs_link(nbs_fs *fs, const nbs_fs_dir *at, const char *path, const char *target);
/* readLink: the target into buf (capacity bytes, not 0-terminated), *len its bytes;
 * NBS_E_BUFFER_TOO_SMALL (with *len) when it does not fit; NBS_E_FS_NOT_LINK when the path is
 * not a link. */
int nbs_fs_readlink(nbs_fs *fs, const nbs_fs_dir *at, const char *path, char *buf, size_t capacity,
                    size_t *len);

/* scan: the entries of a directory, each once, in no particular order; NBS_E_END after the
 * last. Each step gives the name (not 0-terminated, *name_len its bytes) and, when `status` is
 * not NULL, the entry's status. NBS_E_BUFFER_TOO_SMALL (with *name_len the size needed) leaves
 * the scan in place. After any write of the map its next step is NBS_E_ITER_STALE, as the TDB
 * store's iterators. Each step walks the map from where the last ended: a whole scan reads every
 * item of the map once. */
typedef struct nbs_fs_scan {
    nbs_fs *fs;
    nbs_map_iter map_iter; /* private */
    uint32_t ino;          /* the directory scanned */
    uint32_t writes;       /* the map's write count when the scan was opened */
} nbs_fs_scan;
int nbs_fs_scan_open(nbs_fs *fs, const nbs_fs_dir *at, const char *path, nbs_fs_scan *scan);
int nbs_fs_scan_next(nbs_fs_scan *scan, char *name, size_t capacity, size_t *name_len,
                     nbs_fs_status *status);

/* Files. open: NBS_E_NOT_FOUND for a missing file in r or r+ (w, w+ create it: its parent must
 * exist; one commit, the record and the entry), NBS_E_FS_IS_DIR / NBS_E_FS_NOT_FILE when the
 * path is a directory ("" too) / a link, NBS_E_INVAL for another mode. w and w+ truncate an
 * existing file (one commit; none when it is empty). r and r+ write nothing: r+ opens on a map
 * mounted read-only, its writes are NBS_E_READ_ONLY. Every call on a closed handle is
 * NBS_E_FS_CLOSED. */
int nbs_fs_open(nbs_fs *fs, const nbs_fs_dir *at, const char *path, nbs_fs_mode mode,
                nbs_fs_file *file);
/* read: up to `count` bytes from `offset` into buf; *actual the bytes read (fewer at the end;
 * 0 at or past it). A block whose CRC fails is NBS_E_CORRUPT (from the map). */
int nbs_fs_read(nbs_fs_file *file, uint32_t offset, void *buf, size_t count, size_t *actual);
/* write: `len` bytes at `offset`, the file growing as needed (a gap past the end reads 0):
 * all or nothing under a cut. NBS_E_FULL when the map has no room for the new blocks beside the
 * old ones (nothing changes), NBS_E_TOO_BIG past nbs_fs_max_file(). A write of 0 bytes writes
 * nothing and leaves the size as it is (at any offset up to nbs_fs_max_file()). */
int nbs_fs_write(nbs_fs_file *file, uint32_t offset, const void *data, size_t len);
int nbs_fs_file_status(nbs_fs_file *file, nbs_fs_status *status);
/* setSize: grows (the new bytes read 0) or shrinks the file, in one commit (none when the size
 * is the same); NBS_E_TOO_BIG past nbs_fs_max_file(). */
int nbs_fs_set_size(nbs_fs_file *file, uint32_t size);
/* flush: every write is on flash when it returns, so flush writes nothing (0, or
 * NBS_E_FS_CLOSED, or NBS_E_NOT_FOUND once the file is deleted). */
int nbs_fs_flush(nbs_fs_file *file);
void nbs_fs_close(nbs_fs_file *file);

#endif
