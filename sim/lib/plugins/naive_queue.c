/* naive-queue: the smallest queue plugin worth reading, and a baseline for queue workloads.
 * One entry per page: a push programs the entry into a free page, a pop erases the oldest
 * entry's page. Page layout: 'Q' (1 byte), a reserved byte, the entry's length (2 bytes,
 * little-endian), its sequence number (4 bytes, little-endian: the order of the pushes), the
 * entry; the rest of the page stays erased. No CRC: a program torn part way can leave a header
 * that reads as an entry with the wrong bytes (docs/plugins.md says what its campaign finds). */
#include "norbench_engine.h"

#include <string.h>

#define QUEUE_HEADER  8u
#define QUEUE_MARK    0x51u   /* 'Q': neither erase value */
#define QUEUE_MAGIC   0x7175u /* a mounted state holds it; garbage after a reset does not */
#define QUEUE_NO_PAGE UINT32_MAX

typedef struct queue_state {
    uint32_t magic;
    const norbench_flash *flash;
    uint32_t next_sequence; /* of the next push */
    uint8_t page[];         /* one page: an entry to program, or one read back */
} queue_state;

static uint32_t page_count(const norbench_flash *f) {
    return f->size / f->page_size;
}

static uint32_t page_addr(const norbench_flash *f, uint32_t page) {
    return f->start + page * f->page_size;
}

static size_t queue_state_size(const norbench_flash *f) {
    return sizeof(queue_state) + f->page_size;
}

static uint32_t queue_max_value_size(const norbench_flash *f) {
    uint32_t room = f->page_size - QUEUE_HEADER;
    return room > 0xFFFFu ? 0xFFFFu : room;
}

/* The header of page `page`: *used false for a free page (or one whose header is no entry). */
static int read_header(queue_state *s, uint32_t page, bool *used, uint32_t *length,
                       uint32_t *sequence) {
    const norbench_flash *f = s->flash;
    uint8_t h[QUEUE_HEADER];
    int rc = f->read(f->ctx, page_addr(f, page), h, sizeof h);
    if (rc) return rc;
    *length = (uint32_t)h[2] | (uint32_t)h[3] << 8;
    *sequence = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
    *used = h[0] == QUEUE_MARK && *length <= queue_max_value_size(f);
    return NORBENCH_OK;
}

/* The page of the oldest entry (*oldest QUEUE_NO_PAGE when empty), the first free page
 * (QUEUE_NO_PAGE when none), the entries and the newest sequence number. */
typedef struct queue_scan {
    uint32_t oldest, free_page, entries, newest_sequence;
} queue_scan;

static int scan(queue_state *s, queue_scan *out) {
    *out = (queue_scan){QUEUE_NO_PAGE, QUEUE_NO_PAGE, 0, 0};
    uint32_t oldest_sequence = 0;
    for (uint32_t p = 0; p < page_count(s->flash); p++) {
        bool used;
        uint32_t length, sequence;
        int rc = read_header(s, p, &used, &length, &sequence);
        if (rc) return rc;
        if (!used) {
            if (out->free_page == QUEUE_NO_PAGE) out->free_page = p;
            continue;
        }
        if (out->entries == 0 || sequence < oldest_sequence) {
            oldest_sequence = sequence;
            out->oldest = p;
        }
        if (out->entries == 0 || sequence > out->newest_sequence) out->newest_sequence = sequence;
        out->entries++;
    }
    return NORBENCH_OK;
}

static int queue_mount(void *state, const norbench_flash *flash) {
    queue_state *s = state;
    s->flash = flash;
    s->magic = 0;
    if (flash->page_size <= QUEUE_HEADER || flash->page_size % flash->write_unit)
        return NORBENCH_E_GEOMETRY;
    queue_scan found;
    int rc = scan(s, &found);
    if (rc) return rc;
    s->next_sequence = found.entries ? found.newest_sequence + 1 : 0;
    s->magic = QUEUE_MAGIC;
    return NORBENCH_OK;
}

static int queue_format(void *state) {
    queue_state *s = state;
    const norbench_flash *f = s->flash;
    for (uint32_t p = 0; p < page_count(f); p++) {
        int rc = f->erase(f->ctx, page_addr(f, p));
        if (rc) return rc;
    }
    s->next_sequence = 0;
    s->magic = QUEUE_MAGIC;
    return NORBENCH_OK;
}

/* Reads the entry of `page` (`length` bytes) into buf, or says how big it is. */
static int read_entry(queue_state *s, uint32_t page, uint32_t length, void *buf, size_t capacity,
                      size_t *len) {
    *len = length;
    if (length > capacity) return NORBENCH_E_BUFFER_TOO_SMALL;
    const norbench_flash *f = s->flash;
    return length ? f->read(f->ctx, page_addr(f, page) + QUEUE_HEADER, buf, length) : NORBENCH_OK;
}

