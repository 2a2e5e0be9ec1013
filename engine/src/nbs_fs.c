/* The file system (nbs_fs.h), its base: the block size and file size limit of a geometry, the
 * buffer, binding with the clean-up of what a power cut left (engine/SPEC.md section 12.5),
 * inode records decoded with every count checked, and the removals the other files share. */
#include "nbs_fs_internal.h"

/* The block size, the blocks a file may hold, and the scratch area (a transaction's staging) of a
 * geometry. */
typedef struct fs_geometry {
    uint32_t block_bytes, max_blocks, staging;
} fs_geometry;

static uint32_t pow2_floor(uint32_t v) {
    uint32_t p = 1;
    while (p <= v / 2) p <<= 1;
    return v ? p : 0;
}

/* SPEC 12.2: a block is the largest power of two not above a quarter of a 5-byte key's largest
 * value, at most 4 KiB (at least 64 where a value of 64 fits); a file holds as many blocks as let
 * its record, a full table and a full trash, fit one map value and, beside the removal of the
 * longest entry key, one transaction (a delete's commit), and no more than the range holds. The
 * staging takes a delete's transaction and a move's (two entries, a directory's record). */
static bool geometry_of(const nbs_flash *flash, fs_geometry *g) {
    uint32_t max_value = nbs_map_max_value(flash, FS_ID_KEY_BYTES);
    uint32_t txn = nbs_map_txn_max(flash);
    uint32_t entry_removal = nbs_map_txn_member_bytes(flash, NBS_KEY_MAX, 0);
    if (!max_value || !txn || !entry_removal) return false;
    uint32_t block = pow2_floor(max_value / 4);
    if (block > FS_BLOCK_MAX) block = FS_BLOCK_MAX;
    if (block < FS_BLOCK_MIN) {
        block = pow2_floor(max_value);
        if (block > FS_BLOCK_MIN) block = FS_BLOCK_MIN;
    }
    uint32_t in_range = flash->size / block + (flash->size % block != 0);
    uint32_t lo = 0, hi = max_value / 8 < in_range ? max_value / 8 : in_range;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2, record = fs_record_bytes(mid);
        uint32_t member =
            record <= max_value ? nbs_map_txn_member_bytes(flash, FS_ID_KEY_BYTES, record) : 0;
        if (member && member <= txn && txn - member >= entry_removal)
            lo = mid;
        else
            hi = mid - 1;
    }
    if (!lo || (uint64_t)lo * block > UINT32_MAX) return false;
    uint32_t link_value = nbs_map_max_value(flash, NBS_KEY_MAX);
    if (link_value > FS_ENTRY_VALUE_MAX) link_value = FS_ENTRY_VALUE_MAX;
    uint32_t deletes =
        nbs_map_txn_member_bytes(flash, FS_ID_KEY_BYTES, fs_record_bytes(lo)) + entry_removal;
    uint32_t moves = entry_removal + nbs_map_txn_member_bytes(flash, NBS_KEY_MAX, link_value) +
                     nbs_map_txn_member_bytes(flash, FS_ID_KEY_BYTES, FS_DIR_RECORD);
    uint32_t staging = deletes > moves ? deletes : moves;
    *g = (fs_geometry){
        .block_bytes = block, .max_blocks = lo, .staging = staging < txn ? staging : txn};
    return true;
}

static size_t buffer_bytes(const fs_geometry *g) {
    return 2u * NBS_KEY_MAX + FS_ENTRY_VALUE_MAX + (size_t)fs_record_bytes(g->max_blocks) +
           g->block_bytes + g->staging;
}

size_t nbs_fs_buffer_bytes(const nbs_flash *flash) {
    fs_geometry g;
    return flash && geometry_of(flash, &g) ? buffer_bytes(&g) : 0;
}

uint32_t nbs_fs_max_file(const nbs_fs *fs) {
    return fs ? fs->max_blocks * fs->block_bytes : 0;
}

int fs_check(const nbs_fs *fs) {
    return fs && fs->map && fs->buf && fs->block_bytes ? NBS_OK : NBS_E_INVAL;
}

