/* Reading an image's sidecar without a device (nor_image_parse_sidecar and friends): its
 * fields, a message that names the field for each kind of bad sidecar, bounds on every length
 * it gives, geometry comparisons that say what differs, and mutated sidecars that never crash. */
#include "nor_test_util.h"

#include <stdio.h>
#include <stdlib.h>

#define HEAD "\"format\":\"norbench-image\",\"version\":1,\"preset\":\"tiny\""
#define GOOD                                                                                       \
    "{" HEAD ",\"total_bytes\":1024,\"sectors\":[{\"count\":4,\"size\":256}],\"write_unit\":1,"    \
    "\"erase_value\":255,\"erase_counts\":[0,3,1,2]}"

static void expect_message(const char *text, const char *message) {
    nor_image_info info;
    char why[NOR_IMAGE_WHY_MAX] = "";
    cr_assert_eq(nor_image_parse_sidecar(text, strlen(text), &info, why, sizeof why), NOR_E_IMAGE,
                 "accepted: %s", text);
    cr_assert(strstr(why, message) != NULL, "for %s: said '%s', expected '%s'", text, why, message);
    cr_assert_null(info.erase_counts);
}

Test(image_info, a_good_sidecar_gives_every_field) {
    nor_image_info info;
    char why[NOR_IMAGE_WHY_MAX];
    cr_assert_eq(nor_image_parse_sidecar(GOOD, strlen(GOOD), &info, why, sizeof why), NOR_OK);
    cr_assert_str_eq(info.preset, "tiny");
    cr_assert_eq(info.total_bytes, 1024);
    cr_assert_eq(info.region_count, 1);
    cr_assert_eq(info.regions[0].count, 4);
    cr_assert_eq(info.regions[0].size, 256);
    cr_assert_eq(info.write_unit, 1);
    cr_assert_eq(info.erase_value, 0xFF);
    cr_assert_eq(info.sector_count, 4);
    uint32_t want[] = {0, 3, 1, 2};
    cr_assert_arr_eq(info.erase_counts, want, sizeof want);
    cr_assert_eq(nor_image_check_config(&info, nor_preset_find("tiny"), why, sizeof why), NOR_OK);
    nor_image_info_free(&info);
}

Test(image_info, each_bad_field_is_named) {
    expect_message("", "not valid JSON");
    expect_message("[1]", "not a JSON object");
    expect_message("{\"format\":\"x\"}", "format is not \"norbench-image\"");
    expect_message("{" HEAD ",\"version\":1}", "version is given twice");
    expect_message("{\"format\":\"norbench-image\",\"version\":9}", "version 9 is not supported");
    expect_message("{" HEAD "}", "total_bytes is missing");
    expect_message("{" HEAD ",\"total_bytes\":-1}", "total_bytes is not a whole number");
    expect_message("{" HEAD ",\"total_bytes\":1024,\"write_unit\":3,\"erase_value\":255}",
                   "write_unit 3 is not 1, 2, 4, 8, 16 or 32");
    expect_message("{" HEAD ",\"total_bytes\":1024,\"write_unit\":1,\"erase_value\":7}",
                   "erase_value 7 is not 0 or 255");
    expect_message("{" HEAD ",\"total_bytes\":1024,\"write_unit\":1,\"erase_value\":255,"
                   "\"sectors\":[{\"count\":4,\"size\":256,\"size\":256}]}",
                   "sectors[0].size is given twice");
    expect_message("{" HEAD ",\"total_bytes\":1024,\"write_unit\":1,\"erase_value\":255,"
                   "\"sectors\":[{\"count\":4}]}",
                   "sectors[0].size is missing");
    expect_message("{" HEAD ",\"total_bytes\":1024,\"write_unit\":1,\"erase_value\":255,"
                   "\"sectors\":[{\"count\":0,\"size\":256}]}",
                   "sectors[0].count and size must not be 0");
    expect_message("{" HEAD ",\"total_bytes\":1024,\"write_unit\":1,\"erase_value\":255,"
                   "\"sectors\":[{\"count\":3,\"size\":256}]}",
                   "the sectors add up to 768 bytes, but total_bytes is 1024");
    expect_message("{" HEAD ",\"total_bytes\":1024,\"write_unit\":1,\"erase_value\":255,"
                   "\"sectors\":[{\"count\":4,\"size\":256}],\"erase_counts\":[1,2,3]}",
                   "erase_counts has 3 numbers; the sectors say 4");
    expect_message("{" HEAD ",\"total_bytes\":1024,\"write_unit\":1,\"erase_value\":255,"
                   "\"sectors\":[{\"count\":4,\"size\":256}],\"erase_counts\":[1,2,3,0.5]}",
                   "erase_counts[3] is not a whole number");
}

