/* Matrices and the flash section's newer parts: the "matrix" field, a load's preset in place
 * of the file's (and its note in messages), "cache": "all" on a queue, the default engine
 * range on sectors of several sizes, and "flash.image" resolved and checked on load. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include "scenario.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static scenario *parse_ok(const char *text, const scenario_load_options *options) {
    scenario *sc = NULL;
    scenario_errors errors;
    int rc = scenario_parse_with("dir/t.json", text, strlen(text), options, &sc, &errors);
    if (rc && errors.count) cr_log_error("%s", errors.items[0].message);
    cr_assert_eq(rc, SCENARIO_OK);
    scenario_errors_free(&errors);
    return sc;
}

/* The one message a text gives, "LINE:COLUMN: PATH: MESSAGE". */
static void parse_fails(const char *text, const scenario_load_options *options, char *out,
                        size_t size) {
    scenario *sc = NULL;
    scenario_errors errors;
    cr_assert_eq(scenario_parse_with("t.json", text, strlen(text), options, &sc, &errors),
                 SCENARIO_E_INVALID);
    cr_assert_null(sc);
    cr_assert_eq(errors.count, 1);
    scenario_error_format(&errors.items[0], out, size);
    scenario_errors_free(&errors);
}

#define MAP_ON(flash)                                                                              \
    "{\"name\": \"m\", \"flash\": " flash                                                          \
    ", \"engine\": {\"type\": \"map\"}, \"steps\": [{\"check\": {}}]}"

Test(scenario_matrix, matrix_lists_presets_in_order) {
    scenario *sc = parse_ok("{\"name\": \"m\", \"flash\": {\"preset\": \"tiny\"}, \"engine\": "
                            "{\"type\": \"map\"}, \"matrix\": {\"preset\": [\"samd21\", "
                            "\"tiny\", \"stm32f4-1m\"]}, \"steps\": [{\"check\": {}}]}",
                            NULL);
    cr_assert_eq(sc->matrix.preset_count, 3);
    cr_assert_str_eq(nor_preset_at(sc->matrix.presets[0])->name, "samd21");
    cr_assert_str_eq(nor_preset_at(sc->matrix.presets[1])->name, "tiny");
    cr_assert_str_eq(nor_preset_at(sc->matrix.presets[2])->name, "stm32f4-1m");
    scenario_free(sc);
    sc = parse_ok(MAP_ON("{\"preset\": \"tiny\"}"), NULL);
    cr_assert_eq(sc->matrix.preset_count, 0);
    scenario_free(sc);
}

Test(scenario_matrix, a_preset_option_replaces_the_files_preset) {
    scenario_load_options options = {.preset = "samd21"};
    scenario *sc = parse_ok(MAP_ON("{\"preset\": \"tiny\", \"sectors\": 4}"), &options);
    cr_assert_str_eq(sc->preset, "samd21");
    cr_assert_str_eq(sc->flash.name, "samd21");
    cr_assert_eq(sc->flash.regions[0].size, nor_preset_find("samd21")->regions[0].size);
    cr_assert_eq(nor_config_sector_count(&sc->flash), 4, "the file's overrides still apply");
    scenario_free(sc);
}

Test(scenario_matrix, an_override_that_does_not_fit_names_the_preset) {
    scenario_load_options options = {.preset = "tiny"};
    char line[600];
    parse_fails(MAP_ON("{\"preset\": \"w25q16jv\", \"sectors\": 16}"), &options, line, sizeof line);
    cr_assert(strstr(line, "flash.sectors: 16 is out of range") != NULL, "%s", line);
    cr_assert(strstr(line, "(on preset 'tiny')") != NULL, "%s", line);
    /* Without the option the same file is fine. */
    scenario_free(parse_ok(MAP_ON("{\"preset\": \"w25q16jv\", \"sectors\": 16}"), NULL));
}

Test(scenario_matrix, cache_all_means_the_caches_an_engine_has) {
    scenario *sc =
        parse_ok("{\"name\": \"q\", \"flash\": {\"preset\": \"tiny\"}, \"engine\": "
                 "{\"type\": \"queue\", \"cache\": \"all\"}, \"steps\": [{\"check\": {}}]}",
                 NULL);
    cr_assert_eq(sc->engine.cache_flags, SCENARIO_CACHE_PAGE_STATES | SCENARIO_CACHE_PAGE_POINTERS);
    scenario_free(sc);
    sc = parse_ok("{\"name\": \"m\", \"flash\": {\"preset\": \"tiny\"}, \"engine\": "
                  "{\"type\": \"map\", \"cache\": \"all\"}, \"steps\": [{\"check\": {}}]}",
                  NULL);
    cr_assert_eq(sc->engine.cache_flags,
                 SCENARIO_CACHE_PAGE_STATES | SCENARIO_CACHE_PAGE_POINTERS | SCENARIO_CACHE_KEYS);
    scenario_free(sc);
}