int fs_txn_begin(nbs_fs *fs, nbs_map_txn *txn) {
    uint32_t capacity;
    uint8_t *area = fs_scratch(fs, &capacity);
    return nbs_map_txn_begin(fs->map, txn, area, capacity);
}

int fs_new_ino(nbs_fs *fs, uint32_t *ino) {
    if (!fs->next_ino) return NBS_E_FULL; /* every id was given */
    *ino = fs->next_ino++;
    return NBS_OK;
}

/* ---- inode records ---- */

int fs_inode_decode(const nbs_fs *fs, const uint8_t *rec, size_t len, fs_inode *node) {
    if (len < 2) return NBS_E_CORRUPT;
    *node = (fs_inode){.type = rec[0], .flags = rec[1]};
    if (node->type == NBS_FS_DIR) {
        if (len != FS_DIR_RECORD || node->flags) return NBS_E_CORRUPT;
        node->parent = nbs_get_le(rec + 2, 4);
        return node->parent ? NBS_OK : NBS_E_CORRUPT;
    }
    if (node->type != NBS_FS_FILE || (node->flags & ~FS_FLAG_DELETED) || len < FS_FILE_HEAD)
        return NBS_E_CORRUPT;
    node->size = nbs_get_le(rec + 2, 4);
    node->n = nbs_get_le(rec + 6, 4);
    /* The counts bound every loop over the ids, and each must lie inside the record. */
    if (node->n > fs->max_blocks || node->n != fs_blocks_for(fs, node->size) ||
        len < FS_FILE_HEAD + 4u * node->n)
        return NBS_E_CORRUPT;
    node->table = rec + 10;
    node->t = nbs_get_le(node->table + 4 * node->n, 4);
    node->trash = node->table + 4 * node->n + 4;
    if (node->t > fs->max_blocks || len != FS_FILE_HEAD + 4u * (node->n + node->t))
        return NBS_E_CORRUPT;
    for (uint32_t i = 0; i < node->t; i++)
        if (!fs_id_at(node->trash, i)) return NBS_E_CORRUPT; /* a hole is never trash */
    return NBS_OK;
}

int fs_inode_load(nbs_fs *fs, uint32_t ino, fs_inode *node, size_t *len) {
    uint8_t key[FS_ID_KEY_BYTES];
    fs_id_key(FS_NS_INODE, ino, key);
    int rc = nbs_map_fetch(fs->map, key, sizeof key, fs_record_area(fs),
                           fs_record_bytes(fs->max_blocks), len);
    if (rc == NBS_E_BUFFER_TOO_SMALL) return NBS_E_CORRUPT; /* no record of ours is longer */
    return rc ? rc : fs_inode_decode(fs, fs_record_area(fs), *len, node);
}

int fs_remove_blocks(nbs_fs *fs, const uint8_t *ids, uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
        uint32_t id = fs_id_at(ids, i);
        uint8_t key[FS_ID_KEY_BYTES];
        if (!id) continue; /* a hole */
        fs_id_key(FS_NS_BLOCK, id, key);
        int rc = nbs_map_remove(fs->map, key, sizeof key);
        if (rc) return rc;
    }
    return NBS_OK;
}

int fs_finish_delete(nbs_fs *fs, uint32_t ino) {
    fs_inode node;
    size_t len;
    int rc = fs_inode_load(fs, ino, &node, &len);
    if (rc == NBS_E_NOT_FOUND) return NBS_OK;
    if (rc) return rc;
    if (node.type != NBS_FS_FILE) return NBS_E_CORRUPT;
    /* The record stays in the record area: the removals read and write other buffers. */
    if ((rc = fs_remove_blocks(fs, node.table, node.n)) ||
        (rc = fs_remove_blocks(fs, node.trash, node.t)))
        return rc;
    uint8_t key[FS_ID_KEY_BYTES];
    fs_id_key(FS_NS_INODE, ino, key);
    return nbs_map_remove(fs->map, key, sizeof key);
}

/* A write that failed after storing blocks: they go unless the inode's record names them (then
 * its commit was made, whatever the error said). */
