/* The partition table (nbs_part.h): the device's sector map, each partition's name, range and
 * alignment checked against it and against the partitions before it, lookup by name and
 * iteration in table order. Reads no flash. */
#include "nbs_internal.h"

/* The sector holding `addr`: its start and size; false past the end of the device. */
bool nbs_sector_at(const nbs_device *dev, uint32_t addr, uint32_t *start, uint32_t *size) {
    uint32_t base = 0;
    for (uint32_t r = 0; r < dev->sector_runs; r++) {
        const nbs_sector_run *run = &dev->sectors[r];
        uint64_t run_bytes = (uint64_t)run->count * run->size;
        if (addr - base < run_bytes) {
            uint32_t index = (addr - base) / run->size;
            *start = base + index * run->size;
            *size = run->size;
            return true;
        }
        base += (uint32_t)run_bytes;
    }
    return false;
}

static int check_device(const nbs_device *dev) {
    const nbs_flash *f = dev ? &dev->flash : NULL;
    uint32_t w = f ? f->write_unit : 0;
    if (!f || !dev->sectors || dev->sector_runs == 0 || w == 0 || (w & (w - 1)) || w > 32 ||
        (f->erase_value != 0xFF && f->erase_value != 0x00) || f->start != 0)
        return NBS_E_GEOMETRY;
    uint64_t total = 0;
    for (uint32_t r = 0; r < dev->sector_runs; r++) {
        const nbs_sector_run *run = &dev->sectors[r];
        if (run->count == 0 || run->size == 0 || run->size % w) return NBS_E_GEOMETRY;
        total += (uint64_t)run->count * run->size;
    }
    return total == f->size ? NBS_OK : NBS_E_GEOMETRY;
}

/* A byte loop rather than strcmp: newlib's word-at-a-time strcmp is 700 bytes on Cortex-M. */
static bool same_name(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

static bool name_ok(const char *name) {
    if (!name) return false;
    size_t n = 0;
    for (; name[n]; n++)
        if (n >= NBS_PART_NAME_MAX || (uint8_t)name[n] < 0x21 || (uint8_t)name[n] > 0x7E)
            return false;
    return n > 0;
}

static bool on_boundary(const nbs_device *dev, uint32_t addr) {
    uint32_t start, size;
    if (addr == dev->flash.size) return true;
    return nbs_sector_at(dev, addr, &start, &size) && start == addr;
}

/* The first problem of partition i, given that those before it are fine. */
static int check_one(const nbs_part_table *t, uint32_t i, uint32_t *other) {
    const nbs_partition *p = &t->parts[i];
    *other = i;
    if (!name_ok(p->name)) return NBS_E_PART_NAME;
    for (uint32_t j = 0; j < i; j++)
        if (same_name(t->parts[j].name, p->name)) {
            *other = j;
            return NBS_E_PART_NAME;
        }
    if (p->size == 0 || (uint64_t)p->start + p->size > t->device->flash.size) return NBS_E_RANGE;
    if (!on_boundary(t->device, p->start) || !on_boundary(t->device, p->start + p->size))
        return NBS_E_ALIGN;
    for (uint32_t j = 0; j < i; j++) {
        const nbs_partition *q = &t->parts[j];
        if (p->start < q->start + q->size && q->start < p->start + p->size) {
            *other = j;
            return NBS_E_PART_OVERLAP;
        }
    }
    return NBS_OK;
}

int nbs_part_check(const nbs_part_table *table, nbs_part_problem *problem) {
    if (!table || (table->count && !table->parts)) return NBS_E_INVAL;
    if (problem) *problem = (nbs_part_problem){0, 0};
    int rc = check_device(table->device);
    for (uint32_t i = 0; !rc && i < table->count; i++) {
        uint32_t other;
        rc = check_one(table, i, &other);
        if (rc && problem) *problem = (nbs_part_problem){i, other};
    }
    return rc;
}

int nbs_part_find(const nbs_part_table *table, const char *name, const nbs_partition **out) {
    if (!table || !name || !out) return NBS_E_INVAL;
    for (uint32_t i = 0; i < table->count; i++)
        if (same_name(table->parts[i].name, name)) {
            *out = &table->parts[i];
            return NBS_OK;
        }
    return NBS_E_PART_NAME;
}

int nbs_part_next(const nbs_part_table *table, uint32_t *cursor, const nbs_partition **out) {
    if (!table || !cursor || !out) return NBS_E_INVAL;
    if (*cursor >= table->count) return NBS_E_END;
    *out = &table->parts[(*cursor)++];
    return NBS_OK;
}
