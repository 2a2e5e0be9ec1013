/* Snapshots: the complete device state at one instant. Taking one copies the sector block
 * pointers (adding a reference each), the erase counts and the scalar state; the blocks (with
 * their weak, stuck and SECDED state) are copied only when the device or a restored branch
 * writes to them. The tear watch is not part of a snapshot: restoring one stops it. */
#include "nor_internal.h"

#include <stdlib.h>
#include <string.h>

struct nor_snapshot {
    uint32_t total_bytes;
    uint32_t sector_count;
    nor_state st;
    nor_block **blocks;
    uint32_t *erase_counts;
};

int nor_snapshot_take(nor *dev, nor_snapshot **out) {
    *out = NULL;
    size_t n = dev->sector_count;
    /* One allocation: the header, then the block pointers, then the erase counts. */
    nor_snapshot *snap = malloc(sizeof *snap + n * sizeof(nor_block *) + n * sizeof(uint32_t));
    if (!snap) return NOR_E_NOMEM;
    snap->total_bytes = dev->total_bytes;
    snap->sector_count = dev->sector_count;
    snap->st = dev->st;
    snap->blocks = (nor_block **)(snap + 1);
    snap->erase_counts = (uint32_t *)(snap->blocks + n);
    for (size_t s = 0; s < n; s++) {
        snap->blocks[s] = dev->blocks[s];
        snap->blocks[s]->refs++;
    }
    memcpy(snap->erase_counts, dev->erase_counts, n * sizeof(uint32_t));
    *out = snap;
    return NOR_OK;
}

int nor_snapshot_restore(nor *dev, const nor_snapshot *snap) {
    if (!snap || snap->total_bytes != dev->total_bytes || snap->sector_count != dev->sector_count)
        return NOR_E_CONFIG;
    for (uint32_t s = 0; s < dev->sector_count; s++)
        if (dev->blocks[s]->size != snap->blocks[s]->size) return NOR_E_CONFIG;
    for (uint32_t s = 0; s < dev->sector_count; s++) {
        if (dev->blocks[s] == snap->blocks[s]) continue;
        nor_block_release(dev->blocks[s]);
        dev->blocks[s] = snap->blocks[s];
        dev->blocks[s]->refs++;
    }
    memcpy(dev->erase_counts, snap->erase_counts, dev->sector_count * sizeof(uint32_t));
    dev->st = snap->st;
    /* The restored cells are not the ones the last cut tore. */
    nor_watch_stop(dev);
    return NOR_OK;
}

void nor_snapshot_free(nor_snapshot *snap) {
    if (!snap) return;
    for (uint32_t s = 0; s < snap->sector_count; s++) nor_block_release(snap->blocks[s]);
    free(snap);
}
