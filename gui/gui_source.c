/* What the window opens: a scenario (run first by the scenario runner, every flash operation
 * recorded on the timeline from the device the runner makes), a flash image and its
 * sidecar, or a demo store on a preset that the seeded workload fills; each on the engine the
 * source names, or on an engine plugin (--engine-lib). */
#include "adapter_plugin.h"
#include "gui_app.h"
#include "runner.h"
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The runner hands over the device it made before it creates the engine: the timeline starts
 * there, so that it records every flash operation of the run. */
static void record_device(void *timeline, nor *dev) {
    gui_timeline_start(timeline, dev);
}

/* The plugin a scenario's engine type "plugin" names, loaded for as long as the window lives. */
static engine_plugin scenario_plugin;

static bool ends_with(const char *s, const char *tail) {
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Tells the caller which engine is about to run on the source (gui_options.on_engine). */
static void announce_engine(const gui_options *o, const char *what, const adapter_kind *kind) {
    if (o->on_engine) o->on_engine(o->engine_ctx, what, o->source, kind);
}

/* The engine the window drives, on the range `range` of the device, and whether the demo
 * workload may run on it (gui_workload_decide: `only_its_own_keys` for an image). */
static int attach_engine(gui_session *s, const adapter_kind *kind, bool only_its_own_keys,
                         char *why, size_t n) {
    s->pages = s->range.size / s->range.page_size;
    int rc = adapter_kind_create(kind, &s->engine, s->dev, &s->range);
    if (rc) {
        snprintf(why, n, "the %s engine cannot use this range: %s", kind->name, nbs_strerror(rc));
        return 2;
    }
    s->have_engine = true;
    s->mount_result = 1;
    if (nor_is_powered(s->dev)) gui_session_mount(s);
    gui_workload_decide(s, only_its_own_keys);
    return 0;
}

/* The scenario's name, preset and engine type, the partition the engine is on and the update
 * slots beside it (docs/update.md), for the window title. */
static void scenario_title(gui_session *s, const scenario *sc) {
    int at =
        snprintf(s->title, sizeof s->title, "%s (%s, %s", sc->name, sc->preset, sc->engine.type);
    bool update_slots = false;
    for (size_t i = 0; i < sc->partition_count; i++)
        update_slots |= strcmp(sc->partitions[i].name, SCENARIO_UPDATE_STATE) == 0;
    if (at > 0 && (size_t)at < sizeof s->title)
        snprintf(s->title + at, sizeof s->title - (size_t)at, "%s%s%s)",
                 sc->engine.partition[0] ? " on partition " : "", sc->engine.partition,
                 update_slots ? ", update slots beside it" : "");
}

/* Whether the preset named `name` is one of the scenario's matrix's. */
static bool in_matrix(const scenario *sc, const char *name) {
    for (size_t i = 0; name && i < sc->matrix.preset_count; i++)
        if (strcmp(nor_preset_at(sc->matrix.presets[i])->name, name) == 0) return true;
    return false;
}

/* A matrix shows one of its presets: the status line says which and how to see another. */
static void matrix_note(gui_session *s, const scenario *sc, const gui_options *o) {
    bool picked = o->matrix_preset && strcmp(sc->preset, o->matrix_preset) == 0;
    if (picked || sc->matrix.preset_count < 2) return;
    char names[120] = "";
    size_t at = 0;
    for (size_t i = 0; i < sc->matrix.preset_count && at < sizeof names; i++)
        at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", i ? ", " : "",
                               nor_preset_at(sc->matrix.presets[i])->name);
    snprintf(s->last_op, sizeof s->last_op,
             "a matrix of %zu presets (%.80s): shown on %.20s; --preset NAME runs it on another",
             sc->matrix.preset_count, names, sc->preset);
}

