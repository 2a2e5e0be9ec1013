/* Reads and writes the image target's input format (see fuzz_image_format.h). */
#include "fuzz_image_format.h"

#include <stdio.h>
#include <stdlib.h>

fuzz_store_options fuzz_image_options(const uint8_t header[FUZZ_IMAGE_HEADER]) {
    return (fuzz_store_options){.kind = header[2] & 1 ? EF_QUEUE : EF_MAP,
                                .geometry = header[0],
                                .pages = 2u + header[1],
                                .cache_flags = header[2] >> 1,
                                .cache_max_keys = 8,
                                .seed = header[0] ^ header[1] << 8 ^ header[2] << 16};
}

bool fuzz_image_save(const fuzz_store *s, const char *path) {
    const engine_fixture *f = &s->f;
    size_t geometry = 0;
    while (fuzz_geometry_at(geometry) != s->geometry) geometry++;
    uint8_t header[FUZZ_IMAGE_HEADER] = {
        (uint8_t)geometry, (uint8_t)(f->pages - 2),
        (uint8_t)((f->options.kind == EF_QUEUE) | s->cache_flags << 1)};
    uint32_t size = f->binding.flash.size;
    uint8_t *range = malloc(size);
    FILE *file = fopen(path, "wb");
    bool ok = range && file && nor_peek(f->dev, f->binding.flash.start, range, size) == NOR_OK &&
              fwrite(header, 1, sizeof header, file) == sizeof header &&
              fwrite(range, 1, size, file) == size;
    if (file && fclose(file) != 0) ok = false;
    free(range);
    return ok;
}

void fuzz_image_save_if_asked(const fuzz_store *s, const char *env) {
    const char *path = getenv(env);
    if (path && *path && !fuzz_image_save(s, path))
        fprintf(stderr, "norbench fuzz: cannot write the image %s\n", path);
}
