/* Which stored bits are weak (read back randomly until the next erase): for tools that show a
 * torn cell as such (the visualizer's hex view). Not counted, draws nothing. */
#include "nor_internal.h"

#include <string.h>

int nor_peek_weak(const nor *dev, uint32_t addr, uint8_t *mask, uint32_t len) {
    if ((uint64_t)addr + len > nor_size(dev) || (!mask && len)) return NOR_E_RANGE;
    while (len) {
        uint32_t sector, start, size;
        nor_locate(dev, addr, &sector, &start, &size);
        uint32_t offset = addr - start, n = size - offset < len ? size - offset : len;
        const nor_block *block = dev->blocks[sector];
        if (block->weak)
            memcpy(mask, block->weak + offset, n);
        else
            memset(mask, 0, n);
        addr += n, mask += n, len -= n;
    }
    return NOR_OK;
}
