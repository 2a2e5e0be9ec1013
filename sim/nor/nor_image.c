/* Flash images: PATH holds the raw stored bits, PATH.json (cJSON) the geometry and per-sector
 * erase counts. Loading checks every field against the device and rejects anything else with
 * NOR_E_IMAGE (nor_image_info.c reads and bounds the sidecar), so a bad file never reaches the
 * model. Not saved: weak and stuck bits, write
 * counts, broken and torn ECC words (their references), the tear watch, and the configuration's
 * rules (ecc, strict, erase_preprogram, timing): a loaded device takes those from itself. */
#include "nor_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE_FORMAT  "norbench-image"
#define IMAGE_VERSION 1

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

/* Reads exactly `len` bytes of a file (the info check has seen its size). */
static int read_raw(const char *path, size_t len, uint8_t **out) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return NOR_E_IO;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        fclose(f);
        return NOR_E_NOMEM;
    }
    size_t n = fread(buf, 1, len, f);
    int rc = ferror(f) ? NOR_E_IO : n != len ? NOR_E_IMAGE : NOR_OK;
    fclose(f);
    if (rc)
        free(buf);
    else
        *out = buf;
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

int nor_image_load_explained(nor *dev, const char *path, char *why, size_t why_size) {
    if (!path) return NOR_E_IO;
    nor_image_info info;
    int rc = nor_image_read_info(path, &info, why, why_size);
    if (rc) return rc;
    uint8_t *raw = NULL;
    rc = nor_image_check_config(&info, &dev->cfg, why, why_size);
    if (!rc && info.sector_count != dev->sector_count) rc = NOR_E_IMAGE;
    if (!rc) rc = read_raw(path, dev->total_bytes, &raw);
    if (!rc) rc = install_image(dev, raw, info.erase_counts);
    free(raw);
    nor_image_info_free(&info);
    return rc;
}

int nor_image_load(nor *dev, const char *path) {
    char why[NOR_IMAGE_WHY_MAX];
    return nor_image_load_explained(dev, path, why, sizeof why);
}
