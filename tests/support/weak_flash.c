/* Weak cells and a range guard in front of an engine's flash interface (weak_flash.h). */
#include "weak_flash.h"

#include <criterion/criterion.h>
#include <string.h>

static bool outside(weak_flash *wf, uint32_t addr, uint32_t len) {
    bool out =
        wf->guard_size && (addr < wf->guard_start ||
                           (uint64_t)addr + len > (uint64_t)wf->guard_start + wf->guard_size);
    wf->outside += out;
    return out;
}

static void apply_weak(weak_flash *wf, weak_region *r, uint32_t addr, uint8_t *buf, uint32_t len) {
    weak_read how = r->reads < r->script_len ? r->script[r->reads] : r->then;
    r->reads++;
    if (how == WEAK_AS_STORED) return;
    for (uint32_t i = 0; i < r->len; i++) {
        uint32_t at = r->addr + i;
        if (at < addr || at >= addr + len) continue;
        if (wf->inner.erase_value == 0xFF)
            buf[at - addr] |= r->mask[i];
        else
            buf[at - addr] &= (uint8_t)~r->mask[i];
    }
}

static int wf_read(void *ctx, uint32_t addr, void *buf, uint32_t len) {
    weak_flash *wf = ctx;
    if (outside(wf, addr, len)) return NBS_E_INVAL;
    int rc = wf->inner.read(wf->inner.ctx, addr, buf, len);
    if (rc) return rc;
    for (int i = 0; i < WEAK_REGIONS; i++) {
        weak_region *r = &wf->regions[i];
        if (r->used && r->addr < addr + len && addr < r->addr + r->len)
            apply_weak(wf, r, addr, buf, len);
    }
    return 0;
}

static int wf_program(void *ctx, uint32_t addr, const void *data, uint32_t len) {
    weak_flash *wf = ctx;
    if (outside(wf, addr, len)) return NBS_E_INVAL;
    return wf->inner.program(wf->inner.ctx, addr, data, len);
}

static int wf_erase(void *ctx, uint32_t page_addr) {
    weak_flash *wf = ctx;
    if (outside(wf, page_addr, wf->inner.page_size)) return NBS_E_INVAL;
    int rc = wf->inner.erase(wf->inner.ctx, page_addr);
    if (!rc)
        for (int i = 0; i < WEAK_REGIONS; i++) {
            weak_region *r = &wf->regions[i];
            if (r->used && r->addr >= page_addr && r->addr < page_addr + wf->inner.page_size)
                r->used = false;
        }
    return rc;
}

nbs_flash weak_flash_bind(weak_flash *wf, const nbs_flash *inner) {
    memset(wf, 0, sizeof *wf);
    wf->inner = *inner;
    wf->guard_start = inner->start;
    wf->guard_size = inner->size;
    nbs_flash f = *inner;
    f.ctx = wf;
    f.read = wf_read;
    f.program = wf_program;
    f.erase = wf_erase;
    return f;
}

int weak_flash_add(weak_flash *wf, uint32_t addr, uint32_t len, const uint8_t *mask,
                   const weak_read *script, unsigned script_len, weak_read then) {
    cr_assert(len <= WEAK_BYTES && script_len <= WEAK_SCRIPT, "weak region too big");
    for (int i = 0; i < WEAK_REGIONS; i++) {
        weak_region *r = &wf->regions[i];
        if (r->used) continue;
        memset(r, 0, sizeof *r);
        uint8_t now[WEAK_BYTES];
        cr_assert_eq(wf->inner.read(wf->inner.ctx, addr, now, len), 0);
        for (uint32_t b = 0; b < len; b++)
            r->mask[b] = mask ? mask[b] : (uint8_t)(now[b] ^ wf->inner.erase_value);
        r->used = true;
        r->addr = addr;
        r->len = len;
        if (script_len) memcpy(r->script, script, script_len * sizeof *script);
        r->script_len = script_len;
        r->then = then;
        return i;
    }
    cr_assert_fail("no free weak region");
    return -1;
}

void weak_flash_settle(weak_flash *wf, int i, weak_read how) {
    wf->regions[i].script_len = 0;
    wf->regions[i].then = how;
}
