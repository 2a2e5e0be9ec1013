/* The reference model of the file system (nbs_fs.h), written from its contract alone: what each
 * call answers and what it changes. The tree itself is a ref_map in the fs_view.h form (each
 * entry by its path from the root: a directory, a file with its bytes, a link with its target),
 * which the caller owns and shares with its whole-store checks; every call that changes the tree
 * is one map transaction in flight there (ref_map_begin_txn_commit), so that after a power cut
 * inside it the tree, and each file in it, is exactly as before the call or as after it. This
 * model adds what the engine keeps in RAM: the open file and directory handles, each naming its
 * entry (it follows a move; once its entry is deleted it answers not_found). */
#ifndef NORBENCH_REF_FS_H
#define NORBENCH_REF_FS_H

#include "fs_view.h"
#include "ref_model.h"

/* Handle slots, as the adapter's (adapter.h ADAPTER_FS_HANDLES); the last one is never opened. */
#define REF_FS_HANDLES    16
#define REF_FS_NEVER_OPEN REF_FS_HANDLES
#define REF_FS_SLOTS      (REF_FS_HANDLES + 1)
#define REF_FS_ROOT       (-1) /* `at`: paths taken from the root */

typedef enum ref_fs_call_kind {
    REF_FS_MKDIR,
    REF_FS_DELETE,
    REF_FS_MOVE,
    REF_FS_STATUS,
    REF_FS_LINK,
    REF_FS_READLINK,
    REF_FS_SCAN,
    REF_FS_OPEN,
    REF_FS_READ,
    REF_FS_WRITE,
    REF_FS_FILE_STATUS,
    REF_FS_SET_SIZE,
    REF_FS_FLUSH,
    REF_FS_CLOSE,
    REF_FS_DIR_OPEN,
    REF_FS_DIR_CLOSE,
} ref_fs_call_kind;

/* One call and its arguments (the ones its kind takes). */
typedef struct ref_fs_call {
    ref_fs_call_kind kind;
    int at;              /* the directory handle's slot the path is taken from, or REF_FS_ROOT */
    const char *path;    /* 0-terminated; move: the source */
    int to_at;           /* move */
    const char *to;      /* move */
    const char *target;  /* link */
    int slot;            /* open and dir_open: the handle's slot; the handle calls: theirs */
    int mode;            /* open: nbs_fs_mode's numbers */
    uint32_t offset;     /* read, write */
    uint32_t size;       /* set_size */
    size_t count;        /* read */
    const uint8_t *data; /* write */
    size_t len;
    size_t capacity; /* readlink: the buffer's bytes */
} ref_fs_call;

/* What a call answers. */
typedef struct ref_fs_answer {
    int rc;               /* mkdir, delete: 1 or 0 on success; other calls 0; or an NBS_E_* */
    int type;             /* status, file_status: nbs_fs_type's number */
    uint32_t size;        /* status, file_status */
    const uint8_t *bytes; /* read, readlink: into the model (valid until it changes) */
    size_t length;        /* read, readlink (and readlink's buffer_too_small: the size needed) */
    ref_list entries;     /* scan: name -> one type byte; the caller inits and frees */
} ref_fs_answer;

typedef struct ref_fs_handle {
    bool open;
    bool gone;  /* its entry was deleted: every call answers not_found */
    int mode;   /* a file's */
    char *path; /* where its entry is now, from the root ("" the root) */
} ref_fs_handle;

/* The engine's RAM: its handles, the largest file (nbs_fs_max_file), and whether its map is
 * mounted read-only (every call that may write answers read_only, in the engine's order). */
typedef struct ref_fs {
    ref_fs_handle files[REF_FS_SLOTS];
    ref_fs_handle dirs[REF_FS_SLOTS];
    uint32_t max_file;
    bool read_only;
    /* The map's largest value for a key of `key_len` bytes (nbs_map_max_value): a link whose
     * entry (key: 5 bytes and its name; value: a type byte and its target) does not fit answers
     * too_big. NULL: every entry fits. */
    uint32_t (*max_value)(void *ctx, size_t key_len);
    void *max_value_ctx;
} ref_fs;

void ref_fs_init(ref_fs *t);
void ref_fs_free(ref_fs *t);
/* false: out of memory (dst is then closed everywhere). */
bool ref_fs_copy(ref_fs *dst, const ref_fs *src);
/* A reset or a mount: every handle closed. */
void ref_fs_forget(ref_fs *t);

/* The answer of `call` on the tree `m`. */
void ref_fs_predict(const ref_fs *t, const ref_map *m, const ref_fs_call *call, ref_fs_answer *out);
/* Whether a call the model answers `rc` changes flash (then it has a change to begin). */
bool ref_fs_writes(const ref_fs *t, const ref_map *m, const ref_fs_call *call, int rc);
/* Begins in `m` the change to the tree a call answered with success makes, as one transaction;
 * false when it changes no entry. The caller ends it (ref_map_end) or leaves it in flight for a
 * power cut. */
bool ref_fs_begin(const ref_fs *t, ref_map *m, const ref_fs_call *call);
/* The handles after the call took effect with answer `rc` (nothing on an error): opened, closed,
 * moved with their entry, gone with it. */
void ref_fs_after(ref_fs *t, const ref_fs_call *call, int rc);
/* After a reboot: the handles whose entry is gone are closed (firmware cannot open them again);
 * the others stay, to be opened again by their paths. */
void ref_fs_close_gone(ref_fs *t);

#endif
