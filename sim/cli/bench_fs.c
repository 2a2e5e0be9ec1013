/* `norbench bench fs`: the flash traffic of the file system (nbs_fs.h, engine/SPEC.md 12) on
 * nrf52840, in a map of BENCH_FS_PAGES pages (one 4 KiB sector each, no caches): a 100 KiB file
 * created and written in 4 KiB writes, beside its raw size (102,400 bytes programmed once, the 25
 * sectors they fill); then one 4 KiB overwrite in the file's middle, right after, and the mean
 * of MEASURED overwrites there once WARM of them have wrapped the ring (every page a write opens
 * is erased first, GC as it comes); last, the file truncated (open w+) and written again in the
 * wrapped ring. The file is read back whole after each phase. --json: one object. Exit 0 when
 * measured, 1 when an engine call failed or the file read back wrong. */
#include "bench_store.h"
#include "bench_traffic.h"
#include "cli.h"
#include "commands.h"
#include "nbs_fs.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_FS_PAGES 64
#define FILE_BYTES     102400u
#define WRITE_BYTES    4096u
#define MIDDLE         (FILE_BYTES / 2) /* the overwrites' offset */
#define WARM           32
#define MEASURED       8

static const char preset[] = "nrf52840";

typedef struct fs_result {
    uint32_t page_size, block_bytes, max_file;
    bench_traffic write_file, overwrite_first, overwrite_wrapped, rewrite_file;
    char error[160]; /* empty when measured */
} fs_result;

static void file_bytes(uint8_t *v, uint32_t len, unsigned seed) {
    for (uint32_t i = 0; i < len; i++) v[i] = (uint8_t)(i * 13u + seed + (i >> 9));
}

/* A write of `len` bytes at `offset`, its traffic added to *t. */
static int write_at(bench_store *s, nbs_fs_file *f, uint32_t offset, const uint8_t *data,
                    uint32_t len, bench_traffic *t) {
    nor_stats before, after;
    nor_get_stats(s->dev, &before);
    int rc = nbs_fs_write(f, offset, data, len);
    nor_get_stats(s->dev, &after);
    bench_traffic_add(t, &before, &after);
    return rc;
}

/* The file opened w+ (created, or truncated), then written in WRITE_BYTES pieces from its start,
 * the traffic added to *t. */
static int write_file(bench_store *s, nbs_fs *fs, nbs_fs_file *f, const uint8_t *data,
                      bench_traffic *t) {
    nor_stats before, after;
    nor_get_stats(s->dev, &before);
    int rc = nbs_fs_open(fs, NULL, "data.bin", NBS_FS_W_PLUS, f);
    nor_get_stats(s->dev, &after);
    bench_traffic_add(t, &before, &after);
    for (uint32_t at = 0; !rc && at < FILE_BYTES; at += WRITE_BYTES)
        rc = write_at(s, f, at, data + at, WRITE_BYTES, t);
    return rc;
}

/* The file reads back as `want`. */
static int read_back(nbs_fs_file *f, const uint8_t *want, uint8_t *out) {
    size_t len = 0;
    int rc = nbs_fs_read(f, 0, out, FILE_BYTES + 1, &len);
    if (rc) return rc;
    return len == FILE_BYTES && !memcmp(out, want, FILE_BYTES) ? NBS_OK : NBS_E_CORRUPT;
}

static void measure(fs_result *r, uint8_t *model, const uint8_t *piece, uint8_t *out) {
    bench_store s;
    nbs_fs fs = {0};
    nbs_fs_file f;
    uint8_t *buf = NULL;
    const char *step = "open";
    int rc = bench_store_open(&s, nor_preset_find(preset), BENCH_FS_PAGES, 0, 0, true);
    r->page_size = s.page_size;
    if (!rc) {
        size_t buf_size = nbs_fs_buffer_bytes(&s.binding.flash);
        step = "init";
        rc = (buf = malloc(buf_size ? buf_size : 1)) ? nbs_fs_init(&fs, &s.map, buf, buf_size)
                                                     : NBS_E_INVAL;
        r->block_bytes = fs.block_bytes, r->max_file = nbs_fs_max_file(&fs);
    }
    if (!rc) step = "write the file", rc = write_file(&s, &fs, &f, model, &r->write_file);
    if (!rc) step = "read after the writes", rc = read_back(&f, model, out);
    /* The overwrites in the middle. */
    for (unsigned i = 0; !rc && i < 1 + WARM + MEASURED; i++) {
        bench_traffic warm = {0};
        bench_traffic *t = i == 0 ? &r->overwrite_first : i <= WARM ? &warm : &r->overwrite_wrapped;
        const uint8_t *bytes = piece + (i % 2) * WRITE_BYTES;
        memcpy(model + MIDDLE, bytes, WRITE_BYTES);
        if ((step = "overwrite", rc = write_at(&s, &f, MIDDLE, bytes, WRITE_BYTES, t)) == NBS_OK)
            step = "read after an overwrite", rc = read_back(&f, model, out);
    }
    bench_traffic_mean(&r->overwrite_wrapped, MEASURED);
    for (uint32_t i = 0; i < FILE_BYTES; i++) model[i] ^= 0x5A;
    if (!rc) step = "write the file again", rc = write_file(&s, &fs, &f, model, &r->rewrite_file);
    if (!rc) step = "read after the writes again", rc = read_back(&f, model, out);
    if (rc) snprintf(r->error, sizeof r->error, "%s: %s", step, nbs_strerror(rc));
    free(buf);
    bench_store_close(&s);
}

