/* The fuzz store: device, range guard, buffers and cold mounts (see fuzz_store.h). */
#include "fuzz_store.h"

#include "fuzz_finding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a reset leaves in RAM that the engine must not trust. */
#define RESET_GARBAGE 0x5A

/* The engine's flash calls, checked against its range and write unit, then passed to the NOR
 * binding. The guard's context is the store itself. */
static void guard_range(const fuzz_store *s, const char *what, uint32_t addr, uint32_t len) {
    const nbs_flash *flash = &s->f.binding.flash;
    uint64_t end = (uint64_t)addr + len;
    FUZZ_REQUIRE(s->target, addr >= flash->start && end <= (uint64_t)flash->start + flash->size,
                 "engine %s of [0x%x, +%u) outside its range [0x%x, +%u)", what, (unsigned)addr,
                 (unsigned)len, (unsigned)flash->start, (unsigned)flash->size);
}

static int guarded_read(void *ctx, uint32_t addr, void *buf, uint32_t len) {
    fuzz_store *s = ctx;
    guard_range(s, "read", addr, len);
    return s->f.binding.flash.read(s->f.binding.flash.ctx, addr, buf, len);
}

static int guarded_program(void *ctx, uint32_t addr, const void *data, uint32_t len) {
    fuzz_store *s = ctx;
    uint32_t unit = s->f.binding.flash.write_unit;
    guard_range(s, "program", addr, len);
    FUZZ_REQUIRE(s->target, addr % unit == 0 && len % unit == 0,
                 "engine program of [0x%x, +%u) not aligned to the write unit %u", (unsigned)addr,
                 (unsigned)len, (unsigned)unit);
    return s->f.binding.flash.program(s->f.binding.flash.ctx, addr, data, len);
}

static int guarded_erase(void *ctx, uint32_t page_addr) {
    fuzz_store *s = ctx;
    const nbs_flash *flash = &s->f.binding.flash;
    guard_range(s, "erase", page_addr, flash->page_size);
    FUZZ_REQUIRE(s->target, (page_addr - flash->start) % flash->page_size == 0,
                 "engine erase at 0x%x is not a page start", (unsigned)page_addr);
    return flash->erase(flash->ctx, page_addr);
}

static void allocate_buffers(fuzz_store *s) {
    engine_fixture *f = &s->f;
    nbs_flash guarded = f->binding.flash;
    guarded.ctx = s;
    guarded.read = guarded_read;
    guarded.program = guarded_program;
    guarded.erase = guarded_erase;
    size_t work_size = nbs_work_bytes_min(&guarded);
    f->work = malloc(work_size ? work_size : 1);
    f->cache_bytes =
        s->cache_flags ? nbs_cache_bytes(s->cache_flags, f->pages, s->cache_max_keys) : 0;
    f->cache_mem = malloc(f->cache_bytes ? f->cache_bytes : 1);
    FUZZ_REQUIRE(s->target, f->work && f->cache_mem, "out of memory for the engine buffers");
    f->config = (nbs_config){
        .flash = guarded,
        .work = f->work,
        .work_size = work_size,
        .cache = {.flags = s->cache_flags,
                  .mem = s->cache_flags ? f->cache_mem : NULL,
                  .mem_size = f->cache_bytes,
                  .max_keys = s->cache_max_keys,
                  .check = s->cache_flags != 0},
    };
}

void fuzz_store_open(fuzz_store *s, const char *target, const fuzz_store_options *opts) {
    memset(s, 0, sizeof *s);
    s->target = target;
    s->geometry = fuzz_geometry_at(opts->geometry);
    bool map = opts->kind == EF_MAP;
    s->cache_flags =
        opts->cache_flags & (map ? NBS_CACHE_ALL : ~(unsigned)NBS_CACHE_KEYS) & NBS_CACHE_ALL;
    s->cache_max_keys = (s->cache_flags & NBS_CACHE_KEYS) ? opts->cache_max_keys : 0;
    if ((s->cache_flags & NBS_CACHE_KEYS) && s->cache_max_keys == 0) s->cache_max_keys = 1;

    engine_fixture *f = &s->f;
    f->options.kind = opts->kind;
    f->options.seed = opts->seed;
    f->pages = opts->pages < 2 ? 2 : opts->pages;
    if (f->pages > s->geometry->max_pages) f->pages = s->geometry->max_pages;
    f->page_size = s->geometry->sector_size;
    f->options.pages = f->pages;
    f->options.page_size = f->page_size;

    nor_config cfg = fuzz_geometry_config(s->geometry);
    int rc = nor_create(&f->dev, &cfg, opts->seed);
    FUZZ_REQUIRE(target, rc == NOR_OK, "nor_create(%s): %s", s->geometry->name, nor_strerror(rc));
    f->owns_device = true;
    rc = nbs_nor_bind(&f->binding, f->dev, f->page_size, f->pages * f->page_size, f->page_size);
    FUZZ_REQUIRE(target, rc == NBS_OK, "nbs_nor_bind(%s): %s", s->geometry->name, nbs_strerror(rc));
    f->first_sector = 1;
    f->sector_count = f->pages;
    allocate_buffers(s);
}

void fuzz_store_close(fuzz_store *s) {
    free(s->f.work);
    free(s->f.cache_mem);
    if (s->f.owns_device) nor_destroy(s->f.dev);
    memset(s, 0, sizeof *s);
}

void fuzz_store_start(fuzz_store *s, const char *target, ef_kind kind, fuzz_input *in, char *where,
                      size_t where_size) {
    fuzz_store_options opts = {.kind = kind, .seed = in->size};
    opts.geometry = fuzz_input_u8(in);
    opts.pages = 2 + fuzz_input_below(in, 8);
    opts.cache_flags = fuzz_input_u8(in);
    if (kind == EF_MAP) opts.cache_max_keys = 1 + fuzz_input_below(in, 32);
    fuzz_store_open(s, target, &opts);
    fuzz_store_describe(s, where, where_size);
    int rc = fuzz_store_mount(s);
    FUZZ_REQUIRE(target, rc == NBS_OK, "%s: first mount: %s", where, nbs_strerror(rc));
}

int fuzz_store_mount(fuzz_store *s) {
    engine_fixture *f = &s->f;
    memset(f->work, RESET_GARBAGE, f->config.work_size);
    if (f->cache_bytes) memset(f->cache_mem, RESET_GARBAGE, f->cache_bytes);
    if (f->options.kind == EF_MAP) {
        memset(&f->map, RESET_GARBAGE, sizeof f->map);
        return nbs_map_mount(&f->map, &f->config);
    }
    memset(&f->queue, RESET_GARBAGE, sizeof f->queue);
    return nbs_queue_mount(&f->queue, &f->config);
}

bool fuzz_store_power_lost(const fuzz_store *s, int rc) {
    return rc == NBS_E_IO && !nor_is_powered(s->f.dev);
}

const char *fuzz_store_describe(const fuzz_store *s, char *buf, size_t size) {
    snprintf(buf, size, "%s %s, %u pages of %u bytes, caches 0x%x (max_keys %u)", s->geometry->name,
             s->f.options.kind == EF_MAP ? "map" : "queue", (unsigned)s->f.pages,
             (unsigned)s->f.page_size, s->cache_flags, (unsigned)s->cache_max_keys);
    return buf;
}
