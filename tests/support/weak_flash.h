/* A flash interface for engine tests that puts weak cells and a range guard in front of another
 * one (the NOR model's binding, say): chosen bits of chosen bytes read as stored or as erased,
 * by a per-read script or a setting the test changes between boots, which is how a torn write
 * "settles" at a power-on; and every read, program or erase outside the guarded range is
 * counted. Programs and erases pass through; an erase forgets the weak cells it covers. */
#ifndef TESTS_WEAK_FLASH_H
#define TESTS_WEAK_FLASH_H

#include "nbs.h"

#include <stdbool.h>
#include <stdint.h>

enum { WEAK_REGIONS = 8, WEAK_BYTES = 32, WEAK_SCRIPT = 16 };

/* How the weak bits of a region read on one read. */
typedef enum weak_read { WEAK_AS_STORED, WEAK_AS_ERASED } weak_read;

typedef struct weak_region {
    bool used;
    uint32_t addr, len;       /* at most WEAK_BYTES bytes */
    uint8_t mask[WEAK_BYTES]; /* the weak bits */
    weak_read script[WEAK_SCRIPT];
    unsigned script_len, reads; /* reads so far; past the script, `then` */
    weak_read then;
} weak_region;

typedef struct weak_flash {
    nbs_flash inner;
    weak_region regions[WEAK_REGIONS];
    uint32_t guard_start, guard_size; /* 0 size: no guard */
    unsigned outside;                 /* accesses outside the guard */
} weak_flash;

/* The flash to give the engine: `inner` with no weak cells; the guard is inner's range. */
nbs_flash weak_flash_bind(weak_flash *wf, const nbs_flash *inner);

/* Makes weak every bit of [addr, addr + len) that is programmed now (as `inner` reads it), or
 * only those of `mask` when it is not NULL. Reads follow `script` (`script_len` entries, one per
 * read that touches the region), then `then`. Returns the region's index. */
int weak_flash_add(weak_flash *wf, uint32_t addr, uint32_t len, const uint8_t *mask,
                   const weak_read *script, unsigned script_len, weak_read then);
/* From now on every read of region `i` reads its weak bits as `how` (a settling at power-on). */
void weak_flash_settle(weak_flash *wf, int i, weak_read how);

#endif