static int settle_pending(nbs_fs *fs) {
    if (fs->pending_from == fs->pending_to) return NBS_OK;
    fs_inode node;
    size_t len;
    int rc = fs_inode_load(fs, fs->pending_ino, &node, &len);
    if (rc && rc != NBS_E_NOT_FOUND) return rc;
    bool named = false;
    for (uint32_t i = 0; !rc && i < node.n && !named; i++) {
        uint32_t id = fs_id_at(node.table, i);
        named = id >= fs->pending_from && id < fs->pending_to;
    }
    for (uint32_t id = fs->pending_from; !named && id < fs->pending_to; id++) {
        uint8_t key[FS_ID_KEY_BYTES];
        fs_id_key(FS_NS_BLOCK, id, key);
        if ((rc = nbs_map_remove(fs->map, key, sizeof key))) {
            fs->pending_from = id; /* the ones before are gone */
            return rc;
        }
    }
    fs->pending_from = fs->pending_to = 0;
    return NBS_OK;
}

static int clean_up(nbs_fs *fs);

int fs_check_writer(nbs_fs *fs) {
    int rc = fs_check(fs);
    if (rc || (rc = nbs_check_writable(&fs->map->log))) return rc;
    if (!fs->settled) { /* init's clean-up failed or was not run: the ids are not known */
        if ((rc = clean_up(fs))) return rc;
        fs->settled = true;
    }
    return settle_pending(fs);
}

/* ---- init: walks of the map ---- */

/* What a walk of the map found. */
typedef struct fs_survey {
    uint32_t max_ino;  /* the highest inode id (of a record or an entry) */
    uint32_t max_ref;  /* the highest block id a record names (table or trash) */
    uint32_t work_ino; /* the first file whose clean-up is unfinished (0: none) */
    uint32_t *orphans; /* orphan walk: block ids above min_orphan collected (NULL: none) */
    uint32_t orphan_cap, orphan_count, min_orphan;
} fs_survey;

/* Whether any of the record's trash blocks is still in the map (a clean-up a cut stopped). */
static int trash_present(nbs_fs *fs, const fs_inode *node) {
    for (uint32_t i = 0; i < node->t; i++) {
        uint8_t key[FS_ID_KEY_BYTES];
        bool present;
        fs_id_key(FS_NS_BLOCK, fs_id_at(node->trash, i), key);
        int rc = nbs_map_has(fs->map, key, sizeof key, &present);
        if (rc || present) return rc ? rc : 1;
    }
    return 0;
}

static uint32_t max_id(const uint8_t *ids, uint32_t count, uint32_t max) {
    for (uint32_t i = 0; i < count; i++)
        if (fs_id_at(ids, i) > max) max = fs_id_at(ids, i);
    return max;
}

/* One map item of a walk: its key checked, a record or entry decoded; 1 stops the walk. */
static int survey_item(nbs_fs *fs, fs_survey *s, const uint8_t *key, size_t klen,
                       const uint8_t *value, size_t vlen) {
    if (klen < FS_ID_KEY_BYTES) return NBS_E_CORRUPT;
    uint32_t id = nbs_get_le(key + 1, 4);
    uint8_t type;
    uint32_t ino;
    fs_inode node;
    int rc;
    switch (key[0]) {
    case FS_NS_INODE:
        if (klen != FS_ID_KEY_BYTES || id <= FS_ROOT) return NBS_E_CORRUPT;
        if ((rc = fs_inode_decode(fs, value, vlen, &node))) return rc;
        if (id > s->max_ino) s->max_ino = id;
        if (node.type != NBS_FS_FILE) return 0;
        s->max_ref = max_id(node.trash, node.t, max_id(node.table, node.n, s->max_ref));
        if (s->orphans) return 0;
        rc = node.flags & FS_FLAG_DELETED ? 1 : trash_present(fs, &node);
        if (rc == 1) s->work_ino = id;
        return rc;
    case FS_NS_ENTRY:
        if (!id || !fs_name_ok(key + FS_ENTRY_KEY_HEAD, klen - FS_ENTRY_KEY_HEAD))
            return NBS_E_CORRUPT;
        if ((rc = fs_entry_decode(value, vlen, &type, &ino))) return rc;
        if (ino > s->max_ino) s->max_ino = ino;
        return 0;
    case FS_NS_BLOCK:
        if (klen != FS_ID_KEY_BYTES || !id || vlen > fs->block_bytes) return NBS_E_CORRUPT;
        if (s->orphans && id > s->min_orphan && s->orphan_count < s->orphan_cap)
            s->orphans[s->orphan_count++] = id;
        return 0;
    default: return NBS_E_CORRUPT; /* the file system owns every key of its map */
    }
}

