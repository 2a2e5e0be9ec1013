/* `norbench run`'s combinations: files times presets (--preset, or each file's "matrix"), each
 * run on its own and named NAME[preset=P], and --dump-image's flash images. */
#include "run_matrix.h"
#include "grow.h"
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool plan_add(run_plan *plan, const char *path, const char *preset) {
    if (!grow_array(&plan->items, &plan->capacity, plan->count, sizeof *plan->items, 32))
        return false;
    plan->items[plan->count++] = (run_combination){path, preset};
    return true;
}

void run_plan_free(run_plan *plan) {
    free(plan->items);
    memset(plan, 0, sizeof *plan);
}

/* --preset A,B,C: known names, none twice, none empty. */
static int parse_presets(const cli_command *cmd, const char *list, const char **out,
                         size_t *count) {
    *count = 0;
    const char *at = list;
    for (;;) {
        size_t n = strcspn(at, ",");
        const nor_config *found = NULL;
        for (size_t i = 0; i < nor_preset_count() && !found; i++) {
            const nor_config *p = nor_preset_at(i);
            if (strlen(p->name) == n && strncmp(p->name, at, n) == 0) found = p;
        }
        if (!found) {
            char names[400] = "";
            for (size_t i = 0, used = 0; i < nor_preset_count() && used < sizeof names; i++)
                used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                                         nor_preset_at(i)->name);
            return cli_usage_error(cmd, "--preset: unknown preset '%.*s'; expected names from: %s",
                                   (int)n, at, names);
        }
        for (size_t i = 0; i < *count; i++)
            if (out[i] == found->name)
                return cli_usage_error(cmd, "--preset: '%s' is listed twice", found->name);
        if (*count == SCENARIO_MATRIX_MAX)
            return cli_usage_error(cmd, "--preset: at most %d presets", SCENARIO_MATRIX_MAX);
        out[(*count)++] = found->name;
        if (at[n] == '\0') return CLI_EXIT_OK;
        at += n + 1;
    }
}

/* The presets of a file's "matrix"; none when it has none or does not load (the run reports
 * why). */
static size_t file_matrix(const char *path, const char **out) {
    scenario *sc = NULL;
    scenario_errors errors;
    size_t count = 0;
    if (scenario_load_file(path, &sc, &errors) == SCENARIO_OK)
        for (; count < sc->matrix.preset_count; count++)
            out[count] = nor_preset_at(sc->matrix.presets[count])->name;
    scenario_free(sc);
    scenario_errors_free(&errors);
    return count;
}

int run_plan_build(const cli_command *cmd, const path_list *files, const char *presets,
                   run_plan *out) {
    const char *given[SCENARIO_MATRIX_MAX];
    size_t given_count = 0;
    memset(out, 0, sizeof *out);
    if (presets) {
        int rc = parse_presets(cmd, presets, given, &given_count);
        if (rc) return rc;
    }
    for (size_t i = 0; i < files->count; i++) {
        const char *own[SCENARIO_MATRIX_MAX];
        const char **list = given;
        size_t count = given_count;
        if (!presets) {
            list = own;
            count = file_matrix(files->items[i], own);
        }
        bool ok = count ? true : plan_add(out, files->items[i], NULL);
        for (size_t p = 0; ok && p < count; p++) ok = plan_add(out, files->items[i], list[p]);
        if (!ok) {
            fprintf(stderr, "norbench %s: out of memory\n", cmd->name);
            run_plan_free(out);
            return CLI_EXIT_FAIL;
        }
    }
    return CLI_EXIT_OK;
}

/* DIR/NAME.bin with "[preset=P]" written ".P" (no brackets or '=' in file names). */
static void image_path(char *out, size_t size, const char *dir, const char *name) {
    char base[RUN_NAME_MAX];
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < sizeof base; p++) {
        if (*p == ']') continue;
        base[n++] = *p == '[' ? '.' : *p;
        if (*p == '[' && strncmp(p + 1, "preset=", 7) == 0) p += 7;
    }
    base[n] = '\0';
    snprintf(out, size, "%s/%s.bin", dir, base);
}

static bool dump_image(const char *dir, const char *name, const nor *dev) {
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "norbench run: --dump-image: cannot create %s: %s\n", dir, strerror(errno));
        return false;
    }
    char path[RUN_FILE_MAX + RUN_NAME_MAX];
    image_path(path, sizeof path, dir, name);
    int rc = nor_image_save(dev, path);
    if (rc)
        fprintf(stderr, "norbench run: --dump-image: cannot write %s: %s\n", path,
                rc == NOR_E_IO ? strerror(errno) : nor_strerror(rc));
    return rc == NOR_OK;
}

int run_combination_run(const run_combination *c, const runner_options *opts, const char *dump_dir,
                        scenario_result *out, scenario_errors *errors, bool *dump_failed) {
    scenario_load_options load = {.preset = c->preset};
    runner_options o = *opts;
    o.load = &load;
    nor *dev = NULL;
    if (dump_dir) o.keep_device = &dev;
    int rc = runner_run_file(c->path, &o, out, errors);
    if (c->preset) {
        size_t n = strlen(out->name);
        snprintf(out->name + n, sizeof out->name - n, "[preset=%s]", c->preset);
        snprintf(out->preset, sizeof out->preset, "%s", c->preset);
    }
    if (dev && !dump_image(dump_dir, out->name, dev)) *dump_failed = true;
    nor_destroy(dev);
    return rc;
}