/* Loads the scenario file on `preset` (NULL: its own); 2 with the first error in `why`. */
static int load_scenario(const char *path, const char *preset, scenario **sc, char *why, size_t n) {
    scenario_errors errors = {0};
    scenario_load_options load = {.preset = preset};
    int rc = scenario_load_file_with(path, &load, sc, &errors);
    if (rc) {
        if (errors.count)
            scenario_error_format(&errors.items[0], why, n);
        else
            snprintf(why, n, "%s: cannot load the scenario", path);
    }
    scenario_errors_free(&errors);
    return rc ? 2 : 0;
}

static int open_scenario(gui_session *s, const gui_options *o, char *why, size_t n) {
    scenario *sc = NULL;
    int rc = load_scenario(o->source, NULL, &sc, why, n);
    if (rc) return rc;
    /* --preset picks one of a matrix's presets (else it is the demo store's device alone). */
    if (in_matrix(sc, o->matrix_preset) && strcmp(sc->preset, o->matrix_preset) != 0) {
        scenario_free(sc);
        sc = NULL;
        if ((rc = load_scenario(o->source, o->matrix_preset, &sc, why, n))) return rc;
    }
    const adapter_kind *kind = o->engine;
    if (!kind && sc->engine.library) {
        if (engine_plugin_load(&scenario_plugin, sc->engine.library, why, n)) {
            scenario_free(sc);
            return 2;
        }
        kind = &scenario_plugin.kind;
    }
    announce_engine(o, "scenario", kind);
    runner_options ro = {.override_seed = o->seed_given,
                         .seed = o->seed,
                         .keep_device = &s->dev,
                         .engine = kind,
                         .on_device = record_device,
                         .device_ctx = &s->tl};
    scenario_result result;
    rc = runner_run(sc, o->source, &ro, &result);
    snprintf(s->verdict, sizeof s->verdict, "%s%s%.140s", run_verdict_name(result.verdict),
             result.message[0] ? ": " : "", result.message);
    free(result.sector_erases);
    if (!kind) kind = adapter_find(sc->engine.type);
    char type[sizeof sc->engine.type];
    snprintf(type, sizeof type, "%s", sc->engine.type);
    s->range = runner_adapter_config(&sc->engine);
    scenario_title(s, sc);
    matrix_note(s, sc, o);
    scenario_free(sc);
    if (!s->dev || !s->tl.dev) {
        snprintf(why, n, "%s: the scenario did not run: %s", o->source, runner_strerror(rc));
        return 1;
    }
    if (!kind) {
        snprintf(why, n, "%s: no engine named '%s'", o->source, type);
        return 2;
    }
    return attach_engine(s, kind, false, why, n);
}

/* A device like the image's: its preset when the sidecar names a known one of the same
 * geometry, else the geometry alone (no wear-out, unlimited programs). */
static nor_config image_config(const nor_image_info *info) {
    const nor_config *preset = nor_preset_find(info->preset);
    char ignored[NOR_IMAGE_WHY_MAX];
    if (preset && nor_image_check_config(info, preset, ignored, sizeof ignored) == NOR_OK)
        return *preset;
    nor_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.name, sizeof cfg.name, "%s", info->preset[0] ? info->preset : "image");
    cfg.region_count = info->region_count;
    for (uint32_t r = 0; r < info->region_count; r++)
        cfg.regions[r] =
            (nor_region){.count = info->regions[r].count, .size = info->regions[r].size};
    cfg.write_unit = info->write_unit;
    cfg.erase_value = info->erase_value;
    cfg.write_policy = NOR_WRITES_UNLIMITED;
    return cfg;
}

/* The store of an image or of the demo: the first region's sectors, one page each. */
static void whole_first_region(gui_session *s, uint32_t pages) {
    const nor_region *r = &nor_get_config(s->dev)->regions[0];
    if (pages > r->count) pages = r->count;
    s->range = (adapter_config){
        .start = 0, .size = (pages ? pages : r->count) * r->size, .page_size = r->size};
}

/* The engine of an image or of the demo: the plugin (--engine-lib) or the built-in one, a
 * queue with --engine queue. */
static const adapter_kind *store_kind(const gui_options *o) {
    return o->engine ? o->engine : adapter_find(o->queue ? "queue" : "map");
}

