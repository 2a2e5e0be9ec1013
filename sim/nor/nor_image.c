/* Flash images: PATH holds the raw stored bits, PATH.json (cJSON) the geometry and per-sector
 * erase counts. Loading checks every field against the device and rejects anything else with
 * NOR_E_IMAGE, so a bad file never reaches the model. Not saved: weak and stuck bits, write
 * counts, broken and torn ECC words (their references), the tear watch, and the configuration's
 * rules (ecc, strict, erase_preprogram, timing): a loaded device takes those from itself. */
#include "nor_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE_FORMAT      "norbench-image"
#define IMAGE_VERSION     1
#define SIDECAR_MAX_BYTES (16u << 20)

static char *sidecar_path(const char *path) {
    size_t n = strlen(path);
    char *out = malloc(n + sizeof ".json");
    if (!out) return NULL;
    memcpy(out, path, n);
    memcpy(out + n, ".json", sizeof ".json");
    return out;
}

static cJSON *sidecar_json(const nor *dev) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", IMAGE_FORMAT);
    cJSON_AddNumberToObject(root, "version", IMAGE_VERSION);
    cJSON_AddStringToObject(root, "preset", dev->cfg.name);
    cJSON_AddNumberToObject(root, "total_bytes", dev->total_bytes);
    cJSON *sectors = cJSON_AddArrayToObject(root, "sectors");
    for (uint32_t r = 0; r < dev->cfg.region_count; r++) {
        cJSON *region = cJSON_CreateObject();
        cJSON_AddNumberToObject(region, "count", dev->cfg.regions[r].count);
        cJSON_AddNumberToObject(region, "size", dev->cfg.regions[r].size);
        cJSON_AddItemToArray(sectors, region);
    }
    cJSON_AddNumberToObject(root, "write_unit", dev->cfg.write_unit);
    cJSON_AddNumberToObject(root, "erase_value", dev->cfg.erase_value);
    cJSON *counts = cJSON_AddArrayToObject(root, "erase_counts");
    for (uint32_t s = 0; s < dev->sector_count; s++)
        cJSON_AddItemToArray(counts, cJSON_CreateNumber(dev->erase_counts[s]));
    return root;
}

static int write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return NOR_E_IO;
    size_t written = fwrite(data, 1, len, f);
    int closed = fclose(f);
    return written == len && closed == 0 ? NOR_OK : NOR_E_IO;
}

static int write_contents(const nor *dev, const char *path) {
    FILE *f = fopen(path, "wb");
    if (!f) return NOR_E_IO;
    bool ok = true;
    for (uint32_t s = 0; s < dev->sector_count && ok; s++)
        ok = fwrite(dev->blocks[s]->data, 1, dev->blocks[s]->size, f) == dev->blocks[s]->size;
    ok &= fclose(f) == 0;
    return ok ? NOR_OK : NOR_E_IO;
}

int nor_image_save(const nor *dev, const char *path) {
    if (!path) return NOR_E_IO;
    int rc = write_contents(dev, path);
    if (rc) return rc;
    char *json_path = sidecar_path(path);
    cJSON *root = sidecar_json(dev);
    char *text = root ? cJSON_Print(root) : NULL;
    if (!json_path || !text)
        rc = NOR_E_NOMEM;
    else
        rc = write_file(json_path, text, strlen(text));
    free(text);
    cJSON_Delete(root);
    free(json_path);
    return rc;
}

/* Reads a whole file of at most `max` bytes; a longer file is an image error. */
static int read_file(const char *path, size_t max, uint8_t **out, size_t *len) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return NOR_E_IO;
    uint8_t *buf = malloc(max + 1);
    if (!buf) {
        fclose(f);
        return NOR_E_NOMEM;
    }
    size_t n = fread(buf, 1, max + 1, f);
    int rc = ferror(f) ? NOR_E_IO : n > max ? NOR_E_IMAGE : NOR_OK;
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = n;
    return NOR_OK;
}

/* A JSON number that is a whole value in [0, max]. */
static bool get_uint(const cJSON *obj, const char *key, uint64_t max, uint64_t *out) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(item)) return false;
    double v = item->valuedouble;
    if (!(v >= 0 && v <= (double)max) || v != (double)(uint64_t)v) return false;
    *out = (uint64_t)v;
    return true;
}

static bool item_is_count(const cJSON *item, uint32_t *out) {
    if (!cJSON_IsNumber(item)) return false;
    double v = item->valuedouble;
    if (!(v >= 0 && v <= UINT32_MAX) || v != (double)(uint32_t)v) return false;
    *out = (uint32_t)v;
    return true;
}

/* cJSON keeps the first of two equal keys; a sidecar that says a field twice is malformed. */
static bool has_duplicate_keys(const cJSON *obj) {
    for (const cJSON *a = obj->child; a; a = a->next)
        for (const cJSON *b = a->next; b; b = b->next)
            if (a->string && b->string && strcmp(a->string, b->string) == 0) return true;
    return false;
}