static int survey(nbs_fs *fs, fs_survey *s) {
    nbs_map_iter it;
    nbs_map_iter_init(fs->map, &it);
    for (;;) {
        size_t klen, vlen;
        uint32_t capacity;
        uint8_t *value = fs_walk_area(fs, &capacity);
        int rc = nbs_map_iter_next(&it, fs_key_a(fs), NBS_KEY_MAX, &klen, value, capacity, &vlen);
        if (rc == NBS_E_END) return NBS_OK;
        if (rc == NBS_E_BUFFER_TOO_SMALL) return NBS_E_CORRUPT; /* no item of ours is longer */
        if (rc || (rc = survey_item(fs, s, fs_key_a(fs), klen, value, vlen)) < 0) return rc;
        if (rc == 1) return NBS_OK;
    }
}

/* SPEC 12.5: deletes finished and trash removed (one file per walk: the map cannot change
 * during one), then the blocks above every id a record names (a write's uncommitted ones). */
static int clean_up(nbs_fs *fs) {
    fs_survey s;
    int rc;
    for (;;) {
        s = (fs_survey){0};
        if ((rc = survey(fs, &s))) return rc;
        if (!s.work_ino) break;
        /* A deleted file's delete is finished; another's trash removed (its list stays: the
         * next commit of the file overwrites it, and a later walk finds the blocks gone). */
        fs_inode node;
        size_t len;
        if ((rc = fs_inode_load(fs, s.work_ino, &node, &len))) return rc;
        rc = node.flags & FS_FLAG_DELETED ? fs_finish_delete(fs, s.work_ino)
                                          : fs_remove_blocks(fs, node.trash, node.t);
        if (rc) return rc;
    }
    /* Past the highest on flash (0 after the last id: no id left, a create or write is FULL). */
    fs->next_ino = s.max_ino > FS_ROOT ? s.max_ino + 1 : FS_ROOT + 1;
    fs->next_block = s.max_ref + 1;
    for (;;) { /* the orphans, as many per walk as the record area holds */
        fs_survey o = {.orphans = (uint32_t *)(void *)fs_record_area(fs),
                       .orphan_cap = fs_record_bytes(fs->max_blocks) / 4,
                       .min_orphan = s.max_ref};
        if ((rc = survey(fs, &o))) return rc;
        if (!o.orphan_count) return NBS_OK;
        for (uint32_t i = 0; i < o.orphan_count; i++) {
            uint8_t key[FS_ID_KEY_BYTES];
            fs_id_key(FS_NS_BLOCK, o.orphans[i], key);
            if ((rc = nbs_map_remove(fs->map, key, sizeof key))) return rc;
        }
    }
}

int nbs_fs_init(nbs_fs *fs, nbs_map *map, void *buf, size_t buf_size) {
    if (!fs || !map || !buf) return NBS_E_INVAL;
    if (!map->log.mounted) return NBS_E_NOT_MOUNTED; /* its geometry is not known yet */
    fs_geometry g;
    if (!geometry_of(&map->log.flash, &g)) return NBS_E_GEOMETRY;
    if (buf_size < buffer_bytes(&g) || buf_size > UINT32_MAX) return NBS_E_WORK_BUFFER;
    *fs = (nbs_fs){.map = map,
                   .buf = buf,
                   .buf_size = (uint32_t)buf_size,
                   .block_bytes = g.block_bytes,
                   .max_blocks = g.max_blocks,
                   .next_ino = FS_ROOT + 1,
                   .next_block = 1};
    /* Read-only: nothing is cleaned up; what a cut left is named by no table and no entry, so
     * reads are right, and every write is the map's NBS_E_READ_ONLY. */
    if (nbs_read_only(&map->log)) return NBS_OK;
    int rc = clean_up(fs);
    fs->settled = rc == NBS_OK;
    return rc;
}
