/* Multi-key transactions on the map (SPEC section 3.4): the writes staged in the caller's RAM as
 * the members of one TXN item, the commit that writes that item (its CRC is the one commit, its
 * seal the one seal), and the walk of a page's entries in log order with each intact TXN's
 * members in its place, which every reader of the map goes through. */
#include "nbs.h"

#include "nbs_internal.h"

int nbs_txn_members(nbs_log *log, const nbs_cursor *cur, const nbs_item *txn, nbs_cursor *in) {
    int ok = nbs_item_intact(log, cur, txn);
    if (ok != 1) return ok;
    *in = (nbs_cursor){.page = cur->page,
                       .seed = NBS_TXN_MEMBER_SEED,
                       .pos = txn->data,
                       .limit = txn->data + txn->vlen,
                       .txn = txn->off + 1}; /* no chain: a member is never a STORE-SAME */
    return 1;
}

int nbs_txn_member_next(nbs_log *log, nbs_cursor *in, nbs_item *it, uint32_t extra) {
    int rc = nbs_item_next(log, in, it, extra);
    if (rc == NBS_WALK_TORN) rc = NBS_E_END;
    if (rc) return rc;
    /* Members are STOREs and REMOVEs that end inside the TXN (no writer makes another). */
    if ((it->type != ITEM_STORE && it->type != ITEM_REMOVE) || it->end > in->limit ||
        it->after_gap) {
        in->pos = in->limit;
        return NBS_E_END;
    }
    it->in_txn = in->txn;
    return NBS_OK;
}

int nbs_map_walk_next(nbs_log *log, nbs_cursor *cur, nbs_cursor *in, nbs_item *it, uint32_t extra) {
    for (;;) {
        if (in->txn) {
            int rc = nbs_txn_member_next(log, in, it, extra);
            if (rc != NBS_E_END) return rc;
            in->txn = 0;
        }
        int rc = nbs_item_next(log, cur, it, extra);
        if (rc || it->type != ITEM_TXN) return rc;
        if ((rc = nbs_txn_members(log, cur, it, in)) < 0) return rc; /* 0: not intact, skipped */
    }
}

/* --- staging and commit ------------------------------------------------------------------ */

static int check_txn(const nbs_map_txn *txn) {
    if (!txn) return NBS_E_INVAL;
    return txn->open ? NBS_OK : NBS_E_TXN_CLOSED;
}

int nbs_map_txn_begin(nbs_map *map, nbs_map_txn *txn, void *buf, size_t capacity) {
    if (!map || !txn || (!buf && capacity)) return NBS_E_INVAL;
    if (!map->log.mounted) return NBS_E_NOT_MOUNTED;
    int rc = nbs_check_writable(&map->log);
    if (rc) return rc;
    *txn =
        (nbs_map_txn){map, buf, capacity > UINT32_MAX ? UINT32_MAX : (uint32_t)capacity, 0, true};
    return NBS_OK;
}

/* The member of `key` staged in the buffer (*at its offset, *bytes its size): 1, or 0. */
static int staged(nbs_map_txn *txn, const uint8_t *key, uint32_t klen, uint32_t *at,
                  uint32_t *bytes) {
    nbs_item it;
    for (uint32_t pos = 0; pos < txn->used; pos = it.end) {
        if (!nbs_item_parse(&txn->map->log, txn->buf + pos, txn->used - pos, pos, &it)) break;
        if (it.klen == klen && !memcmp(txn->buf + it.data, key, klen)) {
            *at = pos, *bytes = it.end - pos;
            return 1;
        }
    }
    return 0;
}

/* Stages a member (ITEM_STORE or ITEM_REMOVE), replacing the key's earlier one. */
static int stage(nbs_map_txn *txn, uint8_t type, const void *key, size_t key_len, const void *value,
                 size_t value_len) {
    int rc = check_txn(txn);
    if (rc) return rc;
    nbs_log *log = &txn->map->log;
    if (key_len < 1 || key_len > NBS_KEY_MAX) return NBS_E_KEY_LEN;
    if (!key || (!value && value_len)) return NBS_E_INVAL;
    if (value_len > nbs_map_max_value(&log->flash, key_len)) return NBS_E_TOO_BIG;
    nbs_item it = {.type = type, .klen = (uint32_t)key_len, .vlen = (uint32_t)value_len};
    nbs_item_layout(log, &it);
    uint32_t old_at = 0, old_bytes = 0;
    staged(txn, key, it.klen, &old_at, &old_bytes);
    if ((uint64_t)txn->used - old_bytes + it.end > txn->capacity) return NBS_E_TXN_BUFFER;
    memmove(txn->buf + old_at, txn->buf + old_at + old_bytes, txn->used - old_at - old_bytes);
    txn->used -= old_bytes;
    uint8_t *out = txn->buf + txn->used;
    it.crc = nbs_crc32c(NBS_TXN_MEMBER_SEED, it.head, it.head_len);
    it.crc = nbs_crc32c(nbs_crc32c(it.crc, key, it.klen), value, it.vlen);
    nbs_item_image(log, &it, out);
    memset(out + it.data, log->flash.erase_value, it.end - it.data);
    memcpy(out + it.data, key, it.klen);
    if (it.vlen) memcpy(out + it.data + it.klen, value, it.vlen);
    txn->used += it.end;
    return NBS_OK;
}

int nbs_map_txn_store(nbs_map_txn *txn, const void *key, size_t key_len, const void *value,
                      size_t value_len) {
    return stage(txn, ITEM_STORE, key, key_len, value, value_len);
}

int nbs_map_txn_remove(nbs_map_txn *txn, const void *key, size_t key_len) {
    return stage(txn, ITEM_REMOVE, key, key_len, NULL, 0);
}

void nbs_map_txn_abort(nbs_map_txn *txn) {
    if (txn) txn->open = false;
}

/* The key cache follows each member of the TXN `written` (its members in RAM: `members`). */
void nbs_txn_written(nbs_log *log, const nbs_item *written, const uint8_t *members) {
    nbs_item it;
    for (uint32_t pos = 0; pos < written->vlen; pos = it.end - written->data) {
        if (!nbs_item_parse(log, members + pos, written->vlen - pos, pos, &it)) return;
        const uint8_t *key = members + it.data;
        it.off += written->data, it.data += written->data, it.end += written->data;
        it.in_txn = written->off + 1;
        nbs_cache_key_written(log, &it, key);
    }
}

int nbs_map_txn_commit(nbs_map_txn *txn) {
    int rc = check_txn(txn);
    if (rc) return rc;
    txn->open = false;
    nbs_log *log = &txn->map->log;
    if (!log->mounted) return NBS_E_NOT_MOUNTED;
    if ((rc = nbs_check_writable(log)) || !txn->used) return rc;
    if (txn->used > nbs_map_txn_max(&log->flash)) return NBS_E_TOO_BIG; /* no chunks: refused */
#if NBS_TEST_BREAK == NBS_TEST_BREAK_TXN_SPLIT /* each member its own item: a cut leaves a mix */
    nbs_item it;
    for (uint32_t pos = 0; !rc && pos < txn->used; pos = it.end) {
        if (!nbs_item_parse(log, txn->buf + pos, txn->used - pos, pos, &it)) break;
        const uint8_t *key = txn->buf + it.data;
        nbs_payload one = {key, it.klen, key + it.klen, it.vlen, false};
        rc = nbs_map_write(log, it.type, &one);
    }
    return rc;
#endif
    nbs_payload all = {NULL, 0, txn->buf, txn->used, false};
    return nbs_map_write(log, ITEM_TXN, &all);
}
