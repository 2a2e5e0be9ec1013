/* Tests of the scenario format's parser and validator: the example scenarios parse into the
 * expected structures, every malformed file in tests/scenario/bad gives exactly the message
 * in its .expect sidecar, and random bytes, truncations and mutations never crash it. */
#include "nbs.h"
#include "scenario.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef NORBENCH_SOURCE_DIR
#error "NORBENCH_SOURCE_DIR must name the source tree (set by tests/CMakeLists.txt)"
#endif

static char *read_whole_file(const char *path, size_t *length) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    cr_assert_not_null(data);
    cr_assert_eq(fread(data, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    data[size] = '\0';
    *length = (size_t)size;
    return data;
}

static scenario *load_example(const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/examples/%s", NORBENCH_SOURCE_DIR, name);
    scenario *sc = NULL;
    scenario_errors errors;
    int rc = scenario_load_file(path, &sc, &errors);
    if (rc != SCENARIO_OK && errors.count) {
        char line[600];
        scenario_error_format(&errors.items[0], line, sizeof line);
        cr_log_error("%s", line);
    }
    cr_assert_eq(rc, SCENARIO_OK, "%s: %s", name, scenario_strerror(rc));
    cr_assert_eq(errors.count, 0);
    scenario_errors_free(&errors);
    return sc;
}

static void assert_bytes(const scenario_value *v, const void *bytes, size_t length) {
    cr_assert_eq(v->kind, SCENARIO_VALUE_BYTES);
    cr_assert_eq(v->length, length);
    if (length) cr_assert_eq(memcmp(v->bytes, bytes, length), 0);
}

static void assert_text(const scenario_value *v, const char *text) {
    assert_bytes(v, text, strlen(text));
}

/* ---- valid files ----------------------------------------------------------------------- */

Test(scenario_parse, map_example_resolves_flash_engine_and_values) {
    scenario *sc = load_example("map-basics.json");
    cr_assert_str_eq(sc->name, "map-basics");
    cr_assert_eq(sc->seed, 1);
    cr_assert_str_eq(sc->preset, "w25q16jv");
    cr_assert_eq(sc->flash.region_count, 1);
    cr_assert_eq(sc->flash.regions[0].count, 16);
    cr_assert_eq(sc->flash.regions[0].size, 4096);
    cr_assert_str_eq(sc->engine.type, "map");
    cr_assert_eq(sc->engine.capabilities, SCENARIO_CAN_MAP);
    cr_assert_eq(sc->engine.start, 0);
    cr_assert_eq(sc->engine.size, 16 * 4096);
    cr_assert_eq(sc->engine.page_size, 4096);
    cr_assert_eq(sc->engine.cache_flags, NBS_CACHE_ALL);
    cr_assert(sc->engine.cache_check);
    cr_assert_eq(sc->steps.count, 21);

    const scenario_step *s = sc->steps.items;
    cr_assert_eq(s[0].op, SCENARIO_OP_STORE);
    cr_assert_eq(s[0].line, 8);
    cr_assert_eq(s[0].column, 5);
    cr_assert_str_eq(s[0].path, "steps[0]");
    assert_text(&s[0].args.item.key, "wifi.ssid");
    assert_text(&s[0].args.item.value, "home");
    cr_assert_eq(s[0].expect.kind, SCENARIO_EXPECT_NONE);
    assert_bytes(&s[1].args.item.value, "\xde\xad\xbe\xef\x00\x01", 6);
    assert_bytes(&s[2].args.item.key, "\x07\x00\x00\x00", 4);
    assert_bytes(&s[2].args.item.value, "\xfe\xff", 2);
    cr_assert_eq(s[3].args.item.value.kind, SCENARIO_VALUE_RANDOM);
    cr_assert_eq(s[3].args.item.value.length, 200);
    cr_assert(s[3].args.item.value.fixed_seed);
    cr_assert_eq(s[3].args.item.value.seed, 5);

    cr_assert_eq(s[4].op, SCENARIO_OP_FETCH);
    cr_assert_eq(s[4].expect.kind, SCENARIO_EXPECT_BYTES);
    assert_text(&s[4].expect.bytes, "home");
    cr_assert(s[7].args.item.has_capacity);
    cr_assert_eq(s[7].args.item.capacity, 2);
    cr_assert_eq(s[7].expect.kind, SCENARIO_EXPECT_ERROR);
    cr_assert_eq(s[7].expect.error, NBS_E_BUFFER_TOO_SMALL);
    cr_assert_str_eq(s[8].comment, "an update");
    cr_assert_eq(s[10].expect.kind, SCENARIO_EXPECT_BOOL);
    cr_assert(s[10].expect.boolean);
    cr_assert_eq(s[12].expect.kind, SCENARIO_EXPECT_ABSENT);
    cr_assert_eq(s[13].expect.error, NBS_E_NOT_FOUND);
    cr_assert_eq(s[14].op, SCENARIO_OP_COUNT);
    cr_assert_eq(s[14].expect.kind, SCENARIO_EXPECT_NUMBER);
    cr_assert_eq(s[14].expect.number, 3);
    cr_assert_eq(s[15].expect.kind, SCENARIO_EXPECT_ITEMS);
    cr_assert_eq(s[15].expect.item_count, 3);
    assert_text(&s[15].expect.items[0].key, "wifi.ssid");
    assert_text(&s[15].expect.items[0].value, "office");
    cr_assert_eq(s[16].op, SCENARIO_OP_REBOOT);
    cr_assert_eq(s[17].op, SCENARIO_OP_CHECK);
    cr_assert_eq(s[18].op, SCENARIO_OP_REMOVE_ALL);

    const scenario_stats_args *stats = &s[20].args.stats;
    cr_assert_eq(s[20].op, SCENARIO_OP_EXPECT_STATS);
    cr_assert_eq(stats->count, 2);
    cr_assert_eq(stats->checks[0].stat, SCENARIO_STAT_VIOLATIONS);
    cr_assert_eq(stats->checks[0].cmp, SCENARIO_CMP_EQ);
    cr_assert_eq(stats->checks[0].value, 0);
    cr_assert_eq(stats->checks[1].stat, SCENARIO_STAT_ERASE_MAX);
    cr_assert_eq(stats->checks[1].cmp, SCENARIO_CMP_LE);
    cr_assert_eq(stats->checks[1].value, 2);
    scenario_free(sc);
}

Test(scenario_parse, power_cut_example_resolves_triggers_nesting_and_raw_actions) {
    scenario *sc = load_example("power-cut.json");
    cr_assert_eq(sc->flash.timing.mode, NOR_TIMING_MAX);
    cr_assert_eq(sc->flash.write_policy, NOR_WRITES_ONCE_PLUS_ZERO);
    cr_assert_eq(sc->engine.start, 2048);
    cr_assert_eq(sc->engine.size, 8192);
    const scenario_step *s = sc->steps.items;
    cr_assert_eq(s[1].op, SCENARIO_OP_POWER_CUT);
    cr_assert_eq(s[1].args.power_cut.trigger, SCENARIO_CUT_AFTER_OPS);
    cr_assert_eq(s[1].args.power_cut.after_ops, 1);
    cr_assert_eq(s[1].args.power_cut.torn_program, NOR_TORN_PROG_METASTABLE);
    cr_assert_eq(s[1].args.power_cut.torn_erase, NOR_TORN_ERASE_WEAK);
    cr_assert_eq(s[3].expect.error, NBS_E_NOT_MOUNTED);

    const scenario_repeat_args *repeat = &s[6].args.repeat;
    cr_assert_eq(s[6].op, SCENARIO_OP_REPEAT);
    cr_assert_eq(repeat->times, 20);
    cr_assert_eq(repeat->steps.count, 4);
    const scenario_step *cut = &repeat->steps.items[0];
    cr_assert_str_eq(cut->path, "steps[6].repeat.steps[0]");
    cr_assert_eq(cut->args.power_cut.trigger, SCENARIO_CUT_IN_TIME);
    cr_assert_eq(cut->args.power_cut.time_us, 3000);
    cr_assert_eq(cut->args.power_cut.torn_erase, NOR_TORN_ERASE_PARTIAL); /* the default */
    const scenario_random_ops_args *ops = &repeat->steps.items[1].args.random_ops;
    cr_assert_eq(ops->ops, 50);
    cr_assert_eq(ops->keys, 8);
    cr_assert_eq(ops->value_size.min, 1);
    cr_assert_eq(ops->value_size.max, 40);
    cr_assert_eq(ops->weights[SCENARIO_MIX_STORE], 50); /* the map's default mix */
    cr_assert_eq(ops->weights[SCENARIO_MIX_PUSH], 0);

    cr_assert_eq(s[7].args.power_cut.trigger, SCENARIO_CUT_NOW);
    cr_assert_eq(s[9].args.sleep_us, 1000000);
    cr_assert_eq(s[10].args.flip_bit.address, 12000);
    cr_assert_eq(s[10].args.flip_bit.bit, 3);
    cr_assert_eq(s[11].args.corrupt.address, 9000);
    cr_assert_eq(s[11].args.corrupt.value.kind, SCENARIO_VALUE_RANDOM);
    cr_assert_eq(s[11].args.corrupt.value.length, 16);
    cr_assert_eq(s[12].args.erase_sector.sector, 1);
    cr_assert_eq(s[12].args.erase_sector.address, 2048);
    cr_assert_eq(s[14].args.stats.checks[1].stat, SCENARIO_STAT_TIME);
    cr_assert_eq(s[14].args.stats.checks[1].value, 1000000);
    cr_assert_eq(scenario_step_total(&sc->steps), 19);
    scenario_free(sc);
}

/* The flash object's erase_preprogram and the progress torn modes of the NOR model. */
Test(scenario_parse, erase_preprogram_and_progress_torn_modes_resolve) {
    static const char text[] =
        "{\"name\": \"pre\", \"flash\": {\"preset\": \"tiny\", \"erase_preprogram\": true},"
        " \"engine\": {\"type\": \"map\"}, \"steps\": ["
        " {\"power_cut\": {\"after_ops\": 1, \"torn_program\": \"late\","
        " \"torn_erase\": \"early\"}}, {\"power_on\": {}}]}";
    scenario *sc = NULL;
    scenario_errors errors;
    cr_assert_eq(scenario_parse("pre.json", text, strlen(text), &sc, &errors), SCENARIO_OK);
    cr_assert(sc->flash.erase_preprogram);
    cr_assert_eq(sc->steps.items[0].args.power_cut.torn_program, NOR_TORN_PROG_LATE);
    cr_assert_eq(sc->steps.items[0].args.power_cut.torn_erase, NOR_TORN_ERASE_EARLY);
    scenario_errors_free(&errors);
    scenario_free(sc);
    cr_assert_not(nor_preset_find("tiny")->erase_preprogram, "no preset pre-programs by default");
}

Test(scenario_parse, queue_example_resolves_queue_operations) {
    scenario *sc = load_example("queue-basics.json");
    cr_assert_eq(sc->engine.capabilities, SCENARIO_CAN_QUEUE);
    cr_assert_eq(sc->engine.cache_flags, NBS_CACHE_PAGE_STATES | NBS_CACHE_PAGE_POINTERS);
    cr_assert_eq(sc->flash.write_policy, NOR_WRITES_LIMITED);
    const scenario_step *s = sc->steps.items;
    cr_assert_eq(s[0].op, SCENARIO_OP_PUSH);
    assert_bytes(&s[1].args.item.value, "\x02\0\0\0\0\0\0\0", 8);
    cr_assert_eq(s[8].op, SCENARIO_OP_POP);
    cr_assert_eq(s[8].expect.kind, SCENARIO_EXPECT_ABSENT);
    cr_assert_eq(s[9].expect.error, NBS_E_EMPTY);
    const scenario_iterate_args *it = &s[11].args.iterate;
    cr_assert_eq(it->pop_count, 2);
    cr_assert_eq(it->pop_at[0], 0);
    cr_assert_eq(it->pop_at[1], 2);
    cr_assert_eq(s[11].expect.item_count, 5);
    assert_text(&s[11].expect.items[4].value, "entry");
    cr_assert_eq(s[11].expect.items[4].key.length, 0);
    const scenario_log_appends_args *log = &s[13].args.log_appends;
    cr_assert_eq(log->count, 2000);
    cr_assert_eq(log->size.min, 16);
    cr_assert_eq(log->size.max, 64);
    cr_assert(log->drop_oldest);
    scenario_free(sc);
}

Test(scenario_parse, workload_example_resolves_overrides_and_workloads) {
    scenario *sc = load_example("wear-workload.json");
    cr_assert_eq(sc->seed, UINT64_MAX);
    cr_assert_eq(sc->flash.region_count, 1); /* the first 4 of the 16 KiB sectors */
    cr_assert_eq(sc->flash.regions[0].count, 4);
    cr_assert_eq(sc->flash.wear.endurance, 10000);
    cr_assert_eq(sc->flash.wear.fail_ppm_per_cycle, 100);
    cr_assert_eq(sc->engine.cache_max_keys, 128);
    const scenario_random_ops_args *ops = &sc->steps.items[0].args.random_ops;
    cr_assert_str_eq(ops->key_prefix, "sensor.");
    cr_assert_eq(ops->every_us, 100000);
    cr_assert_eq(ops->weights[SCENARIO_MIX_FETCH], 25);
    const scenario_config_updates_args *cfg = &sc->steps.items[1].args.config_updates;
    assert_text(&cfg->key, "config");
    cr_assert_eq(cfg->every_us, UINT64_C(600000000));
    cr_assert_eq(cfg->count, 525600); /* ten years of 10-minute updates */
    cr_assert_eq(sc->steps.items[3].args.stats.count, 5);
    scenario_free(sc);
}

/* ---- malformed files ------------------------------------------------------------------- */

Test(scenario_parse, erase_all_is_a_step_of_both_engines) {
    static const char *const engines[] = {"map", "queue"};
    for (int i = 0; i < 2; i++) {
        char text[400];
        snprintf(text, sizeof text,
                 "{\"name\": \"e\", \"flash\": {\"preset\": \"tiny\"}, \"engine\": {\"type\": "
                 "\"%s\"}, \"steps\": [{\"erase_all\": {}}, {\"erase_all\": {}, \"expect\": "
                 "{\"error\": \"io\"}}]}",
                 engines[i]);
        scenario *sc = NULL;
        scenario_errors errors;
        cr_assert_eq(scenario_parse("e.json", text, strlen(text), &sc, &errors), SCENARIO_OK, "%s",
                     engines[i]);
        scenario_errors_free(&errors);
        cr_assert_eq(sc->steps.count, 2);
        cr_assert_eq(sc->steps.items[0].op, SCENARIO_OP_ERASE_ALL);
        cr_assert_str_eq(scenario_op_name(SCENARIO_OP_ERASE_ALL), "erase_all");
        cr_assert_eq(sc->steps.items[1].expect.kind, SCENARIO_EXPECT_ERROR);
        cr_assert_eq(sc->steps.items[1].expect.error, NBS_E_IO);
        scenario_free(sc);
    }
}

static void check_bad_file(const char *dir, const char *name) {
    char path[600], expect_path[600];
    int path_length = snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert_lt(path_length, (int)sizeof path, "path too long: %s/%s", dir, name);
    snprintf(expect_path, sizeof expect_path, "%.*s.expect", (int)(strlen(path) - 5), path);
    size_t expect_length;
    char *expected = read_whole_file(expect_path, &expect_length);
    while (expect_length && expected[expect_length - 1] == '\n') expected[--expect_length] = 0;

    size_t length;
    char *data = read_whole_file(path, &length);
    scenario *sc = NULL;
    scenario_errors errors;
    int rc = scenario_parse(name, data, length, &sc, &errors);
    cr_assert_eq(rc, SCENARIO_E_INVALID, "%s parsed", name);
    cr_assert_null(sc);
    cr_assert_eq(errors.count, 1, "%s: %zu errors, expected one", name, errors.count);
    char line[600];
    scenario_error_format(&errors.items[0], line, sizeof line);
    size_t prefix = strlen(name) + 1;
    cr_assert_eq(strncmp(line, name, prefix - 1), 0);
    cr_assert_str_eq(line + prefix, expected, "%s", name);
    scenario_errors_free(&errors);
    free(data);
    free(expected);
}

Test(scenario_parse, every_malformed_file_gives_its_one_expected_message) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/scenario/bad", NORBENCH_SOURCE_DIR);
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int checked = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) {
            check_bad_file(dir, e->d_name);
            checked++;
        }
    }
    closedir(d);
    cr_assert_geq(checked, 30, "only %d malformed files", checked);
}

