/* libFuzzer target "sidecar": arbitrary bytes as an image's sidecar (PATH.json), read by
 * nor_image_parse_sidecar, the path every flash image a user names goes through first. It must
 * answer NOR_OK or NOR_E_IMAGE with a message; an accepted sidecar's lengths must agree (the
 * regions add up to total_bytes, one erase count per sector, at most NOR_IMAGE_MAX_SECTORS),
 * and comparing it with a preset must answer too.
 *
 * Input: the sidecar's bytes. */
#include "fuzz_finding.h"
#include "nor.h"

#include <string.h>

#define TARGET "sidecar"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    nor_image_info info;
    char why[NOR_IMAGE_WHY_MAX] = "";
    int rc = nor_image_parse_sidecar((const char *)data, size, &info, why, sizeof why);
    FUZZ_REQUIRE(TARGET, rc == NOR_OK || rc == NOR_E_IMAGE, "returned %d (%s)", rc,
                 nor_strerror(rc));
    if (rc) {
        FUZZ_REQUIRE(TARGET, why[0] != '\0', "refused without a message");
        return 0;
    }
    uint64_t bytes = 0, sectors = 0;
    for (uint32_t r = 0; r < info.region_count; r++) {
        bytes += (uint64_t)info.regions[r].count * info.regions[r].size;
        sectors += info.regions[r].count;
    }
    FUZZ_REQUIRE(TARGET,
                 info.region_count >= 1 && info.region_count <= NOR_MAX_REGIONS &&
                     bytes == info.total_bytes && sectors == info.sector_count &&
                     sectors <= NOR_IMAGE_MAX_SECTORS && info.erase_counts != NULL,
                 "accepted lengths that disagree: %u regions, %llu bytes of %u, %llu sectors "
                 "of %u",
                 (unsigned)info.region_count, (unsigned long long)bytes, (unsigned)info.total_bytes,
                 (unsigned long long)sectors, (unsigned)info.sector_count);
    for (size_t i = 0; i < nor_preset_count(); i++) {
        rc = nor_image_check_config(&info, nor_preset_at(i), why, sizeof why);
        FUZZ_REQUIRE(TARGET, rc == NOR_OK || rc == NOR_E_IMAGE, "check returned %d", rc);
    }
    nor_image_info_free(&info);
    return 0;
}
