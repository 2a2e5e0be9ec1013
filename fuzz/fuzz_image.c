/* libFuzzer target "image": arbitrary bytes as the flash contents of a map or a queue (on the
 * fuzz geometries, with the caches the header chose), then mount and use it: count, iterate,
 * fetch, has, store, remove, peek, pop, push, pops during iteration, remount. The engine must
 * never crash, hang or touch flash outside its range (fuzz_store's guard), and must answer
 * with data or one of the errors that describe flash or room: a bad argument, or a geometry,
 * buffer or key-length complaint, is a finding.
 *
 * Input: fuzz_image_format.h (3 header bytes, then the range). */
#include "fuzz_finding.h"
#include "fuzz_image_format.h"
#include "fuzz_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET "image"

typedef struct image_run {
    fuzz_store store;
    uint8_t *buf;     /* one page: larger than any value */
    size_t max_items; /* more items than the range has slots means a loop */
    char where[160];
} image_run;

/* Answers a store may give on any flash contents. Check mode may report a cache mismatch:
 * where no writer leaves anything (past a page's slot list, say) garbage makes a re-read of
 * flash disagree with what the engine knows it wrote, as weak bits can (SPEC.md section 10). */
static void check_answer(const image_run *run, const char *what, int rc) {
    bool clean = rc == NBS_OK || rc == NBS_E_NOT_FOUND || rc == NBS_E_BUFFER_TOO_SMALL ||
                 rc == NBS_E_TOO_BIG || rc == NBS_E_FULL || rc == NBS_E_EMPTY || rc == NBS_E_END ||
                 rc == NBS_E_IO || rc == NBS_E_ECC || rc == NBS_E_CORRUPT ||
                 rc == NBS_E_NOT_MOUNTED || rc == NBS_E_CACHE_MISMATCH;
    FUZZ_REQUIRE(TARGET, clean, "%s: %s returned %d (%s)", run->where, what, rc, nbs_strerror(rc));
}

static void load_image(image_run *run, const uint8_t *image, size_t size) {
    const nbs_flash *flash = &run->store.f.binding.flash;
    uint8_t *range = malloc(flash->size);
    memset(range, flash->erase_value, flash->size);
    memcpy(range, image, size < flash->size ? size : flash->size);
    int rc = nor_poke(run->store.f.dev, flash->start, range, flash->size);
    free(range);
    FUZZ_REQUIRE(TARGET, rc == NOR_OK, "%s: nor_poke: %s", run->where, nor_strerror(rc));
}

/* ---- map ---- */

static void map_iterate(image_run *run, uint8_t first_key[NBS_KEY_MAX], size_t *first_key_len) {
    nbs_map_iter it;
    nbs_map_iter_init(&run->store.f.map, &it);
    for (size_t items = 0;; items++) {
        uint8_t key[NBS_KEY_MAX];
        size_t key_len = 0, value_len = 0;
        int rc = nbs_map_iter_next(&it, key, sizeof key, &key_len, run->buf, run->store.f.page_size,
                                   &value_len);
        check_answer(run, "map iteration", rc);
        if (rc != NBS_OK) return;
        FUZZ_REQUIRE(TARGET,
                     items < run->max_items && key_len >= 1 && key_len <= NBS_KEY_MAX &&
                         value_len <= run->store.f.page_size,
                     "%s: map iteration item %zu: key %zu bytes, value %zu bytes", run->where,
                     items, key_len, value_len);
        if (items == 0) memcpy(first_key, key, *first_key_len = key_len);
    }
}

static void map_session(image_run *run) {
    nbs_map *map = &run->store.f.map;
    uint8_t key[NBS_KEY_MAX] = "k";
    size_t key_len = 1, len = 0;
    uint32_t count = 0;
    bool present = false;
    check_answer(run, "map count", nbs_map_count(map, &count));
    map_iterate(run, key, &key_len);
    check_answer(run, "fetch", nbs_map_fetch(map, key, key_len, run->buf, 1, &len));
    check_answer(run, "fetch",
                 nbs_map_fetch(map, key, key_len, run->buf, run->store.f.page_size, &len));
    check_answer(run, "has", nbs_map_has(map, key, key_len, &present));
    check_answer(run, "store", nbs_map_store(map, "fuzz", 4, "image", 5));
    check_answer(run, "store", nbs_map_store(map, key, key_len, run->buf, 12));
    check_answer(run, "remove", nbs_map_remove(map, key, key_len));
    nbs_space space;
    check_answer(run, "map space", nbs_map_space(map, &space));
    map_iterate(run, key, &key_len);
}

/* ---- queue ---- */

static void queue_iterate(image_run *run, bool pop_first) {
    nbs_queue_iter it;
    nbs_queue_iter_init(&run->store.f.queue, &it);
    for (size_t items = 0;; items++) {
        size_t len = 0;
        int rc = nbs_queue_iter_next(&it, run->buf, run->store.f.page_size, &len);
        check_answer(run, "queue iteration", rc);
        if (rc != NBS_OK) return;
        FUZZ_REQUIRE(TARGET, items < run->max_items && len <= run->store.f.page_size,
                     "%s: queue iteration entry %zu: %zu bytes", run->where, items, len);
        if (items == 0 && pop_first)
            check_answer(run, "pop during iteration", nbs_queue_iter_pop_current(&it));
    }
}

static void queue_session(image_run *run) {
    nbs_queue *q = &run->store.f.queue;
    size_t len = 0, fit = 0;
    uint32_t count = 0;
    check_answer(run, "queue count", nbs_queue_count(q, &count));
    queue_iterate(run, false);
    check_answer(run, "peek", nbs_queue_peek(q, run->buf, 1, &len));
    check_answer(run, "peek", nbs_queue_peek(q, run->buf, run->store.f.page_size, &len));
    check_answer(run, "pop", nbs_queue_pop(q, run->buf, run->store.f.page_size, &len));
    check_answer(run, "max_push", nbs_queue_max_push(q, &fit));
    check_answer(run, "push", nbs_queue_push(q, "image", 5, 0));
    check_answer(run, "push", nbs_queue_push(q, run->buf, 24, NBS_PUSH_DROP_OLDEST));
    queue_iterate(run, true);
    nbs_space space;
    check_answer(run, "queue space", nbs_queue_space(q, &space));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t header[FUZZ_IMAGE_HEADER] = {0};
    memcpy(header, data, size < sizeof header ? size : sizeof header);
    fuzz_store_options opts = fuzz_image_options(header);
    image_run *run = calloc(1, sizeof *run);
    fuzz_store_open(&run->store, TARGET, &opts);
    fuzz_store_describe(&run->store, run->where, sizeof run->where);
    run->buf = calloc(1, run->store.f.page_size);
    run->max_items = run->store.f.binding.flash.size / 16 + 1;
    if (size > sizeof header) load_image(run, data + sizeof header, size - sizeof header);
    for (int session = 0; session < 2; session++) {
        int rc = fuzz_store_mount(&run->store);
        check_answer(run, "mount", rc);
        if (opts.kind == EF_MAP)
            map_session(run);
        else
            queue_session(run);
    }
    free(run->buf);
    fuzz_store_close(&run->store);
    free(run);
    return 0;
}
