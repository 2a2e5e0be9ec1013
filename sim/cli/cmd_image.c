/* `norbench image info|dump FILE`: what a flash image (nor_image_save's FILE and FILE.json)
 * holds: its geometry, erase counts and how much of it is programmed, as text or JSON; or its
 * bytes as hex, erased lines folded. A malformed, truncated or unreadable image (or a folder)
 * gets one message naming the file and the problem, and exit 2; a preset name no preset has, a
 * warning. */
#include "cli.h"
#include "commands.h"
#include "nor.h"
#include "run_result.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the raw file holds, sector by sector. */
typedef struct image_usage {
    uint64_t programmed_bytes; /* bytes that are not the erase value */
    uint32_t sectors_used;     /* sectors holding such a byte */
    uint32_t erase_min, erase_max;
    uint64_t erase_total;
} image_usage;

static int load_info(const cli_command *cmd, const char *path, nor_image_info *info) {
    char why[NOR_IMAGE_WHY_MAX + 1024];
    int rc = nor_image_read_info(path, info, why, sizeof why);
    if (rc == NOR_E_NOMEM) {
        fprintf(stderr, "norbench %s: out of memory\n", cmd->name);
        return CLI_EXIT_FAIL;
    }
    if (rc) {
        fprintf(stderr, "norbench %s: %s\n", cmd->name, why);
        return CLI_EXIT_USAGE;
    }
    /* The preset is informational (a visualizer's own device saves its name), so not an error;
     * but a misspelt one would silently lose the preset's timing and wear in the visualizer. */
    if (!nor_preset_find(info->preset))
        fprintf(stderr,
                "norbench %s: warning: %s.json: preset '%s' is not one of norbench's presets "
                "(norbench presets); the sidecar's geometry is taken as it is\n",
                cmd->name, path, info->preset);
    return CLI_EXIT_OK;
}

/* Reads sector after sector of the raw file (its size was checked) and calls `each`. */
static int for_each_sector(const cli_command *cmd, const char *path, const nor_image_info *info,
                           void (*each)(void *ctx, uint32_t sector, uint32_t address,
                                        const uint8_t *data, uint32_t size),
                           void *ctx) {
    FILE *f = fopen(path, "rb");
    uint32_t largest = 0;
    for (uint32_t r = 0; r < info->region_count; r++)
        if (info->regions[r].size > largest) largest = info->regions[r].size;
    uint8_t *buf = f ? malloc(largest) : NULL;
    bool ok = buf != NULL;
    for (uint32_t r = 0, s = 0, address = 0; ok && r < info->region_count; r++) {
        for (uint32_t k = 0; ok && k < info->regions[r].count; k++, s++) {
            uint32_t size = info->regions[r].size;
            ok = fread(buf, 1, size, f) == size;
            if (ok) each(ctx, s, address, buf, size);
            address += size;
        }
    }
    free(buf);
    if (f) fclose(f);
    if (ok) return CLI_EXIT_OK;
    fprintf(stderr, "norbench %s: %s: cannot read the image\n", cmd->name, path);
    return CLI_EXIT_USAGE;
}

typedef struct usage_ctx {
    const nor_image_info *info;
    image_usage *usage;
} usage_ctx;

static void count_sector(void *ctx, uint32_t sector, uint32_t address, const uint8_t *data,
                         uint32_t size) {
    (void)address;
    usage_ctx *u = ctx;
    uint64_t programmed = 0;
    for (uint32_t i = 0; i < size; i++) programmed += data[i] != u->info->erase_value;
    u->usage->programmed_bytes += programmed;
    u->usage->sectors_used += programmed > 0;
    uint32_t erases = u->info->erase_counts[sector];
    u->usage->erase_total += erases;
    if (sector == 0 || erases < u->usage->erase_min) u->usage->erase_min = erases;
    if (erases > u->usage->erase_max) u->usage->erase_max = erases;
}

static void print_text(const char *path, const nor_image_info *info, const image_usage *u) {
    printf("image          %s (sidecar %s.json)\n", path, path);
    printf("preset         %s\n", info->preset);
    printf("size           %u bytes in %u sectors:", (unsigned)info->total_bytes,
           (unsigned)info->sector_count);
    for (uint32_t r = 0; r < info->region_count; r++)
        printf("%s %u x %u bytes", r ? "," : "", (unsigned)info->regions[r].count,
               (unsigned)info->regions[r].size);
    printf("\nwrite unit     %u byte%s, erase value 0x%02X\n", (unsigned)info->write_unit,
           info->write_unit == 1 ? "" : "s", (unsigned)info->erase_value);
    printf("erase counts   min %u, max %u, mean %.2f, total %llu\n", (unsigned)u->erase_min,
           (unsigned)u->erase_max, (double)u->erase_total / info->sector_count,
           (unsigned long long)u->erase_total);
    printf("programmed     %llu %s (%.1f%%) in %u of %u sectors\n",
           (unsigned long long)u->programmed_bytes,
           run_plural(u->programmed_bytes, "byte", "bytes"),
           100.0 * (double)u->programmed_bytes / info->total_bytes, (unsigned)u->sectors_used,
           (unsigned)info->sector_count);
}

