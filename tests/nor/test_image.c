/* Images: save and load round trip (contents and erase counts), the sidecar's fields, and
 * every kind of malformed or mismatching sidecar or raw file rejected with NOR_E_IMAGE. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, truncate */

#include "nor_test_util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char *temp_image_path(void) {
    static char dir_template[64];
    strcpy(dir_template, "/tmp/nor_image_XXXXXX");
    cr_assert_not_null(mkdtemp(dir_template));
    static char path[96];
    snprintf(path, sizeof path, "%s/flash.bin", dir_template);
    return path;
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static nor *written_device(uint64_t seed) {
    nor_config cfg = *nor_preset_find("stm32f4-1m");
    nor *dev = test_create(&cfg, seed);
    uint8_t data[64];
    for (int i = 0; i < 64; i++) data[i] = (uint8_t)(i * 3);
    nor_program(dev, 0x4000, data, 64);
    nor_program(dev, 0xFFFC0, data, 64);
    nor_erase(dev, 0x10000);
    nor_erase(dev, 0x10000);
    nor_erase(dev, 0xE0000);
    return dev;
}

Test(image, round_trip) {
    char *path = temp_image_path();
    nor *src = written_device(1);
    cr_assert_eq(nor_image_save(src, path), NOR_OK);
    nor_config cfg = *nor_preset_find("stm32f4-1m");
    nor *dst = test_create(&cfg, 2);
    cr_assert_eq(nor_image_load(dst, path), NOR_OK);
    static uint8_t a[1 << 20], b[1 << 20];
    nor_peek(src, 0, a, sizeof a);
    nor_peek(dst, 0, b, sizeof b);
    cr_assert_arr_eq(a, b, sizeof a);
    for (uint32_t s = 0; s < nor_sector_count(src); s++)
        cr_assert_eq(nor_erase_count(dst, s), nor_erase_count(src, s), "sector %u", s);
    cr_assert_eq(nor_erase_count(dst, 4), 2);

    char json_path[128];
    snprintf(json_path, sizeof json_path, "%s.json", path);
    cJSON *root = cJSON_Parse(read_text(json_path));
    cr_assert_not_null(root);
    cr_assert_str_eq(cJSON_GetObjectItem(root, "format")->valuestring, "norbench-image");
    cr_assert_eq(cJSON_GetObjectItem(root, "version")->valueint, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(root, "preset")->valuestring, "stm32f4-1m");
    cr_assert_eq(cJSON_GetObjectItem(root, "total_bytes")->valuedouble, 1048576.0);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "sectors")), 3);
    cr_assert_eq(cJSON_GetObjectItem(root, "write_unit")->valueint, 4);
    cr_assert_eq(cJSON_GetObjectItem(root, "erase_value")->valueint, 255);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "erase_counts")), 12);
    cJSON_Delete(root);
    nor_destroy(src);
    nor_destroy(dst);
}

Test(image, loaded_data_counts_as_programmed) {
    char *path = temp_image_path();
    nor_config cfg = *nor_preset_find("stm32h7-2m");
    nor *src = test_create(&cfg, 1);
    uint8_t word[32] = {0};
    nor_program(src, 0, word, 32);
    cr_assert_eq(nor_image_save(src, path), NOR_OK);
    nor *dst = test_create(&cfg, 1);
    cr_assert_eq(nor_image_load(dst, path), NOR_OK);
    nor_program(dst, 0, word, 32); /* a second program of that word */
    uint8_t out[32];
    cr_assert_eq(nor_read(dst, 0, out, 32), NOR_E_ECC);
    cr_assert_eq(nor_program(dst, 32, word, 32), NOR_OK);
    cr_assert_eq(nor_read(dst, 32, out, 32), NOR_OK);
    nor_destroy(src);
    nor_destroy(dst);
}

/* Saves a good image, replaces the sidecar with `sidecar` and expects the load to fail. */
static void expect_rejected(const char *sidecar, int expected_rc) {
    char *path = temp_image_path();
    nor *dev = written_device(1);
    cr_assert_eq(nor_image_save(dev, path), NOR_OK);
    char json_path[128];
    snprintf(json_path, sizeof json_path, "%s.json", path);
    write_text(json_path, sidecar);
    static uint8_t before[1 << 20], after[1 << 20];
    nor_peek(dev, 0, before, sizeof before);
    nor_erase(dev, 0); /* the state a failed load must leave alone */
    nor_peek(dev, 0, before, sizeof before);
    cr_assert_eq(nor_image_load(dev, path), expected_rc, "sidecar: %s", sidecar);
    nor_peek(dev, 0, after, sizeof after);
    cr_assert_arr_eq(before, after, sizeof before);
    nor_destroy(dev);
}

#define GEOMETRY                                                                                   \
    "\"sectors\":[{\"count\":4,\"size\":16384},{\"count\":1,\"size\":65536},"                      \
    "{\"count\":7,\"size\":131072}],\"write_unit\":4,\"erase_value\":255"
