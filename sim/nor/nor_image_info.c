/* Reading an image without a device: the sidecar's fields parsed and bounded (every length in
 * it is input), the raw file's size checked against them, and the image compared with a
 * configuration, each refusal with a sentence that names the field and what was expected. */
#include "nor_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define IMAGE_FORMAT      "norbench-image"
#define IMAGE_VERSION     1
#define SIDECAR_MAX_BYTES (16u << 20)

static int refuse(char *why, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t size, const char *fmt, ...) {
    if (why && size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, size, fmt, ap);
        va_end(ap);
    }
    return NOR_E_IMAGE;
}

/* A JSON number that is a whole value in [0, max]. */
static bool whole_number(const cJSON *item, uint64_t max, uint64_t *out) {
    if (!cJSON_IsNumber(item)) return false;
    double v = item->valuedouble;
    if (!(v >= 0 && v <= (double)max) || v != (double)(uint64_t)v) return false;
    *out = (uint64_t)v;
    return true;
}

/* cJSON keeps the first of two equal keys; a sidecar that says a field twice is malformed. */
static const char *duplicate_key(const cJSON *obj) {
    for (const cJSON *a = obj->child; a; a = a->next)
        for (const cJSON *b = a->next; b; b = b->next)
            if (a->string && b->string && strcmp(a->string, b->string) == 0) return a->string;
    return NULL;
}

static int get_field(const cJSON *obj, const char *where, const char *key, uint64_t max,
                     uint64_t *out, char *why, size_t size) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item) return refuse(why, size, "%s%s is missing", where, key);
    if (!whole_number(item, max, out))
        return refuse(why, size, "%s%s is not a whole number in 0..%llu", where, key,
                      (unsigned long long)max);
    return NOR_OK;
}

static int parse_regions(const cJSON *root, nor_image_info *info, char *why, size_t size) {
    const cJSON *sectors = cJSON_GetObjectItemCaseSensitive(root, "sectors");
    if (!cJSON_IsArray(sectors)) return refuse(why, size, "sectors is not an array");
    int n = cJSON_GetArraySize(sectors);
    if (n < 1 || n > NOR_MAX_REGIONS)
        return refuse(why, size, "sectors lists %d regions; expected 1..%d", n, NOR_MAX_REGIONS);
    uint64_t sector_count = 0, bytes = 0;
    const cJSON *region;
    cJSON_ArrayForEach(region, sectors) {
        uint32_t r = info->region_count;
        char where[32];
        snprintf(where, sizeof where, "sectors[%u].", (unsigned)r);
        if (!cJSON_IsObject(region))
            return refuse(why, size, "sectors[%u] is not an object", (unsigned)r);
        const char *twice = duplicate_key(region);
        if (twice) return refuse(why, size, "%s%s is given twice", where, twice);
        uint64_t count, bytes_each;
        int rc = get_field(region, where, "count", NOR_IMAGE_MAX_SECTORS, &count, why, size);
        if (!rc) rc = get_field(region, where, "size", UINT32_MAX, &bytes_each, why, size);
        if (rc) return rc;
        if (count == 0 || bytes_each == 0)
            return refuse(why, size, "%scount and size must not be 0", where);
        sector_count += count;
        bytes += count * bytes_each;
        if (sector_count > NOR_IMAGE_MAX_SECTORS || bytes > UINT32_MAX)
            return refuse(why, size, "the sectors add up to more than %u sectors or 4 GiB",
                          NOR_IMAGE_MAX_SECTORS);
        info->regions[r] = (nor_region){.count = (uint32_t)count, .size = (uint32_t)bytes_each};
        info->region_count++;
    }
    if (bytes != info->total_bytes)
        return refuse(why, size, "the sectors add up to %llu bytes, but total_bytes is %u",
                      (unsigned long long)bytes, (unsigned)info->total_bytes);
    info->sector_count = (uint32_t)sector_count;
    return NOR_OK;
}