static int parse_text(const char *text, scenario_errors *errors) {
    scenario *sc = NULL;
    int rc = scenario_parse("t.json", text, strlen(text), &sc, errors);
    scenario_free(sc);
    return rc;
}

/* One duration syntax with the command line's --time-budget (duration.h): "5m" and "5min" are
 * the same, terms add up, fractions count. */
Test(scenario_parse, durations_take_m_min_sums_and_fractions) {
    static const char text[] =
        "{\"name\": \"d\", \"flash\": {\"preset\": \"tiny\"}, \"engine\": {\"type\": \"map\"},"
        " \"steps\": [{\"sleep\": \"5m\"}, {\"sleep\": \"5min\"}, {\"sleep\": \"1h30m\"},"
        " {\"sleep\": \"2.5h\"}, {\"sleep\": \"1s250ms\"}, {\"sleep\": 7}]}";
    scenario *sc = NULL;
    scenario_errors errors;
    cr_assert_eq(scenario_parse("d.json", text, strlen(text), &sc, &errors), SCENARIO_OK);
    const scenario_step *s = sc->steps.items;
    cr_assert_eq(s[0].args.sleep_us, UINT64_C(300000000));
    cr_assert_eq(s[1].args.sleep_us, UINT64_C(300000000));
    cr_assert_eq(s[2].args.sleep_us, UINT64_C(5400000000));
    cr_assert_eq(s[3].args.sleep_us, UINT64_C(9000000000));
    cr_assert_eq(s[4].args.sleep_us, UINT64_C(1250000));
    cr_assert_eq(s[5].args.sleep_us, 7);
    scenario_errors_free(&errors);
    scenario_free(sc);
    static const char *const refused[] = {"5", "m", "5.m", "1h30", "5 min", "5mins", ""};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        char bad[256];
        snprintf(bad, sizeof bad,
                 "{\"name\": \"d\", \"flash\": {\"preset\": \"tiny\"}, \"engine\": {\"type\":"
                 " \"map\"}, \"steps\": [{\"sleep\": \"%s\"}]}",
                 refused[i]);
        cr_assert_eq(parse_text(bad, &errors), SCENARIO_E_INVALID, "'%s' was accepted", refused[i]);
        cr_assert_eq(errors.count, 1);
        cr_assert(strstr(errors.items[0].message, "invalid duration"), "%s",
                  errors.items[0].message);
        scenario_errors_free(&errors);
    }
}

