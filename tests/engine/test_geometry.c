/* The engine on a matrix of geometries: write units 1..32 bytes x page sizes 256 B, 4 KiB,
 * 128 KiB x 2, 3, 8 and 64 pages, on strict ECC flash (each unit programmed once, no 0->1: page
 * version 3) and on strict flash that takes two programs per unit (a map seals in its commit
 * header's unit where W >= 2: page version 4), with a map and a queue side by side on one device
 * running a mixed random workload. */
#include "engine_check.h"
#include "engine_fixture.h"
#include "ref_model.h"
#include "seeded_rng.h"
#include "workload.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

typedef struct geometry_case {
    uint32_t write_unit;
    uint32_t page_size;
    uint32_t pages;
    uint8_t erase_value;
} geometry_case;

static const uint32_t write_units[] = {1, 2, 4, 8, 16, 32};
static const uint32_t page_sizes[] = {256, 4096, 128 * 1024};
static const uint32_t page_counts[] = {2, 3, 8, 64};
#define MAX_CASES 96

/* 128 KiB x 64 pages is a 16 MiB device: kept for the smallest and largest write units only. */
static bool worth_running(uint32_t write_unit, uint32_t page_size, uint32_t pages) {
    return !(page_size == 128 * 1024 && pages == 64 && write_unit != 1 && write_unit != 32);
}

static geometry_case cases[MAX_CASES];

static size_t make_cases(void) {
    size_t n = 0;
    for (size_t w = 0; w < sizeof write_units / sizeof *write_units; w++)
        for (size_t p = 0; p < sizeof page_sizes / sizeof *page_sizes; p++)
            for (size_t c = 0; c < sizeof page_counts / sizeof *page_counts; c++)
                if (worth_running(write_units[w], page_sizes[p], page_counts[c]))
                    cases[n++] =
                        (geometry_case){write_units[w], page_sizes[p], page_counts[c], 0xFF};
    /* Flash that erases to 0x00 (programming sets bits). */
    cases[n++] = (geometry_case){4, 4096, 3, 0x00};
    cases[n++] = (geometry_case){1, 256, 4, 0x00};
    cases[n++] = (geometry_case){32, 4096, 8, 0x00};
    return n;
}

ParameterizedTestParameters(geometry, mixed_workload_on_strict_ecc_flash) {
    return cr_make_param_array(geometry_case, cases, make_cases());
}

ParameterizedTestParameters(geometry, mixed_workload_on_two_program_flash) {
    return cr_make_param_array(geometry_case, cases, make_cases());
}

/* Opens and mounts the map (first half of the device) or the queue (second half). */
static int open_store(engine_fixture *f, nor *dev, const geometry_case *gc, ef_kind kind) {
    ef_options opts;
    memset(&opts, 0, sizeof opts);
    opts.kind = kind;
    opts.pages = gc->pages;
    opts.page_size = gc->page_size;
    opts.offset = kind == EF_MAP ? 0 : gc->pages * gc->page_size;
    ef_open_on(f, dev, &opts);
    return ef_mount(f);
}

/* The version (bits 5..3 of byte 0, SPEC 3.1) of the map's first page in use, 0 when none is. */
static unsigned map_page_version(nor *dev, const geometry_case *gc) {
    for (uint32_t p = 0; p < gc->pages; p++) {
        uint8_t b0 = 0;
        cr_assert_eq(nor_read(dev, p * gc->page_size, &b0, 1), NOR_OK);
        if (b0 != gc->erase_value) return (b0 >> 3) & 7u;
    }
    return 0;
}

