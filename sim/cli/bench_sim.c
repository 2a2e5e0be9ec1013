/* `norbench bench sim`: throughput of the NOR model's program, read and erase on 4 KiB
 * operations with events off, against a plain memcpy measured in the same run, and the cost
 * of taking and restoring a snapshot of a 1 MiB device. Each figure is the best of a few
 * rounds, since the machine may be shared. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "cli.h"
#include "commands.h"
#include "nor.h"
#include "runner.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OP_BYTES            4096u
#define DEVICE_BYTES        (1u << 20)
#define ROUNDS              5
#define PASSES              64 /* device-sized passes per round: 64 MiB moved per figure */
#define SNAPSHOT_ITERATIONS 20000

typedef struct sim_figures {
    double memcpy_mb_s, program_mb_s, read_mb_s, erase_mb_s;
    double snapshot_take_us, snapshot_restore_us;
} sim_figures;

/* The benchmark device: 1 MiB of 4 KiB sectors, word writes, unlimited rewrites, no page
 * wrap (so a 4 KiB program really moves 4 KiB), no wear-out. */
static nor_config bench_config(void) {
    nor_config cfg = *nor_preset_find("w25q16jv");
    strcpy(cfg.name, "bench-1m");
    cfg.regions[0] = (nor_region){DEVICE_BYTES / OP_BYTES, OP_BYTES, 0, 0};
    cfg.write_unit = 4;
    cfg.page_size = 0;
    cfg.wear.endurance = 0;
    return cfg;
}

static double mb_per_s(double bytes, double seconds) {
    return bytes / seconds / 1e6;
}

static volatile uint8_t sink; /* keeps the memcpy baseline from being optimized away */

static double time_memcpy(uint8_t *dst, const uint8_t *src) {
    double start = run_now_seconds();
    for (int pass = 0; pass < PASSES; pass++) {
        for (uint32_t off = 0; off < DEVICE_BYTES; off += OP_BYTES)
            memcpy(dst + off, src + off, OP_BYTES);
        sink = dst[pass * 4096u % DEVICE_BYTES];
    }
    return run_now_seconds() - start;
}

static double time_program(nor *dev, const uint8_t *src) {
    double start = run_now_seconds();
    for (int pass = 0; pass < PASSES; pass++)
        for (uint32_t off = 0; off < DEVICE_BYTES; off += OP_BYTES)
            nor_program(dev, off, src + off, OP_BYTES);
    return run_now_seconds() - start;
}

static double time_read(nor *dev, uint8_t *dst) {
    double start = run_now_seconds();
    for (int pass = 0; pass < PASSES; pass++) {
        for (uint32_t off = 0; off < DEVICE_BYTES; off += OP_BYTES)
            nor_read(dev, off, dst + off, OP_BYTES);
        sink = dst[pass * 4096u % DEVICE_BYTES];
    }
    return run_now_seconds() - start;
}

static double time_erase(nor *dev) {
    double start = run_now_seconds();
    for (int pass = 0; pass < PASSES; pass++)
        for (uint32_t off = 0; off < DEVICE_BYTES; off += OP_BYTES) nor_erase(dev, off);
    return run_now_seconds() - start;
}

/* Average take and restore cost when one sector changed in between (its block is copied). */
static int time_snapshots(nor *dev, double *take_us, double *restore_us) {
    uint8_t word[4] = {0};
    double take = 0, restore = 0;
    for (int i = 0; i < SNAPSHOT_ITERATIONS; i++) {
        nor_snapshot *snap;
        double t0 = run_now_seconds();
        if (nor_snapshot_take(dev, &snap)) return CLI_EXIT_FAIL;
        double t1 = run_now_seconds();
        nor_program(dev, (uint32_t)(i % 256) * OP_BYTES, word, 4);
        double t2 = run_now_seconds();
        int rc = nor_snapshot_restore(dev, snap);
        double t3 = run_now_seconds();
        nor_snapshot_free(snap);
        if (rc) return CLI_EXIT_FAIL;
        take += t1 - t0;
        restore += t3 - t2;
    }
    *take_us = take / SNAPSHOT_ITERATIONS * 1e6;
    *restore_us = restore / SNAPSHOT_ITERATIONS * 1e6;
    return CLI_EXIT_OK;
}