Test(scenario_parse, columns_count_characters_not_bytes) {
    scenario_errors errors;
    const char *text = "{\"description\": \"\xc3\xa9\xe2\x82\xac\", \"x\": 1, \"flash\": {}}";
    cr_assert_eq(parse_text(text, &errors), SCENARIO_E_INVALID);
    /* Sorted by position: the missing fields (at the object, 1:1), 'x', then flash's. */
    cr_assert_eq(errors.count, 5);
    cr_assert_str_eq(errors.items[0].message, "missing field 'name' in the scenario");
    const scenario_error *unknown = &errors.items[3];
    cr_assert_str_eq(unknown->message,
                     "unknown field 'x' in the scenario; expected one of: name, "
                     "description, seed, flash, engine, steps, cut, matrix, partitions");
    cr_assert_eq(unknown->line, 1);
    cr_assert_eq(unknown->column, 23); /* é and € are one column each */
    cr_assert_eq(errors.items[4].column, 40);
    cr_assert_str_eq(errors.items[4].path, "flash");
    cr_assert_str_eq(errors.items[4].message, "missing field 'preset' in flash");
    scenario_errors_free(&errors);
}

Test(scenario_parse, many_problems_stop_at_the_error_cap) {
    char text[4096] = "{";
    for (int i = 0; i < 50; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s\"unknown%d\": %d",
                 i ? ", " : "", i, i);
    strcat(text, "}");
    scenario_errors errors;
    cr_assert_eq(parse_text(text, &errors), SCENARIO_E_INVALID);
    cr_assert_eq(errors.count, SCENARIO_MAX_ERRORS + 1);
    cr_assert(strstr(errors.items[SCENARIO_MAX_ERRORS].message, "too many errors"));
    scenario_errors_free(&errors);
}