/* The plugin must provide what --engine asks for (a map unless it says queue). */
static bool plugin_fits(const gui_options *o, char *why, size_t n) {
    unsigned needed = o->queue ? ADAPTER_CAN_QUEUE : ADAPTER_CAN_MAP;
    if (!o->engine || (o->engine->capabilities & needed)) return true;
    snprintf(why, n, "--engine-lib: the %s engine is not a %s engine (--engine %s)",
             o->engine->name, o->queue ? "queue" : "map", o->queue ? "queue" : "map");
    return false;
}

static int open_image(gui_session *s, const gui_options *o, char *why, size_t n) {
    if (!plugin_fits(o, why, n)) return 2;
    nor_image_info info;
    int rc = nor_image_read_info(o->source, &info, why, n);
    if (rc) return 2;
    nor_config cfg = image_config(&info);
    nor_image_info_free(&info);
    if ((rc = nor_create(&s->dev, &cfg, o->seed))) {
        snprintf(why, n, "%s: no device for this geometry: %s", o->source, nor_strerror(rc));
        return 2;
    }
    char reason[NOR_IMAGE_WHY_MAX];
    if ((rc = nor_image_load_explained(s->dev, o->source, reason, sizeof reason))) {
        snprintf(why, n, "%s", rc == NOR_E_IMAGE ? reason : nor_strerror(rc));
        return 2;
    }
    gui_timeline_start(&s->tl, s->dev);
    whole_first_region(s, 0);
    snprintf(s->title, sizeof s->title, "%s (%s image, %s)", o->source, cfg.name,
             o->queue ? "queue" : "map");
    announce_engine(o, "image", store_kind(o));
    return attach_engine(s, store_kind(o), true, why, n);
}

static int open_demo(gui_session *s, const gui_options *o, char *why, size_t n) {
    if (!plugin_fits(o, why, n)) return 2;
    const nor_config *cfg = nor_preset_find(o->preset);
    if (!cfg) {
        snprintf(why, n, "--preset %s: no such preset (norbench presets lists them)", o->preset);
        return 2;
    }
    int rc = nor_create(&s->dev, cfg, o->seed);
    if (rc) {
        snprintf(why, n, "--preset %s: %s", o->preset, nor_strerror(rc));
        return 1;
    }
    gui_timeline_start(&s->tl, s->dev);
    whole_first_region(s, o->pages);
    snprintf(s->title, sizeof s->title, "demo %s on %s, %u pages", o->queue ? "queue" : "map",
             cfg->name, s->range.size / s->range.page_size);
    announce_engine(o, "the demo store", store_kind(o));
    return attach_engine(s, store_kind(o), false, why, n);
}

/* A source that is no file to read (missing, a folder): false with the reason in `why`. */
static bool readable_file(const char *path, char *why, size_t n) {
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(why, n, "%s: cannot open it: %s", path, strerror(errno));
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(why, n, "%s: a folder, not a scenario (.json) or a flash image", path);
        return false;
    }
    return true;
}

int gui_source_open(gui_session *s, const gui_options *o, char *why, size_t n) {
    memset(s, 0, sizeof *s);
    if (o->source && !readable_file(o->source, why, n)) return 2;
    s->workload_rng = o->seed;
    s->mount_result = 1;
    bool scenario = o->source && ends_with(o->source, ".json");
    int rc = !o->source ? open_demo(s, o, why, n)
             : scenario ? open_scenario(s, o, why, n)
                        : open_image(s, o, why, n);
    /* A scenario is watched to its end, then stops; a source without a workload never starts
     * one (the status line says why). */
    s->workload_on = !scenario && !s->no_workload[0];
    if (!rc && !scenario && s->no_workload[0])
        snprintf(s->last_op, sizeof s->last_op, "%s", s->no_workload);
    if (!rc && !s->tl.count) gui_timeline_start(&s->tl, s->dev);
    gui_timeline_seal(&s->tl);
    s->cursor = s->tl.count ? s->tl.count - 1 : 0;
    return rc;
}
