/* Reproducers: a failed cut point written as a standalone scenario file, the original file with
 * its seed fixed, its engine named as the campaign drove it (a plugin by its absolute path), and
 * a top-level "cut" object that places the cut (and the cut inside the recovery) where the
 * campaign did, so that `norbench run FILE` replays the failure exactly;
 * and those of an earlier campaign of the scenario removed, so that none outlives its failure. */
#define _XOPEN_SOURCE 700 /* realpath, PATH_MAX */
#include "adapter_plugin.h"
#include "campaign_internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t capacity = SCENARIO_MAX_FILE_BYTES + 1;
    char *text = malloc(capacity);
    size_t n = text ? fread(text, 1, capacity - 1, f) : 0;
    fclose(f);
    if (text) text[n] = '\0';
    return text;
}

static cJSON *cut_json(uint64_t op, bool is_erase, unsigned torn) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "op", (double)op);
    cJSON_AddStringToObject(o, is_erase ? "torn_erase" : "torn_program",
                            campaign_torn_name(is_erase, torn));
    return o;
}

static void file_name(char *out, size_t size, const char *dir, const char *scenario_name,
                      const campaign_failure *f) {
    int n = snprintf(out, size, "%s/%s-op%llu-%s-%s", dir, scenario_name, (unsigned long long)f->op,
                     f->is_erase ? "erase" : "program", campaign_torn_name(f->is_erase, f->torn));
    if (f->has_recovery_cut && n > 0 && (size_t)n < size)
        n += snprintf(out + n, size - (size_t)n, "-r%llu-%s-%s", (unsigned long long)f->recovery_op,
                      f->recovery_is_erase ? "erase" : "program",
                      campaign_torn_name(f->recovery_is_erase, f->recovery_torn));
    if (n > 0 && (size_t)n < size) snprintf(out + n, size - (size_t)n, ".json");
}

/* Reads "<tag><digits>-<kind>-<torn>" at *p (tag "op" or "r"), as file_name writes it. */
static bool parse_cut_name(const char **p, const char *tag) {
    const char *s = *p;
    size_t n = strlen(tag);
    if (strncmp(s, tag, n) != 0) return false;
    s += n;
    if (*s < '0' || *s > '9') return false;
    while (*s >= '0' && *s <= '9') s++;
    bool is_erase = !strncmp(s, "-erase-", 7);
    if (!is_erase && strncmp(s, "-program-", 9) != 0) return false;
    s += is_erase ? 7 : 9;
    unsigned modes = is_erase ? CAMPAIGN_TORN_ERASE_MODES : CAMPAIGN_TORN_PROGRAM_MODES;
    for (unsigned m = 0; m < modes; m++) {
        const char *name = campaign_torn_name(is_erase, m);
        size_t len = strlen(name);
        if (!strncmp(s, name, len) && (s[len] == '-' || s[len] == '.')) {
            *p = s + len;
            return true;
        }
    }
    return false;
}

/* A file name file_name gives for some failure of `scenario_name`. */
static bool is_reproducer_of(const char *file, const char *scenario_name) {
    size_t n = strlen(scenario_name);
    if (strncmp(file, scenario_name, n) != 0 || file[n] != '-') return false;
    const char *p = file + n + 1;
    if (!parse_cut_name(&p, "op")) return false;
    if (*p == '-' && (++p, !parse_cut_name(&p, "r"))) return false;
    return !strcmp(p, ".json");
}

int campaign_remove_reproducers(const char *dir, const char *scenario_name) {
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? CAMPAIGN_OK : CAMPAIGN_E_IO;
    int rc = CAMPAIGN_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_reproducer_of(e->d_name, scenario_name)) continue;
        char path[sizeof(((campaign_failure *)0)->reproducer)];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            (unlink(path) != 0 && errno != ENOENT))
            rc = CAMPAIGN_E_IO;
    }
    closedir(d);
    return rc;
}

/* The engine the campaign drove, named so that the reproducer replays on it from any folder:
 * a plugin given with --engine-lib becomes the scenario's engine type "plugin", and a plugin's
 * library (its own or that one) an absolute path. */
static void name_the_engine(cJSON *root, const campaign_plan *plan) {
    char library[PATH_MAX];
    const adapter_kind *engine = plan->options->engine;
    bool given = engine_plugin_file(engine, library, sizeof library);
    if (!given &&
        (engine || !plan->sc->engine.library || !realpath(plan->sc->engine.library, library)))
        return;
    cJSON *object = cJSON_GetObjectItemCaseSensitive(root, "engine");
    if (!cJSON_IsObject(object)) return;
    if (given) {
        cJSON_DeleteItemFromObjectCaseSensitive(object, "type");
        cJSON_DeleteItemFromObjectCaseSensitive(object, "api");
        cJSON_AddStringToObject(object, "type", "plugin");
        cJSON_AddStringToObject(object, "api",
                                plan->sc->engine.capabilities & SCENARIO_CAN_MAP ? "map" : "queue");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(object, "library");
    cJSON_AddStringToObject(object, "library", library);
}

int campaign_write_reproducer(const campaign_plan *plan, uint64_t seed, const char *dir,
                              campaign_failure *f) {
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return CAMPAIGN_E_IO;
    char *text = read_text(plan->path);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!root) return CAMPAIGN_E_IO;
    cJSON_DeleteItemFromObjectCaseSensitive(root, "seed");
    cJSON_DeleteItemFromObjectCaseSensitive(root, "cut");
    name_the_engine(root, plan);
    char seed_text[24]; /* raw: a double would round seeds above 2^53 */
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)seed);
    cJSON_AddRawToObject(root, "seed", seed_text);
    cJSON *cut = cut_json(f->op, f->is_erase, f->torn);
    if (f->has_recovery_cut)
        cJSON_AddItemToObject(cut, "recovery",
                              cut_json(f->recovery_op, f->recovery_is_erase, f->recovery_torn));
    if (plan->options->limit_steps)
        cJSON_AddNumberToObject(cut, "then_steps", (double)plan->options->steps);
    cJSON_AddItemToObject(root, "cut", cut);
    char *out = cJSON_Print(root);
    cJSON_Delete(root);
    if (!out) return CAMPAIGN_E_NOMEM;
    char path[sizeof f->reproducer];
    file_name(path, sizeof path, dir, plan->sc->name, f);
    FILE *file = fopen(path, "w");
    int rc =
        file && fputs(out, file) >= 0 && fputc('\n', file) != EOF ? CAMPAIGN_OK : CAMPAIGN_E_IO;
    if (file && fclose(file) != 0) rc = CAMPAIGN_E_IO;
    free(out);
    if (!rc) memcpy(f->reproducer, path, sizeof path);
    return rc;
}
