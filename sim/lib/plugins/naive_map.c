/* naive-map: the baseline every comparison stands beside. One item per page, erased before
 * every rewrite: the design sequential-storage's author calls "stored on page 0". A store finds
 * the key's page (or a free one), erases it and programs the new item there, so a cut between
 * the erase and the program loses the value the last store had committed. Built as a plugin
 * against the public interface (norbench_engine.h) and also into norbench (engine type
 * "naive-map"). Page layout: key length (1 byte), value length (4 bytes, little-endian), the
 * key, the value; the rest of the page stays erased. */
#include "norbench_engine.h"

#include <string.h>

#define NAIVE_HEADER  5u
#define NAIVE_KEY_MAX 64u
#define NAIVE_MAGIC   0x6E61u /* a mounted state holds it; garbage after a reset does not */

typedef struct naive_state {
    uint32_t magic;
    const norbench_flash *flash;
    uint8_t page[]; /* one page, read whole */
} naive_state;

static uint32_t page_count(const norbench_flash *f) {
    return f->size / f->page_size;
}

static uint32_t page_addr(const norbench_flash *f, uint32_t page) {
    return f->start + page * f->page_size;
}

static size_t naive_state_size(const norbench_flash *f) {
    return sizeof(naive_state) + f->page_size;
}

static uint32_t naive_max_value_size(const norbench_flash *f) {
    return f->page_size - NAIVE_HEADER - 1;
}

/* Reads page `page` into s->page; *key_len is 0 for a free page (or one whose header is not a
 * plausible item: a torn program reads as free, and what it held is lost). */
static int read_page(naive_state *s, uint32_t page, uint32_t *key_len, uint32_t *value_len) {
    const norbench_flash *f = s->flash;
    int rc = f->read(f->ctx, page_addr(f, page), s->page, f->page_size);
    if (rc) return rc;
    uint32_t k = s->page[0];
    uint32_t v = (uint32_t)s->page[1] | (uint32_t)s->page[2] << 8 | (uint32_t)s->page[3] << 16 |
                 (uint32_t)s->page[4] << 24;
    bool plausible =
        k != f->erase_value && k >= 1 && k <= NAIVE_KEY_MAX && v <= f->page_size - NAIVE_HEADER - k;
    *key_len = plausible ? k : 0;
    *value_len = plausible ? v : 0;
    return NORBENCH_OK;
}

/* The page holding `key`, or the first free page when none does (*found false; *page is
 * page_count when no page is free). */
static int find_page(naive_state *s, const void *key, size_t key_len, uint32_t *page, bool *found) {
    uint32_t pages = page_count(s->flash), free_page = pages;
    for (uint32_t p = 0; p < pages; p++) {
        uint32_t k, v;
        int rc = read_page(s, p, &k, &v);
        if (rc) return rc;
        if (k == key_len && memcmp(s->page + NAIVE_HEADER, key, key_len) == 0) {
            *page = p;
            *found = true;
            return NORBENCH_OK;
        }
        if (k == 0 && free_page == pages) free_page = p;
    }
    *page = free_page;
    *found = false;
    return NORBENCH_OK;
}

static int check_call(naive_state *s, size_t key_len) {
    if (s->magic != NAIVE_MAGIC) return NORBENCH_E_NOT_MOUNTED;
    return key_len >= 1 && key_len <= NAIVE_KEY_MAX ? NORBENCH_OK : NORBENCH_E_KEY_LEN;
}

static int naive_mount(void *state, const norbench_flash *flash) {
    naive_state *s = state;
    s->flash = flash;
    s->magic = NAIVE_MAGIC;
    return NORBENCH_OK; /* nothing to recover: every page says what it holds */
}

static int naive_format(void *state) {
    naive_state *s = state;
    if (s->magic != NAIVE_MAGIC) return NORBENCH_E_NOT_MOUNTED;
    for (uint32_t p = 0; p < page_count(s->flash); p++) {
        int rc = s->flash->erase(s->flash->ctx, page_addr(s->flash, p));
        if (rc) return rc;
    }
    return NORBENCH_OK;
}

static int naive_store(void *state, const void *key, size_t key_len, const void *value,
                       size_t len) {
    naive_state *s = state;
    const norbench_flash *f = s->flash;
    int rc = check_call(s, key_len);
    if (rc) return rc;
    if (len > f->page_size - NAIVE_HEADER - key_len) return NORBENCH_E_TOO_BIG;
    uint32_t page;
    bool found;
    if ((rc = find_page(s, key, key_len, &page, &found))) return rc;
    if (page == page_count(f)) return NORBENCH_E_FULL;
    if ((rc = f->erase(f->ctx, page_addr(f, page)))) return rc;
    uint32_t item = NAIVE_HEADER + (uint32_t)key_len + (uint32_t)len;
    uint32_t padded = (item + f->write_unit - 1) / f->write_unit * f->write_unit;
    memset(s->page, f->erase_value, padded);
    s->page[0] = (uint8_t)key_len;
    for (unsigned i = 0; i < 4; i++) s->page[1 + i] = (uint8_t)(len >> (8 * i));
    memcpy(s->page + NAIVE_HEADER, key, key_len);
    memcpy(s->page + NAIVE_HEADER + key_len, value, len);
    return f->program(f->ctx, page_addr(f, page), s->page, padded);
}

static int naive_fetch(void *state, const void *key, size_t key_len, void *buf, size_t capacity,
                       size_t *len) {
    naive_state *s = state;
    int rc = check_call(s, key_len);
    uint32_t page, k, v;
    bool found;
    if (!rc) rc = find_page(s, key, key_len, &page, &found);
    if (rc) return rc;
    if (!found) return NORBENCH_E_NOT_FOUND;
    if ((rc = read_page(s, page, &k, &v))) return rc;
    *len = v;
    if (v > capacity) return NORBENCH_E_BUFFER_TOO_SMALL;
    memcpy(buf, s->page + NAIVE_HEADER + k, v);
    return NORBENCH_OK;
}

static int naive_remove(void *state, const void *key, size_t key_len) {
    naive_state *s = state;
    int rc = check_call(s, key_len);
    uint32_t page;
    bool found;
    if (!rc) rc = find_page(s, key, key_len, &page, &found);
    if (rc || !found) return rc;
    return s->flash->erase(s->flash->ctx, page_addr(s->flash, page));
}

static int naive_iterate(void *state, norbench_visit_fn visit, void *visit_ctx) {
    naive_state *s = state;
    if (s->magic != NAIVE_MAGIC) return NORBENCH_E_NOT_MOUNTED;
    for (uint32_t p = 0; p < page_count(s->flash); p++) {
        uint32_t k, v;
        int rc = read_page(s, p, &k, &v);
        if (rc) return rc;
        bool pop_ignored = false;
        if (k && (rc = visit(visit_ctx, s->page + NAIVE_HEADER, k, s->page + NAIVE_HEADER + k, v,
                             &pop_ignored)))
            return rc;
    }
    return NORBENCH_OK;
}

static const norbench_engine_ops naive_map_ops = {
    .version = NORBENCH_ENGINE_VERSION,
    .name = "naive-map",
    .capabilities = NORBENCH_CAN_MAP,
    .state_size = naive_state_size,
    .max_value_size = naive_max_value_size,
    .mount = naive_mount,
    .format = naive_format,
    .store = naive_store,
    .fetch = naive_fetch,
    .remove = naive_remove,
    .iterate = naive_iterate,
};

const norbench_engine_ops *norbench_engine_v1(void) {
    return &naive_map_ops;
}
