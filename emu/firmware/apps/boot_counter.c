/* Example app: a boot counter kept in the storage engine's map. Each boot mounts the map,
 * reads "boot_count", stores it plus one and prints "boot count: N" once the store has
 * returned (so a printed N is committed). */
#include "board.h"
#include "nbs.h"

/* The engine's work buffer: at least nbs_work_bytes_min() for the board's storage geometry, which
 * grows with the page (a bit of GC notes per 8 bytes): 2,3xx bytes for the stm32f4's 128 KiB
 * sectors, under 256 for 4 KiB and 2 KiB pages. */
static uint8_t work[2560];

int main(void) {
    nbs_config cfg = {.work = work, .work_size = sizeof work};
    board_storage_flash(&cfg.flash);
    nbs_map map;
    int rc = nbs_map_mount(&map, &cfg);
    if (rc) return board_print_failure("mount", rc), 1;
    static const char key[] = "boot_count";
    uint8_t value[4] = {0};
    size_t len = 0;
    rc = nbs_map_fetch(&map, key, sizeof key - 1, value, sizeof value, &len);
    if (rc && rc != NBS_E_NOT_FOUND) return board_print_failure("fetch", rc), 1;
    uint32_t count = rc ? 0
                        : (uint32_t)value[0] | (uint32_t)value[1] << 8 | (uint32_t)value[2] << 16 |
                              (uint32_t)value[3] << 24;
    count++;
    nbs_key_u32(count, value);
    rc = nbs_map_store(&map, key, sizeof key - 1, value, sizeof value);
    if (rc) return board_print_failure("store", rc), 1;
    board_print("boot count: ");
    board_print_u32(count);
    board_print("\n");
    return 0;
}
