/* The reference model of the TDBStore-shaped store (ref_tdb.h): each call's answer from nbs_tdb.h's
 * contract, over the store held in the tdb_view.h form. Deliberately plain: the order of the
 * checks is the contract's (a set open first, then the flags, the key, the key's state). */
#include "ref_tdb.h"

#include "nbs_tdb.h"

#include <stdlib.h>
#include <string.h>

void ref_tdb_init(ref_tdb *t, bool key_rules) {
    memset(t, 0, sizeof *t);
    t->key_rules = key_rules;
}

void ref_tdb_free(ref_tdb *t) {
    free(t->set_data);
    ref_list_free(&t->reset_keys);
    ref_tdb_init(t, t->key_rules);
}

void ref_tdb_forget_set(ref_tdb *t) {
    t->set_open = false;
    t->set_added = 0;
}

void ref_tdb_copy(ref_tdb *dst, const ref_tdb *src) {
    uint8_t *data = dst->set_data;
    size_t capacity = dst->set_capacity;
    if (capacity < src->set_added) {
        free(data);
        data = malloc(src->set_added);
        capacity = data ? src->set_added : 0;
        if (!data) abort();
    }
    ref_list reset_keys = dst->reset_keys;
    *dst = *src;
    dst->set_data = data;
    dst->set_capacity = capacity;
    if (src->set_added) memcpy(dst->set_data, src->set_data, src->set_added);
    dst->reset_keys = reset_keys;
    ref_list_copy(&dst->reset_keys, &src->reset_keys);
}

/* ---- the rules ---- */

/* TDBStore's key rule: none of these characters (KVStore's is_valid_key). */
static bool has_forbidden_char(const uint8_t *key, size_t len) {
    static const char forbidden[] = " */?:;\"|<>\\";
    for (size_t i = 0; i < len; i++)
        if (key[i] && strchr(forbidden, key[i])) return true;
    return false;
}

static int check_key(const ref_tdb *t, const uint8_t *key, size_t len) {
    if (len < 1 || len > NBS_TDB_KEY_MAX) return NBS_E_KEY_LEN;
    if (t->key_rules && has_forbidden_char(key, len)) return NBS_E_KEY_CHARS;
    return NBS_OK;
}

static const ref_item *find_key(const ref_map *m, const uint8_t *key, size_t len) {
    uint8_t item_key[TDB_VIEW_KEY_MAX];
    size_t n = tdb_view_key(key, len, item_key);
    return n ? ref_map_find(m, item_key, n) : NULL;
}

static bool write_once(const ref_item *item) {
    return item && item->value_len && (item->value[0] & NBS_TDB_WRITE_ONCE);
}

/* A set, a set_start: the flags, the key, then a write-once key in place. */
static int check_write(const ref_tdb *t, const ref_map *m, const uint8_t *key, size_t len,
                       uint32_t flags) {
    if (flags & ~(uint32_t)NBS_TDB_WRITE_ONCE) return NBS_E_INVAL;
    int rc = check_key(t, key, len);
    if (rc) return rc;
    return write_once(find_key(m, key, len)) ? NBS_E_WRITE_PROTECTED : NBS_OK;
}

static void predict_get(const ref_tdb *t, const ref_map *m, const ref_tdb_call *c,
                        ref_tdb_answer *out) {
    if ((out->rc = check_key(t, c->key, c->key_len))) return;
    const ref_item *item = find_key(m, c->key, c->key_len);
    if (!item) {
        out->rc = NBS_E_NOT_FOUND;
        return;
    }
    size_t size = item->value_len - 1;
    out->size = (uint32_t)size;
    out->flags = item->value[0];
    if (c->kind != REF_TDB_GET) return;
    if (c->offset > size) {
        out->rc = NBS_E_INVAL;
        return;
    }
    out->bytes = item->value + 1 + c->offset;
    out->length = size - c->offset < c->capacity ? size - c->offset : c->capacity;
}

static void predict_iter(const ref_map *m, const ref_tdb_call *c, ref_tdb_answer *out) {
    if (c->key_len > NBS_TDB_KEY_MAX) {
        out->rc = NBS_E_KEY_LEN;
        return;
    }
    for (size_t i = 0; i < m->items.count; i++) {
        tdb_view_item_key k;
        const ref_item *it = &m->items.items[i];
        if (tdb_view_parse_key(it->key, it->key_len, &k) && !k.is_reserved &&
            k.key_len >= c->key_len && (!c->key_len || !memcmp(k.key, c->key, c->key_len)))
            ref_list_append(&out->keys, k.key, k.key_len, "", 0);
    }
}

static const ref_item *reserved_item(const ref_map *m) {
    uint8_t item_key[TDB_VIEW_KEY_MAX];
    return ref_map_find(m, item_key, tdb_view_reserved_key(item_key));
}