Test(scenario_parse, error_names_accept_both_spellings) {
    int code = 0;
    cr_assert_eq(scenario_error_code("not_found", &code), SCENARIO_OK);
    cr_assert_eq(code, NBS_E_NOT_FOUND);
    cr_assert_eq(scenario_error_code("NBS_E_CACHE_MISMATCH", &code), SCENARIO_OK);
    cr_assert_eq(code, NBS_E_CACHE_MISMATCH);
    cr_assert_eq(scenario_error_code("NBS_E_full", &code), SCENARIO_E_INVALID);
    cr_assert_eq(scenario_error_code("nope", &code), SCENARIO_E_INVALID);
    cr_assert_str_eq(scenario_error_short_name(NBS_E_IO), "io");
}

Test(scenario_parse, unreadable_file_is_one_error_without_position) {
    scenario *sc = NULL;
    scenario_errors errors;
    cr_assert_eq(scenario_load_file("/nonexistent/x.json", &sc, &errors), SCENARIO_E_IO);
    cr_assert_eq(errors.count, 1);
    char line[600];
    scenario_error_format(&errors.items[0], line, sizeof line);
    cr_assert(strncmp(line, "/nonexistent/x.json: cannot open", 32) == 0, "%s", line);
    scenario_errors_free(&errors);
}

