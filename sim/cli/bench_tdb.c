/* `norbench bench tdb`: the flash traffic of a 64 KiB value written incrementally through the
 * TDBStore-shaped store (nbs_tdb.h: chunk keys of the map, a descriptor and the journal, SPEC
 * 9.2) beside the value's raw size: 65,536 bytes programmed and the 4 KiB sectors they fill. On
 * presets with 4 KiB sectors, a map of BENCH_TDB_PAGES pages (one sector each, no caches): the
 * first set of the value on the erased device, then sets replacing it (the old chunks removed,
 * GC as it comes), measured once the ring has wrapped. Each value is read back whole. --json: one
 * object. Exit 0 when measured, 1 when an engine call failed or a value read back wrong. */
#include "bench_store.h"
#include "bench_traffic.h"
#include "cli.h"
#include "commands.h"
#include "nbs_tdb.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_TDB_PAGES 48
#define VALUE_BYTES     65536u
#define PIECE_BYTES     4096u /* what each set_add_data call hands over */
/* Replacing sets run before the measured ones: by then the ring has wrapped (each set takes
 * some 17 of the pages), so every page a set opens is erased first, as in a store in use. */
#define WARM_SETS     4
#define MEASURED_SETS 4

static const char *const tdb_presets[] = {"nrf52840", "w25q16jv"};

typedef struct tdb_result {
    const char *preset;
    uint32_t page_size;
    bench_traffic first, replace; /* replacing sets: the mean of MEASURED_SETS */
    char error[160];              /* empty when measured */
} tdb_result;

static void value_bytes(uint8_t *v, unsigned seed) {
    for (uint32_t i = 0; i < VALUE_BYTES; i++) v[i] = (uint8_t)(i * 13u + seed + (i >> 9));
}

/* One incremental set of the whole value in PIECE_BYTES pieces, its traffic added to *t. */
static int set_value(bench_store *s, nbs_tdb *tdb, const uint8_t *v, bench_traffic *t) {
    nor_stats before, after;
    nor_get_stats(s->dev, &before);
    int rc = nbs_tdb_set_start(tdb, "image", 5, VALUE_BYTES, 0);
    for (uint32_t at = 0; !rc && at < VALUE_BYTES; at += PIECE_BYTES)
        rc = nbs_tdb_set_add_data(tdb, v + at, PIECE_BYTES);
    if (!rc) rc = nbs_tdb_set_finalize(tdb);
    nor_get_stats(s->dev, &after);
    bench_traffic_add(t, &before, &after);
    return rc;
}

/* The value reads back as written. */
static int read_back(nbs_tdb *tdb, const uint8_t *v, uint8_t *out) {
    size_t len = 0;
    int rc = nbs_tdb_get(tdb, "image", 5, out, VALUE_BYTES, &len, 0);
    if (rc) return rc;
    return len == VALUE_BYTES && !memcmp(out, v, VALUE_BYTES) ? NBS_OK : NBS_E_CORRUPT;
}

static void measure(tdb_result *r, uint8_t *first, uint8_t *second, uint8_t *out) {
    bench_store s;
    nbs_tdb tdb;
    uint8_t *buf = NULL;
    const char *step = "open";
    int rc = bench_store_open(&s, nor_preset_find(r->preset), BENCH_TDB_PAGES, 0, 0, true);
    r->page_size = s.page_size;
    if (!rc) {
        size_t buf_size = nbs_tdb_buffer_bytes(&s.binding.flash);
        step = "init";
        rc = (buf = malloc(buf_size)) ? nbs_tdb_init(&tdb, &s.map, buf, buf_size, true)
                                      : NBS_E_INVAL;
    }
    if (!rc && (step = "first set", rc = set_value(&s, &tdb, first, &r->first)) == NBS_OK)
        step = "first read", rc = read_back(&tdb, first, out);
    for (unsigned i = 0; !rc && i < WARM_SETS + MEASURED_SETS; i++) {
        const uint8_t *v = i % 2 ? first : second;
        bench_traffic warm = {0}, *t = i < WARM_SETS ? &warm : &r->replace;
        if ((step = "replacing set", rc = set_value(&s, &tdb, v, t)) == NBS_OK)
            step = "read after a replacing set", rc = read_back(&tdb, v, out);
    }
    bench_traffic_mean(&r->replace, MEASURED_SETS);
    if (rc) snprintf(r->error, sizeof r->error, "%s: %s", step, nbs_strerror(rc));
    free(buf);
    bench_store_close(&s);
}

