/* Partitions and raw flash access of the norbench storage engine, shaped after ECMA-419's
 * embedded:storage/flash: a table of named partitions over one flash device (checked for
 * names, ranges, sector alignment and overlaps), iteration over their names, and raw reads,
 * writes and block erases inside one partition. Freestanding C11 like nbs.h: no malloc, no
 * globals; the table, the names and the handles are caller-owned. engine/SPEC.md section 10. */
#ifndef NBS_PART_H
#define NBS_PART_H

#include "nbs.h"

/* A partition name: 1..NBS_PART_NAME_MAX bytes, each printable ASCII other than a space
 * (0x21..0x7E), NUL-terminated. */
#define NBS_PART_NAME_MAX 16u

/* A run of `count` equal sectors of `size` bytes; runs are listed from address 0 up. */
typedef struct nbs_sector_run {
    uint32_t count;
    uint32_t size;
} nbs_sector_run;

/* The whole device. `flash` gives the callbacks as nbs.h defines them, with one difference:
 * erase(ctx, addr) is called with the first byte of one sector and erases that sector only.
 * flash.start must be 0 and flash.size the device's bytes (the sum of the runs); write_unit
 * and erase_value as for a store; page_size is not used. */
typedef struct nbs_device {
    nbs_flash flash;
    const nbs_sector_run *sectors;
    uint32_t sector_runs;
} nbs_device;

typedef struct nbs_partition {
    const char *name;
    uint32_t start; /* the first byte of a sector */
    uint32_t size;  /* whole sectors, at least one */
    bool read_only; /* raw access only with mode r */
} nbs_partition;

typedef struct nbs_part_table {
    const nbs_device *device;
    const nbs_partition *parts;
    uint32_t count;
} nbs_part_table;

/* Where nbs_part_check found its problem: the partition at fault and, for an overlap or a
 * repeated name, the earlier partition it clashes with (else equal to `index`). */
typedef struct nbs_part_problem {
    uint32_t index;
    uint32_t other;
} nbs_part_problem;

/* Checks the device (NBS_E_GEOMETRY: a bad write unit or erase value, flash.start not 0, no
 * sectors, a run of no sectors or of sectors not a multiple of the write unit, runs that do not
 * add up to flash.size; the callbacks may be NULL in a table that is only checked) and then
 * each partition in order, the first problem winning: NBS_E_PART_NAME (empty, too long, a byte
 * outside 0x21..0x7E, or the name of an earlier one), NBS_E_RANGE (size 0, or past the end of the
 * device), NBS_E_ALIGN (start or end not on a sector boundary), NBS_E_PART_OVERLAP (shares bytes
 * with an earlier one). `problem` may be NULL.
 */
int nbs_part_check(const nbs_part_table *table, nbs_part_problem *problem);

/* The partition named `name` (NUL-terminated); NBS_E_PART_NAME when there is none. */
int nbs_part_find(const nbs_part_table *table, const char *name, const nbs_partition **out);

/* Iteration over the partitions in table order: *cursor starts at 0; NBS_E_END after the last. */
int nbs_part_next(const nbs_part_table *table, uint32_t *cursor, const nbs_partition **out);

/* ---- raw access ------------------------------------------------------------------------ */

/* An open partition. Private fields: the flash restricted to the partition (page_size is the
 * block length), and the mode. Caller-owned; it refers to the table's device callbacks. */
typedef struct nbs_raw {
    nbs_flash flash;
    bool writable;
    bool open;
} nbs_raw;

typedef struct nbs_raw_status {
    uint32_t size;         /* bytes: blocks * block_length */
    uint32_t block_length; /* the partition's sector size */
    uint32_t blocks;
    uint8_t erase_value;  /* 0xFF or 0x00 */
    uint32_t write_align; /* the write unit: offsets and lengths of writes are multiples of it */
} nbs_raw_status;

/* Opens a partition of a checked table for raw access: mode r (writable false) or r+.
 * NBS_E_INVAL: the device has no callbacks; NBS_E_PART_NAME: no such partition; NBS_E_READ_ONLY: r+
 * on a read-only partition; NBS_E_GEOMETRY: its sectors are not all of one size (a block is a
 * sector, and ECMA-419 wants blocks * blockLength = size, so such a partition has no raw view). */
int nbs_raw_open(nbs_raw *raw, const nbs_part_table *table, const char *name, bool writable);
void nbs_raw_close(nbs_raw *raw);
int nbs_raw_status_get(const nbs_raw *raw, nbs_raw_status *status);

/* Reads `count` bytes at `offset`, clamped to the end of the partition: *got says how many
 * (0 at the end). NBS_E_RANGE: offset past the end; NBS_E_ECC / NBS_E_IO from flash. */
int nbs_raw_read(nbs_raw *raw, uint32_t offset, void *buf, uint32_t count, uint32_t *got);

/* Programs `count` bytes at `offset` with the device's rules (bits only move away from the
 * erase value; a unit's second program on ECC flash breaks its word). Checked in this order:
 * NBS_E_READ_ONLY (mode r), NBS_E_RANGE (past the end), NBS_E_ALIGN (offset or count not a
 * multiple of write_align); then NBS_E_IO / NBS_E_ECC from flash. Nothing is written on a
 * refusal. */
int nbs_raw_write(nbs_raw *raw, uint32_t offset, const void *data, uint32_t count);

/* Erases blocks from..to-1 (ECMA-419 eraseBlock: `to` exclusive; pass from + 1 for one block).
 * NBS_E_READ_ONLY in mode r; NBS_E_RANGE when from < 0, from >= blocks, to <= from or
 * to > blocks; then NBS_E_IO from flash (the blocks before the failing one are erased). */
int nbs_raw_erase(nbs_raw *raw, int64_t from, int64_t to);

#endif