static int print_json(const char *path, const nor_image_info *info, const image_usage *u) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "file", path);
    cJSON_AddStringToObject(root, "preset", info->preset);
    cJSON_AddNumberToObject(root, "total_bytes", info->total_bytes);
    cJSON *sectors = cJSON_AddArrayToObject(root, "sectors");
    for (uint32_t r = 0; r < info->region_count; r++) {
        cJSON *region = cJSON_CreateObject();
        cJSON_AddNumberToObject(region, "count", info->regions[r].count);
        cJSON_AddNumberToObject(region, "size", info->regions[r].size);
        cJSON_AddItemToArray(sectors, region);
    }
    cJSON_AddNumberToObject(root, "write_unit", info->write_unit);
    cJSON_AddNumberToObject(root, "erase_value", info->erase_value);
    cJSON *counts = cJSON_AddArrayToObject(root, "erase_counts");
    for (uint32_t s = 0; s < info->sector_count; s++)
        cJSON_AddItemToArray(counts, cJSON_CreateNumber(info->erase_counts[s]));
    cJSON *summary = cJSON_AddObjectToObject(root, "erase_summary");
    cJSON_AddNumberToObject(summary, "min", u->erase_min);
    cJSON_AddNumberToObject(summary, "max", u->erase_max);
    cJSON_AddNumberToObject(summary, "total", (double)u->erase_total);
    cJSON_AddNumberToObject(root, "programmed_bytes", (double)u->programmed_bytes);
    cJSON_AddNumberToObject(root, "sectors_used", u->sectors_used);
    return cli_print_json(root);
}

static int image_info(const cli_command *cmd, const char *path, bool json) {
    nor_image_info info;
    int rc = load_info(cmd, path, &info);
    if (rc) return rc;
    image_usage usage = {0};
    usage_ctx ctx = {&info, &usage};
    rc = for_each_sector(cmd, path, &info, count_sector, &ctx);
    if (!rc && json)
        rc = print_json(path, &info, &usage);
    else if (!rc)
        print_text(path, &info, &usage);
    nor_image_info_free(&info);
    return rc;
}

/* ---- dump ---- */

typedef struct dump_ctx {
    uint8_t erase_value;
    bool only_one; /* --sector: that sector only */
    uint32_t sector;
    bool folded; /* the last line printed was "*" */
} dump_ctx;

static void dump_sector(void *ctx, uint32_t sector, uint32_t address, const uint8_t *data,
                        uint32_t size) {
    dump_ctx *d = ctx;
    if (d->only_one && sector != d->sector) return;
    printf("sector %u at 0x%08X, %u bytes\n", (unsigned)sector, (unsigned)address, (unsigned)size);
    d->folded = false;
    for (uint32_t at = 0; at < size; at += 16) {
        uint32_t n = size - at < 16 ? size - at : 16;
        bool erased = true;
        for (uint32_t i = 0; i < n && erased; i++) erased = data[at + i] == d->erase_value;
        if (erased) {
            if (!d->folded) printf("*\n");
            d->folded = true;
            continue;
        }
        d->folded = false;
        printf("%08X ", (unsigned)(address + at));
        for (uint32_t i = 0; i < n; i++) printf(" %02x", data[at + i]);
        printf("%*s  |", (int)(3 * (16 - n)), "");
        for (uint32_t i = 0; i < n; i++)
            putchar(data[at + i] >= 0x20 && data[at + i] < 0x7f ? data[at + i] : '.');
        printf("|\n");
    }
}

static int image_dump(const cli_command *cmd, const char *path, bool one, uint64_t sector) {
    nor_image_info info;
    int rc = load_info(cmd, path, &info);
    if (rc) return rc;
    if (one && sector >= info.sector_count) {
        nor_image_info_free(&info);
        return cli_usage_error(cmd, "--sector %llu: the image has sectors 0..%u",
                               (unsigned long long)sector, (unsigned)info.sector_count - 1);
    }
    dump_ctx ctx = {.erase_value = info.erase_value, .only_one = one, .sector = (uint32_t)sector};
    rc = for_each_sector(cmd, path, &info, dump_sector, &ctx);
    nor_image_info_free(&info);
    return rc;
}

int cmd_image(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("image");
    bool json = false;
    uint64_t sector = 0;
    const cli_flag flags[] = {
        {"json", CLI_BOOL, &json, NULL, "info: print one JSON object"},
        {"sector", CLI_U64, &sector, "N", "dump: only sector N"},
        {NULL, 0, NULL, NULL, NULL},
    };
    bool sector_given = cli_flag_present(argc, argv, "sector");
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos == 0) return cli_usage_error(cmd, "expected info or dump, then an image FILE");
    const char *what = argv[1];
    bool info = strcmp(what, "info") == 0, dump = strcmp(what, "dump") == 0;
    if (!info && !dump)
        return cli_usage_error(cmd, "unknown action '%s' (expected info or dump)", what);
    if (npos != 2) return cli_usage_error(cmd, "image %s expects one image FILE", what);
    if (info && sector_given) return cli_usage_error(cmd, "--sector goes with 'image dump'");
    if (dump && json) return cli_usage_error(cmd, "--json goes with 'image info'");
    return info ? image_info(cmd, argv[2], json) : image_dump(cmd, argv[2], sector_given, sector);
}