Test(scenario_matrix, default_range_stops_where_sectors_change_size) {
    /* STM32F4: four 16 KiB sectors, one of 64 KiB, seven of 128 KiB. */
    scenario *sc = parse_ok(MAP_ON("{\"preset\": \"stm32f4-1m\"}"), NULL);
    cr_assert_eq(sc->engine.start, 0);
    cr_assert_eq(sc->engine.page_size, 16384);
    cr_assert_eq(sc->engine.size, 65536);
    scenario_free(sc);
    sc = parse_ok("{\"name\": \"m\", \"flash\": {\"preset\": \"stm32f4-1m\"}, \"engine\": "
                  "{\"type\": \"map\", \"start\": 131072}, \"steps\": [{\"check\": {}}]}",
                  NULL);
    cr_assert_eq(sc->engine.page_size, 131072);
    cr_assert_eq(sc->engine.size, 7 * 131072);
    scenario_free(sc);
    /* A uniform flash: the whole of it, as before. */
    sc = parse_ok(MAP_ON("{\"preset\": \"tiny\"}"), NULL);
    cr_assert_eq(sc->engine.size, nor_config_total_bytes(&sc->flash));
    scenario_free(sc);
}

Test(scenario_matrix, image_path_is_relative_to_the_scenario_file) {
    scenario *sc = parse_ok(MAP_ON("{\"preset\": \"tiny\", \"image\": \"img/a.bin\"}"), NULL);
    cr_assert_str_eq(sc->image, "dir/img/a.bin");
    cr_assert_eq(sc->image_line, 1);
    scenario_free(sc);
    sc = parse_ok(MAP_ON("{\"preset\": \"tiny\", \"image\": \"/abs/a.bin\"}"), NULL);
    cr_assert_str_eq(sc->image, "/abs/a.bin");
    scenario_free(sc);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* Loads DIR/s.json naming image a.bin of the tiny preset saved by the model; returns the
 * first message or "" when it loads. */
static void load_with_image(const char *flash_extra, void (*spoil)(const char *image), char *out,
                            size_t size) {
    char dir[] = "/tmp/nb_matrix_XXXXXX", path[128], image[128], text[512];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(image, sizeof image, "%s/a.bin", dir);
    nor *dev = NULL;
    cr_assert_eq(nor_create(&dev, nor_preset_find("tiny"), 1), NOR_OK);
    cr_assert_eq(nor_image_save(dev, image), NOR_OK);
    nor_destroy(dev);
    if (spoil) spoil(image);
    snprintf(path, sizeof path, "%s/s.json", dir);
    snprintf(text, sizeof text, MAP_ON("{\"preset\": \"tiny\", \"image\": \"a.bin\"%s}"),
             flash_extra);
    write_file(path, text);
    scenario *sc = NULL;
    scenario_errors errors;
    int rc = scenario_load_file(path, &sc, &errors);
    out[0] = '\0';
    if (rc) {
        cr_assert_eq(rc, SCENARIO_E_INVALID);
        cr_assert_eq(errors.count, 1);
        cr_assert_str_eq(errors.items[0].path, "flash.image");
        snprintf(out, size, "%s", errors.items[0].message);
    }
    scenario_free(sc);
    scenario_errors_free(&errors);
}

static void truncate_image(const char *image) {
    write_file(image, "short");
}

static void break_sidecar(const char *image) {
    char sidecar[160];
    snprintf(sidecar, sizeof sidecar, "%s.json", image);
    write_file(sidecar, "{\"format\": \"norbench-image\", \"version\": 1, \"preset\": \"tiny\", "
                        "\"total_bytes\": 1024, \"sectors\": [{\"count\": 4, \"size\": 256}], "
                        "\"write_unit\": 1, \"erase_value\": 255, \"erase_counts\": [0, 0]}");
}

Test(scenario_matrix, an_image_is_checked_when_the_file_loads) {
    char message[400];
    load_with_image("", NULL, message, sizeof message);
    cr_assert_str_eq(message, "");
    load_with_image(", \"sectors\": 2", NULL, message, sizeof message);
    cr_assert(strstr(message, "the image holds 1024 bytes; the flash ('tiny') has 512"), "%s",
              message);
    load_with_image("", truncate_image, message, sizeof message);
    cr_assert(strstr(message, "the image is 5 bytes; its sidecar says 1024 (truncated)"), "%s",
              message);
    load_with_image("", break_sidecar, message, sizeof message);
    cr_assert(strstr(message, "erase_counts has 2 numbers; the sectors say 4"), "%s", message);
}