static int parse_erase_counts(const cJSON *root, nor_image_info *info, char *why, size_t size) {
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(root, "erase_counts");
    if (!cJSON_IsArray(counts)) return refuse(why, size, "erase_counts is not an array");
    int n = cJSON_GetArraySize(counts);
    if (n < 0 || (uint32_t)n != info->sector_count)
        return refuse(why, size, "erase_counts has %d numbers; the sectors say %u", n,
                      (unsigned)info->sector_count);
    info->erase_counts = calloc(info->sector_count, sizeof *info->erase_counts);
    if (!info->erase_counts) return NOR_E_NOMEM;
    uint32_t s = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, counts) {
        uint64_t v;
        if (!whole_number(item, UINT32_MAX, &v))
            return refuse(why, size, "erase_counts[%u] is not a whole number in 0..%u", (unsigned)s,
                          UINT32_MAX);
        info->erase_counts[s++] = (uint32_t)v;
    }
    return NOR_OK;
}

static int parse_root(const cJSON *root, nor_image_info *info, char *why, size_t size) {
    if (!cJSON_IsObject(root)) return refuse(why, size, "the sidecar is not a JSON object");
    const char *twice = duplicate_key(root);
    if (twice) return refuse(why, size, "%s is given twice", twice);
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsString(format) || strcmp(format->valuestring, IMAGE_FORMAT) != 0)
        return refuse(why, size, "format is not \"%s\"", IMAGE_FORMAT);
    uint64_t version, total, unit, erase_value;
    int rc = get_field(root, "", "version", UINT32_MAX, &version, why, size);
    if (rc) return rc;
    if (version != IMAGE_VERSION)
        return refuse(why, size, "version %llu is not supported; expected %d",
                      (unsigned long long)version, IMAGE_VERSION);
    const cJSON *preset = cJSON_GetObjectItemCaseSensitive(root, "preset");
    if (!cJSON_IsString(preset)) return refuse(why, size, "preset is not a string");
    snprintf(info->preset, sizeof info->preset, "%s", preset->valuestring);
    rc = get_field(root, "", "total_bytes", UINT32_MAX, &total, why, size);
    if (!rc) rc = get_field(root, "", "write_unit", 32, &unit, why, size);
    if (!rc) rc = get_field(root, "", "erase_value", 255, &erase_value, why, size);
    if (rc) return rc;
    if (unit == 0 || (unit & (unit - 1)))
        return refuse(why, size, "write_unit %llu is not 1, 2, 4, 8, 16 or 32",
                      (unsigned long long)unit);
    if (erase_value != 0 && erase_value != 255)
        return refuse(why, size, "erase_value %llu is not 0 or 255",
                      (unsigned long long)erase_value);
    info->total_bytes = (uint32_t)total;
    info->write_unit = (uint32_t)unit;
    info->erase_value = (uint8_t)erase_value;
    rc = parse_regions(root, info, why, size);
    return rc ? rc : parse_erase_counts(root, info, why, size);
}

int nor_image_parse_sidecar(const char *text, size_t length, nor_image_info *info, char *why,
                            size_t why_size) {
    memset(info, 0, sizeof *info);
    if (length > SIDECAR_MAX_BYTES)
        return refuse(why, why_size, "the sidecar is %zu bytes; expected at most %u", length,
                      SIDECAR_MAX_BYTES);
    /* An embedded NUL would hide the rest of the text from the parser. */
    if (memchr(text, '\0', length)) return refuse(why, why_size, "the sidecar holds a NUL byte");
    cJSON *root = cJSON_ParseWithLength(text, length);
    if (!root) return refuse(why, why_size, "the sidecar is not valid JSON");
    int rc = parse_root(root, info, why, why_size);
    cJSON_Delete(root);
    if (rc) nor_image_info_free(info);
    return rc;
}

void nor_image_info_free(nor_image_info *info) {
    free(info->erase_counts);
    info->erase_counts = NULL;
}

/* Reads at most `max` bytes of a file; *len is max + 1 when there is more. */
static int read_prefix(const char *path, size_t max, char **out, size_t *len) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return NOR_E_IO;
    char *buf = malloc(max + 1);
    if (!buf) {
        fclose(f);
        return NOR_E_NOMEM;
    }
    *len = fread(buf, 1, max + 1, f);
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) {
        free(buf);
        return NOR_E_IO;
    }
    *out = buf;
    return NOR_OK;
}