static double best(double a, double b) {
    return a < b ? a : b;
}

static int measure(sim_figures *f) {
    nor_config cfg = bench_config();
    nor *dev = NULL;
    uint8_t *src = malloc(DEVICE_BYTES), *dst = malloc(DEVICE_BYTES);
    if (!src || !dst || nor_create(&dev, &cfg, 1)) {
        free(src);
        free(dst);
        return CLI_EXIT_FAIL;
    }
    for (uint32_t i = 0; i < DEVICE_BYTES; i++) src[i] = (uint8_t)(i * 7 + (i >> 12));
    double t_memcpy = 1e9, t_program = 1e9, t_read = 1e9, t_erase = 1e9;
    for (int round = 0; round < ROUNDS; round++) {
        t_memcpy = best(t_memcpy, time_memcpy(dst, src));
        time_erase(dev);
        t_program = best(t_program, time_program(dev, src));
        t_read = best(t_read, time_read(dev, dst));
        t_erase = best(t_erase, time_erase(dev));
    }
    double moved = (double)PASSES * DEVICE_BYTES;
    f->memcpy_mb_s = mb_per_s(moved, t_memcpy);
    f->program_mb_s = mb_per_s(moved, t_program);
    f->read_mb_s = mb_per_s(moved, t_read);
    f->erase_mb_s = mb_per_s(moved, t_erase);
    int rc = time_snapshots(dev, &f->snapshot_take_us, &f->snapshot_restore_us);
    nor_destroy(dev);
    free(src);
    free(dst);
    return rc;
}

static void print_json(const sim_figures *f) {
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "benchmark", "sim");
    cJSON_AddStringToObject(obj, "device", "1 MiB, 4 KiB sectors, write unit 4, events off");
    cJSON_AddNumberToObject(obj, "op_bytes", OP_BYTES);
    cJSON_AddNumberToObject(obj, "memcpy_mb_s", f->memcpy_mb_s);
    cJSON_AddNumberToObject(obj, "program_mb_s", f->program_mb_s);
    cJSON_AddNumberToObject(obj, "program_ratio", f->program_mb_s / f->memcpy_mb_s);
    cJSON_AddNumberToObject(obj, "read_mb_s", f->read_mb_s);
    cJSON_AddNumberToObject(obj, "read_ratio", f->read_mb_s / f->memcpy_mb_s);
    cJSON_AddNumberToObject(obj, "erase_mb_s", f->erase_mb_s);
    cJSON_AddNumberToObject(obj, "erase_ratio", f->erase_mb_s / f->memcpy_mb_s);
    cJSON_AddNumberToObject(obj, "snapshot_device_bytes", DEVICE_BYTES);
    cJSON_AddNumberToObject(obj, "snapshot_take_us", f->snapshot_take_us);
    cJSON_AddNumberToObject(obj, "snapshot_restore_us", f->snapshot_restore_us);
    char *text = cJSON_PrintUnformatted(obj);
    if (text) puts(text);
    free(text);
    cJSON_Delete(obj);
}

static void print_table(const sim_figures *f) {
    printf("NOR model throughput, 4 KiB operations on a 1 MiB device (events off, best of %d)\n",
           ROUNDS);
    printf("  %-10s %10s %12s\n", "operation", "MB/s", "vs memcpy");
    printf("  %-10s %10.0f %12s\n", "memcpy", f->memcpy_mb_s, "1.00");
    printf("  %-10s %10.0f %12.2f\n", "program", f->program_mb_s, f->program_mb_s / f->memcpy_mb_s);
    printf("  %-10s %10.0f %12.2f\n", "read", f->read_mb_s, f->read_mb_s / f->memcpy_mb_s);
    printf("  %-10s %10.0f %12.2f\n", "erase", f->erase_mb_s, f->erase_mb_s / f->memcpy_mb_s);
    printf("Snapshot of the 1 MiB device (256 sectors), one sector changed in between:\n");
    printf("  take %.2f us, restore %.2f us\n", f->snapshot_take_us, f->snapshot_restore_us);
}

int bench_sim(bool json) {
    sim_figures f;
    if (measure(&f)) {
        fprintf(stderr, "norbench bench sim: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    if (json)
        print_json(&f);
    else
        print_table(&f);
    return CLI_EXIT_OK;
}