static int take_oldest(queue_state *s, void *buf, size_t capacity, size_t *len, bool pop) {
    if (s->magic != QUEUE_MAGIC) return NORBENCH_E_NOT_MOUNTED;
    queue_scan found;
    int rc = scan(s, &found);
    if (rc) return rc;
    if (found.oldest == QUEUE_NO_PAGE) return NORBENCH_E_EMPTY;
    bool used;
    uint32_t length, sequence;
    if ((rc = read_header(s, found.oldest, &used, &length, &sequence))) return rc;
    if ((rc = read_entry(s, found.oldest, length, buf, capacity, len))) return rc;
    return pop ? s->flash->erase(s->flash->ctx, page_addr(s->flash, found.oldest)) : NORBENCH_OK;
}

static int queue_peek(void *state, void *buf, size_t capacity, size_t *len) {
    return take_oldest(state, buf, capacity, len, false);
}

static int queue_pop(void *state, void *buf, size_t capacity, size_t *len) {
    return take_oldest(state, buf, capacity, len, true);
}

static int queue_push(void *state, const void *data, size_t len, unsigned flags) {
    queue_state *s = state;
    if (s->magic != QUEUE_MAGIC) return NORBENCH_E_NOT_MOUNTED;
    const norbench_flash *f = s->flash;
    if (len > queue_max_value_size(f)) return NORBENCH_E_TOO_BIG;
    queue_scan found;
    int rc = scan(s, &found);
    if (rc) return rc;
    if (found.free_page == QUEUE_NO_PAGE) {
        if (!(flags & NORBENCH_PUSH_DROP_OLDEST)) return NORBENCH_E_FULL;
        if ((rc = f->erase(f->ctx, page_addr(f, found.oldest)))) return rc;
        found.free_page = found.oldest;
    }
    uint32_t sequence = s->next_sequence;
    uint8_t *p = s->page;
    p[0] = QUEUE_MARK;
    p[1] = 0;
    p[2] = (uint8_t)len;
    p[3] = (uint8_t)(len >> 8);
    for (int i = 0; i < 4; i++) p[4 + i] = (uint8_t)(sequence >> (8 * i));
    memcpy(p + QUEUE_HEADER, data, len);
    uint32_t total = QUEUE_HEADER + (uint32_t)len;
    uint32_t padded = (total + f->write_unit - 1) / f->write_unit * f->write_unit;
    memset(p + total, f->erase_value, padded - total);
    if ((rc = f->program(f->ctx, page_addr(f, found.free_page), p, padded))) return rc;
    s->next_sequence = sequence + 1;
    return NORBENCH_OK;
}

/* Visits the entries oldest first (one scan per entry: this queue is small and naive). */
static int queue_iterate(void *state, norbench_visit_fn visit, void *visit_ctx) {
    queue_state *s = state;
    if (s->magic != QUEUE_MAGIC) return NORBENCH_E_NOT_MOUNTED;
    const norbench_flash *f = s->flash;
    bool have_last = false;
    uint32_t last_sequence = 0;
    for (;;) {
        /* The oldest entry newer than the last one visited. */
        uint32_t page = QUEUE_NO_PAGE, best = 0, best_length = 0;
        for (uint32_t p = 0; p < page_count(f); p++) {
            bool used;
            uint32_t length, sequence;
            int rc = read_header(s, p, &used, &length, &sequence);
            if (rc) return rc;
            if (!used || (have_last && sequence <= last_sequence)) continue;
            if (page == QUEUE_NO_PAGE || sequence < best) {
                page = p;
                best = sequence;
                best_length = length;
            }
        }
        if (page == QUEUE_NO_PAGE) return NORBENCH_OK;
        size_t len;
        int rc = read_entry(s, page, best_length, s->page, f->page_size, &len);
        if (rc) return rc;
        bool pop_current = false;
        rc = visit(visit_ctx, NULL, 0, s->page, len, &pop_current);
        if (rc) return rc;
        if (pop_current && (rc = f->erase(f->ctx, page_addr(f, page)))) return rc;
        have_last = true;
        last_sequence = best;
    }
}

static const norbench_engine_ops naive_queue_ops = {
    .version = NORBENCH_ENGINE_VERSION,
    .name = "naive-queue",
    .capabilities = NORBENCH_CAN_QUEUE,
    .state_size = queue_state_size,
    .max_value_size = queue_max_value_size,
    .mount = queue_mount,
    .format = queue_format,
    .push = queue_push,
    .peek = queue_peek,
    .pop = queue_pop,
    .iterate = queue_iterate,
};

const norbench_engine_ops *norbench_engine_v1(void) {
    return &naive_queue_ops;
}