static bool geometry_matches(const nor *dev, const cJSON *root) {
    uint64_t total, unit, erase_value;
    if (!get_uint(root, "total_bytes", UINT32_MAX, &total) || total != dev->total_bytes ||
        !get_uint(root, "write_unit", 32, &unit) || unit != dev->cfg.write_unit ||
        !get_uint(root, "erase_value", 255, &erase_value) || erase_value != dev->erased_byte)
        return false;
    const cJSON *sectors = cJSON_GetObjectItemCaseSensitive(root, "sectors");
    if (!cJSON_IsArray(sectors) || (uint32_t)cJSON_GetArraySize(sectors) != dev->cfg.region_count)
        return false;
    uint32_t r = 0;
    const cJSON *region;
    cJSON_ArrayForEach(region, sectors) {
        uint64_t count, size;
        if (!cJSON_IsObject(region) || has_duplicate_keys(region) ||
            !get_uint(region, "count", UINT32_MAX, &count) ||
            !get_uint(region, "size", UINT32_MAX, &size) || count != dev->cfg.regions[r].count ||
            size != dev->cfg.regions[r].size)
            return false;
        r++;
    }
    return true;
}

static int parse_sidecar(const nor *dev, const char *text, uint32_t *erase_counts) {
    cJSON *root = cJSON_Parse(text);
    if (!root) return NOR_E_IMAGE;
    int rc = NOR_E_IMAGE;
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
    const cJSON *preset = cJSON_GetObjectItemCaseSensitive(root, "preset");
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(root, "erase_counts");
    uint64_t version;
    if (cJSON_IsObject(root) && !has_duplicate_keys(root) && cJSON_IsString(format) &&
        strcmp(format->valuestring, IMAGE_FORMAT) == 0 &&
        get_uint(root, "version", UINT32_MAX, &version) && version == IMAGE_VERSION &&
        cJSON_IsString(preset) && geometry_matches(dev, root) && cJSON_IsArray(counts) &&
        (uint32_t)cJSON_GetArraySize(counts) == dev->sector_count) {
        rc = NOR_OK;
        uint32_t s = 0;
        const cJSON *item;
        cJSON_ArrayForEach(item, counts) {
            if (!item_is_count(item, &erase_counts[s++])) rc = NOR_E_IMAGE;
        }
    }
    cJSON_Delete(root);
    return rc;
}

/* A loaded sector has no weak or stuck bits; a unit holding data counts as programmed once,
 * since the image cannot say how often it was written. */
static nor_block *block_from_image(const nor *dev, const uint8_t *data, uint32_t size) {
    uint32_t unit = dev->cfg.write_unit;
    nor_block *block =
        nor_block_new_erased(size, dev->track_units ? size / unit : 0, dev->erased_byte);
    if (!block) return NULL;
    memcpy(block->data, data, size);
    for (uint32_t u = 0; u < block->units; u++)
        for (uint32_t j = 0; j < unit; j++)
            if (data[u * unit + j] != dev->erased_byte) {
                block->unit_state[u] = 1;
                break;
            }
    return block;
}

static int install_image(nor *dev, const uint8_t *raw, const uint32_t *erase_counts) {
    nor_block **fresh = calloc(dev->sector_count, sizeof *fresh);
    if (!fresh) return NOR_E_NOMEM;
    uint32_t offset = 0;
    for (uint32_t s = 0; s < dev->sector_count; s++) {
        uint32_t size = dev->blocks[s]->size;
        fresh[s] = block_from_image(dev, raw + offset, size);
        if (!fresh[s]) {
            for (uint32_t i = 0; i < s; i++) nor_block_release(fresh[i]);
            free(fresh);
            return NOR_E_NOMEM;
        }
        offset += size;
    }
    for (uint32_t s = 0; s < dev->sector_count; s++) {
        nor_block_release(dev->blocks[s]);
        dev->blocks[s] = fresh[s];
    }
    memcpy(dev->erase_counts, erase_counts, dev->sector_count * sizeof *erase_counts);
    free(fresh);
    /* The cells the last cut tore are gone. */
    nor_watch_stop(dev);
    return NOR_OK;
}

int nor_image_load(nor *dev, const char *path) {
    if (!path) return NOR_E_IO;
    char *json_path = sidecar_path(path);
    uint32_t *erase_counts = calloc(dev->sector_count, sizeof *erase_counts);
    uint8_t *text = NULL, *raw = NULL;
    size_t text_len = 0, raw_len = 0;
    int rc = json_path && erase_counts ? NOR_OK : NOR_E_NOMEM;
    if (!rc) rc = read_file(json_path, SIDECAR_MAX_BYTES, &text, &text_len);
    if (!rc) {
        text[text_len] = '\0';
        /* An embedded NUL would hide the rest of the file from the parser. */
        rc = strlen((char *)text) == text_len ? parse_sidecar(dev, (char *)text, erase_counts)
                                              : NOR_E_IMAGE;
    }
    if (!rc) rc = read_file(path, dev->total_bytes, &raw, &raw_len);
    if (!rc && raw_len != dev->total_bytes) rc = NOR_E_IMAGE;
    if (!rc) rc = install_image(dev, raw, erase_counts);
    free(raw);
    free(text);
    free(erase_counts);
    free(json_path);
    return rc;
}
