/* hello-engine: the smallest map worth copying, to start an engine plugin of your own
 * (docs/plugins.md builds it step by step). An append-only log: each store or remove appends a
 * record (key length, value length, key, value) after the last one, page after page; a fetch
 * reads the whole log and keeps the newest record of the key. It never reclaims space: once the
 * log is full every store answers "full" (a real engine copies the live records to an erased
 * page here). A value length of 0xFFFF marks a removal. */
#include "norbench_engine.h"

#include <string.h>

#define HELLO_HEADER  3u      /* key length (1 byte), value length (2 bytes, little-endian) */
#define HELLO_REMOVED 0xFFFFu /* the value length of a removal */
#define HELLO_KEY_MAX 64u
#define HELLO_MAGIC   0x4845u /* set by mount: garbage after a reset is not "mounted" */

typedef struct hello_state {
    uint32_t magic;
    const norbench_flash *flash;
    uint32_t end;   /* where the next record goes (absolute address) */
    uint8_t item[]; /* one page: a record is read here whole */
} hello_state;

static size_t hello_state_size(const norbench_flash *flash) {
    return sizeof(hello_state) + flash->page_size;
}

static uint32_t round_up(uint32_t n, uint32_t unit) {
    return (n + unit - 1) / unit * unit;
}

/* The start of the page after the one `at` is in. */
static uint32_t next_page(const norbench_flash *f, uint32_t at) {
    return at - (at - f->start) % f->page_size + f->page_size;
}

/* Reads the record at `at` into s->item; *found is false where no record is: an erased key
 * length, or a header that cannot be a record (a torn write). *next: where the next one goes. */
static int read_record(hello_state *s, uint32_t at, bool *found, uint32_t *next) {
    const norbench_flash *f = s->flash;
    *found = false;
    if (at >= f->start + f->size || at + HELLO_HEADER > next_page(f, at)) return NORBENCH_OK;
    int rc = f->read(f->ctx, at, s->item, HELLO_HEADER);
    if (rc) return rc;
    uint32_t key_len = s->item[0], value_len = s->item[1] | (uint32_t)s->item[2] << 8;
    uint32_t data = value_len == HELLO_REMOVED ? 0 : value_len;
    uint32_t size = round_up(HELLO_HEADER + key_len + data, f->write_unit);
    if (key_len == f->erase_value || key_len == 0 || key_len > HELLO_KEY_MAX ||
        at + size > next_page(f, at))
        return NORBENCH_OK;
    if ((rc = f->read(f->ctx, at, s->item, size))) return rc;
    *found = true;
    *next = at + size;
    return NORBENCH_OK;
}

/* The record at *at, or when the rest of that page is empty, the first one of the next page
 * (*at moves there). *found is false at the end of the log. */
static int record_at(hello_state *s, uint32_t *at, bool *found, uint32_t *next) {
    int rc = read_record(s, *at, found, next);
    if (rc || *found || *at >= s->flash->start + s->flash->size) return rc;
    uint32_t page = next_page(s->flash, *at);
    if ((rc = read_record(s, page, found, next)) || !*found) return rc;
    *at = page;
    return NORBENCH_OK;
}

static uint32_t value_len_of(const hello_state *s) {
    return s->item[1] | (uint32_t)s->item[2] << 8;
}

static bool is_key(const hello_state *s, const void *key, size_t key_len) {
    return s->item[0] == key_len && memcmp(s->item + HELLO_HEADER, key, key_len) == 0;
}

/* Where the newest record of `key` at or after `from` is; *found false when there is none. */
static int find_newest(hello_state *s, uint32_t from, const void *key, size_t key_len, bool *found,
                       uint32_t *where) {
    *found = false;
    for (uint32_t at = from, next;; at = next) {
        bool here;
        int rc = record_at(s, &at, &here, &next);
        if (rc || !here) return rc;
        if (is_key(s, key, key_len)) *found = true, *where = at;
    }
}

static int hello_mount(void *state, const norbench_flash *flash) {
    hello_state *s = state;
    s->flash = flash;
    s->magic = HELLO_MAGIC;
    /* Walks to the end of the log: that is where the next record goes. */
    uint32_t at = flash->start, next;
    for (bool found = true; found; at = found ? next : at) {
        int rc = record_at(s, &at, &found, &next);
        if (rc) return rc;
    }
    s->end = at;
    return NORBENCH_OK;
}