static void print_json(const tdb_result *results, size_t n) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "benchmark", "tdb");
    cJSON *rows = cJSON_AddArrayToObject(root, "presets");
    cJSON_AddNumberToObject(root, "value_bytes", VALUE_BYTES);
    cJSON_AddNumberToObject(root, "piece_bytes", PIECE_BYTES);
    cJSON_AddNumberToObject(root, "pages", BENCH_TDB_PAGES);
    cJSON_AddNumberToObject(root, "warm_sets", WARM_SETS);
    cJSON_AddNumberToObject(root, "measured_sets", MEASURED_SETS);
    for (size_t i = 0; i < n; i++) {
        const tdb_result *r = &results[i];
        cJSON *row = cJSON_CreateObject();
        cJSON_AddStringToObject(row, "preset", r->preset);
        cJSON_AddNumberToObject(row, "page_size", r->page_size);
        cJSON *raw = cJSON_AddObjectToObject(row, "raw");
        cJSON_AddNumberToObject(raw, "program_bytes", VALUE_BYTES);
        cJSON_AddNumberToObject(raw, "erases", r->page_size ? VALUE_BYTES / r->page_size : 0);
        cJSON_AddItemToObject(row, "first_set", bench_traffic_json(&r->first, VALUE_BYTES));
        cJSON_AddItemToObject(row, "replacing_set", bench_traffic_json(&r->replace, VALUE_BYTES));
        if (r->error[0]) cJSON_AddStringToObject(row, "error", r->error);
        cJSON_AddItemToArray(rows, row);
    }
    char *text = cJSON_PrintUnformatted(root);
    puts(text);
    free(text);
    cJSON_Delete(root);
}

static void print_table(const tdb_result *results, size_t n) {
    printf("A %u-byte value set incrementally (%u-byte pieces) in a TDB store of %u pages, "
           "no caches,\nbeside its raw size (the bytes programmed once, the sectors they fill); "
           "replacing set:\nthe mean of %u sets after %u that wrapped the ring\n",
           VALUE_BYTES, PIECE_BYTES, BENCH_TDB_PAGES, MEASURED_SETS, WARM_SETS);
    for (size_t i = 0; i < n; i++) {
        const tdb_result *r = &results[i];
        printf("\n%s (%u-byte sectors)\n", r->preset, r->page_size);
        bench_traffic_print_header();
        bench_traffic raw = {VALUE_BYTES, 0, r->page_size ? VALUE_BYTES / r->page_size : 0, 0};
        bench_traffic_print_row("raw", &raw, VALUE_BYTES);
        bench_traffic_print_row("first set", &r->first, VALUE_BYTES);
        bench_traffic_print_row("replacing set", &r->replace, VALUE_BYTES);
        if (r->error[0]) printf("  error: %s\n", r->error);
    }
}

int bench_tdb(bool json) {
    size_t n = sizeof tdb_presets / sizeof *tdb_presets;
    tdb_result results[sizeof tdb_presets / sizeof *tdb_presets];
    uint8_t *first = malloc(VALUE_BYTES), *second = malloc(VALUE_BYTES), *out = malloc(VALUE_BYTES);
    if (!first || !second || !out) {
        fprintf(stderr, "norbench bench tdb: out of memory\n");
        free(first), free(second), free(out);
        return 1;
    }
    value_bytes(first, 1);
    value_bytes(second, 2);
    bool failed = false;
    for (size_t i = 0; i < n; i++) {
        results[i] = (tdb_result){.preset = tdb_presets[i]};
        measure(&results[i], first, second, out);
        failed |= results[i].error[0] != 0;
    }
    if (json)
        print_json(results, n);
    else
        print_table(results, n);
    free(first), free(second), free(out);
    return failed ? 1 : 0;
}