/* ---- robustness ------------------------------------------------------------------------ */

/* Parses and checks the contract: success with no errors, or failure with at least one. */
static int parse_checked(const void *bytes, size_t length) {
    scenario *sc = NULL;
    scenario_errors errors;
    int rc = scenario_parse("fuzz.json", bytes, length, &sc, &errors);
    if (rc == SCENARIO_OK) {
        cr_assert_not_null(sc);
        cr_assert_eq(errors.count, 0);
    } else {
        cr_assert_null(sc);
        cr_assert_geq(errors.count, 1);
        for (size_t i = 0; i < errors.count; i++) cr_assert_neq(errors.items[i].message[0], 0);
    }
    scenario_free(sc);
    scenario_errors_free(&errors);
    return rc;
}

static uint64_t next_random(uint64_t *state) {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static const char *const examples[] = {"map-basics.json", "queue-basics.json", "power-cut.json",
                                       "wear-workload.json"};

static char *load_example_text(const char *name, size_t *length) {
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/examples/%s", NORBENCH_SOURCE_DIR, name);
    return read_whole_file(path, length);
}

Test(scenario_parse, random_bytes_never_crash_and_always_explain) {
    uint64_t state = 0x9E3779B97F4A7C15u;
    uint8_t buf[1024];
    for (int round = 0; round < 3000; round++) {
        size_t length = next_random(&state) % sizeof buf;
        for (size_t i = 0; i < length; i++) buf[i] = (uint8_t)next_random(&state);
        cr_assert_neq(parse_checked(buf, length), SCENARIO_OK);
    }
}

Test(scenario_parse, json_token_soup_never_crashes) {
    static const char *const tokens[] = {
        "{",          "}",         "[",           "]",           ",",
        ":",          "\"steps\"", "\"store\"",   "\"key\"",     "\"value\"",
        "\"repeat\"", "\"times\"", "\"hex\"",     "\"random\"",  "\"expect\"",
        "\"error\"",  "1",         "-1",          "1e99",        "18446744073709551616",
        "true",       "null",      "\"\\u0000\"", "\"\\ud800\"", "\"flash\"",
        "\"preset\"", "\"tiny\"",  "\"engine\"",  "\"type\"",    "\"map\"",
        "\"name\"",   " ",         "\n"};
    uint64_t state = 12345;
    char buf[2048];
    for (int round = 0; round < 3000; round++) {
        size_t n = 0, count = next_random(&state) % 80;
        for (size_t i = 0; i < count; i++) {
            const char *t = tokens[next_random(&state) % (sizeof tokens / sizeof tokens[0])];
            size_t tn = strlen(t);
            if (n + tn >= sizeof buf) break;
            memcpy(buf + n, t, tn);
            n += tn;
        }
        parse_checked(buf, n);
    }
}

Test(scenario_parse, every_truncation_of_the_examples_is_rejected_with_a_message) {
    for (size_t e = 0; e < sizeof examples / sizeof examples[0]; e++) {
        size_t length;
        char *text = load_example_text(examples[e], &length);
        size_t last_brace = length;
        while (last_brace > 0 && text[last_brace - 1] != '}') last_brace--;
        for (size_t cut = 0; cut < last_brace; cut++)
            cr_assert_neq(parse_checked(text, cut), SCENARIO_OK, "%s cut at %zu", examples[e], cut);
        cr_assert_eq(parse_checked(text, length), SCENARIO_OK);
        free(text);
    }
}

Test(scenario_parse, mutations_of_the_examples_never_crash) {
    uint64_t state = 777;
    for (size_t e = 0; e < sizeof examples / sizeof examples[0]; e++) {
        size_t length;
        char *text = load_example_text(examples[e], &length);
        char *copy = malloc(length);
        cr_assert_not_null(copy);
        for (int round = 0; round < 1500; round++) {
            memcpy(copy, text, length);
            for (int k = 0; k < 1 + round % 4; k++) {
                size_t at = next_random(&state) % length;
                copy[at] =
                    (char)(round % 3 == 0 ? copy[(at * 7) % length] : (char)next_random(&state));
            }
            parse_checked(copy, length);
        }
        free(copy);
        free(text);
    }
}
