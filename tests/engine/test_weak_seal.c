/* Format 3's seal rule with a seal left weak (SPEC-v3 section 2): an item's outcome is carried by
 * its commit (header and CRC); its seal only says whether the mount must recover. A seal whose
 * program a cut tore can read programmed at one reading and erased at the next ("metastable"
 * cells). Found by scenarios/suite/torn-program-metastable: the first item written after a
 * mount follows a filler, and a walk recognised the filler only when the item after it read
 * sealed, so the item vanished when its seal read erased: from the reads after the mount that
 * had counted it, and from the next mount, whose recovery dropped it. */
#include "engine_fixture.h"
#include "format3_layout.h"
#include "weak_flash.h"

#include <criterion/criterion.h>
#include <string.h>

typedef struct weak_map {
    engine_fixture f;
    weak_flash wf;
    nbs_config cfg;
    nbs_map map;
} weak_map;

static void open_weak_map(weak_map *m) {
    nor_config cfg = ef_preset_config("tiny");
    ef_options opts;
    memset(&opts, 0, sizeof opts);
    opts.kind = EF_MAP;
    opts.pages = 4;
    ef_open(&m->f, &cfg, &opts);
    m->cfg = m->f.config;
    m->cfg.flash = weak_flash_bind(&m->wf, &m->f.config.flash);
}

static void mount(weak_map *m, const char *when) {
    memset(&m->map, 0xA5, sizeof m->map); /* nothing survives in RAM */
    int rc = nbs_map_mount(&m->map, &m->cfg);
    cr_assert_eq(rc, NBS_OK, "mount %s: %s", when, nbs_strerror(rc));
}

static void expect_value(weak_map *m, const char *key, const char *want, const char *when) {
    char buf[32];
    size_t len = 0;
    int rc = nbs_map_fetch(&m->map, key, strlen(key), buf, sizeof buf, &len);
    cr_assert_eq(rc, NBS_OK, "%s: fetch of '%s': %s", when, key, nbs_strerror(rc));
    cr_assert(len == strlen(want) && !memcmp(buf, want, len), "%s: '%s' read back wrong", when,
              key);
    uint32_t count = 0;
    cr_assert_eq(nbs_map_count(&m->map, &count), NBS_OK);
    cr_assert_eq(count, 2, "%s: %u items, not 2", when, count);
}

static uint8_t read_byte(weak_map *m, uint32_t addr) {
    uint8_t b = 0;
    cr_assert_eq(m->f.config.flash.read(m->f.config.flash.ctx, addr, &b, 1), 0);
    return b;
}

Test(weak_seal, an_item_after_a_filler_keeps_its_outcome_when_its_seal_reads_erased) {
    weak_map m;
    open_weak_map(&m);
    const nbs_flash *fl = &m.f.config.flash;
    mount(&m, "of an erased range");
    cr_assert_eq(nbs_map_store(&m.map, "a", 1, "first", 5), NBS_OK);
    mount(&m, "after one store");
    /* The first write after this mount: a filler of G bytes, then the item (seal first). */
    cr_assert_eq(nbs_map_store(&m.map, "b", 1, "second", 6), NBS_OK);
    uint32_t front = f3_items_start(fl) + f3_item_bytes(fl, F3_MAP, 1, 5);
    uint32_t seal = fl->start + front + f3_gap(fl, F3_MAP);
    uint8_t erased = fl->erase_value;
    cr_assert(read_byte(&m, seal - 1) != erased && read_byte(&m, seal) != erased,
              "no filler and seal where the layout puts them (offset %u)", seal - fl->start);
    cr_assert_eq(read_byte(&m, seal + fl->write_unit), 1, "no 1-byte key's header after the seal");

    /* The seal's cells are weak: they read programmed at this power-on's mount... */
    weak_flash_add(&m.wf, seal, fl->write_unit, NULL, NULL, 0, WEAK_AS_STORED);
    mount(&m, "with a weak seal that reads programmed");
    expect_value(&m, "b", "second", "the mount read the seal programmed");
    /* ...and erased afterwards: the item must not vanish from under the mount's answer. */
    weak_flash_settle(&m.wf, 0, WEAK_AS_ERASED);
    expect_value(&m, "b", "second", "the seal reads erased after the mount");
    expect_value(&m, "a", "first", "the seal reads erased after the mount");
    /* The next mount reads the seal erased: an unsealed item whose commit is intact is applied,
     * as the previous power-on reported it. */
    mount(&m, "with the seal reading erased");
    expect_value(&m, "b", "second", "a mount that read the seal erased");
    expect_value(&m, "a", "first", "a mount that read the seal erased");
    mount(&m, "after the recovery");
    expect_value(&m, "b", "second", "after the recovery");
    ef_close(&m.f);
}
