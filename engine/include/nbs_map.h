/* The key-value map of the norbench storage engine: power-fail-safe store, fetch and removal
 * of byte-string keys (1..NBS_KEY_MAX bytes) and values on a ring of NOR flash pages. */
#ifndef NBS_MAP_H
#define NBS_MAP_H

#include "nbs.h"
#include "nbs_log.h"

typedef struct nbs_map {
    nbs_log log; /* private: the page ring underneath */
} nbs_map;

/* Mounts the store on cfg->flash, repairing whatever a power cut left behind. An erased or
 * never-used range mounts as an empty store. */
int nbs_map_mount(nbs_map *map, const nbs_config *cfg);
int nbs_map_erase_all(nbs_map *map);

int nbs_map_store(nbs_map *map, const void *key, size_t key_len, const void *value,
                  size_t value_len);
/* On NBS_E_BUFFER_TOO_SMALL, *value_len is set to the size needed. */
int nbs_map_fetch(nbs_map *map, const void *key, size_t key_len, void *value, size_t capacity,
                  size_t *value_len);
int nbs_map_remove(nbs_map *map, const void *key, size_t key_len); /* absent: 0, no write */
int nbs_map_remove_all(nbs_map *map);
int nbs_map_has(nbs_map *map, const void *key, size_t key_len, bool *present);
int nbs_map_count(nbs_map *map, uint32_t *count);
int nbs_map_space(nbs_map *map, nbs_space *space);

/* The largest value a key of key_len bytes can have on this geometry (0 if none; a store
 * above it returns NBS_E_TOO_BIG): the largest whose item fits a fresh page after its header
 * and its DONE and KILL units (SPEC sections 3 and 7). With write unit W, page size P and h = 4
 * (5 with more than 256 pages), key + value + rW(1 + F + 4) + W <= P - rW(h) - 2W, key and value
 * padded to W, F the length field's bytes (1 below 32-byte values, 2 below 4096, else 3): at W = 1
 * on a 256-byte page key + value <= 242, on a 4 KiB page 4082. */
uint32_t nbs_map_max_value(const nbs_flash *flash, size_t key_len);

/* Iteration over live items: each key once, with its newest value. The map must not be
 * changed during an iteration. Returns NBS_E_END after the last item. */
typedef struct nbs_map_iter {
    nbs_map *map;
    uint32_t page_step, slot; /* private */
} nbs_map_iter;
void nbs_map_iter_init(nbs_map *map, nbs_map_iter *it);
int nbs_map_iter_next(nbs_map_iter *it, void *key, size_t key_capacity, size_t *key_len,
                      void *value, size_t value_capacity, size_t *value_len);

/* Integer keys: little-endian, fixed width. */
static inline void nbs_key_u32(uint32_t v, uint8_t out[4]) {
    out[0] = (uint8_t)v, out[1] = (uint8_t)(v >> 8), out[2] = (uint8_t)(v >> 16),
    out[3] = (uint8_t)(v >> 24);
}

#endif