void ref_tdb_predict(const ref_tdb *t, const ref_map *m, const ref_tdb_call *c,
                     ref_tdb_answer *out) {
    out->rc = NBS_OK;
    out->bytes = NULL;
    out->length = 0;
    bool in_set = c->kind == REF_TDB_SET_ADD || c->kind == REF_TDB_SET_FINALIZE ||
                  c->kind == REF_TDB_SET_ABORT;
    if (t->set_open != in_set) {
        out->rc = t->set_open ? NBS_E_BUSY : NBS_E_INVAL; /* no set open to add to */
        return;
    }
    switch (c->kind) {
    case REF_TDB_SET:
    case REF_TDB_SET_START: out->rc = check_write(t, m, c->key, c->key_len, c->flags); break;
    case REF_TDB_GET:
    case REF_TDB_INFO: predict_get(t, m, c, out); break;
    case REF_TDB_REMOVE:
        if ((out->rc = check_key(t, c->key, c->key_len))) break;
        const ref_item *item = find_key(m, c->key, c->key_len);
        out->rc = !item ? NBS_E_NOT_FOUND : write_once(item) ? NBS_E_WRITE_PROTECTED : NBS_OK;
        break;
    case REF_TDB_SET_ADD:
        if (c->value_len > t->set_size - t->set_added) out->rc = NBS_E_INVAL;
        break;
    case REF_TDB_SET_FINALIZE:
        if (t->set_added != t->set_size) out->rc = NBS_E_INVAL;
        break;
    case REF_TDB_ITER: predict_iter(m, c, out); break;
    case REF_TDB_RESERVED_SET:
        if (c->value_len < 1 || c->value_len > NBS_TDB_RESERVED_MAX)
            out->rc = NBS_E_INVAL;
        else if (reserved_item(m))
            out->rc = NBS_E_WRITE_PROTECTED;
        break;
    case REF_TDB_RESERVED_GET: {
        const ref_item *r = reserved_item(m);
        if (!r)
            out->rc = NBS_E_NOT_FOUND;
        else if (r->value_len > c->capacity)
            out->rc = NBS_E_BUFFER_TOO_SMALL;
        else
            out->bytes = r->value, out->length = r->value_len;
        break;
    }
    default: break; /* reset, abort */
    }
}

/* ---- changes ---- */

static void begin_store(ref_map *m, const uint8_t *key, size_t key_len, uint32_t flags,
                        const uint8_t *value, size_t len) {
    uint8_t item_key[TDB_VIEW_KEY_MAX];
    size_t n = tdb_view_key(key, key_len, item_key);
    uint8_t *item_value = malloc(len + 1);
    if (!item_value) abort();
    item_value[0] = (uint8_t)flags;
    if (len) memcpy(item_value + 1, value, len);
    ref_map_begin_store(m, item_key, n, item_value, len + 1);
    free(item_value);
}

bool ref_tdb_begin(ref_tdb *t, ref_map *m, const ref_tdb_call *c) {
    uint8_t item_key[TDB_VIEW_KEY_MAX];
    ref_list_clear(&t->reset_keys);
    switch (c->kind) {
    case REF_TDB_SET: begin_store(m, c->key, c->key_len, c->flags, c->value, c->value_len); break;
    case REF_TDB_SET_FINALIZE:
        begin_store(m, t->set_key, t->set_key_len, t->set_flags, t->set_data, t->set_added);
        break;
    case REF_TDB_REMOVE:
        ref_map_begin_remove(m, item_key, tdb_view_key(c->key, c->key_len, item_key));
        break;
    case REF_TDB_RESERVED_SET:
        ref_map_begin_store(m, item_key, tdb_view_reserved_key(item_key), c->value, c->value_len);
        break;
    case REF_TDB_RESET:
        /* Every key removed as one change (the engine's journal finishes a reset a cut
         * interrupted, SPEC 9.2): old or new, never some keys gone. */
        ref_map_txn_begin(m);
        for (size_t i = 0; i < m->items.count; i++) {
            tdb_view_item_key k;
            const ref_item *it = &m->items.items[i];
            if (!tdb_view_parse_key(it->key, it->key_len, &k) || k.is_reserved) continue;
            ref_map_txn_stage(m, true, it->key, it->key_len, NULL, 0);
            ref_list_append(&t->reset_keys, it->key, it->key_len, it->value, it->value_len);
        }
        ref_map_begin_txn_commit(m);
        ref_map_txn_abort(m); /* the staging list only: the commit in flight stays */
        break;
    default: return false;
    }
    return true;
}

void ref_tdb_after(ref_tdb *t, const ref_tdb_call *c, int rc) {
    switch (c->kind) {
    case REF_TDB_SET_START:
        if (rc) break;
        t->set_open = true;
        memcpy(t->set_key, c->key, c->key_len);
        t->set_key_len = c->key_len;
        t->set_size = c->size;
        t->set_flags = c->flags;
        t->set_added = 0;
        break;
    case REF_TDB_SET_ADD:
        if (rc == NBS_E_INVAL) break; /* too many bytes: the set goes on */
        if (rc) {                     /* a failed write ends it */
            ref_tdb_forget_set(t);
            break;
        }
        if (t->set_added + c->value_len > t->set_capacity) {
            size_t capacity = t->set_added + c->value_len;
            uint8_t *grown = realloc(t->set_data, capacity);
            if (!grown) abort();
            t->set_data = grown;
            t->set_capacity = capacity;
        }
        if (c->value_len) memcpy(t->set_data + t->set_added, c->value, c->value_len);
        t->set_added += c->value_len;
        break;
    case REF_TDB_SET_FINALIZE:
    case REF_TDB_SET_ABORT:
        /* ends the set: committed, refused for its size or a failed write (nothing changes),
         * or aborted */
        ref_tdb_forget_set(t);
        break;
    default: break;
    }
}

bool ref_tdb_part_reset_matches(const ref_tdb *t, const ref_map *m, const ref_list *view) {
    if (!t->reset_keys.count) return false;
    ref_map left;
    ref_map_init(&left);
    ref_list_copy(&left.items, view);
    bool ok = true;
    /* What the view holds beyond m: keys the reset removes, with their old values, once each. */
    for (size_t i = 0; ok && i < t->reset_keys.count; i++) {
        const ref_item *old = &t->reset_keys.items[i];
        const ref_item *seen = ref_map_find(&left, old->key, old->key_len);
        if (!seen || ref_map_find(m, old->key, old->key_len)) continue;
        ok = ref_item_equal(seen, old);
        ref_map_remove(&left, old->key, old->key_len);
    }
    ok = ok && ref_map_matches(m, &left.items);
    ref_map_free(&left);
    return ok;
}
