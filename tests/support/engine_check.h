/* Comparisons of a mounted engine store with the reference model: read everything the store
 * holds (by iteration, fetch, has, count, peek) and explain the first disagreement. */
#ifndef TESTS_ENGINE_CHECK_H
#define TESTS_ENGINE_CHECK_H

#include "engine_fixture.h"
#include "ref_model.h"

#include <stdbool.h>
#include <stddef.h>

/* Room for one explanation of a failed check. */
#define EC_WHY_SIZE 768

/* Every live map item by iteration, in iteration order. False (with why) on an engine error or
 * a key returned twice. */
bool ec_map_observe(engine_fixture *f, ref_list *out, char *why);
/* The map equals the model by iteration, fetch, has and count, and its space figures add up. */
bool ec_map_verify(engine_fixture *f, const ref_map *model, char *why);

/* Every queue entry by iteration, oldest first. */
bool ec_queue_observe(engine_fixture *f, ref_list *out, char *why);
/* The queue equals the model by iteration, count and peek, and its space figures add up. */
bool ec_queue_verify(engine_fixture *f, const ref_queue *model, char *why);

/* Observes the store after a power cut, accepts the old or the new outcome of the operation in
 * flight (settling the model), then verifies the store against the model. */
bool ec_settle_and_verify(engine_fixture *f, ref_map *map_model, ref_queue *queue_model, char *why);
/* Verifies the map or the queue, whichever the fixture holds. */
bool ec_verify(engine_fixture *f, const ref_map *map_model, const ref_queue *queue_model,
               char *why);

/* The space figures add up: live + free_now + reclaimable + overhead = total. */
bool ec_space_consistent(const nbs_space *space, uint32_t total_expected, char *why);

/* Appends a hex dump of up to 16 bytes to a message, for readable failures. */
void ec_describe_bytes(char *out, size_t size, const void *bytes, size_t len);

#endif
