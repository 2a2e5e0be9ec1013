/* The image target's input format, shared with the map and queue targets so that any store they
 * leave can become an image seed: 3 header bytes (geometry, pages - 2, kind | cache flags << 1)
 * then the store's range, byte for byte (bytes past the end of the input read as erased). */
#ifndef NORBENCH_FUZZ_IMAGE_FORMAT_H
#define NORBENCH_FUZZ_IMAGE_FORMAT_H

#include "fuzz_store.h"

#include <stdbool.h>
#include <stdint.h>

enum { FUZZ_IMAGE_HEADER = 3 };
/* The store a header describes. */
fuzz_store_options fuzz_image_options(const uint8_t header[FUZZ_IMAGE_HEADER]);
/* Writes the store as an image input to `path` (seeds for the image target). False on a file
 * error. */
bool fuzz_image_save(const fuzz_store *s, const char *path);
/* Saves the image to the file the environment variable `env` names, if set: replaying a map or
 * queue input with NORBENCH_FUZZ_SAVE_IMAGE makes an image seed of the store it leaves, with
 * NORBENCH_FUZZ_SAVE_CUT_IMAGE one of the flash a power cut left, before its recovery (the
 * last cut's, when the input cuts more than once). */
void fuzz_image_save_if_asked(const fuzz_store *s, const char *env);

#endif