#define COUNTS "\"erase_counts\":[0,0,0,0,2,0,0,0,0,0,0,1]"
#define HEAD   "\"format\":\"norbench-image\",\"version\":1,\"preset\":\"stm32f4-1m\""

Test(image, hand_written_good_sidecar_loads) {
    char *path = temp_image_path();
    nor *dev = written_device(1);
    cr_assert_eq(nor_image_save(dev, path), NOR_OK);
    char json_path[128];
    snprintf(json_path, sizeof json_path, "%s.json", path);
    write_text(json_path, "{" HEAD ",\"total_bytes\":1048576," GEOMETRY "," COUNTS "}");
    cr_assert_eq(nor_image_load(dev, path), NOR_OK);
    cr_assert_eq(nor_erase_count(dev, 11), 1);
    nor_destroy(dev);
}

Test(image, malformed_sidecars_rejected) {
    expect_rejected("", NOR_E_IMAGE);
    expect_rejected("not json", NOR_E_IMAGE);
    expect_rejected("[1,2,3]", NOR_E_IMAGE);
    expect_rejected("{}", NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":1048576," GEOMETRY "," COUNTS, NOR_E_IMAGE);
    expect_rejected(
        "{\"format\":\"other\",\"version\":1,\"preset\":\"x\",\"total_bytes\":1048576," GEOMETRY
        "," COUNTS "}",
        NOR_E_IMAGE);
    expect_rejected("{\"format\":\"norbench-image\",\"version\":2,\"preset\":\"x\",\"total_bytes\":"
                    "1048576," GEOMETRY "," COUNTS "}",
                    NOR_E_IMAGE);
    expect_rejected("{\"format\":\"norbench-image\",\"version\":1,\"preset\":7,\"total_bytes\":"
                    "1048576," GEOMETRY "," COUNTS "}",
                    NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":1048575," GEOMETRY "," COUNTS "}", NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":\"1048576\"," GEOMETRY "," COUNTS "}", NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":1048576," GEOMETRY "}", NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":1048576," GEOMETRY ",\"erase_counts\":[0,0]}",
                    NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":1048576," GEOMETRY
                    ",\"erase_counts\":[0,0,0,0,-2,0,0,0,0,0,0,1]}",
                    NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":1048576," GEOMETRY
                    ",\"erase_counts\":[0,0,0,0,2.5,0,0,0,0,0,0,1]}",
                    NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":1048576," GEOMETRY
                    ",\"erase_counts\":[0,0,0,0,\"2\",0,0,0,0,0,0,1]}",
                    NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":1048576,\"sectors\":[{\"count\":12,\"size\":87381}],"
                    "\"write_unit\":4,\"erase_value\":255," COUNTS "}",
                    NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":1048576,\"sectors\":[1,2,3],"
                    "\"write_unit\":4,\"erase_value\":255," COUNTS "}",
                    NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":1048576,\"sectors\":{},"
                    "\"write_unit\":4,\"erase_value\":255," COUNTS "}",
                    NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":1048576," GEOMETRY ",\"write_unit\":8," COUNTS "}",
                    NOR_E_IMAGE);
    expect_rejected("{" HEAD ",\"total_bytes\":1048576,\"sectors\":[{\"count\":4,\"size\":16384},"
                    "{\"count\":1,\"size\":65536},{\"count\":7,\"size\":131072}],\"write_unit\":4,"
                    "\"erase_value\":0," COUNTS "}",
                    NOR_E_IMAGE);
}

Test(image, raw_file_size_must_match) {
    char *path = temp_image_path();
    nor *dev = written_device(1);
    cr_assert_eq(nor_image_save(dev, path), NOR_OK);
    cr_assert_eq(truncate(path, 1000), 0);
    cr_assert_eq(nor_image_load(dev, path), NOR_E_IMAGE);
    cr_assert_eq(truncate(path, (1 << 20) + 1), 0);
    cr_assert_eq(nor_image_load(dev, path), NOR_E_IMAGE);
    cr_assert_eq(nor_image_load(dev, "/nonexistent/flash.bin"), NOR_E_IO);
    cr_assert_eq(nor_image_save(dev, "/nonexistent/flash.bin"), NOR_E_IO);
    nor_destroy(dev);
}

Test(image, other_geometry_rejected) {
    char *path = temp_image_path();
    nor_config cfg = *nor_preset_find("nrf52840");
    nor *src = test_create(&cfg, 1);
    cr_assert_eq(nor_image_save(src, path), NOR_OK);
    nor_config other = *nor_preset_find("stm32l4-1m"); /* same 1 MiB, other sectors */
    nor *dst = test_create(&other, 1);
    cr_assert_eq(nor_image_load(dst, path), NOR_E_IMAGE);
    nor_destroy(src);
    nor_destroy(dst);
}