static int hello_format(void *state) {
    hello_state *s = state;
    if (s->magic != HELLO_MAGIC) return NORBENCH_E_NOT_MOUNTED;
    for (uint32_t page = 0; page < s->flash->size; page += s->flash->page_size) {
        int rc = s->flash->erase(s->flash->ctx, s->flash->start + page);
        if (rc) return rc;
    }
    s->end = s->flash->start;
    return NORBENCH_OK;
}

static int append(hello_state *s, const void *key, size_t key_len, const void *value, size_t len,
                  uint16_t len_field) {
    const norbench_flash *f = s->flash;
    if (s->magic != HELLO_MAGIC) return NORBENCH_E_NOT_MOUNTED;
    if (key_len == 0 || key_len > HELLO_KEY_MAX) return NORBENCH_E_KEY_LEN;
    uint32_t size = round_up(HELLO_HEADER + (uint32_t)(key_len + len), f->write_unit);
    if (size > f->page_size || len >= HELLO_REMOVED) return NORBENCH_E_TOO_BIG;
    uint32_t at = s->end;
    if (at + size > next_page(f, at)) at = next_page(f, at); /* records never cross pages */
    if (at + size > f->start + f->size) return NORBENCH_E_FULL;
    memset(s->item, f->erase_value, size);
    s->item[0] = (uint8_t)key_len;
    s->item[1] = (uint8_t)len_field;
    s->item[2] = (uint8_t)(len_field >> 8);
    memcpy(s->item + HELLO_HEADER, key, key_len);
    if (len) memcpy(s->item + HELLO_HEADER + key_len, value, len);
    int rc = f->program(f->ctx, at, s->item, size);
    if (!rc) s->end = at + size;
    return rc;
}

static int hello_store(void *state, const void *key, size_t key_len, const void *value,
                       size_t len) {
    return append(state, key, key_len, value, len, (uint16_t)len);
}

static int hello_remove(void *state, const void *key, size_t key_len) {
    return append(state, key, key_len, NULL, 0, HELLO_REMOVED);
}

static int hello_fetch(void *state, const void *key, size_t key_len, void *buf, size_t capacity,
                       size_t *len) {
    hello_state *s = state;
    if (s->magic != HELLO_MAGIC) return NORBENCH_E_NOT_MOUNTED;
    bool found, again;
    uint32_t where, next;
    int rc = find_newest(s, s->flash->start, key, key_len, &found, &where);
    if (rc || !found) return rc ? rc : NORBENCH_E_NOT_FOUND;
    if ((rc = record_at(s, &where, &again, &next))) return rc;
    if (!again || value_len_of(s) == HELLO_REMOVED) return NORBENCH_E_NOT_FOUND;
    *len = value_len_of(s);
    if (*len > capacity) return NORBENCH_E_BUFFER_TOO_SMALL;
    memcpy(buf, s->item + HELLO_HEADER + key_len, *len);
    return NORBENCH_OK;
}

/* Each key whose newest record holds a value, in log order of those records. Looking for a
 * newer record after each one makes this quadratic: fine for a first engine. */
static int hello_iterate(void *state, norbench_visit_fn visit, void *visit_ctx) {
    hello_state *s = state;
    if (s->magic != HELLO_MAGIC) return NORBENCH_E_NOT_MOUNTED;
    for (uint32_t at = s->flash->start, next;; at = next) {
        bool found, newer;
        uint32_t newer_at, after;
        int rc = record_at(s, &at, &found, &next);
        if (rc || !found) return rc;
        uint8_t key[HELLO_KEY_MAX];
        size_t key_len = s->item[0];
        memcpy(key, s->item + HELLO_HEADER, key_len);
        if ((rc = find_newest(s, next, key, key_len, &newer, &newer_at))) return rc;
        if (newer) continue;
        if ((rc = record_at(s, &at, &found, &after))) return rc; /* the walk overwrote it */
        bool pop_ignored = false;
        uint32_t len = value_len_of(s);
        if (len != HELLO_REMOVED &&
            (rc = visit(visit_ctx, key, key_len, s->item + HELLO_HEADER + key_len, len,
                        &pop_ignored)))
            return rc;
    }
}

static const norbench_engine_ops hello_ops = {
    .version = NORBENCH_ENGINE_VERSION,
    .name = "hello-engine",
    .capabilities = NORBENCH_CAN_MAP,
    .state_size = hello_state_size,
    .mount = hello_mount,
    .format = hello_format,
    .store = hello_store,
    .fetch = hello_fetch,
    .remove = hello_remove,
    .iterate = hello_iterate,
};

/* The one symbol norbench looks for. */
const norbench_engine_ops *norbench_engine_v1(void) {
    return &hello_ops;
}
