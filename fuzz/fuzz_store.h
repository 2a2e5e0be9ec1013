/* An engine store for fuzzing, without Criterion: a NOR device of a fuzz geometry, a map or a
 * queue on 2..max_pages of its pages with the caches the input chose (check mode on), mounted
 * as after a reset (RAM filled with garbage first). Every flash access of the engine goes
 * through a guard that reports a finding when it leaves the store's range or breaks the
 * write-unit alignment. The fixture struct is the tests' one, so the tests' checks
 * (tests/support/engine_check.h) compare it with the reference model. */
#ifndef NORBENCH_FUZZ_STORE_H
#define NORBENCH_FUZZ_STORE_H

#include "engine_fixture.h"
#include "fuzz_geometry.h"
#include "fuzz_input.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct fuzz_store {
    engine_fixture f;
    const char *target; /* for findings */
    const fuzz_geometry *geometry;
    unsigned cache_flags;
    uint32_t cache_max_keys;
} fuzz_store;

typedef struct fuzz_store_options {
    ef_kind kind;
    size_t geometry; /* index, taken modulo the number of geometries */
    uint32_t pages;  /* clipped to 2..max_pages */
    unsigned cache_flags;
    uint32_t cache_max_keys;
    uint64_t seed; /* the device's PRNG */
} fuzz_store_options;

/* Creates the device and the (unmounted) store; a setup failure is a finding. */
void fuzz_store_open(fuzz_store *s, const char *target, const fuzz_store_options *opts);
void fuzz_store_close(fuzz_store *s);
/* The map and queue targets' start: decodes the store from the input (geometry, pages - 2,
 * cache flags, and for a map the key table's size - 1), opens it, writes its description
 * (fuzz_store_describe) into `where` for the target's findings, and mounts the erased range,
 * which must succeed. The device's seed is the input's size. */
void fuzz_store_start(fuzz_store *s, const char *target, ef_kind kind, fuzz_input *in, char *where,
                      size_t where_size);
/* Mounts as after a reset: nothing in RAM survives. Returns the engine's code. */
int fuzz_store_mount(fuzz_store *s);
/* True when `rc` says the power went off (the flash is unpowered and the engine said NBS_E_IO). */
bool fuzz_store_power_lost(const fuzz_store *s, int rc);
/* "tiny map, 3 pages, caches 0x7": for findings. */
const char *fuzz_store_describe(const fuzz_store *s, char *buf, size_t size);

#endif