static void print_json(const fs_result *r) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "benchmark", "fs");
    cJSON_AddStringToObject(root, "preset", preset);
    cJSON_AddNumberToObject(root, "page_size", r->page_size);
    cJSON_AddNumberToObject(root, "pages", BENCH_FS_PAGES);
    cJSON_AddNumberToObject(root, "block_bytes", r->block_bytes);
    cJSON_AddNumberToObject(root, "max_file", r->max_file);
    cJSON_AddNumberToObject(root, "file_bytes", FILE_BYTES);
    cJSON_AddNumberToObject(root, "write_bytes", WRITE_BYTES);
    cJSON_AddNumberToObject(root, "overwrite_offset", MIDDLE);
    cJSON_AddNumberToObject(root, "warm_overwrites", WARM);
    cJSON_AddNumberToObject(root, "measured_overwrites", MEASURED);
    cJSON *raw = cJSON_AddObjectToObject(root, "raw");
    cJSON_AddNumberToObject(raw, "program_bytes", FILE_BYTES);
    cJSON_AddNumberToObject(raw, "erases", r->page_size ? FILE_BYTES / r->page_size : 0);
    cJSON_AddItemToObject(root, "write_file", bench_traffic_json(&r->write_file, FILE_BYTES));
    cJSON_AddItemToObject(root, "overwrite_first",
                          bench_traffic_json(&r->overwrite_first, WRITE_BYTES));
    cJSON_AddItemToObject(root, "overwrite_wrapped",
                          bench_traffic_json(&r->overwrite_wrapped, WRITE_BYTES));
    cJSON_AddItemToObject(root, "rewrite_file", bench_traffic_json(&r->rewrite_file, FILE_BYTES));
    if (r->error[0]) cJSON_AddStringToObject(root, "error", r->error);
    char *text = cJSON_PrintUnformatted(root);
    puts(text);
    free(text);
    cJSON_Delete(root);
}

static void print_table(const fs_result *r) {
    printf("A %u-byte file created and written in %u-byte writes, then %u-byte overwrites at byte "
           "%u,\nin a file system over a map of %u pages on %s (%u-byte sectors, %u-byte blocks), "
           "no caches;\nraw: the bytes programmed once and the sectors they fill; wrapped: the "
           "file truncated\nand written again, and the mean of %u overwrites, after %u that "
           "wrapped the ring\n\n",
           FILE_BYTES, WRITE_BYTES, WRITE_BYTES, MIDDLE, BENCH_FS_PAGES, preset, r->page_size,
           r->block_bytes, MEASURED, WARM);
    bench_traffic_print_header();
    bench_traffic raw = {FILE_BYTES, 0, r->page_size ? FILE_BYTES / r->page_size : 0, 0};
    bench_traffic_print_row("raw file", &raw, FILE_BYTES);
    bench_traffic_print_row("write file", &r->write_file, FILE_BYTES);
    bench_traffic_print_row("  wrapped", &r->rewrite_file, FILE_BYTES);
    raw = (bench_traffic){WRITE_BYTES, 0, r->page_size ? WRITE_BYTES / r->page_size : 0, 0};
    bench_traffic_print_row("raw overwrite", &raw, WRITE_BYTES);
    bench_traffic_print_row("overwrite", &r->overwrite_first, WRITE_BYTES);
    bench_traffic_print_row("  wrapped", &r->overwrite_wrapped, WRITE_BYTES);
    if (r->error[0]) printf("  error: %s\n", r->error);
}

int bench_fs(bool json) {
    uint8_t *model = malloc(FILE_BYTES), *piece = malloc(2 * WRITE_BYTES),
            *out = malloc(FILE_BYTES + 1);
    if (!model || !piece || !out) {
        fprintf(stderr, "norbench bench fs: out of memory\n");
        free(model), free(piece), free(out);
        return 1;
    }
    file_bytes(model, FILE_BYTES, 1);
    file_bytes(piece, 2 * WRITE_BYTES, 2);
    fs_result r = {0};
    measure(&r, model, piece, out);
    if (json)
        print_json(&r);
    else
        print_table(&r);
    free(model), free(piece), free(out);
    return r.error[0] ? 1 : 0;
}