Test(image_info, lengths_in_the_sidecar_are_bounded) {
    /* Sector counts that would make a huge erase-count table are refused before any is made. */
    expect_message("{" HEAD ",\"total_bytes\":4294967295,\"write_unit\":1,\"erase_value\":255,"
                   "\"sectors\":[{\"count\":4294967295,\"size\":1}]}",
                   "sectors[0].count is not a whole number in 0..1048576");
    expect_message("{" HEAD ",\"total_bytes\":4294967295,\"write_unit\":1,\"erase_value\":255,"
                   "\"sectors\":[{\"count\":1048576,\"size\":4096}]}",
                   "the sectors add up to more than 1048576 sectors or 4 GiB");
    expect_message("{" HEAD ",\"total_bytes\":9,\"write_unit\":1,\"erase_value\":255,\"sectors\":["
                   "{\"count\":1,\"size\":1},{\"count\":1,\"size\":1},{\"count\":1,\"size\":1},"
                   "{\"count\":1,\"size\":1},{\"count\":1,\"size\":1},{\"count\":1,\"size\":1},"
                   "{\"count\":1,\"size\":1},{\"count\":1,\"size\":1},{\"count\":1,\"size\":1}]}",
                   "sectors lists 9 regions; expected 1..8");
    const char with_nul[] = "{\"format\":\0\"x\"}";
    nor_image_info info;
    char why[NOR_IMAGE_WHY_MAX];
    cr_assert_eq(nor_image_parse_sidecar(with_nul, sizeof with_nul - 1, &info, why, sizeof why),
                 NOR_E_IMAGE);
    cr_assert_str_eq(why, "the sidecar holds a NUL byte");
}

Test(image_info, a_geometry_mismatch_says_what_differs) {
    nor_image_info info;
    char why[NOR_IMAGE_WHY_MAX];
    cr_assert_eq(nor_image_parse_sidecar(GOOD, strlen(GOOD), &info, why, sizeof why), NOR_OK);
    nor_config cfg = *nor_preset_find("tiny");
    cfg.regions[0].count = 2;
    cr_assert_eq(nor_image_check_config(&info, &cfg, why, sizeof why), NOR_E_IMAGE);
    cr_assert_str_eq(why, "the image holds 1024 bytes; the flash ('tiny') has 512");
    cfg = *nor_preset_find("tiny");
    cfg.regions[0] = (nor_region){.count = 2, .size = 256};
    cfg.regions[1] = (nor_region){.count = 1, .size = 512};
    cfg.region_count = 2;
    cr_assert_eq(nor_image_check_config(&info, &cfg, why, sizeof why), NOR_E_IMAGE);
    cr_assert_str_eq(why, "the image has 1 sector regions; the flash ('tiny') has 2");
    cfg = *nor_preset_find("tiny");
    cfg.write_unit = 4;
    cr_assert_eq(nor_image_check_config(&info, &cfg, why, sizeof why), NOR_E_IMAGE);
    cr_assert_str_eq(why, "the image's write unit is 1 bytes; the flash ('tiny') has 4");
    cfg = *nor_preset_find("tiny");
    cfg.erase_value = 0;
    cr_assert_eq(nor_image_check_config(&info, &cfg, why, sizeof why), NOR_E_IMAGE);
    cr_assert_str_eq(why, "the image's erase value is 255; the flash ('tiny') has 0");
    nor_image_info_free(&info);
}

/* Every byte of a good sidecar replaced by a few others, and every truncation: an answer,
 * never a crash (ASan and UBSan check the rest in the sanitizer build). */
Test(image_info, mutated_sidecars_never_crash) {
    const char *good = GOOD;
    size_t n = strlen(good);
    char *text = malloc(n + 1);
    const char replacements[] = {'0', '9', '-', '"', '{', '[', ']', '}', ',', 'e', '\0', ' '};
    size_t accepted = 0;
    for (size_t at = 0; at < n; at++) {
        for (size_t r = 0; r < sizeof replacements; r++) {
            memcpy(text, good, n + 1);
            text[at] = replacements[r];
            nor_image_info info;
            char why[NOR_IMAGE_WHY_MAX] = "";
            int rc = nor_image_parse_sidecar(text, n, &info, why, sizeof why);
            cr_assert(rc == NOR_OK || rc == NOR_E_IMAGE);
            if (rc == NOR_OK) {
                accepted++;
                cr_assert_eq(info.regions[0].count * info.regions[0].size, info.total_bytes);
                nor_image_info_free(&info);
            } else {
                cr_assert_neq(why[0], '\0', "no message for a refused sidecar");
            }
        }
        nor_image_info info;
        char why[NOR_IMAGE_WHY_MAX];
        cr_assert_eq(nor_image_parse_sidecar(good, at, &info, why, sizeof why), NOR_E_IMAGE);
    }
    cr_assert_gt(accepted, 0, "some mutations (digits of erase counts) stay valid");
    free(text);
}