/* The raw file's size without reading it (seek to its end), or why it has none: missing,
 * unreadable, or a folder (which fopen opens on Linux, and which has no sidecar beside it). */
static int raw_size(const char *path, long *size, char *why, size_t why_size) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return snprintf(why, why_size, "%s: is a folder, not an image file", path), NOR_E_IO;
    FILE *f = fopen(path, "rb");
    int rc = f && fseek(f, 0, SEEK_END) == 0 && (*size = ftell(f)) >= 0 ? NOR_OK : NOR_E_IO;
    if (rc) snprintf(why, why_size, "%s: cannot read the image: %s", path, strerror(errno));
    if (f) fclose(f);
    return rc;
}

int nor_image_read_info(const char *path, nor_image_info *info, char *why, size_t why_size) {
    memset(info, 0, sizeof *info);
    /* The image first: a missing image is named as such, not by its missing sidecar. */
    long size = 0;
    if (raw_size(path, &size, why, why_size) != NOR_OK) return NOR_E_IO;
    size_t n = strlen(path);
    char *json_path = malloc(n + sizeof ".json");
    if (!json_path) return NOR_E_NOMEM;
    memcpy(json_path, path, n);
    memcpy(json_path + n, ".json", sizeof ".json");
    char *text = NULL;
    size_t len = 0;
    int rc = read_prefix(json_path, SIDECAR_MAX_BYTES, &text, &len);
    if (rc == NOR_E_IO)
        snprintf(why, why_size, "%s: cannot read the sidecar: %s", json_path, strerror(errno));
    if (!rc) {
        char detail[NOR_IMAGE_WHY_MAX];
        rc = nor_image_parse_sidecar(text, len, info, detail, sizeof detail);
        if (rc == NOR_E_IMAGE) snprintf(why, why_size, "%s: %s", json_path, detail);
    }
    free(text);
    free(json_path);
    if (!rc && (unsigned long)size != info->total_bytes)
        rc = refuse(why, why_size, "%s: the image is %ld bytes; its sidecar says %u (%s)", path,
                    size, (unsigned)info->total_bytes,
                    (unsigned long)size < info->total_bytes ? "truncated" : "too long");
    if (rc) nor_image_info_free(info);
    return rc;
}

int nor_image_check_config(const nor_image_info *info, const nor_config *cfg, char *why,
                           size_t why_size) {
    const char *of = cfg->name;
    if (info->total_bytes != nor_config_total_bytes(cfg))
        return refuse(why, why_size, "the image holds %u bytes; the flash ('%s') has %u",
                      (unsigned)info->total_bytes, of, (unsigned)nor_config_total_bytes(cfg));
    if (info->region_count != cfg->region_count)
        return refuse(why, why_size, "the image has %u sector regions; the flash ('%s') has %u",
                      (unsigned)info->region_count, of, (unsigned)cfg->region_count);
    for (uint32_t r = 0; r < info->region_count; r++) {
        const nor_region *a = &info->regions[r], *b = &cfg->regions[r];
        if (a->count != b->count || a->size != b->size)
            return refuse(why, why_size,
                          "region %u of the image is %u sectors of %u bytes; the flash ('%s') "
                          "has %u of %u",
                          (unsigned)r, (unsigned)a->count, (unsigned)a->size, of,
                          (unsigned)b->count, (unsigned)b->size);
    }
    if (info->write_unit != cfg->write_unit)
        return refuse(why, why_size, "the image's write unit is %u bytes; the flash ('%s') has %u",
                      (unsigned)info->write_unit, of, (unsigned)cfg->write_unit);
    if (info->erase_value != cfg->erase_value)
        return refuse(why, why_size, "the image's erase value is %u; the flash ('%s') has %u",
                      (unsigned)info->erase_value, of, (unsigned)cfg->erase_value);
    return NOR_OK;
}