static void run_matrix_case(const geometry_case *gc, nor_write_policy policy) {
    nor_config cfg = ef_custom_config(gc->write_unit, gc->page_size, 2 * gc->pages, policy, true);
    cfg.erase_value = gc->erase_value;
    char label[128];
    snprintf(label, sizeof label, "%s, write unit %u, %u pages of %u bytes, erase value 0x%02x",
             policy == NOR_WRITES_ONCE ? "once" : "two programs", gc->write_unit, gc->pages,
             gc->page_size, gc->erase_value);
    cr_assert_eq(nor_config_validate(&cfg), NOR_OK, "%s: config", label);
    nor *dev = NULL;
    cr_assert_eq(nor_create(&dev, &cfg, 11), NOR_OK);

    engine_fixture map_fixture, queue_fixture;
    int map_rc = open_store(&map_fixture, dev, gc, EF_MAP);
    int queue_rc = open_store(&queue_fixture, dev, gc, EF_QUEUE);
    uint32_t map_cap = nbs_map_max_value(&map_fixture.binding.flash, 8);
    uint32_t queue_cap = nbs_queue_max_item(&queue_fixture.binding.flash);
    /* A geometry the engine refuses must be one where it says nothing fits, and vice versa. */
    bool refused = map_rc == NBS_E_GEOMETRY && queue_rc == NBS_E_GEOMETRY;
    bool holds_nothing = nbs_map_max_value(&map_fixture.binding.flash, 1) == 0 && queue_cap == 0;
    if (refused && holds_nothing) {
        ef_close(&map_fixture);
        ef_close(&queue_fixture);
        nor_destroy(dev);
        cr_skip_test("%s: the engine refuses this geometry (no item fits)", label);
    }
    cr_assert_eq(map_rc, NBS_OK, "%s: map mount: %s", label, nbs_strerror(map_rc));
    cr_assert_eq(queue_rc, NBS_OK, "%s: queue mount: %s", label, nbs_strerror(queue_rc));
    cr_assert(map_cap > 0 && queue_cap > 0, "%s: mounts, but max value %u, max entry %u", label,
              map_cap, queue_cap);

    ref_map map_model;
    ref_queue queue_model;
    ref_map_init(&map_model);
    ref_queue_init(&queue_model);
    seeded_rng rng;
    seeded_rng_seed(&rng, gc->write_unit * 1000003u + gc->page_size + gc->pages);
    workload map_load, queue_load;
    wl_init(&map_load, &map_fixture, &rng, &map_model, NULL);
    wl_init(&queue_load, &queue_fixture, &rng, NULL, &queue_model);
    uint32_t value_max = gc->page_size / 6 < 300 ? gc->page_size / 6 : 300;
    map_load.value_max = queue_load.value_max = value_max;
    map_load.key_count = 16;

    /* Enough writes to turn every page of the small stores over a few times. */
    uint64_t range = (uint64_t)gc->pages * gc->page_size;
    uint32_t steps = range / 40 > 800 ? 800 : (uint32_t)(range / 40) + 200;
    char why[EC_WHY_SIZE] = "";
    for (uint32_t i = 0; i < steps; i++) {
        workload *w = seeded_rng_percent(&rng, 50) ? &map_load : &queue_load;
        wl_result r = wl_step(w, why);
        cr_assert_eq(r, WL_OK, "%s, step %u: %s", label, i, why);
    }
    for (int pass = 0; pass < 2; pass++) {
        cr_assert(ec_map_verify(&map_fixture, &map_model, why), "%s, map, pass %d: %s", label, pass,
                  why);
        cr_assert(ec_queue_verify(&queue_fixture, &queue_model, why), "%s, queue, pass %d: %s",
                  label, pass, why);
        cr_assert_eq(ef_mount(&map_fixture), NBS_OK, "%s: map remount", label);
        cr_assert_eq(ef_mount(&queue_fixture), NBS_OK, "%s: queue remount", label);
    }
    /* The layout the part allows: version 4 only with two programs per unit and W >= 2. */
    unsigned want = policy == NOR_WRITES_LIMITED && gc->write_unit >= 2 ? 4 : 3;
    unsigned got = map_page_version(dev, gc);
    cr_assert_eq(got, want, "%s: the map's pages are of version %u, not %u", label, got, want);
    nor_stats stats;
    nor_get_stats(dev, &stats);
    cr_assert_eq(stats.violations, 0,
                 "%s: %llu write-rule violations (a unit programmed twice or a 0->1 bit)", label,
                 (unsigned long long)stats.violations);
    cr_assert_eq(stats.ecc_errors, 0, "%s: %llu ECC errors", label,
                 (unsigned long long)stats.ecc_errors);

    ref_map_free(&map_model);
    ref_queue_free(&queue_model);
    ef_close(&map_fixture);
    ef_close(&queue_fixture);
    nor_destroy(dev);
}

ParameterizedTest(const geometry_case *gc, geometry, mixed_workload_on_strict_ecc_flash) {
    run_matrix_case(gc, NOR_WRITES_ONCE);
}

ParameterizedTest(const geometry_case *gc, geometry, mixed_workload_on_two_program_flash) {
    run_matrix_case(gc, NOR_WRITES_LIMITED);
}
