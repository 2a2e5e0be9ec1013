/* The tear watch: after a cut tore a program or an erase, what live reads see of its range.
 * Whether some read saw the range exactly as the operation meant to leave it (a torn record
 * that reads valid) and whether a byte read differently from its previous read (a reading
 * that changes). Reads stop counting once a later program or erase reaches the range. */
#include "nor_internal.h"

#include <stdlib.h>
#include <string.h>

enum { WATCH_CARE = 1, WATCH_SEEN = 2 };

static bool reserve(nor_watch *w, uint32_t len) {
    if (len <= w->cap) return true;
    uint8_t *intended = realloc(w->intended, len);
    if (intended) w->intended = intended;
    uint8_t *last = realloc(w->last, len);
    if (last) w->last = last;
    uint8_t *flags = realloc(w->flags, len);
    if (flags) w->flags = flags;
    if (!intended || !last || !flags) return false;
    w->cap = len;
    return true;
}

void nor_watch_start(nor *dev, nor_event_kind kind, uint32_t addr, uint32_t len) {
    nor_watch *w = &dev->watch;
    w->pub = (nor_tear_watch){.active = false};
    w->frozen = false;
    /* Out of host memory, the watch stays off: it observes, it never changes the model. */
    if (len == 0 || !reserve(w, len)) return;
    memset(w->flags, 0, len);
    w->pub = (nor_tear_watch){.active = true, .kind = kind, .addr = addr, .len = len};
}

void nor_watch_intend(nor *dev, uint32_t addr, uint8_t byte) {
    nor_watch *w = &dev->watch;
    if (!w->pub.active || addr - w->pub.addr >= w->pub.len) return;
    w->intended[addr - w->pub.addr] = byte;
    w->flags[addr - w->pub.addr] = WATCH_CARE;
}

void nor_watch_stop(nor *dev) {
    dev->watch.pub.active = false;
}

void nor_watch_free(nor *dev) {
    free(dev->watch.intended);
    free(dev->watch.last);
    free(dev->watch.flags);
    memset(&dev->watch, 0, sizeof dev->watch);
}

/* The overlap of [addr, addr+len) with the watched range, as offsets into it. */
static bool overlap(const nor_watch *w, uint32_t addr, uint32_t len, uint32_t *from, uint32_t *to) {
    uint64_t lo = addr > w->pub.addr ? addr : w->pub.addr;
    uint64_t hi = (uint64_t)addr + len;
    uint64_t end = (uint64_t)w->pub.addr + w->pub.len;
    if (end < hi) hi = end;
    if (lo >= hi) return false;
    *from = (uint32_t)(lo - w->pub.addr);
    *to = (uint32_t)(hi - w->pub.addr);
    return true;
}

void nor_watch_read_slow(nor *dev, uint32_t addr, const uint8_t *bytes, uint32_t len, int rc) {
    nor_watch *w = &dev->watch;
    uint32_t from, to;
    if (!overlap(w, addr, len, &from, &to)) return;
    w->pub.reads++;
    bool as_intended = rc == NOR_OK, cared = false;
    const uint8_t *seen = bytes + (w->pub.addr + from - addr);
    for (uint32_t i = from; i < to; i++, seen++) {
        if (!(w->flags[i] & WATCH_CARE)) continue;
        cared = true;
        as_intended &= *seen == w->intended[i];
        if ((w->flags[i] & WATCH_SEEN) && w->last[i] != *seen) w->pub.read_changed = true;
        w->last[i] = *seen;
        w->flags[i] |= WATCH_SEEN;
    }
    if (as_intended && cared) w->pub.read_complete = true;
}

void nor_watch_write_slow(nor *dev, uint32_t addr, uint32_t len) {
    uint32_t from, to;
    if (overlap(&dev->watch, addr, len, &from, &to)) dev->watch.frozen = true;
}

void nor_get_tear_watch(const nor *dev, nor_tear_watch *out) {
    *out = dev->watch.pub;
}
